"""TAG code meanings: the table, the lookups, and the table's coverage of real cables."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from indexer.tags import (
    KINDS,
    codes_for_words,
    load_table,
    parse_table,
    person_name,
    tag_kind,
    tag_meaning,
    tags_text,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "cablegate-html"


@pytest.mark.parametrize(
    ("code", "meaning", "kind"),
    [
        ("PREL", "Political Relations", "subject"),
        ("PGOV", "Internal Governmental Affairs", "subject"),
        ("PHUM", "Human Rights", "subject"),
        ("ECON", "Economic Conditions", "subject"),
        ("EFIN", "Financial and Monetary Affairs", "subject"),
        ("PTER", "Terrorists and Terrorism", "subject"),
        ("SNAR", "Narcotics", "subject"),
        ("MARR", "Military and Defense Arrangements", "subject"),
        ("KTIP", "Trafficking in Persons", "program"),
        ("KNNP", "Nuclear Non-Proliferation", "program"),
        ("TH", "Thailand", "geo"),
        ("TU", "Turkey", "geo"),
        ("KN", "North Korea", "geo"),
        ("KS", "South Korea", "geo"),
        ("IZ", "Iraq", "geo"),
        ("NATO", "North Atlantic Treaty Organization", "org"),
        ("EUN", "European Union", "org"),
        ("IAEA", "International Atomic Energy Agency", "org"),
        ("OVIP", "Visits and Travel of Prominent Individuals", "person"),
    ],
)
def test_known_codes(code, meaning, kind):
    assert tag_meaning(code) == meaning
    assert tag_kind(code) == kind


def test_lookup_ignores_case_and_spacing():
    assert tag_meaning(" prel ") == "Political Relations"
    assert tag_kind("th") == "geo"


def test_unknown_codes_have_no_meaning():
    assert tag_meaning("ZZZZ") is None
    assert tag_kind("ZZZZ") == "unknown"
    assert tag_meaning("") is None


@pytest.mark.parametrize(
    ("tag", "name", "meaning"),
    [
        ("OVIP (STEINBERG, JAMES B.)", "James B. Steinberg",
         "Visits and Travel of Prominent Individuals: James B. Steinberg"),
        ("OVIP(CLINTON, HILLARY)", "Hillary Clinton", "Visits and Travel of Prominent Individuals: Hillary Clinton"),
        ("STEINBERG, JAMES B.", "James B. Steinberg", "James B. Steinberg"),
        ("(O'NEIL, PAUL)", "Paul O'Neil", "Paul O'Neil"),
    ],
)
def test_person_tags(tag, name, meaning):
    assert person_name(tag) == name
    assert tag_kind(tag) == "person"
    assert tag_meaning(tag) == meaning


def test_tags_text_joins_known_meanings_once_in_order():
    assert tags_text(["PREL", "TH", "XXXX", "PREL"]) == "Political Relations Thailand"
    assert tags_text([]) == ""
    assert tags_text(["OVIP (STEINBERG, JAMES B.)", "KTIP"]) == (
        "Visits and Travel of Prominent Individuals: James B. Steinberg Trafficking in Persons"
    )


@pytest.mark.parametrize(
    ("words", "codes"),
    [
        ("political relations", ["PREL"]),
        ("Political Relations", ["PREL"]),
        ("trafficking in persons", ["KTIP"]),
        ("thailand", ["TH"]),
        ("north korea", ["KN"]),
        ("korea", ["KN", "KS"]),
        ("human rights", ["PHUM", "UNCHR", "UNHRC"]),
        ("narcotic", ["SNAR"]),  # stemmed: narcotic ~ Narcotics
        ("burma", ["BM"]),
        ("myanmar", ["BM"]),
        ("of the", []),
        ("", []),
        ("political weather", []),
    ],
)
def test_codes_for_words(words, codes):
    assert codes_for_words(words) == codes


def test_every_row_has_a_kind_and_codes_are_upper_case():
    table = load_table()
    assert len(table) > 400
    for code, info in table.items():
        assert code == code.upper() == info.code
        assert info.kind in KINDS and info.kind != "unknown"
        assert info.meaning.strip() == info.meaning != ""


def test_all_fips_country_codes_are_there():
    geo = [c for c, i in load_table().items() if i.kind == "geo" and len(c) == 2]
    assert len(geo) >= 270  # FIPS 10-4 has ~270 two-letter entries


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("PREL\tsubject", "tags table line 1: expected CODE<TAB>KIND<TAB>MEANING: 'PREL\\tsubject'"),
        ("# c\nPREL\tsubjekt\tPolitical Relations", "tags table line 2: unknown kind 'subjekt' for PREL"),
        ("PREL\tsubject\tA\nprel\tsubject\tB", "tags table line 2: duplicate code PREL"),
        ("ZZ\tunknown\tNothing", "tags table line 1: unknown kind 'unknown' for ZZ"),
    ],
)
def test_parse_table_rejects_bad_lines(text, message):
    with pytest.raises(ValueError) as err:
        parse_table(text)
    assert str(err.value) == message


def test_parse_table_skips_comments_and_blank_lines():
    table = parse_table("# header\n\nPREL\tsubject\tPolitical Relations\n")
    assert list(table) == ["PREL"]
    assert table["PREL"].meaning == "Political Relations"


def _corpus_tag_counts() -> Counter:
    """TAG codes on the TAGS lines of the shared cable pages (a bench-style regex scan)."""
    counts: Counter = Counter()
    for path in SHARED.glob("*/*/*.html"):
        page = path.read_text(encoding="utf-8", errors="replace")
        pane = page[page.find("<div class='pane big'>") :]
        for line in re.findall(r"TAGS?:?\s*((?:<a href='/tag/[^']*'>[^<]*</a>[\s,]*)+)", pane):
            counts.update(re.findall(r"'>([^<]*)</a>", line))
    return counts


def test_table_covers_the_tags_of_the_shared_corpus():
    if not SHARED.is_dir():
        pytest.skip(f"the shared corpus is not at {SHARED}")
    counts = _corpus_tag_counts()
    total = sum(counts.values())
    known = sum(n for code, n in counts.items() if tag_meaning(code) is not None)
    # Every code used 10 or more times has a meaning, and 97%+ of all tag uses are explained.
    frequent_unknown = sorted(c for c, n in counts.items() if n >= 10 and tag_meaning(c) is None)
    assert frequent_unknown == []
    assert known / total >= 0.97, f"{known}/{total} tag uses have a meaning"


def test_every_meaning_finds_its_code():
    """The query-side expansion round-trips: a row's own meaning finds the row."""
    for code, info in load_table().items():
        assert code in codes_for_words(info.meaning), (code, info.meaning)
