"""Posting arrays: a segment's common terms as plain arrays, next to Whoosh's postings.

Whoosh keeps a posting list as zlib-compressed pickles of 128 postings each, document
numbers, weights and positions together. Answering a search needs only the document
numbers (exact totals, facets) and the weights (BM25F) of its words, but reading them
meant decompressing and unpickling the positions too: at 251,287 cables that was most
of the time of a search for a common word. So every segment also gets one
``<segment id>.pta`` file that holds, for each term in at least
:data:`MIN_POSTINGS` of its documents, the document numbers (``uint32``) and weights
(as Whoosh stores them, ``float32``, or as ``uint8``/``uint16`` when they are whole
numbers, which they are for term frequencies) as raw little-endian arrays, which a reader maps
into memory and uses without decoding anything (:class:`PostingArrays`).

The file is derived data: it is written with the segment (by
:class:`indexer.segments.CableFieldWriter`), named after it so Whoosh deletes it with
the segment, and a segment without one (an index written before it existed) is read
the slow way. Positions are kept too for the positional fields, so phrases, the
closeness of words and the best paragraphs of a hit are computed from arrays as well.
Layout::

    b"CSPTA\\x00\\x01\\x00"                        magic and version
    per term: ids, weights [, starts, positions]   each array 4-byte aligned
    directory                                      JSON: one entry per term, see below
    directory offset (uint64) and length (uint64), magic

A directory entry is ``[field, term, offset, count, weight type]``, plus
``[position count, position type]`` for a term of a positional field (``body``,
``subject``): its ``count + 1`` starts (``uint32``) index its positions (``uint16``,
or ``uint32`` in a cable longer than 65,536 words), posting by posting.

Terms are bytes (numeric fields' trie terms are binary); the directory holds them
decoded as Latin-1, which maps every byte string to a distinct text and back.
"""

from __future__ import annotations

import json
import mmap
import struct
import sys
from array import array
from itertools import accumulate
from typing import BinaryIO, NamedTuple

__all__ = ["ARRAYS_EXT", "MIN_POSTINGS", "PostingArrays", "PostingArraysWriter", "PostingArraysError"]

#: The file extension, after the segment id (``MAIN_abc123.pta``).
ARRAYS_EXT = ".pta"
#: Terms in fewer documents of a segment are left to Whoosh's postings: they are read
#: in a block or two, and arrays for them would bloat the directory.
MIN_POSTINGS = 128
MAGIC = b"CSPTA\x00\x01\x00"
_TRAILER = struct.Struct("<QQ8s")


class PostingArraysError(ValueError):
    """A posting arrays file is damaged or of another version."""


class PostingArraysWriter:
    """Collects a segment's common terms' postings and writes them as one file."""

    def __init__(self, min_postings: int | None = None):
        self.min_postings = MIN_POSTINGS if min_postings is None else min_postings
        self._terms: list[tuple[str, bytes, array, array]] = []

    def __len__(self) -> int:
        return len(self._terms)

    def add(self, field: str, term: bytes, ids: array, weights: array,
            positions: list[bytes] | None = None) -> None:
        """Keep one term's postings (document numbers ascending) if it is common enough.

        :param positions: each posting's positions as raw ``uint32`` bytes
            (:class:`indexer.schema.CablePositions` values), for a positional field.
        """
        if len(ids) < self.min_postings:
            return
        if len(ids) != len(weights) or (positions is not None and len(positions) != len(ids)):
            raise ValueError(f"{field}:{term!r}: {len(ids)} ids, {len(weights)} weights, "
                             f"{len(positions or ())} position lists")
        extra = None
        if positions is not None:
            # Where each posting's positions start (in positions), and all of them.
            starts = array("I", (0,))
            starts.extend(accumulate(len(v) >> 2 for v in positions))
            flat = array("I")
            flat.frombytes(b"".join(positions))
            extra = (starts, _compact_positions(flat))
        self._terms.append((field, term, array("I", ids), _compact(weights), extra))

    def write(self, out: BinaryIO) -> None:
        """Write the file (see the module's docstring for the layout)."""
        out.write(MAGIC)
        at = len(MAGIC)
        directory = []
        for field, term, ids, weights, extra in self._terms:
            parts = [ids, weights, *(extra or ())]
            if sys.byteorder != "little":  # pragma: no cover - the format is little-endian
                parts = [array(a.typecode, a) for a in parts]
                for a in parts:
                    a.byteswap()
            entry = [field, term.decode("latin-1"), at, len(ids), weights.typecode]
            if extra is not None:
                entry += [len(extra[1]), extra[1].typecode]
            directory.append(entry)
            for a in parts:
                data = a.tobytes()
                data += bytes(-len(data) % 4)  # keep every array 4-byte aligned
                out.write(data)
                at += len(data)
        blob = json.dumps(directory, separators=(",", ":")).encode("utf-8")
        out.write(blob)
        out.write(_TRAILER.pack(at, len(blob), MAGIC))


class PostingArrays:
    """One segment's posting arrays file, mapped read-only.

    :param path: the ``.pta`` file.
    :raises PostingArraysError: the file is not a complete posting arrays file.
    :raises OSError: it cannot be opened.
    """

    def __init__(self, path: str):
        self.path = path
        with open(path, "rb") as f:
            try:
                self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError as exc:  # an empty file
                raise PostingArraysError(f"{path}: empty posting arrays file") from exc
        size = len(self._map)
        if size < len(MAGIC) + _TRAILER.size or self._map[: len(MAGIC)] != MAGIC:
            raise PostingArraysError(f"{path}: not a posting arrays file (version {MAGIC!r})")
        at, length, magic = _TRAILER.unpack_from(self._map, size - _TRAILER.size)
        if magic != MAGIC or at + length + _TRAILER.size != size:
            raise PostingArraysError(f"{path}: truncated posting arrays file")
        try:
            directory = json.loads(bytes(self._map[at : at + length]))
            self._where = {(e[0], e[1].encode("latin-1")): _entry(e, at) for e in directory}
        except (KeyError, ValueError, IndexError, TypeError, AttributeError) as exc:
            # ValueError covers JSON and UTF-8 decoding errors too.
            raise PostingArraysError(f"{path}: bad directory entry ({exc})") from exc

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: tuple[str, bytes]) -> bool:
        return key in self._where

    # numpy is imported by the reading methods only: the writer (the indexing worker
    # processes) has no use for it.

    def get(self, field: str, term: bytes):
        """``(ids, weights)`` of a term as read-only numpy arrays (``uint32``,
        ``float32``) over the mapped file, or ``None`` if the file does not hold it."""
        import numpy as np

        found = self._where.get((field, term))
        if found is None:
            return None
        ids = np.frombuffer(self._map, dtype="<u4", count=found.count, offset=found.ids_at)
        weights = np.frombuffer(self._map, dtype=found.weights_type, count=found.count,
                                offset=found.weights_at)
        return ids, weights

    def positions(self, field: str, term: bytes):
        """``(ids, starts, positions)`` of a term of a positional field: posting ``i``
        (document ``ids[i]``) has the positions ``positions[starts[i]:starts[i + 1]]``;
        ``None`` if the file does not hold the term's positions."""
        import numpy as np

        found = self._where.get((field, term))
        if found is None or found.positions_type is None:
            return None
        ids = np.frombuffer(self._map, dtype="<u4", count=found.count, offset=found.ids_at)
        starts = np.frombuffer(self._map, dtype="<u4", count=found.count + 1, offset=found.starts_at)
        positions = np.frombuffer(self._map, dtype=found.positions_type, count=found.npos,
                                  offset=found.positions_at)
        return ids, starts, positions


class _Entry(NamedTuple):
    """Where one term's arrays lie in the file (byte offsets) and their types."""

    count: int
    ids_at: int
    weights_type: str
    weights_at: int
    npos: int = 0
    positions_type: str | None = None
    starts_at: int = 0
    positions_at: int = 0


def _entry(e: list, data_end: int) -> _Entry:
    """A directory entry (see the module docstring) as an :class:`_Entry`, checked to
    lie within the data part of the file."""
    offset, count, code = e[2], e[3], e[4]
    if not (isinstance(offset, int) and isinstance(count, int) and offset >= len(MAGIC) and count >= 0):
        raise ValueError(f"bad offset or count {offset!r}, {count!r}")
    weights_at = offset + 4 * count
    end = weights_at + _aligned(_itemsize(code) * count)
    entry = _Entry(count, offset, _DTYPES[code], weights_at)
    if len(e) > 5:
        npos, pcode = e[5], e[6]
        if not isinstance(npos, int) or npos < 0:
            raise ValueError(f"bad position count {npos!r}")
        positions_at = end + 4 * (count + 1)
        entry = entry._replace(npos=npos, positions_type=_DTYPES[pcode], starts_at=end,
                               positions_at=positions_at)
        end = positions_at + _aligned(_itemsize(pcode) * npos)
    if end > data_end:
        raise ValueError(f"arrays at {offset} reach past the data ({end} > {data_end})")
    return entry


def _itemsize(code: str) -> int:
    return int(_DTYPES[code][-1])


def _aligned(nbytes: int) -> int:
    return nbytes + (-nbytes % 4)


def _compact_positions(flat: array) -> array:
    """Positions as ``uint16`` when they all fit (cables of up to 65,536 words)."""
    if not flat or max(flat) <= 65535:
        return array("H", flat)
    return flat


#: Weight array type codes (``array`` typecodes) -> numpy dtypes.
_DTYPES = {"B": "<u1", "H": "<u2", "I": "<u4", "f": "<f4"}


def _compact(weights: array) -> array:
    """The weights as ``uint8`` or ``uint16`` when they are all whole numbers in range
    (term frequencies, the usual case: 8 bytes a posting become 5), else ``float32``."""
    weights = array("f", weights)
    top = max(weights)
    if top <= 65535 and min(weights) >= 0:
        whole = array("B" if top <= 255 else "H", map(int, weights))
        if array("f", whole) == weights:
            return whole
    return weights
