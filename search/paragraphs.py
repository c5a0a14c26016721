"""Where a query's words fall in a cable's paragraphs, read from the body's own postings.

Paragraphs are not documents of their own (schema version 3, see :mod:`indexer.schema`):
the body is indexed once, with positions, and each cable stores ``pmap``, the range of
body positions each of its paragraphs covers. So the paragraphs a word is in are the
positions of its body posting, looked up in ``pmap``. This picks a hit's best
paragraphs (:mod:`search.hits`) and makes ``marking:S nuclear`` match inside one
paragraph (:mod:`search.plan`).
"""

from __future__ import annotations

import bisect
import itertools
import math
from typing import Iterable

from whoosh import query as wq

from .segmented import by_segment, positions_at

__all__ = [
    "BODY",
    "ParagraphMap",
    "body_term",
    "clause_alternatives",
    "paragraph_marked",
    "term_idf",
    "term_positions",
    "uncovered",
]

#: The field whose positions paragraphs are made of.
BODY = "body"


def body_term(field: str, text: str) -> str | None:
    """The body term that finds, in paragraph text, what an index term of the free text
    matched: a body term is itself (``=word`` exact twins too); a name-variant key
    (``ktf_qadhafi``) stands for its spelling, whose stem is in the body where the name
    is. Terms of other fields (``references`` for a cited id) have none."""
    if field == BODY:
        return text
    if field == "names" and "_" in text:
        from indexer.analysis import stem

        return stem(text.partition("_")[2])
    return None


def clause_alternatives(q: wq.Query) -> list[frozenset[str]]:
    """A compiled free-text clause (see :meth:`search.compile.Compiler.compile`) as the
    sets of body terms that satisfy it: the clause is in a paragraph when all the terms
    of one set are. A word gives one set per term it stands for (its stem, expansions,
    name variants); a phrase gives its words (all in the paragraph; their order is
    not checked there, the cable as a whole matched the phrase).
    A part with no body term (a cited id) gives nothing, so it asks nothing of the
    paragraph."""
    from .exact import ExactPhrase, ExactWord

    if isinstance(q, (wq.Term, ExactWord)):  # an ExactWord stands for its derived ``=word``
        term = body_term(q.fieldname, q.text)
        return [frozenset([term])] if term is not None else []
    if isinstance(q, wq.Phrase):
        terms = [body_term(q.fieldname, w) for w in q.words]
        return [frozenset(terms)] if None not in terms else []
    if isinstance(q, ExactPhrase):
        parts = [clause_alternatives(sub) for sub in q.qs]
        return [frozenset().union(*(p[0] for p in parts))] if all(len(p) == 1 for p in parts) else []
    if isinstance(q, wq.Or):
        return list(dict.fromkeys(a for sub in q.subqueries for a in clause_alternatives(sub)))
    if isinstance(q, wq.And):
        parts = [p for p in (clause_alternatives(sub) for sub in q.subqueries) if p]
        if not parts:
            return []
        return list(dict.fromkeys(frozenset().union(*combo) for combo in itertools.product(*parts)))
    return []


def paragraph_marked(cable, pindex: int, markings) -> bool:
    """Whether paragraph *pindex* of *cable* has one of *markings* (``S`` matches ``S/NF``)."""
    from indexer.documents import marking_terms

    if pindex >= len(cable.paragraphs):
        return False
    return not set(markings).isdisjoint(marking_terms(cable.paragraphs[pindex].marking))


def term_positions(reader, terms: Iterable[str], docnums: Iterable[int], field: str = BODY,
                   exact=None) -> dict[int, dict[str, list[int]]]:
    """The positions of *terms* in *docnums* (in the body unless *field* says otherwise):
    docnum -> term -> positions (only the documents and terms that occur).

    With *exact* (the reader's :class:`search.exact.ExactTerms`), a derived exact term
    (``=run``) gets the positions of its stem less its siblings' (:func:`exact_positions`).

    The positions come from the segments' posting arrays, looked up by binary search
    (:func:`search.segmented.positions_at`), or else each term's posting list is walked
    forward once over the documents in ascending order, so a very common term costs
    about a block per document asked, not its whole posting list.
    """
    terms = list(dict.fromkeys(terms))
    if exact is not None:
        return exact_positions(reader, terms, docnums, field, exact)
    out: dict[int, dict[str, list[int]]] = {}
    for leaf, base, local in by_segment(docnums, reader.leaf_readers()):
        for term in terms:
            for d, (positions, _weight) in positions_at(leaf, field, term, local).items():
                out.setdefault(d + base, {})[term] = positions
    return out


def exact_positions(reader, terms: list[str], docnums: Iterable[int], field: str,
                    exact) -> dict[int, dict[str, list[int]]]:
    """:func:`term_positions` where a derived exact term (``=run``, see
    :mod:`search.exact`) has the positions of its stem (``run``) that none of its
    siblings (``=running``...) has: they share positions in the index."""
    from indexer.analysis import EXACT_PREFIX

    from .exact import is_derived

    derived = {t: t[len(EXACT_PREFIX):] for t in terms if is_derived(t)}
    if not derived:
        return term_positions(reader, terms, docnums, field)
    siblings = {t: exact.siblings(field, w) for t, w in derived.items()}
    read = [t for t in terms if t not in derived]
    read += list(derived.values()) + [s for sibs in siblings.values() for s in sibs]
    found = term_positions(reader, read, docnums, field)
    asked = set(terms)
    out: dict[int, dict[str, list[int]]] = {}
    for d, poses in found.items():
        mine = {t: p for t, p in poses.items() if t in asked}
        for t, w in derived.items():
            left = uncovered(poses, w, siblings[t])
            if left:
                mine[t] = left
        if mine:
            out[d] = mine
    return out


def uncovered(positions: dict[str, list[int]], stem: str, siblings: Iterable[str]) -> list[int]:
    """The positions of *stem* that none of *siblings* holds (term -> positions of one
    document): where the word is its stem's own form, see :mod:`search.exact`."""
    covered = set().union(*(positions.get(s, ()) for s in siblings))
    return [p for p in positions.get(stem, ()) if p not in covered]


def term_idf(reader, term: str, exact=None) -> float:
    """How distinctive a body term is (BM25's inverse document frequency; never
    negative, so a word in every cable still counts a little). With *exact*, a derived
    exact term counts by its estimated cables (:meth:`search.exact.ExactTerms.doc_frequency`)."""
    n = reader.doc_count()
    df = exact.doc_frequency(BODY, term) if exact is not None else reader.doc_frequency(BODY, term)
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


class ParagraphMap:
    """One cable's paragraphs as ranges of body positions (its stored ``pmap``).

    :param ranges: ``(start, end)`` per paragraph, in paragraph order, as
        :func:`indexer.schema.pmap_ranges` decodes them (half-open, ascending, an empty
        or unfound paragraph has ``end == start``).
    """

    def __init__(self, ranges: list[tuple[int, int]]):
        self.ranges = ranges
        self._starts = [s for s, _ in ranges]

    @classmethod
    def from_stored(cls, pmap: bytes | None) -> "ParagraphMap":
        from indexer.schema import pmap_ranges

        return cls(pmap_ranges(pmap))

    def length(self, pindex: int) -> int:
        """How many body positions paragraph *pindex* covers."""
        start, end = self.ranges[pindex]
        return end - start

    def mean_length(self) -> float:
        """The mean length of the cable's non-empty paragraphs (1 if there are none)."""
        lengths = [e - s for s, e in self.ranges if e > s]
        return sum(lengths) / len(lengths) if lengths else 1.0

    def paragraph(self, position: int) -> int | None:
        """The index of the paragraph that holds a body position, or ``None`` (a header
        line, or text between paragraphs)."""
        # The last paragraph starting at or before it; an empty paragraph starting at
        # the same position comes before the one that holds it, so it is passed over.
        i = bisect.bisect_right(self._starts, position) - 1
        if i >= 0 and position < self.ranges[i][1]:
            return i
        return None

    def counts(self, positions: Iterable[int]) -> dict[int, int]:
        """Paragraph index -> how many of *positions* fall in it."""
        out: dict[int, int] = {}
        for pos in positions:
            i = self.paragraph(pos)
            if i is not None:
                out[i] = out.get(i, 0) + 1
        return out

    def holding(self, positions_by_term: dict[str, list[int]]) -> dict[int, set[str]]:
        """Paragraph index -> the terms (of *positions_by_term*) it holds."""
        out: dict[int, set[str]] = {}
        for term, positions in positions_by_term.items():
            for i in self.counts(positions):
                out.setdefault(i, set()).add(term)
        return out
