"""BM25F scores of a known set of documents, without Whoosh's matcher tree.

A search knows its strict tier's documents exactly before it ranks them (the totals
need them), so ranking only has to score those documents. Whoosh instead runs the
query's matcher tree (unions of each word's fields, intersected across words) over
the words' posting lists, with a few method calls per posting at every level of the
tree: at 25,000 cables that was two thirds of a 2-3 word search.

:func:`score_arrays` gives the same scores for the query shapes the compiler makes
for words (``And`` / ``Or`` of ``Term`` s, with boosts, plus
``Not`` s and date ranges under the top ``And``, which only filter). Each segment is
scored with numpy: a term's weights come from its posting arrays
(:func:`search.segmented.term_arrays`), its BM25F formula is Whoosh's, evaluated in the
same order on the same doubles, so the scores are the same floats. Any other query
returns ``None``, and the caller asks Whoosh.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.util.numeric import byte_to_length

from .docsets import DocSet
from .lru import MISSING, LruCache
from .segmented import term_arrays

__all__ = ["score_arrays", "score_documents", "term_scores_at"]


def score_arrays(searcher, q: wq.Query, docs: DocSet | Iterable[int]
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    """``(docnums, scores)``: the documents of *docs* that match *q* (ascending) and the
    score Whoosh gives each; ``None`` if *q* has a shape this does not handle.

    *docs* must already satisfy the ``Not`` s and date/number ranges directly under a
    top-level ``And`` (a search's exact result set does): they are not checked again.
    """
    if not _supported(searcher, q, top=True):
        return None
    mask = DocSet.of(docs, searcher.doc_count_all()).mask
    found_docs, found_scores = [], []
    formulas: dict = {}  # a term's BM25F constants are the same in every segment
    for sub, base in searcher.leaf_searchers():
        size = sub.doc_count_all()
        local = mask[base : base + size]
        if not local.any():
            continue
        scores, matched = _node_scores(sub, q, local, formulas)
        matched &= local
        hit = np.flatnonzero(matched)
        found_docs.append(hit + base)
        found_scores.append(scores[hit])
    if not found_docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(found_docs), np.concatenate(found_scores)


def score_documents(searcher, q: wq.Query, docs: DocSet | Iterable[int]) -> dict[int, float] | None:
    """:func:`score_arrays` as ``docnum -> score``."""
    found = score_arrays(searcher, q, docs)
    if found is None:
        return None
    return dict(zip(found[0].tolist(), found[1].tolist()))


def _supported(searcher, q: wq.Query, top: bool = False) -> bool:
    if isinstance(q, wq.Term):
        # Unscorable fields (names) score their weight, as Whoosh's WeightScorer does.
        return q.fieldname in searcher.schema and isinstance(q.text, str)
    if type(q) is wq.And:
        # A Not or a date/number range only filters, and the documents are filtered
        # already; deeper down it would decide which documents an Or's branch matches.
        return all(top if _is_filter(s) else _supported(searcher, s) for s in q.subqueries)
    if type(q) in (wq.Or, wq.DefaultOr):
        return not q.scale and not q.minmatch and all(_supported(searcher, s) for s in q.subqueries)
    return False


def _is_filter(q: wq.Query) -> bool:
    if isinstance(q, wq.Not) or (isinstance(q, wq.NumericRange) and q.constantscore):
        return True
    return type(q) is wq.And and all(_is_filter(s) for s in q.subqueries)


def _filter_score(q: wq.Query) -> float:
    # What Whoosh's matcher for a filter adds to every document it lets through: an
    # inverse matcher scores 1.0, a constant-score range its boost, an And the sum.
    if isinstance(q, wq.Not):
        return 1.0
    if isinstance(q, wq.NumericRange):
        return q.boost
    return q.boost * sum(_filter_score(s) for s in q.subqueries)


def _node_scores(sub, q: wq.Query, local: np.ndarray, formulas: dict) -> tuple[np.ndarray, np.ndarray]:
    """``(scores, matched)`` of *q* over one segment's documents (dense arrays);
    only the documents of *local* are scored."""
    size = local.size
    if isinstance(q, wq.Term):
        scores, matched = _term_scores(sub, q.fieldname, q.text, local, formulas)
    elif isinstance(q, wq.And):
        parts = [_node_scores(sub, s, local, formulas) for s in q.subqueries if not _is_filter(s)]
        if not parts:
            return np.zeros(size), np.zeros(size, dtype=bool)
        filters = sum(_filter_score(s) for s in q.subqueries if _is_filter(s))
        # Whoosh adds the parts' scores in order, then the filters' constant.
        scores = np.zeros(size)
        matched = np.ones(size, dtype=bool)
        for part_scores, part_matched in parts:
            scores += part_scores
            matched &= part_matched
        scores += filters
        scores[~matched] = 0.0  # an Or above adds this node's scores where it matches only
    else:  # Or: the sum of the subqueries that match
        scores = np.zeros(size)
        matched = np.zeros(size, dtype=bool)
        for s in q.subqueries:
            part_scores, part_matched = _node_scores(sub, s, local, formulas)
            scores += part_scores  # zero where the part does not match
            matched |= part_matched
    if q.boost != 1.0:
        scores = scores * q.boost
    return scores, matched


#: (segment id, field) -> the field's length byte per document (Whoosh keeps lengths as
#: one byte each; 0 means none).
#: At most 512 tables are kept (segments are immutable; ids never come back).
_LENGTHS = LruCache(512)
#: Whoosh's byte -> length table; the BM25F scorer reads "no length" as 1.
_BYTE_LENGTH = [byte_to_length(b) if b else 1 for b in range(256)]
#: The same lengths as doubles, for computing a term's denominators in one operation.
_BYTE_LENGTH_FLOATS = np.array(_BYTE_LENGTH, dtype=np.float64)


def _length_bytes(reader, field: str) -> bytes | None:
    """Every document's length byte of *field* in one segment, read once per segment.

    Looking a length up per document goes through a column reader and a file read
    each time; at 251,287 cables that was a fifth of ranking a common word."""
    key = (reader.segment().segment_id(), field)
    raw = _LENGTHS.get(key)
    if raw is MISSING:
        column = reader._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)  # noqa: SLF001
        if column is None:
            return None
        raw = column._dbfile.get(column._basepos, column._count)  # noqa: SLF001 -- one byte each
        raw += bytes(reader.doc_count_all() - len(raw))
        _LENGTHS.put(key, raw)
    return raw


def _term_scores(sub, field: str, text: str, local: np.ndarray, formulas: dict
                 ) -> tuple[np.ndarray, np.ndarray]:
    size = local.size
    scores = np.zeros(size)
    matched = np.zeros(size, dtype=bool)
    reader = sub.reader()
    arrays = term_arrays(reader, field, text)
    if arrays is None:
        return scores, matched
    ids, weights = arrays
    keep = local[ids]
    ids = ids[keep]
    weights = weights[keep].astype(np.float64)  # Whoosh's weights are doubles in Python
    formula = formulas.get((field, text))
    if formula is None:
        formula = formulas[(field, text)] = _formula(sub.weighting.scorer(sub, field, text))
    scores[ids] = _postings_scores(sub, field, text, ids, weights, formula)
    matched[ids] = True
    return scores, matched


def _postings_scores(sub, field: str, text: str, ids: np.ndarray, weights: np.ndarray,
                     formula) -> np.ndarray:
    """The scores of one term's postings in one segment (segment-local *ids*, *weights*
    as doubles), by its :func:`_formula`."""
    if formula == "weight":
        return weights
    raw = _length_bytes(sub.reader(), field)
    if formula != "other" and raw is not None:
        idf, k1p, norm = formula
        lengths = np.frombuffer(raw, dtype=np.uint8)[ids]
        return idf * ((weights * k1p) / (weights + norm[lengths]))
    scorer = sub.weighting.scorer(sub, field, text)
    score, length = scorer._score, sub.doc_field_length  # noqa: SLF001
    return np.array([score(w, length(d, field, 1)) for d, w in zip(ids.tolist(), weights.tolist())],
                    dtype=np.float64)


def _formula(scorer):
    """How a term's scorer scores: ``"weight"`` (an unscorable field), Whoosh's bm25()
    as ``(idf, K1 + 1, per-length-byte denominators)`` (its statistics are the whole
    index's, so the same in every segment; the same operations in the same order give
    the same floats), or ``"other"``."""
    if type(scorer) is WeightScorer:
        return "weight"
    if type(scorer) is BM25FScorer:
        K1, B, avgfl = scorer.K1, scorer.B, scorer.avgfl
        # The scorer's K1 * ((1 - B) + B * length / avgfl) for every length byte at once:
        # the same operations in the same order on doubles, so the same floats.
        norm = K1 * ((1 - B) + B * _BYTE_LENGTH_FLOATS / avgfl)
        return scorer.idf, K1 + 1, norm
    return "other"


def term_scores_at(sub, field: str, text: str, found: list[tuple[int, float]]) -> dict[int, float]:
    """docnum -> the score Whoosh's matcher for the term would give, for the
    ``(segment-local docnum, weight)`` pairs of *found* (postings already read)."""
    ids = np.array([d for d, _ in found], dtype=np.int64)
    weights = np.array([w for _, w in found], dtype=np.float64)
    formula = _formula(sub.weighting.scorer(sub, field, text))
    return dict(zip(ids.tolist(), _postings_scores(sub, field, text, ids, weights, formula).tolist()))
