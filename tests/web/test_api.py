"""The JSON API and the whole-result-set exports."""

from __future__ import annotations

import csv
import io
import json

from search import CableSearch


def test_api_search_is_results_to_dict(client, index_dir):
    resp = client.get("/api/search?q=flamingo&sort=-date&page_size=2")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    expected = CableSearch(index_dir).search("flamingo", sort="-date", page_size=2).to_dict()
    assert resp.get_json() == json.loads(json.dumps(expected))
    data = resp.get_json()
    assert (data["total"], data["pages"], data["page_size"]) == (3, 2, 2)
    assert [h["refid"] for h in data["hits"]] == ["08BISHKEK3003", "07ANKARA2002"]


def test_api_search_takes_the_page_parameters(client):
    data = client.get("/api/search?q=quokka&year=2003&sort=date").get_json()
    # Oldest first: 2003-01-13, 2003-03-03, 2003-11-23.
    assert [h["refid"] for h in data["hits"]] == ["03ROME112", "03ROME102", "03ROME122"]
    assert data["facets"]["year"] == [{"value": "2003", "count": 3}]


def test_api_bad_parameter_is_json_400(client):
    resp = client.get("/api/search?q=x&page=abc")
    assert resp.status_code == 400
    assert resp.get_json() == {"error": "page must be a whole number, not 'abc'.", "status": 400}


def test_api_cable(client, web_cables):
    resp = client.get("/api/cable/06ANKARA1001")
    assert resp.status_code == 200
    data = resp.get_json()
    expected = web_cables[0].to_dict()
    got = dict(data["cable"])
    # Only the source's file name is published, never the server's directories.
    assert got.pop("source") == {"path": "web-cables.jsonl", "format": "jsonl", "row": 1, "line": 1}
    expected.pop("source")
    assert got == expected
    assert data["cited_by"] == ["07ANKARA2002"]
    assert data["indexed_refs"] == ["07ANKARA2002"]
    assert set(data["tag_meanings"]) == {"SENV", "TU"}
    assert data["url"] == "http://localhost/cable/06ANKARA1001"


def test_api_cable_redirects_and_404s(client):
    resp = client.get("/api/cable/06ankara1001")
    assert resp.status_code == 301
    assert resp.headers["Location"] == "/api/cable/06ANKARA1001"
    resp = client.get("/api/cable/06ANKARA9999")
    assert resp.status_code == 404
    assert resp.get_json() == {"error": "No cable 06ANKARA9999 in this index.", "status": 404}


def test_csv_export_is_the_whole_result_set_streamed(client):
    resp = client.get("/export.csv?q=quokka&sort=date&page_size=5&page=2")
    assert resp.status_code == 200
    assert resp.is_streamed
    assert resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="cables-quokka.csv"'
    text = resp.get_data(as_text=True)
    assert text.startswith("refid,created,origin,classification,caveats,tags,subject,score,url\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 25  # page and page_size do not cut an export
    assert [r["created"] for r in rows] == sorted(r["created"] for r in rows)
    first = rows[0]
    assert first["refid"] == "01ROME100"
    assert first["created"] == "2001-01-01 10:00"
    assert (first["origin"], first["classification"], first["tags"]) == (
        "Embassy Rome",
        "UNCLASSIFIED",
        "SENV, IT",
    )
    assert first["subject"] == "QUOKKA CENSUS 0"
    assert first["url"] == "http://localhost/cable/01ROME100"


def test_jsonl_export_with_filters(client):
    resp = client.get("/export.jsonl?q=quokka&year=2003&sort=-date")
    assert resp.status_code == 200
    assert resp.is_streamed
    assert resp.mimetype == "application/x-ndjson"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="cables-quokka.jsonl"'
    lines = resp.get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["refid"] for r in records] == ["03ROME122", "03ROME102", "03ROME112"]
    assert records[0]["tags"] == ["SENV", "IT"]
    assert records[0]["created"] == "2003-11-23T10:00:00"
    assert set(records[0]) == {
        "refid", "created", "origin", "classification", "caveats", "tags", "subject", "score", "url",
    }


def test_export_without_matches_is_just_the_header(client):
    resp = client.get("/export.csv?q=nosuchwordanywhere")
    assert resp.status_code == 200
    assert resp.get_data(as_text=True) == (
        "refid,created,origin,classification,caveats,tags,subject,score,url\r\n"
    )
    assert client.get("/export.jsonl?q=nosuchwordanywhere").get_data() == b""


def test_export_errors_are_json_before_streaming(client):
    resp = client.get("/export.csv", query_string={"q": "x" * 1500})
    assert resp.status_code == 400
    assert resp.get_json() == {
        "error": "The query is 1,500 characters long; the limit is 1,000. "
        "Shorten it, or split it into several searches.",
        "status": 400,
    }
