"""Closeness of the query's words, for re-ranking the head of a ranking.

A cable where the words stand close together, in the order typed, gets a bonus: for
each field (body, subject) where the words occur in order with at most ``slop``
positions from one to the next, ``boost`` times the BM25F scores of those words in
that field, plus :data:`CLOSE_BONUS` once. That is what a sloppy ``Phrase`` query
ANDed with the head's ids scored in Whoosh (the id term added the 1.0), but Whoosh builds its phrase matcher over the words' whole posting lists
and walks them to the first cable where the phrase occurs, which cost more than the
rest of a search. Here each word's positions are read only at the head's documents (from the posting
arrays, or walking the posting list with ``skip_to``), and the order check runs on
those few position lists.
"""

from __future__ import annotations

import bisect
from typing import Iterable

from .scoring import term_scores_at
from .segmented import by_segment, positions_at

__all__ = ["CLOSE_BONUS", "NEAR_FIELDS", "in_order_within", "proximity_bonus"]

#: (field, slop, boost): words at most ``slop`` positions apart, in order.
NEAR_FIELDS = (("body", 6, 0.6), ("subject", 2, 1.2))
#: Added once to a cable whose words stand close in any field, so that closeness
#: counts even where the words' own scores are low (common words).
CLOSE_BONUS = 1.0


def in_order_within(positions: list[list[int]], slop: int) -> bool:
    """Whether some position of each list follows one of the previous list's by
    1..``slop`` positions (lists sorted ascending): the words occur in order, close."""
    reached = positions[0]
    for nxt in positions[1:]:
        if not reached or not nxt:
            return False
        keep = []
        for p in nxt:
            # the latest reached position before p
            i = bisect.bisect_left(reached, p) - 1
            if i >= 0 and p - reached[i] <= slop:
                keep.append(p)
        reached = keep
    return bool(reached)


def _scored_positions(searcher, field: str, terms: list[str], docnums: list[int]):
    """docnum -> term -> (positions, BM25F score) for *terms* in *field* of *docnums*."""
    out: dict[int, dict[str, tuple[list[int], float]]] = {}
    for sub, base, local in by_segment(docnums, searcher.leaf_searchers()):
        reader = sub.reader()
        for term in terms:
            found = positions_at(reader, field, term, local)
            if not found:
                continue
            scores = term_scores_at(sub, field, term, [(d, w) for d, (_, w) in found.items()])
            for d, (positions, _weight) in found.items():
                out.setdefault(d + base, {})[term] = (positions, scores[d])
    return out


def proximity_bonus(searcher, stems: list[str], docnums: Iterable[int]) -> dict[int, float]:
    """docnum -> bonus for *docnums* where the analyzed words *stems* (two or more, in
    the order typed) stand close together; documents without a bonus are left out."""
    docnums = list(docnums)
    bonus: dict[int, float] = {}
    if len(stems) < 2 or not docnums:
        return bonus
    distinct = list(dict.fromkeys(stems))
    for field, slop, boost in NEAR_FIELDS:
        found = _scored_positions(searcher, field, distinct, docnums)
        for d, by_term in found.items():
            if len(by_term) < len(distinct):
                continue
            if in_order_within([by_term[s][0] for s in stems], slop):
                bonus[d] = bonus.get(d, CLOSE_BONUS) + boost * sum(score for _, score in by_term.values())
    return bonus
