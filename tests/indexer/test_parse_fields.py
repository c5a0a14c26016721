"""The field readers one by one, on the spellings real cables use."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from indexer import Paragraph, Recipient, parse_text
from indexer.body import paragraphs, signers, summary
from indexer.header import origin_from_sender, parse_dtg, parse_recipients
from indexer.preamble import classified_by, decl_date, tags


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("PREL, PGOV", ("PREL", "PGOV")),
        ("prel, pgov, tu", ("PREL", "PGOV", "TU")),
        ("PTER", ("PTER",)),
        ("PREL PREL, pgov", ("PREL", "PGOV")),  # deduplicated
        ("OVIP (STEINBERG, JAMES B.) PREL CH", ("OVIP (STEINBERG, JAMES B.)", "PREL", "CH")),
        ("OVIP (CLINTON, HILLARY), UAE", ("OVIP (CLINTON, HILLARY)", "UAE")),
        ("", ()),
    ],
)
def test_tags(line, expected):
    assert tags(line) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TAGS PREL, PGOV\nSUBJECT: X", ("PREL", "PGOV")),
        ("Tags: prel, pgov, tu\nSubject: x", ("PREL", "PGOV", "TU")),
        ("TAG PTER\nSUBJECT: X", ("PTER",)),
        ("TAGS: PREL, PGOV, ECON,\n      KG, RS\nSUBJECT: X", ("PREL", "PGOV", "ECON", "KG", "RS")),
        ("E.O. 12958: DECL: 03/20/2019 TAG PTER, PGOV, SW\nSUBJECT: X", ("PTER", "PGOV", "SW")),
    ],
)
def test_tags_line_spellings(text, expected):
    assert parse_text(text).tags == expected


def test_tags_as_html_links():
    page = ("<div class='pane big'><code><pre>TAGS: <a href='/tag/PREL_0.html'>PREL</a> "
            "<a href='/tag/KG_0.html'>KG</a>&#x000A;SUBJECT: X</pre></code></div>")
    assert parse_text(page).tags == ("PREL", "KG")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SUBJECT: (C) CANDID DISCUSSION WITH PRINCE ANDREW ON THE KYRGYZ\nECONOMY\n\n1. (C) X",
         "CANDID DISCUSSION WITH PRINCE ANDREW ON THE KYRGYZ ECONOMY"),
        ("SUBJ: (SBU) Wrapped\n  over lines\nREF: STATE 1", "Wrapped over lines"),
        ("SUBJECT:  EXTENDED NATIONAL JURISDICTIONS OVER HIGH SEAS \n", "EXTENDED NATIONAL JURISDICTIONS OVER HIGH SEAS"),
        ("Subject: german test chamber (s)\n", "german test chamber"),
        ("SUBJECT: (S/NF) SECRET THINGS\n", "SECRET THINGS"),
    ],
)
def test_subject(text, expected):
    assert parse_text(text).subject == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Amb. Tatiana Gfoeller, Reason 1.4 (b) and (d).", ("Tatiana Gfoeller",)),
        ("CDA DAVID RUNDELL, 1.4(b),(d)", ("DAVID RUNDELL",)),
        ("Charge d'Affaires Joan E. Pollard, reasons 1.4 (b) and (d).", ("Joan E. Pollard",)),
        ("Deputy Chief of Mission Scott F. Kilner for reasons 1.4", ("Scott F. Kilner",)),
        ("P/E Counselor John Doe, reasons 1.4 (b,d)", ("John Doe",)),
        ("Political Officer Foo Bar for reasons 1.4(b) and (d)", ("Foo Bar",)),
        ("Darnall Steuart, Economic Counselor, DOS, Econ; REASON: 1.4(B), (D)", ("Darnall Steuart",)),
        ("Ambassador John Smith and DCM Jane Doe, reasons 1.4 (b,d)", ("John Smith", "Jane Doe")),
        ("CHARGE STUART E.JONES, REASONS 1.5 B AND D", ("STUART E.JONES",)),
        ("Political Minister Counselor Josiah B. Rosenblatt. Reas ons 1.4b,d", ("Josiah B. Rosenblatt",)),
        ("Ambassador Robert F. Godec for E.O. 12958 reasons 1.4 (b ) and (d).", ("Robert F. Godec",)),
        ("Ambassador, reason 1.4 (b,d)", ()),
        ("XXXXXXXXXXXX, reasons 1.4 (b) and (d)", ()),
    ],
)
def test_classified_by(text, expected):
    assert classified_by(text) == expected


def test_classified_by_in_paragraph_one():
    c = parse_text("SUBJECT: X\n\n1. (U) Classified by Acting DAS James Knight, Reasons 1.4 (b) and (d).\n\n"
                   "2. (C) Text.")
    assert c.classified_by == ("James Knight",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("E.O. 12958: DECL: 10/29/2018", date(2018, 10, 29)),
        ("EO 12958 DECL: 10/29/2018", date(2018, 10, 29)),
        ("DECL: 2018/10/29", date(2018, 10, 29)),
        ("DECL: 12/31/2019", date(2019, 12, 31)),
        ("DECL: 11/29/10", date(2010, 11, 29)),
        ("DECLl: 05/12/2018", date(2018, 5, 12)),
        ("DECL: N/A", None),
        ("DECL: OADR", None),
        ("E.O. 12958: DECL: DECLASSIFIED BY NARA 09/02/2009", None),
        ("DECL: TEN YEARS AFTER KOREAN UNIFICATION", None),
        ("DECL: 13/45/2019", None),
    ],
)
def test_decl(text, expected):
    assert decl_date(text) == expected


def test_decl_without_the_word():
    assert parse_text("E.O. 12958 03/24/2019\nTAGS: PREL\n").nondisclosure_deadline == date(2019, 3, 24)
    assert parse_text("E.O. 12958: N/A\nTAGS: PREL\n").nondisclosure_deadline is None


def test_recipients_lines():
    header = ("R 291207Z OCT 08\nFM AMEMBASSY BISHKEK\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 0798\n"
              "RUEHBJ/AMEMBASSY BEIJING NIACT IMMEDIATE 2276-2279\n"
              "INFO RUCNCLS/ALL SOUTH AND CENTRAL ASIA COLLECTIVE\nRUEHBJ/AMEMBASSY BEIJING 2724\n"
              "AMEMBASSY LONDON\nBT\nC O N F I D E N T I A L BISHKEK 001095\n")
    to, info = parse_recipients(header)
    assert to == (Recipient("SECSTATE WASHDC", "IMMEDIATE", "RUEHC", "0798"),
                  Recipient("AMEMBASSY BEIJING", "NIACT IMMEDIATE", "RUEHBJ", "2276-2279"))
    assert info == (Recipient("ALL SOUTH AND CENTRAL ASIA COLLECTIVE", None, "RUCNCLS", None),
                    Recipient("AMEMBASSY BEIJING", None, "RUEHBJ", "2724"),
                    Recipient("AMEMBASSY LONDON", None, None, None))


def test_office_distribution_is_not_an_addressee():
    to, info = parse_recipients("ACTION AF-00\nINFO LOG-00 NP-00 AID-00\n      CTME-00 DINT-00\n"
                                "FM AMEMBASSY HARARE\nTO SECSTATE WASHDC IMMEDIATE 7738\n"
                                "INFO NSC WASHDC IMMEDIATE\n")
    assert to == (Recipient("SECSTATE WASHDC", "IMMEDIATE", None, "7738"),)
    assert info == (Recipient("NSC WASHDC", "IMMEDIATE", None, None),)


@pytest.mark.parametrize(
    ("sender", "origin"),
    [
        ("AMEMBASSY BISHKEK", "Embassy Bishkek"),
        ("SECSTATE WASHDC", "Secretary of State"),
        ("AMCONSUL RIO DE JANEIRO", "Consulate Rio De Janeiro"),
        ("USMISSION USNATO", "Mission USNATO"),
        ("USMISSION GENEVA", "Mission Geneva"),
        ("USINT HAVANA", "US Interests Section Havana"),
        ("USEU BRUSSELS", "USEU Brussels"),
        ("USMISSION UNVIE VIENNA", "UNVIE"),
        ("RPO DUBAI", "Iran RPO Dubai"),
    ],
)
def test_origin_from_sender(sender, origin):
    assert origin_from_sender(sender) == origin


def test_dtg():
    assert parse_dtg("R 291207Z OCT 08") == datetime(2008, 10, 29, 12, 7)
    assert parse_dtg("P R 281848Z DEC 66") == datetime(1966, 12, 28, 18, 48)
    assert parse_dtg("051007Z Jul 06") == datetime(2006, 7, 5, 10, 7)
    assert parse_dtg("321207Z OCT 08") is None


def _paras(text: str):
    return paragraphs(text.split("\n"))


def test_paragraph_markings_and_wraps():
    got = _paras("¶1. (C) First line\nwrapped.\n\n¶2. (S/NF) Second.\n\n3. (SBU) Third,\nplain.\n\n"
                 "4. (C//REL ISAF) Fourth.\n\n5. (U) Fifth\n-- bullet one\n-- bullet two")
    assert got == (
        Paragraph(1, "C", "First line wrapped."),
        Paragraph(2, "S/NF", "Second."),
        Paragraph(3, "SBU", "Third, plain."),
        Paragraph(4, "C/REL ISAF", "Fourth."),
        Paragraph(5, "U", "Fifth -- bullet one -- bullet two"),
    )


def test_out_of_turn_numbers_stay_text():
    got = _paras("1. The law passed in\n2006. It was amended.\n\n2. Next.")
    assert [(p.number, p.text) for p in got] == [(1, "The law passed in 2006. It was amended."), (2, "Next.")]


def test_headings_and_lead_in():
    got = _paras("DEPT FOR EUR/WE\n\n1. (C) One.\n\nThe Deeper Challenges\n\n2. (C) Two.")
    assert [(p.number, p.text) for p in got] == [
        (None, "DEPT FOR EUR/WE"), (1, "One."), (None, "The Deeper Challenges"), (2, "Two.")]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Summary: It went well. End summary.", "Next."], "It went well."),
        (["SUMMARY AND COMMENT: It went well. END SUMMARY AND COMMENT.", "x"], "It went well."),
        (["Begin Summary. A.", "B. End Summary."], "A. B."),
        (["Introduction and summary: A.", "B."], "A."),
        (["Summary", "The text.", "More."], "The text."),
        (["- - - - Summary - - - -", "The text."], "The text."),
        (["The summary of the talks came late.", "Nothing."], None),
    ],
)
def test_summary(texts, expected):
    paras = tuple(Paragraph(i + 1, None, t) for i, t in enumerate(texts))
    assert summary(paras) == expected


@pytest.mark.parametrize(
    ("lines", "names"),
    [
        (["1. (U) Text.", "GFOELLER"], ("GFOELLER",)),
        (["1. (U) Text.", "RICE", "", "NNNN"], ("RICE",)),
        (["1. (U) Text.", "BOYCE", '"Visit Ankara\'s Classified Web Site at http://x"'], ("BOYCE",)),
        (["1. (U) Cleared this cable. SOLOMONT"], ("SOLOMONT",)),
        (["1. (U) Text. End summary."], ()),
        (["... ConGens Frankfurt and", "", "Munich", "Koenig"], ("Koenig",)),
        (["1. (U) Text.", "XXXXXXXXXXXX", "AGUIRRE"], ("AGUIRRE",)),
        (["1. (U) Text.", "KUBISKE KUBISKE"], ("KUBISKE",)),
    ],
)
def test_signers(lines, names):
    assert signers(lines)[0] == names


def test_signature_is_not_left_in_the_last_paragraph():
    c = parse_text("1. (U) Ambassador cleared this cable.\nRUNDELL\n")
    assert c.signers == ("RUNDELL",)
    assert c.paragraphs == (Paragraph(1, "U", "Ambassador cleared this cable."),)


def test_summary_without_a_label_ends_at_end_summary():
    paras = (Paragraph(None, None, "DEPT FOR EUR"), Paragraph(1, "C", "Weddings are elaborate. End Summary."),
             Paragraph(2, "C", "More."))
    assert summary(paras) == "Weddings are elaborate."


def test_paragraph_one_glued_to_classified_by_and_comma_typo():
    c = parse_text("SUBJECT: X\n\nCLASSIFIED BY: Gene A. Cretz, Ambassador. REASON: 1.4 (b), (d) "
                   "1. (C/NF) Summary: Text one. End summary.\n\n2. (C) Two.")
    assert c.classified_by == ("Gene A. Cretz",)
    assert [(p.number, p.marking) for p in c.paragraphs] == [(1, "C/NF"), (2, "C")]
    assert c.summary == "Text one."
    c = parse_text("Classified By: Anne W. Patterson, for reasons 1.4 (b)(d)\n"
                   "1, (C) Summary. During a call. End summary.\n¶2. (C) Two.")
    assert c.classified_by == ("Anne W. Patterson",)
    assert [p.number for p in c.paragraphs] == [1, 2]
    assert c.summary == "During a call."


def test_a_dropped_signature_candidate_stays_in_the_text():
    names, rest = signers(["... cleared by Assistant Secretary of", "Defense Alexander Vershbow.", "LeBaron"])
    assert names == ("LeBaron",)
    assert rest == ["... cleared by Assistant Secretary of", "Defense Alexander Vershbow."]
    names, rest = signers(["... products originating in", "", "Russia", "Armbruster"])
    assert names == ("Armbruster",)
    assert rest == ["... products originating in", "", "Russia"]


def test_capitals_after_a_list_sign_but_a_sentence_end_does_not():
    assert signers(["Russian Embassy", "Alexei Markov", "Maxim Elovik", "CLINTON"])[0] == ("CLINTON",)
    assert signers(["... BRIDGETOWN APPRECIATES TRINIDAD'S", "", "ASSISTANCE"])[0] == ()
    assert signers(["... issues (reftel). END COMMENT AND ACTION", "", "REQUEST.", "BUTENIS"])[0] == ("BUTENIS",)
    assert signers(["SHANNON Shannon"])[0] == ("SHANNON",)


def test_signature_prefixes_and_repeats():
    assert signers(["... WOULD SUCCEED.", "GP-3 SACCIO"])[0] == ("SACCIO",)
    assert signers(["... a similar tack.", "", "MINIMIZED CONSIDERED", "", "AGUIRRE"])[0] == ("AGUIRRE",)
    assert signers(["18. (U) Cleared.", "MINIMIZE CONSIDERED", "MURRAY ."])[0] == ("MURRAY",)
    assert signers(["16. (U) Cleared.", "", "MILOVANOVIC", "", "MILOVANOVIC"])[0] == ("MILOVANOVIC",)
