"""WikiLeaks cables.csv: 8 columns, no header, multi-line fields, backslash-escaped quotes."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from indexer import Recipient, parse_text, read_cables


@pytest.fixture(scope="module")
def rows(corpus_dir):
    return list(read_cables(corpus_dir / "cables.csv"))


def test_rows_and_positions(rows):
    assert [c.refid for c in rows] == ["08STATE45120", "05ANKARA2210", "09USUNNEWYORK456"]
    assert [c.source.row for c in rows] == [1, 2, 3]
    assert rows[0].source.line == 1
    # Each row starts on the line after the previous row's last line.
    assert rows[1].source.line > rows[0].source.line + 20
    assert all(c.source.format == "csv" for c in rows)


def test_escaped_quotes_do_not_split_rows(rows):
    state = rows[0]
    assert 'to say so to the "Iranians" directly.' in state.body
    ankara = rows[1]
    assert 'arrive through "employment agencies" advertising jobs' in ankara.body
    assert '"works when the police who answer it believe the caller."' in ankara.body


def test_columns_and_text_fields(rows):
    state = rows[0]
    assert state.created == datetime(2008, 5, 1, 18, 40)
    assert state.origin == "Secretary of State"
    assert state.classification == "SECRET//NOFORN"
    assert state.references == ("08UNVIEVIENNA231", "08STATE39877")
    assert state.signers == ("RICE",)
    assert state.classified_by == ("Thomas R. Beckwith",)
    assert state.nondisclosure_deadline == date(2033, 5, 1)
    assert state.recipients[0] == Recipient("AMEMBASSY BRUSSELS", "IMMEDIATE", "RUEHBS", "4410")
    assert [r.name for r in state.info_recipients] == ["USMISSION UNVIE VIENNA", "USMISSION USUN NEW YORK"]
    assert [(p.number, p.marking) for p in state.paragraphs] == [
        (1, "U"), (2, "S/NF"), (3, "S"), (4, "U"), (5, "S/REL P5+1")]


def test_unmarked_paragraphs_and_lead_in(rows):
    ankara = rows[1]
    assert ankara.paragraphs[0].text == "DEPT FOR G/TIP, EUR/SE"
    assert [(p.number, p.marking) for p in ankara.paragraphs[1:]] == [(1, None), (2, None), (3, None)]
    assert ankara.summary.startswith("The only trafficking-victim shelter in Istanbul")
    assert ankara.references == ("04ANKARA6312",)


def test_script_tag_is_kept_as_text(rows):
    usun = rows[2]
    assert usun.subject == ("UNSC ELECTIONS: <script>alert(1)</script> CANDIDATES LINE UP FOR "
                            "THE NON-PERMANENT SEATS")
    assert "<script>alert(1)</script> pasted into its footer" in usun.paragraphs[0].text
    assert usun.references == ("09STATE51200", "09USUNNEWYORK401")


def test_parse_text_one_row():
    row = ('"1","1/2/2009 3:04","09ROME5","Embassy Rome","CONFIDENTIAL","",'
           '"FM AMEMBASSY ROME\nTO RUEHC/SECSTATE WASHDC 0005",'
           '"CONFIDENTIAL ROME 000005\n\nSUBJECT: A \\"QUOTED\\" SUBJECT\n\n1. (C) Text."\n')
    c = parse_text(row)
    assert c.source.format == "csv"
    assert c.refid == "09ROME5"
    assert c.subject == 'A "QUOTED" SUBJECT'
    assert c.recipients == (Recipient("SECSTATE WASHDC", None, "RUEHC", "0005"),)
