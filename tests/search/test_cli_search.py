"""``cables search``: readable hits, JSON, exit codes and messages."""

from __future__ import annotations

import json

from click.testing import CliRunner

from indexer.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_readable_hits(small_index):
    result = run("search", "--index", str(small_index), "trafficking", "--limit", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "3 cables (page 1 of 2): trafficking; best match first"
    assert "  2006-07-05  Embassy Bangkok  [UNCLASSIFIED]" in result.output
    assert "     ¶1 (U): Summary. The Vital Voices conference on trafficking in persons was held in Bangkok." in lines


def test_json(small_index):
    result = run("search", "--index", str(small_index), "--json", "--sort", "date", "date:2008")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 3
    assert [h["refid"] for h in data["hits"]] == ["08TRIPOLI50", "08GENEVA10", "08GENEVA11"]
    assert data["facets"]["origin"][0] == {"value": "Mission Geneva", "count": 2}


def test_filters_option(small_index):
    result = run("search", "--index", str(small_index), "--json", "trafficking", "-f", "tags=KTIP", "-f", "year=2009")
    assert [h["refid"] for h in json.loads(result.output)["hits"]] == ["09STATE1234"]
    bad = run("search", "--index", str(small_index), "x", "-f", "year")
    assert bad.exit_code == 2
    assert "'year' is not NAME=VALUE" in bad.output


def test_notes_and_suggestion_are_printed(small_index):
    result = run("search", "--index", str(small_index), "nucler orign:talks")
    assert result.exit_code == 0, result.output
    assert "Did you mean: nuclear orign:talks" in result.output
    assert "Note: Unknown field 'orign:'" in result.output


def test_missing_index_exits_1(tmp_path):
    result = run("search", "--index", str(tmp_path / "nowhere"), "x")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: no index at {tmp_path / 'nowhere'}; build one with: "
        f"cables index --index {tmp_path / 'nowhere'} PATH...\n"
    )


def test_query_limit_exits_1(small_index):
    result = run("search", "--index", str(small_index), "a" * 1001)
    assert result.exit_code == 1
    assert result.output.startswith("Error: The query is 1,001 characters long; the limit is 1,000.")


def test_bad_sort_is_a_usage_error(small_index):
    assert run("search", "--index", str(small_index), "x", "--sort", "newest").exit_code == 2
