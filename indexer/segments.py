"""A faster way to write a Whoosh segment, and the merge policy of the cable index.

Whoosh's own ``SegmentWriter`` spends most of an indexing run on bookkeeping, not on
analysis: every posting becomes a 5-tuple in a ``PostingPool`` that is pickled to temp
files and heap-merged back once it passes ``limitmb``, and when the segment is written
every posting looks its document's field length up again through a column reader.
Profiling 2,000 synthetic cables through ``cables index`` (3.5M postings, one batch;
bench/out/profile-index-2000.prof) put over half of the run there: adding to the pool
20%, spilling runs and heap-merging them back 27%, per-posting length lookups 14%.

:class:`CableSegmentWriter` keeps Whoosh's codec, files, locking, TOC and deletion
handling and changes two things:

* :class:`MemoryPool` groups postings by ``(field, term)`` as they arrive (a dict of
  compact arrays), so writing the segment sorts the distinct terms, not every posting,
  and nothing is pickled. Past ``spill_postings`` postings (a merge of big segments) it
  hands everything to a regular spilling ``PostingPool``, so memory stays bounded.
* Field lengths are not looked up per posting: the codec's per-block length statistics
  are optional (they only tighten score bounds for block skipping, and without them the
  bounds stay valid upper bounds), so search results are the same.

:func:`merge_tiers` replaces Whoosh's ``MERGE_SMALL``, whose Fibonacci rule never merges
segments of tens of thousands of documents until there are about 26 of them and then
merges them all at once.
"""

from __future__ import annotations

import math
from array import array
from typing import Iterator

from whoosh.reading import SegmentReader
from whoosh.writing import PostingPool, SegmentWriter

from .schema import Postings

__all__ = ["CableSegmentWriter", "MemoryPool", "merge_tiers"]

#: Postings a writer keeps in memory before handing over to a spilling pool (~60 B each).
SPILL_POSTINGS = 16_000_000
#: zlib level of posting blocks (Whoosh's default is 3).
CODEC_COMPRESSION = 3
#: Segments of one size tier that trigger a merge of that tier.
TIER_WIDTH = 8
#: Tiers are merged only while the result stays under this many documents (cables and
#: paragraphs; about 7,000 cables). Bigger merges go through Whoosh's spilling pool at
#: a few microseconds per posting and would stall a run for minutes, so big segments
#: (from big batches) are left as they are.
MERGE_MAX_DOCS = 100_000


class MemoryPool:
    """A posting pool grouped by ``(fieldname, term)``; spills to a ``PostingPool`` when big.

    Implements the part of Whoosh's pool interface a ``SegmentWriter`` uses: ``add``,
    ``iter_postings`` (sorted by field, term, document) and ``cleanup``.
    """

    def __init__(self, tempstore, segment, limitmb: int, spill_postings: int | None = None):
        self._tempstore = tempstore
        self._segment = segment
        self._limitmb = limitmb
        self._spill_at = SPILL_POSTINGS if spill_postings is None else spill_postings
        # fieldname -> term bytes -> (docnums, weights, encoded values)
        self._fields: dict[str, dict[bytes, tuple[array, array, list]]] = {}
        self._count = 0
        self._spilled: PostingPool | None = None

    def __len__(self) -> int:
        return self._count

    def add(self, item) -> None:
        """Add one ``(fieldname, tbytes, docnum, weight, vbytes)`` posting."""
        fieldname, tbytes, docnum, weight, vbytes = item
        self.add_field(fieldname, docnum, ((tbytes, 0, weight, vbytes),))

    def add_field(self, fieldname: str, docnum: int, items) -> int:
        """Add one document's postings of one field; returns the summed frequency."""
        if self._spilled is not None:
            total = 0
            for tbytes, freq, weight, vbytes in items:
                self._spilled.add((fieldname, tbytes, docnum, weight, vbytes))
                total += freq
            return total
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
        total = 0
        n = 0
        for tbytes, freq, weight, vbytes in items:
            entry = terms.get(tbytes)
            if entry is None:
                terms[tbytes] = (array("I", (docnum,)), array("f", (weight,)), [vbytes])
            else:
                entry[0].append(docnum)
                entry[1].append(weight)
                entry[2].append(vbytes)
            total += freq
            n += 1
        self._count += n
        if self._count >= self._spill_at:
            self._spill()
        return total

    def _spill(self) -> None:
        pool = PostingPool(self._tempstore, self._segment, limitmb=self._limitmb)
        for item in self._iter_memory():
            pool.add(item)
        self._fields.clear()
        self._spilled = pool

    def _iter_memory(self) -> Iterator[tuple]:
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for tbytes in sorted(terms):
                docnums, weights, values = terms[tbytes]
                # Documents arrive in increasing number within a term (add_document and
                # add_reader both number them upwards), so no per-posting sort is needed.
                for i in range(len(docnums)):
                    yield fieldname, tbytes, docnums[i], weights[i], values[i]

    @property
    def spilled(self) -> bool:
        """Whether the postings went to a spilling ``PostingPool``."""
        return self._spilled is not None

    def write_to(self, fieldwriter, schema) -> None:
        """Write every term's postings to a W3 field writer, a block at a time.

        What ``FieldWriter.add_postings`` does posting by posting, done with array
        slices: the docnums and weights are already the uint32/float32 arrays the W3
        posting writer keeps per block. (It reaches into ``W3PostingsWriter``'s block
        buffer; whoosh-reloaded 2.7.5 is pinned.)
        """
        fw = fieldwriter
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            fw.start_field(fieldname, schema[fieldname])
            for tbytes in sorted(terms):
                docnums, weights, values = terms[tbytes]
                fw.start_term(tbytes)
                pw = fw._postwriter  # noqa: SLF001 -- see the docstring
                limit = pw._blocklimit  # noqa: SLF001
                keep_values = bool(values[0])  # Existence formats have empty values
                for start in range(0, len(docnums), limit):
                    if start:
                        pw._write_block()  # noqa: SLF001 -- the block is full
                    end = start + limit
                    pw._ids.extend(docnums[start:end])  # noqa: SLF001
                    block_weights = weights[start:end]
                    pw._weights.extend(block_weights)  # noqa: SLF001
                    if keep_values:
                        pw._values.extend(values[start:end])  # noqa: SLF001
                    top = max(block_weights)
                    if top > pw._maxweight:  # noqa: SLF001
                        pw._maxweight = top  # noqa: SLF001
                fw.finish_term()
            fw.finish_field()

    def iter_postings(self) -> Iterator[tuple]:
        """All postings, sorted by field name, term and document number."""
        if self._spilled is not None:
            return self._spilled.iter_postings()
        return self._iter_memory()

    def cleanup(self) -> None:
        """Drop everything (and the spill files, if any)."""
        self._fields.clear()
        if self._spilled is not None:
            self._spilled.cleanup()


class CableSegmentWriter(SegmentWriter):
    """A Whoosh ``SegmentWriter`` with :class:`MemoryPool` and no per-posting length lookups.

    Use it like ``ix.writer()``: ``CableSegmentWriter(ix, limitmb=256)``. Segments are
    written as separate files (``compound=False``), see ``__init__``.
    """

    def __init__(self, ix, limitmb: int = 256, spill_postings: int | None = None, **kwargs):
        kwargs.setdefault("codec", cable_codec())
        # Separate files per segment, not Whoosh's compound ".seg" file: a reader opens a
        # compound file's parts as in-memory copies (BytesIO over the mmap), so every
        # searcher held about as much memory as the segments it touched, and the writer's
        # per-batch lookups grew by that much with each committed batch. Plain files
        # are read through the OS page cache instead.
        kwargs.setdefault("compound", False)
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool.cleanup()  # Whoosh's pool made nothing on disk yet; replace it
        self.pool = MemoryPool(self._tempstorage, self.newsegment, limitmb, spill_postings)

    def add_document(self, **fields):
        """Whoosh's ``add_document`` for this schema, adding each field's postings in bulk.

        Only what the cable schema uses is supported: no boosts, term vectors or
        spelling fields (checked); ``_stored_NAME`` values feed stored fields and columns.
        """
        self._check_state()
        schema = self.schema
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        docnum = self.docnum
        pool = self.pool
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                if field.vector or field.separate_spelling() or f"_{name}_boost" in fields:
                    raise ValueError(f"field {name!r}: vectors, spelling and boosts are not supported")
                length = 0
                if field.indexed:
                    items = value.items if isinstance(value, Postings) else list(field.index(value))
                    total = pool.add_field(name, docnum, items)
                    if field.scorable:
                        length = total
                custom = fields.get(f"_stored_{name}", value)
                perdoc.add_field(name, field, custom if field.stored else None, length)
                if field.column_type and custom is not None:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(custom))
        except BaseException:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def posting_count(self) -> int:
        """Postings added so far (for memory-bounded batching)."""
        return len(self.pool)

    def _flush_segment(self):
        self.perdocwriter.close()
        if self.pool.spilled:
            # lengths=None: the codec skips its optional per-block length statistics.
            self.fieldwriter.add_postings(self.schema, None, self.pool.iter_postings())
        else:
            self.pool.write_to(self.fieldwriter, self.schema)
        self.fieldwriter.close()


def cable_codec():
    """Whoosh's W3 codec with its defaults, made explicit.

    Measured on 1,000 synthetic cables: block compression 0 saves about 9% of the CPU
    time and doubles the index (99.9 MB against 51.8 MB), level 1 saves nothing
    measurable. Inlining rare terms (``inlinelimit`` > 1) would save a block per rare
    term, but whoosh-reloaded 2.7.5 crashes on it (``W3TermInfo`` has no ``set_inline``).
    """
    from whoosh.codec.whoosh3 import W3Codec

    return W3Codec(blocklimit=128, compression=CODEC_COMPRESSION, inlinelimit=1)


def _tier(doc_count: int) -> int:
    return int(math.log(max(doc_count, 1), TIER_WIDTH))


def merge_tiers(writer, segments):
    """Merge policy: merge the segments of a size tier once it holds ``TIER_WIDTH`` of them.

    Tiers are powers of ``TIER_WIDTH`` in documents (deleted ones included). Many small
    incremental commits are merged up to :data:`MERGE_MAX_DOCS`; segments of full
    batches are not merged (a 251,287-cable build in batches of 2,500 leaves about 100).
    """
    tiers: dict[int, list] = {}
    for seg in segments:
        tiers.setdefault(_tier(seg.doc_count_all()), []).append(seg)
    keep = []
    for _tier_no, segs in sorted(tiers.items()):
        live = [s for s in segs if s.doc_count() > 0]
        if len(segs) >= TIER_WIDTH and sum(s.doc_count_all() for s in segs) <= MERGE_MAX_DOCS:
            for seg in live:
                reader = SegmentReader(writer.storage, writer.schema, seg)
                writer.add_reader(reader)
                reader.close()
        else:
            keep.extend(live)
    return keep
