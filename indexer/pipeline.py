"""Reading and analyzing cables for the writer: the events of a run.

:mod:`indexer.parallel` reads these events, for all records or for one
:class:`~indexer.readers.Share` of them:

* ``("cable", Prepared, index)`` -- a cable ready to write (``index``: its record's
  number in the input);
* ``("error", ParseError, index)`` -- a record that could not be read;
* ``("bytes", n)`` -- about ``n`` bytes of the input files have been read so far.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from .documents import cable_document
from .errors import ParseError
from .readers import Share
from .models import Cable
from .schema import CableText, make_schema

__all__ = ["Prepared", "input_bytes", "prepare"]

#: Cables between two ``bytes`` events.
CHUNK = 32


@dataclass
class Prepared:
    """A cable analyzed and ready for the writer (all it needs, nothing more).

    :param doc: the cable document's fields, analyzed; ``None`` when the index held
        the cable unchanged when the run started (then ``cable`` is set).
    :param existed: the index held this refid (with any content) when the run started.
    """

    refid: str
    references: tuple[str, ...]
    content_hash: str
    doc: dict[str, Any] | None
    cable: Cable | None = None
    existed: bool = False


def _analyzed(doc: dict[str, Any], schema) -> dict[str, Any]:
    for name, value in doc.items():
        if isinstance(value, str) and isinstance(schema[name] if name in schema else None, CableText):
            doc[name] = schema[name].postings(value)
    return doc


def prepare(cable: Cable, schema=None, content_hash: str | None = None) -> Prepared:
    """Build and analyze ``cable``'s document (pure; ``cable.refid`` must be set)."""
    schema = schema or make_schema()
    doc = _analyzed(cable_document(cable, content_hash), schema)
    return Prepared(cable.refid, tuple(cable.references), doc["content_hash"], doc)


def input_bytes(path: Path) -> int:
    """The size of a file, or of all files under a directory."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


def _indexed_hashes(index_gen: str | None):
    """A refid -> indexed content hash lookup on a snapshot of the index, or ``None``."""
    if index_gen is None:
        return None
    from whoosh import index as whoosh_index

    try:
        searcher = whoosh_index.open_dir(index_gen).searcher()
        # Open every segment's stored-fields file now: while this run commits, merges
        # delete the files of merged segments, and Whoosh opens them lazily (an open
        # file stays readable after it is deleted).
        for leaf in searcher.reader().leaf_readers():
            reader = leaf[0]
            if reader.doc_count_all():
                reader.stored_fields(0)
    except Exception:  # noqa: BLE001 -- only an optimization: analyze everything instead
        return None

    def lookup(refid: str) -> str | None:
        docnum = searcher.document_number(refid=refid)
        return None if docnum is None else searcher.stored_fields(docnum).get("content_hash")

    lookup.close = searcher.close  # type: ignore[attr-defined]
    return lookup


def _read_position(path: str) -> int:
    """How far this process has read into ``path`` (Linux ``/proc``), or 0 if unknown.

    The readers own their file objects, and a single ``cables.csv`` is 1.7 GB: progress
    and ETA need the offset inside it, which ``/proc/self/fdinfo`` tells.
    """
    try:
        for fd in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{fd}") == path:
                    with open(f"/proc/self/fdinfo/{fd}", encoding="ascii") as info:
                        for line in info:
                            if line.startswith("pos:"):
                                return int(line.split()[1])
            except OSError:
                continue
    except OSError:
        pass
    return 0


def _events(
    sources: Iterable[str | os.PathLike | Cable],
    index_gen: str | None = None,
    share: Share | None = None,
) -> Iterator[tuple]:
    """The events of reading ``sources`` (see the module docstring), for one share.

    ``("cable", Prepared, index)`` and ``("error", ParseError, index)`` carry the
    record's number in the input (see :class:`~indexer.readers.Share`).
    """
    from .readers import read_cables  # the parser; imported here so the worker owns it

    share = share or Share()
    schema = make_schema()
    # Cables whose hash the index already has are not analyzed (the writer will skip
    # them); the writer checks again against its own, newer view.
    indexed = _indexed_hashes(index_gen)
    errors: list[tuple[int, ParseError]] = []

    def report(error: ParseError) -> None:
        errors.append((share.index, error))

    finished = 0  # bytes of the input files read completely
    before_source = 0  # bytes of the path sources before this one
    for source in sources:
        if isinstance(source, Cable):
            cables: Iterable[Cable] = [source] if share.take() else []
            path = None
        else:
            path = Path(source)
            cables = read_cables(path, errors=report, share=share)
        current: str | None = None
        count = 0
        for cable in cables:
            while errors:
                yield ("error", *reversed(errors.pop(0)))
            index = share.index
            where = cable.source.path if cable.source else None
            if where != current:
                if current is not None and os.path.isfile(current):
                    finished += os.path.getsize(current)
                current = where
            count += 1
            if current and count % CHUNK == 0 and share.lead:
                yield ("bytes", finished + _read_position(os.path.realpath(current)))
            if not cable.refid:
                loc = f"line {cable.source.line}" if cable.source and cable.source.line else None
                yield ("error", ParseError("the cable has no reference id; skipped", where, loc), index)
                continue
            digest = cable.content_hash()
            known = indexed(cable.refid) if indexed is not None else None
            if known == digest:
                yield ("cable", Prepared(cable.refid, tuple(cable.references), digest, None, cable, True), index)
                continue
            item = prepare(cable, schema, digest)
            item.existed = known is not None
            yield ("cable", item, index)
        while errors:
            yield ("error", *reversed(errors.pop(0)))
        if path is not None:
            # However the files inside were counted, the whole source is read now.
            before_source += input_bytes(path)
            finished = before_source
            if share.lead:
                yield ("bytes", finished)
    if indexed is not None:
        indexed.close()


def _die_with_parent() -> None:
    # Linux: have the kernel stop this worker when the writer dies (e.g. SIGKILL), so no
    # orphan keeps reading. Elsewhere the getppid() check in put() does it, more slowly.
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _context():
    # fork starts in milliseconds and shares the imported modules; spawn elsewhere.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)
