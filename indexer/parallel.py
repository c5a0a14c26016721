"""Writing one index with several processes: each writes segments, one commits them.

Whoosh's writer is single-threaded Python, and on two cores a single writer process
(even fed by a separate parsing process) leaves a core idle much of the time. Here
each of ``n`` worker processes reads the same sources but parses only its share of the
records (:class:`~indexer.readers.Share`), analyzes them and writes them into segments
of its own, one per batch (Whoosh segment writers without the index lock, as in
Whoosh's ``multisegment`` mode). The calling process holds the lock and commits batch
after batch, in input order:

* batch ``b`` is the records numbered ``b * batch_size`` up to the next batch, so the
  workers' segments of one batch together hold exactly those records;
* the committer decides, record by record in input order, what each cable does to the
  index: new, replacing an indexed cable (whose document it deletes), the same as a
  cable indexed earlier in the run (the new copy is marked deleted), or a later copy
  of a refid seen earlier in the batch (the earlier one is marked deleted);
* it then writes a TOC with the new segments added. A Whoosh commit is atomic, so
  readers, and a run killed at any moment, see whole batches only.

Workers run ahead of the committer by at most ``AHEAD`` finished segments each; their
segments wait on disk, not in memory. Whoosh's own commit deletes every segment file
that its new TOC does not list, which would delete the segments a worker has written
but not yet handed over, so the committer only deletes the files of segments it drops
(see :meth:`indexer.segments.CableSegmentWriter.commit_segments`); files left behind
by a killed run are swept when the next run starts.
"""

from __future__ import annotations

import gc
import os
import queue as queue_module
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .errors import ParseError
from .pipeline import _context, _die_with_parent, _events, prepare
from .readers import Share
from .segments import CableSegmentWriter

__all__ = ["Committer", "worker_events"]

#: Finished segments a worker may have waiting for the committer.
AHEAD = 2
#: Seconds between a worker's progress messages.
PROGRESS_EVERY = 0.5
#: Allocations between a worker's young-generation garbage collections (Python: 700).
GC_THRESHOLD = 50_000


@dataclass
class BatchPart:
    """What one worker made of one batch: its segment and what each record was."""

    worker: int
    batch: int
    segment: Any  # a Whoosh segment, or None if the worker added nothing
    entries: list[tuple] = field(default_factory=list)


class _TocSnapshot:
    """The index as a worker's unlocked segment writer needs it: storage, name, and the
    TOC as it was when the worker started.

    A Whoosh writer reads the current TOC when it opens, but the committer deletes old
    TOC files as it commits, so a worker opening a writer for its next batch could
    find the TOC it listed gone. A worker's segments do not depend on the TOC (the
    committer places them), so the first one read serves throughout.
    """

    def __init__(self, ix):
        self.storage = ix.storage
        self.indexname = ix.indexname
        self._toc = ix._read_toc()  # noqa: SLF001 -- what SegmentWriter itself calls

    def _read_toc(self):
        return self._toc


def _share_messages(k: int, n: int, sources, gen: str, batch_size: int, pool_mb: int) -> Iterator[tuple]:
    """Write share ``k`` of ``n`` of *sources* into segments, one per batch, and yield
    the messages of :func:`worker_events` (the body of a worker, in any process)."""
    from whoosh import index as whoosh_index

    ix = _TocSnapshot(whoosh_index.open_dir(gen))
    writer: CableSegmentWriter | None = None
    part = BatchPart(k, 0, None)
    done = 0
    last = time.monotonic()
    read = None
    for event in _events(sources, gen, Share(k, n)):
        if event[0] == "bytes":
            read = event[1]
            continue
        index = event[2]
        while index >= (part.batch + 1) * batch_size:
            if writer is not None:
                part.segment, writer = writer.finish_segment(), None
            yield ("part", part)
            part = BatchPart(k, part.batch + 1, None)
        if event[0] == "error":
            part.entries.append(("error", index, event[1]))
        else:
            item = event[1]
            if item.doc is None:
                part.entries.append(("unchanged", index, item.refid, item.content_hash, item.cable))
            else:
                if writer is None:
                    writer = CableSegmentWriter(ix, limitmb=pool_mb, _lk=False)
                part.entries.append(
                    ("added", index, item.refid, item.content_hash, writer.docnum, item.existed))
                writer.add_document(**item.doc)
        done += 1
        if time.monotonic() - last >= PROGRESS_EVERY:
            last = time.monotonic()
            yield ("progress", k, done, read)
    if writer is not None:
        part.segment = writer.finish_segment()
    yield ("part", part)
    yield ("done", k, part.batch, done, read)


def _worker_main(k: int, n: int, sources, gen: str, batch_size: int, pool_mb: int, out, parent_pid: int):
    """A worker process: :func:`_share_messages` onto the queue *out*."""
    _die_with_parent()
    # The pool and the analysis caches are millions of long-lived objects that the
    # cyclic GC would walk again and again as they grow; this process makes little
    # cyclic garbage. Collecting less often took 10% off the CPU time of indexing
    # 2,000 bench cables (14.4 s -> 13.1 s, twice each).
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 100)

    def put(item) -> None:
        while True:
            try:
                out.put(item, timeout=1.0)
                return
            except queue_module.Full:
                if os.getppid() != parent_pid:  # the committer was killed: nobody reads
                    os._exit(1)

    try:
        for msg in _share_messages(k, n, sources, gen, batch_size, pool_mb):
            put(msg)
    except BaseException as exc:  # noqa: BLE001 -- handed to the committer, which re-raises
        try:
            put(("fatal", k, exc))
        except Exception:  # unpicklable: say what it was
            put(("fatal", k, RuntimeError(f"{type(exc).__name__}: {exc}")))


def worker_events(sources: list, gen: str, workers: int, batch_size: int, pool_mb: int) -> Iterator[tuple]:
    """Start ``workers`` processes over ``sources`` and yield their messages; with
    ``workers=0``, do the one share's work in this process, batch by batch.

    Messages: ``("part", BatchPart)``, ``("progress", k, records, bytes_read)``,
    ``("done", k, last_batch, records, bytes_read)``. A worker's exception is raised
    here. Closing the generator stops the workers.
    """
    if workers <= 0:
        yield from _share_messages(0, 1, sources, gen, batch_size, pool_mb)
        return
    ctx = _context()
    out = ctx.Queue(maxsize=AHEAD * workers + 4 * workers)
    procs = [
        ctx.Process(target=_worker_main,
                    args=(k, workers, sources, gen, batch_size, pool_mb, out, os.getpid()),
                    daemon=True)
        for k in range(workers)
    ]
    for p in procs:
        p.start()
    finished = 0
    try:
        while finished < workers:
            try:
                msg = out.get(timeout=1.0)
            except queue_module.Empty:
                dead = [p for p in procs if not p.is_alive() and p.exitcode not in (0, None)]
                if dead:
                    raise RuntimeError(
                        f"an indexing worker process died (exit code {dead[0].exitcode})") from None
                continue
            if msg[0] == "fatal":
                raise msg[2]
            if msg[0] == "done":
                finished += 1
            yield msg
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=10)
        out.close()
        out.cancel_join_thread()


class Committer:
    """Commits the workers' batches in order (see the module docstring).

    :param ix: the Whoosh index being written.
    :param counts: a :class:`~indexer.build.BuildCounts` to update.
    :param on_error: called with each ``ParseError``, in input order.
    :param pool_mb: the writer's pool size, for merges.
    """

    def __init__(self, ix, counts, on_error: Callable[[ParseError], None] | None, pool_mb: int):
        self.ix = ix
        self.counts = counts
        self.on_error = on_error
        self.pool_mb = pool_mb
        #: refid -> content hash of every cable this run has committed.
        self.committed: dict[str, str] = {}

    def commit(self, parts: list[BatchPart]) -> None:
        """Commit one batch: every worker's part of it."""
        segments = {p.worker: p.segment for p in parts}
        entries = sorted(((e, p.worker) for p in parts for e in p.entries), key=lambda ek: ek[0][1])
        if not any(segments.values()) and not any(self._rewrites(e) for e, _ in entries):
            # Nothing new (a rerun over unchanged cables): count, and write nothing.
            for e, _ in entries:
                if e[0] == "error":
                    self._error(e[2])
                else:
                    self.counts.unchanged += 1
            return
        w = CableSegmentWriter(self.ix, limitmb=self.pool_mb)
        try:
            placed: dict[str, tuple[Any, int]] = {}  # refid -> (segment or None, docnum)
            hashes: dict[str, str] = {}  # refid -> hash, this batch
            for e, k in entries:
                if e[0] == "error":
                    self._error(e[2])
                elif e[0] == "unchanged":
                    self._unchanged(w, e, placed, hashes)
                else:
                    self._added(w, e, segments[k], placed, hashes)
            w.commit_segments([segments[k] for k in sorted(segments)])
        except BaseException:
            if not w.is_closed:
                w.cancel()
            raise
        self.committed.update(hashes)

    def _error(self, error: ParseError) -> None:
        self.counts.errors += 1
        if self.on_error:
            self.on_error(error)

    def _rewrites(self, e: tuple) -> bool:
        # An "unchanged" cable that this run has since written in another version.
        return e[0] == "unchanged" and self.committed.get(e[2], e[3]) != e[3]

    def _latest(self, refid: str, hashes: dict[str, str]) -> str | None:
        return hashes.get(refid, self.committed.get(refid))

    def _drop_earlier(self, w, refid: str, placed) -> None:
        # The refid came earlier in this batch: its earlier copy goes.
        segment, docnum = placed.pop(refid)
        if segment is None:
            w.newsegment.delete_document(docnum)
        else:
            segment.delete_document(docnum)

    def _unchanged(self, w, e, placed, hashes) -> None:
        _, _, refid, digest, cable = e
        latest = self._latest(refid, hashes)
        if latest is None or latest == digest:
            self.counts.unchanged += 1
            return
        # Indexed as it was when the run started, but this run has since written
        # another version of it: this later copy wins, so it is written again here.
        if refid in placed:
            self._drop_earlier(w, refid, placed)
        else:
            w.delete_by_term("refid", refid)
        placed[refid] = (None, w.docnum)
        w.add_document(**prepare(cable, content_hash=digest).doc)
        hashes[refid] = digest
        self.counts.replaced += 1

    def _added(self, w, e, segment, placed, hashes) -> None:
        _, _, refid, digest, docnum, existed = e
        if refid in placed:
            # A later copy in the same batch replaces the earlier one.
            self._drop_earlier(w, refid, placed)
            self.counts.replaced += 1
        elif refid in self.committed:
            if self.committed[refid] == digest:
                segment.delete_document(docnum)
                self.counts.unchanged += 1
                return
            w.delete_by_term("refid", refid)
            self.counts.replaced += 1
        elif existed:
            w.delete_by_term("refid", refid)
            self.counts.replaced += 1
        else:
            self.counts.added += 1
        placed[refid] = (segment, docnum)
        hashes[refid] = digest
