"""Exact document sets of compiled queries, computed with set algebra.

Whoosh's ``docs_for_query`` walks the query's matcher tree one document at a time,
a few microseconds each; a query with a common word (``in``, ``government``) then costs
that for every cable containing the word, although it filters almost nothing. Here a
term's documents are read from its posting blocks, AND and OR become set intersection
and union (in C), and the document sets of *common* terms, the ones that recur in
query after query, are kept per segment (segments never change; a commit adds new
ones). A derived exact word (:class:`search.exact.ExactWord`, ``=run``: ``run`` less
``=running``...) is the stem's documents less the siblings', plus the documents that have
both where a position of the stem is left over. A date or number range is the OR of its
trie terms. Anything else (phrases, for instance) falls back to Whoosh, so the result
is always exact.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from whoosh import query as wq

from .exact import ExactTerms, ExactWord
from .segmented import decoded_postings

__all__ = ["DocSets", "TermCache"]

#: Terms in at least this many documents of a segment are cached.
CACHE_MIN_DF = 1000
#: The cache holds at most this many document numbers in all.
CACHE_MAX_IDS = 3_000_000


class TermCache:
    """Per-segment document sets of common terms, shared by all searches (thread-safe)."""

    def __init__(self, max_ids: int = CACHE_MAX_IDS):
        self._lock = threading.Lock()
        self._sets: OrderedDict[tuple, frozenset[int]] = OrderedDict()
        self._size = 0
        self._max = max_ids

    def get(self, key: tuple) -> frozenset[int] | None:
        with self._lock:
            found = self._sets.get(key)
            if found is not None:
                self._sets.move_to_end(key)
            return found

    def put(self, key: tuple, docs: frozenset[int]) -> None:
        with self._lock:
            if key in self._sets or len(docs) > self._max:
                return
            self._sets[key] = docs
            self._size += len(docs)
            while self._size > self._max:
                _, old = self._sets.popitem(last=False)
                self._size -= len(old)


def _leaf_term_docs(leaf, field: str, text):
    """A segment's live document numbers for one term, read a posting block at a time."""
    if (field, text) not in leaf:
        return []
    decoded = decoded_postings(leaf, field, text)
    if decoded is not None:
        ids = decoded[0]
    else:  # another codec: the generic, slower way
        ids = list(leaf.postings(field, text).all_ids())
    if leaf.has_deletions():
        deleted = leaf.deleted_docs_set
        ids = [d for d in ids if d not in deleted]
    return ids


class DocSets:
    """Evaluates compiled queries to exact sets of (global) document numbers.

    :param searcher: the open searcher.
    :param cache: the shared :class:`TermCache`.
    :param scope: names the index generation, for the cache keys.
    :param exact: the reader's exact terms, for :meth:`exact_term` (derived ``=word``).
    """

    def __init__(self, searcher, cache: TermCache, scope: str, exact: ExactTerms | None = None):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.cache = cache
        self.scope = scope
        self._leaves = []
        for leaf, base in self.reader.leaf_readers():
            seg = leaf.segment() if hasattr(leaf, "segment") else None
            # A segment's documents never change, but it can gain deletions (a replaced
            # cable) and move in the reader's order (a merge before it): both go in the key.
            ident = (seg.segment_id(), base, leaf.doc_count()) if seg is not None else None
            self._leaves.append((leaf, base, ident))
        self._memo: dict = {}
        self.exact = exact

    def docs(self, q: wq.Query) -> set[int]:
        """The documents *q* matches (deleted ones excluded), exactly."""
        return set(self._eval(q))

    def _eval(self, q: wq.Query):
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return frozenset()
        if isinstance(q, ExactWord) and isinstance(q.a, wq.Term):
            return self._exact_word(q)
        if isinstance(q, wq.NumericRange):
            # A date or number range is an OR of the numeric field's trie terms (few,
            # and common, so their document sets come from the cache).
            return self._eval(q.simplify(self.reader))
        if isinstance(q, wq.ConstantScoreQuery):
            return self._eval(q.child)
        if isinstance(q, wq.Or):
            out: set[int] = set()
            for sub in q.subqueries:
                out.update(self._eval(sub))
            return out
        if isinstance(q, wq.And):
            pos = [s for s in q.subqueries if not isinstance(s, wq.Not)]
            neg = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
            if pos:
                sets = sorted((self._eval(s) for s in pos), key=len)
                out = set(sets[0])
                for other in sets[1:]:
                    if not out:
                        break
                    out.intersection_update(other)
                for n in neg:
                    if not out:
                        break
                    out.difference_update(self._eval(n))
                return out
        return set(self.searcher.docs_for_query(q))

    def _exact_word(self, q: ExactWord) -> set[int]:
        """The documents where the stem term ``q.a`` has a position that no term of
        ``q.b`` (the siblings) has."""
        from .paragraphs import term_positions

        field = q.a.fieldname
        others = [q.b] if isinstance(q.b, wq.Term) else list(q.b.subqueries)
        key = ("exact", field, q.a.text, tuple(o.text for o in others))
        found = self._memo.get(key)
        if found is not None:
            return found
        stem_docs = self.term(field, q.a.text)
        other_docs: set[int] = set()
        for o in others:
            other_docs.update(self.term(field, o.text))
        out = set(stem_docs) - other_docs
        both = stem_docs & other_docs
        if both:
            words = [o.text for o in others]
            found = term_positions(self.reader, [q.a.text, *words], both, field=field)
            for d, poses in found.items():
                covered = set().union(*(poses.get(w, ()) for w in words))
                if not covered.issuperset(poses.get(q.a.text, ())):
                    out.add(d)
        self._memo[key] = out
        return out

    def exact_term(self, field: str, text: str) -> set[int] | frozenset[int]:
        """The documents containing *text* as an index term would: a derived exact term
        (``=run``, see :mod:`search.exact`) through its query, any other term itself."""
        from .exact import is_derived

        if self.exact is None or not is_derived(text):
            return self.term(field, text)
        return self._eval(self.exact.query(field, text))  # memoized for the search

    def term(self, field: str, text) -> frozenset[int] | set[int]:
        """The documents containing one term (memoized for this search)."""
        key = (field, text)
        found = self._memo.get(key)
        if found is not None:
            return found
        out: set[int] = set()
        for leaf, base, ident in self._leaves:
            ckey = (self.scope, ident, field, text) if ident is not None else None
            cached = self.cache.get(ckey) if ckey else None
            if cached is None:
                local = _leaf_term_docs(leaf, field, text)
                cached = frozenset(d + base for d in local) if base else frozenset(local)
                if ckey and len(local) >= CACHE_MIN_DF:
                    self.cache.put(ckey, cached)
            out.update(cached)
        self._memo[key] = out
        return out
