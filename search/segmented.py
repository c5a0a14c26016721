"""Working through a multi-segment index document set by document set.

A searcher's documents are numbered across its segments (each segment's from its
base). Reading postings for a set of documents means splitting the set by segment,
then walking each term's posting list forward over that segment's documents.
"""

from __future__ import annotations

import bisect
from typing import Iterable, Iterator

__all__ = ["at_documents", "by_segment"]


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
