"""Paragraph-level matching from body positions (schema version 3): a hit's best
paragraphs, and ``marking:`` words inside one marked paragraph.

The cables are written for these tests; their bodies start with header lines (as parsed
cables' do), so body positions and paragraph positions differ.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from indexer.build import build_index
from indexer.models import Cable, Paragraph
from search import CableSearch

HEADER = "SUBJECT: HERON AND REACTOR NOTES\nREF: NONE\nClassified By: a heron reactor officer."


def _cable(refid: str, paras: list[tuple[int, str, str]], *, day: int = 1,
           refs: tuple[str, ...] = ()) -> Cable:
    paragraphs = tuple(Paragraph(n, m, t) for n, m, t in paras)
    return Cable(
        refid=refid,
        created=datetime(2009, 4, day, 12, 0),
        origin="Embassy Vienna",
        classification="SECRET",
        subject="NOTES",
        references=refs,
        body=HEADER + "\n\n" + "\n\n".join(p.text for p in paragraphs),
        paragraphs=paragraphs,
    )


def _cables() -> list[Cable]:
    return [
        # The words split over an S and a U paragraph: no marked paragraph has both.
        _cable("09VIENNA1", [(1, "S", "The nuclear file was discussed."),
                             (2, "U", "A reactor tour is planned.")], day=1),
        # Both words in the S paragraph.
        _cable("09VIENNA2", [(1, "U", "Weather was fine."),
                             (2, "S", "The nuclear reactor at the site restarted.")], day=2),
        # Both words in one paragraph, but it is marked C.
        _cable("09VIENNA3", [(1, "S", "Budget talks went on."),
                             (2, "C", "Nuclear reactor safety was raised.")], day=3),
        # The best paragraph is the third: both words; the first says one word three times.
        _cable("09VIENNA4", [(1, "U", "Heron heron heron sightings were logged by the staff "
                                      "over many long days in the marshes near the river."),
                             (2, "U", "Nothing about birds here."),
                             (3, "C", "A heron nested by the cooling tower.")], day=4,
               refs=("09VIENNA1", "09VIENNA2")),
        # Marked S/NF: marking:S matches it, and marking:NF.
        _cable("09VIENNA5", [(1, "S/NF", "Nuclear reactor fuel was moved.")], day=5,
               refs=("09VIENNA1",)),
    ]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("paras") / "index"
    build_index(path, _cables())
    with CableSearch(path) as s:
        yield s


def refids(r):
    return sorted(h.refid for h in r.hits)


def test_best_paragraph_comes_from_where_the_words_are(engine):
    # "heron" is in every cable's header lines too; only paragraph positions count.
    r = engine.search("heron cooling")
    assert r.total == 5 and r.relaxed and r.hits[0].refid == "09VIENNA4"
    hit = r.hits[0]
    assert [p.number for p in hit.paragraphs] == [3, 1]
    assert hit.paragraphs[0].html == "A <mark>heron</mark> nested by the <mark>cooling</mark> tower."


def test_words_only_in_the_header_pick_no_paragraph(engine):
    # "officer" is only in the header: the snippet falls back to the first paragraph.
    r = engine.search("officer")
    assert refids(r) == ["09VIENNA1", "09VIENNA2", "09VIENNA3", "09VIENNA4", "09VIENNA5"]
    first = [h for h in r.hits if h.refid == "09VIENNA4"][0].paragraphs
    assert [(p.number, "<mark>" in p.html) for p in first] == [(1, False)]


def test_marking_needs_every_word_in_one_marked_paragraph(engine):
    r = engine.search("marking:S nuclear reactor")
    assert refids(r) == ["09VIENNA2", "09VIENNA5"]  # not 09VIENNA1 (split) nor 09VIENNA3 (C)
    assert r.total == 2 and not r.relaxed
    best = {h.refid: [(p.number, p.marking) for p in h.paragraphs] for h in r.hits}
    assert best == {"09VIENNA2": [(2, "S")], "09VIENNA5": [(1, "S/NF")]}
    assert refids(engine.search("marking:S nuclear")) == ["09VIENNA1", "09VIENNA2", "09VIENNA5"]
    assert refids(engine.search("marking:C nuclear reactor")) == ["09VIENNA3"]
    assert refids(engine.search("marking:NF reactor")) == ["09VIENNA5"]
    assert refids(engine.search('marking:S "nuclear reactor"')) == ["09VIENNA2", "09VIENNA5"]
    assert refids(engine.search("marking:U reactor")) == ["09VIENNA1"]
    assert engine.search("marking:C heron nuclear").total == 0


def test_marking_alone_lists_cables_with_such_a_paragraph(engine):
    assert refids(engine.search("marking:C")) == ["09VIENNA3", "09VIENNA4"]
    assert refids(engine.search("marking:S/NF")) == ["09VIENNA5"]


def test_cited_by_both_directions(engine):
    assert engine.cable("09VIENNA1").cited_by == ("09VIENNA4", "09VIENNA5")
    assert engine.cable("09VIENNA2").cited_by == ("09VIENNA4",)
    assert engine.cable("09VIENNA4").cited_by == ()
    assert refids(engine.search("citedby:09VIENNA4")) == ["09VIENNA1", "09VIENNA2"]
    assert refids(engine.search("citedby:09VIENNA*")) == ["09VIENNA1", "09VIENNA2"]
    assert refids(engine.search("refs:09VIENNA1")) == ["09VIENNA4", "09VIENNA5"]
    assert engine.search("citedby:09VIENNA3").total == 0  # cites nothing
    assert engine.search("citedby:09NOWHERE1").total == 0  # not indexed
    assert refids(engine.search("heron -citedby:09VIENNA5")) == [
        "09VIENNA2", "09VIENNA3", "09VIENNA4", "09VIENNA5"]


def test_stats_count_the_live_paragraphs(tmp_path):
    path = tmp_path / "index"
    build_index(path, _cables())
    with CableSearch(path) as s:
        assert (s.stats()["cables"], s.stats()["paragraphs"]) == (5, 10)
        build_index(path, [_cable("09VIENNA5", [(1, "S", "One."), (2, "S", "Two."), (3, "C", "Three.")],
                                  day=5)])
        assert (s.stats()["cables"], s.stats()["paragraphs"]) == (5, 12)
