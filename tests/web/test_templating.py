"""Template helpers: dates, counts, marking classes, filter links and the one Markup site."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from markupsafe import Markup, escape

from web import create_app
from web.params import FACETS, SearchState
from web.templating import (FilterLinks, cables, fmt_date, highlighted, marking_class, num,
                             search_url)


def test_dates():
    assert fmt_date(datetime(2006, 7, 5, 10, 7)) == "2006-07-05"
    assert fmt_date(datetime(2006, 7, 5, 10, 7), with_time=True) == "2006-07-05 10:07"
    # A date-only source parses to midnight: no invented time.
    assert fmt_date(datetime(2002, 12, 3), with_time=True) == "2002-12-03"
    assert fmt_date(date(2016, 3, 14)) == "2016-03-14"
    assert fmt_date(None) == ""


def test_counts():
    assert (num(1234567), cables(1), cables(0), cables(25000)) == (
        "1,234,567",
        "1 cable",
        "0 cables",
        "25,000 cables",
    )


@pytest.mark.parametrize(
    "marking, css",
    [
        ("SECRET//NOFORN", "lvl-s"),
        ("S/NF", "lvl-s"),
        ("C", "lvl-c"),
        ("CONFIDENTIAL", "lvl-c"),
        ("SBU", "lvl-sbu"),
        ("U", "lvl-u"),
        ("UNCLASSIFIED//FOR OFFICIAL USE ONLY", "lvl-u"),
        (None, "lvl-none"),
    ],
)
def test_marking_classes(marking, css):
    assert marking_class(marking) == css


def test_highlighted_passes_the_facades_escaped_html_through_unchanged():
    snippet = "a &lt;script&gt; <mark>flamingo</mark>"
    out = highlighted(snippet)
    assert isinstance(out, Markup)
    assert escape(out) == snippet  # Markup is not escaped a second time


STATES = [
    SearchState(),
    SearchState(q="nuclear & iran's ¶ = ?"),
    SearchState(q="x", filters={"tags": ("PREL",)}, page=4, page_size=50),
    SearchState(
        q="a b",
        filters={"origin": ("Embassy Ankara",), "year": ("2006",), "caveats": ("NOFORN",)},
        date_from="2006-03",
        date_to="2007",
        sort="-date",
        page=2,
    ),
]


@pytest.mark.parametrize("state", STATES)
def test_filter_links_are_the_urls_of_the_changed_states(state):
    app = create_app({"INDEX_DIR": "/nonexistent"})
    with app.test_request_context("/search"):
        links = FilterLinks(state)
        for name in FACETS:
            for value in ("Embassy Ankara", "2006", "PREL", "a&b=c/d", "ü ?#"):
                assert links.adding(name, value) == search_url(state.adding(name, value))
                assert links.removing(name, value) == search_url(state.removing(name, value))
                assert links.only(name, value) == search_url(state.only(name, value))
