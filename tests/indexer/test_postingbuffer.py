"""PositionBuffer: documents in, postings grouped by term out."""

from array import array

from indexer.postingbuffer import PositionBuffer


def _plain(postings):
    return [(term, list(ids), list(weights), [array("I", v).tolist() for v in values])
            for term, (ids, weights, values) in postings]


def test_groups_postings_by_sorted_term_with_documents_in_order():
    buf = PositionBuffer()
    assert buf.add(0, {"tehran": [0, 7], "=tehran": [0], "visit": [3]}) == 4
    assert buf.add(3, {"visit": [1, 2, 9]}) == 3
    assert buf.add(4, {"tehran": [5], "aardvark": [0]}) == 2
    assert len(buf) == 6
    assert _plain(buf.sorted_postings()) == [
        (b"=tehran", [0], [1.0], [[0]]),
        (b"aardvark", [4], [1.0], [[0]]),
        (b"tehran", [0, 4], [2.0, 1.0], [[0, 7], [5]]),
        (b"visit", [0, 3], [1.0, 3.0], [[3], [1, 2, 9]]),
    ]


def test_values_are_the_raw_uint32_positions_whoosh_stores():
    buf = PositionBuffer()
    buf.add(2, {"x": [1, 70000]})
    (_, (_, _, values)), = buf.sorted_postings()
    assert values == [array("I", [1, 70000]).tobytes()]


def test_empty_buffer_and_a_spent_buffer_yield_nothing():
    assert list(PositionBuffer().sorted_postings()) == []
    buf = PositionBuffer()
    buf.add(0, {"a": [0]})
    assert len(list(buf.sorted_postings())) == 1
    assert list(buf.sorted_postings()) == []
    assert len(buf) == 0


def test_matches_a_dict_grouping_on_many_documents():
    import random

    rng = random.Random(7)
    words = [f"w{i}" for i in range(300)]
    buf = PositionBuffer()
    expected: dict[str, list] = {}
    for docnum in range(0, 400, 2):
        doc: dict[str, list[int]] = {}
        for pos in range(rng.randrange(1, 60)):
            doc.setdefault(rng.choice(words), []).append(pos)
        buf.add(docnum, doc)
        for term, poses in doc.items():
            expected.setdefault(term, []).append((docnum, poses))
    got = _plain(buf.sorted_postings())
    assert [t for t, *_ in got] == sorted(t.encode() for t in expected)
    for term, ids, weights, values in got:
        want = expected[term.decode()]
        assert ids == [d for d, _ in want]
        assert weights == [float(len(p)) for _, p in want]
        assert values == [p for _, p in want]
