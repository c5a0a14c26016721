"""The search page through the Flask test client: what a reader sees, byte for byte."""

from __future__ import annotations

import re

import pytest

from indexer.tags import tag_meaning
from search import CableSearch


def html(resp) -> str:
    return resp.get_data(as_text=True)


def refids(page: str) -> list[str]:
    """The hits' refids in page order."""
    return re.findall(r'<p class="hit-meta">\s*<span class="refid">([^<]+)</span>', page)


@pytest.fixture(scope="module")
def facade(index_dir):
    return CableSearch(index_dir)


def test_landing_page_is_the_labelled_form(client):
    resp = client.get("/")
    assert resp.status_code == 200
    page = html(resp)
    assert '<label class="search-label" for="q">Search cables</label>' in page
    assert '<input id="q" name="q" type="search" value=""' in page
    assert '<form class="search-form" role="search" action="/search" method="get">' in page
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in page
    assert '<a class="brand" href="/" aria-label="Cablesearch home">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert 'id="results-h"' not in page
    # What the index holds, as ways in: its size and years, and a histogram by year.
    assert re.search(r'<h1 id="landing-h">Search \d+ cables from \d{4} to 2010</h1>', page)
    assert '<figcaption id="hist-caption">Cables per year: select a year' in page
    assert '<a class="bar-link" href="/search?year=2003" aria-label="2003: ' in page


def test_hits_come_in_the_facades_order_with_total_and_snippets(client, facade):
    page = html(client.get("/search?q=flamingo"))
    assert '<h1 id="results-h" class="total">3 cables</h1>' in page
    assert refids(page) == [h.refid for h in facade.search("flamingo").hits]
    assert "<title>flamingo – 3 cables – Cablesearch</title>" in page
    assert '<link rel="alternate" type="application/json" href="/api/search?q=flamingo">' in page
    assert '<link rel="alternate" type="text/csv" href="/export.csv?q=flamingo">' in page
    # The root takes a query too (old bookmarks, the browser's search-engine URL).
    assert refids(html(client.get("/?q=flamingo"))) == refids(page)
    # A snippet: the paragraph's number and marking, linked to the paragraph on the cable page.
    assert (
        '<a class="pref" href="/cable/06ANKARA1001?q=flamingo#p3" '
        'aria-label="Paragraph 3 of 06ANKARA1001">¶3</a>' in page
    )
    assert (
        "Officials of the environment ministry said the <mark>flamingo</mark> decline "
        "worries them, but that farmers need the water." in page
    )
    assert '<a href="/cable/06ANKARA1001?q=flamingo">FLAMINGO SURVEY ON LAKE TUZ SHOWS SHARP DECLINE</a>' in page
    assert '<span class="badge lvl-c">CONFIDENTIAL//NOFORN</span>' in page
    assert '<span class="badge caveat">NOFORN</span>' in page
    assert '<time datetime="2006-03-14T09:30:00">2006-03-14</time>' in page


def test_unnumbered_paragraph_links_to_its_index_anchor(client):
    page = html(client.get("/search?q=ornithologist"))
    assert (
        '<a class="pref" href="/cable/07ANKARA2002?q=ornithologist#i0" '
        'aria-label="Unnumbered paragraph of 07ANKARA2002">¶&#8239;–</a>' in page
    )


@pytest.mark.parametrize(
    "sort, order, current",
    [
        ("date", ["06ANKARA1001", "07ANKARA2002", "08BISHKEK3003"], "Oldest first"),
        ("-date", ["08BISHKEK3003", "07ANKARA2002", "06ANKARA1001"], "Newest first"),
    ],
)
def test_sort_by_date(client, sort, order, current):
    page = html(client.get(f"/search?q=flamingo&sort={sort}"))
    assert refids(page) == order
    assert f'<span class="current" aria-current="true">{current}</span>' in page
    assert '<a href="/search?q=flamingo">Relevance</a>' in page


def test_facets_filter_and_chips_remove(client):
    page = html(client.get("/search?q=flamingo"))
    assert '<a href="/search?q=flamingo&amp;origin=Embassy+Ankara"><span class="fv">Embassy Ankara</span></a>' in page
    assert '<span class="count">2</span>' in page
    turkey = tag_meaning("TU")
    assert turkey
    assert (
        f'<a href="/search?q=flamingo&amp;tags=TU" title="{turkey}"><span class="fv">TU</span> '
        f'<span class="meaning">{turkey}</span></a>' in page
    )

    page = html(client.get("/search?q=flamingo&origin=Embassy+Ankara"))
    assert '<h1 id="results-h" class="total">2 cables</h1>' in page
    assert sorted(refids(page)) == ["06ANKARA1001", "07ANKARA2002"]
    assert (
        '<li class="chip"><span>Origin: Embassy Ankara</span>\n'
        '            <a href="/search?q=flamingo" aria-label="Remove filter Origin: Embassy Ankara" '
        'title="Remove this filter">&times;</a></li>' in page
    )
    # The active facet value is a remove link too, and the query box keeps the filter.
    assert 'aria-label="Remove filter Origin: Embassy Ankara"><span class="check"' in page
    assert '<input type="hidden" name="origin" value="Embassy Ankara">' in page


def test_filters_combine_and_clear_all(client):
    page = html(client.get("/search?q=flamingo&origin=Embassy+Ankara&year=2007"))
    assert refids(page) == ["07ANKARA2002"]
    assert '<a class="clear-filters" href="/search?q=flamingo">Clear all</a>' in page


def test_histogram_bars_link_to_their_year(client):
    page = html(client.get("/search?q=quokka"))
    assert '<h1 id="results-h" class="total">25 cables</h1>' in page
    bars = re.findall(r'<a class="bar-link" href="([^"]+)" aria-label="([^"]+)">', page)
    assert len(bars) == 10
    assert bars[2] == ("/search?q=quokka&amp;year=2003", "2003: 3 cables, narrow to 2003")
    assert bars[7] == ("/search?q=quokka&amp;year=2008", "2008: 2 cables, narrow to 2008")
    assert "<title>2003: 3 cables</title>" in page
    assert '<figcaption id="hist-caption">Matching cables per year: select a year to narrow the search</figcaption>' in page

    narrowed = html(client.get("/search?q=quokka&year=2003"))
    assert sorted(refids(narrowed)) == ["03ROME102", "03ROME112", "03ROME122"]


def test_pagination_keeps_the_state_in_the_url(client, facade):
    first = html(client.get("/search?q=quokka&page_size=10&sort=date"))
    assert '<span class="current" aria-current="page">1</span>' in first
    assert '<a rel="next" href="/search?q=quokka&amp;sort=date&amp;page=2&amp;page_size=10">Next &rarr;</a>' in first
    assert 'rel="prev"' not in first

    last = html(client.get("/search?q=quokka&page_size=10&sort=date&page=3"))
    assert '<ol class="hits" start="21">' in last
    expected = facade.search("quokka", sort="date", page=3, page_size=10).hits
    assert refids(last) == [h.refid for h in expected]
    assert len(expected) == 5
    assert '<a rel="prev" href="/search?q=quokka&amp;sort=date&amp;page=2&amp;page_size=10">&larr; Previous</a>' in last
    assert 'rel="next"' not in last


def test_zero_results_offer_to_drop_the_filters(client):
    resp = client.get("/search?q=pelican&year=2009")
    assert resp.status_code == 200
    page = html(resp)
    assert '<h1 id="results-h" class="total">No cables match</h1>' in page
    assert (
        '<li><a href="/search?q=pelican">Search without filters</a>: '
        "1 cable matches <q>pelican</q> alone.</li>" in page
    )


def test_did_you_mean(client, facade):
    suggestion = facade.search("flamingoo").suggestion
    assert suggestion == "flamingo"
    page = html(client.get("/search?q=flamingoo"))
    assert 'Did you mean <a href="/search?q=flamingo" rel="nofollow">flamingo</a>?' in page


def test_notes_and_echo_are_shown(client):
    page = html(client.get('/search?q="unclosed'))
    assert '<p class="note">Closed an unbalanced &#34; at the end of the query.</p>' in page
    assert '<p class="echo">Understood as: unclosed; best match first</p>' in page


def test_filters_alone_browse_the_index(client):
    page = html(client.get("/search?origin=Embassy+Rome&year=2001"))
    assert '<h1 id="results-h" class="total">3 cables</h1>' in page
    assert sorted(refids(page)) == ["01ROME100", "01ROME110", "01ROME120"]


def test_query_error_rerenders_the_form_with_400(client):
    q = " ".join(["flamingo"] * 120)  # 1,079 characters: past the query layer's limit
    resp = client.get("/search", query_string={"q": q})
    assert resp.status_code == 400
    page = html(resp)
    assert '<div class="alert alert-error" role="alert">' in page
    assert (
        "The query is 1,079 characters long; the limit is 1,000. "
        "Shorten it, or split it into several searches." in page
    )
    assert f'<input id="q" name="q" type="search" value="{q}"' in page


def test_too_deep_a_page_is_a_400_that_says_what_to_do(client):
    resp = client.get("/search?q=quokka&page=501")
    assert resp.status_code == 400
    assert (
        "Page 501 of 20 hits goes past hit 10,000, the deepest a result list pages; "
        "narrow the search with filters or words, sort by date, or use export() for the "
        "whole result set." in html(resp)
    )
