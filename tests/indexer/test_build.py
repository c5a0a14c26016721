"""The writer: incremental indexing, cited_by, paragraph documents, rebuild swap, stats."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from whoosh.query import And, Phrase, Term

from indexer import build_index, index_stats, open_index
from indexer.analysis import ANALYZER
from indexer.errors import IndexNotFound, SchemaMismatch
from indexer.schema import SCHEMA_VERSION
from indexer.swap import current_generation, read_meta, write_meta
from indexer.store import decode_cable

from .synthetic import cable, generated, write_jsonl


def cables_in(index_dir):
    """refid -> (content_hash, cited_by, [pindex of its paragraph documents])."""
    ix = open_index(index_dir)
    out = {}
    with ix.searcher() as s:
        for d in s.document_numbers(kind="cable"):
            f = s.stored_fields(d)
            out[f["refid"]] = [f["content_hash"], f["cited_by"], []]
        for d in s.document_numbers(kind="para"):
            f = s.stored_fields(d)
            out[f["pref"]][2].append(f["pindex"])
    return {k: (h, c, sorted(p)) for k, (h, c, p) in out.items()}


def hits(index_dir, query, field="refid"):
    ix = open_index(index_dir)
    with ix.searcher() as s:
        return sorted(s.stored_fields(d)[field] for d in query.docs(s))


def q_phrase(field, text):
    return Phrase(field, [t.text for t in ANALYZER(text, mode="query")])


def test_first_build_counts_and_contents(tmp_path):
    cs = generated(30)
    counts = build_index(tmp_path / "ix", cs, batch_size=7)
    assert (counts.added, counts.replaced, counts.unchanged, counts.errors) == (30, 0, 0, 0)
    got = cables_in(tmp_path / "ix")
    assert set(got) == {c.refid for c in cs}
    for c in cs:
        assert got[c.refid][0] == c.content_hash()
        assert got[c.refid][2] == list(range(len(c.paragraphs)))
    assert str(counts) == "added 30, replaced 0, unchanged 0, errors 0"


def test_rerun_is_unchanged_and_changed_cable_replaced_with_its_paragraphs(tmp_path):
    ix = tmp_path / "ix"
    a = cable("06BANGKOK1", "first para", "second para", "third para")
    b = cable("06BANGKOK2", "other cable text")
    build_index(ix, [a, b])
    counts = build_index(ix, [a, b])
    assert (counts.added, counts.replaced, counts.unchanged) == (0, 0, 2)

    a2 = cable("06BANGKOK1", "rewritten single paragraph about fisheries")
    c = cable("06BANGKOK3", "new cable")
    counts = build_index(ix, [a2, b, c])
    assert (counts.added, counts.replaced, counts.unchanged) == (1, 1, 1)
    got = cables_in(ix)
    assert got["06BANGKOK1"] == (a2.content_hash(), [], [0])
    # The old paragraphs are gone: nothing matches their text any more.
    assert hits(ix, Term("ptext", "third"), "pref") == []
    assert hits(ix, Term("ptext", "fisheri"), "pref") == ["06BANGKOK1"]
    assert hits(ix, Term("kind", "cable")) == ["06BANGKOK1", "06BANGKOK2", "06BANGKOK3"]


def test_same_refid_twice_in_one_run_last_wins(tmp_path):
    a1 = cable("06BANGKOK1", "version one")
    a2 = cable("06BANGKOK1", "version two")
    counts = build_index(tmp_path / "ix", [a1, a2])
    assert (counts.added, counts.replaced) == (1, 1)
    assert cables_in(tmp_path / "ix")["06BANGKOK1"][0] == a2.content_hash()


def test_cited_by_new_cable_updates_older_one(tmp_path):
    ix = tmp_path / "ix"
    old = cable("06BANGKOK1", "the cited cable")
    build_index(ix, [old])
    new = cable("07BANGKOK2", "the citing cable", references=("06BANGKOK1",))
    counts = build_index(ix, [new])
    assert counts.added == 1 and counts.cited_updated == 1
    got = cables_in(ix)
    assert got["06BANGKOK1"][1] == ["07BANGKOK2"]
    # The re-added cable is whole: same hash, same stored cable, paragraphs untouched.
    assert got["06BANGKOK1"][0] == old.content_hash()
    assert got["06BANGKOK1"][2] == [0]
    assert hits(ix, Term("body", "cite")) == ["06BANGKOK1", "07BANGKOK2"]


def test_cited_by_citer_indexed_first(tmp_path):
    ix = tmp_path / "ix"
    build_index(ix, [cable("07BANGKOK2", "citing", references=("06BANGKOK1",))])
    build_index(ix, [cable("06BANGKOK1", "cited, arrives later")])
    assert cables_in(ix)["06BANGKOK1"][1] == ["07BANGKOK2"]


def test_cited_by_within_one_batch_any_order_and_self_citation_ignored(tmp_path):
    ix = tmp_path / "ix"
    c1 = cable("07BANGKOK3", "cites both", references=("06BANGKOK1", "06BANGKOK2", "07BANGKOK3"))
    c2 = cable("06BANGKOK1", "cited one")
    c3 = cable("06BANGKOK2", "cited two", references=("06BANGKOK1",))
    build_index(ix, [c1, c2, c3])
    got = cables_in(ix)
    assert got["06BANGKOK1"][1] == ["06BANGKOK2", "07BANGKOK3"]
    assert got["06BANGKOK2"][1] == ["07BANGKOK3"]
    assert got["07BANGKOK3"][1] == []


def test_cited_by_dropped_when_citer_stops_citing(tmp_path):
    ix = tmp_path / "ix"
    build_index(ix, [cable("06BANGKOK1", "cited"), cable("07BANGKOK2", "x", references=("06BANGKOK1",))])
    assert cables_in(ix)["06BANGKOK1"][1] == ["07BANGKOK2"]
    build_index(ix, [cable("07BANGKOK2", "x, now citing nothing")])
    assert cables_in(ix)["06BANGKOK1"][1] == []


def test_cited_by_matches_references_after_many_batches(tmp_path):
    ix = tmp_path / "ix"
    cs = generated(60, seed=3)
    build_index(ix, list(reversed(cs)), batch_size=9)  # citers before the cited, across batches
    expected: dict[str, set[str]] = {c.refid: set() for c in cs}
    for c in cs:
        for ref in c.references:
            expected[ref].add(c.refid)
    got = cables_in(ix)
    assert {r: sorted(v) for r, v in expected.items()} == {r: got[r][1] for r in expected}


def test_paragraph_documents_make_marking_match_inside_one_paragraph(tmp_path):
    ix = tmp_path / "ix"
    build_index(ix, [
        cable("06BANGKOK1", ("S", "nuclear talks stalled"), ("U", "weather report")),
        cable("06BANGKOK2", ("S", "budget talks"), ("U", "nuclear plant tour")),
        cable("06BANGKOK3", ("S/NF", "nuclear material")),
    ])
    q = And([Term("kind", "para"), Term("marking", "S"), Term("ptext", "nuclear")])
    assert hits(ix, q, "pref") == ["06BANGKOK1", "06BANGKOK3"]
    q = And([Term("kind", "para"), Term("marking", "U"), Term("ptext", "nuclear")])
    assert hits(ix, q, "pref") == ["06BANGKOK2"]


def test_cable_level_fields_are_searchable(tmp_path):
    ix = tmp_path / "ix"
    c = cable("06BANGKOK3955", "The office head met the office of the head.",
              subject="Vital Voices conference", tags=("KTIP", "TH"))
    build_index(ix, [c, cable("07TOKYO12", "unrelated")])
    assert hits(ix, Term("serial", "bangkok3955")) == ["06BANGKOK3955"]
    assert hits(ix, Term("tags", "KTIP")) == ["06BANGKOK3955"]
    assert hits(ix, Term("tagtext", "traffick")) == ["06BANGKOK3955"]
    assert hits(ix, q_phrase("subject", "vital voices")) == ["06BANGKOK3955"]
    assert hits(ix, Term("origin", "bangkok")) == ["06BANGKOK3955"]
    assert hits(ix, Term("year", 2006)) == ["06BANGKOK3955"]
    assert hits(ix, Term("body", "=office")) == ["06BANGKOK3955"]
    with open_index(ix).searcher() as s:
        col = s.reader().column_reader("origin")
        d = s.document_number(refid="06BANGKOK3955")
        assert col[d] == "Embassy Bangkok"
        assert decode_cable(s.stored_fields(d)["cable"]) == c


def test_parse_errors_are_counted_and_reported_and_do_not_stop(tmp_path):
    cs = generated(5)
    path = write_jsonl(tmp_path / "c.jsonl", cs, bad_lines={3: "{broken json"})
    seen = []
    counts = build_index(tmp_path / "ix", [path], on_error=seen.append)
    assert (counts.added, counts.errors) == (5, 1)
    assert [str(e) for e in seen] == [f"{path}:line 3: " + seen[0].reason]
    assert "JSON" in seen[0].reason


def test_cable_without_refid_is_an_error(tmp_path):
    bad = replace(cable("06BANGKOK1", "x"), refid=None)
    seen = []
    counts = build_index(tmp_path / "ix", [bad, cable("06BANGKOK2", "y")], on_error=seen.append)
    assert (counts.added, counts.errors) == (1, 1)
    assert "no reference id" in str(seen[0])


def test_rebuild_swaps_generation_and_keeps_previous(tmp_path):
    ix = tmp_path / "ix"
    build_index(ix, [cable("06BANGKOK1", "old")])
    first = current_generation(ix)
    reader = open_index(ix)  # a reader opened before the rebuild keeps working
    counts = build_index(ix, [cable("06BANGKOK2", "new")], rebuild=True)
    assert counts.added == 1
    second = current_generation(ix)
    assert second != first and first.is_dir()
    assert set(cables_in(ix)) == {"06BANGKOK2"}
    with reader.searcher() as s:
        assert [s.stored_fields(d)["refid"] for d in s.document_numbers(kind="cable")] == ["06BANGKOK1"]
    build_index(ix, [cable("06BANGKOK3", "newer")], rebuild=True)
    assert not first.exists()  # two generations back, no reader lease: removed


def test_schema_mismatch_is_detected(tmp_path):
    ix = tmp_path / "ix"
    build_index(ix, [cable("06BANGKOK1", "x")])
    write_meta(current_generation(ix), schema_version=0)
    with pytest.raises(SchemaMismatch, match=r"schema version 0.*cables index --rebuild"):
        open_index(ix)
    with pytest.raises(SchemaMismatch):
        build_index(ix, [cable("06BANGKOK2", "y")])
    build_index(ix, [cable("06BANGKOK2", "y")], rebuild=True)
    assert set(cables_in(ix)) == {"06BANGKOK2"}


def test_missing_index(tmp_path):
    with pytest.raises(IndexNotFound, match="no index at"):
        open_index(tmp_path / "nothing")
    with pytest.raises(IndexNotFound):
        index_stats(tmp_path / "nothing")


def test_stats(tmp_path):
    ix = tmp_path / "ix"
    cs = [cable("04ANKARA1", "a", "b"), cable("09TOKYO5", "c")]
    build_index(ix, cs)
    st = index_stats(ix)
    assert (st.cables, st.paragraphs, st.schema_version) == (2, 3, SCHEMA_VERSION)
    assert st.first_date == cs[0].created and st.last_date == cs[1].created
    assert st.size_bytes > 0 and st.updated
    meta = read_meta(current_generation(ix))
    assert json.loads(json.dumps(meta))["schema_version"] == SCHEMA_VERSION


def test_seed_corpus_indexes(tmp_path, corpus_dir):
    seen = []
    counts = build_index(tmp_path / "ix", [corpus_dir], on_error=seen.append)
    assert counts.added >= 1, seen
    assert "06BANGKOK3955" in cables_in(tmp_path / "ix")
    assert hits(tmp_path / "ix", q_phrase("body", "anti-trafficking activities")) == ["06BANGKOK3955"]


def _all_postings(index_dir):
    out = {}
    with open_index(index_dir).searcher() as s:
        r = s.reader()
        for field, term in r.all_terms():
            if field.startswith("cable"):
                continue
            m = r.postings(field, term)
            fmt = r.schema[field].format
            rows = []
            while m.is_active():
                value = m.value_as("positions") if fmt.supports("positions") else m.weight()
                rows.append((m.id(), value))
                m.next()
            out[(field, term)] = rows
    return out


def test_block_writer_matches_whooshs_posting_writer(tmp_path, monkeypatch):
    import indexer.segments as segments

    cs = generated(120, seed=9, words=60)  # common words: terms with several 128-posting blocks
    build_index(tmp_path / "fast", cs, workers=0)
    monkeypatch.setattr(segments, "SPILL_POSTINGS", 1)  # everything through Whoosh's own path

    def not_this_time(*_args):
        raise AssertionError("the block writer ran although the pool spilled")

    monkeypatch.setattr(segments.MemoryPool, "write_to", not_this_time)
    build_index(tmp_path / "whoosh", cs, workers=0)
    fast, slow = _all_postings(tmp_path / "fast"), _all_postings(tmp_path / "whoosh")
    assert fast == slow
    assert max(len(rows) for rows in fast.values()) > 300
