"""``python -m bench {synth,index,query,baseline}``: see ``bench/README.md``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "out"
SHARED = ROOT / ".." / "shared"


def _sizes(text: str) -> list[int]:
    try:
        return [int(s.replace("_", "").replace("k", "000")) for s in text.split(",") if s]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes wants numbers like 25000,100000, not {text!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--shared", type=Path, default=SHARED,
                        help="the shared directory with corpus/ (default: ../shared)")
    parser.add_argument("--data", type=Path, default=DATA, help="generated corpora and indexes")
    parser.add_argument("--out", type=Path, default=OUT, help="where result JSON goes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("synth", help="write bench/data/cables-N.csv")
    p.add_argument("--sizes", type=_sizes, default=[25000])
    p.add_argument("--force", action="store_true", help="regenerate even if cached")

    p = sub.add_parser("index", help="build our index and the baselines; time, RSS, size")
    p.add_argument("--sizes", type=_sizes, default=[25000])
    p.add_argument("--baselines", action=argparse.BooleanOptionalAction, default=True,
                   help="also build naive Whoosh and FTS5 (default on)")
    p.add_argument("--naive-max", type=int, default=25000,
                   help="skip naive Whoosh above this size (default 25000: it takes ~30 min at 251k)")
    p.add_argument("--keep", action="store_true", help="keep an existing index of ours (skip the build)")
    p.add_argument("--no-ours", action="store_true",
                   help="build only the baselines (e.g. FTS5 at sizes ours can't reach yet)")
    p.add_argument("--profile", action="store_true",
                   help="run our indexer under cProfile (bench/out/profile-index-N.prof); slows it")

    p = sub.add_parser("query", help="latency of CableSearch.search against FTS5")
    p.add_argument("--size", type=_sizes, default=[25000])
    p.add_argument("--per-class", type=int, default=40, help="queries per class")
    p.add_argument("--repeat", type=int, default=3, help="timed passes over the query set")

    p = sub.add_parser("baseline", help=argparse.SUPPRESS)  # run in a child by `index`
    p.add_argument("kind", choices=["whoosh", "fts5"])
    p.add_argument("csv", type=Path)
    p.add_argument("target", type=Path)

    args = parser.parse_args(argv)
    progress = None if args.quiet else sys.stderr

    if args.command == "baseline":
        from .baselines import build_fts5, build_naive_whoosh

        build = build_naive_whoosh if args.kind == "whoosh" else build_fts5
        print(json.dumps(build(args.csv, args.target)))
        return 0
    if not (args.shared / "corpus" / "cable-ids.csv").exists():
        print(f"bench: no {args.shared / 'corpus' / 'cable-ids.csv'}; pass --shared DIR",
              file=sys.stderr)
        return 1
    if args.command == "synth":
        from .synth import synthesize

        for size in args.sizes:
            synthesize(size, args.data / f"cables-{size}.csv", args.shared, args.seed,
                       force=args.force, progress=progress or sys.stderr)
        return 0
    if args.command == "index":
        from .index_bench import run_index_bench

        return run_index_bench(args.sizes, args, progress)
    if args.command == "query":
        from .query_bench import run_query_bench

        return run_query_bench(args.size, args, progress)
    return 2


if __name__ == "__main__":
    sys.exit(main())
