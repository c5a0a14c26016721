"""``cables index`` and ``cables stats`` as users run them: real subprocesses, exit codes, streams."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from indexer.schema import SCHEMA_VERSION
from indexer.swap import current_generation, run_lock, write_meta

from .synthetic import cable, generated, write_jsonl


def cables(*args, env=None, timeout=120):
    """Run ``python -m indexer ARGS`` and return the completed process."""
    full_env = dict(os.environ)
    full_env.pop("CABLES_INDEX", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "indexer", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def test_index_counts_errors_progress_and_rerun(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", generated(5), bad_lines={3: "{broken"})
    ix = tmp_path / "ix"
    run = cables("index", "--index", ix, path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "added 5, replaced 0, unchanged 0, errors 1\n"
    assert f"{path}:line 3: not valid JSON" in run.stderr
    assert "cables/s" in run.stderr and "MB/s" in run.stderr

    run = cables("index", "--index", ix, path, "-q")
    assert run.returncode == 0
    assert run.stdout == "added 0, replaced 0, unchanged 5, errors 1\n"
    assert "cables/s" not in run.stderr  # -q silences progress, not diagnostics
    assert f"{path}:line 3: not valid JSON" in run.stderr


def test_stats(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [cable("04ANKARA1", "a", "b"), cable("09TOKYO5", "c")])
    ix = tmp_path / "ix"
    assert cables("index", "-q", "--index", ix, path).returncode == 0
    run = cables("stats", "--index", ix)
    assert run.returncode == 0, run.stderr
    lines = dict(line.split(":", 1) for line in run.stdout.splitlines())
    assert lines["cables"].strip() == "2"
    assert lines["paragraphs"].strip() == "3"
    assert lines["schema version"].strip() == str(SCHEMA_VERSION)
    assert lines["dates"].strip() == "2004-03-04 .. 2009-03-04"
    assert lines["size on disk"].strip().endswith("MB")
    assert lines["last build"].strip().startswith("20")


def test_default_index_from_environment(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [cable("04ANKARA1", "a")])
    env = {"CABLES_INDEX": str(tmp_path / "envix")}
    assert cables("index", "-q", path, env=env).stdout == "added 1, replaced 0, unchanged 0, errors 0\n"
    assert current_generation(tmp_path / "envix").is_dir()
    assert "cables:         1" in cables("stats", env=env).stdout


def test_missing_index_and_bad_path_exit_codes(tmp_path):
    run = cables("stats", "--index", tmp_path / "none")
    assert run.returncode == 1
    assert run.stderr == (
        f"Error: no index at {tmp_path / 'none'}; build one with: "
        f"cables index --index {tmp_path / 'none'} PATH...\n"
    )
    run = cables("index", "--index", tmp_path / "ix", tmp_path / "no-such-file.csv")
    assert run.returncode == 2
    assert "does not exist" in run.stderr


def test_schema_mismatch_message(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [cable("04ANKARA1", "a")])
    ix = tmp_path / "ix"
    cables("index", "-q", "--index", ix, path)
    write_meta(current_generation(ix), schema_version=0)
    for args in (("stats", "--index", ix), ("index", "-q", "--index", ix, path)):
        run = cables(*args)
        assert run.returncode == 1
        assert run.stderr == (
            f"Error: the index at {ix} was written with schema version 0, this cablesearch "
            f"uses version {SCHEMA_VERSION}; rebuild it with: cables index --rebuild --index {ix} PATH...\n"
        )
    run = cables("index", "-q", "--rebuild", "--index", ix, path)
    assert run.returncode == 0 and run.stdout.startswith("added 1,")


def test_lock_held_fails_fast_or_waits(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [cable("04ANKARA1", "a")])
    ix = tmp_path / "ix"
    with run_lock(ix):
        started = time.monotonic()
        run = cables("index", "--index", ix, path)
        assert run.returncode == 1
        assert run.stderr == (
            f"Error: another indexing run holds the lock on {ix}; "
            "wait for it to finish or use --wait SECONDS\n"
        )
        run = cables("index", "--index", ix, path, "--wait", "0.5")
        assert run.returncode == 1
        assert f"holds the lock on {ix} (waited 0.5 s)" in run.stderr
        assert time.monotonic() - started < 30

    release = threading.Event()

    def hold():
        with run_lock(ix):
            release.wait(1.5)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.2)
    run = cables("index", "-q", "--index", ix, path, "--wait", "30")
    holder.join()
    assert run.returncode == 0, run.stderr
    assert run.stdout == "added 1, replaced 0, unchanged 0, errors 0\n"


def test_workers_write_the_same_index_and_report_in_input_order(tmp_path):
    from dataclasses import replace

    from .indexed import whole_cables

    cs = generated(40, seed=5)
    # A refid twice (the later copy wins) and two bad records among the good ones.
    cs.insert(30, replace(cs[3], subject="Second version of the fourth cable"))
    path = write_jsonl(tmp_path / "c.jsonl", cs, bad_lines={7: "{broken", 25: "[1, 2]"})
    runs = {}
    for workers in (0, 1, 3):
        ix = tmp_path / f"ix{workers}"
        run = cables("index", "-q", "--workers", workers, "--batch-size", 6, "--index", ix, path)
        assert run.returncode == 0, run.stderr
        runs[workers] = (run.stdout, run.stderr, whole_cables(ix))
    stdout, stderr, indexed = runs[0]
    assert stdout == "added 40, replaced 1, unchanged 0, errors 2\n"
    assert stderr.index(":line 7: not valid JSON") < stderr.index("must be an object")
    assert indexed[cs[3].refid].cable.subject == "Second version of the fourth cable"
    for workers in (1, 3):
        other_out, other_err, other = runs[workers]
        assert (other_out, other_err) == (stdout, stderr)
        assert {r: (i.content_hash, i.ranges) for r, i in other.items()} == \
               {r: (i.content_hash, i.ranges) for r, i in indexed.items()}
