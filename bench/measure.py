"""Run a command as a child process and measure wall time and peak memory.

Peak memory is taken two ways, because one is not enough on its own:
``ru_maxrss`` from :func:`os.wait4` is exact but covers one process at a time (a writer
with worker processes would look smaller than it is), so the process tree's summed RSS
is also polled while the child runs (with :mod:`psutil` when it is installed).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measured", "dir_size", "load_average", "run_measured"]

try:  # psutil comes with ipykernel in the test extras; without it we keep ru_maxrss only
    import psutil
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None


@dataclass
class Measured:
    """The outcome of one measured child process.

    :param seconds: wall time from spawn to exit.
    :param maxrss_mb: the child's own peak resident set (``ru_maxrss``), in MiB.
    :param tree_rss_mb: the largest summed RSS of the child and its descendants seen
        by polling every 0.1 s (``None`` without psutil), in MiB.
    :param returncode: the exit status.
    :param stdout: what the child wrote to stdout.
    :param stderr: what it wrote to stderr (the last 20,000 characters).
    """

    seconds: float
    maxrss_mb: float
    tree_rss_mb: float | None
    returncode: int
    stdout: str
    stderr: str

    @property
    def peak_rss_mb(self) -> float:
        """The larger of the two peak measures: what the target is checked against."""
        return max(self.maxrss_mb, self.tree_rss_mb or 0.0)


def _poll_tree(pid: int, stop: threading.Event, peak: list[float]) -> None:
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        total = 0
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            break
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
        peak[0] = max(peak[0], total / 2**20)
        stop.wait(0.1)


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
        peak = [0.0]
        poller = None
        if psutil is not None:
            poller = threading.Thread(target=_poll_tree, args=(proc.pid, stop, peak), daemon=True)
            poller.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # we reaped it, not Popen
        stop.set()
        if poller:
            poller.join()
        out.seek(0)
        err.seek(0)
        return Measured(seconds, usage.ru_maxrss / 1024, peak[0] if psutil else None,
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
