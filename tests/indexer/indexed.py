"""Reading a cable index back in tests: every committed cable, checked to be whole.

Schema version 3 has one document per cable; "whole" means that document agrees with
the cable stored in it: its ``paras`` column and ``pmap`` (the paragraphs' body
positions) match the stored paragraphs, its body postings are the stored body's, its
``markings`` terms are its paragraphs' markings and its ``references`` terms (what
"cited by" is read from) are the stored references.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from indexer import Cable, open_index
from indexer.analysis import body_positions
from indexer.documents import marking_terms, paragraph_spans
from indexer.schema import pmap_ranges
from indexer.store import decode_cable


def postings_by_doc(reader, field: str) -> dict[int, dict[str, list]]:
    """docnum -> term -> positions (``[]`` for a field without positions) of ``field``,
    read back from the index's postings (deleted documents left out)."""
    out: dict[int, dict[str, list]] = defaultdict(dict)
    if field not in reader.schema:
        return out
    fmt = reader.schema[field].format
    for term in reader.field_terms(field):
        m = reader.postings(field, term)
        while m.is_active():
            out[m.id()][term] = m.value_as("positions") if fmt.supports("positions") else []
            m.next()
    return out


@dataclass(frozen=True)
class Indexed:
    """One committed cable as the index holds it."""

    docnum: int
    content_hash: str
    paras: int
    ranges: tuple[tuple[int, int], ...]
    markings: tuple[str, ...]
    references: tuple[str, ...]
    cable: Cable


def whole_cables(index_dir) -> dict[str, Indexed]:
    """refid -> :class:`Indexed` of every committed cable, asserting each one is whole
    (see the module docstring) and in the index once."""
    out: dict[str, Indexed] = {}
    with open_index(index_dir).searcher() as s:
        r = s.reader()
        if not r.doc_count_all():
            return out  # an empty index has no columns at all
        paras = r.column_reader("paras")
        bodies = postings_by_doc(r, "body")
        markings = postings_by_doc(r, "markings")
        references = postings_by_doc(r, "references")
        for d in s.document_numbers(kind="cable"):
            f = s.stored_fields(d)
            refid = f["refid"]
            assert refid not in out, f"{refid}: in the index twice"
            assert "cited_by" not in f, refid
            c = decode_cable(f["cable"])
            assert c.refid == refid and c.content_hash() == f["content_hash"], refid
            ranges = tuple(pmap_ranges(f["pmap"]))
            poses, expected_ranges = body_positions(c.body or "", paragraph_spans(c))
            assert paras[d] == len(c.paragraphs) == len(ranges), refid
            assert ranges == tuple(expected_ranges), refid
            assert bodies.get(d, {}) == poses, refid
            marks = tuple(sorted(markings.get(d, {})))
            assert marks == tuple(sorted({m for p in c.paragraphs for m in marking_terms(p.marking)})), refid
            assert set(references.get(d, {})) == set(c.references), refid
            out[refid] = Indexed(d, f["content_hash"], paras[d], ranges, marks, tuple(c.references), c)
    return out
