"""``python -m bench index``: build time, throughput, peak RSS and size, ours vs baselines.

For each size, the synthetic ``cables-N.csv`` is made (or reused), then indexed three
ways, each in its own child process so its peak memory is its own:

- **ours**, exactly as a user runs it: ``python -m indexer index --index DIR CSV`` (the
  ``cables index`` command) into a fresh directory;
- **naive Whoosh** (:func:`bench.baselines.build_naive_whoosh`), by default only up to
  25,000 cables, since it needs about half an hour for the full set;
- **SQLite FTS5** (:func:`bench.baselines.build_fts5`).

The machine has 2 cores and other people's tests may be running: the load average is
recorded around every build, and the ratios between systems built in the same run are
the figures to trust.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

from .measure import Measured, dir_size, load_average, run_measured
from .synth import synthesize

__all__ = ["TARGETS", "build_baseline", "build_ours", "check_targets", "git_commit", "run_index_bench"]

FULL = 251287
# Issue #3 §5: the full set within 12 minutes and 2 GB; 2.5x naive Whoosh at 25k.
TARGETS = {"full_seconds": 12 * 60, "full_rss_mb": 2048, "speedup_vs_naive_25k": 2.5}
_ROOT = Path(__file__).resolve().parents[1]


def _child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH")) if p)
    return env


def _fresh(path: Path) -> None:
    # Only ever our own build products under bench/data (never a live index).
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _build_record(m: Measured, cables: int, csv_bytes: int, target: Path, extra: dict,
                  load_before, load_after) -> dict:
    ok = m.returncode == 0
    return {
        "ok": ok,
        "returncode": m.returncode,
        "seconds": round(m.seconds, 2),
        "cables": cables,
        "cables_per_s": round(cables / m.seconds, 1) if ok and m.seconds else None,
        "mb_per_s": round(csv_bytes / 1e6 / m.seconds, 2) if ok and m.seconds else None,
        "peak_rss_mb": round(m.peak_rss_mb, 1),
        "hwm_mb": round(m.hwm_mb, 1),
        "tree_rss_mb": round(m.tree_rss_mb, 1),
        "index_mb": round(dir_size(target) / 1e6, 1) if target.exists() else None,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        **extra,
        **({} if ok else {"stderr_tail": m.stderr[-3000:]}),
    }


def our_index_stats(index_dir: Path) -> dict:
    """Cables, paragraphs and segments of our finished index, read through the indexer's
    own :func:`indexer.index_stats`; ``{"error": ...}`` when it won't open (e.g. the
    schema version changed in the working tree while a long build ran)."""
    from indexer import index_stats
    from indexer.errors import CableSearchError

    try:
        st = index_stats(index_dir)
    except CableSearchError as exc:
        return {"error": str(exc)}
    return {"cables": st.cables, "paragraphs": st.paragraphs, "segments": st.segments,
            "generation_mb": round(st.size_bytes / 1e6, 1)}


def _cables_from_progress(stderr: str) -> int | None:
    # The CLI's last progress line ("indexing: 25,000 cables, ...") is the fallback count.
    found = re.findall(r"indexing: ([\d,]+) cables", stderr)
    return int(found[-1].replace(",", "")) if found else None


def build_ours(csv: Path, index_dir: Path, log: Path, profile: Path | None = None) -> dict:
    """Index ``csv`` with our CLI in a child process; return its build record."""
    _fresh(index_dir)
    cmd = [sys.executable]
    if profile:
        cmd += ["-m", "cProfile", "-o", str(profile)]
    cmd += ["-m", "indexer", "index", "--index", str(index_dir), str(csv)]
    before = load_average()
    m = run_measured(cmd, cwd=_ROOT, env=_child_env(), log=log)
    after = load_average()
    stats = our_index_stats(index_dir) if m.returncode == 0 else {}
    cables = stats.get("cables")
    if m.returncode == 0 and cables is None:
        cables = _cables_from_progress(m.stderr)
    rec = _build_record(m, cables or 0, csv.stat().st_size, index_dir,
                        {"command": " ".join(cmd), "log": str(log), "index": stats}, before, after)
    if m.returncode == 0 and cables is None:
        rec["ok"] = False
        rec["error"] = stats.get("error", "no cable count")
    return rec


def build_baseline(kind: str, csv: Path, target: Path, log: Path) -> dict:
    """Build one baseline (``whoosh`` or ``fts5``) in a child process."""
    _fresh(target)
    cmd = [sys.executable, "-m", "bench", "baseline", kind, str(csv), str(target)]
    before = load_average()
    m = run_measured(cmd, cwd=_ROOT, env=_child_env(), log=log)
    after = load_average()
    inner = json.loads(m.stdout) if m.returncode == 0 and m.stdout.strip() else {}
    return _build_record(m, inner.get("cables", 0), csv.stat().st_size, target,
                         {"inner": inner}, before, after)


def ratios(ours: dict, base: dict) -> dict | None:
    """How ours compares with a baseline: throughput speedup (>1: ours faster), and
    peak-RSS and index-size ratios (>1: ours bigger)."""
    if not (ours.get("ok") and base.get("ok") and ours["cables_per_s"] and base["cables_per_s"]):
        return None
    out = {"speedup": round(ours["cables_per_s"] / base["cables_per_s"], 2),
           "rss_ratio": round(ours["peak_rss_mb"] / base["peak_rss_mb"], 2)}
    if ours.get("index_mb") and base.get("index_mb"):
        out["size_ratio"] = round(ours["index_mb"] / base["index_mb"], 2)
    return out


def check_targets(size: int, ours: dict, rel: dict) -> list[dict]:
    """The issue's targets that apply at ``size``, each with ``met`` true/false/None."""
    checks = []
    if "seconds" not in ours:  # not built in this run: nothing to judge
        return checks
    if size >= FULL:
        ok = ours.get("ok")
        checks.append({"target": f"full set in <= {TARGETS['full_seconds'] // 60} min",
                       "value": ours.get("seconds"),
                       "met": bool(ok and ours["seconds"] <= TARGETS["full_seconds"])})
        checks.append({"target": f"peak RSS <= {TARGETS['full_rss_mb']} MB",
                       "value": ours.get("peak_rss_mb"),
                       "met": bool(ok and ours["peak_rss_mb"] <= TARGETS["full_rss_mb"])})
    if size == 25000:
        naive = rel.get("naive_whoosh")
        checks.append({"target": f"throughput >= {TARGETS['speedup_vs_naive_25k']}x naive Whoosh at 25k",
                       "value": naive["speedup"] if naive else None,
                       "met": (naive["speedup"] >= TARGETS["speedup_vs_naive_25k"]) if naive else None})
    return checks


def profile_summary(path: Path, top: int = 25) -> list[str]:
    """The ``top`` functions by own (not cumulative) time of a cProfile dump, so the
    JSON says where the indexer's time goes without opening the dump."""
    import io
    import pstats

    buf = io.StringIO()
    pstats.Stats(str(path), stream=buf).sort_stats("tottime").print_stats(top)
    lines = [ln.rstrip() for ln in buf.getvalue().splitlines() if ln.strip()]
    return [ln.replace(str(_ROOT) + "/", "") for ln in lines[-top - 1:]]


def git_commit() -> str | None:
    """HEAD, plus ``+dirty`` when indexer/ or search/ have uncommitted changes (the bench
    runs the working tree, which other engineers may be editing)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=_ROOT, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "indexer", "search"],
                               cwd=_ROOT, text=True, capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def format_table(runs: list[dict]) -> str:
    """The human-readable summary printed to stdout (load: 1-min load average before and
    after each build, on a 2-core machine shared with other work)."""
    lines = []
    head = (f"{'size':>8}  {'system':<13}{'seconds':>9}{'cables/s':>10}{'MB/s':>7}"
            f"{'peak RSS MB':>13}{'index MB':>10}{'load':>11}   ours vs this")
    lines.append(head)
    lines.append("-" * len(head))
    for run in runs:
        first = True
        for name in ("ours", "naive_whoosh", "fts5"):
            rec = run["systems"].get(name)
            if rec is None:
                continue
            size = f"{run['size']:,}" if first else ""
            first = False
            if not rec["ok"]:
                lines.append(f"{size:>8}  {name:<13}FAILED (exit {rec['returncode']}): "
                             f"{rec.get('error') or rec.get('stderr_tail', '')[-200:].strip()}")
                continue
            rel = run["ratios"].get(name)
            vs = (f"{rel['speedup']:.2f}x throughput, {rel['rss_ratio']:.2f}x RSS"
                  + (f", {rel['size_ratio']:.2f}x size" if "size_ratio" in rel else "")) if rel else ""
            lines.append(f"{size:>8}  {name:<13}{rec['seconds']:>9.1f}{rec['cables_per_s']:>10,.0f}"
                         f"{rec['mb_per_s']:>7.2f}{rec['peak_rss_mb']:>13,.0f}"
                         f"{(rec['index_mb'] or 0):>10,.0f}"
                         f"{rec['load_before'][0]:>6.1f}-{rec['load_after'][0]:<4.1f}   {vs}")
        for note in run.get("notes", []):
            lines.append(f"{'':>8}  note: {note}")
        for check in run["targets"]:
            verdict = {True: "met", False: "MISSED", None: "n/a"}[check["met"]]
            lines.append(f"{'':>8}  target: {check['target']}: {verdict} ({check['value']})")
    return "\n".join(lines)


def run_index_bench(sizes: list[int], args, progress: TextIO | None) -> int:
    """Run the index bench for ``sizes``; write JSON under ``args.out``; print a table."""
    out_dir: Path = args.out
    data: Path = args.data
    logs = out_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    report = {"bench": "index", "started": stamp, "git": git_commit(),
              "host": {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "platform": platform.platform()},
              "targets": TARGETS, "runs": []}
    failed = False
    for size in sizes:
        csv = data / f"cables-{size}.csv"
        stats = synthesize(size, csv, args.shared, args.seed, progress=progress)
        run = {"size": stats.cables, "csv_mb": round(stats.bytes / 1e6, 1),
               "mean_content_bytes": round(stats.mean_content_bytes), "systems": {},
               "ratios": {}, "notes": []}

        def say(msg: str) -> None:
            if progress:
                print(f"bench index {size:,}: {msg}", file=progress, flush=True)

        if getattr(args, "no_ours", False):
            run["notes"].append("ours: not built (--no-ours)")
        elif args.keep and (data / f"index-{size}").exists():
            run["notes"].append("ours: --keep given, existing index reused, not timed")
        else:
            say("building ours ...")
            profile = (out_dir / f"profile-index-{size}.prof") if getattr(args, "profile", False) else None
            run["systems"]["ours"] = build_ours(csv, data / f"index-{size}", logs / f"ours-{size}.log",
                                                profile)
            if profile:
                run["notes"].append(f"ours ran under cProfile ({profile}): its time is inflated")
                if profile.exists():
                    run["profile_top"] = profile_summary(profile)
            say(f"ours: {run['systems']['ours']['seconds']} s")
        if args.baselines:
            say("building FTS5 ...")
            run["systems"]["fts5"] = build_baseline("fts5", csv, data / f"fts5-{size}.sqlite",
                                                    logs / f"fts5-{size}.log")
            if size <= args.naive_max:
                say("building naive Whoosh ...")
                run["systems"]["naive_whoosh"] = build_baseline(
                    "whoosh", csv, data / f"naive-whoosh-{size}", logs / f"naive-{size}.log")
                _fresh(data / f"naive-whoosh-{size}")  # only its size and time matter
            else:
                run["notes"].append(f"naive Whoosh skipped above {args.naive_max:,} cables "
                                    "(about 30 min at full scale); use --naive-max to include it")
        ours = run["systems"].get("ours", {})
        for name in ("naive_whoosh", "fts5"):
            if name in run["systems"]:
                run["ratios"][name] = ratios(ours, run["systems"][name])
        if ours.get("ok") and ours["cables"] != stats.cables:
            run["notes"].append(f"ours indexed {ours['cables']:,} of {stats.cables:,} cables")
        if ours.get("index", {}).get("error"):
            run["notes"].append("ours: the finished index did not open ("
                                + ours["index"]["error"][:160] + "); count from its progress line")
        run["targets"] = check_targets(stats.cables, ours, run["ratios"])
        failed |= not all(rec["ok"] for rec in run["systems"].values())
        report["runs"].append(run)
        # Written after every size, so a long run that is cut short still leaves figures.
        text = json.dumps(report, indent=2) + "\n"
        (out_dir / f"index-{stamp}.json").write_text(text)
        (out_dir / "index-latest.json").write_text(text)
    print(format_table(report["runs"]))
    for run in report["runs"]:
        if run.get("profile_top"):
            print(f"\nwhere our indexer's time goes at {run['size']:,} (cProfile, own time):")
            print("\n".join(run["profile_top"]))
    print(f"results: {out_dir / f'index-{stamp}.json'}")
    return 1 if failed else 0
