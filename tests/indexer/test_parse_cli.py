"""``cables parse``: JSON Lines, the report, diagnostics and exit codes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from indexer import Cable
from indexer.cli import cli


def run(*args):
    return CliRunner().invoke(cli, ["parse", *map(str, args)])


def test_json_lines_by_default(corpus_dir):
    result = run(corpus_dir)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 12
    cables = [Cable.from_dict(json.loads(line)) for line in lines]
    assert cables[0].refid == "06BANGKOK3955"
    assert {c.source.format for c in cables} == {"blog", "csv", "html", "jsonl", "text"}
    assert "parsed 12 cables in" in result.stderr


def test_report(corpus_dir):
    result = run(corpus_dir, "--report", "-q")
    assert result.exit_code == 0
    out = result.stdout.splitlines()
    assert out[0] == "cables: 12   errors: 0   notes: 0"
    assert out[1] == "formats: blog 1, csv 3, html 4, jsonl 2, text 2"
    assert "  refid               100.0%  (12)" in out
    assert "  DECL date            58.3%  (7)" in out
    assert result.stderr == ""


def test_errors_are_listed_counted_and_exit_0_unless_strict(tmp_path, corpus_dir):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "07MOSCOW3398.txt").write_bytes((corpus_dir / "text" / "07MOSCOW3398.txt").read_bytes())
    result = run(tmp_path, "--report")
    assert result.exit_code == 0
    assert result.stdout.startswith("cables: 1   errors: 1   notes: 0\n")
    assert f"errors:\n  {tmp_path / 'empty.txt'}: empty file" in result.stdout

    plain = run(tmp_path)
    assert plain.exit_code == 0
    assert f"{tmp_path / 'empty.txt'}: empty file\n" in plain.stderr
    assert len(plain.stdout.splitlines()) == 1

    strict = run(tmp_path, "--strict", "-q")
    assert strict.exit_code == 1
    assert strict.stderr == ""


def test_forced_format_and_usage_errors(corpus_dir, tmp_path):
    assert run(corpus_dir / "text", "--format", "text", "-q").exit_code == 0
    assert run(corpus_dir, "--format", "pdf").exit_code == 2
    assert run(tmp_path / "missing").exit_code == 2
