"""The index writer: incremental by content hash, batched commits, atomic ``--rebuild``.

:func:`build_index` is what ``cables index`` and the benchmarks call::

    from indexer import build_index
    counts = build_index("instance/index", ["corpus/"], progress=print)
    counts.added, counts.replaced, counts.unchanged, counts.errors

How a run works:

* A worker process reads, parses and analyzes the cables (:mod:`indexer.pipeline`)
  while this one writes them (:mod:`indexer.segments`), in batches of ``batch_size``;
  each batch is one Whoosh commit, so memory stays bounded and a killed run loses at
  most the batch in flight. Whoosh commits are atomic: readers see a batch entirely or
  not at all.
* A cable whose ``content_hash`` equals the indexed one is skipped; a changed one has
  its cable document and all its paragraph documents replaced in the same commit.
* ``cited_by`` is the inverse of ``references`` over the indexed cables. Within each
  batch the writer recomputes it for every cable it writes *and* for every indexed
  cable whose citers changed (cables the batch cites now or cited before); those are
  re-added from their stored JSON in the same commit. So it is right after every
  commit, whatever order cables arrive in, and a killed run leaves it consistent.
* Parse errors are reported through ``on_error`` and counted; they never stop a run.
* ``rebuild=True`` writes a new generation and swaps it in atomically at the end (see
  :mod:`indexer.swap`); until then readers keep using the old one.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from whoosh import index as whoosh_index

from .documents import cable_document
from .errors import IndexNotFound, ParseError, SchemaMismatch
from .models import Cable
from .pipeline import Prepared, input_bytes, prepared
from .schema import SCHEMA_VERSION, make_schema
from .segments import CableSegmentWriter, merge_tiers
from .store import decode_cable
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

#: Cables per commit. Bigger batches build faster and leave fewer segments, and hold
#: more in memory (25,000 bench cables in batches of 2,500 peaked at 1.39 GB RSS); a
#: killed run loses at most one batch.
DEFAULT_BATCH = 2500
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
    cited_updated: int = 0
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


def _stored(searcher, refid: str) -> dict[str, Any] | None:
    docnum = searcher.document_number(refid=refid)
    return None if docnum is None else searcher.stored_fields(docnum)


def _citers(searcher, refid: str) -> set[str]:
    return {
        searcher.stored_fields(d)["refid"] for d in searcher.document_numbers(references=refid)
    }


class _Batch:
    """One commit's worth of cables, written as they arrive; ``with`` commits or cancels.

    Paragraph documents go to the writer at once, so the writer works while the worker
    process analyzes the next cables. Cable documents wait for the end of the batch,
    when every citation in it is known, so ``cited_by`` is right in the same commit:
    for the batch's own cables, and for indexed cables whose citers changed (those are
    re-added from their stored JSON). A cable that comes twice in one batch replaces its
    earlier version (whose paragraph documents are marked deleted in the new segment).
    """

    def __init__(self, ix, counts: BuildCounts):
        self.ix = ix
        self.counts = counts
        self.pending: dict[str, tuple[Prepared, bool, list[int]]] = {}
        self.dirty: set[str] = set()
        self._deleted = False

    def __enter__(self) -> "_Batch":
        self.searcher = self.ix.searcher()  # the committed state this batch builds on
        self._writer = None
        return self

    @property
    def writer(self) -> CableSegmentWriter:
        # Opened on the first change, so a rerun over unchanged cables writes nothing.
        if self._writer is None:
            self._writer = CableSegmentWriter(self.ix, limitmb=POOL_MB)
        return self._writer

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self._writer is None:
                return
            if exc_type is None and (self.pending or self._deleted):
                self._finish()
            else:
                self._writer.cancel()
        except BaseException:
            if not self._writer.is_closed:
                self._writer.cancel()
            raise
        finally:
            self.searcher.close()

    def __len__(self) -> int:
        return len(self.pending)

    def add(self, item: Prepared) -> None:
        """Queue one cable: skip it if unchanged, else write its paragraphs now."""
        refid = item.refid
        earlier = self.pending.pop(refid, None)
        old = None if earlier else _stored(self.searcher, refid)
        if earlier is None and old is not None and old.get("content_hash") == item.content_hash:
            self.counts.unchanged += 1
            return
        item = item.ready()
        w = self.writer
        if earlier is not None:
            for docnum in earlier[2]:
                w.newsegment.delete_document(docnum)
            self._count(earlier[1])
            self.dirty.update(earlier[0].references)
        elif old is not None:
            w.delete_by_term("refid", refid)
            w.delete_by_term("pref", refid)
            self._deleted = True
            self.dirty.update(decode_cable(old["cable"]).references)
        docnums = []
        for pdoc in item.paras:
            docnums.append(w.docnum)
            w.add_document(**pdoc)
        self.pending[refid] = (item, earlier is not None or old is not None, docnums)

    def _count(self, replacing: bool) -> None:
        if replacing:
            self.counts.replaced += 1
        else:
            self.counts.added += 1

    def _finish(self) -> None:
        s, w = self.searcher, self.writer
        written = set(self.pending)
        batch_citers: dict[str, set[str]] = defaultdict(set)
        for refid, (item, _, _) in self.pending.items():
            for ref in item.references:
                if ref != refid:
                    batch_citers[ref].add(refid)

        def cited_by(refid: str) -> list[str]:
            # Citers already indexed, minus the ones this batch rewrites (their new
            # references count instead), plus this batch's citers.
            return sorted((_citers(s, refid) - written) | batch_citers.get(refid, set()))

        for refid, (item, replacing, _) in self.pending.items():
            doc = dict(item.doc)
            doc["cited_by"] = cited_by(refid)
            w.add_document(**doc)
            self._count(replacing)
        readds = 0
        for refid in sorted((self.dirty | set(batch_citers)) - written):
            old = _stored(s, refid)
            if old is None:
                continue
            new = cited_by(refid)
            if new != list(old.get("cited_by") or []):
                w.delete_by_term("refid", refid)
                w.add_document(**cable_document(decode_cable(old["cable"]), new))
                readds += 1
        w.commit(mergetype=merge_tiers)
        self.counts.cited_updated += readds


def build_index(
    index_dir: str | os.PathLike,
    sources: Iterable[str | os.PathLike | Cable],
    *,
    rebuild: bool = False,
    progress: Callable[[BuildProgress], None] | None = None,
    on_error: Callable[[ParseError], None] | None = None,
    batch_size: int = DEFAULT_BATCH,
    wait: float = 0.0,
    workers: int = 1,
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
    :param workers: 1 reads and analyzes in a worker process while this one writes
        (see :mod:`indexer.pipeline`); 0 does everything in this process.
    :raises IndexLocked: another run holds the lock (after ``wait``).
    :raises SchemaMismatch: the index was written by another schema version and
        ``rebuild`` is false.
    """
    index_dir = Path(index_dir)
    started = time.monotonic()
    counts = BuildCounts()

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
        events = prepared(sources, workers=workers, index_gen=str(gen))
        with contextlib.closing(events):
            exhausted = False
            while not exhausted:
                exhausted = True
                with _Batch(ix, counts) as batch:
                    for event in events:
                        kind = event[0]
                        if kind == "bytes":
                            bytes_done = event[1]
                            continue
                        seen += 1
                        if progress and time.monotonic() - last_report >= PROGRESS_EVERY:
                            last_report = time.monotonic()
                            progress(snapshot("reading"))
                        if kind == "error":
                            counts.errors += 1
                            if on_error:
                                on_error(event[1])
                            continue
                        batch.add(event[1])
                        if len(batch) >= batch_size:
                            exhausted = False
                            break
                    if progress and exhausted:
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
            cables = sum(1 for _ in s.document_numbers(kind="cable"))
            paragraphs = sum(1 for _ in s.document_numbers(kind="para"))
            first = last = None
            if cables:
                col = s.reader().column_reader("created")
                dates = [col[d] for d in s.document_numbers(kind="cable")]
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

