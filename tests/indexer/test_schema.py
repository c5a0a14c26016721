"""The schema, the stored-cable codec and the cable -> document mapping."""

from __future__ import annotations

import pickle
from datetime import datetime

from indexer.documents import cable_document, marking_terms, paragraph_documents, serial_key
from indexer.models import Cable, Paragraph, Recipient
from indexer.schema import COLUMN_SEP, CableText, make_schema
from indexer.store import decode_cable, encode_cable


def _cable() -> Cable:
    return Cable(
        refid="06BANGKOK3955",
        created=datetime(2006, 7, 5, 10, 7),
        origin="Embassy Bangkok",
        classification="UNCLASSIFIED",
        caveats=("SIPDIS", "NOFORN"),
        subject="VITAL VOICES CONFERENCE",
        tags=("PREL", "KTIP", "OVIP (STEINBERG, JAMES B.)"),
        references=("06BANGKOK1234",),
        signers=("BOYCE",),
        recipients=(Recipient("SECSTATE WASHDC", "PRIORITY", "RUEHC", "1474"),),
        info_recipients=(Recipient("AMEMBASSY BEIJING"),),
        body="Summary. Trafficking.\n\nSecond.",
        paragraphs=(Paragraph(1, "U", "Summary. Trafficking."), Paragraph(None, None, "  "),
                    Paragraph(2, "S/NF", "Second.")),
    )


def test_schema_fields_and_columns():
    schema = make_schema()
    for name in ("refid", "created", "year", "origin", "classification", "caveats", "tags",
                 "subject", "body", "references", "cited_by", "signers", "to", "info",
                 "tagtext", "names", "serial", "content_hash", "kind", "cable",
                 "pref", "pnum", "pindex", "marking", "ptext"):
        assert name in schema.names(), name
    for name in ("origin", "year", "classification", "caveats", "tags", "created"):
        assert schema[name].column_type is not None, name
    stored = {n for n in schema.names() if schema[n].stored}
    # Nothing holds text twice: only keys, cited_by and the one compressed cable.
    assert stored == {"refid", "cited_by", "content_hash", "cable", "pref", "pindex"}
    assert schema["refid"].unique
    assert isinstance(schema["body"], CableText) and schema["body"].twins
    assert not schema["ptext"].twins


def test_schema_pickles_by_stable_path():
    blob = pickle.dumps(make_schema())
    assert b"indexer.schema" in blob and b"CableText" in blob
    back = pickle.loads(blob)
    fresh = make_schema()
    assert back.names() == fresh.names()
    assert all(type(back[n]) is type(fresh[n]) for n in fresh.names())
    assert back["body"] == fresh["body"] and back["ptext"] == fresh["ptext"]


def test_postings_value_is_taken_as_analyzed():
    field = make_schema()["body"]
    direct = sorted(field.index("Trafficking victims, trafficking"))
    pre = field.postings("Trafficking victims, trafficking")
    assert sorted(field.index(pickle.loads(pickle.dumps(pre)))) == direct
    freqs = {term: freq for term, freq, _w, _v in direct}
    assert freqs == {b"traffick": 2, b"=trafficking": 2, b"victim": 1, b"=victims": 1}


def test_store_round_trip():
    c = _cable()
    blob = encode_cable(c)
    assert isinstance(blob, bytes) and len(blob) < len(c.to_json())
    assert decode_cable(blob) == c


def test_serial_key_and_markings():
    assert serial_key("06BANGKOK3955") == "bangkok3955"
    assert serial_key("06BANGKOK003955") == "bangkok3955"
    assert serial_key("not a refid") is None
    assert marking_terms("S/NF") == ["S/NF", "S", "NF"]
    assert marking_terms("c") == ["C"]
    assert marking_terms(None) == []


def test_cable_document_fields():
    c = _cable()
    doc = cable_document(c, cited_by=["07BANGKOK1", "06BANGKOK9999", "07BANGKOK1"])
    assert doc["kind"] == "cable" and doc["refid"] == "06BANGKOK3955"
    assert doc["serial"] == "bangkok3955"
    assert doc["year"] == 2006 and doc["created"] == c.created
    assert doc["cited_by"] == ["06BANGKOK9999", "07BANGKOK1"]
    assert doc["tags"] == ["PREL", "KTIP", "OVIP (STEINBERG, JAMES B.)"]
    assert doc["_stored_tags"] == COLUMN_SEP.join(c.tags)
    assert doc["to"] == "SECSTATE WASHDC" and doc["info"] == "AMEMBASSY BEIJING"
    assert doc["content_hash"] == c.content_hash()
    assert decode_cable(doc["cable"]) == c
    assert "trafficking" in doc.get("tagtext", "").lower()


def test_paragraph_documents_skip_blank_and_keep_index():
    docs = paragraph_documents(_cable())
    assert [(d["pindex"], d.get("pnum"), d.get("marking")) for d in docs] == [
        (0, "1", ["U"]),
        (2, "2", ["S/NF", "S", "NF"]),
    ]
    assert all(d["kind"] == "para" and d["pref"] == "06BANGKOK3955" for d in docs)
