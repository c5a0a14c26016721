"""Facet counts over a whole result set, from the index's sort columns.

The writer keeps each facet's whole value in a sortable column (``origin``,
``classification``, ``year``; ``caveats`` and ``tags`` joined by
:data:`indexer.schema.COLUMN_SEP`). Reading a column value costs a few Python calls,
so each *segment*'s columns are read once, in order, into arrays of small integer
codes and kept: Whoosh segments never change after they are written, so a commit only
adds the new segment's arrays. Counting a result set (a bitmap, see
:class:`search.docsets.DocSet`) is then one ``numpy.bincount`` per facet over the
joined arrays.
"""

from __future__ import annotations

import threading
from array import array
from typing import Iterable

import numpy as np

from .results import FacetValue

try:
    from indexer.schema import COLUMN_SEP
except ImportError:  # pragma: no cover - integration point
    COLUMN_SEP = "\n"

__all__ = ["FACETS", "FacetColumns", "MAX_FACET_VALUES", "live_column_sum"]

#: The facets every search counts, in display order.
FACETS = ("origin", "year", "classification", "caveats", "tags")
_MULTI = {"caveats", "tags"}
#: Column value Whoosh stores for a document without a year.
_NO_NUMBER = 2147483647
#: Values kept per facet (the commonest); years are never cut.
MAX_FACET_VALUES = 200


class FacetColumns:
    """A thread-safe cache of per-segment facet columns, shared by all searches."""

    #: The raw ``created`` column value of a document without a date: Whoosh's default
    #: for a missing sortable number.
    NO_DATE = 2**64 - 1

    def __init__(self, max_segments: int = 256):
        self._lock = threading.Lock()
        self._segments: dict[tuple, dict[str, array]] = {}
        self._max = max_segments
        # Facet values are stored as small integer codes (an index has hundreds of
        # thousands of cables, but only thousands of distinct values):
        # code -> value, and value -> code; code 0 is "no value".
        self._values: dict[str, list] = {n: [None] for n in FACETS}
        self._codes: dict[str, dict] = {n: {None: 0, "": 0, _NO_NUMBER: 0} for n in FACETS}
        # Whole-reader columns (segments' columns joined), for the last few readers.
        self._joined: dict[tuple, np.ndarray] = {}
        # Multi-valued facets: (codes known, (single values, code -> value pairs)).
        self._split_cache: dict[str, tuple[int, tuple]] = {}

    def _leaf_columns(self, key: tuple, leaf) -> dict[str, array]:
        with self._lock:
            cols = self._segments.get(key)
            if cols is not None:
                return cols
            size = leaf.doc_count_all()
            cols = {}
            # The raw sort value of the sending time (an integer), for sorting by date.
            if leaf.has_column("created"):
                cols["created"] = array("Q", _column_values(leaf, "created", translate=False))
            else:
                cols["created"] = array("Q", [self.NO_DATE]) * size
            for name in FACETS:
                if not leaf.has_column(name):
                    cols[name] = array("I", [0]) * size
                    continue
                codes, values = self._codes[name], self._values[name]
                out = array("I")
                for v in _column_values(leaf, name):
                    c = codes.get(v)
                    if c is None:
                        c = codes[v] = len(values)
                        values.append(v)
                    out.append(c)
                cols[name] = out
            if len(self._segments) >= self._max:
                self._segments.clear()
            self._segments[key] = cols
            return cols

    def _leaves(self, reader, scope: str) -> list[tuple[int, dict[str, array]]]:
        """``(docbase, columns)`` for each segment of *reader*, docbase ascending.

        :param scope: names the index generation, so equal segment ids of different
            generations (e.g. after a rebuild) never share a cache entry.
        """
        out = []
        for leaf, base in reader.leaf_readers():
            seg = leaf.segment() if hasattr(leaf, "segment") else None
            seg_id = seg.segment_id() if seg is not None else id(leaf)
            out.append((base, self._leaf_columns((scope, seg_id), leaf)))
        out.sort(key=lambda pair: pair[0])
        return out

    def column(self, reader, scope: str, name: str) -> np.ndarray:
        """A column over all of *reader*'s documents, by global document number: facet
        value codes (``uint32``, see :meth:`codes`), or raw ``created`` values
        (``uint64``, :data:`NO_DATE` where there is none)."""
        segments = tuple((leaf.segment().segment_id() if hasattr(leaf, "segment") else id(leaf), base)
                         for leaf, base in reader.leaf_readers())
        key = (scope, segments, name)
        with self._lock:
            found = self._joined.get(key)
        if found is not None:
            return found
        leaves = self._leaves(reader, scope)
        dtype = np.uint64 if name == "created" else np.uint32
        parts = [np.frombuffer(cols[name], dtype=dtype) for _, cols in leaves]
        joined = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
        with self._lock:
            if len(self._joined) >= 4 * (len(FACETS) + 1):
                self._joined.clear()
            self._joined[key] = joined
        return joined

    def codes(self, name: str, values) -> np.ndarray:
        """The codes of the facet values among *values* that any column read so far
        holds (others match no document)."""
        with self._lock:
            known = self._codes[name]
            return np.array([known[v] for v in values if v in known and known[v]], dtype=np.uint32)

    def count(
        self, reader, scope: str, docs: Iterable[int], names: Iterable[str] = FACETS
    ) -> dict[str, tuple[FacetValue, ...]]:
        """Counts of every facet value over *docs*, commonest first (ties by value)."""
        from .docsets import DocSet

        # The documents' numbers, found once: taking them from each column costs a third
        # of selecting them with the whole bitmap column after column.
        at = np.flatnonzero(DocSet.of(docs, reader.doc_count_all()).mask)
        names = list(names)
        counted = {n: np.bincount(self.column(reader, scope, n)[at]) for n in names}
        out = {}
        for n in names:
            counts = counted[n]
            if n in _MULTI:
                labels, counts = self._split_counts(n, counts)
            else:
                labels = self._values[n]
            found = np.flatnonzero(counts).tolist()
            items = [(labels[c], int(counts[c])) for c in found if labels[c] is not None and labels[c] != ""]
            items.sort(key=lambda vc: (-vc[1], str(vc[0])))
            if n != "year":
                items = items[:MAX_FACET_VALUES]
            out[n] = tuple(FacetValue(str(v), c) for v, c in items)
        return out

    def _split_counts(self, name: str, counts: np.ndarray) -> tuple[list, np.ndarray]:
        """Counts of a multi-valued facet's single values from the counts of its joined
        column values (``"PREL\nPGOV"`` counts for ``PREL`` and for ``PGOV``)."""
        labels, code_at, value_at = self._splits(name)
        known = code_at < counts.size
        per_value = np.bincount(value_at[known], weights=counts[code_at[known]], minlength=len(labels))
        return labels, per_value.astype(np.int64)

    def _splits(self, name: str) -> tuple[list, np.ndarray, np.ndarray]:
        """For a multi-valued facet: its single values, and (joined value code, single
        value index) pairs as two arrays; rebuilt when new joined values appear."""
        with self._lock:
            cached = self._split_cache.get(name)
            if cached is not None and cached[0] == len(self._values[name]):
                return cached[1]
            joined = list(self._values[name])
        labels: list = [None]
        index: dict = {}
        codes, values = [], []
        for code, text in enumerate(joined):
            if not text:
                continue
            for v in set(str(text).split(COLUMN_SEP)):
                if v:
                    at = index.get(v)
                    if at is None:
                        at = index[v] = len(labels)
                        labels.append(v)
                    codes.append(code)
                    values.append(at)
        found = (labels, np.array(codes, dtype=np.int64), np.array(values, dtype=np.int64))
        with self._lock:
            self._split_cache[name] = (len(joined), found)
        return found


def live_column_sum(reader, name: str) -> int:
    """The sum of a numeric column over the live documents (``paras``: the paragraphs
    of the index). A replaced cable's old version stays in its segment, deleted, until
    a merge, so deleted documents are skipped."""
    total = 0
    for leaf, _base in reader.leaf_readers():
        if not leaf.has_column(name):
            continue
        values = _column_values(leaf, name)
        if leaf.has_deletions():
            deleted = leaf.deleted_docs_set
            values = (v for i, v in enumerate(values) if i not in deleted)
        total += sum(v for v in values if v is not None and v != _NO_NUMBER)
    return total


def _column_values(leaf, name: str, translate: bool = True):
    """Every document's value of a segment's column, read from one in-memory copy of
    that column (the index is opened without mmap, and Whoosh's column reader would
    otherwise read the file a few bytes at a time, one document after another)."""
    from whoosh.filedb.structfile import BufferFile

    try:
        perdoc = leaf._perdoc  # noqa: SLF001 - Whoosh has no public way to read a column whole
        fobj = leaf.schema[name]
        colfile, offset, length = perdoc._get_column_file(name)  # noqa: SLF001
        try:
            colfile.seek(offset)
            data = colfile.read(length)
        finally:
            colfile.close()
        values = fobj.column_type.reader(BufferFile(data), 0, length, leaf.doc_count_all())
    except AttributeError:  # another codec: the generic reader
        return leaf.column_reader(name, translate=translate)
    if not translate:
        return values
    return (fobj.from_column_value(v) for v in values)
