"""WikiLeaks cable pages: our invented samples in corpus/html exercise each quirk."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from indexer import Paragraph, Recipient, parse_text, read_cables


@pytest.fixture(scope="module")
def cables(corpus_dir):
    return {c.refid: c for c in read_cables(corpus_dir / "html")}


def test_all_pages_read(cables):
    assert sorted(cables) == ["06BANGKOK4012", "07TBILISI1605", "09UNVIEVIENNA812", "10TRIPOLI77"]
    assert all(c.source.format == "html" for c in cables.values())


def test_vienna_metadata_and_preamble(cables):
    c = cables["09UNVIEVIENNA812"]
    assert c.created == datetime(2009, 7, 6, 14, 32)
    assert c.origin == "UNVIE"
    assert c.classification == "SECRET//NOFORN"
    assert c.caveats == ("NOFORN", "SIPDIS")
    assert c.subject == ("IAEA BOARD: MEMBER STATES WEIGH RESPONSE TO IRAN'S UNDECLARED "
                         "ENRICHMENT WORK AT THE FORDOW SITE")
    assert c.tags == ("PARM", "KNNP", "IAEA", "MNUC", "IR", "PREL")
    # The email in D. is not a cable; C. keeps its own year.
    assert c.references == ("09STATE68112", "08UNVIEVIENNA1500", "06BANGKOK3955")
    assert c.classified_by == ("Gregory L. Halverson",)
    assert c.nondisclosure_deadline == date(2019, 7, 6)
    assert c.signers == ("HALVERSON",)


def test_vienna_recipients(cables):
    c = cables["09UNVIEVIENNA812"]
    assert c.recipients == (Recipient("SECSTATE WASHDC", "IMMEDIATE", "RUEHC", "9711"),)
    assert c.info_recipients[0] == Recipient("EUROPEAN POLITICAL COLLECTIVE", "PRIORITY", "RUEHZL", None)
    assert c.info_recipients[-1] == Recipient("SECDEF WASHDC", "PRIORITY", "RUEKJCS", None)
    assert len(c.info_recipients) == 5
    assert c.header.startswith("VZCZCXRO4410\nOO RUEHAG RUEHROV")


def test_vienna_paragraphs_headings_and_section_break(cables):
    c = cables["09UNVIEVIENNA812"]
    shape = [(p.number, p.marking) for p in c.paragraphs]
    assert shape == [(None, None), (None, None), (1, "S/NF"), (None, None), (2, "S"),
                     (3, "C"), (4, "U"), (5, "S/NF")]
    assert c.paragraphs[0].text == "DEPT FOR ISN/MNSA, IO/T"
    assert c.paragraphs[1].text == "Summary"  # heading, its underline dropped
    assert c.paragraphs[3].text == "Safeguards findings"  # broken underline dropped
    p3 = c.paragraphs[5]
    # The repeated "SECTION 02 OF 02" header and its NOFORN/SIPDIS lines are gone.
    assert p3.text.endswith("would split the Board along familiar lines.")
    assert "SECTION" not in c.body.split("\n", 1)[1]
    assert "XXXXXXXXXXXX told Mission" in c.paragraphs[4].text
    assert c.summary.startswith("Board members meeting informally on July 3 agreed")
    assert c.summary.endswith("made a nuclear compromise less likely.")


def test_bangkok_person_tag_and_seed_citation(cables):
    c = cables["06BANGKOK4012"]
    assert c.tags == ("KTIP", "PHUM", "ELAB", "SMIG", "TH", "OVIP (MARLOWE, JANET K.)")
    assert c.references == ("06BANGKOK3955",)
    assert c.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    assert c.caveats == ("SENSITIVE", "SIPDIS")
    assert c.signers == ("BOYCE",)
    assert c.classified_by == ()
    assert c.nondisclosure_deadline is None
    assert [p.marking for p in c.paragraphs if p.number] == ["SBU", "U", "SBU", "U"]
    assert c.paragraphs[-1] == Paragraph(4, "U", "Director Marlowe cleared this cable.")


def test_tbilisi(cables):
    c = cables["07TBILISI1605"]
    assert c.classified_by == ("Mark R. Ostrander",)
    assert c.subject == ("GEORGIA: OPPOSITION PARTIES AGREE ON A JOINT CANDIDATE FOR THE "
                         "JANUARY PRESIDENTIAL ELECTIONS")
    assert c.signers == ("OSTRANDER",)
    assert [p.number for p in c.paragraphs] == [1, 2, 3, 4]


def test_sentence_cased_variant(cables):
    c = cables["10TRIPOLI77"]
    assert c.classification == "CONFIDENTIAL//NOFORN"  # from the page's table
    assert c.caveats == ("NOFORN", "SIPDIS")
    assert c.tags == ("PREL", "PGOV", "ENRG", "LY")
    assert c.subject == "libya: qadhafi's son tells visitors the nuclear file is closed"
    assert c.nondisclosure_deadline == date(2020, 2, 1)
    assert c.classified_by == ("Joan E. Pollard",)
    assert c.signers == ("Pollard",)
    assert c.paragraphs[-1].text == ("Comment: The message on the nuclear file is consistent "
                                     "with what we hear from the Foreign Ministry. End comment.")
    assert c.header == ""  # the page is a partial extract: no routing block
    assert c.recipients == ()


def test_heading_subject_is_only_a_fallback():
    page = ("<div class='pane big'><h3>Viewing cable 09X1, CUT SHORT</h3>"
            "<table class='cable'><tr><td>09BANGKOK1</td><td>2009-01-02 03:04</td><td>x</td>"
            "<td>SECRET</td><td>Embassy Bangkok</td></tr></table>"
            "<code><pre>SECRET BANGKOK 000001&#x000A;&#x000A;TAGS: PREL&#x000A;"
            "SUBJECT: CUT SHORT IN THE HEADING BUT &#x000A;WHOLE HERE&#x000A;&#x000A;"
            "<a id='par1' href='#par1'>¶</a>1. (S) Text &amp; more.</pre></code></div>")
    c = parse_text(page)
    assert c.subject == "CUT SHORT IN THE HEADING BUT WHOLE HERE"
    assert c.refid == "09BANGKOK1"
    assert c.paragraphs == (Paragraph(1, "S", "Text & more."),)
    no_subject = page.replace("SUBJECT: CUT SHORT IN THE HEADING BUT &#x000A;WHOLE HERE", "")
    assert parse_text(no_subject).subject == "CUT SHORT"
