"""Run a command as a child process and measure wall time and peak memory.

Peak memory is read from ``/proc`` while the child runs: each process' ``VmHWM`` (its
exact high-water mark, per address space) and the summed ``VmRSS`` of the whole process
tree (a writer with worker processes uses their sum). ``ru_maxrss`` from
:func:`os.wait4` is not used as the figure: Linux carries it across ``fork``/``exec``, so
a child reports at least the RSS of the bench process that spawned it.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measured", "dir_size", "load_average", "run_measured"]



@dataclass
class Measured:
    """The outcome of one measured child process.

    :param seconds: wall time from spawn to exit.
    :param hwm_mb: the largest ``VmHWM`` (peak resident set) of any process in the tree.
    :param tree_rss_mb: the largest summed ``VmRSS`` of the tree seen by polling every
        0.1 s.
    :param maxrss_mb: ``ru_maxrss`` from ``wait4`` (includes the spawning process'
        RSS; kept for reference only).
    :param returncode: the exit status.
    :param stdout: what the child wrote to stdout.
    :param stderr: what it wrote to stderr (the last 20,000 characters).
    """

    seconds: float
    hwm_mb: float
    tree_rss_mb: float
    maxrss_mb: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def peak_rss_mb(self) -> float:
        """The larger of the two peak measures: what the RSS target is checked against."""
        return max(self.hwm_mb, self.tree_rss_mb)


def _status_kb(pid: int, keys: tuple[str, ...]) -> dict[str, int]:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                name, _, rest = line.partition(":")
                if name in keys:
                    out[name] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return out


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return pids


def _poll_tree(pid: int, stop: threading.Event, peak: dict[str, float]) -> None:
    while True:
        rss_total = 0
        for p in _tree(pid):
            st = _status_kb(p, ("VmHWM", "VmRSS"))
            rss_total += st.get("VmRSS", 0)
            peak["hwm"] = max(peak["hwm"], st.get("VmHWM", 0) / 1024)
        peak["tree"] = max(peak["tree"], rss_total / 1024)
        if stop.wait(0.1):
            return


def run_measured(cmd: list[str], cwd: Path | None = None, env: dict | None = None,
                 log: Path | None = None) -> Measured:
    """Run ``cmd`` to completion and measure it. Output is captured through files, so
    a chatty child cannot block on a full pipe.

    :param log: where to keep the child's stderr (progress lines); a temp file otherwise.
    """
    import tempfile

    with tempfile.TemporaryFile("w+") as out, (open(log, "w+") if log else tempfile.TemporaryFile("w+")) as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        stop = threading.Event()
        peak = {"hwm": 0.0, "tree": 0.0}
        poller = threading.Thread(target=_poll_tree, args=(proc.pid, stop, peak), daemon=True)
        poller.start()
        # wait4 on this pid alone: its rusage is this child's, and Popen never reaps it.
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # we reaped it, not Popen
        stop.set()
        poller.join()
        out.seek(0)
        err.seek(0)
        return Measured(seconds, peak["hwm"], peak["tree"], usage.ru_maxrss / 1024,
                        proc.returncode, out.read(), err.read()[-20000:])


def dir_size(path: Path) -> int:
    """Bytes of all files under ``path`` (or of ``path`` itself when it is a file)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def load_average() -> tuple[float, float, float]:
    """The 1/5/15-minute load averages, recorded with every measurement (2 cores, shared)."""
    return os.getloadavg()
