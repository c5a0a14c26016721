"""Working through a multi-segment index document set by document set.

A searcher's documents are numbered across its segments (each segment's from its
base). A term's postings in one segment come from the segment's posting arrays
(:mod:`indexer.postarrays`: :func:`term_arrays`, :func:`position_arrays`,
:func:`positions_at`) when it has them there; otherwise from Whoosh's postings, read
whole a block at a time (:func:`decoded_postings`) or walked forward to a few
documents (:func:`at_documents`).
"""

from __future__ import annotations

import bisect
from array import array
from itertools import accumulate
from typing import Iterable, Iterator

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher

from indexer.postarrays import ARRAYS_EXT, PostingArrays, PostingArraysError

from .lru import MISSING, LruCache

__all__ = ["at_documents", "by_segment", "decoded_postings", "position_arrays", "positions_at",
           "segment_arrays", "term_arrays", "unfiltered_postings"]


def by_segment(docs: Iterable[int], leaves) -> Iterator[tuple[object, int, list[int]]]:
    """``(leaf, base, local docnums ascending)`` for each of *leaves* (``(leaf, base)``
    pairs of ``leaf_readers()`` or ``leaf_searchers()``) that holds any of *docs*."""
    wanted = docs.ids().tolist() if hasattr(docs, "ids") else sorted(set(docs))
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
_POSTINGS = LruCache(CACHE_MAX_POSTINGS, weigh=lambda found: len(found[0]))


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


def decoded_postings(reader, field: str, text) -> tuple[array, array]:
    """A segment's (ids, weights) for a term (which it must have), deleted documents
    included, from the cache or read and maybe cached. Callers ask about live
    documents only, or drop the deleted ones."""
    key = (reader.segment().segment_id(), field, text)
    found = _POSTINGS.get(key)
    if found is not MISSING:
        return found
    m = unfiltered_postings(reader, field, text)
    if isinstance(m, ListMatcher):  # an inlined rare term
        return array("I", m._ids), array("f", m._weights)  # noqa: SLF001
    if isinstance(m, W3LeafMatcher):
        found = _decoded(m)
    else:  # another codec's matcher, walked posting by posting
        found = array("I"), array("f")
        for docnum, weight in m.items_as("weight"):
            found[0].append(docnum)
            found[1].append(weight)
    if len(found[0]) >= CACHE_MIN_POSTINGS:
        _POSTINGS.put(key, found)
    return found


def unfiltered_postings(reader, field: str, text):
    """A segment reader's matcher for a term (which it must have), deleted documents
    included.

    What is read here is cached by segment and shared by every reader of it, also
    readers of earlier commits, which have fewer deletions: a reindex deletes
    documents of old segments while searchers opened before it still see them live.
    ``SegmentReader.postings`` cannot serve: for a segment with deletions it wraps the
    postings in a ``FilterMatcher``, whose constructor already steps over the leading
    deleted postings, whole blocks of them or the whole list. Unwrapping it afterwards
    kept only the rest, and a searcher of the commit before missed those cables.
    (``W3TermsReader.matcher`` is Whoosh's own unfiltered read; whoosh-reloaded is
    pinned to 2.7.5.)
    """
    btext = _term_bytes(reader, field, text)
    return reader._terms.matcher(field, btext, reader.schema[field].format)  # noqa: SLF001


#: Open posting arrays files, by path (``None``: the segment has none). Segments never
#: change, and a path names one segment of one index generation.
_ARRAYS = LruCache(1024)


def segment_arrays(reader) -> PostingArrays | None:
    """The posting arrays (:mod:`indexer.postarrays`) of a segment reader, or ``None``
    when its segment has none (written before them, or by another writer)."""
    storage = getattr(reader, "_storage", None)
    folder = getattr(storage, "folder", None)
    if folder is None or not hasattr(reader, "segment"):
        return None
    path = f"{folder}/{reader.segment().make_filename(ARRAYS_EXT)}"
    found = _ARRAYS.get(path)
    if found is not MISSING:
        return found
    try:
        found: PostingArrays | None = PostingArrays(path)
    except (OSError, PostingArraysError):
        # Missing or damaged derived data must not break searching: Whoosh's postings
        # are complete.
        found = None
    _ARRAYS.put(path, found)
    return found


def _term_bytes(reader, field: str, text) -> bytes:
    return reader.schema[field].to_bytes(text) if isinstance(text, str) else text


def positions_at(reader, field: str, text, local: list[int]) -> dict[int, tuple[list[int], float]]:
    """local docnum -> (positions, weight) of one term, for the documents of *local*
    (ascending, segment-local) that have it: from the posting arrays when the segment
    has the term's positions there, else by walking Whoosh's postings to them."""
    if field not in reader.schema:
        return {}
    arrays = segment_arrays(reader)
    if arrays is not None:
        btext = _term_bytes(reader, field, text)
        found = arrays.positions(field, btext)
        if found is not None:
            ids, starts, positions = found
            weights = arrays.get(field, btext)[1]
            want = np.asarray(local, dtype=np.int64)
            at = np.minimum(np.searchsorted(ids, want), len(ids) - 1)
            there = ids[at] == want
            out = {}
            for d, i in zip(want[there].tolist(), at[there].tolist()):
                out[d] = (positions[starts[i] : starts[i + 1]].tolist(), float(weights[i]))
            return out
    if not _has_term(reader, arrays, field, text):
        return {}
    m = reader.postings(field, text)
    return {d: (m.value_as("positions"), m.weight()) for d in at_documents(m, local)}


def _has_term(reader, arrays: PostingArrays | None, field: str, text) -> bool:
    """Whether a segment has a term the posting arrays do not hold. With arrays,
    :func:`term_arrays` remembers a term the segment lacks; without (an older index),
    one term-table lookup answers, without decoding the term's postings."""
    if arrays is None:
        return (field, text) in reader
    return term_arrays(reader, field, text) is not None


def position_arrays(reader, field: str, text) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """A segment's ``(ids, starts, positions)`` for one term of a positional field (see
    :meth:`indexer.postarrays.PostingArrays.positions`), or ``None`` if the segment
    lacks the term. A term without posting arrays is read from Whoosh's postings."""
    if field not in reader.schema:
        return None
    arrays = segment_arrays(reader)
    if arrays is not None:
        found = arrays.positions(field, _term_bytes(reader, field, text))
        if found is not None:
            return found
    if not _has_term(reader, arrays, field, text):
        return None
    ids, lists = [], []
    m = reader.postings(field, text)
    while m.is_active():
        ids.append(m.id())
        lists.append(m.value_as("positions"))
        m.next()
    starts = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in lists], out=starts[1:])
    flat = np.fromiter((p for ps in lists for p in ps), dtype=np.int64, count=int(starts[-1]))
    return np.array(ids, dtype=np.uint32), starts, flat


#: Rare terms' arrays read from Whoosh's postings (and terms a segment lacks), by
#: segment file and term: each lookup in a segment's term table reads its file a few
#: times, and a search asks every segment about every field of every word.
_RARE_KEPT = 200_000
_RARE = LruCache(_RARE_KEPT)
#: Only posting lists shorter than this are kept there (longer ones: decoded_postings).
_RARE_MAX_POSTINGS = CACHE_MIN_POSTINGS


def term_arrays(reader, field: str, text) -> tuple[np.ndarray, np.ndarray] | None:
    """A segment's ``(ids, weights)`` for one term as numpy arrays (ids ascending,
    deleted documents included), or ``None`` if the segment lacks the term.

    From the segment's posting arrays when it has the term there (no decoding at all),
    else read from Whoosh's postings (and remembered, for a short list)."""
    if field not in reader.schema:
        return None
    arrays = segment_arrays(reader)
    if arrays is not None:
        found = arrays.get(field, _term_bytes(reader, field, text))
        if found is not None:
            return found
    key = None
    if arrays is not None:  # a segment of a file-backed index: segment ids are stable
        key = (arrays.path, field, text)
        found = _RARE.get(key)
        if found is not MISSING:
            return found
    found = _read_term_arrays(reader, field, text)
    if key is not None and (found is None or len(found[0]) < _RARE_MAX_POSTINGS):
        _RARE.put(key, found)
    return found


def _read_term_arrays(reader, field: str, text) -> tuple[np.ndarray, np.ndarray] | None:
    if (field, text) not in reader:
        return None
    ids, weights = decoded_postings(reader, field, text)
    return np.frombuffer(ids, dtype=np.uint32), np.frombuffer(weights, dtype=np.float32)
