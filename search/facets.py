"""Facet counts over a whole result set, from the index's sort columns.

The writer keeps each facet's whole value in a sortable column (``origin``,
``classification``, ``year``; ``caveats`` and ``tags`` joined by
:data:`indexer.schema.COLUMN_SEP`). Reading a column value costs a few Python calls,
so each *segment*'s columns are read once, in order, into plain lists and kept:
Whoosh segments never change after they are written, so a commit only adds the new
segment's lists, and counting a result set is then one list lookup per document.
"""

from __future__ import annotations

import bisect
import threading
from array import array
from collections import Counter
from typing import Iterable

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

    def leaves(self, reader, scope: str) -> list[tuple[int, dict[str, list]]]:
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

    def value(self, leaves, docnum: int, name: str):
        """One document's facet value (``None`` if it has none); for ``created``, the
        raw sortable integer (:data:`NO_DATE` if none)."""
        bases = [b for b, _ in leaves]
        i = bisect.bisect_right(bases, docnum) - 1
        base, cols = leaves[i]
        v = cols[name][docnum - base]
        return v if name == "created" else self._values[name][v]

    def count(
        self, reader, scope: str, docs: Iterable[int], names: Iterable[str] = FACETS
    ) -> dict[str, tuple[FacetValue, ...]]:
        """Counts of every facet value over *docs*, commonest first (ties by value)."""
        leaves = self.leaves(reader, scope)
        bases = [b for b, _ in leaves]
        names = list(names)
        counters = {n: Counter() for n in names}
        # Sorting splits the documents by segment with two bisections per segment,
        # instead of one per document (result sets reach 100,000 cables).
        ordered = sorted(docs)
        per_leaf: dict[int, list[int]] = {}
        for i, base in enumerate(bases):
            lo = bisect.bisect_left(ordered, base)
            hi = bisect.bisect_left(ordered, bases[i + 1]) if i + 1 < len(bases) else len(ordered)
            if hi > lo:
                per_leaf[i] = [d - base for d in ordered[lo:hi]]
        for i, local in per_leaf.items():
            cols = leaves[i][1]
            for n in names:
                # map() over a list's __getitem__ keeps the per-document work in C.
                counters[n].update(map(cols[n].__getitem__, local))
        out = {}
        for n in names:
            values = self._values[n]
            counter = Counter({values[c]: k for c, k in counters[n].items() if c})
            if n in _MULTI:
                split: Counter = Counter()
                for joined, c in counter.items():
                    for v in set(joined.split(COLUMN_SEP)):
                        if v:
                            split[v] += c
                counter = split
            items = sorted(counter.items(), key=lambda vc: (-vc[1], str(vc[0])))
            if n != "year":
                items = items[:MAX_FACET_VALUES]
            out[n] = tuple(FacetValue(str(v), c) for v, c in items)
        return out


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
