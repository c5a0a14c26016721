"""Posting arrays (:mod:`indexer.postarrays`): the file format round trip, damaged files,
agreement with Whoosh's postings in the segments the cable writer makes, and searching
that survives damaged or missing ``.pta`` files."""

from __future__ import annotations

import json
import random
import shutil
from array import array
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from whoosh.matching import FilterMatcher

import indexer.postarrays
import indexer.segments
from indexer import open_index
from indexer.build import build_index
from indexer.postarrays import (
    ARRAYS_EXT,
    MAGIC,
    PostingArrays,
    PostingArraysError,
    PostingArraysWriter,
)
from indexer.schema import CablePositions
from search import CableSearch
from search.segmented import segment_arrays
from tests.search.conftest import cable, small_corpus

from .synthetic import cable as synthetic_cable
from .synthetic import generated


def _pos(*values: int) -> bytes:
    """One posting's positions as the index stores them (raw uint32s)."""
    return array("I", values).tobytes()


# --------------------------------------------------------------------------- format


def _write(path: Path, writer: PostingArraysWriter) -> Path:
    with open(path, "wb") as out:
        writer.write(out)
    return path


BINARY_TERM = bytes(range(256))


def _sample_writer() -> PostingArraysWriter:
    """Terms covering every array type; ``tags:rare`` is below ``min_postings``."""
    w = PostingArraysWriter(min_postings=2)
    w.add("tags", b"ktip", array("I", [1, 5, 9]), array("f", [1, 2, 3]))               # uint8
    w.add("tags", b"big", array("I", [0, 4]), array("f", [300, 1]))                     # uint16
    w.add("origin", b"half", array("I", [3, 100_000]), array("f", [0.5, 2.0]))          # float32
    w.add("origin", b"huge", array("I", [6, 7]), array("f", [70_000, 1]))               # > uint16
    w.add("origin", b"minus", array("I", [6, 7]), array("f", [-1, 1]))                  # negative
    w.add("tags", b"rare", array("I", [4]), array("f", [1]))                            # too rare
    w.add("created", BINARY_TERM, array("I", [2, 2**32 - 1]), array("f", [1, 1]))       # binary
    w.add("body", b"trafficking", array("I", [0, 2, 7]), array("f", [1, 2, 1]),
          [_pos(4), _pos(10, 11), _pos(65_535)])                                        # uint16 positions
    w.add("subject", b"voices", array("I", [1, 3]), array("f", [2, 1]),
          [_pos(0, 65_535), _pos(7)])                                                   # uint16 positions
    return w


def test_round_trip(tmp_path):
    w = _sample_writer()
    assert len(w) == 8  # tags:rare was not kept
    pta = PostingArrays(str(_write(tmp_path / "seg.pta", w)))
    assert len(pta) == 8

    def got(field, term):
        found = pta.get(field, term)
        assert found is not None, (field, term)
        ids, weights = found
        assert ids.dtype == np.dtype("<u4")
        assert not ids.flags.writeable and not weights.flags.writeable  # over the read-only map
        return ids.tolist(), weights.tolist(), weights.dtype

    assert got("tags", b"ktip") == ([1, 5, 9], [1, 2, 3], np.dtype("u1"))
    assert got("tags", b"big") == ([0, 4], [300, 1], np.dtype("u2"))
    assert got("origin", b"half") == ([3, 100_000], [0.5, 2.0], np.dtype("<f4"))
    assert got("origin", b"huge") == ([6, 7], [70_000, 1], np.dtype("<f4"))
    assert got("origin", b"minus") == ([6, 7], [-1, 1], np.dtype("<f4"))
    assert got("created", BINARY_TERM) == ([2, 2**32 - 1], [1, 1], np.dtype("u1"))
    assert ("created", BINARY_TERM) in pta
    assert ("created", BINARY_TERM[:-1]) not in pta

    # Below min_postings: not stored at all.
    assert ("tags", b"rare") not in pta
    assert pta.get("tags", b"rare") is None and pta.positions("tags", b"rare") is None
    # Missing terms and fields.
    assert pta.get("tags", b"nope") is None and pta.positions("body", b"nope") is None
    assert pta.get("nofield", b"ktip") is None
    assert pta.get("body", "trafficking".encode("utf-16")) is None
    # A term of a field without positions has no positions.
    assert pta.positions("tags", b"ktip") is None

    ids, starts, positions = pta.positions("body", b"trafficking")
    assert ids.tolist() == [0, 2, 7]
    assert positions.dtype == np.dtype("<u2")
    per_posting = [positions[starts[i] : starts[i + 1]].tolist() for i in range(len(ids))]
    assert per_posting == [[4], [10, 11], [65_535]]
    assert pta.get("body", b"trafficking")[1].tolist() == [1, 2, 1]

    ids, starts, positions = pta.positions("subject", b"voices")
    assert ids.tolist() == [1, 3]
    assert positions.dtype == np.dtype("<u2")
    assert [positions[starts[i] : starts[i + 1]].tolist() for i in range(2)] == [[0, 65_535], [7]]
    assert pta.get("subject", b"voices")[1].tolist() == [2, 1]



def test_round_trip_of_positions_over_65535(tmp_path):
    w = PostingArraysWriter(min_postings=1)
    w.add("body", b"long", array("I", [0, 2, 7]), array("f", [1, 2, 1]),
          [_pos(4), _pos(10, 70_000), _pos(65_535)])
    w.add("body", b"short", array("I", [3]), array("f", [1]), [_pos(5)])
    pta = PostingArrays(str(_write(tmp_path / "seg.pta", w)))
    ids, starts, positions = pta.positions("body", b"long")
    assert ids.tolist() == [0, 2, 7]
    assert positions.dtype == np.dtype("<u4")  # 70,000 does not fit in uint16
    assert [positions[starts[i] : starts[i + 1]].tolist() for i in range(3)] == [[4], [10, 70_000], [65_535]]
    assert pta.get("body", b"long")[1].tolist() == [1, 2, 1]
    ids, starts, positions = pta.positions("body", b"short")
    assert positions.dtype == np.dtype("<u2") and positions.tolist() == [5]


def test_arrays_are_aligned_and_the_file_ends_with_its_trailer(tmp_path):
    path = _write(tmp_path / "seg.pta", _sample_writer())
    data = path.read_bytes()
    assert data.startswith(MAGIC) and data.endswith(MAGIC)
    pta = PostingArrays(str(path))
    for field, term in [("tags", b"ktip"), ("tags", b"big"), ("created", BINARY_TERM)]:
        ids, weights = pta.get(field, term)
        # numpy views into the map: their offsets are the file offsets.
        base = np.frombuffer(pta._map, dtype="u1")  # noqa: SLF001
        offset = ids.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        assert offset % 4 == 0, (field, term)


def test_writer_defaults_to_the_module_min_postings(monkeypatch, tmp_path):
    monkeypatch.setattr(indexer.postarrays, "MIN_POSTINGS", 3)
    w = PostingArraysWriter()
    w.add("tags", b"two", array("I", [1, 2]), array("f", [1, 1]))
    w.add("tags", b"three", array("I", [1, 2, 3]), array("f", [1, 1, 1]))
    pta = PostingArrays(str(_write(tmp_path / "seg.pta", w)))
    assert len(pta) == 1 and ("tags", b"three") in pta and ("tags", b"two") not in pta


def test_empty_writer_and_mismatched_postings(tmp_path):
    pta = PostingArrays(str(_write(tmp_path / "empty.pta", PostingArraysWriter(min_postings=1))))
    assert len(pta) == 0 and pta.get("body", b"x") is None
    w = PostingArraysWriter(min_postings=1)
    with pytest.raises(ValueError, match="2 ids, 1 weights"):
        w.add("tags", b"x", array("I", [1, 2]), array("f", [1]))
    with pytest.raises(ValueError, match="1 position lists"):
        w.add("body", b"x", array("I", [1, 2]), array("f", [1, 1]), [_pos(1)])
    assert len(w) == 0


# --------------------------------------------------------------------------- damaged files


@pytest.fixture
def good_file(tmp_path) -> bytes:
    return _write(tmp_path / "good.pta", _sample_writer()).read_bytes()


@pytest.mark.parametrize("cut", [1, 8, 24, 25, 100, "half", "after magic"])
def test_truncated_file(tmp_path, good_file, cut):
    keep = {"half": len(good_file) // 2, "after magic": len(MAGIC) + 32}.get(cut)
    keep = len(good_file) - cut if keep is None else keep
    path = tmp_path / "seg.pta"
    path.write_bytes(good_file[:keep])
    with pytest.raises(PostingArraysError) as err:
        PostingArrays(str(path))
    assert str(err.value) == f"{path}: truncated posting arrays file"


def test_every_truncation_is_refused(tmp_path, good_file):
    path = tmp_path / "seg.pta"
    for keep in range(len(good_file)):
        path.write_bytes(good_file[:keep])
        with pytest.raises(PostingArraysError) as err:
            PostingArrays(str(path))
        assert str(err.value).startswith(f"{path}: "), keep


def test_too_short_file(tmp_path, good_file):
    path = tmp_path / "seg.pta"
    path.write_bytes(good_file[:20])  # the magic, but shorter than magic + trailer
    with pytest.raises(PostingArraysError) as err:
        PostingArrays(str(path))
    assert str(err.value) == rf"{path}: not a posting arrays file (version b'CSPTA\x00\x01\x00')"


def test_empty_file(tmp_path):
    path = tmp_path / "seg.pta"
    path.write_bytes(b"")
    with pytest.raises(PostingArraysError) as err:
        PostingArrays(str(path))
    assert str(err.value) == f"{path}: empty posting arrays file"


@pytest.mark.parametrize("magic", [b"XSPTA\x00\x01\x00", b"CSPTA\x00\x02\x00", b"\x00" * 8])
def test_wrong_magic(tmp_path, good_file, magic):
    path = tmp_path / "seg.pta"
    path.write_bytes(magic + good_file[len(magic):])
    with pytest.raises(PostingArraysError) as err:
        PostingArrays(str(path))
    assert str(err.value) == rf"{path}: not a posting arrays file (version b'CSPTA\x00\x01\x00')"


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        PostingArrays(str(tmp_path / "none.pta"))


def _with_directory(good: bytes, blob: bytes) -> bytes:
    """*good* with its JSON directory replaced by *blob* (trailer fixed up)."""
    at, length, magic = indexer.postarrays._TRAILER.unpack_from(good, len(good) - indexer.postarrays._TRAILER.size)  # noqa: SLF001
    return good[:at] + blob + indexer.postarrays._TRAILER.pack(at, len(blob), magic)  # noqa: SLF001


@pytest.mark.parametrize("entry", [
    ["tags", "x", 8, 1, "Q"],             # unknown weight type
    ["body", "x", 8, 1, "B", 1, "Q"],     # unknown position type
    ["tags"],                             # too short
    "tags",                               # not a list
])
def test_bad_directory_entry(tmp_path, good_file, entry):
    path = tmp_path / "seg.pta"
    path.write_bytes(_with_directory(good_file, json.dumps([entry]).encode()))
    with pytest.raises(PostingArraysError) as err:
        PostingArrays(str(path))
    assert str(err.value).startswith(f"{path}: bad directory entry (")


@pytest.mark.parametrize("blob", [b"x" * 40, b"\xff\xfe[]"])
def test_directory_that_is_not_json(tmp_path, good_file, blob):
    path = tmp_path / "seg.pta"
    path.write_bytes(_with_directory(good_file, blob))
    with pytest.raises(PostingArraysError):
        PostingArrays(str(path))


# --------------------------------------------------------------------------- in an index


def _edited():
    return cable("06BANGKOK3955", datetime(2006, 7, 5, 10, 7), "Embassy Bangkok", "UNCLASSIFIED",
                 "VITAL VOICES CONFERENCE: EDITED",
                 [(1, "U", "Summary. The conference on trafficking was held in Bangkok again."),
                  (2, "SBU", "NGOs praised the forum; nothing else changed.")],
                 tags=("KTIP", "TH"))


def _build(path: Path, batch_size: int = 2) -> None:
    corpus = small_corpus()
    build_index(path, corpus[:4], batch_size=batch_size, workers=0)   # several segments
    build_index(path, corpus[4:], batch_size=batch_size, workers=0)
    build_index(path, [_edited()], workers=0)                          # a segment with deletions


def _pta_path(reader) -> Path:
    return Path(reader._storage.folder) / reader.segment().make_filename(ARRAYS_EXT)  # noqa: SLF001


def _all_postings(reader, field, term):
    """A matcher of every posting of a term, deleted documents included: the arrays are
    written with the segment, before any deletion."""
    m = reader.postings(field, term)
    while isinstance(m, FilterMatcher):
        m = m.child
        m.reset()  # the filter has already moved its child past the deleted documents
    return m


@pytest.mark.parametrize("how", ["memory", "spilled", "merged"])
def test_arrays_equal_whoosh_postings(tmp_path, monkeypatch, how):
    """Every term of every segment: the .pta holds it, with Whoosh's ids, weights and
    (positional fields) positions, whichever way the segment was written."""
    monkeypatch.setattr(indexer.postarrays, "MIN_POSTINGS", 1)
    if how == "spilled":  # MemoryPool hands everything to Whoosh's PostingPool at once
        monkeypatch.setattr(indexer.segments, "SPILL_POSTINGS", 1)
    if how == "merged":  # every second same-size segment triggers a merge (add_reader)
        monkeypatch.setattr(indexer.segments, "TIER_WIDTH", 2)
    path = tmp_path / "index"
    _build(path, batch_size=1 if how == "merged" else 2)
    # Segments where common words have more postings than are inlined (16) or fit in
    # one block (128), and a replaced cable in one of them.
    many = generated(300, words=60, refs=False)
    build_index(path, many[:150], batch_size=150, workers=0)
    build_index(path, many[150:], batch_size=150, workers=0)
    build_index(path, [synthetic_cable(many[3].refid, "Nothing is left of it.")], workers=0)

    ix = open_index(path)
    with ix.searcher() as s:
        leaves = [leaf.reader() for leaf, _ in s.leaf_searchers()]
        assert len(leaves) >= 2
        assert any(r.has_deletions() for r in leaves) or how == "merged"
        if how == "merged":
            assert any(r.doc_count_all() > 2 for r in leaves)  # some merge happened
        folder = {Path(r._storage.folder) for r in leaves}  # noqa: SLF001
        assert len(folder) == 1
        folder = folder.pop()
        # One .pta per segment, and none left from segments merged away or replaced.
        assert {p.name for p in folder.glob(f"*{ARRAYS_EXT}")} == {_pta_path(r).name for r in leaves}

        positional = set()
        deleted_seen = set()
        checked = 0
        longest = 0
        for r in leaves:
            assert _pta_path(r).is_file()
            pta = segment_arrays(r)
            assert isinstance(pta, PostingArrays) and pta.path == str(_pta_path(r))
            n_terms = 0
            for field, term in r.all_terms():
                n_terms += 1
                assert (field, term) in pta, (r.segment().segment_id(), field, term)
                ids, weights = pta.get(field, term)
                m = _all_postings(r, field, term)
                expected = list(m.items_as("weight"))
                assert list(zip(ids.tolist(), weights.tolist())) == expected, (field, term)
                longest = max(longest, len(ids))
                deleted_seen |= {(r.segment().segment_id(), d) for d in ids.tolist() if r.is_deleted(d)}
                live = [(d, w) for d, w in r.postings(field, term).items_as("weight")]
                assert live == [(d, w) for d, w in expected if not r.is_deleted(d)], (field, term)

                found = pta.positions(field, term)
                if isinstance(r.schema[field].format, CablePositions):
                    positional.add(field)
                    assert found is not None, (field, term)
                    pids, starts, positions = found
                    assert pids.tolist() == ids.tolist()
                    assert starts[0] == 0 and starts[-1] == len(positions)
                    m = _all_postings(r, field, term)
                    i = 0
                    while m.is_active():
                        assert positions[starts[i] : starts[i + 1]].tolist() == m.value_as("positions"), (field, term, i)
                        i += 1
                        m.next()
                    assert i == len(pids)
                else:
                    assert found is None, (field, term)
                checked += 1
            assert len(pta) == n_terms  # nothing the segment does not have
        assert {"body", "subject"} <= positional
        assert checked > 100
        assert longest > 128  # some term's postings took more than one block
        # The replaced cable's old postings are still in its old segment's arrays.
        assert deleted_seen or how == "merged"


def test_rare_terms_are_left_to_whoosh(tmp_path):
    """With the default MIN_POSTINGS (128) a small index's .pta files hold no terms."""
    path = tmp_path / "index"
    build_index(path, small_corpus(), workers=0)
    with open_index(path).searcher() as s:
        for leaf, _ in s.leaf_searchers():
            pta = segment_arrays(leaf.reader())
            assert pta is not None and len(pta) == 0


# --------------------------------------------------------------------------- robustness

QUERIES = ["trafficking", '"trafficking in persons"', "human rights", '"human rights"~3', "nuclear OR kurdish"]


def _results(path: Path) -> list:
    with CableSearch(path) as s:
        out = []
        for q in QUERIES:
            r = s.search(q)
            out.append((q, r.total, [h.refid for h in r.hits], [h.score for h in r.hits],
                        [h.paragraphs for h in r.hits]))
        return out


def _assert_same_results(got: list, expected: list) -> None:
    """Same totals, hits in the same order, same snippets; scores equal but for float
    rounding (arrays and Whoosh's postings may sum in another order)."""
    assert [(q, total, refids) for q, total, refids, _, _ in got] == \
           [(q, total, refids) for q, total, refids, _, _ in expected]
    for (q, _, _, scores, paras), (_, _, _, want_scores, want_paras) in zip(got, expected):
        assert scores == pytest.approx(want_scores, rel=1e-5), q
        assert paras == want_paras, q


def test_search_survives_damaged_and_missing_arrays(tmp_path, monkeypatch):
    monkeypatch.setattr(indexer.postarrays, "MIN_POSTINGS", 1)
    intact = tmp_path / "intact"
    _build(intact)
    damaged = tmp_path / "damaged"
    shutil.copytree(intact, damaged)

    files = sorted(damaged.glob(f"gen-*/*{ARRAYS_EXT}"))
    assert len(files) >= 3
    rng = random.Random(7)
    files[0].write_bytes(bytes(rng.randrange(256) for _ in range(files[0].stat().st_size)))
    files[1].unlink()
    files[2].write_bytes(MAGIC + b"\x00" * 100)  # right magic, no trailer

    # The damaged copy's segments really have no arrays, the intact ones do.
    with open_index(damaged).searcher() as s:
        found = {_pta_path(leaf.reader()).name: segment_arrays(leaf.reader()) for leaf, _ in s.leaf_searchers()}
    assert all(found[f.name] is None for f in files[:3])
    with open_index(intact).searcher() as s:
        assert all(segment_arrays(leaf.reader()) is not None for leaf, _ in s.leaf_searchers())

    expected = _results(intact)
    _assert_same_results(_results(damaged), expected)
    trafficking = dict((q, (t, refids)) for q, t, refids, _, _ in expected)["trafficking"]
    assert trafficking[0] == 3 and set(trafficking[1]) == {"06BANGKOK3955", "08TRIPOLI50", "09STATE1234"}


def test_segment_with_a_cable_over_65536_words_keeps_its_arrays(tmp_path, monkeypatch):
    """A cable longer than 65,536 words makes its segment's positions uint32: the
    segment's .pta must still be readable (else every term of the segment is read the
    slow way, silently)."""
    monkeypatch.setattr(indexer.postarrays, "MIN_POSTINGS", 1)
    words = " ".join(f"w{i % 97}" for i in range(70_000)) + " trafficking"
    long = cable("09LONG1", datetime(2009, 1, 1), "Embassy Paris", "UNCLASSIFIED", "A LONG CABLE",
                 [(1, "U", words)])
    path = tmp_path / "index"
    build_index(path, [*small_corpus(), long], workers=0)
    with open_index(path).searcher() as s:
        for leaf, _ in s.leaf_searchers():
            r = leaf.reader()
            assert _pta_path(r).is_file()
            pta = segment_arrays(r)
            assert pta is not None, _pta_path(r)
            ids, starts, positions = pta.positions("body", b"traffick")  # the stem
            m = r.postings("body", "traffick")
            assert [positions[starts[i] : starts[i + 1]].tolist() for i in range(len(ids))] == \
                   [p for _, p in m.items_as("positions")]
            assert positions.max() > 65535



@pytest.mark.parametrize("damage", ["not json", "offset out of range"])
def test_search_survives_a_damaged_directory(tmp_path, monkeypatch, damage):
    monkeypatch.setattr(indexer.postarrays, "MIN_POSTINGS", 1)
    intact = tmp_path / "intact"
    _build(intact)
    damaged = tmp_path / "damaged"
    shutil.copytree(intact, damaged)
    for f in damaged.glob(f"gen-*/*{ARRAYS_EXT}"):
        good = f.read_bytes()
        if damage == "not json":
            blob = b"x" * 40
        else:
            trailer = indexer.postarrays._TRAILER  # noqa: SLF001
            at, length, _ = trailer.unpack_from(good, len(good) - trailer.size)
            directory = json.loads(good[at : at + length])
            for entry in directory:
                entry[2] = len(good) * 2
            blob = json.dumps(directory).encode()
        f.write_bytes(_with_directory(good, blob))
    _assert_same_results(_results(damaged), _results(intact))
