"""Plain-text files (refid, subject, date, classification, origin, body) and fragments."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from indexer import ParseError, Paragraph, parse_text, read_cables


@pytest.fixture(scope="module")
def cables(corpus_dir):
    return {c.refid: c for c in read_cables(corpus_dir / "text")}


def test_moscow(cables):
    c = cables["07MOSCOW3398"]
    assert c.created == datetime(2007, 9, 14)  # only the calendar date counts
    assert c.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    assert c.origin == "Embassy Moscow"
    assert c.subject == "RUSSIA: CENTRAL ELECTION COMMISSION PREPARES FOR DUMA ELECTIONS"
    assert c.tags == ("PGOV", "PREL", "KDEM", "RS")
    # Year-less references take the citing cable's year.
    assert c.references == ("07TBILISI1605", "07STATE98765", "07MOSCOW3102")
    assert c.signers == ("BURNS",)
    assert c.header.splitlines()[0] == "VZCZCXRO5512"
    assert [r.name for r in c.info_recipients] == [
        "CIS COLLECTIVE", "AMEMBASSY TBILISI", "MOSCOW POLITICAL COLLECTIVE"]
    assert [(p.number, p.marking) for p in c.paragraphs] == [
        (1, "SBU"), (None, None), (2, "SBU"), (3, "U"), (4, "SBU")]
    assert c.paragraphs[1].text == "Registration rules"


def test_harare_upper_case(cables):
    c = cables["02HARARE2650"]
    assert c.subject == ("ZIMBABWE: RURAL COUNCIL ELECTIONS MARRED BY INTIMIDATION OF "
                         "OPPOSITION CANDIDATES")  # line 2 is empty: the text's SUBJECT
    assert c.tags == ("PGOV", "PHUM", "ZI")
    assert c.references == ("02HARARE2581", "01HARARE3340")
    assert c.classified_by == ("ANDREW P. WHITCOMBE",)
    assert c.nondisclosure_deadline == date(2012, 12, 3)
    assert c.signers == ("SULLIVAN",)
    assert c.summary.startswith("OPPOSITION CANDIDATES IN THREE PROVINCES")
    assert c.summary.endswith("HAS NOT RESPONDED TO COMPLAINTS.")


def test_refid_from_outside_resolves_year_less_references():
    c = parse_text("REF: A. TBILISI 1605\n", refid="07MOSCOW9")
    assert c.references == ("07TBILISI1605",)
    assert c.refid == "07MOSCOW9"


def test_own_refid_keeps_a_misspelled_station_and_citations_do_not():
    # 06MINSI225 is a Cablegate cable of its own, beside 06MINSK225; citing MINSI 225
    # means the Minsk cable.
    c = parse_text("REF: MINSI 224\n", refid="06minsi0225")
    assert c.refid == "06MINSI225"
    assert c.references == ("06MINSK224",)


def test_fragment_with_only_tags_and_subject():
    c = parse_text("Tags: prel, pgov, tu\nSubject: (C) Turkey: a fragment\n")
    assert c.tags == ("PREL", "PGOV", "TU")
    assert c.subject == "Turkey: a fragment"
    assert c.refid is None and c.created is None
    assert c.paragraphs == ()


def test_fragment_routing_block():
    c = parse_text("R 291207Z OCT 08\nFM AMEMBASSY BISHKEK\nTO RUEHC/SECSTATE WASHDC 1474\n"
                   "INFO RUCNCLS/ALL SOUTH AND CENTRAL ASIA COLLECTIVE\nRUEHBJ/AMEMBASSY BEIJING 2724\n")
    assert c.origin == "Embassy Bishkek"
    assert c.created == datetime(2008, 10, 29, 12, 7)
    assert [r.name for r in c.recipients] == ["SECSTATE WASHDC"]
    assert [r.name for r in c.info_recipients] == ["ALL SOUTH AND CENTRAL ASIA COLLECTIVE",
                                                   "AMEMBASSY BEIJING"]


def test_header_derived_origin_and_classification():
    text = ("O 171606Z MAY 09\nFM SECSTATE WASHDC\nTO RUEHRH/AMEMBASSY RIYADH IMMEDIATE 0798\n"
            "BT\nS E C R E T STATE 051234\n\nNOFORN\nSIPDIS\n\nE.O. 12958: DECL: 2019/05/17\n"
            "TAGS: PREL\nSUBJECT: TEST\n\n1. (S/NF) Text.\n\nCLINTON\n")
    c = parse_text(text)
    assert c.origin == "Secretary of State"
    assert c.classification == "SECRET//NOFORN"
    assert c.caveats == ("NOFORN", "SIPDIS")
    assert c.refid == "09STATE51234"  # from the classification line and the DTG's year
    assert c.nondisclosure_deadline == date(2019, 5, 17)
    assert c.signers == ("CLINTON",)
    assert c.paragraphs == (Paragraph(1, "S/NF", "Text."),)


@pytest.mark.parametrize("bad", [b"bytes", None, 42, ["a list"]])
def test_only_text_is_accepted(bad):
    with pytest.raises(ParseError, match=r"^expected text \(str\), got "):
        parse_text(bad)


def test_unknown_format_is_a_parse_error():
    with pytest.raises(ParseError, match="unknown format 'pdf'; use one of html, csv, blog, text, jsonl"):
        parse_text("x", format="pdf")


@pytest.mark.parametrize("text", ["", "   \n\n", "¶", "1.", "SUBJECT:", "REF:", "TAGS", "\x00\x01"])
def test_degenerate_text_gives_an_empty_cable(text):
    c = parse_text(text)
    assert c.refid is None and c.tags == ()
