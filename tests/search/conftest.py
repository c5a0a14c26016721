"""Small indexes for the search tests, built with the real writer in tmp directories.

The cables here are written for the tests (no real cable text): a handful of documents
with deliberately overlapping words, so the expected rankings can be worked out by hand.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.models import Cable, Paragraph

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"


def cable(refid, created, origin, classification, subject, paras, *, tags=(), caveats=(),
          refs=(), signers=()):
    """A Cable whose body is its paragraphs, each ``(number, marking, text)``."""
    paragraphs = tuple(Paragraph(n, m, t) for n, m, t in paras)
    return Cable(
        refid=refid,
        created=created,
        origin=origin,
        classification=classification,
        caveats=tuple(caveats),
        subject=subject,
        tags=tuple(tags),
        references=tuple(refs),
        signers=tuple(signers),
        body="\n\n".join(p.text for p in paragraphs),
        paragraphs=paragraphs,
    )


def small_corpus() -> list[Cable]:
    """Eight cables; see each test for the hand-worked expectation."""
    filler = "The embassy continues to follow developments closely and will report further."
    return [
        cable("06BANGKOK3955", datetime(2006, 7, 5, 10, 7), "Embassy Bangkok", "UNCLASSIFIED",
              "VITAL VOICES CONFERENCE ON TRAFFICKING IN PERSONS",
              [(1, "U", "Summary. The Vital Voices conference on trafficking in persons was held in Bangkok."),
               (2, "SBU", "NGOs praised the regional forum against human trafficking. " + filler)],
              tags=("KTIP", "PHUM", "TH"), signers=("BOYCE",)),
        cable("07BANGKOK3955", datetime(2007, 6, 1, 8, 0), "Embassy Bangkok", "CONFIDENTIAL",
              "THAI ELECTION UPDATE",
              [(1, "C", "The election commission met party leaders. " + filler)],
              tags=("PGOV", "TH"), refs=("06BANGKOK3955",)),
        cable("07ANKARA100", datetime(2007, 1, 15, 9, 30), "Embassy Ankara", "CONFIDENTIAL//NOFORN",
              "TURKEY: KURDISH ISSUES AND THE PKK",
              [(1, "C", "The PKK attacked a border post; Kurdish leaders condemned it. " + filler),
               (2, "S", "Officials discussed the nuclear program of Iran in a closed session.")],
              tags=("PREL", "PTER", "TU"), caveats=("NOFORN", "SIPDIS"), refs=("06BANGKOK3955",)),
        cable("08TRIPOLI50", datetime(2008, 3, 10, 12, 0), "Embassy Tripoli", "SECRET",
              "LIBYA: LEADER ON OIL CONTRACTS",
              [(1, "S", "Qadhafi discussed oil contracts with foreign companies."),
               (2, "C", "Human trafficking through Libya continues; persons are smuggled north.")],
              tags=("PREL", "EPET", "LY"), caveats=("SIPDIS",)),
        cable("09STATE1234", datetime(2009, 5, 1, 15, 0), "Secretary of State", "UNCLASSIFIED",
              "TRAFFICKING IN PERSONS REPORT GUIDANCE",
              [(1, "U", "Posts should report on trafficking in persons by March. " + filler)],
              tags=("KTIP", "KCRM")),
        cable("10PARIS5", datetime(2010, 2, 2, 7, 45), "Embassy Paris", "CONFIDENTIAL",
              "FRANCE: <script>alert(1)</script> NUCLEAR TALKS",
              [(1, "C", "Paris hosted <script>alert('x')</script> nuclear talks & more.")],
              tags=("PREL", "FR"), caveats=("SIPDIS",)),
        cable("08GENEVA10", datetime(2008, 9, 9, 9, 0), "Mission Geneva", "UNCLASSIFIED",
              "UN MEETING NOTES",
              [(1, "U", "Delegates praised the human rights council for its work this session.")],
              tags=("PHUM", "UNHRC")),
        cable("08GENEVA11", datetime(2008, 9, 10, 9, 0), "Mission Geneva", "UNCLASSIFIED",
              "UN MEETING NOTES",
              [(1, "U", "Human delegates debated water; the council later discussed rights of states.")],
              tags=("PHUM",)),
    ]


@pytest.fixture(scope="session", params=["postings", "arrays"])
def small_index(request, tmp_path_factory) -> Path:
    """An index of :func:`small_corpus`, built once per test session (read-only).

    Twice: as usual (its terms are too rare for posting arrays, so searches read
    Whoosh's postings), and with posting arrays (:mod:`indexer.postarrays`) for every
    term, as the common terms of a big index have them."""
    import indexer.postarrays

    path = tmp_path_factory.mktemp(f"small-{request.param}") / "index"
    kept = indexer.postarrays.MIN_POSTINGS
    if request.param == "arrays":
        indexer.postarrays.MIN_POSTINGS = 1
    try:
        build_index(path, small_corpus(), workers=0)
    finally:
        indexer.postarrays.MIN_POSTINGS = kept
    return path


@pytest.fixture(scope="session")
def engine(small_index):
    from search import CableSearch

    with CableSearch(small_index) as s:
        yield s


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The shared real cables, or skip."""
    path = SHARED / "corpus" / "cablegate-html"
    if not path.is_dir():
        pytest.skip(f"the shared corpus is not at {path.resolve()} (tests that read real cables need it)")
    return path
