"""Totals and facets are exact on a larger index (5,000 synthetic cables).

Whoosh's ``len(results)`` is an estimate that under-reports date-range-plus-word
queries on big indexes; ``Results.total`` must equal a count done by hand.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from indexer.build import build_index
from indexer.models import Cable, Paragraph
from search import CableSearch

pytestmark = pytest.mark.slow

N = 5000
VOCAB = [f"w{i}" for i in range(300)]


def _cables() -> list[Cable]:
    rng = random.Random(5)
    out = []
    for i in range(N):
        created = datetime(2003, 1, 1) + timedelta(days=rng.randrange(365 * 7), hours=rng.randrange(24))
        paras = tuple(
            Paragraph(n + 1, rng.choice(["C", "S", "U"]), " ".join(rng.choice(VOCAB) for _ in range(30)))
            for n in range(3)
        )
        out.append(Cable(
            refid=f"{created:%y}SYNTH{i + 1}",
            created=created,
            origin=rng.choice(["Embassy Ankara", "Embassy Amman", "Secretary of State"]),
            classification=rng.choice(["SECRET", "CONFIDENTIAL", "UNCLASSIFIED"]),
            subject=" ".join(rng.choice(VOCAB) for _ in range(5)),
            body="\n\n".join(p.text for p in paras),
            paragraphs=paras,
        ))
    return out


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    cables = _cables()
    path = tmp_path_factory.mktemp("big") / "index"
    build_index(path, cables)
    with CableSearch(path) as engine:
        yield engine, cables


def _words(c: Cable) -> set[str]:
    return set((c.subject + " " + c.body).split())


@pytest.mark.parametrize(
    ("query", "words", "start", "end"),
    [
        ("w7 date:[2004-03 TO 2006-08]", {"w7"}, date(2004, 3, 1), date(2006, 8, 31)),
        ("w12 w200 date:2005", {"w12", "w200"}, date(2005, 1, 1), date(2005, 12, 31)),
        ("w3 since jul 2008", {"w3"}, date(2008, 7, 1), date(2099, 1, 1)),
        ("w150", {"w150"}, date(1900, 1, 1), date(2099, 1, 1)),
    ],
)
def test_totals_are_exact(big, query, words, start, end):
    engine, cables = big
    expected = [c for c in cables if words <= _words(c) and start <= c.created.date() <= end]
    r = engine.search(query, page_size=5)
    assert r.total == len(expected) > 20
    assert not r.relaxed
    # Facets are counted over all of them, not the page.
    assert {f.value: f.count for f in r.facets["classification"]} == dict(
        Counter(c.classification for c in expected))
    assert {int(f.value): f.count for f in r.facets["year"]} == dict(Counter(c.created.year for c in expected))
    assert sum(1 for _ in engine.export(query)) == len(expected)


def test_filtered_totals_are_exact(big):
    engine, cables = big
    r = engine.search("w9", filters={"origin": ["Embassy Ankara"], "year": ["2004", "2007"]})
    expected = [c for c in cables if "w9" in _words(c) and c.origin == "Embassy Ankara"
                and c.created.year in (2004, 2007)]
    assert r.total == len(expected)


def test_deep_pages_are_the_ranking_cut_into_pages(big):
    engine, _ = big
    whole = [h.refid for h in engine.export("w42 w43", sort="-date")]
    page3 = [h.refid for h in engine.search("w42 w43", sort="-date", page=3, page_size=20).hits]
    assert page3 == whole[40:60]


def test_marking_totals_are_exact(big):
    engine, cables = big
    words = {"w7", "w12"}
    expected = {c.refid for c in cables
                if any(p.marking == "S" and words <= set(p.text.split()) for p in c.paragraphs)}
    r = engine.search("marking:S w7 w12", page_size=100)
    assert r.total == len(expected) > 20
    assert {h.refid for h in r.hits} == expected
    for hit in r.hits:  # the best paragraph shown is such a paragraph
        para = hit.paragraphs[0]
        assert para.marking == "S" and words <= set(para.text.split()), hit.refid
    # Words in two different paragraphs, or in a paragraph not marked S, don't count.
    anywhere = {c.refid for c in cables if words <= _words(c)}
    assert len(anywhere) > len(expected)
