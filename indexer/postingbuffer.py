"""One positional field's postings of a segment being written, kept document by document.

A cable's text fields arrive analyzed, as ``term -> positions`` dicts
(:class:`~indexer.schema.Postings`). Filing each of them under its term as it arrives
costs a dict lookup and three array appends per posting in Python, about a quarter of
the writer's CPU. :class:`PositionBuffer` instead appends a whole document at once,
with C-level passes over the dict (term numbers, frequencies, positions), and groups
the postings by term once, with numpy, when the segment is written.
"""

from __future__ import annotations

from array import array
from itertools import chain
from typing import Iterator

import numpy as np

__all__ = ["PositionBuffer"]


class PositionBuffer:
    """The postings of one positional field, in the order documents were added.

    Per posting it keeps a term number and a frequency (4 bytes each), per position 4
    bytes, per document its number and posting count.
    """

    __slots__ = ("_term_numbers", "_term_ids", "_freqs", "_positions", "_docnums", "_counts")

    def __init__(self):
        #: term -> its number in this buffer, in order of first appearance.
        self._term_numbers: dict[str, int] = {}
        self._term_ids = array("I")
        self._freqs = array("I")
        self._positions = array("I")
        self._docnums = array("I")
        self._counts = array("I")

    def __len__(self) -> int:
        """The number of postings held."""
        return len(self._term_ids)

    def add(self, docnum: int, positions: dict[str, list[int]]) -> int:
        """Add one document's ``term -> positions`` (documents in increasing number);
        returns the number of positions (the field's length)."""
        numbers = self._term_numbers
        ids = list(map(numbers.get, positions))
        if None in ids:
            for i, term in enumerate(positions):
                if ids[i] is None:
                    ids[i] = numbers[term] = len(numbers)
        freqs = list(map(len, positions.values()))
        self._term_ids.extend(ids)
        self._freqs.extend(freqs)
        self._positions.extend(chain.from_iterable(positions.values()))
        self._docnums.append(docnum)
        self._counts.append(len(ids))
        return sum(freqs)

    def sorted_postings(self) -> Iterator[tuple[bytes, tuple[array, array, list[bytes]]]]:
        """Every term's postings, terms sorted, documents ascending within a term:
        ``(term bytes, (docnums uint32, weights float32, encoded positions per
        posting))``, the form of :class:`~indexer.segments.MemoryPool`'s other fields.

        The buffer is spent: it can be read once.
        """
        if not self._term_ids:
            return
        term_ids = np.frombuffer(self._term_ids, dtype=np.uint32)
        # Stable, so each term's postings keep the order their documents came in.
        order = np.argsort(term_ids, kind="stable")
        bounds = np.zeros(len(self._term_numbers) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_ids, minlength=len(self._term_numbers)), out=bounds[1:])
        freqs = np.frombuffer(self._freqs, dtype=np.uint32)
        starts = np.zeros(len(freqs), dtype=np.int64)
        np.cumsum(freqs[:-1], out=starts[1:])
        docnums = np.repeat(np.frombuffer(self._docnums, dtype=np.uint32),
                            np.frombuffer(self._counts, dtype=np.uint32))
        doc_bytes = docnums[order].tobytes()
        del docnums
        sorted_freqs = freqs[order]
        weight_bytes = sorted_freqs.astype(np.float32).tobytes()
        # Byte offsets of each posting's positions in the flat positions buffer.
        value_starts = starts[order] * 4
        del starts, order
        value_ends = value_starts + sorted_freqs.astype(np.int64) * 4
        del sorted_freqs
        flat = self._positions.tobytes()
        numbers = self._term_numbers
        bounds_list = bounds.tolist()
        self._term_ids = self._freqs = self._positions = array("I")
        self._docnums = self._counts = array("I")
        self._term_numbers = {}
        for term in sorted(numbers):
            n = numbers[term]
            a, b = bounds_list[n], bounds_list[n + 1]
            ids = array("I")
            ids.frombytes(doc_bytes[4 * a:4 * b])
            weights = array("f")
            weights.frombytes(weight_bytes[4 * a:4 * b])
            values = [flat[s:e] for s, e in zip(value_starts[a:b].tolist(), value_ends[a:b].tolist())]
            yield term.encode("utf-8"), (ids, weights, values)
