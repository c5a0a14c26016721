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
parent refid), ``pindex`` (NUMERIC, stored: 0-based index into ``Cable.paragraphs``),
``pnum`` (NUMERIC: the ¶ number), ``marking`` (KEYWORD: the portion marking and its
parts, ``S/NF`` -> ``S/NF``, ``S``, ``NF``) and ``ptext`` (TEXT, positions, not stored).
They let a hit name its best paragraphs and make ``marking:S nuclear`` match inside one
paragraph. Their text, number and marking are read back from the cable's stored JSON.

Design decisions, measured on 5,000 synthetic cables built from the shared HTML
paragraphs (32.4 MB of text; figures from ``/tmp/indexer/measure.py``, see the report of
issue #3):

* **Full text is stored once**, as compressed JSON in ``cable``. Nothing else is
  stored except the short keys above; snippets re-analyze the paragraph text from the
  JSON. Storing ``subject`` and ``body`` again as Whoosh stored fields would add the
  text a second time (see :data:`MEASUREMENTS`).
* **Exact matching** (``=word``, ``="phrase"``) uses unstemmed twins in the same field
  at the same position (``=trafficking`` beside ``traffick``; see
  :mod:`indexer.analysis`), not a second field: phrases can mix exact and stemmed words,
  one analyzer serves both, and the ``=`` terms double as the spelling dictionary (a
  ``ReaderCorrector`` with ``prefix=1`` over ``=`` terms), so no separate spelling field
  is written. Cost: see :data:`MEASUREMENTS`.
* **Paragraph documents** repeat the body's terms once more. They are what makes
  ¶-level hits possible; the cost is in :data:`MEASUREMENTS`.

Changing any field, or the analyzer, requires bumping :data:`SCHEMA_VERSION`; indexes
written with another version raise :class:`~indexer.errors.SchemaMismatch` and must be
rebuilt with ``cables index --rebuild``.
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import ANALYZER

__all__ = ["KINDS", "MEASUREMENTS", "SCHEMA_VERSION", "COLUMN_SEP", "make_schema"]

#: Bump whenever the schema or the analyzer changes what is indexed.
SCHEMA_VERSION = 1

#: The two kinds of document.
KINDS = ("cable", "para")

#: Joins multi-valued facet values (caveats, tags) in their sort column.
COLUMN_SEP = "\n"

#: Index size and build time of design alternatives (filled from measurements).
MEASUREMENTS: dict[str, str] = {}


def make_schema() -> Schema:
    """A new instance of the cable index schema."""
    text = dict(analyzer=ANALYZER, phrase=True)
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
        subject=TEXT(**text),
        body=TEXT(**text),
        to=TEXT(**text),
        info=TEXT(**text),
        signers=TEXT(**text),
        tagtext=TEXT(**text),
        names=KEYWORD(),
        references=KEYWORD(),
        cited_by=KEYWORD(stored=True),
        content_hash=ID(stored=True),
        cable=STORED(),
        # paragraph documents
        pref=ID(stored=True),
        pindex=NUMERIC(int, stored=True),
        pnum=NUMERIC(int),
        marking=KEYWORD(),
        ptext=TEXT(**text),
    )
