"""Precision and recall of name-variant matching (issue #6), and the common-word list.

    python -m bench.eval_names                       # evaluate; needs ../shared/corpus
    python -m bench.eval_names --write-pairs         # regenerate bench/name_pairs.tsv
    python -m bench.eval_names --write-common-words  # regenerate indexer/data/common_words.txt

**The lexicon.** Every distinct capitalized, name-like word of the shared corpus, as the
index's ``names`` field would hold it (:func:`indexer.names.name_keys`).

**The pairs** (``bench/name_pairs.tsv``: query spelling, corpus spelling, where from). Two
sources: families of known spellings of people, groups and places in the news of the time
(Gaddafi/QADHAFI, Ahmedinejad/AHMADINEJAD, ...), paired when the target spelling occurs in
the corpus; and generated ones: for
names mined from the corpus (capitalized words that recur, are never written in lower case,
and look like transliterations), one rewrite by a transliteration rule a journalist might use
(``q``->``g``, ``dh``->``dd``, ``ou``->``u``, ``ei``->``ey``, ``-ov``->``-off``, ...). The file
holds name spellings only, never cable text.

**The measures**, looking each query spelling up in the lexicon:

* recall: the corpus spelling is among the matches (known and generated pairs apart);
* precision, over the known families, where the truth is known: of the corpus spellings a
  query matches, how many belong to its family. Everything else is a false match, listed;
* for generated queries, how many other corpus spellings each pulls in besides its target
  (unjudged: some are the same name spelled a third way).

Both for the full method (key, then :func:`indexer.names.is_variant`) and for the key alone,
which is what a search that only looks up bare keys would get. The generated pairs come from
the same rules the key was designed around, so their recall is optimistic; the known pairs
are the honest part.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from indexer.names import (
    KEY_SEPARATOR,
    MIN_KEY,
    MIN_WORD,
    fold,
    name_key,
    name_keys,
    name_variants,
    query_name_keys,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "corpus" / "cablegate-html"
PAIRS = ROOT / "bench" / "name_pairs.tsv"
COMMON = ROOT / "indexer" / "data" / "common_words.txt"

# Spellings of one name, for people, groups and places in the news of 2001-2010, written
# down from general knowledge, plus the misspellings of them the corpus itself has
# (Medevedev, Khamanei, Saakashvilli: judged by reading the false-match list). Every spelling is a query; its targets are the family's other
# spellings that occur in the corpus; anything else it matches is a false match.
FAMILIES = [
    ["Qadhafi", "Gaddafi", "Qaddafi", "Gadhafi", "Kadhafi", "Kadafi", "Khadafy", "Qathafi"],
    ["Ahmadinejad", "Ahmedinejad", "Ahmadinezhad", "Ahmedinajad"],
    ["Medvedev", "Medwedew", "Medvedeff", "Medevedev"],
    ["Karzai", "Karzay", "Karsai"],
    ["Nasrallah", "Nasrullah", "Nasrala"],
    ["Khamenei", "Khamenehi", "Khamene'i", "Chamenei", "Khamanei", "Khameni", "Khameini"],
    ["Chavez", "Chávez", "Chaves"],
    ["Hizballah", "Hezbollah", "Hizbollah", "Hizbullah", "Hezballah", "Hizaballah"],
    ["Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed", "Mohamad", "Mohammid", "Mahammed"],
    ["Abdullah", "Abdallah", "Abdulla", "Abdalla", "Abdalah", "Abdalllah", "Abdellah"],
    ["Mahmoud", "Mahmud", "Mahmood", "Mahmut"],
    ["Hosni", "Husni", "Housni", "Hosny"],
    ["Mubarak", "Moubarak", "Moubarek"],
    ["Hussein", "Hussain", "Husayn", "Hossein", "Husein", "Hosein", "Housein", "Husain", "Huseyin"],
    ["Osama", "Usama", "Oussama"],
    ["Laden", "Ladin"],
    ["Qaida", "Qaeda", "Kaida", "Qa'ida"],
    ["Zawahiri", "Zawahri", "Sawahiri", "Zawahari"],
    ["Sistani", "Sistany"],
    ["Maliki", "Maleki", "Malaki"],
    ["Moqtada", "Muqtada", "Moktada"],
    ["Musharraf", "Musharaf", "Mousharraf", "Musharaff"],
    ["Rafsanjani", "Rafsandjani"],
    ["Khatami", "Chatami", "Hatami"],
    ["Mottaki", "Motaki", "Mottaqi"],
    ["Larijani", "Laridjani"],
    ["Jafari", "Jaafari", "Djafari", "Ja'afari", "Jaffari"],
    ["Yeltsin", "Eltsine", "Jelzin"],
    ["Khodorkovsky", "Khodorkovskiy", "Khodorkovskii", "Chodorkowski"],
    ["Lavrov", "Lavroff", "Lawrow"],
    ["Gorbachev", "Gorbatschow", "Gorbachov"],
    ["Saakashvili", "Saakachvili", "Saakaschwili", "Saakashvilli", "Sakaashvili"],
    ["Tymoshenko", "Timoshenko", "Tymoshenka", "Timochenko"],
    ["Yanukovych", "Yanukovich", "Janukowitsch"],
    ["Lukashenko", "Lukashenka", "Loukachenko", "Lukaschenko"],
    ["Nazarbayev", "Nazarbaev"],
    ["Karimov", "Karimoff"],
    ["Erdogan", "Erdoğan", "Erdoghan"],
    ["Haniyeh", "Haniya", "Haniyah", "Hania"],
    ["Assad", "Asad"],
    ["Saleh", "Salih"],
    ["Sharif", "Shareef", "Sherif", "Cherif"],
    ["Netanyahu", "Natanyahu", "Netaniahu"],
    ["Tehran", "Teheran"],
    ["Kandahar", "Qandahar", "Khandahar"],
    ["Fallujah", "Falluja", "Faluja"],
    ["Chechnya", "Chechnia", "Tschetschenien"],
    ["Mogadishu", "Mogadiscio", "Muqdisho"],
    ["Pyongyang", "Pjongjang"],
    ["Khartoum", "Khartum"],
    ["Hamas", "Hammas"],
    ["Taliban", "Taleban"],
    ["Kabul", "Kaboul"],
]
# One-rule rewrites (regex, replacement): spellings a reader might type for a transliterated
# name. Each generated query differs from its corpus spelling by exactly one rule.
RULES = [
    (r"^q", "g"), (r"^q", "k"), (r"(?<=[aeiou])q", "k"), (r"dh", "dd"), (r"dd", "dh"),
    (r"kh", "k"), (r"^k(?!h)", "kh"), (r"ou", "u"), (r"u(?!u)", "ou"), (r"ei", "ey"),
    (r"ey", "ei"), (r"ai$", "ay"), (r"i$", "y"), (r"ov$", "off"), (r"ev$", "eff"),
    (r"sky$", "ski"), (r"ski$", "sky"), (r"iy$", "y"), (r"y$", "i"), (r"(?<!d)j", "dj"), (r"ah$", "a"),
    (r"a$", "ah"), (r"ee", "i"), (r"oo", "u"), (r"ph", "f"), (r"(?<=[aeiou])ss", "s"),
    (r"(?<=[aeiou])s(?=[aeiou])", "ss"), (r"(?<=[aeiou])ll", "l"), (r"(?<=[aeiou])l(?=[aeiou])", "ll"),
    (r"(?<=[aeiou])mm", "m"), (r"(?<=[aeiou])m(?=[aeiou])", "mm"), (r"e(?=[^aeiou][aeiou])", "a"),
    (r"(?<=[^aeiou])a(?=[^aeiou])", "e"), (r"(?<=[^aeiou])o(?=[^aeiou])", "u"),
    (r"(?<=[^aeiou])u(?=[^aeiou])", "o"), (r"w", "v"), (r"v", "w"), (r"sh", "sch"), (r"ch", "tch"),
]
_TRANSLIT_HINT = re.compile(r"kh|gh|dh|q|zh|j|ov$|ev$|sky$|ski$|yev|iy|ah$|ai$|ou|aa|ee|ii|uu")


def iter_texts(root: Path):
    """(refid, cable text) for every WikiLeaks cable page under ``root`` (bench-only reader:
    the text ``<pre>`` blocks of the cable pane, tags stripped)."""
    for path in sorted(root.glob("*/*/*.html")):
        page = path.read_text(encoding="utf-8", errors="replace")
        pane = page[page.find("<div class='pane big'>") :]
        blocks = re.findall(r"<pre>(.*?)</pre>", pane, re.S)
        # The first block is the routing header (RUEHC/SECSTATE...): no names worth having.
        text = "\n".join(blocks[1:] or blocks).replace("&#x000A;", "\n")
        yield path.stem, html.unescape(re.sub(r"<[^>]+>", "", text))


_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


def word_counts(root: Path) -> tuple[Counter, Counter, Counter]:
    """(lower-case uses, capitalized uses, ALL-CAPS uses) per folded word, over cables that
    are written in mixed case (a lowercased cable would make every name look common)."""
    lower, cap, upper = Counter(), Counter(), Counter()
    for _, text in iter_texts(root):
        words = _TOKEN.findall(text)
        if not words:
            continue
        lowers = sum(1 for w in words if w.islower())
        if lowers < 0.3 * len(words):  # all-caps cable: the case says nothing here
            for w in words:
                if w.isupper():
                    upper[fold(w)] += 1
            continue
        capitals = sum(1 for w in words if w[0].isupper())
        if capitals < 0.03 * len(words):  # lowercased and sentence-cased: says nothing either
            continue
        for w in words:
            f = fold(w)
            if w.islower():
                lower[f] += 1
            elif w.isupper():
                upper[f] += 1
            elif w[0].isupper():
                cap[f] += 1
    return lower, cap, upper


def common_words(lower: Counter, cap: Counter) -> list[str]:
    """Words written in lower case often enough to be ordinary words, not names.

    A word counts when it occurs at least twice in lower case and its lower-case uses are at
    least a fortieth of its capitalized ones: "ambassador" (99 lower, 2,952 capitalized, the
    title) is common, "Iran" (3 stray lower-case uses, 4,458 capitalized) is not. Only words that could get a key at all
    are listed, which keeps the file small.
    """
    out = []
    for word, n in lower.items():
        if n >= 2 and n * 40 >= cap.get(word, 0) and len(word) >= MIN_WORD and len(name_key(word)) >= MIN_KEY:
            out.append(word)
    return sorted(out)


def write_common_words(root: Path) -> int:
    lower, cap, _ = word_counts(root)
    words = common_words(lower, cap)
    header = (
        "# Common words: never treated as names, so never blurred by name-variant matching.\n"
        "# Generated by `python -m bench.eval_names --write-common-words` from the lower-case\n"
        "# vocabulary of the 1,295 shared cables; see indexer/data/README.md. One word a line.\n"
    )
    COMMON.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    return len(words)


def lexicon(root: Path) -> tuple[dict[str, set[str]], Counter]:
    """key -> folded corpus spellings (the ``names`` field's vocabulary), and how many cables
    each spelling occurs in."""
    by_key: dict[str, set[str]] = defaultdict(set)
    df: Counter = Counter()
    for _, text in iter_texts(root):
        for term in name_keys(text):
            key, sep, word = term.partition(KEY_SEPARATOR)
            if sep:
                by_key[key].add(word)
                df[word] += 1
    return by_key, df


def mined_names(df: Counter, lower: Counter) -> list[str]:
    """Corpus spellings that look like transliterated names: in two or more cables, never in
    lower case, and with a transliteration hint in them (kh, q, -ov, ...)."""
    return sorted(w for w, n in df.items() if n >= 2 and not lower.get(w) and _TRANSLIT_HINT.search(w))


def generate_pairs(df: Counter, lower: Counter) -> list[tuple[str, str, str]]:
    """(query, target, source) rows: every family spelling against each *other* spelling of
    its family that occurs in the corpus, then one rule rewrite per mined name (the first
    rule that changes it), skipping rewrites that are themselves corpus words."""
    rows: list[tuple[str, str, str]] = []
    seen = set()
    for family in FAMILIES:
        for query in dict.fromkeys(family):
            for target in dict.fromkeys(family):
                q, t = fold(query), fold(target)
                if q != t and df.get(t) and (q, t) not in seen:
                    seen.add((q, t))
                    rows.append((query, t, "known"))
    for name in mined_names(df, lower):
        for pattern, repl in RULES:
            variant = re.sub(pattern, repl, name, count=1)
            if variant != name and variant not in df and variant not in lower:
                rows.append((variant, name, f"rule {pattern}->{repl}"))
                break
    return rows


def write_pairs(rows: list[tuple[str, str, str]]) -> None:
    header = "# query\tcorpus spelling\tsource. Generated by `python -m bench.eval_names --write-pairs`.\n"
    PAIRS.write_text(header + "".join(f"{q}\t{t}\t{s}\n" for q, t, s in rows), encoding="utf-8")


def read_pairs() -> list[tuple[str, str, str]]:
    rows = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            q, t, s = line.split("\t")
            rows.append((q, t, s))
    return rows


def evaluate(rows, by_key: dict[str, set[str]]) -> dict:
    """Recall over all pairs; precision over the known families, where the truth is known.

    For a generated pair only its target is known to be right, so its other matches are
    counted separately ("other spellings pulled in"), not judged.
    """
    family_of: dict[str, frozenset[str]] = {}
    for family in FAMILIES:
        members = frozenset(fold(w) for w in family)
        for w in members:
            family_of[w] = members
    queries: dict[str, tuple[str, set[str]]] = {}
    for q, t, source in rows:
        queries.setdefault(fold(q), (source, set()))[1].add(t)
    result = {}
    for method in ("key+check", "key only"):
        found = {"known": [0, 0], "generated": [0, 0]}
        tp = fp = extra = 0
        false_examples: list[str] = []
        for q, (source, targets) in queries.items():
            matches = _lookup(q, by_key, check=(method == "key+check"))
            kind = "known" if source == "known" else "generated"
            for t in targets:
                found[kind][1] += 1
                found[kind][0] += t in matches
            others = [m for m in matches if m != q and m not in targets]
            if kind == "known":
                for m in matches:
                    if m == q or m in family_of[q]:
                        tp += 1
                    else:
                        fp += 1
                        false_examples.append(f"{q} -> {m}")
            else:
                extra += len(others)
        n_generated = sum(1 for s, _ in queries.values() if s != "known")
        result[method] = {
            "recall": found,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "false_matches": fp,
            "false_examples": false_examples,
            "extra_per_generated_query": extra / n_generated if n_generated else 0.0,
        }
    return result


def _lookup(word: str, by_key: dict[str, set[str]], check: bool) -> list[str]:
    """The corpus spellings a query word finds: by key (and the spelling check)."""
    keys = query_name_keys(word)
    if not keys:
        return [fold(word)] if fold(word) in by_key.get(name_key(word), ()) else []
    candidates = [f"{key}{KEY_SEPARATOR}{w}" for key in keys for w in sorted(by_key.get(key, ()))]
    if check:
        return [c.partition(KEY_SEPARATOR)[2] for c in name_variants(word, candidates)]
    return [c.partition(KEY_SEPARATOR)[2] for c in candidates]


def flood(by_key: dict[str, set[str]], words=("Medvedev", "Putin", "Karzai", "Gaddafi", "Obama", "Maliki")) -> dict:
    """How many distinct corpus spellings each query pulls in (the "not flooded" check)."""
    out = {}
    for w in words:
        keys = query_name_keys(w)
        cands = [f"{key}{KEY_SEPARATOR}{c}" for key in keys for c in sorted(by_key.get(key, ()))]
        out[w] = ([c.partition(KEY_SEPARATOR)[2] for c in name_variants(w, cands)], len(cands))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.eval_names", description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=SHARED, help="WikiLeaks cable pages (YYYY/MM/REFID.html)")
    ap.add_argument("--write-pairs", action="store_true", help="regenerate bench/name_pairs.tsv")
    ap.add_argument("--write-common-words", action="store_true", help="regenerate indexer/data/common_words.txt")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}: this benchmark needs the shared cables", file=sys.stderr)
        return 1
    if args.write_common_words:
        n = write_common_words(args.corpus)
        print(f"wrote {n} common words to {COMMON.relative_to(ROOT)}")
        return 0
    by_key, df = lexicon(args.corpus)
    if args.write_pairs or not PAIRS.exists():
        lower, _, _ = word_counts(args.corpus)
        write_pairs(generate_pairs(df, lower))
    rows = read_pairs()
    print(f"lexicon: {sum(len(v) for v in by_key.values())} name spellings under {len(by_key)} keys; "
          f"{len(rows)} pairs ({sum(1 for r in rows if r[2] == 'known')} known)")
    for method, r in evaluate(rows, by_key).items():
        (kf, kn), (gf, gn) = r["recall"]["known"], r["recall"]["generated"]
        print(f"\n[{method}]")
        print(f"  recall, known pairs      {kf}/{kn} = {kf / max(kn, 1):.3f}")
        print(f"  recall, generated pairs  {gf}/{gn} = {gf / max(gn, 1):.3f}")
        print(f"  precision, known queries {r['precision']:.3f} ({r['false_matches']} false matches)")
        print(f"  other spellings pulled in per generated query: {r['extra_per_generated_query']:.2f}")
        if r["false_examples"]:
            print("  false matches: " + "; ".join(r["false_examples"][:15]))
    print("\nflood check (query: spellings accepted / spellings under its key)")
    for w, (acc, n) in flood(by_key).items():
        print(f"  {w}: {acc} / {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
