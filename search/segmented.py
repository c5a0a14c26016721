"""Working through a multi-segment index document set by document set.

A searcher's documents are numbered across its segments (each segment's from its
base). Reading postings for a set of documents means splitting the set by segment,
then walking each term's posting list forward over that segment's documents, or
reading it whole, a block at a time (:func:`decoded_postings`, shared by document sets
and scoring so a common word's blocks are decoded once).
"""

from __future__ import annotations

import bisect
import threading
from array import array
from collections import OrderedDict
from itertools import accumulate
from typing import Iterable, Iterator

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher, ListMatcher

__all__ = ["at_documents", "by_segment", "decoded_postings"]


def by_segment(docs: Iterable[int], leaves) -> Iterator[tuple[object, int, list[int]]]:
    """``(leaf, base, local docnums ascending)`` for each of *leaves* (``(leaf, base)``
    pairs of ``leaf_readers()`` or ``leaf_searchers()``) that holds any of *docs*."""
    wanted = sorted(set(docs))
    for leaf, base in leaves:
        reader = leaf.reader() if hasattr(leaf, "reader") else leaf
        lo = bisect.bisect_left(wanted, base)
        hi = bisect.bisect_left(wanted, base + reader.doc_count_all())
        if hi > lo:
            yield leaf, base, [d - base for d in wanted[lo:hi]]


def at_documents(m, local: list[int]) -> Iterator[int]:
    """Move matcher *m* forward to each of *local* (ascending) that its posting list
    holds, yielding them; ``skip_to`` passes whole blocks by their last id without
    decoding them, so a long list costs about a block per document asked."""
    for d in local:
        if not m.is_active():
            return
        if m.id() < d:
            m.skip_to(d)
            if not m.is_active():
                return
        if m.id() == d:
            yield d


#: Posting lists at least this long (in one segment) keep their decoded ids and
#: weights in memory: unpickling posting blocks was the biggest cost of ranking common
#: words at 251,287 cables, and the same common words recur query after query.
CACHE_MIN_POSTINGS = 2000
#: The decoded posting lists kept, in postings (8 bytes each in the arrays).
CACHE_MAX_POSTINGS = 8_000_000
_POSTINGS: OrderedDict[tuple, tuple[array, array]] = OrderedDict()
_POSTINGS_SIZE = 0
_POSTINGS_LOCK = threading.Lock()


def _decoded(m) -> tuple[array, array]:
    """All (ids, weights) of a W3 posting list, a block at a time (whoosh-reloaded 2.7.5
    is pinned): a block's ids and weights are decoded in one go, not a call per posting."""
    ids = array("I")
    weights = array("f")
    while m.is_active():
        if m._data is None:  # noqa: SLF001
            m._read_data()  # noqa: SLF001
        m._read_weights()  # noqa: SLF001
        ids.extend(accumulate(m._data[0]))  # noqa: SLF001 -- ids are deltas
        weights.extend(m._weights)  # noqa: SLF001
        m._next_block()  # noqa: SLF001
    return ids, weights


def decoded_postings(reader, field: str, text: str) -> tuple[array, array] | None:
    """A segment's (ids, weights) for a term (which it must have), from the cache or
    read and maybe cached; ``None`` for a codec without the W3 block reader. Deleted
    documents are included: callers ask about live ones only, or drop them."""
    global _POSTINGS_SIZE
    key = (reader.segment().segment_id(), field, text)
    with _POSTINGS_LOCK:
        found = _POSTINGS.get(key)
        if found is not None:
            _POSTINGS.move_to_end(key)
            return found
    m = reader.postings(field, text)
    # A segment with deletions wraps its postings in a filter; the documents asked
    # about are never deleted ones, so read the postings underneath.
    while isinstance(m, FilterMatcher):
        m = m.child
    if isinstance(m, ListMatcher):  # an inlined rare term
        return array("I", m._ids), array("f", m._weights)  # noqa: SLF001
    if not isinstance(m, W3LeafMatcher):
        return None
    found = _decoded(m)
    if len(found[0]) >= CACHE_MIN_POSTINGS:
        with _POSTINGS_LOCK:
            if key not in _POSTINGS:
                _POSTINGS[key] = found
                _POSTINGS_SIZE += len(found[0])
                while _POSTINGS_SIZE > CACHE_MAX_POSTINGS and _POSTINGS:
                    _, (old, _) = _POSTINGS.popitem(last=False)
                    _POSTINGS_SIZE -= len(old)
    return found
