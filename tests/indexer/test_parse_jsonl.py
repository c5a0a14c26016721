"""JSON Lines: the project's own export round-trips every field."""

from __future__ import annotations

import json

import pytest

from indexer import Cable, ParseError, parse_text, read_cables


def test_corpus_jsonl(corpus_dir):
    cables = list(read_cables(corpus_dir / "jsonl"))
    assert [c.refid for c in cables] == ["04KUWAIT2231", "89BONN1450"]
    assert [c.source.row for c in cables] == [1, 2]
    bonn = cables[1]
    assert bonn.nondisclosure_deadline is None  # DECL: OADR
    assert bonn.caveats == ("EXDIS",)
    assert bonn.references == ("89STATE12004", "88BONN40112")


def test_every_corpus_cable_round_trips(corpus_dir, tmp_path):
    originals = list(read_cables(corpus_dir))
    assert len(originals) == 12
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(c.to_json() for c in originals) + "\n", encoding="utf-8")
    again = list(read_cables(path))
    assert again == originals  # dataclass equality over every field but source
    assert [c.to_dict() for c in again] != []
    for a, b in zip(originals, again):
        da, db = a.to_dict(), b.to_dict()
        da.pop("source"), db.pop("source")
        assert da == db
        assert a.content_hash() == b.content_hash()


def test_parse_text_jsonl_and_errors():
    c = Cable(refid="06BANGKOK3955", subject="S")
    assert parse_text(c.to_json()) == c
    with pytest.raises(ParseError, match="^not valid JSON"):
        parse_text("{not json", format="jsonl")
    with pytest.raises(ParseError, match="^not a cable record: unknown cable field"):
        parse_text(json.dumps({"refid": "x", "colour": "red"}))
