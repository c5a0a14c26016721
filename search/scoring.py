"""BM25F scores of a known set of documents, without Whoosh's matcher tree.

A search knows its strict tier's documents exactly before it ranks them (the totals
need them), so ranking only has to score those documents. Whoosh instead runs the
query's matcher tree (unions of each word's fields, intersected across words) over
the words' posting lists, with a few method calls per posting at every level of the
tree: at 25,000 cables that was two thirds of a 2-3 word search.

:func:`score_documents` gives the same scores for the query shapes the compiler makes
for words (``And`` / ``Or`` of ``Term`` s on scorable fields, with boosts, plus
``Not`` s and date ranges under the top ``And``, which only filter): each term's posting list is read a
block at a time and only the wanted documents are scored, with the searcher's own
scorer. Any other query returns ``None``, and the caller asks Whoosh.
"""

from __future__ import annotations

import bisect

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.scoring import BM25FScorer
from whoosh.util.numeric import byte_to_length

from .segmented import by_segment, decoded_postings

__all__ = ["score_documents"]


def score_documents(searcher, q: wq.Query, docs: set[int]) -> dict[int, float] | None:
    """docnum -> the score Whoosh gives *q*, for the documents of *docs* that match it;
    ``None`` if *q* has a shape this does not handle.

    *docs* must already satisfy the ``Not`` s and date/number ranges directly under a
    top-level ``And`` (a search's exact result set does): they are not checked again.
    """
    if not _supported(searcher, q, top=True):
        return None
    out: dict[int, float] = {}
    for sub, base, local in by_segment(docs, searcher.leaf_searchers()):
        for d, score in _node_scores(sub, q, set(local)).items():
            out[d + base] = score
    return out


def _supported(searcher, q: wq.Query, top: bool = False) -> bool:
    if isinstance(q, wq.Term):
        field = searcher.schema[q.fieldname] if q.fieldname in searcher.schema else None
        return field is not None and field.scorable and isinstance(q.text, str)
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


def _node_scores(sub, q: wq.Query, docs: set[int]) -> dict[int, float]:
    """Scores of *q* for the documents of *docs* (segment-local) that match it."""
    if isinstance(q, wq.Term):
        scores = _term_scores(sub, q.fieldname, q.text, docs)
    elif isinstance(q, wq.And):
        parts = [_node_scores(sub, s, docs) for s in q.subqueries if not _is_filter(s)]
        if not parts:
            return {}
        filters = sum(_filter_score(s) for s in q.subqueries if _is_filter(s))
        common = set(parts[0]).intersection(*parts[1:])
        scores = {d: sum(p[d] for p in parts) + filters for d in common}
    else:  # Or: the sum of the subqueries that match
        scores: dict[int, float] = {}
        for s in q.subqueries:
            for d, v in _node_scores(sub, s, docs).items():
                scores[d] = scores.get(d, 0.0) + v
    if q.boost != 1.0:
        scores = {d: v * q.boost for d, v in scores.items()}
    return scores


#: (segment id, field) -> the field's length byte per document (Whoosh keeps lengths as
#: one byte each; 0 means none).
_LENGTHS: dict[tuple[str, str], bytes] = {}
#: Cached length tables kept at most (segments are immutable; ids never come back).
_LENGTHS_KEPT = 512
#: Whoosh's byte -> length table; the BM25F scorer reads "no length" as 1.
_BYTE_LENGTH = [byte_to_length(b) if b else 1 for b in range(256)]


def _length_bytes(reader, field: str) -> bytes | None:
    """Every document's length byte of *field* in one segment, read once per segment.

    Looking a length up per document goes through a column reader and a file read
    each time; at 251,287 cables that was a fifth of ranking a common word."""
    key = (reader.segment().segment_id(), field)
    raw = _LENGTHS.get(key)
    if raw is None:
        column = reader._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)  # noqa: SLF001
        if column is None:
            return None
        raw = column._dbfile.get(column._basepos, column._count)  # noqa: SLF001 -- one byte each
        raw += bytes(reader.doc_count_all() - len(raw))
        if len(_LENGTHS) >= _LENGTHS_KEPT:
            _LENGTHS.clear()
        _LENGTHS[key] = raw
    return raw


def _scores(scorer, found: list[tuple[int, float]], raw: bytes) -> dict[int, float]:
    """BM25F scores of (docnum, weight) pairs, as ``scorer`` computes them."""
    if type(scorer) is not BM25FScorer:
        score = scorer._score  # noqa: SLF001 -- the scorer's formula, on weight and length
        return {d: score(w, _BYTE_LENGTH[raw[d]]) for d, w in found}
    # Whoosh's bm25() with the per-document part tabled by length byte (there are 256),
    # the same operations in the same order, so the same floats.
    idf, K1, B, avgfl = scorer.idf, scorer.K1, scorer.B, scorer.avgfl
    k1p = K1 + 1
    norm = [K1 * ((1 - B) + B * length / avgfl) for length in _BYTE_LENGTH]
    return {d: idf * ((w * k1p) / (w + norm[raw[d]])) for d, w in found}


def _term_scores(sub, field: str, text: str, docs: set[int]) -> dict[int, float]:
    reader = sub.reader()
    if (field, text) not in reader:
        return {}
    scorer = sub.weighting.scorer(sub, field, text)
    decoded = decoded_postings(reader, field, text)
    if decoded is None:
        found = [iw for iw in reader.postings(field, text).items_as("weight") if iw[0] in docs]
    else:
        ids, weights = decoded
        if len(docs) * 16 < len(ids):
            # Few documents asked about: look each one up in the sorted ids.
            found = []
            for d in docs:
                i = bisect.bisect_left(ids, d)
                if i < len(ids) and ids[i] == d:
                    found.append((d, weights[i]))
        else:
            found = [iw for iw in zip(ids, weights) if iw[0] in docs]
    raw = _length_bytes(reader, field)
    if raw is None:
        score, length = scorer._score, sub.doc_field_length  # noqa: SLF001
        return {d: score(w, length(d, field, 1)) for d, w in found}
    return _scores(scorer, found, raw)
