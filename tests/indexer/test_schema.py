"""The schema, the stored-cable codec and the cable -> document mapping (schema version 3)."""

from __future__ import annotations

import pickle
from array import array
from datetime import datetime

from indexer import read_cables
from indexer.analysis import body_positions, index_positions
from indexer.documents import cable_document, marking_terms, paragraph_spans, serial_key
from indexer.models import Cable, Paragraph, Recipient
from indexer.schema import (
    COLUMN_SEP,
    KINDS,
    CableText,
    Postings,
    make_schema,
    pmap_ranges,
)
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
    assert KINDS == ("cable",)
    for name in ("refid", "created", "year", "origin", "classification", "caveats", "tags",
                 "subject", "body", "references", "signers", "to", "info", "tagtext", "names",
                 "serial", "content_hash", "kind", "cable", "pmap", "markings", "paras"):
        assert name in schema.names(), name
    # Schema 3: no paragraph documents and no stored cited_by.
    for gone in ("cited_by", "pref", "pindex", "pnum", "marking", "ptext"):
        assert gone not in schema.names(), gone
    for name in ("origin", "year", "classification", "caveats", "tags", "created", "paras"):
        assert schema[name].column_type is not None, name
    stored = {n for n in schema.names() if schema[n].stored}
    # Nothing holds text twice: only keys, the paragraph map and the one compressed cable.
    assert stored == {"refid", "content_hash", "cable", "pmap"}
    assert not schema["pmap"].indexed  # STORED only
    assert schema["markings"].indexed and schema["markings"].column_type is None
    assert schema["refid"].unique
    assert isinstance(schema["body"], CableText) and schema["body"].twins


def test_schema_pickles_by_stable_path():
    blob = pickle.dumps(make_schema())
    assert b"indexer.schema" in blob and b"CableText" in blob
    back = pickle.loads(blob)
    fresh = make_schema()
    assert back.names() == fresh.names()
    assert all(type(back[n]) is type(fresh[n]) for n in fresh.names())
    assert back["body"] == fresh["body"] and back["subject"] == fresh["subject"]


def test_postings_value_is_taken_as_analyzed():
    field = make_schema()["body"]
    text = "Trafficking victims, trafficking"
    direct = sorted(field.index(text))
    pre = field.postings(text)
    assert isinstance(pre, Postings)
    assert pre.positions == index_positions(text)
    assert pre.positions == {"traffick": [0, 2], "=trafficking": [0, 2], "victim": [1], "=victims": [1]}
    back = pickle.loads(pickle.dumps(pre))
    assert back.positions == pre.positions
    assert sorted(field.index(back)) == direct == sorted(pre.items)
    freqs = {term: freq for term, freq, _w, _v in direct}
    assert freqs == {b"traffick": 2, b"=trafficking": 2, b"victim": 1, b"=victims": 1}
    # The encoded values decode to the positions, as the field's format reads them.
    for term, _freq, weight, value in pre.items:
        assert field.format.decode_positions(value) == pre.positions[term.decode()]
        assert weight == len(pre.positions[term.decode()])


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
    doc = cable_document(c)
    assert doc["kind"] == "cable" and doc["refid"] == "06BANGKOK3955"
    assert doc["serial"] == "bangkok3955"
    assert doc["year"] == 2006 and doc["created"] == c.created
    assert "cited_by" not in doc  # read from other cables' references at query time
    assert doc["references"] == ["06BANGKOK1234"]
    assert doc["tags"] == ["PREL", "KTIP", "OVIP (STEINBERG, JAMES B.)"]
    assert doc["_stored_tags"] == COLUMN_SEP.join(c.tags)
    assert doc["to"] == "SECSTATE WASHDC" and doc["info"] == "AMEMBASSY BEIJING"
    assert doc["content_hash"] == c.content_hash()
    assert cable_document(c, "precomputed")["content_hash"] == "precomputed"
    assert decode_cable(doc["cable"]) == c
    assert "trafficking" in doc.get("tagtext", "").lower()
    # The body comes analyzed, exactly as the field would index the text.
    assert isinstance(doc["body"], Postings)
    assert doc["body"].positions == index_positions(c.body)
    assert sorted(doc["body"].items) == sorted(make_schema()["body"].index(c.body))


def test_cable_document_paragraph_fields():
    doc = cable_document(_cable())
    # One (start, end) per entry of Cable.paragraphs, blank ones included (start == end).
    assert doc["paras"] == 3
    assert isinstance(doc["pmap"], bytes)
    assert pmap_ranges(doc["pmap"]) == [(0, 2), (2, 2), (2, 3)]
    assert doc["markings"] == ["NF", "S", "S/NF", "U"]
    poses = doc["body"].positions
    assert poses["traffick"] == [1] and poses["second"] == [2]


def test_cable_document_without_paragraphs_or_markings():
    c = Cable(refid="06BANGKOK1", body="Only a body.", paragraphs=())
    doc = cable_document(c)
    assert doc["paras"] == 0 and pmap_ranges(doc["pmap"]) == [] and "markings" not in doc
    c = Cable(refid="06BANGKOK1", body="One. Two.",
              paragraphs=(Paragraph(1, None, "One."), Paragraph(2, "", "Two.")))
    doc = cable_document(c)
    assert doc["paras"] == 2 and "markings" not in doc
    assert pmap_ranges(doc["pmap"]) == [(0, 1), (1, 2)]


def test_pmap_ranges_decodes_pairs():
    assert pmap_ranges(None) == [] and pmap_ranges(b"") == []
    assert pmap_ranges(array("I", [0, 4, 4, 4, 6, 9]).tobytes()) == [(0, 4), (4, 4), (6, 9)]


def test_paragraph_spans_in_body_order_and_missing_ones_empty():
    c = Cable(
        refid="06BANGKOK1",
        body="HEADER LINE\n\n1. (C) Same words.\n\n2. (S) Same words.\n\nEnd.",
        paragraphs=(
            Paragraph(1, "C", "1. (C) Same words."),
            Paragraph(None, None, "not in the body"),
            Paragraph(2, "S", "2. (S) Same words."),
            Paragraph(None, None, ""),
            Paragraph(3, None, "Same words."),  # not in the body after paragraph 2: empty
        ),
    )
    spans = paragraph_spans(c)
    assert [c.body[s:e] for s, e in spans] == ["1. (C) Same words.", "", "2. (S) Same words.", "", ""]
    assert spans[1] == (spans[0][1], spans[0][1])  # empty, at the end of the previous one
    assert spans[3] == spans[4] == (spans[2][1], spans[2][1])
    poses, ranges = body_positions(c.body, spans)
    assert poses == index_positions(c.body)
    # HEADER LINE = 0, 1; paragraph 1 = "1", "c", "same", "words" at 2-5; then 6-9.
    assert ranges == [(2, 6), (6, 6), (6, 10), (10, 10), (10, 10)]


def test_body_positions_map_each_paragraphs_words_into_its_range():
    paras = ("alpha bravo", "", "charlie only here", "alpha delta")
    c = Cable(refid="06BANGKOK1", body="Lead in.\n\n" + "\n\n".join(paras),
              paragraphs=tuple(Paragraph(i, "C", t) for i, t in enumerate(paras, 1)))
    poses, ranges = body_positions(c.body, paragraph_spans(c))
    assert ranges[1][0] == ranges[1][1]  # the empty paragraph
    assert poses["charli"] == [ranges[2][0]]
    # A word has its exact twin at its position exactly when its stem differs from it:
    # "charlie" (charli) and "only" (onli) do, "here" does not (the query side works it out).
    assert poses["=charlie"] == [ranges[2][0]]
    assert poses["=only"] == [ranges[2][0] + 1]
    assert "=here" not in poses
    assert poses["here"] == [ranges[2][0] + 2]
    assert poses["alpha"] == [ranges[0][0], ranges[3][0]]
    assert all(ranges[3][0] <= p < ranges[3][1] for p in poses["delta"])
    assert ranges[-1][1] == max(max(v) for v in poses.values()) + 1


def _corpus_cables(corpus_dir):
    errors = []
    cables = list(read_cables(corpus_dir, errors=errors))
    assert errors == [] and len(cables) >= 10
    return cables


def test_body_positions_over_paragraph_spans_equal_whole_body_on_corpus(corpus_dir):
    """For every bundled cable: the same terms and positions as tokenizing the whole body,
    and each paragraph's range holds exactly that paragraph's own tokens."""
    checked = 0
    for cable in _corpus_cables(corpus_dir):
        body = cable.body or ""
        spans = paragraph_spans(cable)
        assert len(spans) == len(cable.paragraphs), cable.refid
        poses, ranges = body_positions(body, spans)
        assert poses == index_positions(body), cable.refid
        assert len(ranges) == len(cable.paragraphs), cable.refid
        at = 0
        for (start, end), para, (s, e) in zip(ranges, cable.paragraphs, spans):
            assert at <= start <= end, (cable.refid, para)
            at = end
            assert body[s:e] == para.text or (s == e and not para.text.strip()), (cable.refid, para)
            own = index_positions(para.text) if s < e else {}
            inside = {
                term: [p - start for p in plist if start <= p < end]
                for term, plist in poses.items()
            }
            assert {t: p for t, p in inside.items() if p} == own, (cable.refid, para.number)
            checked += 1
        assert cable_document(cable)["pmap"] == array("I", [p for r in ranges for p in r]).tobytes()
    assert checked >= 50
