"""normalize: the pure clean-ups every format goes through."""

from __future__ import annotations

from indexer import parse_text
from indexer.normalize import (
    REDACTED,
    clean_text,
    despace_letters,
    drop_underlines,
    join_wrapped,
    normalize_dashes,
    normalize_quotes,
    normalize_redactions,
    unescape_html,
)


def test_entities_and_markup():
    assert unescape_html("a&#x000A;b &amp; <a href='/tag/X'>PREL</a>&lt;script&gt;") == "a\nb & PREL<script>"


def test_quotes():
    assert normalize_quotes("“70254”,”7/5/2006″ the conference\\’s \\\"x\\\" \\”y\\”") == (
        '"70254","7/5/2006" the conference\'s "x" "y"')
    assert normalize_quotes("plain 'text' stays") == "plain 'text' stays"


def test_dashes():
    assert normalize_dashes("— Reduce – here\u00a0now") == "-- Reduce - here now"


def test_redactions_have_one_form():
    assert normalize_redactions("XXXX said XXXXXXXXXXXXXXXXX and xxxxxx") == (
        f"{REDACTED} said {REDACTED} and {REDACTED}")
    assert normalize_redactions("EXXON and XX and Xmas") == "EXXON and XX and Xmas"
    assert len(REDACTED) == 12


def test_spaced_classification():
    assert despace_letters("S E C R E T SECTION 01 OF 02") == "SECRET SECTION 01 OF 02"
    assert despace_letters("C o n f i d e n t i a l tripoli 000077") == "Confidential tripoli 000077"
    assert despace_letters("a b c") == "a b c"  # three letters: not a spaced word


def test_underlines():
    text = "Summary\n-------\nText\nHeading\n--------- ---\nMore --- text"
    assert drop_underlines(text) == "Summary\n\nText\nHeading\n\nMore --- text"


def test_join_wrapped():
    assert join_wrapped("anti-\ntrafficking  law\nin the Sub-\nRegion ") == "anti-trafficking law in the Sub-Region"
    assert join_wrapped("-- one\n-- two") == "-- one -- two"


def test_clean_text_nfc():
    assert clean_text("Cafe\u0301\r\nx") == "Caf\u00e9\nx"


def test_section_breaks_and_repeated_headers_leave_the_body():
    text = ("C O N F I D E N T I A L SECTION 01 OF 02 ANKARA 000348\n\nSIPDIS\n\nSUBJECT: X\n\n"
            "1. (C) One.\n\nC O N F I D E N T I A L SECTION 02 OF 02 ANKARA 000348\n\nSIPDIS\n\n"
            "2. (C) Two.\n\nANKARA 00000348 002 OF 002\n\n3. (C) Three.")
    c = parse_text(text)
    assert [(p.number, p.text) for p in c.paragraphs] == [(1, "One."), (2, "Two."), (3, "Three.")]
    assert c.classification == "CONFIDENTIAL"
    assert c.caveats == ("SIPDIS",)


def test_lower_cased_variant():
    c = parse_text("C o n f i d e n t i a l section 01 of 04 ankara 000348\n\nSipdis\n\n"
                   "E.o. 12958: decl: 01/07/2014 Tags: prel, pgov, pins, tu Subject: turkish p.m. goes\n\n"
                   "(U) Classified by Ambassador Eric Edelman; reasons: 1.5 (b,d).\n\n"
                   "¶1. (C) Summary: Text. End summary.\n", refid="04ANKARA348")
    assert c.classification == "CONFIDENTIAL"
    assert c.caveats == ("SIPDIS",)
    assert c.tags == ("PREL", "PGOV", "PINS", "TU")
    assert c.subject == "turkish p.m. goes"
    assert c.classified_by == ("Eric Edelman",)
    assert c.summary == "Text."
