"""Exact words (``=word``) in an index that keeps no ``=`` twin for a word that is its own stem.

Since schema version 4 (:mod:`indexer.analysis`) a word gives its exact twin beside its
stem only when the stem differs: ``running`` gives ``run`` and ``=running``, ``run``
gives only ``run``. The query side still asks for ``=word`` for every exact word, so an
exact term is either

* *indexed*: ``=running`` (its stem differs), a term like any other; or
* *derived*: ``=run`` (``stem("run") == "run"``), which is in no posting list. Its
  occurrences are the positions of the stem term ``run`` less those of the term's
  *siblings*, the other words with that stem (``=running``, ``=runs``, ``=runner``).
  A sibling always has its twin, because its stem differs from it.

Inside ``search/`` a derived term keeps its ``=word`` name (the terms the compiler notes,
paragraph positions, snippets, matched words); only the Whoosh queries built here
(:class:`ExactWord`, :class:`ExactPhrase`) and the counts of :class:`ExactTerms` know
how it is made. Numbers and ids have no twin either, but their plain term is exact
already and never starts with ``=``.

The siblings come from the lexicon: every ``=`` term of a field, stemmed and grouped by
stem. A word need not start with its stem (``hoping`` -> ``hope``, ``dying`` -> ``die``),
so no prefix scan finds them all; the whole ``=`` range is read once per segment and
field (a segment's terms never change) and kept in :class:`ExactForms`, shared by all
the searches of an index.
"""

from __future__ import annotations

from typing import Iterator

from whoosh import query as wq
from whoosh.matching import WrappingMatcher
from whoosh.query.compound import DefaultOr
from whoosh.query.spans import SpanNear2, SpanNot

from indexer.analysis import EXACT_PREFIX, stem

from .lru import MISSING, LruCache

__all__ = ["ExactForms", "ExactPhrase", "ExactTerms", "ExactWord", "is_derived"]

#: Segment-and-field sibling maps kept (a few per field and segment of the live index;
#: merged-away segments fall out).
MAX_SEGMENT_MAPS = 256


def is_derived(term: str) -> bool:
    """Whether an exact term has no posting list of its own: ``=word`` where the word is
    its own stem (``=run``, ``=nuclear``), not ``=running`` nor a number."""
    if not term.startswith(EXACT_PREFIX):
        return False
    word = term[len(EXACT_PREFIX):]
    return word.isalpha() and stem(word) == word


class ExactWord(SpanNot):
    """A derived ``=word``: the spans of the stem term *a* that no sibling (*b*, a term
    or a union of terms, see :func:`_or_terms`) covers. Scored as the stem term alone (``SpanNot`` would add
    the siblings' scores where they also occur), times the query's boost."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.boost = 1.0  # Whoosh's span queries have none

    @property
    def fieldname(self) -> str:
        return self.a.fieldname

    @property
    def text(self) -> str:
        """The derived term it stands for (``=run``)."""
        return EXACT_PREFIX + self.a.text

    def estimate_size(self, ixreader):
        return self.a.estimate_size(ixreader)  # at most the stem's documents

    def estimate_min_size(self, ixreader):
        return 0

    def matcher(self, searcher, context=None):
        ma = self.a.matcher(searcher, context)
        mb = self.b.matcher(searcher, context)
        return _ExactWordMatcher(ma, mb, self.boost)


class _ExactWordMatcher(SpanNot._Matcher):  # noqa: SLF001 - Whoosh's span matcher
    def __init__(self, a, b, boost: float):
        self._boost = boost
        super().__init__(a, b)

    def copy(self):
        return self.__class__(self.a.copy(), self.b.copy(), self._boost)

    def score(self):
        return self.a.score() * self._boost

    def _get_spans(self):
        # Whoosh's SpanNot asks the siblings' matcher for its document even when it is
        # exhausted (IndexError once the last cable with a sibling is passed).
        a, b = self.a, self.b
        if not b.is_active() or b.id() != a.id():
            return a.spans()
        covered = {span.start for span in b.spans()}
        return [span for span in a.spans() if span.start not in covered]


class ExactPhrase(SpanNear2):
    """An exact phrase with a derived word in it: :class:`ExactWord` and terms in order,
    each within *slop* positions of the one before (what ``Phrase`` does with terms;
    ``Phrase`` itself needs every word to have a posting list). Boosted like ``Phrase``."""

    def __init__(self, qs, slop=1, ordered=True, mindist=1):
        super().__init__(qs, slop=slop, ordered=ordered, mindist=mindist)
        self.boost = 1.0  # Whoosh's span queries have none

    def matcher(self, searcher, context=None):
        m = super().matcher(searcher, context)
        if self.boost != 1.0:
            m = WrappingMatcher(m, boost=self.boost)
        return m


#: Document frequencies remembered (ExactForms.doc_frequency), for all readers.
MAX_DOC_FREQUENCIES = 200_000


class ExactForms:
    """Per segment and field, stem -> the ``=`` terms with that stem. Shared by every
    search of one index (thread-safe); see the module docstring."""

    def __init__(self, max_maps: int = MAX_SEGMENT_MAPS):
        self._maps = LruCache(max_maps)
        # (scope, the reader's segments, field, term) -> documents with the term.
        self._dfs = LruCache(MAX_DOC_FREQUENCIES)

    def for_reader(self, reader, scope: str = "") -> "ExactTerms":
        """The exact terms of one open reader (*scope* names the index generation)."""
        return ExactTerms(reader, self, scope)

    def doc_frequency(self, reader, key: tuple, field: str, term: str) -> int:
        """``reader.doc_frequency(field, term)``, remembered under *key* (which must
        change whenever the reader's segments or deletions do): asking a segment's term
        table reads its file, and every search asks about every field of its words."""
        full = (*key, field, term)
        found = self._dfs.get(full)
        if found is MISSING:
            found = reader.doc_frequency(field, term)
            self._dfs.put(full, found)
        return found

    def segment_map(self, leaf, key: tuple | None, field: str) -> dict[str, tuple[str, ...]]:
        """stem -> ``=`` terms of one segment's field, read once (*key* None: not kept)."""
        if key is None:
            return _read_forms(leaf, field)
        found = self._maps.get(key)
        if found is MISSING:
            found = _read_forms(leaf, field)  # outside any lock: other fields go on meanwhile
            self._maps.put(key, found)
        return found


def _read_forms(leaf, field: str) -> dict[str, tuple[str, ...]]:
    # Every `=` term of the field, grouped by stem. Only words whose stem differs have
    # twins, so each one is a sibling of its stem.
    out: dict[str, list[str]] = {}
    if field not in leaf.schema:
        return {}
    for term in leaf.expand_prefix(field, EXACT_PREFIX):
        term = term.decode("utf-8") if isinstance(term, bytes) else term
        out.setdefault(stem(term[len(EXACT_PREFIX):]), []).append(term)
    return {k: tuple(v) for k, v in out.items()}


class ExactTerms:
    """The exact terms of one open reader: their Whoosh queries and their counts.

    :param reader: the open reader.
    :param forms: the shared per-segment sibling maps.
    :param scope: names the index generation (segment ids repeat across generations).
    """

    def __init__(self, reader, forms: ExactForms, scope: str = ""):
        self.reader = reader
        self.forms = forms
        self.scope = scope
        self._leaves = []
        for leaf, _base in reader.leaf_readers():
            seg = leaf.segment() if hasattr(leaf, "segment") else None
            self._leaves.append((leaf, seg.segment_id() if seg is not None else None))
        self._siblings: dict[tuple[str, str], tuple[str, ...]] = {}
        self._within: dict[tuple, list[str]] = {}
        self._key = None
        if all(seg_id is not None for _, seg_id in self._leaves):
            self._key = (scope, tuple((seg_id, leaf.doc_count()) for leaf, seg_id in self._leaves))

    def term_doc_frequency(self, field: str, term: str) -> int:
        """How many documents contain the index term *term* (deleted ones too, as
        Whoosh counts), remembered across searches of the same segments."""
        if self._key is None:
            return self.reader.doc_frequency(field, term)
        return self.forms.doc_frequency(self.reader, self._key, field, term)

    # ---- what a derived term is made of

    def siblings(self, field: str, word: str) -> tuple[str, ...]:
        """The ``=`` terms of *field* whose stem is *word* (``run`` -> ``=running``, ...)."""
        key = (field, word)
        found = self._siblings.get(key)
        if found is None:
            terms: set[str] = set()
            for leaf, seg_id in self._leaves:
                mkey = (self.scope, seg_id, field) if seg_id is not None else None
                terms.update(self.forms.segment_map(leaf, mkey, field).get(word, ()))
            terms.discard(EXACT_PREFIX + word)
            found = self._siblings[key] = tuple(sorted(terms))
        return found

    # ---- queries

    def query(self, field: str, term: str, boost: float = 1.0) -> wq.Query:
        """The query that finds *term* exactly: its own ``Term`` when it has a posting
        list, else the stem's occurrences less its siblings'."""
        if not is_derived(term):
            return wq.Term(field, term, boost=boost)
        word = term[len(EXACT_PREFIX):]
        siblings = self.siblings(field, word)
        if not siblings:
            return wq.Term(field, word, boost=boost)  # every occurrence of the stem is the word
        others = _or_terms(field, siblings)
        if not self._has_positions(field):
            # No positions (origin): the cables with the word and none of its other forms.
            return wq.And([wq.Term(field, word), wq.Not(others)], boost=boost)
        q = ExactWord(wq.Term(field, word), others)
        q.boost = boost
        return q

    def phrase(self, field: str, terms: list[str], slop: int = 1) -> wq.Query:
        """The phrase of *terms* (a positional field), exact where its terms are."""
        if not any(is_derived(t) for t in terms):
            return wq.Phrase(field, terms, slop=slop)
        return ExactPhrase([self.query(field, t) for t in terms], slop=slop, ordered=True, mindist=1)

    def _has_positions(self, field: str) -> bool:
        fmt = getattr(self.reader.schema[field], "format", None) if field in self.reader.schema else None
        return bool(fmt and fmt.supports("positions"))

    # ---- counts

    def frequency(self, field: str, term: str) -> int:
        """How often *term* occurs in *field* (all cables, deleted ones too): for a
        derived term, the stem's occurrences less its siblings' (they share positions)."""
        if not is_derived(term):
            return int(self.reader.frequency(field, term))
        word = term[len(EXACT_PREFIX):]
        total = self.reader.frequency(field, word)
        return max(0, int(total - sum(self.reader.frequency(field, s) for s in self.siblings(field, word))))

    def doc_frequency(self, field: str, term: str) -> int:
        """How many cables contain *term*; for a derived term an estimate, the stem's
        cables in proportion to the word's share of the stem's occurrences (exact when
        the word has no sibling, and 0 exactly when it occurs nowhere). Ranks spellings
        and weighs paragraphs; totals never use it."""
        if not is_derived(term):
            return self.term_doc_frequency(field, term)
        word = term[len(EXACT_PREFIX):]
        df = self.term_doc_frequency(field, word)
        if not self.siblings(field, word):
            return df
        total = self.reader.frequency(field, word)
        own = self.frequency(field, term)
        return max(1, round(df * own / total)) if own and total else 0

    # ---- words of the lexicon

    def is_word(self, field: str, term: str) -> bool:
        """Whether a plain term of the lexicon is also a word of the text as written
        (``nuclear``, not ``traffick``, the stem of *trafficking* only)."""
        return term.isalpha() and stem(term) == term and self.frequency(field, EXACT_PREFIX + term) > 0

    def words_within(self, field: str, word: str, dist: int, letters: int = 0) -> list[str]:
        """The exact terms (``=x``, indexed or derived) of words within *dist* edits of
        *word* (folded) that agree on its first *letters* letters.

        A word that is its own stem is looked for among the plain terms with at least
        its first letter right: walking the whole plain lexicon (stems, numbers, ids)
        costs as much again as the ``=`` terms (0.5 s against 0.06 s at 20,000
        documents). Kept for the search: a query is compiled once per tier, and the
        did-you-mean asks again."""
        key = (field, word, dist, letters)
        if key in self._within:
            return self._within[key]
        out = [t for t in map(_s, self.reader.terms_within(field, EXACT_PREFIX + word, dist,
                                                            prefix=len(EXACT_PREFIX) + letters))
               if t.startswith(EXACT_PREFIX)]
        for t in map(_s, self.reader.terms_within(field, word, dist, prefix=max(1, letters))):
            if self.is_word(field, t):
                out.append(EXACT_PREFIX + t)
        self._within[key] = out
        return out

    def words_matching(self, field: str, literal: str, match) -> Iterator[str]:
        """The exact terms of the words that begin with *literal* and satisfy *match* (a
        predicate on the word): ``=x`` terms, then the derived terms of the words that are
        their own stem. Lazy, so a caller can stop at a cap."""
        for t in map(_s, self.reader.expand_prefix(field, EXACT_PREFIX + literal)):
            if match(t[len(EXACT_PREFIX):]):
                yield t
        for t in map(_s, self.reader.expand_prefix(field, literal)):
            if match(t) and self.is_word(field, t):
                yield EXACT_PREFIX + t


def _or_terms(field: str, terms) -> wq.Query:
    # A binary tree of unions, always: a plain Or of three or more terms may be read
    # into an array of documents and scores (small segments, or when Whoosh thinks
    # nobody asks for the current posting), which has no positions, so no spans.
    terms = list(terms)
    if len(terms) == 1:
        return wq.Term(field, terms[0])
    return DefaultOr([wq.Term(field, t) for t in terms])


def _s(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
