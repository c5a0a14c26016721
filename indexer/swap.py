"""Where an index lives on disk: generations, the CURRENT pointer, the run lock, reader leases.

An index directory looks like this::

    DIR/
      CURRENT          one line naming the live generation, e.g. "gen-000002"
      WRITELOCK        held (flock, exclusive) by the indexing run; never deleted
      gen-000002/      a Whoosh index, plus META.json (schema version, build times)
        READERS        readers hold a shared flock on it while they use the generation
      gen-000001/      the previous generation, kept for readers that opened it

* **Incremental runs** write into the live generation in batches; each Whoosh commit is
  atomic, so readers see the index before or after a batch, never half of one.
* ``--rebuild`` builds a new generation beside the live one and then replaces
  ``CURRENT`` with :func:`os.replace` (atomic on POSIX). Readers that opened the old
  generation keep using it; new readers open the new one.
* An old generation is removed only when it is neither live nor the previous one, and
  no reader holds its ``READERS`` lease (we take an exclusive, non-blocking flock on it
  first). Readers that use :func:`reader_lease` are therefore never cut off; readers
  that don't are safe for one whole rebuild after their last open.
* ``WRITELOCK`` serializes indexing runs, including a rebuild against an incremental
  run. Locks are OS locks (``flock``): a killed run leaves no stale lock, and the lock
  files are never deleted (deleting them would let two runs lock different files).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from .errors import IndexLocked, IndexNotFound

__all__ = [
    "META_NAME",
    "current_generation",
    "new_generation",
    "publish",
    "read_meta",
    "reader_lease",
    "remove_stale_generations",
    "run_lock",
    "write_meta",
]

# Lock descriptors this process holds. A forked child (the indexing worker) inherits
# them, and an flock lives as long as any copy of its descriptor is open: the child
# closes its copies at once, so a killed writer's lock dies with the writer.
_HELD_FDS: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in list(_HELD_FDS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_FDS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)

POINTER = "CURRENT"
WRITELOCK = "WRITELOCK"
READERS = "READERS"
META_NAME = "META.json"
_GEN_RE = re.compile(r"^gen-(\d{6})$")


def _generations(index_dir: Path) -> list[tuple[int, Path]]:
    if not index_dir.is_dir():
        return []
    gens = []
    for child in index_dir.iterdir():
        m = _GEN_RE.match(child.name)
        if m and child.is_dir():
            gens.append((int(m.group(1)), child))
    return sorted(gens)


def current_generation(index_dir: str | os.PathLike) -> Path:
    """The live generation directory of the index at ``index_dir``.

    :raises IndexNotFound: there is no index there.
    """
    index_dir = Path(index_dir)
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        raise IndexNotFound(
            f"no index at {index_dir}; build one with: cables index --index {index_dir} PATH..."
        ) from None
    gen = index_dir / name
    if not _GEN_RE.match(name) or not gen.is_dir():
        raise IndexNotFound(
            f"the index at {index_dir} points to a missing generation ({name!r}); "
            f"rebuild it with: cables index --rebuild --index {index_dir} PATH..."
        )
    return gen


def new_generation(index_dir: str | os.PathLike) -> Path:
    """Create and return an empty generation directory numbered after all existing ones."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    gens = _generations(index_dir)
    number = gens[-1][0] + 1 if gens else 1
    gen = index_dir / f"gen-{number:06d}"
    gen.mkdir()
    (gen / READERS).touch()
    return gen


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def publish(index_dir: str | os.PathLike, gen: Path) -> None:
    """Make ``gen`` the live generation, atomically (``os.replace`` of ``CURRENT``)."""
    _write_atomic(Path(index_dir) / POINTER, gen.name + "\n")


def write_meta(gen: Path, **values: Any) -> None:
    """Merge ``values`` into the generation's ``META.json`` (atomically replaced)."""
    meta = read_meta(gen)
    meta.update(values)
    _write_atomic(gen / META_NAME, json.dumps(meta, indent=2, sort_keys=True) + "\n")


def read_meta(gen: Path) -> dict[str, Any]:
    """The generation's ``META.json``, or ``{}`` when it has none."""
    try:
        return json.loads((gen / META_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def now_iso() -> str:
    """The current UTC time, ISO 8601, seconds precision."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@contextlib.contextmanager
def run_lock(index_dir: str | os.PathLike, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's write lock for one indexing run.

    :param wait: seconds to keep trying before giving up; 0 fails at once.
    :raises IndexLocked: another run holds the lock.
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / WRITELOCK, os.O_RDWR | os.O_CREAT, 0o644)
    _HELD_FDS.add(fd)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    waited = f" (waited {wait:g} s)" if wait else ""
                    raise IndexLocked(
                        f"another indexing run holds the lock on {index_dir}{waited}; "
                        "wait for it to finish or use --wait SECONDS"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        _HELD_FDS.discard(fd)
        os.close(fd)


@contextlib.contextmanager
def reader_lease(gen: Path) -> Iterator[None]:
    """Keep ``gen`` from being removed while the block runs (a shared flock on ``READERS``)."""
    fd = os.open(gen / READERS, os.O_RDWR | os.O_CREAT, 0o644)
    _HELD_FDS.add(fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        _HELD_FDS.discard(fd)
        os.close(fd)  # closing the descriptor releases the lock


def remove_stale_generations(index_dir: str | os.PathLike) -> list[Path]:
    """Remove generations that are neither live nor previous and have no reader.

    Call only while holding :func:`run_lock`. Returns the directories removed.
    """
    index_dir = Path(index_dir)
    try:
        live = current_generation(index_dir)
    except IndexNotFound:
        return []
    gens = [g for _, g in _generations(index_dir)]
    older = [g for g in gens if g.name < live.name]
    keep = {live.name} | ({older[-1].name} if older else set())
    removed = []
    for gen in gens:
        if gen.name in keep:
            continue
        fd = os.open(gen / READERS, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a reader is still using it; try again after the next run
            shutil.rmtree(gen, ignore_errors=True)
            removed.append(gen)
        finally:
            os.close(fd)
    return removed
