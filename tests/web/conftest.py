"""Fixtures for the web tests: one small index, built once, from the repo's corpus/ plus a
handful of cables written here for these tests (as JSON Lines, through ``cables index``).

The cables below are our own invention. Their words are chosen so that results can be
worked out by hand: "flamingo" occurs in three cables (most in 06ANKARA1001), "pelican"
only in ¶9 of 06ANKARA1001, "ornithologist" only in an unnumbered paragraph, "quokka" in
25 cables spread over 2001-2010 (pagination and the histogram), and 08BISHKEK3003 carries
``<script>`` in its subject, origin, a tag and its text.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.models import Cable, Paragraph, Recipient

XSS = "<script>alert('x')</script>"

LAKE = (
    "The survey team counted birds along the southern shore of the lake, where the water "
    "has retreated more than a kilometre since the last count."
)


def _ankara() -> Cable:
    paras = [
        Paragraph(None, None, "Classified By: Deputy Chief of Mission, for reasons 1.4 (b) and (d)."),
        Paragraph(1, "C", "Summary. Flamingo numbers on Lake Tuz fell sharply this spring; "
                  "the flamingo survey blamed drought and new irrigation. End summary."),
        Paragraph(2, "U", "Flamingo colonies nest on the salt flats in May. " + LAKE),
        Paragraph(3, "C", "Officials of the environment ministry said the flamingo decline "
                  "worries them, but that farmers need the water."),
    ]
    paras += [Paragraph(n, "U", f"{LAKE} Paragraph {n} repeats the count for the record.")
              for n in range(4, 9)]
    paras += [
        Paragraph(9, "C", "A lone pelican was seen at the northern inlet for the first time "
                  "since 1998, which the ministry welcomed."),
        Paragraph(10, "U", LAKE),
        Paragraph(11, "U", "Comment. The embassy will follow up. End comment."),
    ]
    return Cable(
        refid="06ANKARA1001",
        created=datetime(2006, 3, 14, 9, 30),
        origin="Embassy Ankara",
        classification="CONFIDENTIAL//NOFORN",
        caveats=("NOFORN", "SIPDIS"),
        subject="FLAMINGO SURVEY ON LAKE TUZ SHOWS SHARP DECLINE",
        tags=("SENV", "TU"),
        references=("05ANKARA999", "07ANKARA2002"),
        signers=("WILSON",),
        classified_by=("Deputy Chief of Mission",),
        nondisclosure_deadline=date(2016, 3, 14),
        recipients=(Recipient("SECSTATE WASHDC", "PRIORITY", "RUEHC", "1234"),),
        info_recipients=(Recipient("AMEMBASSY ATHENS"),),
        header="R 140930Z MAR 06\nFM AMEMBASSY ANKARA\nTO RUEHC/SECSTATE WASHDC PRIORITY 1234",
        body="\n\n".join(p.text for p in paras),
        paragraphs=tuple(paras),
    )


def _cables() -> list[Cable]:
    b_paras = (
        Paragraph(None, None, "An ornithologist from the university joined the second count."),
        Paragraph(1, "U", "The follow-up count found more flamingo nests than feared."),
        Paragraph(2, "U", "Water levels rose after April rains."),
    )
    c_paras = (
        Paragraph(1, "S", f"{XSS} A flamingo was painted on the wall of the ministry."),
        Paragraph(2, "S", "Nothing else of note <b>happened</b> & the meeting ended."),
    )
    d_paras = (Paragraph(1, "U", "Wheat tariffs were discussed at length."),)
    cables = [
        _ankara(),
        Cable(
            refid="07ANKARA2002",
            created=datetime(2007, 5, 2, 11, 0),
            origin="Embassy Ankara",
            classification="UNCLASSIFIED",
            caveats=("SIPDIS",),
            subject="FOLLOW-UP FLAMINGO COUNT AT LAKE TUZ",
            tags=("SENV", "TU"),
            references=("06ANKARA1001",),
            body="\n\n".join(p.text for p in b_paras),
            paragraphs=b_paras,
        ),
        Cable(
            refid="08BISHKEK3003",
            created=datetime(2008, 10, 29, 12, 7),
            origin=f"Embassy Bishkek {XSS}",
            classification="SECRET",
            caveats=("NOFORN",),
            subject=f"MURAL {XSS} AT THE MINISTRY",
            tags=("PREL", "KG", XSS),
            body="\n\n".join(p.text for p in c_paras),
            paragraphs=c_paras,
        ),
        Cable(
            refid="09STATE4004",
            created=datetime(2009, 1, 5, 8, 0),
            origin="Secretary of State",
            classification="UNCLASSIFIED",
            subject="WHEAT TARIFFS",
            tags=("ETRD",),
            body=d_paras[0].text,
            paragraphs=d_paras,
        ),
    ]
    for i in range(25):
        year = 2001 + i % 10
        text = f"The quokka census number {i} was filed with the ministry."
        cables.append(
            Cable(
                refid=f"{year % 100:02d}ROME{100 + i}",
                created=datetime(year, 1 + i % 12, 1 + i, 10, 0),
                origin="Embassy Rome",
                classification="UNCLASSIFIED",
                subject=f"QUOKKA CENSUS {i}",
                tags=("SENV", "IT"),
                body=text,
                paragraphs=(Paragraph(1, "U", text),),
            )
        )
    return cables


@pytest.fixture(scope="session")
def web_cables() -> list[Cable]:
    """The test cables, as records (for exact expectations)."""
    return _cables()


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, corpus_dir, web_cables) -> Path:
    """An index of the repo's corpus/ plus the test cables, built through the CLI once."""
    root = tmp_path_factory.mktemp("web")
    extra = root / "web-cables.jsonl"
    extra.write_text("".join(c.to_json() + "\n" for c in web_cables), encoding="utf-8")
    index = root / "index"
    result = CliRunner().invoke(
        cli, ["index", "--index", str(index), "-q", str(corpus_dir), str(extra)]
    )
    assert result.exit_code == 0, result.output
    return index


@pytest.fixture
def app(index_dir):
    from web import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def empty_client(tmp_path):
    """A client of an app whose index does not exist (yet)."""
    from web import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "no-index")}).test_client()
