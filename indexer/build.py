"""The index writer: incremental by content hash, batched commits, atomic ``--rebuild``.

:func:`build_index` is what ``cables index`` and the benchmarks call::

    from indexer import build_index
    counts = build_index("instance/index", ["corpus/"], progress=print)
    counts.added, counts.replaced, counts.unchanged, counts.errors

How a run works:

* Worker processes (one per core) each read, parse, analyze and write their share of
  the cables into segments of their own, one per batch of ``batch_size`` cables,
  while this process commits the batches in input order (:mod:`indexer.parallel`).
  Each batch is one Whoosh commit, so memory stays bounded and a killed run loses at
  most the batches in flight. Whoosh commits are atomic: readers see a batch entirely
  or not at all. ``workers=0`` does all of it in this process, batch by batch.
* A cable whose ``content_hash`` equals the indexed one is skipped; a changed one has
  its document replaced in the same commit.
* Citations need no upkeep: a cable indexes the refids it cites (``references``), and
  "cited by" is read from that posting list at query time, so a new cable never
  rewrites the cables it cites, in whatever order cables arrive.
* Parse errors are reported through ``on_error`` and counted; they never stop a run.
* ``rebuild=True`` writes a new generation and swaps it in atomically at the end (see
  :mod:`indexer.swap`); until then readers keep using the old one.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from whoosh import index as whoosh_index

from .errors import IndexNotFound, ParseError, SchemaMismatch
from .models import Cable
from .parallel import BatchPart, Committer, worker_events
from .pipeline import input_bytes
from .schema import SCHEMA_VERSION, make_schema
from .swap import (
    current_generation,
    new_generation,
    now_iso,
    publish,
    read_meta,
    reader_lease,
    remove_stale_generations,
    run_lock,
    write_meta,
)

__all__ = [
    "BuildCounts",
    "BuildProgress",
    "IndexStats",
    "build_index",
    "index_stats",
    "open_index",
    "reading",
]

#: Cables per commit, shared among the worker processes (each writes a segment of its
#: share). Bigger batches build faster and leave fewer segments, and hold more in
#: memory; a killed run loses at most one batch.
DEFAULT_BATCH = 20_000
#: Default number of worker processes (one per core, up to this).
MAX_WORKERS = 2
#: Whoosh's in-memory posting pool per batch, in MB.
POOL_MB = 256
#: How often opening an index is retried when a commit replaces its TOC meanwhile.
_OPEN_RETRIES = 20
#: Seconds between progress callbacks.
PROGRESS_EVERY = 0.5


@dataclass
class BuildCounts:
    """What a run did. ``errors`` counts parse errors and unusable cables."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: int = 0
    seconds: float = 0.0
    bytes_read: int = 0

    @property
    def seen(self) -> int:
        """Cables read, including the ones that failed."""
        return self.added + self.replaced + self.unchanged + self.errors

    def __str__(self) -> str:
        return (
            f"added {self.added}, replaced {self.replaced}, "
            f"unchanged {self.unchanged}, errors {self.errors}"
        )


@dataclass(frozen=True)
class BuildProgress:
    """A snapshot of a running build, for progress displays.

    :param cables: cables read so far (including failed ones).
    :param bytes_done: bytes of input files finished so far.
    :param bytes_total: bytes of all input files (0 when only ``Cable`` objects were given).
    :param seconds: time since the run started.
    :param counts: the counts so far.
    :param stage: ``"reading"``, ``"committing"`` or ``"done"``.
    """

    cables: int
    bytes_done: int
    bytes_total: int
    seconds: float
    counts: BuildCounts
    stage: str = "reading"


@dataclass(frozen=True)
class IndexStats:
    """What ``cables stats`` shows."""

    index_dir: str
    generation: str
    schema_version: int | None
    cables: int
    paragraphs: int
    size_bytes: int
    created: str | None
    updated: str | None
    first_date: datetime | None
    last_date: datetime | None
    segments: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# ---- opening ---------------------------------------------------------------------------


def _check_schema(gen: Path, index_dir: Path) -> None:
    version = read_meta(gen).get("schema_version")
    if version != SCHEMA_VERSION:
        raise SchemaMismatch(
            f"the index at {index_dir} was written with schema version {version}, "
            f"this cablesearch uses version {SCHEMA_VERSION}; rebuild it with: "
            f"cables index --rebuild --index {index_dir} PATH..."
        )


def _open_gen(gen: Path, index_dir: Path):
    _check_schema(gen, index_dir)
    for attempt in range(_OPEN_RETRIES):
        try:
            return whoosh_index.open_dir(str(gen))
        except whoosh_index.EmptyIndexError:
            raise IndexNotFound(
                f"no index at {index_dir}; build one with: cables index --index {index_dir} PATH..."
            ) from None
        except FileNotFoundError:
            # open_dir lists the TOC files, then opens the newest; a commit in between
            # replaces it with a newer one and deletes the old (seen by the 8-thread
            # test in tests/indexer/test_safety.py). Try again.
            if attempt == _OPEN_RETRIES - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def open_index(index_dir: str | os.PathLike):
    """Open the live generation of the index at ``index_dir`` (a Whoosh ``Index``).

    Prefer :func:`reading` for long-lived readers: it also keeps ``--rebuild`` from
    removing the generation while you use it.

    :raises IndexNotFound: no index there.
    :raises SchemaMismatch: the index needs ``cables index --rebuild``.
    """
    index_dir = Path(index_dir)
    return _open_gen(current_generation(index_dir), index_dir)


@contextlib.contextmanager
def reading(index_dir: str | os.PathLike):
    """``with reading(dir) as ix:`` the live index, leased against removal for the block."""
    index_dir = Path(index_dir)
    for _ in range(3):
        gen = current_generation(index_dir)
        try:
            lease = reader_lease(gen)
            lease.__enter__()
        except FileNotFoundError:  # removed between reading CURRENT and leasing it
            continue
        try:
            yield _open_gen(gen, index_dir)
        finally:
            lease.__exit__(None, None, None)
        return
    raise IndexNotFound(f"the index at {index_dir} keeps changing; try again")


# ---- writing ---------------------------------------------------------------------------


def _batch_ready(have: dict, batch: int, workers: int, last_batch: dict[int, int]) -> bool:
    # Every worker has sent its part of the batch, or has finished before it.
    if not have:
        return False
    return all(k in have or last_batch.get(k, batch) < batch for k in range(workers))


def _sweep(ix) -> None:
    """Delete the files a killed run left behind: segments no TOC lists, old TOCs.

    Only while no worker is writing (the run lock is held and none is started yet).
    """
    from whoosh.index import clean_files

    toc = ix._read_toc()  # noqa: SLF001 -- Whoosh has no public TOC accessor
    clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)


def _commit_batches(ix, gen: str, sources: list, workers: int, batch_size: int,
                    committer: Committer, on_progress: Callable[[int, int | None], None]) -> None:
    """Run the workers (:func:`indexer.parallel.worker_events`) and commit each batch
    once every worker has sent its part of it, in input order."""
    shares = max(workers, 1)
    records: dict[int, int] = {}
    waiting: dict[int, dict[int, BatchPart]] = {}
    last_batch: dict[int, int] = {}
    next_batch = 0
    messages = worker_events(sources, gen, workers, batch_size, POOL_MB)
    with contextlib.closing(messages):
        for msg in messages:
            read = None
            if msg[0] == "part":
                part = msg[1]
                waiting.setdefault(part.batch, {})[part.worker] = part
            elif msg[0] == "progress":
                _, k, records[k], read = msg
            else:  # done
                _, k, last_batch[k], records[k], read = msg
            while _batch_ready(waiting.get(next_batch, {}), next_batch, shares, last_batch):
                committer.commit(list(waiting.pop(next_batch).values()))
                next_batch += 1
            on_progress(sum(records.values()), read)


def build_index(
    index_dir: str | os.PathLike,
    sources: Iterable[str | os.PathLike | Cable],
    *,
    rebuild: bool = False,
    progress: Callable[[BuildProgress], None] | None = None,
    on_error: Callable[[ParseError], None] | None = None,
    batch_size: int = DEFAULT_BATCH,
    wait: float = 0.0,
    workers: int | None = None,
) -> BuildCounts:
    """Index cables into ``index_dir``, incrementally, and return what was done.

    :param sources: paths (files or directories, any format :func:`indexer.read_cables`
        reads) and/or :class:`Cable` objects, consumed lazily.
    :param rebuild: build a fresh index beside the live one and swap it in at the end.
    :param progress: called with a :class:`BuildProgress` about twice a second and at
        the end.
    :param on_error: called with each :class:`ParseError` (bad record, cable without
        refid); the run goes on either way.
    :param batch_size: cables per commit.
    :param wait: seconds to wait for another run's lock before raising.
    :param workers: processes that read, analyze and write segments while this one
        commits them (see :mod:`indexer.parallel`); ``None`` for one per core (at
        most :data:`MAX_WORKERS`); 0 does everything in this process.
    :raises IndexLocked: another run holds the lock (after ``wait``).
    :raises SchemaMismatch: the index was written by another schema version and
        ``rebuild`` is false.
    """
    index_dir = Path(index_dir)
    started = time.monotonic()
    counts = BuildCounts()
    if workers is None:
        workers = min(MAX_WORKERS, os.cpu_count() or 1)

    sources = list(sources)
    paths = [Path(s) for s in sources if not isinstance(s, Cable)]
    bytes_total = sum(input_bytes(p) for p in paths)

    with run_lock(index_dir, wait):
        try:
            live = current_generation(index_dir)
        except IndexNotFound:
            live = None
        if live is not None and not rebuild:
            gen = live
            ix = _open_gen(gen, index_dir)
        else:
            gen = new_generation(index_dir)
            ix = whoosh_index.create_in(str(gen), make_schema())
            write_meta(gen, schema_version=SCHEMA_VERSION, created=now_iso(), updated=None)
            if live is None:
                publish(index_dir, gen)  # an empty index is valid; batches show up as they commit

        bytes_done = 0
        seen = 0

        def snapshot(stage: str) -> BuildProgress:
            elapsed = time.monotonic() - started
            return BuildProgress(seen, bytes_done, bytes_total, elapsed, counts, stage)

        last_report = 0.0

        def on_progress(records: int, read: int | None) -> None:
            nonlocal seen, bytes_done, last_report
            seen = records
            if read is not None:
                bytes_done = read
            if progress and time.monotonic() - last_report >= PROGRESS_EVERY:
                last_report = time.monotonic()
                progress(snapshot("reading"))

        _sweep(ix)
        _commit_batches(ix, str(gen), sources, workers, batch_size,
                        Committer(ix, counts, on_error, POOL_MB), on_progress)
        if progress:
            progress(snapshot("committing"))
        write_meta(gen, updated=now_iso())
        if gen != live and live is not None:
            publish(index_dir, gen)
        remove_stale_generations(index_dir)

    counts.seconds = time.monotonic() - started
    counts.bytes_read = bytes_done
    if progress:
        progress(snapshot("done"))
    return counts


# ---- stats -----------------------------------------------------------------------------


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def index_stats(index_dir: str | os.PathLike) -> IndexStats:
    """Counts, size on disk, schema version, build times and date range of an index.

    :raises IndexNotFound: no index there.
    :raises SchemaMismatch: the index needs ``cables index --rebuild``.
    """
    index_dir = Path(index_dir)
    with reading(index_dir) as ix:
        gen = current_generation(index_dir)
        meta = read_meta(gen)
        with ix.searcher() as s:
            cables = s.doc_count()
            reader = s.reader()
            paragraphs = 0
            first = last = None
            if cables:
                docnums = list(reader.all_doc_ids())
                paras = reader.column_reader("paras")
                paragraphs = sum(paras[d] or 0 for d in docnums)
                col = reader.column_reader("created")
                dates = [col[d] for d in docnums]
                dates = [d for d in dates if d is not None and d.year > 1900]
                if dates:
                    first, last = min(dates), max(dates)
            segments = len(ix._segments())  # noqa: SLF001 -- Whoosh has no public count
    return IndexStats(
        index_dir=str(index_dir),
        generation=gen.name,
        schema_version=meta.get("schema_version"),
        cables=cables,
        paragraphs=paragraphs,
        size_bytes=_dir_size(gen),
        created=meta.get("created"),
        updated=meta.get("updated"),
        first_date=first,
        last_date=last,
        segments=segments,
    )

