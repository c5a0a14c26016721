"""The Whoosh schema of a cable index, and its version.

One index holds two kinds of document, told apart by ``kind``:

**Cable documents** (``kind="cable"``), one per cable:

============== ===================================== =========================================
field          type                                  why
============== ===================================== =========================================
refid          ID, unique, stored                    the key; hits name their cable without
                                                     opening the stored JSON
serial         ID                                    station + serial without year, lower
                                                     case (``bangkok3955``), for the refid box
kind           ID                                    ``cable`` / ``para``
created        DATETIME, sortable                    date filters and sort by date
year           NUMERIC, sortable                     year facet
origin         TEXT, sortable                        ``origin:bangkok`` matches words; the
                                                     column keeps the whole value for facets
classification ID, sortable                          exact value, as a facet
caveats, tags  KEYWORD, sortable                     one term per value (case kept, values
                                                     may hold spaces and commas); the column
                                                     holds the values joined by ``\\n``
subject, body  TEXT (the analyzer), positions        ranked full text, phrases
to, info,      TEXT (the analyzer)                   addressees, signers: ``to:bangkok``
signers
tagtext        TEXT (the analyzer)                   the meanings of the TAG codes
                                                     (``political relations`` finds PREL)
names          KEYWORD                               name-variant keys (Gaddafi ~ QADHAFI)
references     KEYWORD                               canonical refids this cable cites
content_hash   ID, stored                            incremental indexing: unchanged cables
                                                     are skipped
cable          STORED                                the whole :class:`~indexer.Cable` as
                                                     zlib-compressed JSON (:mod:`indexer.store`)
============== ===================================== =========================================

**Paragraphs** are not documents of their own (schema version 3). The body is indexed
once, with positions, and ``pmap`` (STORED) says which body positions each paragraph
covers: ``array('I')`` bytes of ``start, end`` pairs, one pair per entry of
``Cable.paragraphs`` (``end == start`` for an empty paragraph). A hit's best paragraphs
come from where the query's terms sit in the body (their posting positions), and
``marking:S nuclear`` checks that the words fall inside one paragraph marked ``S``.
``markings`` (KEYWORD) holds every portion marking of the cable and its parts
(``S/NF`` -> ``S/NF``, ``S``, ``NF``), so such a query only looks at cables that have
the marking at all; ``paras`` (NUMERIC column) is the paragraph count, for ``stats``.

**Citations** are indexed one way only: ``references`` holds the canonical refids a
cable cites. "Cited by" is the same posting list read the other way (the cables whose
``references`` hold a refid), so it is always current and a new cable never rewrites the
cables it cites. (Schema version 2 stored ``cited_by`` in each cable and re-added every
cited cable when a citer arrived: about one re-add per new cable in a full build.)

How the design got here, measured on the first 2,000 cables of the 25,000-cable bench
corpus (``bench/data/cables-2000.csv``; 12.7 MB of text). "CPU" is ``build_index(...,
workers=0)``: everything in one process, one segment, so it counts all the work of
a build. The machine was shared, so CPU seconds are good to about +-10%; sizes are exact.

=============================================================  ========  =======
schema                                                         index MB  CPU s
=============================================================  ========  =======
2: cable + paragraph documents, stored ``cited_by``, twins     84.3      ~31
3: one document per cable, ``pmap``, cited-by at query time    60.0      15.5
3 + rare terms inlined, positions pooled as arrays, zlib 1     59        13.1
4: no ``=word`` twin when the word is its own stem             47        11.2
=============================================================  ========  =======

(Schema 2's figure is its worker and writer processes' user time; it also re-added
every cited cable, which the 2,000 cables hardly cite.) At 25,000 cables, schema 2 took
441 s on two cores and schema 4 about 65 s (``python -m bench index``).

* **Full text is stored once**, as zlib-compressed JSON in ``cable`` (3.7 MB for these
  1,000 cables; 13.8 MB as plain JSON). The JSON keeps the cable's ``body`` and its
  ``paragraphs`` as the parser made them (the body includes the header lines, so one
  is not derivable from the other); zlib's window makes the repeat cheap: on the 225
  real 2008 cables, 1.16 MB with the body against 1.04 MB without. Storing subject and
  body again as Whoosh stored fields would add 3.5 MB (7%) for nothing.
* **Exact matching** (``=word``, ``="phrase"``) uses unstemmed twins in the same field
  at the same position (``=trafficking`` beside ``traffick``; see
  :mod:`indexer.analysis`), not a second field: phrases can mix exact and stemmed words,
  one analyzer serves both, and the ``=`` terms double as the spelling dictionary (a
  ``ReaderCorrector`` with ``prefix=1`` over ``=`` terms), so no separate spelling field
  is written. A separate unstemmed field would cost the same postings. Since schema 4
  a word that is its own stem (``nuclear``) has no twin: that left out a quarter of
  the body's postings (-20% index size, -15% CPU), and exact queries for such words
  subtract the other forms' positions from the stem's (see :mod:`indexer.analysis`).
* **Paragraph documents** (schema version 2) cost +46% index size and about +68% CPU:
  they repeated the body's terms once more, with positions. Version 3 gets ¶-level
  hits and ``marking:`` from the body's own positions and ``pmap`` instead.
* Posting values of the text fields use :class:`CablePositions` (raw uint32 positions
  instead of Whoosh's pickled deltas): 4% smaller, same CPU (1,000 cables, schema 2).

Changing any field, or the analyzer, requires bumping :data:`SCHEMA_VERSION`; indexes
written with another version raise :class:`~indexer.errors.SchemaMismatch` and must be
rebuilt with ``cables index --rebuild``.
"""

from __future__ import annotations

from array import array
from typing import Any, Iterator

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions

from .analysis import ANALYZER, index_positions

__all__ = [
    "COLUMN_SEP",
    "KINDS",
    "SCHEMA_VERSION",
    "CablePositions",
    "CableText",
    "Postings",
    "make_schema",
    "pmap_ranges",
]

#: Bump whenever the schema or the analyzer changes what is indexed or how.
#: 2: compact position values (:class:`CablePositions`), ``pnum`` as ID, ``pindex`` stored only.
#: 3: no paragraph documents (``pmap``, ``markings``, ``paras`` instead), no ``cited_by``.
#: 4: no ``=word`` twin for a word that is its own stem.
SCHEMA_VERSION = 4

#: The kinds of document (one since schema version 3; the field stays for filters).
KINDS = ("cable",)

#: Joins multi-valued facet values (caveats, tags) in their sort column.
COLUMN_SEP = "\n"

class Postings:
    """A text field's value analyzed ahead of time: ``term -> positions``.

    :func:`indexer.documents.cable_document` analyzes the cable's text fields into
    this form; the writer (:class:`indexer.segments.MemoryPool`) files the positions
    without going through Whoosh's per-posting tuples. :attr:`items` is Whoosh's
    ``field.index()`` form, for other writers.
    """

    __slots__ = ("positions",)

    def __init__(self, positions: dict[str, list[int]]):
        self.positions = positions

    @property
    def items(self) -> list[tuple[bytes, int, float, bytes]]:
        """``(term bytes, frequency, weight, encoded positions)`` per term."""
        return [
            (term.encode("utf-8"), len(p), float(len(p)), _encode_positions(p))
            for term, p in self.positions.items()
        ]

    def __reduce__(self):
        return (Postings, (self.positions,))


def _encode_positions(poslist) -> bytes:
    return array("I", poslist).tobytes()


class CablePositions(Positions):
    """Whoosh's ``Positions`` format with compact posting values: the positions as uint32s.

    Whoosh encodes each posting's positions as a 4-byte count plus a *pickled* list of
    deltas (about 16 bytes for a single position); this stores the positions as a raw
    ``array('I')`` (4 bytes each; the count is the length), which is smaller and is
    encoded and decoded in C. Posting blocks are zlib-compressed on top either way.

    .. warning:: Pickled into the index by its path, ``indexer.schema.CablePositions``.
    """

    def encode(self, poslist) -> bytes:
        return _encode_positions(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        positions = array("I")
        positions.frombytes(valuestring)
        return positions.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring: bytes) -> list[tuple[int, float]]:
        return [(pos, 1) for pos in self.decode_positions(valuestring)]

    def combine(self, vs) -> bytes:
        merged: set[int] = set()
        for v in vs:
            merged.update(self.decode_positions(v))
        return self.encode(sorted(merged))


class CableText(TEXT):
    """A ``TEXT`` field of the cable analyzer, with the writer's fast path.

    Indexing a string goes through :func:`indexer.analysis.index_positions` (the same
    terms as :data:`~indexer.analysis.ANALYZER`, without Token objects); a
    :class:`Postings` value is taken as already analyzed. Queries and highlighting use
    ``analyzer`` as usual.

    .. warning:: Whoosh pickles this class into the index by its import path,
       ``indexer.schema.CableText``: do not move or rename it.

    :param twins: index the ``=word`` exact twins. Paragraph text leaves them out
        (exactness is decided on the cable document), which saves about a third of
        the postings.
    """

    def __init__(self, twins: bool = True, **kwargs: Any):
        super().__init__(analyzer=ANALYZER, phrase=True, **kwargs)
        self.format = CablePositions(field_boost=self.format.field_boost)
        self.twins = twins

    def index(self, value, **kwargs) -> Iterator[tuple[bytes, int, float, bytes]]:
        if isinstance(value, Postings):
            return iter(value.items)
        if isinstance(value, str):
            return iter(self.postings(value).items)
        return super().index(value, **kwargs)

    def postings(self, text: str) -> Postings:
        """``text`` analyzed for this field, ready for :meth:`index` or another process."""
        return Postings(index_positions(text, self.twins))


def pmap_ranges(pmap: bytes | None) -> list[tuple[int, int]]:
    """The inverse of the ``pmap`` stored field: ``(start, end)`` body positions per paragraph."""
    if not pmap:
        return []
    flat = array("I")
    flat.frombytes(pmap)
    return list(zip(flat[0::2], flat[1::2]))


def make_schema() -> Schema:
    """A new instance of the cable index schema."""
    return Schema(
        kind=ID(),
        # cable documents
        refid=ID(unique=True, stored=True),
        serial=ID(),
        created=DATETIME(sortable=True),
        year=NUMERIC(int, sortable=True),
        origin=TEXT(analyzer=ANALYZER, phrase=False, sortable=True),
        classification=ID(sortable=True),
        caveats=KEYWORD(sortable=True),
        tags=KEYWORD(sortable=True),
        subject=CableText(),
        body=CableText(),
        to=CableText(),
        info=CableText(),
        signers=CableText(),
        tagtext=CableText(),
        names=KEYWORD(),
        references=KEYWORD(),
        content_hash=ID(stored=True),
        cable=STORED(),
        # paragraphs (see the module docstring)
        pmap=STORED(),
        markings=KEYWORD(),
        paras=NUMERIC(int, sortable=True),
    )
