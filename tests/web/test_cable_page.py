"""The cable page: metadata, TAGs, anchored paragraphs, references, and the query's matches."""

from __future__ import annotations

import re

from indexer.tags import tag_meaning
from search import CableSearch


def html(resp) -> str:
    return resp.get_data(as_text=True)


def test_metadata_table(client):
    resp = client.get("/cable/06ANKARA1001")
    assert resp.status_code == 200
    page = html(resp)
    assert "<title>06ANKARA1001: FLAMINGO SURVEY ON LAKE TUZ SHOWS SHARP DECLINE – Cablesearch</title>" in page
    assert '<h1 id="cable-h">FLAMINGO SURVEY ON LAKE TUZ SHOWS SHARP DECLINE</h1>' in page
    rows = dict(re.findall(r'<tr><th scope="row"[^>]*>([^<]+)</th><td[^>]*>(.*?)</td></tr>', page, re.S))
    assert rows["Reference ID"] == "06ANKARA1001"
    assert rows["Date"] == '<time datetime="2006-03-14T09:30:00">2006-03-14 09:30</time>'
    assert rows["Origin"] == "Embassy Ankara"
    assert rows["Classification"] == "CONFIDENTIAL//NOFORN"
    assert rows["Caveats"] == "NOFORN, SIPDIS"
    assert "SECSTATE WASHDC <span class=\"precedence\">PRIORITY</span>" in rows["To"]
    assert "<li>AMEMBASSY ATHENS</li>" in rows["Info"]
    assert rows["Signed"] == "WILSON"
    assert rows["Classified by"] == "Deputy Chief of Mission"
    assert rows["DECL"] == "2016-03-14"


def test_tags_with_meanings_link_to_a_search(client):
    page = html(client.get("/cable/06ANKARA1001"))
    assert (
        '<li><a class="tag" href="/search?tags=TU" aria-label="Search cables tagged TU">TU</a>\n'
        f'            <span class="meaning">{tag_meaning("TU")}</span></li>' in page
    )


def test_paragraphs_have_anchors_numbers_and_markings(client):
    page = html(client.get("/cable/06ANKARA1001"))
    assert (
        '<div class="para" id="p9">\n'
        '        <a class="pnum" href="#p9" aria-label="Link to this paragraph">¶9</a>\n'
        '        <span class="marking lvl-c">(C)</span>\n' in page
    )
    assert (
        '<p class="para-text">A lone pelican was seen at the northern inlet for the first time '
        "since 1998, which the ministry welcomed.</p>" in page
    )
    # The unnumbered lead paragraph is anchored by its index, as ParagraphHit.anchor says.
    assert '<div class="para unnumbered" id="i0">' in page
    ids = re.findall(r'<div class="para[^"]*" id="([^"]+)">', page)
    assert ids == ["i0"] + [f"p{n}" for n in range(1, 12)]


def test_references_and_cited_by_link_only_indexed_cables(client):
    page = html(client.get("/cable/06ANKARA1001"))
    refs = page[page.index('id="refs-h"') : page.index('id="citedby-h"')]
    assert '<li><span class="unindexed">05ANKARA999</span> <span class="aside-note">(not in this index)</span></li>' in refs
    assert '<li><a href="/cable/07ANKARA2002">07ANKARA2002</a></li>' in refs
    cited = page[page.index('id="citedby-h"') : page.index('id="mlt-h"')]
    assert '<li><a href="/cable/07ANKARA2002">07ANKARA2002</a></li>' in cited

    page = html(client.get("/cable/09STATE4004"))
    assert "This cable cites no other cable." in page
    assert "No cable in this index cites it." in page


def test_more_like_this_lists_the_facades_hits(client, index_dir):
    expected = [h.refid for h in CableSearch(index_dir).more_like("06ANKARA1001", limit=8)]
    assert expected and "06ANKARA1001" not in expected
    page = html(client.get("/cable/06ANKARA1001"))
    mlt = page[page.index('id="mlt-h"') :]
    assert re.findall(r'<li><a href="/cable/([^"?]+)">', mlt) == expected


def test_query_matches_are_highlighted_and_listed(client):
    page = html(client.get("/cable/06ANKARA1001?q=pelican"))
    assert '<div class="para matched" id="p9">' in page
    assert (
        '<p class="para-text">A lone <mark>pelican</mark> was seen at the northern inlet for '
        "the first time since 1998, which the ministry welcomed.</p>" in page
    )
    best = page[page.index('id="best-h"') : page.index('id="text-h"')]
    assert 'Best matches for <q>pelican</q>' in best
    assert '<a class="pref" href="#p9" aria-label="Go to paragraph 9">¶9</a>' in best
    assert '<a href="/search?q=pelican">&larr; Results for <q>pelican</q></a>' in page
    # Links onward keep the query, so the next cable highlights it too.
    assert '<li><a href="/cable/07ANKARA2002?q=pelican">07ANKARA2002</a></li>' in page


def test_query_that_misses_the_cable_says_so(client):
    page = html(client.get("/cable/09STATE4004?q=pelican"))
    assert "The query does not match this cable's text." in page
    assert "<mark>" not in page


def test_permalink_and_json_links(client):
    page = html(client.get("/cable/06ANKARA1001?q=flamingo"))
    assert '<a href="/cable/06ANKARA1001" rel="bookmark">Permalink</a>' in page
    assert '<a href="/api/cable/06ANKARA1001">JSON</a>' in page
    assert '<link rel="canonical" href="http://localhost/cable/06ANKARA1001">' in page


def test_refid_is_canonicalized_with_a_redirect(client):
    resp = client.get("/cable/06ankara1001?q=pelican")
    assert resp.status_code == 301
    assert resp.headers["Location"] == "/cable/06ANKARA1001?q=pelican"
    resp = client.get("/cable/06%20ANKARA%201001")
    assert resp.status_code == 301
    assert resp.headers["Location"] == "/cable/06ANKARA1001"


def test_unknown_cable_is_a_404_page(client):
    resp = client.get("/cable/06ANKARA9999")
    assert resp.status_code == 404
    page = html(resp)
    assert '<h1 class="alert-title">Not Found</h1>' in page
    assert "<p>No cable 06ANKARA9999 in this index.</p>" in page

    resp = client.get("/cable/hello")
    assert resp.status_code == 404
    assert "<p>&#39;hello&#39; is not a cable reference id like 06BANGKOK3955.</p>" in html(resp)


def test_the_seed_cable_from_corpus_is_served(client):
    page = html(client.get("/cable/06BANGKOK3955"))
    assert '<td class="refid">06BANGKOK3955</td>' in page
    assert "Vital Voices" in page


def test_a_query_near_the_length_limit_still_shows_the_cable(client):
    q = "pelican " + "x" * 985  # 993 characters: fine alone, too long once scoped to the cable
    assert client.get("/search", query_string={"q": q}).status_code == 200
    resp = client.get("/cable/06ANKARA1001", query_string={"q": q})
    assert resp.status_code == 200
    assert "The query does not match this cable's text." in html(resp)


def test_every_matching_paragraph_is_highlighted_not_only_the_best(client):
    page = html(client.get("/cable/06ANKARA1001?q=flamingo"))
    marked = re.findall(r'<div class="para matched" id="(p\d+)">', page)
    text = page[page.index('id="text-h"'):]
    # Every paragraph of the cable that says "flamingo" is marked in the text itself.
    assert marked == [f"p{n}" for n in range(1, 20)
                      if f'id="p{n}"' in text and "flamingo" in _para(text, n).lower()]
    assert len(marked) >= 2


def _para(text: str, n: int) -> str:
    start = text.index(f'id="p{n}"')
    ends = [e for e in (text.find('<div class="para', start + 1), text.find("</section>", start))
            if e != -1]
    return re.sub(r"<[^>]+>", "", text[start:min(ends)])


def test_a_misspelled_refid_redirects_to_the_cable_it_names(client):
    # No 06BANGOK3955 is indexed; BANGOK is a misspelling of BANGKOK seen in Cablegate.
    resp = client.get("/cable/06BANGOK3955?q=voices")
    assert resp.status_code == 301
    assert resp.headers["Location"] == "/cable/06BANGKOK3955?q=voices"
    resp = client.get("/api/cable/06bangok3955")
    assert resp.headers["Location"] == "/api/cable/06BANGOK3955"
    assert client.get("/api/cable/06BANGOK3955").headers["Location"] == "/api/cable/06BANGKOK3955"
    assert client.get("/cable/06BANGOK9999").status_code == 404
