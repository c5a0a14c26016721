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
cited_by       KEYWORD, stored                       canonical refids of indexed cables that
                                                     cite this one (kept by the writer)
content_hash   ID, stored                            incremental indexing: unchanged cables
                                                     are skipped
cable          STORED                                the whole :class:`~indexer.Cable` as
                                                     zlib-compressed JSON (:mod:`indexer.store`)
============== ===================================== =========================================

**Paragraph documents** (``kind="para"``), one per paragraph: ``pref`` (ID, stored: the
parent refid), ``pindex`` (STORED: 0-based index into ``Cable.paragraphs``),
``pnum`` (ID: the ¶ number as text), ``marking`` (KEYWORD: the portion marking and its
parts, ``S/NF`` -> ``S/NF``, ``S``, ``NF``) and ``ptext`` (TEXT, positions, not stored, **without** the ``=word`` exact twins: search
it with stemmed terms).
They let a hit name its best paragraphs and make ``marking:S nuclear`` match inside one
paragraph. Their text, number and marking are read back from the cable's stored JSON.

Design decisions and what they cost, measured on 1,000 synthetic cables (6.3 MB of body
text recombined from the shared HTML paragraphs, 14,466 paragraphs), one batch, by
patching one thing at a time (the script and its output are in the report of issue #3;
the figures are repeated in :data:`MEASUREMENTS`). The table predates
:class:`CablePositions` (last point). CPU is writer + worker process seconds on a
shared, loaded 2-core machine, so it is noisy (about +-15% between runs); sizes are
exact.

=================================== ========= ============
variant                             index MB  CPU s
=================================== ========= ============
this schema                         51.8      18.7
without the ``=word`` exact twins   37.0      13.5
without paragraph documents         35.6      11.1
twins in paragraph text too         67.0      22.3
subject + body also Whoosh-stored   55.3      18.4
=================================== ========= ============

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
  is written. Cost: +40% index size and about +39% CPU. A separate unstemmed field
  would cost the same postings. Paragraph text leaves the twins out (they would add
  another 15 MB): the cable document decides exactness, paragraphs only rank within it.
* **Paragraph documents** cost +46% index size and about +68% CPU (they repeat the
  body's terms once more, with positions). They are what makes ¶-level hits and
  ``marking:S nuclear`` inside one paragraph possible, so they stay.
* Posting values of the text fields use :class:`CablePositions` (raw uint32 positions
  instead of Whoosh's pickled deltas): 49.8 MB instead of 51.8 MB, same CPU.

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
    "MEASUREMENTS",
    "SCHEMA_VERSION",
    "CablePositions",
    "CableText",
    "Postings",
    "make_schema",
]

#: Bump whenever the schema or the analyzer changes what is indexed or how.
#: 2: compact position values (:class:`CablePositions`), ``pnum`` as ID, ``pindex`` stored only.
SCHEMA_VERSION = 2

#: The two kinds of document.
KINDS = ("cable", "para")

#: Joins multi-valued facet values (caveats, tags) in their sort column.
COLUMN_SEP = "\n"

#: Index size and CPU of the design alternatives above (1,000 synthetic cables, 6.3 MB of
#: body text): variant -> (index MB, writer + worker CPU seconds).
MEASUREMENTS: dict[str, tuple[float, float]] = {
    "this schema": (51.8, 18.7),
    "without exact twins": (37.0, 13.5),
    "without paragraph documents": (35.6, 11.1),
    "twins in paragraph text too": (67.0, 22.3),
    "subject and body also stored": (55.3, 18.4),
}


class Postings:
    """A field value analyzed ahead of time: ``(term bytes, freq, weight, encoded positions)``.

    The writer analyzes cables in a worker process and hands the results to the
    process that owns the Whoosh writer in this form (see :mod:`indexer.build`).
    """

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[bytes, int, float, bytes]]):
        self.items = items

    def __reduce__(self):
        return (Postings, (self.items,))


class CablePositions(Positions):
    """Whoosh's ``Positions`` format with compact posting values: the positions as uint32s.

    Whoosh encodes each posting's positions as a 4-byte count plus a *pickled* list of
    deltas (about 16 bytes for a single position); this stores the positions as a raw
    ``array('I')`` (4 bytes each; the count is the length), which is smaller and is
    encoded and decoded in C. Posting blocks are zlib-compressed on top either way.

    .. warning:: Pickled into the index by its path, ``indexer.schema.CablePositions``.
    """

    def encode(self, poslist) -> bytes:
        return array("I", poslist).tobytes()

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
        encode = self.format.encode
        boost = self.format.field_boost
        return Postings(
            [
                (term.encode("utf-8"), len(poses), len(poses) * boost, encode(poses))
                for term, poses in index_positions(text, self.twins).items()
            ]
        )


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
        cited_by=KEYWORD(stored=True),
        content_hash=ID(stored=True),
        cable=STORED(),
        # paragraph documents
        pref=ID(stored=True),
        pindex=STORED(),
        pnum=ID(),
        marking=KEYWORD(),
        ptext=CableText(twins=False),
    )
