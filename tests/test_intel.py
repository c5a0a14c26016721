"""Issue #6 end to end: REF chains and cited_by, TAG meanings in search, the refid box,
name variants and portion-marked search, through the real index and the real facade.

Small indexes are built in ``tmp_path`` from :class:`Cable` records made here and from the
repo's ``corpus/``; the checks over ``../shared/corpus`` skip without it.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

import pytest

from indexer import Cable, Paragraph, build_index, read_cables
from search import CableSearch

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "corpus"
SHARED_HTML = SHARED / "cablegate-html"
REFID = re.compile(r"\d{2}[A-Z]+\d+")


def cable(refid: str, *paras: tuple[str | None, str], subject: str = "", tags=(), refs=(), year=None) -> Cable:
    """A small cable: paragraphs given as (marking, text), numbered from 1."""
    paragraphs = tuple(Paragraph(i, mark, text) for i, (mark, text) in enumerate(paras, start=1))
    created = datetime(year or 2000 + int(refid[:2]), 3, 1, 12, 0)
    return Cable(
        refid=refid,
        created=created,
        origin="Embassy " + re.sub(r"^\d+|\d+$", "", refid).title(),
        classification="SECRET",
        subject=subject or f"Subject of {refid}",
        tags=tuple(tags),
        references=tuple(refs),
        body="\n\n".join(f"{n}. ({m}) {t}" if m else t for n, (m, t) in enumerate(paras, start=1)),
        paragraphs=paragraphs,
    )


def index(tmp_path: Path, *cables: Cable, name: str = "index") -> CableSearch:
    build_index(tmp_path / name, list(cables))
    return CableSearch(tmp_path / name)


def refids(results) -> list[str]:
    return [h.refid for h in results.hits]


# ---- 1. REF chains ---------------------------------------------------------------------


def test_cited_by_follows_incremental_reindexing(tmp_path):
    old = cable("06BANGKOK3955", ("U", "Civil society groups met the embassy."))
    build_index(tmp_path / "ix", [old])
    s = CableSearch(tmp_path / "ix")
    assert s.cable("06BANGKOK3955").cited_by == ()

    new = cable("06BANGKOK4100", ("C", "Follow-up on the civil society meeting."), refs=["06BANGKOK3955", "05STATE1234"])
    build_index(tmp_path / "ix", [new])  # a second, incremental run
    fresh = CableSearch(tmp_path / "ix").cable("06BANGKOK3955")
    assert fresh.cited_by == ("06BANGKOK4100",), "the index did not update the cited cable"
    view = s.cable("06BANGKOK3955")  # a long-lived facade (the web app's) must see it too
    assert view.cited_by == ("06BANGKOK4100",), "a CableSearch opened before the run is stale"
    assert "06BANGKOK4100" in view.indexed_refs

    # the citing cable shows its references, the one not in the index left unlinked
    citing = s.cable("06BANGKOK4100")
    assert citing.cable.references == ("06BANGKOK3955", "05STATE1234")
    assert citing.indexed_refs == frozenset({"06BANGKOK3955"})
    assert citing.cited_by == ()


def test_cited_by_drops_a_citation_when_the_citing_cable_changes(tmp_path):
    old = cable("06BANGKOK3955", ("U", "Civil society groups met the embassy."))
    citing = cable("06BANGKOK4100", ("C", "Follow-up."), refs=["06BANGKOK3955"])
    build_index(tmp_path / "ix", [old, citing])
    s = CableSearch(tmp_path / "ix")
    assert s.cable("06BANGKOK3955").cited_by == ("06BANGKOK4100",)
    corrected = cable("06BANGKOK4100", ("C", "Follow-up, corrected."), refs=["05STATE1234"])
    build_index(tmp_path / "ix", [corrected])
    assert CableSearch(tmp_path / "ix").cable("06BANGKOK3955").cited_by == ()
    assert s.cable("06BANGKOK3955").cited_by == (), "a CableSearch opened before the run is stale"


def test_refs_and_citedby_query_fields(tmp_path):
    s = index(
        tmp_path,
        cable("06BANGKOK3955", ("U", "Civil society groups met the embassy.")),
        cable("06BANGKOK4100", ("C", "Follow-up on civil society."), refs=["06BANGKOK3955"]),
        cable("06BANGKOK4200", ("C", "Another follow-up on civil society."), refs=["06BANGKOK3955", "06BANGKOK4100"]),
        cable("06BANGKOK4300", ("C", "Unrelated trade talk.")),
    )
    assert sorted(refids(s.search("refs:06BANGKOK3955"))) == ["06BANGKOK4100", "06BANGKOK4200"]
    assert refids(s.search("refs:06BANGKOK4100")) == ["06BANGKOK4200"]
    # citedby:X finds the cables X cites
    assert sorted(refids(s.search("citedby:06BANGKOK4200"))) == ["06BANGKOK3955", "06BANGKOK4100"]
    assert refids(s.search("citedby:06BANGKOK4300")) == []
    assert s.cable("06BANGKOK3955").cited_by == ("06BANGKOK4100", "06BANGKOK4200")


def test_references_of_the_shared_corpus_resolve_to_refids():
    """Every reference the parser extracts is a canonical refid, and most of them name a
    real Cablegate cable (``cable-ids.csv``); cables with a REF line mostly get references."""
    if not SHARED_HTML.is_dir():
        pytest.skip(f"the shared corpus is not at {SHARED_HTML}")
    with open(SHARED / "cable-ids.csv", encoding="utf-8", newline="") as fh:
        known = {row[0] for row in csv.reader(fh) if row and row[0] != "refid"}
    cables = with_ref_line = resolved_cables = refs = in_cablegate = 0
    malformed = []
    for c in read_cables(SHARED_HTML):
        cables += 1
        if re.search(r"^\s*REFS?\b", c.body or "", re.M):
            with_ref_line += 1
            resolved_cables += bool(c.references)
        for r in c.references:
            refs += 1
            in_cablegate += r in known
            if not REFID.fullmatch(r):
                malformed.append((c.refid, r))
    print(
        f"\nREF lines: {resolved_cables}/{with_ref_line} cables resolved "
        f"({resolved_cables / with_ref_line:.1%}); references: {refs}, "
        f"{in_cablegate} ({in_cablegate / refs:.1%}) are Cablegate refids; {cables} cables"
    )
    assert cables == 1295
    assert malformed == []
    assert resolved_cables / with_ref_line >= 0.90
    # references point at cables that exist: most are in the 251,287 (not all cables are)
    assert in_cablegate / refs >= 0.60


# ---- 2. TAG meanings -------------------------------------------------------------------


def test_tags_are_searchable_by_code_and_by_meaning(tmp_path):
    s = index(
        tmp_path,
        cable("08BANGKOK100", ("C", "The minister met the ambassador."), tags=["PREL", "TH"]),
        cable("08BANGKOK200", ("C", "Rice exports grew."), tags=["ETRD", "TH"]),
    )
    assert refids(s.search("tag:PREL")) == ["08BANGKOK100"]
    assert refids(s.search('"political relations"')) == ["08BANGKOK100"]
    assert sorted(refids(s.search("thailand"))) == ["08BANGKOK100", "08BANGKOK200"]
    view = s.cable("08BANGKOK100")
    assert view.tag_meanings == {"PREL": "Political Relations", "TH": "Thailand"}


# ---- 3. The refid box ------------------------------------------------------------------


@pytest.fixture
def bangkok(tmp_path) -> CableSearch:
    seed = list(read_cables(ROOT / "corpus"))  # the seed cable and the repo's samples
    assert "06BANGKOK3955" in [c.refid for c in seed]
    assert "07BANGKOK3955" not in [c.refid for c in seed]
    return index(
        tmp_path,
        *seed,
        cable("07BANGKOK3955", ("U", "A different year's cable with the same serial.")),
        cable("06BANGKOK3956", ("U", "The next serial.")),
        cable("06BANGKOK4000", ("U", "This cable discusses BANGKOK 3955 at length, Bangkok 3955 again.")),
        cable("06CHIANGMAI3955", ("U", "Same serial, another post.")),
    )


@pytest.mark.parametrize("query", ["06BANGKOK3955", "06 BANGKOK 3955", "06bangkok3955", "06 BANGKOK 003955"])
def test_refid_box_puts_the_cable_first(bangkok, query):
    assert refids(bangkok.search(query))[0] == "06BANGKOK3955"


@pytest.mark.parametrize("query", ["BANGKOK 3955", "bangkok 003955", "Bangkok 3955"])
def test_refid_without_year_lists_every_year_first(bangkok, query):
    found = refids(bangkok.search(query))
    assert sorted(found[:2]) == ["06BANGKOK3955", "07BANGKOK3955"]
    assert "06BANGKOK4000" in found[2:]  # a cable that only mentions it comes after
    assert "06BANGKOK3956" not in found and "06CHIANGMAI3955" not in found


# ---- 4. Name variants ------------------------------------------------------------------


@pytest.fixture
def leaders(tmp_path) -> CableSearch:
    return index(
        tmp_path,
        cable("09TRIPOLI100", ("S", "QADHAFI received the delegation in his tent.")),
        cable("09TRIPOLI200", ("C", "Gaddafi's son spoke to the press.")),
        cable("09TEHRAN100", ("C", "AHMEDINEJAD addressed parliament.")),
        cable("09MOSCOW100", ("C", "Medvedev met the visitors.")),
        cable("09MOSCOW200", ("C", "Medina and Mladic were discussed, and Mdivani too.")),
        cable("09KABUL100", ("C", "Karzai and Garcia met about relations.")),
        cable("09KABUL200", ("C", "Garcia spoke about trade.")),
    )


def test_gaddafi_and_qaddafi_find_qadhafi_with_the_exact_spelling_first(leaders):
    r = refids(leaders.search("Gaddafi"))
    assert r == ["09TRIPOLI200", "09TRIPOLI100"]  # exact spelling first, then the variant
    assert set(refids(leaders.search("Qaddafi"))) == {"09TRIPOLI100", "09TRIPOLI200"}
    assert refids(leaders.search("QADHAFI"))[0] == "09TRIPOLI100"


def test_lower_case_query_finds_variants_too(leaders):
    assert set(refids(leaders.search("gaddafi"))) == {"09TRIPOLI100", "09TRIPOLI200"}


def test_equals_sign_turns_variants_off(leaders):
    assert refids(leaders.search("=Gaddafi")) == ["09TRIPOLI200"]


def test_ahmadinejad_finds_ahmedinejad(leaders):
    assert refids(leaders.search("Ahmadinejad")) == ["09TEHRAN100"]


def test_medvedev_is_not_flooded_and_karzai_does_not_pull_garcia(leaders):
    assert refids(leaders.search("Medvedev")) == ["09MOSCOW100"]
    assert refids(leaders.search("Karzai")) == ["09KABUL100"]


def test_ordinary_words_are_not_blurred(leaders):
    # "relations" is a common word: it gets no key, so it matches as typed only
    assert refids(leaders.search("relations")) == ["09KABUL100"]


# ---- 5. Portion-marked search ----------------------------------------------------------


@pytest.fixture
def marked(tmp_path) -> CableSearch:
    return index(
        tmp_path,
        cable("08VIENNA100", ("U", "Routine note on the budget."), ("S", "The nuclear program is advancing."),
              ("C", "Nuclear talks resume next week.")),
        cable("08VIENNA200", ("C", "A nuclear inspector visited."), ("SBU", "Nuclear plant staffing.")),
        cable("08VIENNA300", ("S/NF", "Nuclear procurement network details."), ("U", "Weather.")),
        cable("08VIENNA400", ("S", "Unrelated secret trade paragraph."), ("U", "Nuclear energy conference.")),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("marking:S nuclear", {"08VIENNA100": 2, "08VIENNA300": 1}),
        ("marking:C nuclear", {"08VIENNA100": 3, "08VIENNA200": 1}),
        ("marking:SBU nuclear", {"08VIENNA200": 2}),
        ("marking:U nuclear", {"08VIENNA400": 2}),
        ("marking:S/NF nuclear", {"08VIENNA300": 1}),
    ],
)
def test_marking_matches_only_inside_paragraphs_with_that_marking(marked, query, expected):
    r = marked.search(query)
    assert {h.refid for h in r.hits} == set(expected)
    wanted = query.split()[0].split(":", 1)[1]
    for hit in r.hits:
        numbers = [p.number for p in hit.paragraphs]
        assert expected[hit.refid] in numbers, (query, hit.refid, numbers)
        first = hit.paragraphs[0]
        assert first.number == expected[hit.refid]  # the hit names the marked paragraph first
        assert first.anchor == f"p{expected[hit.refid]}"
        # that paragraph carries the marking asked for (S matches S/NF: a Secret paragraph)
        assert first.marking == wanted or first.marking.split("/")[0] == wanted
        assert "<mark>" in first.html and "nuclear" in first.text.lower()


# ---- Checks over the shared corpus ------------------------------------------------------


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory) -> CableSearch:
    if not SHARED_HTML.is_dir():
        pytest.skip(f"the shared corpus is not at {SHARED_HTML}")
    path = tmp_path_factory.mktemp("shared") / "index"
    build_index(path, [SHARED_HTML])
    return CableSearch(path)


@pytest.mark.slow
def test_shared_gaddafi_finds_the_qadhafi_cables(shared_index):
    exact = {h.refid for h in shared_index.export("Qadhafi")}
    variant = [h.refid for h in shared_index.export("Gaddafi")]
    print(f"\nQadhafi: {len(exact)} cables; Gaddafi: {len(variant)} cables")
    assert len(exact) >= 10
    assert exact <= set(variant)


@pytest.mark.slow
def test_shared_refid_box(shared_index):
    for query in ("08BAGHDAD293", "08 BAGHDAD 293", "BAGHDAD 293", "baghdad 000293"):
        assert shared_index.search(query).hits[0].refid == "08BAGHDAD293", query


@pytest.mark.slow
def test_shared_marking_hits_are_inside_marked_paragraphs(shared_index):
    r = shared_index.search("marking:S nuclear", page_size=50)
    assert r.total > 0
    for hit in r.hits:
        # S, S/NF, S/REL...: a Secret paragraph, whatever its caveats
        assert hit.paragraphs and hit.paragraphs[0].marking.split("/")[0] == "S", (hit.refid, hit.paragraphs[:1])
        assert "nuclear" in hit.paragraphs[0].text.lower()


@pytest.mark.slow
def test_shared_cited_by_is_the_inverse_of_references(shared_index):
    view = None
    for c in read_cables(SHARED_HTML):
        for ref in c.references:
            target = shared_index.cable(ref)
            if target is not None:
                view = target
                assert c.refid in target.cited_by
                break
        if view:
            break
    assert view is not None, "no cable in the shared corpus cites another one in it"


@pytest.mark.slow
def test_shared_tags_are_searchable_by_meaning(shared_index):
    by_code = {h.refid for h in shared_index.export("tag:KTIP")}
    by_meaning = {h.refid for h in shared_index.export('"trafficking in persons"')}
    assert by_code and by_code <= by_meaning
    prel = {h.refid for h in shared_index.export("tag:PREL")}
    assert len(prel) > 900
    assert prel <= {h.refid for h in shared_index.export('"political relations"')}


@pytest.mark.slow
def test_shared_medvedev_is_not_flooded(shared_index):
    exact = {h.refid for h in shared_index.export("=Medvedev")}
    variants = {h.refid for h in shared_index.export("Medvedev")}
    print(f"\nMedvedev: {len(exact)} cables as typed, {len(variants)} with variants")
    assert exact and exact <= variants
    assert len(variants - exact) <= max(2, len(exact) // 10)
