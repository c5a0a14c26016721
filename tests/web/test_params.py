"""The URL <-> search state round trip, and the exact messages for bad parameters."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from web.params import Limits, ParamError, SearchState, iter_pages, parse_search_args


def parse(*pairs, **limits):
    return parse_search_args(MultiDict(pairs), Limits(**limits))


def test_full_state_is_parsed_and_stripped():
    state = parse(
        ("q", "  nuclear  "),
        ("origin", "Embassy Ankara"),
        ("origin", "Embassy Ankara"),  # duplicates collapse
        ("year", "2006"),
        ("date_from", "2006-03"),
        ("date_to", "2007"),
        ("sort", "-date"),
        ("page", "3"),
        ("page_size", "50"),
    )
    assert state == SearchState(
        q="nuclear",
        filters={"origin": ("Embassy Ankara",), "year": ("2006",)},
        date_from="2006-03",
        date_to="2007",
        sort="-date",
        page=3,
        page_size=50,
    )
    assert state.facade_filters() == {
        "origin": ["Embassy Ankara"],
        "year": ["2006"],
        "date_from": "2006-03",
        "date_to": "2007",
    }


def test_defaults_stay_out_of_urls():
    state = parse(("q", "tariffs"))
    assert state.to_args() == {"q": "tariffs"}
    assert state.facade_filters() is None
    assert parse().is_empty
    assert not parse(("year", "2006")).is_empty


def test_changes_reset_the_page_but_paging_does_not():
    state = parse(("q", "x"), ("page", "4"), ("tags", "PREL"))
    assert state.adding("tags", "TU").to_args() == {"q": "x", "tags": ["PREL", "TU"]}
    assert state.removing("tags", "PREL").to_args() == {"q": "x"}
    assert state.only("year", "2007").to_args() == {"q": "x", "tags": ["PREL"], "year": ["2007"]}
    assert state.with_sort("date").to_args() == {"q": "x", "tags": ["PREL"], "sort": "date"}
    assert state.with_page(5).to_args()["page"] == "5"
    assert state.without_filters().to_args() == {"q": "x"}
    assert state.to_args(paging=False) == {"q": "x", "tags": ["PREL"]}


def test_chips_list_every_active_filter_in_facet_order():
    state = parse(("tags", "PREL"), ("origin", "Embassy Rome"), ("date_to", "2008-05"))
    assert state.chips() == [
        ("origin", "Embassy Rome", "Embassy Rome"),
        ("tags", "PREL", "PREL"),
        ("date_to", "2008-05", "to 2008-05"),
    ]
    assert state.removing("date_to", "2008-05").date_to == ""


@pytest.mark.parametrize(
    "pairs, message",
    [
        ([("page", "x")], "page must be a whole number, not 'x'."),
        ([("page", "0")], "page must be at least 1, not 0."),
        ([("page", "-2")], "page must be a whole number, not '-2'."),
        ([("page", "9" * 50)], "page '" + "9" * 40 + "…' is out of range."),
        ([("page_size", "1000")], "page_size must be between 1 and 100, not 1000."),
        ([("sort", "random")], "Unknown sort 'random': use one of relevance, -date, date."),
        ([("sort", "date"), ("sort", "-date")], "Give sort once, not 2 times."),
        ([("year", "06")], "year must be four digits like 2006, not '06'."),
        (
            [("date_from", "2006-13")],
            "date_from must be a date like 2006, 2006-07 or 2006-07-05, not '2006-13'.",
        ),
        ([("date_from", "2007"), ("date_to", "2006-12")], "date_from 2007 is after date_to 2006-12: swap them."),
        ([("q", "x" * 2001)], "q is 2,001 characters long; the limit is 2,000. Shorten it."),
        ([("q", "a\x00b")], "q contains a NUL character; remove it."),
        ([("origin", "x" * 201)], "One origin value is 201 characters long; the limit is 200."),
        ([("tags", "PREL\nX")], "One tags value contains control characters; remove them."),
        ([("tags", str(i)) for i in range(21)], "Too many tags filters (21); the limit is 20."),
    ],
)
def test_bad_parameters_say_what_to_send(pairs, message):
    with pytest.raises(ParamError) as info:
        parse(*pairs)
    assert str(info.value) == message


def test_date_bounds_compare_by_the_days_they_cover():
    # 2006-07 ends on the 31st, so a range ending there and starting that month is fine.
    assert parse(("date_from", "2006-07-31"), ("date_to", "2006-07")).date_to == "2006-07"
    assert parse(("date_from", "2006"), ("date_to", "2006")).date_from == "2006"


def test_iter_pages_windows_and_gaps():
    assert list(iter_pages(6, 20)) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert list(iter_pages(1, 1)) == [1]
    assert list(iter_pages(1, 4)) == [1, 2, 3, 4]
    assert list(iter_pages(20, 20)) == [1, None, 18, 19, 20]
