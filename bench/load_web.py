"""Load-test the web app: 8 concurrent clients on the search page, then hostile requests.

    .venv/bin/python -m bench.load_web --index bench/data/index-25000
    .venv/bin/python -m bench.load_web --index DIR --clients 8 --duration 30 --processes 2

It runs ``cables serve`` (waitress) on 127.0.0.1 and a free port in a child process,
warms it up with one pass over the query set per server process, then runs ``--clients`` threads, each with its own
keep-alive ``http.client`` connection, over a mixed set of search-page URLs (words,
phrases, fields, filters, date sorts, deeper pages) for ``--duration`` seconds or
``--requests`` requests, whichever ends first. It reports p50/p95/p99/max latency per
request as the client sees it (full page read), throughput and errors, then sends a
battery of hostile requests (XSS, huge and malformed parameters, deep pages, wildcard
bombs, other methods) and checks that none gets a 5xx and that no ``<script>`` is echoed.

Target (issue #5 §7): at 25k cables, p50 <= 60 ms per search page under 8 clients.
Results go to ``bench/out/load-web-<UTC time>.json``. Exit status 1 on any error or 5xx.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
TARGET_P50_MS = 60.0

#: Search-page URLs: (query, extra params). Common cable words, phrases, fields, filters,
#: sorts and paging, the mix a newsroom session produces.
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("nuclear", {}),
    ("trafficking in persons", {}),
    ('"human rights"', {}),
    ("election fraud", {}),
    ("oil pipeline", {}),
    ("ambassador meeting minister", {}),
    ("corruption", {"sort": "-date"}),
    ("military", {"page": "2"}),
    ("terrorism financing", {}),
    ("refugees", {"sort": "date"}),
    ("tag:PREL", {}),
    ("tag:KTIP", {}),
    ("subject:visit", {}),
    ("economy", {"year": "2008"}),
    ("security", {"classification": "SECRET"}),
    ("president", {"date_from": "2007", "date_to": "2008"}),
    ("energy gas", {}),
    ("china", {}),
    ("-iran nuclear", {}),
    ("police OR army", {}),
    ("embassy", {"page": "3"}),
    ("parliament elections", {"sort": "-date"}),
    ("drug", {}),
    ("visa", {}),
    ("aid assistance", {}),
    ('"prime minister"', {}),
    ("water", {}),
    ("trade agreement", {}),
    ("opposition", {}),
    ("media press", {}),
]

#: (method, path, what it probes). Every one must get a status below 500.
HOSTILE: list[tuple[str, str, str]] = [
    ("GET", "/search?" + urlencode({"q": "<script>alert(1)</script>"}), "XSS in q"),
    ("GET", "/api/search?" + urlencode({"q": "<script>alert(1)</script>"}), "XSS in q, JSON"),
    ("GET", "/search?" + urlencode({"q": "x", "origin": "<script>alert(1)</script>"}), "XSS in a filter"),
    ("GET", "/cable/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "XSS in a refid"),
    ("GET", "/search?" + urlencode({"q": "x" * 5000}), "5,000-char query"),
    ("GET", "/search?" + urlencode({"q": "word " * 400}), "400-word query"),
    ("GET", "/search?" + urlencode({"q": "a", "origin": "o" * 10000}), "10,000-char filter"),
    ("GET", "/search?" + urlencode([("q", "a")] + [("tags", f"T{i}") for i in range(200)]), "200 filters"),
    ("GET", "/search?q=nuclear&page=999999", "deep page"),
    ("GET", "/search?q=nuclear&page=" + "9" * 400, "400-digit page"),
    ("GET", "/search?q=nuclear&page=-1", "negative page"),
    ("GET", "/search?q=nuclear&page=abc", "non-int page"),
    ("GET", "/search?q=nuclear&page_size=100000", "huge page size"),
    ("GET", "/search?q=nuclear&page_size=0", "zero page size"),
    ("GET", "/search?q=nuclear&sort=evil", "unknown sort"),
    ("GET", "/search?q=nuclear&year=abcd", "bad year"),
    ("GET", "/search?q=nuclear&date_from=2006-99", "bad date"),
    ("GET", "/search?q=nuclear&date_from=2009&date_to=2001", "reversed dates"),
    ("GET", "/search?q=*", "wildcard: everything"),
    ("GET", "/search?q=a*", "wildcard: one letter"),
    ("GET", "/search?q=*a*", "wildcard: infix"),
    ("GET", "/search?" + urlencode({"q": " ".join(f"{c}*" for c in "abcdefghij")}), "ten wildcards"),
    ("GET", "/search?" + urlencode({"q": "?" * 20 + "*"}), "wildcard: ?????"),
    ("GET", "/export.csv?q=a*", "wildcard export"),
    ("GET", "/search?" + urlencode({"q": "(((((((((("}), "unbalanced parens"),
    ("GET", "/search?" + urlencode({"q": '"unclosed phrase'}), "unclosed quote"),
    ("GET", "/search?" + urlencode({"q": "AND OR NOT"}), "operators only"),
    ("GET", "/search?" + urlencode({"q": "origin: tag: subject:"}), "empty fields"),
    ("GET", "/search?" + urlencode({"q": "nosuchfield:value"}), "unknown field"),
    ("GET", "/search?q=%00", "NUL in q"),
    ("GET", "/search?q=%ff%fe%fd", "invalid UTF-8"),
    ("GET", "/search?q=a&q=b", "q twice"),
    ("GET", "/cable/%00", "NUL refid"),
    ("GET", "/cable/" + "X" * 3000, "3,000-char refid"),
    ("GET", "/api/cable/99NOWHERE1", "unknown refid, JSON"),
    ("GET", "/../../etc/passwd", "path traversal"),
    ("GET", "/static/../../indexer/cli.py", "static traversal"),
    ("POST", "/search?q=nuclear", "POST"),
    ("DELETE", "/cable/06BANGKOK3955", "DELETE"),
    ("OPTIONS", "/", "OPTIONS"),
]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (the bench's convention)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def search_url(q: str, extra: dict[str, str]) -> str:
    return "/search?" + urlencode({"q": q, **extra})


def serve(index_dir: Path, threads: int, processes: int) -> tuple[subprocess.Popen, int]:
    """Start ``cables serve`` on a free loopback port in a child process.

    A separate process, so the load generator's own threads do not compete with the
    server for its interpreter lock: the figures are what a browser would see.
    """
    command = [
        sys.executable, "-m", "indexer", "serve", "--index", str(index_dir), "--port", "0",
        "--threads", str(threads), "--processes", str(processes),
    ]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline().strip()  # "Serving DIR at http://127.0.0.1:PORT/"
    if " at http://" not in first:
        proc.kill()
        raise SystemExit(f"cables serve did not start: {first or proc.stderr.read()}")
    # Keep draining stderr (waitress warns when requests queue) so the child never blocks.
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, int(first.rsplit(":", 1)[1].strip("/"))


def stop(proc: subprocess.Popen) -> int:
    """Ctrl-C the server and wait for it."""
    proc.send_signal(signal.SIGINT)
    return proc.wait(timeout=60)


def fetch(conn: http.client.HTTPConnection, method: str, path: str) -> tuple[int, bytes, str]:
    """``(status, body, content type)``."""
    conn.request(method, path)
    resp = conn.getresponse()
    return resp.status, resp.read(), resp.getheader("Content-Type", "")


def run_load(port: int, urls: list[str], clients: int, duration: float, limit: int) -> dict:
    """``clients`` threads over ``urls`` (round robin) until ``duration`` s or ``limit`` requests."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    by_url: dict[str, list[float]] = {}
    errors: list[str] = []
    deadline = time.perf_counter() + duration

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[tuple[str, float]] = []
        while time.perf_counter() < deadline:
            with lock:
                n = next(counter)
            if n >= limit:
                break
            url = urls[n % len(urls)]
            t0 = time.perf_counter()
            try:
                status, _body, _type = fetch(conn, "GET", url)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{url}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append((url, (time.perf_counter() - t0) * 1000))
            if status != 200:
                errors.append(f"{url}: HTTP {status}")
        conn.close()
        with lock:
            for url, ms in mine:
                latencies.append(ms)
                by_url.setdefault(url, []).append(ms)

    started = time.perf_counter()
    workers = [threading.Thread(target=client, name=f"client-{i}") for i in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1) if elapsed else None,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "errors": len(errors),
        "error_samples": errors[:10],
        "slowest_urls": sorted(
            ((url, round(percentile(ms, 50), 1)) for url, ms in by_url.items()),
            key=lambda pair: -pair[1],
        )[:5],
    }


def run_hostile(port: int) -> list[dict]:
    """Each hostile request once; records status, time and whether a ``<script>`` came back.

    Only pages and JSON count as echoing: a CSV download carries cable text verbatim
    (served as an attachment with ``nosniff``), which is what an export is for.
    """
    out = []
    for method, path, what in HOSTILE:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        t0 = time.perf_counter()
        try:
            status, body, ctype = fetch(conn, method, path)
        except (OSError, http.client.HTTPException) as exc:
            status, body, ctype = 0, repr(exc).encode(), ""
        finally:
            conn.close()
        rendered = ctype.startswith(("text/html", "application/json"))
        echoed = rendered and b"<script>alert" in body
        out.append(
            {
                "what": what,
                "method": method,
                "path": path if len(path) <= 120 else path[:117] + "...",
                "status": status,
                "ms": round((time.perf_counter() - t0) * 1000, 1),
                "content_type": ctype,
                "script_echoed": echoed,
                "ok": 0 < status < 500 and not echoed,
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_web", description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=ROOT / "bench" / "data" / "index-25000",
                        help="the index to serve (default: bench/data/index-25000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--threads", type=int, default=4,
                        help="waitress threads per process (default 4, as `cables serve`)")
    parser.add_argument("--processes", type=int, default=1,
                        help="server processes (default 1, as `cables serve`)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (default 30)")
    parser.add_argument("--requests", type=int, default=100_000, help="stop after this many")
    parser.add_argument("--out", type=Path, default=OUT, help="where the JSON goes")
    parser.add_argument("--no-hostile", action="store_true", help="skip the hostile battery")
    args = parser.parse_args(argv)

    if not args.index.is_dir():
        print(f"No index at {args.index}: build one first (python -m bench index).", file=sys.stderr)
        return 1
    proc, port = serve(args.index, args.threads, args.processes)
    try:
        urls = [search_url(q, extra) for q, extra in QUERIES]
        # One pass per process: each opens the index and warms its caches on first use.
        warm = run_load(port, urls, args.processes, 600.0, len(urls) * args.processes)
        load_before = os.getloadavg()
        load = run_load(port, urls, args.clients, args.duration, args.requests)
        load_after = os.getloadavg()
        hostile = [] if args.no_hostile else run_hostile(port)
    finally:
        stop(proc)

    bad = [h for h in hostile if not h["ok"]]
    met = load["p50_ms"] <= TARGET_P50_MS
    report = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "index": str(args.index),
        "threads": args.threads,
        "processes": args.processes,
        "warmup": {k: warm[k] for k in ("requests", "p50_ms", "max_ms", "errors")},
        "load": load,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "target": {"p50_ms_max": TARGET_P50_MS, "met": met},
        "hostile": hostile,
        "hostile_failures": len(bad),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = args.out / f"load-web-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(f"index {args.index}, {args.processes} process(es) x {args.threads} waitress threads, "
          f"{load['clients']} clients, "
          f"{load['seconds']} s, loadavg {report['loadavg_before'][0]} -> {report['loadavg_after'][0]}")
    print(f"warm-up: {warm['requests']} requests, p50 {warm['p50_ms']} ms, max {warm['max_ms']} ms")
    print(f"search pages: {load['requests']} requests, {load['per_second']}/s, "
          f"p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, p99 {load['p99_ms']} ms, "
          f"max {load['max_ms']} ms, errors {load['errors']}")
    for sample in load["error_samples"]:
        print(f"  error: {sample}")
    for url, ms in load["slowest_urls"]:
        print(f"  slowest (p50 {ms} ms): {url}")
    print(f"target p50 <= {TARGET_P50_MS:g} ms: {'met' if met else 'NOT met'}")
    if hostile:
        print(f"hostile: {len(hostile) - len(bad)}/{len(hostile)} fine (no 5xx, no <script> echoed)")
        for h in hostile:
            flag = "ok " if h["ok"] else "BAD"
            print(f"  {flag} {h['status']:>3} {h['ms']:>8.1f} ms  {h['method']:<7} {h['what']}")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 1 if load["errors"] or bad else 0


if __name__ == "__main__":
    sys.exit(main())
