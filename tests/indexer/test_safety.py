"""Crash and concurrency safety of the writer, with real indexer processes.

* SIGKILL early, mid-batch and during a commit leaves the last committed index intact
  and searchable, and a rerun converges to what a clean build holds.
* A second indexer fails fast with a clear message, or waits with ``--wait``.
* While a reindex runs, 8 searching threads see no errors and never a half-written state.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from indexer import build_index, open_index
from indexer.errors import IndexLocked, IndexNotFound
from indexer.swap import current_generation, run_lock

from .indexed import whole_cables
from .synthetic import generated, write_jsonl

N = 360
BATCH = 30
#: Cables of the run that a second run finds locked.
BIG = 3000


def spawn(*args) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("CABLES_INDEX", None)
    return subprocess.Popen(
        [sys.executable, "-m", "indexer", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def contents(index_dir: Path) -> dict[str, tuple]:
    """refid -> (hash, paragraph count, pmap ranges, references) of what is committed,
    each cable checked to be whole: its one document's ``paras`` and ``pmap``, body
    postings, ``markings`` and ``references`` terms agree with its stored cable (see
    :func:`.indexed.whole_cables`)."""
    return {
        refid: (i.content_hash, i.paras, i.ranges, i.references)
        for refid, i in whole_cables(index_dir).items()
    }


def cited_by(index_dir: Path, refids) -> dict[str, tuple[str, ...]]:
    """refid -> the committed cables citing it, read from ``references`` at query time
    (``searcher.document_numbers(references=X)``, less X itself)."""
    with open_index(index_dir).searcher() as s:
        return {
            refid: tuple(sorted(
                {s.stored_fields(d)["refid"] for d in s.document_numbers(references=refid)} - {refid}
            ))
            for refid in refids
        }


def assert_consistent(index_dir: Path, got: dict[str, tuple], expected: dict[str, tuple]) -> None:
    """Every committed cable is whole and right, and "cited by" agrees with references."""
    citers: dict[str, set[str]] = {r: set() for r in expected}
    for refid, (_h, _n, _p, refs) in got.items():
        for ref in refs:
            if ref in citers and ref != refid:
                citers[ref].add(refid)
    for refid, value in got.items():
        assert value == expected[refid], refid
    if got:
        assert cited_by(index_dir, expected) == {r: tuple(sorted(c)) for r, c in citers.items()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A JSONL corpus of N generated cables and what a clean build of it holds."""
    root = tmp_path_factory.mktemp("safety")
    path = write_jsonl(root / "cables.jsonl", generated(N, seed=11, words=150))
    build_index(root / "clean", [path], batch_size=BATCH)
    return path, contents(root / "clean")


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 60.0, step: float = 0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(step)
    raise AssertionError("the moment to kill never came")


def _committed(ix: Path) -> int:
    try:
        with open_index(ix).searcher() as s:
            return sum(1 for _ in s.document_numbers(kind="cable"))
    except (IndexNotFound, OSError, ValueError):
        return 0


def _committing(ix: Path) -> bool:
    # A commit writes the new segment's postings (".pst"); before the commit that file is
    # empty, and once the commit is done the segment is in the index's table of contents.
    try:
        gen = current_generation(ix)
        live = {seg.segment_id() for seg in open_index(ix)._segments()}  # noqa: SLF001
        return any(
            p.stat().st_size > 0 and p.stem not in live
            for p in gen.glob("*.pst")
        )
    except (IndexNotFound, OSError, ValueError):
        return False


@pytest.mark.parametrize("moment", ["early", "mid-batch", "during-commit"])
def test_sigkill_leaves_committed_index_and_rerun_converges(tmp_path, corpus, moment):
    path, expected = corpus
    ix = tmp_path / "ix"
    if moment != "early":
        # Start from a committed index holding the first cables, as a real reindex would.
        build_index(ix, [c for c in generated(N, seed=11, words=150)[:BATCH]])
    before = _committed(ix)
    proc = spawn("index", "-q", "--index", ix, "--batch-size", BATCH, path)
    try:
        if moment == "early":
            time.sleep(0.3)
        elif moment == "mid-batch":
            _wait_for(lambda: _committed(ix) > before, proc)
            time.sleep(0.05)  # into the next batch
        else:
            _wait_for(lambda: _committing(ix), proc)
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert killed, "the indexer finished before it could be killed"

    got = contents(ix) if moment != "early" or (ix / "CURRENT").exists() else {}
    assert_consistent(ix, got, expected)
    assert len(got) % BATCH == 0  # whole batches only
    if moment != "early":
        assert len(got) >= before

    run = subprocess.run(
        [sys.executable, "-m", "indexer", "index", "-q", "--index", str(ix), str(path)],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert contents(ix) == expected
    assert_consistent(ix, expected, expected)


def test_second_indexer_fails_fast_then_waits(tmp_path, corpus):
    _, expected = corpus
    # Enough cables that the first run is still going when the second starts (the
    # corpus's N cables come first: generated() is the same sequence for any length).
    big = write_jsonl(tmp_path / "big.jsonl", generated(BIG, seed=11, words=150))
    ix = tmp_path / "ix"
    first = spawn("index", "-q", "--index", ix, "--batch-size", BATCH, big)
    try:
        def locked():
            try:
                with run_lock(ix):
                    return False
            except IndexLocked:
                return True

        assert _wait_for(locked, first, step=0.02)
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "indexer", "index", "--index", str(ix), str(big)],
            capture_output=True, text=True, timeout=60,
        )
        assert time.monotonic() - started < 10
        assert second.returncode == 1
        assert second.stderr == (
            f"Error: another indexing run holds the lock on {ix}; "
            "wait for it to finish or use --wait SECONDS\n"
        )
        waiting = subprocess.run(
            [sys.executable, "-m", "indexer", "index", "-q", "--wait", "120", "--index", str(ix), str(big)],
            capture_output=True, text=True, timeout=180,
        )
    finally:
        first.wait(timeout=120)
    assert first.returncode == 0, first.stderr
    assert waiting.returncode == 0, waiting.stderr
    assert waiting.stdout == f"added 0, replaced 0, unchanged {BIG}, errors 0\n"
    got = contents(ix)
    assert len(got) == BIG
    assert {r: got[r] for r in expected} == expected


class _PlainWhoosh:
    """The same searches with a fresh plain Whoosh searcher each (the writer's own view)."""

    def __init__(self, ix: Path):
        from whoosh.query import And, Or, Term

        from indexer.analysis import ANALYZER
        from indexer.build import reading

        def term(word):
            return Term("body", [t.text for t in ANALYZER(word, mode="query")][0])

        self._queries = {
            "alphaword": term("alphaword"),
            "betaword": term("betaword"),
            "alphaword OR betaword": Or([term("alphaword"), term("betaword")]),
            "alphaword AND betaword": And([term("alphaword"), term("betaword")]),
        }
        self._reading = reading
        self._ix = ix

    def search(self, q, **_kw):
        with self._reading(self._ix) as ix, ix.searcher() as s:
            total = sum(1 for _ in self._queries[q].docs(s))

        class R:
            relaxed = False

        R.total = total
        return R

    def close(self):
        pass


def _search_threads(ix: Path, queries: dict[str, str], stop: threading.Event, reader: str):
    """8 threads searching in a loop; returns (observations, errors, threads, engine)."""
    if reader == "facade":
        from search import CableSearch

        engine = CableSearch(ix)
    else:
        engine = _PlainWhoosh(ix)
    seen: list[dict[str, int]] = []
    #: Per observation (same index as in seen): each query's (commit before, commit
    #: after), which says of a failing observation whether a commit landed meanwhile.
    commits: list[dict[str, tuple]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def loop():
        while not stop.is_set():
            try:
                obs = {}
                around = {}
                for name, q in queries.items():
                    before = _latest_commit(ix)
                    r = engine.search(q, facets=False, page_size=1)
                    # The facade relaxes to "most words" when no cable has all of them.
                    obs[name] = 0 if r.relaxed else r.total
                    around[name] = (before, _latest_commit(ix))
                with lock:
                    seen.append(obs)
                    commits.append(around)
            except BaseException as exc:  # noqa: BLE001 -- every error counts
                errors.append(exc)

    threads = [threading.Thread(target=loop) for _ in range(8)]
    for t in threads:
        t.start()
    return seen, commits, errors, threads, engine


def _latest_commit(ix: Path) -> tuple[str, int] | None:
    """(live generation folder, newest TOC number) of the index, read from file names
    only (cheap enough not to change the test's timing)."""
    try:
        gen = current_generation(ix)
        tocs = [int(n[6:-4]) for n in os.listdir(gen) if n.startswith("_MAIN_") and n.endswith(".toc")]
    except (OSError, ValueError, IndexNotFound):
        return None
    return gen.name, max(tocs, default=-1)


def _reworded(cables, new: str):
    out = []
    for c in cables:
        paras = tuple(replace(p, text=p.text + f" {new}") for p in c.paragraphs)
        out.append(replace(c, paragraphs=paras, body="\n\n".join(p.text for p in paras)))
    return out


@pytest.mark.parametrize(
    "mode, reader",
    [
        ("rebuild", "facade"),
        ("incremental", "facade"),
        ("rebuild", "whoosh"),
        ("incremental", "whoosh"),
    ],
)
def test_searchers_see_old_or_new_never_half(tmp_path, mode, reader):
    n = 150
    base = generated(n, seed=5, words=90)
    v1 = _reworded(base, "alphaword")
    v2 = _reworded(base, "betaword")
    ix = tmp_path / "ix"
    build_index(ix, v1, batch_size=50)
    path = write_jsonl(tmp_path / "v2.jsonl", v2)

    stop = threading.Event()
    queries = {
        "old": "alphaword",
        "new": "betaword",
        "either": "alphaword OR betaword",
        "both": "alphaword AND betaword",
    }
    seen, commits, errors, threads, engine = _search_threads(ix, queries, stop, reader)
    try:
        time.sleep(0.3)
        args = ["index", "-q", "--index", ix, "--batch-size", "20", path]
        if mode == "rebuild":
            args.insert(1, "--rebuild")
        proc = spawn(*args)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        engine.close()

    assert errors == []
    assert seen[0] == {"old": n, "new": 0, "either": n, "both": 0}
    assert seen[-1] == {"old": 0, "new": n, "either": n, "both": 0}
    assert len(seen) > 20
    # Each search sees one commit (the queries of one observation may see different
    # ones): every cable is there exactly once, old or new, never both or neither.
    for obs, around in zip(seen, commits):
        assert obs["either"] == n and obs["both"] == 0, (obs, around)
        if mode == "rebuild":
            assert obs["old"] in (0, n) and obs["new"] in (0, n), obs
        else:
            assert (n - obs["old"]) % 20 == 0 or obs["old"] == 0, obs  # whole batches
