"""Direct BM25F scoring of a known document set (search.scoring) against Whoosh's."""

from __future__ import annotations

from datetime import datetime

import pytest
from whoosh import query as wq

from indexer import open_index
from search.engine import WEIGHTING
from search.scoring import score_documents


def _whoosh_scores(searcher, q):
    return {h.docnum: h.score for h in searcher.search(q, limit=None)}


def _word(text, boost=1.0):
    return wq.Or([wq.Term("subject", text, boost=2.5), wq.Term("body", text),
                  wq.Term("tagtext", text, boost=0.4)], boost=boost)


QUERIES = {
    "one word": _word("traffick"),
    "two words": wq.And([_word("traffick"), _word("person")]),
    "or of words": wq.Or([_word("traffick"), _word("nuclear", boost=2.0)]),
    "and with not": wq.And([_word("traffick"), wq.Not(wq.Term("body", "libya"))]),
    "and with date filters": wq.And([
        wq.And([wq.DateRange("created", datetime(2006, 1, 1), None),
                wq.DateRange("created", None, datetime(2008, 12, 31))]),
        _word("traffick")]),
    "nested and in or": wq.Or([wq.And([wq.Term("body", "traffick"), wq.Term("body", "person")]),
                               wq.Term("subject", "nuclear")]),
    # The And matches no cable, so the Bangkok cables about trafficking get nothing from it.
    "and in or that matches nothing": wq.Or([wq.And([wq.Term("body", "traffick"), wq.Term("body", "zanzibar")]),
                                             wq.Term("body", "bangkok")]),
    # tags (like names) has no field lengths: Whoosh scores its terms by their weight.
    "unscorable field": wq.Or([wq.Term("body", "traffick"), wq.Term("tags", "PREL", boost=0.35)]),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_scores_equal_whooshs_for_every_matching_document(small_index, name):
    q = QUERIES[name]
    with open_index(small_index).searcher(weighting=WEIGHTING) as s:
        expected = _whoosh_scores(s, q)
        assert expected, "the query should match something in the small corpus"
        # The documents a search asks about match its top-level Nots already (they
        # are its exact result set); otherwise any document may be asked about.
        filtered = name in ("and with not", "and with date filters")
        asked = set(expected) if filtered else set(range(s.doc_count_all()))
        got = score_documents(s, q, asked)
        assert got.keys() == expected.keys()
        for d, score in expected.items():
            assert got[d] == pytest.approx(score, rel=1e-9)
        # Only the documents asked about are scored.
        some = set(sorted(expected)[:1])
        assert score_documents(s, q, some).keys() == some


@pytest.mark.parametrize("q", [
    wq.Phrase("body", ["traffick", "victim"]),
    wq.Or([wq.Term("body", "traffick"), wq.Not(wq.Term("body", "victim"))]),
    wq.And([wq.Term("body", "traffick"), wq.Prefix("body", "vic")]),
])
def test_other_query_shapes_are_left_to_whoosh(small_index, q):
    with open_index(small_index).searcher(weighting=WEIGHTING) as s:
        assert score_documents(s, q, {0, 1, 2}) is None
