"""Reading and analyzing cables for the writer, in a worker process.

On two cores the writer process is busy with Whoosh's posting bookkeeping, so the other
work of a run (reading files, parsing, building the documents, compressing the stored
JSON, and analyzing the text into postings) runs in one worker process that streams
ready-to-add documents to it through a bounded queue. Memory stays bounded: the queue
holds at most ``QUEUE_CHUNKS`` chunks of ``CHUNK`` cables.

:func:`prepared` yields the same events either way (``workers=0`` runs in-process):

* ``("cable", Prepared)`` -- a cable ready to write;
* ``("error", ParseError)`` -- a record that could not be read;
* ``("bytes", n)`` -- about ``n`` bytes of the input files have been read so far.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from .documents import cable_document, paragraph_documents
from .errors import ParseError
from .models import Cable
from .schema import CableText, make_schema

__all__ = ["Prepared", "input_bytes", "prepare", "prepared"]

#: Cables per message from the worker.
CHUNK = 32
#: Messages the queue holds before the worker waits.
QUEUE_CHUNKS = 8


@dataclass
class Prepared:
    """A cable analyzed and ready for the writer (all it needs, nothing more).

    :param doc: the cable document's fields, without ``cited_by`` (the writer adds it).
    :param paras: the paragraph documents.
    """

    refid: str
    references: tuple[str, ...]
    content_hash: str
    doc: dict[str, Any] | None
    paras: list[dict[str, Any]] | None
    cable: Cable | None = None

    def ready(self, schema=None) -> "Prepared":
        """Itself with documents (a skipped cable is analyzed now, in this process)."""
        if self.doc is not None or self.cable is None:
            return self
        return prepare(self.cable, schema)


def _analyzed(doc: dict[str, Any], schema) -> dict[str, Any]:
    for name, value in doc.items():
        if isinstance(value, str) and isinstance(schema[name] if name in schema else None, CableText):
            doc[name] = schema[name].postings(value)
    return doc


def prepare(cable: Cable, schema=None) -> Prepared:
    """Build and analyze ``cable``'s documents (pure; ``cable.refid`` must be set)."""
    schema = schema or make_schema()
    doc = _analyzed(cable_document(cable), schema)
    doc.pop("cited_by", None)
    paras = [_analyzed(p, schema) for p in paragraph_documents(cable)]
    return Prepared(cable.refid, tuple(cable.references), doc["content_hash"], doc, paras)


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


def _events(sources: Iterable[str | os.PathLike | Cable], index_gen: str | None = None) -> Iterator[tuple]:
    from .readers import read_cables  # the parser; imported here so the worker owns it

    schema = make_schema()
    # Cables whose hash the index already has are not analyzed (the writer will skip
    # them); the writer checks again against its own, newer view.
    indexed = _indexed_hashes(index_gen)
    errors: list[ParseError] = []
    finished = 0  # bytes of the input files read completely
    before_source = 0  # bytes of the path sources before this one
    for source in sources:
        if isinstance(source, Cable):
            cables: Iterable[Cable] = [source]
            path = None
        else:
            path = Path(source)
            cables = read_cables(path, errors=errors.append)
        current: str | None = None
        count = 0
        for cable in cables:
            while errors:
                yield ("error", errors.pop(0))
            where = cable.source.path if cable.source else None
            if where != current:
                if current is not None and os.path.isfile(current):
                    finished += os.path.getsize(current)
                current = where
            count += 1
            if current and count % CHUNK == 0:
                yield ("bytes", finished + _read_position(os.path.realpath(current)))
            if not cable.refid:
                loc = f"line {cable.source.line}" if cable.source and cable.source.line else None
                yield ("error", ParseError("the cable has no reference id; skipped", where, loc))
                continue
            digest = cable.content_hash()
            if indexed is not None and indexed(cable.refid) == digest:
                yield ("cable", Prepared(cable.refid, tuple(cable.references), digest, None, None, cable))
                continue
            yield ("cable", prepare(cable, schema))
        while errors:
            yield ("error", errors.pop(0))
        if path is not None:
            # However the files inside were counted, the whole source is read now.
            before_source += input_bytes(path)
            finished = before_source
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


def _worker(sources, index_gen, q, parent_pid: int) -> None:
    """The worker process: stream chunks of events, stop if the parent goes away."""
    _die_with_parent()

    def put(item) -> None:
        while True:
            try:
                q.put(item, timeout=1.0)
                return
            except queue_module.Full:
                if os.getppid() != parent_pid:  # the writer was killed: nobody will read
                    os._exit(1)

    try:
        chunk: list[tuple] = []
        for event in _events(sources, index_gen):
            chunk.append(event)
            if len(chunk) >= CHUNK:
                put(chunk)
                chunk = []
        if chunk:
            put(chunk)
        put(None)
    except BaseException as exc:  # noqa: BLE001 -- handed to the writer, which re-raises
        try:
            put([("fatal", exc)])
        except Exception:  # unpicklable: say what it was
            put([("fatal", RuntimeError(f"{type(exc).__name__}: {exc}"))])
        put(None)


def _context():
    # fork starts in milliseconds and shares the imported modules; spawn elsewhere.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def prepared(sources: list, workers: int = 1, index_gen: str | None = None) -> Iterator[tuple]:
    """Events for ``sources`` (paths and/or cables), from a worker process or in-process.

    :param workers: 1 uses a worker process, 0 works in the calling process.
    :param index_gen: the Whoosh directory being updated; cables it already holds
        unchanged come without documents (see :meth:`Prepared.ready`).
    """
    if workers <= 0:
        yield from _events(sources, index_gen)
        return
    ctx = _context()
    q = ctx.Queue(maxsize=QUEUE_CHUNKS)
    proc = ctx.Process(target=_worker, args=(sources, index_gen, q, os.getpid()), daemon=True)
    proc.start()
    try:
        while True:
            try:
                chunk = q.get(timeout=1.0)
            except queue_module.Empty:
                if not proc.is_alive():
                    raise RuntimeError(
                        f"the indexing worker process died (exit code {proc.exitcode})"
                    ) from None
                continue
            if chunk is None:
                break
            for event in chunk:
                if event[0] == "fatal":
                    raise event[1]
                yield event
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join(timeout=10)
        q.close()
        q.cancel_join_thread()
