"""The writer: incremental indexing, citations read from references, the paragraph map
(pmap, markings, paras), rebuild swap, stats."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest
from whoosh.query import Phrase, Term

from indexer import build_index, index_stats, open_index, read_cables
from indexer.analysis import ANALYZER
from indexer.documents import marking_terms
from indexer.errors import IndexNotFound, SchemaMismatch
from indexer.schema import SCHEMA_VERSION, pmap_ranges
from indexer.swap import current_generation, read_meta, write_meta
from indexer.store import decode_cable

from .indexed import postings_by_doc, whole_cables
from .synthetic import cable, generated, write_jsonl


def term_of(word: str) -> str:
    """The body term the analyzer makes of one word (``fisheries`` -> ``fisheri``)."""
    return [t.text for t in ANALYZER(word, mode="query")][0]


def cables_in(index_dir):
    """refid -> (content_hash, paras, pmap ranges, markings) of every committed cable,
    each checked to be whole (see :func:`.indexed.whole_cables`)."""
    return {
        refid: (i.content_hash, i.paras, list(i.ranges), list(i.markings))
        for refid, i in whole_cables(index_dir).items()
    }


def hits(index_dir, query, field="refid"):
    ix = open_index(index_dir)
    with ix.searcher() as s:
        return sorted(s.stored_fields(d)[field] for d in query.docs(s))


def q_phrase(field, text):
    return Phrase(field, [t.text for t in ANALYZER(text, mode="query")])


def cited_by(index_dir, refids=None) -> dict[str, list[str]]:
    """refid -> the indexed cables citing it, read as the engine reads them: the cables
    whose ``references`` hold the refid (``searcher.document_numbers(references=X)``),
    less the cable itself. ``refids`` defaults to every indexed cable."""
    with open_index(index_dir).searcher() as s:
        if refids is None:
            refids = [s.stored_fields(d)["refid"] for d in s.document_numbers(kind="cable")]
        out = {}
        for refid in refids:
            citers = {s.stored_fields(d)["refid"] for d in s.document_numbers(references=refid)}
            out[refid] = sorted(citers - {refid})
        return out


def expected_cited_by(indexed, refids) -> dict[str, list[str]]:
    """What :func:`cited_by` must say when ``indexed`` are the cables in the index."""
    return {
        refid: sorted(c.refid for c in indexed if refid in c.references and c.refid != refid)
        for refid in refids
    }


@pytest.fixture()
def no_merges(monkeypatch):
    """Segments are never merged (in this process, which commits), so a document keeps
    its number and a deleted one stays counted until the end of the test: a cable that
    was rewritten shows, one that was not keeps its docnum."""
    import indexer.segments as segments

    monkeypatch.setattr(segments, "TIER_WIDTH", 10**6)


def identity(index_dir, refid):
    """(docnum, content_hash, stored cable) of ``refid``, and how many deleted documents
    the index holds: what changes if a writer rewrites the cable (see ``no_merges``)."""
    with open_index(index_dir).searcher() as s:
        d = s.document_number(refid=refid)
        f = s.stored_fields(d)
        r = s.reader()
        return (d, f["content_hash"], f["cable"]), r.doc_count_all() - r.doc_count()


def widths(c):
    """Words per paragraph of a synthetic cable (each of its words is one token)."""
    return [len(p.text.split()) for p in c.paragraphs]


def test_first_build_counts_and_contents(tmp_path):
    cs = generated(30)
    counts = build_index(tmp_path / "ix", cs, batch_size=7)
    assert (counts.added, counts.replaced, counts.unchanged, counts.errors) == (30, 0, 0, 0)
    got = cables_in(tmp_path / "ix")
    assert set(got) == {c.refid for c in cs}
    for c in cs:
        h, paras, ranges, marks = got[c.refid]
        assert h == c.content_hash()
        assert paras == len(c.paragraphs) >= 2
        # The body is the paragraphs joined: their ranges tile the body's positions.
        starts = [0]
        for w in widths(c)[:-1]:
            starts.append(starts[-1] + w)
        assert ranges == [(s, s + w) for s, w in zip(starts, widths(c))]
        assert marks == sorted({m for p in c.paragraphs for m in marking_terms(p.marking)})
    assert str(counts) == "added 30, replaced 0, unchanged 0, errors 0"


def test_rerun_is_unchanged_and_changed_cable_replaced_with_its_paragraphs(tmp_path):
    ix = tmp_path / "ix"
    a = cable("06BANGKOK1", ("S", "first para"), "second para", "third para")
    b = cable("06BANGKOK2", "other cable text")
    build_index(ix, [a, b])
    assert cables_in(ix)["06BANGKOK1"] == (a.content_hash(), 3, [(0, 2), (2, 4), (4, 6)], ["C", "S"])
    counts = build_index(ix, [a, b])
    assert (counts.added, counts.replaced, counts.unchanged) == (0, 0, 2)

    a2 = cable("06BANGKOK1", "rewritten single paragraph about fisheries")
    c = cable("06BANGKOK3", "new cable")
    counts = build_index(ix, [a2, b, c])
    assert (counts.added, counts.replaced, counts.unchanged) == (1, 1, 1)
    got = cables_in(ix)
    assert got["06BANGKOK1"] == (a2.content_hash(), 1, [(0, 5)], ["C"])
    # The old version is gone: nothing matches its words or its marking any more.
    assert hits(ix, Term("body", "third")) == []
    assert hits(ix, Term("markings", "S")) == []
    assert hits(ix, Term("body", "fisheri")) == ["06BANGKOK1"]
    assert hits(ix, Term("kind", "cable")) == ["06BANGKOK1", "06BANGKOK2", "06BANGKOK3"]


def test_same_refid_twice_in_one_run_last_wins(tmp_path):
    a1 = cable("06BANGKOK1", ("S", "version one"), "more")
    a2 = cable("06BANGKOK1", "version two")
    counts = build_index(tmp_path / "ix", [a1, a2])
    # Both versions were read: the second replaced the first (as across batches).
    assert (counts.added, counts.replaced, counts.seen) == (1, 1, 2)
    assert cables_in(tmp_path / "ix") == {"06BANGKOK1": (a2.content_hash(), 1, [(0, 2)], ["C"])}
    assert hits(tmp_path / "ix", Term("body", "one")) == []
    assert hits(tmp_path / "ix", Term("body", "two")) == ["06BANGKOK1"]


def test_new_citing_cable_does_not_rewrite_the_cited_one(tmp_path, no_merges):
    ix = tmp_path / "ix"
    old = cable("06BANGKOK1", "the cited cable")
    build_index(ix, [old])
    before, deleted = identity(ix, "06BANGKOK1")
    assert deleted == 0
    new = cable("07BANGKOK2", "the citing cable", references=("06BANGKOK1",))
    counts = build_index(ix, [new])
    assert (counts.added, counts.replaced, counts.unchanged) == (1, 0, 0)
    # Same document (number, hash, stored cable), and nothing deleted: not re-added.
    assert identity(ix, "06BANGKOK1") == (before, 0)
    assert cited_by(ix) == {"06BANGKOK1": ["07BANGKOK2"], "07BANGKOK2": []}
    assert hits(ix, Term("body", "cite")) == ["06BANGKOK1", "07BANGKOK2"]
    assert cables_in(ix)["06BANGKOK1"][0] == old.content_hash()


def test_cited_by_citer_indexed_first(tmp_path, no_merges):
    ix = tmp_path / "ix"
    build_index(ix, [cable("07BANGKOK2", "citing", references=("06BANGKOK1",))])
    # Cited by a cable not in the index yet: the citer is known all the same.
    assert cited_by(ix, ["06BANGKOK1"]) == {"06BANGKOK1": ["07BANGKOK2"]}
    before, _ = identity(ix, "07BANGKOK2")
    counts = build_index(ix, [cable("06BANGKOK1", "cited, arrives later")])
    assert (counts.added, counts.replaced) == (1, 0)
    assert cited_by(ix) == {"06BANGKOK1": ["07BANGKOK2"], "07BANGKOK2": []}
    assert identity(ix, "07BANGKOK2") == (before, 0)


def test_cited_by_within_one_batch_any_order_and_self_citation_ignored(tmp_path):
    ix = tmp_path / "ix"
    c1 = cable("07BANGKOK3", "cites both", references=("06BANGKOK1", "06BANGKOK2", "07BANGKOK3"))
    c2 = cable("06BANGKOK1", "cited one")
    c3 = cable("06BANGKOK2", "cited two", references=("06BANGKOK1",))
    build_index(ix, [c1, c2, c3])
    assert cited_by(ix) == {
        "06BANGKOK1": ["06BANGKOK2", "07BANGKOK3"],
        "06BANGKOK2": ["07BANGKOK3"],
        "07BANGKOK3": [],
    }


def test_cited_by_dropped_when_citer_stops_citing(tmp_path, no_merges):
    ix = tmp_path / "ix"
    build_index(ix, [cable("06BANGKOK1", "cited"), cable("07BANGKOK2", "x", references=("06BANGKOK1",))])
    assert cited_by(ix)["06BANGKOK1"] == ["07BANGKOK2"]
    before, _ = identity(ix, "06BANGKOK1")
    counts = build_index(ix, [cable("07BANGKOK2", "x, now citing nothing")])
    assert (counts.added, counts.replaced) == (0, 1)
    assert cited_by(ix) == {"06BANGKOK1": [], "07BANGKOK2": []}
    assert identity(ix, "06BANGKOK1")[0] == before  # the cited cable is not rewritten
    build_index(ix, [cable("07BANGKOK2", "x, citing again", references=("06BANGKOK1",))])
    assert cited_by(ix)["06BANGKOK1"] == ["07BANGKOK2"]


@pytest.mark.parametrize("order", ["reversed", "shuffled"])
def test_cited_by_matches_references_after_incremental_runs_in_any_order(tmp_path, no_merges, order):
    ix = tmp_path / "ix"
    cs = generated(60, seed=3)
    everyone = [c.refid for c in cs]
    assert sum(len(c.references) for c in cs) > 40
    if order == "reversed":
        runs = [list(reversed(cs))]  # citers before the cited, across batches
    else:
        shuffled = cs[:]
        random.Random(5).shuffle(shuffled)
        runs = [shuffled[i : i + 13] for i in range(0, 60, 13)]  # 5 runs, in no order
    indexed = []
    firsts = {}
    for run in runs:
        counts = build_index(ix, run, batch_size=9)
        assert (counts.added, counts.replaced, counts.unchanged) == (len(run), 0, 0)
        indexed += run
        assert cited_by(ix, everyone) == expected_cited_by(indexed, everyone)
        for refid, first in firsts.items():
            # A cable indexed in an earlier run stays as it was, whoever cites it now.
            assert identity(ix, refid) == (first, 0), refid
        for c in run:
            firsts[c.refid] = identity(ix, c.refid)[0]
    assert set(cables_in(ix)) == set(everyone)


def test_markings_and_pmap_find_a_word_inside_one_marked_paragraph(tmp_path):
    ix = tmp_path / "ix"
    build_index(ix, [
        cable("06BANGKOK1", ("S", "nuclear talks stalled"), ("U", "weather report")),
        cable("06BANGKOK2", ("S", "budget talks"), ("U", "nuclear plant tour")),
        cable("06BANGKOK3", ("S/NF", "nuclear material")),
    ])
    assert hits(ix, Term("markings", "S")) == ["06BANGKOK1", "06BANGKOK2", "06BANGKOK3"]
    assert hits(ix, Term("markings", "U")) == ["06BANGKOK1", "06BANGKOK2"]
    assert hits(ix, Term("markings", "S/NF")) == hits(ix, Term("markings", "NF")) == ["06BANGKOK3"]

    def marked(marking, word):
        # From the index alone: markings narrows to the cables with the marking, the
        # body postings say where the word is, pmap which paragraph that is.
        out = []
        with open_index(ix).searcher() as s:
            positions = {d: t[term_of(word)] for d, t in postings_by_doc(s.reader(), "body").items()
                         if term_of(word) in t}
            for d in s.document_numbers(markings=marking):
                f = s.stored_fields(d)
                paras = decode_cable(f["cable"]).paragraphs
                for (start, end), para in zip(pmap_ranges(f["pmap"]), paras):
                    if marking in marking_terms(para.marking) and any(
                        start <= p < end for p in positions.get(d, ())
                    ):
                        out.append(f["refid"])
                        break
        return sorted(out)

    assert marked("S", "nuclear") == ["06BANGKOK1", "06BANGKOK3"]
    assert marked("U", "nuclear") == ["06BANGKOK2"]
    assert marked("NF", "nuclear") == ["06BANGKOK3"]
    assert marked("U", "talks") == []


def test_pmap_ranges_hold_each_paragraphs_body_positions(tmp_path):
    ix = tmp_path / "ix"
    c = cable("06BANGKOK1", "alpha common", "", "zulu common words", ("S", "last common"))
    build_index(ix, [c, cable("06BANGKOK2", "zulu elsewhere")])
    with open_index(ix).searcher() as s:
        d = s.document_number(refid="06BANGKOK1")
        ranges = pmap_ranges(s.stored_fields(d)["pmap"])
        body = postings_by_doc(s.reader(), "body")[d]
        paras = s.reader().column_reader("paras")[d]
    assert paras == 4 and len(ranges) == 4
    assert ranges[1][0] == ranges[1][1]  # the empty paragraph
    # A word of one paragraph only: every body position of it is inside that range.
    assert body["zulu"] and all(ranges[2][0] <= p < ranges[2][1] for p in body["zulu"])
    # A word of every paragraph: one position in each non-empty range, its second word.
    assert [[p for p in body["common"] if a <= p < b] for a, b in ranges] == [
        [ranges[0][0] + 1], [], [ranges[2][0] + 1], [ranges[3][0] + 1]
    ]
    assert body["alpha"] == [ranges[0][0]] and body["last"] == [ranges[3][0]]


def test_pmap_and_body_postings_survive_segment_merges(tmp_path):
    ix = tmp_path / "ix"
    cs = generated(12, seed=4, words=45)
    for c in cs:  # one commit each: the 8th merges the smallest tier's segments
        build_index(ix, [c])
    with open_index(ix).searcher() as s:
        assert len(s.reader().leaf_readers()) < len(cs)
    got = cables_in(ix)  # checks body postings and pmap of every cable against its text
    assert {r: v[0] for r, v in got.items()} == {c.refid: c.content_hash() for c in cs}
    # Replacing cables after the merge keeps them whole too.
    changed = [replace(c, body=c.body + "\n\nextra", paragraphs=c.paragraphs + (
        replace(c.paragraphs[0], number=99, text="extra"),)) for c in cs[:3]]
    counts = build_index(ix, changed)
    assert counts.replaced == 3
    got = cables_in(ix)
    for c in changed:
        _h, paras, ranges, _m = got[c.refid]
        start, end = ranges[-1]
        assert paras == len(c.paragraphs) and end - start == 1  # the one word "extra"


def test_stored_cables_are_written_once_compressed_and_read_back_after_merges(tmp_path):
    # The stored-fields column holds each cable's compressed copy byte for byte (pickle
    # protocol 5, deflate level 0), not re-deflated, and Whoosh reads it as its own.
    from indexer.store import encode_cable

    ix = tmp_path / "ix"
    cs = generated(9, seed=5)
    for c in cs:  # one commit each: the 8th merges, so merged segments are covered too
        build_index(ix, [c])
    gen = current_generation(ix)
    raw = b"".join(p.read_bytes() for p in gen.glob("*_stored.col"))
    with open_index(ix).searcher() as s:
        stored = {f["refid"]: f for f in s.all_stored_fields()}
    for c in cs:
        assert decode_cable(stored[c.refid]["cable"]).content_hash() == c.content_hash()
        assert stored[c.refid]["cable"] in raw
        assert encode_cable(c) in raw


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
    # Paragraphs are counted from the live cables' ``paras``, not a replaced version's.
    build_index(ix, [cable("04ANKARA1", "only one now"), cable("10TOKYO6", "d", "e", "f")])
    st = index_stats(ix)
    assert (st.cables, st.paragraphs) == (3, 5)


def test_seed_corpus_indexes(tmp_path, corpus_dir):
    seen = []
    counts = build_index(tmp_path / "ix", [corpus_dir], on_error=seen.append)
    assert counts.added >= 1, seen
    got = cables_in(tmp_path / "ix")  # every cable whole: body postings, pmap, markings
    cables = {c.refid: c for c in read_cables(corpus_dir)}
    assert set(got) == set(cables) and "06BANGKOK3955" in got
    for refid, (_h, paras, ranges, _m) in got.items():
        assert paras == len(cables[refid].paragraphs) > 0, refid
        assert all(a <= b for a, b in ranges) and any(a < b for a, b in ranges), refid
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

    cs = generated(300, seed=9, words=60)  # common words: terms with several 128-posting blocks
    build_index(tmp_path / "fast", cs, workers=0)
    monkeypatch.setattr(segments, "SPILL_POSTINGS", 1)  # everything through Whoosh's own path

    def not_this_time(*_args):
        raise AssertionError("the block writer ran although the pool spilled")

    monkeypatch.setattr(segments.MemoryPool, "write_to", not_this_time)
    build_index(tmp_path / "whoosh", cs, workers=0)
    fast, slow = _all_postings(tmp_path / "fast"), _all_postings(tmp_path / "whoosh")
    assert fast == slow
    assert max(len(rows) for rows in fast.values()) > 256


def test_posting_blocks_carry_their_documents_length_range(tmp_path):
    # The statistics a top-k search uses to skip blocks: each block's shortest and
    # longest field length are those of the documents in it, and its top weight their
    # top term frequency. Blocks hold 128 postings (the codec's block limit).
    ix = tmp_path / "ix"
    build_index(ix, generated(400, seed=3, words=300), workers=0)
    with open_index(ix).searcher() as s:
        reader = s.reader()
        term = max(reader.lexicon("body"), key=lambda t: reader.doc_frequency("body", t))
        postings = list(reader.postings("body", term).items_as("weight"))
        assert len(postings) > 2 * 128
        for start in range(0, len(postings), 128):
            block = postings[start:start + 128]
            m = reader.postings("body", term)
            m.skip_to(block[0][0])
            lengths = [s.doc_field_length(d, "body") for d, _ in block]
            assert (m.block_min_length(), m.block_max_length()) == (min(lengths), max(lengths))
            assert m.block_max_weight() == max(w for _, w in block)
