"""Exact document sets of compiled queries, computed as bitmaps.

Whoosh's ``docs_for_query`` walks the query's matcher tree one document at a time,
a few microseconds each; a query with a common word (``in``, ``government``) then costs
that for every cable containing the word, although it filters almost nothing. Here a
document set is a :class:`DocSet`, one boolean per document of the searcher (a quarter
of a megabyte at 251,287 cables), a term's set is filled from its posting arrays
(:func:`search.segmented.term_arrays`), and AND, OR and NOT are numpy operations over
the whole index at once. A derived exact word (:class:`search.exact.ExactWord`,
``=run``: ``run`` less ``=running``...) is the stem's documents less the siblings', plus
the documents that have both where a position of the stem is left over. A date or
number range is the OR of its trie terms. Anything else (phrases, for instance) is
asked of Whoosh, so the result is always exact.
"""

from __future__ import annotations

import threading
import weakref
from typing import Iterable, Iterator

import numpy as np
from whoosh import query as wq

from .exact import ExactTerms, ExactWord
from .segmented import position_arrays, segment_arrays, term_arrays

__all__ = ["DocSet", "DocSets"]

class DocSet:
    """A set of document numbers of one searcher (``0 <= d < size``), as a bitmap.

    Behaves like a read-only ``set`` of ints (``len``, ``in``, iteration in ascending
    order, ``&``, ``|``, ``-``), and exposes the bitmap (:attr:`mask`) and the sorted
    numbers (:meth:`ids`) for vectorized work.
    """

    __slots__ = ("mask", "_len")

    def __init__(self, mask: np.ndarray):
        self.mask = mask
        self._len: int | None = None

    @classmethod
    def empty(cls, size: int) -> "DocSet":
        return cls(np.zeros(size, dtype=bool))

    @classmethod
    def of(cls, docs: Iterable[int], size: int) -> "DocSet":
        """The set of *docs* (any iterable of document numbers, or a :class:`DocSet`)."""
        if isinstance(docs, DocSet):
            return docs
        mask = np.zeros(size, dtype=bool)
        ids = np.fromiter(docs, dtype=np.int64)
        if ids.size:
            mask[ids] = True
        return cls(mask)

    @property
    def size(self) -> int:
        """How many documents the searcher has (the bitmap's length)."""
        return self.mask.size

    def ids(self) -> np.ndarray:
        """The document numbers, ascending (``int64``)."""
        return np.flatnonzero(self.mask)

    def __len__(self) -> int:
        if self._len is None:
            self._len = int(np.count_nonzero(self.mask))
        return self._len

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids().tolist())

    def __contains__(self, d) -> bool:
        return isinstance(d, (int, np.integer)) and 0 <= d < self.mask.size and bool(self.mask[d])

    def __and__(self, other: "DocSet") -> "DocSet":
        return DocSet(self.mask & other.mask)

    def __or__(self, other: "DocSet") -> "DocSet":
        return DocSet(self.mask | other.mask)

    def __sub__(self, other: "DocSet") -> "DocSet":
        return DocSet(self.mask & ~other.mask)

    def __eq__(self, other) -> bool:
        if isinstance(other, DocSet):
            return bool(np.array_equal(self.mask, other.mask))
        if isinstance(other, (set, frozenset)):
            return set(self) == other
        return NotImplemented

    __hash__ = None  # mutable bitmap underneath, like a set

    def __repr__(self) -> str:
        shown = self.ids()[:10].tolist()
        more = ", ..." if len(self) > 10 else ""
        return f"DocSet({shown}{more}; {len(self)} of {self.size})"

    @staticmethod
    def union(sets: Iterable["DocSet"], size: int) -> "DocSet":
        mask = np.zeros(size, dtype=bool)
        for s in sets:
            mask |= s.mask
        return DocSet(mask)


class DocSets:
    """Evaluates compiled queries to exact sets of (global) document numbers.

    :param searcher: the open searcher.
    :param exact: the reader's exact terms, for :meth:`exact_term` (derived ``=word``).
    """

    def __init__(self, searcher, exact: ExactTerms | None = None):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()
        self._leaves = list(self.reader.leaf_readers())
        #: The live documents (read-only); ``None`` when none is deleted.
        self.live: np.ndarray | None = live_mask(self.reader)
        self._memo: dict = {}
        self.exact = exact

    def docs(self, q: wq.Query) -> DocSet:
        """The documents *q* matches (deleted ones excluded), exactly."""
        return self._eval(q)

    def every(self) -> DocSet:
        """All live documents."""
        return DocSet(self.live.copy() if self.live is not None else np.ones(self.size, dtype=bool))

    def of(self, docs: Iterable[int]) -> DocSet:
        """*docs* as a :class:`DocSet` of this searcher."""
        return DocSet.of(docs, self.size)

    def _eval(self, q: wq.Query) -> DocSet:
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return DocSet.empty(self.size)
        if isinstance(q, wq.Every) and not q.fieldname:
            return self.every()
        if isinstance(q, ExactWord) and isinstance(q.a, wq.Term):
            return self._exact_word(q)
        if isinstance(q, wq.NumericRange):
            # A date or number range is an OR of ranges of the numeric field's trie
            # terms, one range per trie level.
            return self._eval(q.simplify(self.reader))
        if isinstance(q, wq.TermRange):
            # The terms in the range, as index bytes (a trie level's terms are no
            # values Whoosh's simplify() could decode).
            return DocSet.union((self.term(q.fieldname, b) for b in q._btexts(self.reader)),  # noqa: SLF001
                                self.size)
        if isinstance(q, wq.ConstantScoreQuery):
            return self._eval(q.child)
        if isinstance(q, wq.Or):
            return DocSet.union((self._eval(sub) for sub in q.subqueries), self.size)
        if isinstance(q, wq.Not):
            return DocSet(self.every().mask & ~self._eval(q.query).mask)
        if isinstance(q, wq.Phrase):
            found = self._phrase(q)
            if found is not None:
                return found
        if isinstance(q, wq.And):
            pos = [s for s in q.subqueries if not isinstance(s, wq.Not)]
            neg = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
            out = self.every().mask
            for sub in pos:
                out &= self._eval(sub).mask
            for sub in neg:
                out &= ~self._eval(sub).mask
            return DocSet(out)
        return self.of(self.searcher.docs_for_query(q))

    def _phrase(self, q: wq.Phrase) -> DocSet | None:
        """The documents where the words of *q* stand one after the other, from the
        segments' posting arrays; ``None`` (ask Whoosh) for a sloppy phrase, or when a
        segment has no posting arrays (an index written before them)."""
        if q.slop != 1 or len(q.words) < 2 or q.char_ranges:
            return None
        if any(segment_arrays(leaf) is None for leaf, _ in self._leaves):
            return None
        mask = np.zeros(self.size, dtype=bool)
        for leaf, base in self._leaves:
            words = []
            for word in q.words:
                found = position_arrays(leaf, q.fieldname, word)
                if found is None:
                    break
                words.append(found)
            else:
                docs = _phrase_docs(words, leaf.doc_count_all())
                mask[docs + base] = True
        if self.live is not None:
            mask &= self.live
        return DocSet(mask)

    def _exact_word(self, q: ExactWord) -> DocSet:
        """The documents where the stem term ``q.a`` has a position that no term of
        ``q.b`` (the siblings) has."""
        from .paragraphs import term_positions, uncovered

        field = q.a.fieldname
        others = [q.b] if isinstance(q.b, wq.Term) else list(q.b.subqueries)
        key = ("exact", field, q.a.text, tuple(o.text for o in others))
        found = self._memo.get(key)
        if found is not None:
            return found
        stem_docs = self.term(field, q.a.text)
        other_docs = DocSet.union((self.term(field, o.text) for o in others), self.size)
        out = (stem_docs - other_docs).mask
        both = stem_docs & other_docs
        if both:
            words = [o.text for o in others]
            found = term_positions(self.reader, [q.a.text, *words], both, field=field)
            for d, poses in found.items():
                if uncovered(poses, q.a.text, words):
                    out[d] = True
        result = self._memo[key] = DocSet(out)
        return result

    def exact_term(self, field: str, text: str) -> DocSet:
        """The documents containing *text* as an index term would: a derived exact term
        (``=run``, see :mod:`search.exact`) through its query, any other term itself."""
        from .exact import is_derived

        if self.exact is None or not is_derived(text):
            return self.term(field, text)
        return self._eval(self.exact.query(field, text))  # memoized for the search

    def term(self, field: str, text) -> DocSet:
        """The documents containing one term (memoized for this search)."""
        key = (field, text)
        found = self._memo.get(key)
        if found is not None:
            return found
        mask = np.zeros(self.size, dtype=bool)
        for leaf, base in self._leaves:
            arrays = term_arrays(leaf, field, text)
            if arrays is not None:
                mask[base : base + leaf.doc_count_all()][arrays[0]] = True
        if self.live is not None:
            mask &= self.live
        out = self._memo[key] = DocSet(mask)
        return out


#: reader -> its live documents' mask (or None): a reader's deletions never change,
#: and a thread reuses its searcher until the next commit, while listing the deleted
#: documents costs a Python int each (tens of thousands after a big reindex).
_LIVE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_LIVE_LOCK = threading.Lock()


def live_mask(reader) -> np.ndarray | None:
    """A read-only bitmap of *reader*'s live documents, or ``None`` if none is deleted;
    made once per reader."""
    with _LIVE_LOCK:
        if reader in _LIVE:
            return _LIVE[reader]
    deleted = [base + d for leaf, base in reader.leaf_readers() if leaf.has_deletions()
               for d in leaf.deleted_docs_set]
    live = None
    if deleted:
        live = np.ones(reader.doc_count_all(), dtype=bool)
        live[np.array(deleted, dtype=np.int64)] = False
        live.flags.writeable = False
    with _LIVE_LOCK:
        _LIVE[reader] = live
    return live


def _phrase_docs(words: list[tuple[np.ndarray, np.ndarray, np.ndarray]], size: int) -> np.ndarray:
    """The (segment-local) documents where the words, given as ``(ids, starts,
    positions)`` (:func:`search.segmented.position_arrays`), occur at consecutive
    positions in this order.

    Each occurrence becomes one ``document << 32 | position`` key, word *i*'s shifted
    back by *i*, so the phrase's starts are the keys every word has.
    """
    candidates = np.ones(size, dtype=bool)
    for ids, _, _ in words:
        has = np.zeros(size, dtype=bool)
        has[ids] = True
        candidates &= has
    if not candidates.any():
        return np.zeros(0, dtype=np.int64)
    keys = None
    for i, (ids, starts, positions) in enumerate(words):
        chosen = np.flatnonzero(candidates[ids])  # the postings in candidate documents
        first = starts[chosen].astype(np.int64)
        counts = starts[chosen + 1].astype(np.int64) - first
        # Gather the chosen postings' positions: for each, first .. first + count - 1.
        offsets = np.repeat(first - (np.cumsum(counts) - counts), counts)
        at = offsets + np.arange(int(counts.sum()), dtype=np.int64)
        word_keys = (np.repeat(ids[chosen].astype(np.int64), counts) << 32) + (
            positions[at].astype(np.int64) - i)
        # Positions ascend within a posting and documents across them, so the keys are
        # sorted; a term can hold one position twice (a compound and its part), and
        # intersect1d's assume_unique needs distinct keys.
        if word_keys.size > 1:
            word_keys = word_keys[np.concatenate(([True], word_keys[1:] != word_keys[:-1]))]
        keys = word_keys if keys is None else np.intersect1d(keys, word_keys, assume_unique=True)
        if not keys.size:
            break
    return np.unique(keys >> 32)
