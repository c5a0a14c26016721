"""Known-item ranking evaluation: does the cable a query was made from come out on top?

Usage::

    python -m bench.eval_ranking --generate          # (re)write bench/ranking_queries.tsv
    python -m bench.eval_ranking [--index DIR] [--distractors N]

``--generate`` reads the shared real cables (``../shared/corpus/cablegate-html``) and
makes queries from them *programmatically* (seeded, reproducible), of five kinds:

``subject``   three distinctive words of the cable's subject line
``body``      three distinctive words from one paragraph of the body
``inflected`` the same, with each word in another inflection (``negotiations`` ->
              ``negotiation``, ``signed`` -> ``signing``)
``name``      a rare name from the cable, misspelled the way transliterations differ
              (``Qadhafi`` -> ``Gadhafi``), plus two distinctive words
``phrase``    a quoted run of three words from the body
``refid``     the cable cited the way other cables cite it (``BANGKOK 3955``)

Only the queries and their target refids are stored, never cable text. The evaluation
then indexes the same cables three ways and runs every query against each, in one run:

* **ours**: ``CableSearch`` over our index (built with ``indexer.build_index``, or
  ``--index DIR`` to reuse one built from the same cables);
* **FTS5**: SQLite ``fts5(subject, body, tokenize='porter unicode61')``, ranked by
  ``bm25()``, the query's words ANDed (FTS5's own default);
* **naive Whoosh**: ``StemmingAnalyzer`` on subject and body, ``MultifieldParser``, BM25F
  defaults.

and prints MRR@10 (mean of 1/rank of the target within the top 10, 0 if absent),
success@1 and success@10, overall and per kind. ``--distractors N`` adds N synthetic
cables (paragraphs of the cables that are no query's target, recombined) to all three
indexes, to see how the ranking holds up in a bigger haystack.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared"
QUERIES = Path(__file__).resolve().with_name("ranking_queries.tsv")
KINDS = ("subject", "body", "inflected", "name", "phrase", "refid")
_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]{2,}")
#: Words too common to make a query distinctive, besides those frequent in the corpus.
_GENERIC = set(
    "about above after again against also among because been before being between both "
    "could during each from further have having here into more most other over said same "
    "should some such than that their them then there these they this those through under "
    "until very were what when where which while will with would your post embassy "
    "government official officials minister ministry comment summary end".split()
)


# ---------------------------------------------------------------------- generation


def _cables(path: Path):
    from indexer import read_cables

    errors: list = []
    cables = [c for c in read_cables(path, errors=errors) if c.refid]
    return cables


def _doc_words(cable) -> list[str]:
    return _WORD.findall(" ".join(filter(None, [cable.subject or "", cable.body or ""])))


def _inflect(word: str) -> str | None:
    w = word.lower()
    rules = [
        ("ations", "ation"), ("ation", "ations"), ("ments", "ment"), ("ment", "ments"),
        ("ies", "y"), ("ing", "ed"), ("ed", "ing"), ("es", "e"), ("s", ""), ("al", "als"),
    ]
    for old, new in rules:
        if w.endswith(old) and len(w) - len(old) >= 4:
            return w[: len(w) - len(old)] + new
    return w + "s" if len(w) >= 4 else None


_SWAPS = [("q", "g"), ("dh", "d"), ("kh", "k"), ("ou", "u"), ("ei", "ey"), ("ph", "f"),
          ("y", "i"), ("i", "y"), ("ee", "i"), ("oo", "u"), ("sh", "ch"), ("k", "c"),
          ("z", "s"), ("j", "dj"), ("a", "e"), ("e", "a"), ("u", "o"), ("o", "u")]


def _misspell(name: str, rng: random.Random) -> str | None:
    w = name.lower()
    options = [(a, b) for a, b in _SWAPS if a in w[1:]] + [("dbl", "")]
    rng.shuffle(options)
    for a, b in options:
        if a == "dbl":
            m = re.search(r"(.)\1", w)
            out = w[: m.start()] + w[m.start() + 1 :] if m else None
        else:
            i = w.find(a, 1)
            out = w[:i] + b + w[i + len(a) :]
        if out and out != w and len(out) >= 4:
            return out.capitalize()
    return None


def generate(seed: int = 4, per_kind: int = 60) -> list[tuple[str, str, str]]:
    """``(kind, query, target refid)`` rows, made from the shared cables."""
    from indexer.names import is_name_like

    path = SHARED / "corpus" / "cablegate-html"
    cables = _cables(path)
    rng = random.Random(seed)
    df: Counter = Counter()
    words_of = {}
    for c in cables:
        words = {w.lower() for w in _doc_words(c)}
        words_of[c.refid] = words
        df.update(words)

    def distinctive(words, lo=2, hi=25):
        out = []
        for w in words:
            lw = w.lower()
            if len(lw) >= 5 and lw not in _GENERIC and lo <= df[lw] <= hi and lw not in out:
                out.append(lw)
        return out

    rows: list[tuple[str, str, str]] = []
    order = list(cables)
    rng.shuffle(order)
    counts: Counter = Counter()
    for c in order:
        paras = [p.text for p in c.paragraphs if len(p.text) > 200]
        if c.subject and counts["subject"] < per_kind:
            words = distinctive(_WORD.findall(c.subject), 1, 40)
            if len(words) >= 3:
                rows.append(("subject", " ".join(rng.sample(words, 3)), c.refid))
                counts["subject"] += 1
        if paras and counts["body"] < per_kind:
            words = distinctive(_WORD.findall(rng.choice(paras)))
            if len(words) >= 3:
                rows.append(("body", " ".join(rng.sample(words, 3)), c.refid))
                counts["body"] += 1
        if paras and counts["inflected"] < per_kind:
            words = distinctive(_WORD.findall(rng.choice(paras)))
            picked = [(_inflect(w), w) for w in rng.sample(words, min(3, len(words)))]
            if len(picked) == 3 and all(i and i != w for i, w in picked):
                rows.append(("inflected", " ".join(i for i, _ in picked), c.refid))
                counts["inflected"] += 1
        if paras and counts["name"] < per_kind:
            names = [w for w in dict.fromkeys(_WORD.findall(c.body or ""))
                     if w[:1].isupper() and is_name_like(w) and 1 <= df[w.lower()] <= 8]
            others = distinctive(_WORD.findall(rng.choice(paras)))
            if names and len(others) >= 2:
                bad = _misspell(rng.choice(names), rng)
                if bad and bad.lower() not in df:
                    rows.append(("name", f"{bad} {' '.join(rng.sample(others, 2))}", c.refid))
                    counts["name"] += 1
        if paras and counts["phrase"] < per_kind:
            # Runs of three plain words in a row (no number, id or redaction between).
            tokens = re.findall(r"[^\s]+", rng.choice(paras))
            if len(tokens) > 12:
                for _ in range(10):
                    i = rng.randrange(0, len(tokens) - 3)
                    run = [t.strip(",.;:()\"'") for t in tokens[i : i + 3]]
                    if not all(re.fullmatch(r"[A-Za-z]+", t) for t in run) or any(
                        t.rstrip(",.;:)\"'") != t for t in tokens[i : i + 2]
                    ) or any(set(t.lower()) == {"x"} for t in run):
                        continue
                    if sum(1 for t in run if len(t) >= 5 and t.lower() not in _GENERIC) >= 2:
                        rows.append(("phrase", '"' + " ".join(run).lower() + '"', c.refid))
                        counts["phrase"] += 1
                        break
        m = re.match(r"^(\d\d)([A-Z]+?)(\d+)$", c.refid)
        if m and counts["refid"] < per_kind // 2:
            form = rng.choice(["{s} {n}", "{s} {n:06d}", "{y} {s} {n}"])
            rows.append(("refid", form.format(y=m.group(1), s=m.group(2), n=int(m.group(3))), c.refid))
            counts["refid"] += 1
    return rows


# ---------------------------------------------------------------------- systems


def _fts5(cables, db: Path):
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE c USING fts5(refid UNINDEXED, subject, body, tokenize='porter unicode61')")
    con.executemany("INSERT INTO c VALUES (?,?,?)", ((c.refid, c.subject or "", c.body or "") for c in cables))
    con.commit()

    def search(q: str) -> list[str]:
        phrases = re.findall(r'"([^"]+)"', q)
        rest = re.sub(r'"[^"]+"', " ", q)
        parts = ['"' + p.replace('"', "") + '"' for p in phrases]
        parts += ['"' + w + '"' for w in re.findall(r"\w+", rest)]
        if not parts:
            return []
        rows = con.execute("SELECT refid FROM c WHERE c MATCH ? ORDER BY bm25(c) LIMIT 10", (" ".join(parts),))
        return [r[0] for r in rows]

    return search


def _naive_whoosh(cables, path: Path):
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser

    schema = Schema(refid=ID(stored=True, unique=True),
                    subject=TEXT(analyzer=StemmingAnalyzer()),
                    body=TEXT(analyzer=StemmingAnalyzer()))
    path.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(path), schema)
    with ix.writer() as w:
        for c in cables:
            w.add_document(refid=c.refid, subject=c.subject or "", body=c.body or "")
    parser = MultifieldParser(["subject", "body"], schema)

    def search(q: str) -> list[str]:
        with ix.searcher() as s:
            return [h["refid"] for h in s.search(parser.parse(q), limit=10)]

    return search


def _ours(index_dir: Path):
    from search import CableSearch

    engine = CableSearch(index_dir)

    def search(q: str) -> list[str]:
        return [h.refid for h in engine.search(q, page_size=10, facets=False).hits]

    return search


# ---------------------------------------------------------------------- scoring


def evaluate(systems: dict, rows) -> dict:
    """MRR@10, success@1 and success@10 per system, overall and per kind."""
    out: dict = {}
    for name, search in systems.items():
        per_kind: dict[str, list[float]] = defaultdict(list)
        firsts: dict[str, list[int]] = defaultdict(list)
        tens: dict[str, list[int]] = defaultdict(list)
        started = time.perf_counter()
        for kind, q, target in rows:
            ranked = search(q)
            rr = 1.0 / (ranked.index(target) + 1) if target in ranked[:10] else 0.0
            per_kind[kind].append(rr)
            firsts[kind].append(int(bool(ranked) and ranked[0] == target))
            tens[kind].append(int(target in ranked[:10]))
        seconds = time.perf_counter() - started
        allrr = [x for v in per_kind.values() for x in v]
        out[name] = {
            "mrr@10": sum(allrr) / len(allrr),
            "success@1": sum(sum(v) for v in firsts.values()) / len(allrr),
            "success@10": sum(sum(v) for v in tens.values()) / len(allrr),
            "seconds": seconds,
            "per_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(per_kind.items())},
        }
    return out


def _load(path: Path):
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, q, target = line.split("\t")
            rows.append((kind, q, target))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--generate", action="store_true", help="rewrite the query file from the shared cables")
    ap.add_argument("--index", type=Path, help="reuse our index built from the same cables")
    ap.add_argument("--distractors", type=int, default=0, help="synthetic extra cables in every index")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    if args.generate:
        rows = generate()
        with open(QUERIES, "w", encoding="utf-8") as fh:
            fh.write("# kind\tquery\ttarget refid -- generated by: python -m bench.eval_ranking --generate\n")
            for kind, q, target in rows:
                fh.write(f"{kind}\t{q}\t{target}\n")
        print(f"wrote {len(rows)} queries to {QUERIES}", file=sys.stderr)
        return 0

    rows = _load(QUERIES)
    cables = _cables(SHARED / "corpus" / "cablegate-html")
    if args.distractors:
        cables += _distractors(cables, args.distractors, {t for _, _, t in rows})
    with tempfile.TemporaryDirectory(prefix="eval-ranking-") as tmp:
        tmp = Path(tmp)
        index_dir = args.index
        if index_dir is None:
            from indexer import build_index

            index_dir = tmp / "ours"
            t = time.perf_counter()
            build_index(index_dir, cables)
            print(f"built our index of {len(cables)} cables in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        systems = {
            "ours": _ours(index_dir),
            "fts5": _fts5(cables, tmp / "fts5.sqlite"),
            "naive_whoosh": _naive_whoosh(cables, tmp / "naive"),
        }
        figures = evaluate(systems, rows)
    print(f"{len(rows)} known-item queries over {len(cables):,} cables "
          f"({', '.join(f'{k} {v}' for k, v in sorted(Counter(r[0] for r in rows).items()))})")
    print(f"{'system':<14}{'MRR@10':>8}{'S@1':>7}{'S@10':>7}{'sec':>7}   MRR@10 per kind")
    for name, f in figures.items():
        kinds = "  ".join(f"{k} {v:.2f}" for k, v in f["per_kind"].items())
        print(f"{name:<14}{f['mrr@10']:>8.3f}{f['success@1']:>7.3f}{f['success@10']:>7.3f}{f['seconds']:>7.1f}   {kinds}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def _pick(rng: random.Random, items: list, k: int) -> list:
    return rng.sample(items, min(k, len(items)))


def _distractors(cables, n: int, targets: set[str]):
    """*n* synthetic cables: paragraphs of the real ones recombined, new refids.

    Only cables that are no query's target give paragraphs and subjects: a distractor
    holding a target's own paragraph would be an equally right answer, not a distractor.
    """
    from dataclasses import replace

    rng = random.Random(11)
    donors = [c for c in cables if c.refid not in targets]
    paras = [p for c in donors for p in c.paragraphs if p.text.strip()]
    subjects = [c.subject for c in donors if c.subject]
    out = []
    for i in range(n):
        base = rng.choice(cables)
        picked = tuple(rng.sample(paras, min(len(paras), rng.randint(4, 12))))
        out.append(replace(
            base,
            refid=f"{base.refid[:2]}SYNTH{i + 1}",
            subject=" ".join(_pick(rng, " ".join(rng.sample(subjects, 2)).split(), 6)),
            paragraphs=picked,
            body="\n\n".join(p.text for p in picked),
            references=(),
        ))
    return out


if __name__ == "__main__":
    sys.exit(main())
