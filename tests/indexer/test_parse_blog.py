"""The seed: cable 06BANGKOK3955 as a blog scraped it."""

from __future__ import annotations

from datetime import datetime

import pytest

from indexer import parse_text, read_cables

SEED = "000_0878ecbdb2fa6b16.txt"


@pytest.fixture(scope="module")
def seed(corpus_dir):
    cables = list(read_cables(corpus_dir / SEED))
    assert len(cables) == 1
    return cables[0]


def test_metadata(seed):
    assert seed.refid == "06BANGKOK3955"
    assert seed.created == datetime(2006, 7, 5, 10, 7)
    assert seed.origin == "Embassy Bangkok"
    assert seed.classification == "UNCLASSIFIED"
    assert seed.source.format == "blog"
    assert seed.references == ()
    assert seed.nondisclosure_deadline is None  # "E.O. 12958: N/A"


def test_numbered_paragraphs_run_1_to_13(seed):
    numbered = [p.number for p in seed.paragraphs if p.number is not None]
    assert numbered == list(range(1, 14))
    assert seed.paragraphs[0].text.startswith("Summary. The Vital Voices Conference, entitled Civil")


def test_final_statement_kept_without_blog_chrome(seed):
    last = seed.paragraphs[-1]
    assert last.number == 13
    assert "Final Statement - Conference on ivil Society" in last.text  # lost letter stays lost
    assert last.text.endswith("in addressing the global phenomenon of human trafficking.")
    for chrome in ("Written by thaicables", "Leave a Reply", "leave a comment", "thaicables",
                   "Posted in Uncategorized", "Fill in your details"):
        assert chrome not in seed.body
        assert chrome not in seed.header


def test_quotes_and_wraps_are_cleaned(seed):
    p3 = next(p for p in seed.paragraphs if p.number == 3)
    # \” escapes became plain quotes; em-dash bullets became "--"; wrapped lines joined.
    assert '-- Reduce "capital city policymaking" that ignored realities on the ground' in p3.text
    p1 = seed.paragraphs[0]
    assert "Mekong Sub-Region, was held in Bangkok" in p1.text  # "Sub-" + "Region" joined
    assert "conference's unique format" in p1.text  # \’ unescaped
    assert "\\" not in seed.body


def test_summary(seed):
    assert seed.summary.startswith("The Vital Voices Conference, entitled Civil Society")
    assert seed.summary.endswith("in a region subject to huge migrant flows.")
    assert "End Summary" not in seed.summary


def test_parse_text_detects_blog(corpus_dir):
    text = (corpus_dir / SEED).read_text(encoding="utf-8")
    cable = parse_text(text)
    assert cable.source.format == "blog"
    assert cable.refid == "06BANGKOK3955"
    assert cable.source.path is None
