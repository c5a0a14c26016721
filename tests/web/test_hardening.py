"""Escaping, headers, methods, bad input and the missing index: nothing gets a 500."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from indexer.cli import cli
from web.security import HEADERS

XSS = "<script>alert('x')</script>"


def html(resp) -> str:
    return resp.get_data(as_text=True)


# ---- escaping ---------------------------------------------------------------------------


def test_a_hostile_cable_is_inert_in_results(client):
    resp = client.get("/search?q=flamingo")
    page = html(resp)
    assert "<script" not in page
    # Subject, origin facet, tag facet and snippet: every one escaped.
    assert "MURAL &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; AT THE MINISTRY</a>" in page
    assert '<span class="fv">Embassy Bishkek &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</span>' in page
    assert '<span class="fv">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</span>' in page
    assert (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; A <mark>flamingo</mark> was painted"
        in page
    )
    # ... and in the URLs that filter by them.
    assert (
        'href="/search?q=flamingo&amp;origin=Embassy+Bishkek+%3Cscript%3Ealert%28%27x%27%29%3C%2Fscript%3E"'
        in page
    )


def test_a_hostile_cable_is_inert_on_its_page(client):
    page = html(client.get("/cable/08BISHKEK3003"))
    assert "<script" not in page
    assert '<h1 id="cable-h">MURAL &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; AT THE MINISTRY</h1>' in page
    assert "Nothing else of note &lt;b&gt;happened&lt;/b&gt; &amp; the meeting ended." in page
    assert '<span class="meaning">meaning unknown</span>' in page


def test_a_hostile_query_is_inert(client):
    resp = client.get("/search", query_string={"q": f"mural {XSS}"})
    page = html(resp)
    assert "<script" not in page
    assert 'value="mural &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"' in page
    # The cable page echoes its q too.
    page = html(client.get("/cable/08BISHKEK3003", query_string={"q": XSS}))
    assert "<script" not in page
    assert "Best matches for <q>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</q>" in page


def test_json_never_carries_a_literal_script_tag(client):
    for url in ("/api/cable/08BISHKEK3003", "/api/search?q=mural", "/export.jsonl?q=mural"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert b"<script" not in resp.data, url
        assert b"\\u003cscript\\u003e" in resp.data, url
    data = client.get("/api/cable/08BISHKEK3003").get_json()
    assert data["cable"]["subject"] == f"MURAL {XSS} AT THE MINISTRY"
    resp = client.get("/api/search", query_string={"q": XSS})
    assert b"<script" not in resp.data
    assert resp.get_json()["query"] == XSS


# ---- headers and methods ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url, status",
    [
        ("/", 200),
        ("/search?q=flamingo", 200),
        ("/cable/06ANKARA1001", 200),
        ("/api/search?q=flamingo", 200),
        ("/export.csv?q=flamingo", 200),
        ("/static/style.css", 200),
        ("/nope", 404),
        ("/search?page=x", 400),
    ],
)
def test_security_headers_on_every_response(client, url, status):
    resp = client.get(url)
    assert resp.status_code == status
    for name, value in HEADERS.items():
        assert resp.headers[name] == value, name
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_pages_use_no_inline_script_or_style(client):
    for url in ("/", "/search?q=quokka", "/cable/06ANKARA1001?q=pelican", "/nope"):
        page = html(client.get(url))
        assert "<script" not in page and "<style" not in page and " style=" not in page, url


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("url", ["/", "/search?q=x", "/cable/06ANKARA1001", "/api/search", "/nope"])
def test_only_get_and_head(client, method, url):
    resp = client.open(url, method=method)
    assert resp.status_code == 405
    assert resp.headers["Allow"] == "GET, HEAD"


def test_head_works(client):
    resp = client.head("/search?q=flamingo")
    assert resp.status_code == 200
    assert resp.data == b""


# ---- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, message",
    [
        ("q=x&page=abc", "page must be a whole number, not &#39;abc&#39;."),
        ("q=x&page=0", "page must be at least 1, not 0."),
        ("q=x&page=" + "9" * 300, "is out of range."),
        ("q=x&page_size=101", "page_size must be between 1 and 100, not 101."),
        ("q=x&sort=shuffle", "Unknown sort &#39;shuffle&#39;: use one of relevance, -date, date."),
        ("q=x&year=nineteen", "year must be four digits like 2006, not &#39;nineteen&#39;."),
        ("q=x&date_to=2006-02-30", "date_to must be a date like 2006, 2006-07 or 2006-07-05"),
        ("q=" + "x" * 2500, "q is 2,500 characters long; the limit is 2,000. Shorten it."),
        ("q=x&origin=" + "o" * 300, "One origin value is 300 characters long; the limit is 200."),
        ("q=a&q=b", "Give q once, not 2 times."),
        ("q=x%00y", "q contains a NUL character; remove it."),
        ("q=x&page=600", "goes past hit 10,000"),
    ],
)
def test_bad_input_is_a_400_with_the_message(client, query, message):
    resp = client.get("/search?" + query)
    assert resp.status_code == 400
    page = html(resp)
    assert message in page
    assert '<div class="alert alert-error" role="alert">' in page
    assert '<form class="search-form" role="search"' in page  # the form, to fix the query
    api = client.get("/api/search?" + query)
    assert api.status_code == 400
    assert json.loads(api.data)["status"] == 400


@pytest.mark.parametrize(
    "query",
    [
        "q=*",
        "q=a*",
        "q=%28%28%28%28",
        "q=%22unclosed",
        "q=AND+OR+NOT",
        "q=nosuchfield%3Avalue",
        "q=origin%3A+tag%3A",
        "q=%ff%fe",
        "q=-",
    ],
)
def test_odd_queries_never_fail(client, query):
    resp = client.get("/search?" + query)
    assert resp.status_code in (200, 400), query


def test_bad_input_on_the_cable_page(client):
    resp = client.get("/cable/06ANKARA1001", query_string={"q": "x" * 2100})
    assert resp.status_code == 400
    assert "q is 2,100 characters long; the limit is 2,000. Shorten it." in html(resp)
    assert client.get("/cable/" + "X" * 500).status_code == 404


# ---- no index ---------------------------------------------------------------------------


def test_no_index_is_a_friendly_503_then_recovers_without_restart(tmp_path, corpus_dir):
    from web import create_app

    index = tmp_path / "later"
    app = create_app({"TESTING": True, "INDEX_DIR": str(index)})
    client = app.test_client()

    resp = client.get("/")
    assert resp.status_code == 503
    page = html(resp)
    assert '<h1 class="alert-title">No index yet</h1>' in page
    assert f"<code>cables index --index {index} corpus/</code>" in page
    assert resp.headers["X-Frame-Options"] == "DENY"

    resp = client.get("/api/search?q=x")
    assert resp.status_code == 503
    assert resp.get_json() == {
        "error": f"No index yet at {index}: run `cables index corpus/` to build one.",
        "status": 503,
    }
    assert client.get("/cable/06BANGKOK3955").status_code == 503

    result = CliRunner().invoke(cli, ["index", "--index", str(index), "-q", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 200
    assert client.get("/cable/06BANGKOK3955").status_code == 200


def test_not_found_page(client):
    resp = client.get("/no/such/page")
    assert resp.status_code == 404
    assert '<h1 class="alert-title">Not Found</h1>' in html(resp)
    assert client.get("/api/nothing").get_json()["status"] == 404


def test_an_index_from_another_schema_is_a_503_that_says_rebuild(tmp_path, index_dir):
    import shutil

    from indexer import swap
    from web import create_app

    old = tmp_path / "old"
    shutil.copytree(index_dir, old)
    swap.write_meta(swap.current_generation(old), schema_version=-1)
    client = create_app({"TESTING": True, "INDEX_DIR": str(old)}).test_client()

    resp = client.get("/search?q=flamingo")
    assert resp.status_code == 503
    page = html(resp)
    assert '<h1 class="alert-title">Index unavailable</h1>' in page
    assert "schema version -1" in page
    assert "cables index --rebuild" in page
    data = client.get("/api/search?q=flamingo").get_json()
    assert data["status"] == 503
    assert "cables index --rebuild" in data["error"]
