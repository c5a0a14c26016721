"""A faster way to write a Whoosh segment, and the merge policy of the cable index.

Whoosh's own ``SegmentWriter`` spends most of an indexing run on bookkeeping, not on
analysis: every posting becomes a 5-tuple in a ``PostingPool`` that is pickled to temp
files and heap-merged back once it passes ``limitmb``, and when the segment is written
every posting looks its document's field length up again through a column reader.
Profiling 2,000 synthetic cables through ``cables index`` (3.5M postings, one batch;
bench/out/profile-index-2000.prof) put over half of the run there: adding to the pool
20%, spilling runs and heap-merging them back 27%, per-posting length lookups 14%.

:class:`CableSegmentWriter` keeps Whoosh's codec, files, locking, TOC and deletion
handling and changes these things:

* :class:`MemoryPool` keeps postings in compact arrays, grouped by ``(field, term)``
  (the text fields' postings document by document, grouped when the segment is
  written: :mod:`indexer.postingbuffer`), so nothing is pickled per posting. Past
  ``spill_postings`` postings (a merge of big segments) it hands everything to a
  regular spilling ``PostingPool``, so memory stays bounded.
* Field lengths are not looked up per posting through a column reader: the pool keeps
  each new document's field lengths in an array as it is added, and each posting
  block gets its shortest and longest length from it (the statistics that let a
  top-k search skip blocks that cannot score high enough).
* The codec pickles posting blocks and inlined postings with protocol 4 and stored
  fields with protocol 5 (:data:`PICKLE_PROTOCOL`, :class:`StoredFieldsColumn`):
  Whoosh's own readers read them, at about half the bytes and a third less CPU.

:func:`merge_tiers` replaces Whoosh's ``MERGE_SMALL``, whose Fibonacci rule never merges
segments of tens of thousands of documents until there are about 26 of them and then
merges them all at once.
"""

from __future__ import annotations

import math
import operator
import pickle
import zlib
from array import array
from itertools import chain
from typing import Iterator

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PerDocWriter,
    W3PostingsWriter,
    W3TermInfo,
)
from whoosh.columns import CompressedBytesColumn, PickleColumn
from whoosh.reading import SegmentReader
from whoosh.util.numeric import length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from .postarrays import ARRAYS_EXT, PostingArraysWriter
from .postingbuffer import PositionBuffer
from .schema import CablePositions, Postings

__all__ = ["CableCodec", "CableFieldWriter", "CableSegmentWriter", "MemoryPool", "cable_codec",
           "merge_tiers"]

#: Postings a writer keeps in memory before handing over to a spilling pool (~60 B each).
SPILL_POSTINGS = 16_000_000
#: zlib level of posting blocks (Whoosh's default is 3). Level 1 took 2.6% less CPU for a
#: 1.7% bigger index (2,000 synthetic cables in one segment, schema 3).
CODEC_COMPRESSION = 1
#: Segments of one size tier that trigger a merge of that tier.
TIER_WIDTH = 8
#: Tiers are merged only while the result stays under this many cables. A merge costs
#: about what writing the cables did, so the segments of full batches (ten thousand
#: cables and more) are left as they are; many small incremental commits are merged.
MERGE_MAX_DOCS = 20_000


class MemoryPool:
    """A posting pool grouped by ``(field, term)``; spills to a ``PostingPool`` when big.

    Implements the part of Whoosh's pool interface a ``SegmentWriter`` uses: ``add``,
    ``iter_postings`` (sorted by field, term, document) and ``cleanup``.

    Text fields analyzed ahead of time (:class:`~indexer.schema.Postings`) come in
    through :meth:`add_positions` and are kept document by document in a
    :class:`~indexer.postingbuffer.PositionBuffer` (about 8 bytes per posting plus 4
    per position, no Python object per posting) until the segment is written. Other
    fields' postings (and merged segments') are kept as Whoosh hands them over.
    """

    def __init__(self, tempstore, segment, limitmb: int, spill_postings: int | None = None):
        self._tempstore = tempstore
        self._segment = segment
        self._limitmb = limitmb
        self._spill_at = SPILL_POSTINGS if spill_postings is None else spill_postings
        # fieldname -> term bytes -> (docnums, weights, encoded values)
        self._fields: dict[str, dict[bytes, tuple[array, array, list]]] = {}
        # fieldname -> its postings document by document, for Postings values
        self._pos_fields: dict[str, PositionBuffer] = {}
        # fieldname -> field length by docnum (documents added through add_document)
        self._lengths: dict[str, array] = {}
        self._count = 0
        self._spilled: PostingPool | None = None

    def __len__(self) -> int:
        return self._count

    def add(self, item) -> None:
        """Add one ``(fieldname, tbytes, docnum, weight, vbytes)`` posting."""
        fieldname, tbytes, docnum, weight, vbytes = item
        self.add_field(fieldname, docnum, ((tbytes, 0, weight, vbytes),))

    def add_positions(self, fieldname: str, docnum: int, positions: dict[str, list[int]]) -> int:
        """Add one document's ``term -> positions`` of one text field; returns the
        number of positions (the field length). Weights are the frequencies (the cable
        text fields have no boosts); values are :class:`~indexer.schema.CablePositions`'."""
        if self._spilled is not None or fieldname in self._fields:
            return self.add_field(fieldname, docnum, Postings(positions).items)
        buffer = self._pos_fields.get(fieldname)
        if buffer is None:
            buffer = self._pos_fields[fieldname] = PositionBuffer()
        total = buffer.add(docnum, positions)
        self._count += len(positions)  # one posting per term
        if self._count >= self._spill_at:
            self._spill()
        return total

    def add_field(self, fieldname: str, docnum: int, items) -> int:
        """Add one document's postings of one field; returns the summed frequency."""
        if fieldname in self._pos_fields and self._spilled is None:
            self._fields[fieldname] = dict(self._pos_fields.pop(fieldname).sorted_postings())
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

    def note_length(self, fieldname: str, docnum: int, length: int) -> None:
        """Remember a document's field length, for the blocks' length statistics."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = self._lengths[fieldname] = array("I")
        if len(lengths) <= docnum:
            lengths.extend(bytes(docnum + 1 - len(lengths)))  # zeros up to docnum
        lengths[docnum] = length

    def _block_lengths(self, fieldname: str, ids) -> tuple[int | None, int]:
        # (shortest, longest) field length among a block's documents; (None, 0) when
        # some document's length is not known (postings merged from another segment).
        lengths = self._lengths.get(fieldname)
        if lengths is None or ids[-1] >= len(lengths):
            return None, 0
        block = list(map(lengths.__getitem__, ids))
        return min(block), max(block)

    def _spill(self) -> None:
        pool = PostingPool(self._tempstore, self._segment, limitmb=self._limitmb)
        for item in self._iter_memory():
            pool.add(item)
        self._fields.clear()
        self._pos_fields.clear()
        self._spilled = pool

    def _sorted_fields(self) -> Iterator[tuple[str, Iterator[tuple[bytes, tuple]]]]:
        # Every field's terms in the generic form, fields and terms in index order.
        for fieldname in sorted(set(self._fields) | set(self._pos_fields)):
            if fieldname in self._pos_fields:
                yield fieldname, self._pos_fields[fieldname].sorted_postings()
            else:
                terms = self._fields[fieldname]
                yield fieldname, ((t, terms[t]) for t in sorted(terms))

    def _iter_memory(self) -> Iterator[tuple]:
        for fieldname, terms in self._sorted_fields():
            for tbytes, (docnums, weights, values) in terms:
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
        for fieldname, terms in self._sorted_fields():
            fw.start_field(fieldname, schema[fieldname])
            for tbytes, (docnums, weights, values) in terms:
                fw.start_term(tbytes)
                pw = fw._postwriter  # noqa: SLF001 -- see the docstring
                limit = pw._blocklimit  # noqa: SLF001
                keep_values = bool(values[0])  # Existence formats have empty values
                for start in range(0, len(docnums), limit):
                    if start:
                        pw._write_block()  # noqa: SLF001 -- the block is full
                    end = start + limit
                    block_ids = docnums[start:end]
                    pw._ids.extend(block_ids)  # noqa: SLF001
                    # Block-max scoring skips a block whose best possible score (its top
                    # weight at its shortest length) can't enter the top hits.
                    pw._minlength, pw._maxlength = self._block_lengths(fieldname, block_ids)  # noqa: SLF001
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
        self._pos_fields.clear()
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
        # Whoosh names a writer's temp folder after the index, so writers in parallel
        # processes (indexer.parallel) would destroy each other's: give each its own.
        self._tempstorage = self.storage.temp_storage(f"{self.newsegment.segment_id()}.tmp")
        self.pool = MemoryPool(self._tempstorage, self.newsegment, limitmb, spill_postings)
        self._toc_segments = list(self.segments)

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
                    if isinstance(value, Postings):
                        total = pool.add_positions(name, docnum, value.positions)
                    else:
                        total = pool.add_field(name, docnum, list(field.index(value)))
                    if field.scorable:
                        length = total
                custom = fields.get(f"_stored_{name}", value)
                if length:
                    pool.note_length(name, docnum, length)
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

    def finish_segment(self):
        """Write the new segment's files and close, without touching the TOC (the
        unlocked writer of a worker process; see :mod:`indexer.parallel`).

        :returns: the segment, or ``None`` if nothing was added.
        """
        try:
            if self._added:
                return self._finalize_segment()
            self._close_segment()
            self._delete_segment_files({self.newsegment.segment_id()})
            return None
        finally:
            self._finish()

    def commit_segments(self, new_segments) -> None:
        """Commit this writer's deletions and merges plus ``new_segments`` (written by
        worker processes), deleting only the files of segments this commit drops.

        Whoosh's ``commit`` deletes every segment file its TOC does not list, which
        includes segments that workers have written but not handed over yet.
        """
        from whoosh.index import TOC

        self._check_state()
        final = self._merge_segments(merge_tiers, False, True)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        new_segments = [s for s in new_segments if s is not None]
        final.extend(s for s in new_segments if s.doc_count() > 0)
        TOC(self.schema, final, self.generation).write(self.storage, self.indexname)
        keep = {s.segment_id() for s in final}
        mine = [*self._toc_segments, *new_segments, self.newsegment]
        self._delete_segment_files({s.segment_id() for s in mine} - keep, old_tocs=True)
        self._finish()

    def _delete_segment_files(self, segment_ids: set[str], old_tocs: bool = False) -> None:
        from whoosh.index import TOC

        toc_name = TOC._pattern(self.indexname)  # noqa: SLF001 -- Whoosh's own file naming
        for name in list(self.storage.list()):
            old_toc = old_tocs and toc_name.match(name)
            if name.split(".", 1)[0] in segment_ids or (old_toc and int(old_toc.group(1)) != self.generation):
                try:
                    self.storage.delete_file(name)
                except OSError:
                    pass  # a folder, or still open somewhere: the next sweep gets it

    def _flush_segment(self):
        self.perdocwriter.close()
        if self.pool.spilled:
            # lengths=None: the codec skips its optional per-block length statistics.
            self.fieldwriter.add_postings(self.schema, None, self.pool.iter_postings())
        else:
            self.pool.write_to(self.fieldwriter, self.schema)
        self.fieldwriter.close()


#: Terms with fewer postings than this in a segment keep them in the term table
#: ("inlined") instead of a compressed block in the postings file.
INLINE_LIMIT = 16


#: Pickle protocol of posting blocks and inlined postings. W3 writes protocol 2, which
#: stores each posting's positions (bytes) as latin-1 text, UTF-8 encoded, behind a call
#: per posting; protocol 4 stores bytes as they are. On synthetic blocks of 128 postings:
#: pickling 6x faster, deflating 2.5x faster, 46% smaller after deflate, unpickling 3x
#: faster. Whoosh's readers unpickle any protocol.
PICKLE_PROTOCOL = 4


class CableTermInfo(W3TermInfo):
    """W3's term info, writing inlined postings with :data:`PICKLE_PROTOCOL`.

    Only written: readers get W3's own class, which reads these bytes unchanged.
    """

    def to_bytes(self):
        if not self.is_inlined():
            return super().to_bytes()
        # W3TermInfo.to_bytes for an inlined term.
        minlength = 0 if self._minlength is None else length_to_byte(self._minlength)
        head = self._struct.pack(
            True,
            self._weight,
            self._df,
            minlength,
            length_to_byte(self._maxlength),
            self._maxweight,
            0xFFFFFFFF if self._minid is None else self._minid,
            0xFFFFFFFF if self._maxid is None else self._maxid,
        )
        return head + pickle.dumps(self._inlined, PICKLE_PROTOCOL)


class CablePostingsWriter(W3PostingsWriter):
    """Whoosh's W3 postings writer, with inlining of rare terms that works.

    W3's writer inlines a term with fewer than ``inlinelimit`` postings by calling
    ``terminfo.set_inline``, which whoosh-reloaded 2.7.5's ``W3TermInfo`` does not have
    (its method is ``set_inlined``), so any limit above 1 crashes. Readers handle
    inlined postings fine (``W3Codec.postings_reader`` wraps them in a ``ListMatcher``).
    """

    #: While a field writer collects posting arrays (:mod:`indexer.postarrays`): the
    #: fewest postings a term needs to be kept, and whether its values are positions.
    collect_min: int | None = None
    collect_values = False
    #: The current term's ids and weights (and values), block by block, once it is
    #: being collected; ``None`` otherwise.
    term_ids: array | None = None
    term_weights: array | None = None
    term_values: list | None = None

    def _collect(self, whole: bool) -> None:
        # whole: this block is all of the term's postings. Most terms are rare, so
        # their arrays are only made once a term can reach collect_min.
        if self.collect_min is None or self._byteids:
            return
        if self.term_ids is None:
            if whole and len(self._ids) < self.collect_min:
                return
            self.term_ids, self.term_weights = array("I"), array("f")
            self.term_values = [] if self.collect_values else None
        self.term_ids.extend(self._ids)
        self.term_weights.extend(self._weights)
        if self.term_values is not None:
            self.term_values.extend(self._values)

    def _write_block(self, last=False):
        # W3PostingsWriter._write_block, with the data pickled with PICKLE_PROTOCOL.
        self._collect(last and not self._blockcount)
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        databytes = pickle.dumps(data, PICKLE_PROTOCOL)
        comp = self._compression
        if comp:
            databytes = zlib.compress(databytes, comp)
        # The block's info stays protocol 2, exactly as W3 writes it.
        ids = self._ids
        info = (len(ids), ids[-1], self._maxweight, comp,
                length_to_byte(self._minlength), length_to_byte(self._maxlength))
        infobytes = pickle.dumps(info, 2)
        length = len(infobytes) + len(databytes)
        postfile = self._postfile
        postfile.write_int(-length if last else length)  # negative: the last block
        postfile.write(infobytes)
        postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    # W3's block minifiers, with C-level loops instead of generators (the same values:
    # posting blocks are written for millions of postings).

    def _mini_ids(self):
        ids = self._ids
        if self._byteids:
            return tuple(ids)
        return tuple(map(operator.sub, ids, chain((0,), ids)))  # delta-encoded

    def _mini_weights(self):
        weights = self._weights
        n = len(weights)
        if weights.count(1.0) == n:
            return None
        if weights.count(weights[0]) == n:
            return weights[0]
        return tuple(weights)

    def finish_postings(self):
        if not self.written() and len(self) < self._inlinelimit:
            self._collect(True)
            terminfo = self._terminfo
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class CableFieldWriter(W3FieldWriter):
    """Whoosh's W3 field writer that also writes the segment's posting arrays
    (:mod:`indexer.postarrays`): every term's postings pass through it, whether they
    come from new documents, a spilled pool or a merge."""

    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        self._arrays = PostingArraysWriter()

    def start_term(self, btext):
        # W3FieldWriter.start_term, with CableTermInfo.
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, CableTermInfo())

    def start_field(self, fieldname, fieldobj):
        super().start_field(fieldname, fieldobj)
        pw = self._postwriter
        pw.collect_min = self._arrays.min_postings
        pw.collect_values = isinstance(fieldobj.format, CablePositions)

    def finish_term(self):
        super().finish_term()
        pw = self._postwriter
        if pw.term_ids is not None:
            self._arrays.add(self._fieldname, self._btext, pw.term_ids, pw.term_weights,
                             pw.term_values)
            pw.term_ids = pw.term_weights = pw.term_values = None

    def close(self):
        super().close()
        out = self._create_file(ARRAYS_EXT)
        try:
            self._arrays.write(out)
        finally:
            out.close()


class StoredFieldsColumn(PickleColumn):
    """The column of a document's stored fields, written more cheaply than Whoosh's own.

    Whoosh pickles the stored fields with protocol 2, which writes a ``bytes`` value
    as latin-1 text (UTF-8 encoded: most bytes of compressed data take two), then
    deflates the pickle at level 3. The bulk of a cable's stored fields is its
    already-compressed copy (:mod:`indexer.store`), so that deflate mostly undid the
    expansion. Here the pickle is protocol 5 (bytes as they are) and the deflate is
    level 0, a stored block: about 20% smaller and no compression time (2,000 bench
    cables: 7.6 MB instead of 9.5 MB, 8 ms instead of 250 ms). Whoosh's reader loads
    it unchanged: it decompresses and unpickles whatever level and protocol.
    """

    def __init__(self):
        super().__init__(CompressedBytesColumn(level=0))

    class Writer(PickleColumn.Writer):
        def add(self, docnum, v):
            self._child.add(docnum, b"" if v is None else pickle.dumps(v, 5))


class CablePerDocWriter(W3PerDocWriter):
    """Whoosh's W3 per-document writer with :class:`StoredFieldsColumn` for ``_stored``."""

    def _create_column(self, fieldname, column):
        if fieldname == "_stored":
            column = STORED_FIELDS_COLUMN
        super()._create_column(fieldname, column)


STORED_FIELDS_COLUMN = StoredFieldsColumn()


class CableCodec(W3Codec):
    """Whoosh's W3 codec (same files, same readers) with :class:`CablePostingsWriter`.

    Most terms of a cable segment are rare (names, numbers, exact forms): at 2,000
    cables, 104,000 terms made 114,000 posting blocks, each pickled, zlib-compressed
    and written on its own, about a third of the writer's time. Inlining the terms with
    fewer than :data:`INLINE_LIMIT` postings skips all that for them.

    Block compression 0 saves about 9% of the CPU time and doubles the index (1,000
    synthetic cables, schema 2); see :data:`CODEC_COMPRESSION`.

    .. warning:: Whoosh pickles the codec into each segment's entry of the TOC: this
       class is found again by its path, ``indexer.segments.CableCodec``.
    """

    def field_writer(self, storage, segment):
        return CableFieldWriter(self, storage, segment)

    def per_document_writer(self, storage, segment):
        return CablePerDocWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return CablePostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


def cable_codec() -> CableCodec:
    """The codec of every segment the cable writer makes."""
    return CableCodec(blocklimit=128, compression=CODEC_COMPRESSION, inlinelimit=INLINE_LIMIT)


def _tier(doc_count: int) -> int:
    return int(math.log(max(doc_count, 1), TIER_WIDTH))


def merge_tiers(writer, segments):
    """Merge policy: merge the segments of a size tier once it holds ``TIER_WIDTH`` of them.

    Tiers are powers of ``TIER_WIDTH`` in documents (deleted ones included). Many small
    incremental commits are merged up to :data:`MERGE_MAX_DOCS`; segments of full
    batches are not merged (a 251,287-cable build in batches of 20,000 with two workers
    leaves about 26).
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
