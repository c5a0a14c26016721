"""The syntax tree (:mod:`search.querylang`) -> Whoosh queries, against the open index.

Every word goes through the analyzer pickled in the index's own schema (never a copy),
so query terms are exactly the terms the writer produced: stems for plain words,
``=word`` twins for ``=word`` and phrases in ``="..."``, whole ids for refids. A word that
is its own stem has no ``=`` twin in the index (schema version 4); its ``=word`` is
*derived* from the stem's positions by :mod:`search.exact`, which builds every exact
query here. Field names and types come from :mod:`indexer.schema`; this module is the
only place that knows them.

A :class:`Compiler` lives for one search (it holds the open reader to expand prefixes,
wildcards, fuzzy terms and name variants) and records, for the echo and the hits, which
index terms stand for which of the user's words.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
from datetime import datetime, time

from nltk.metrics.distance import edit_distance
from whoosh import query as wq

from .errors import QueryError
from .exact import ExactForms, ExactTerms, is_derived
from .querylang import And, Dates, Node, Not, Or, Phrase, Word

from indexer.names import name_variants, query_name_keys
from indexer.refids import canonical_refid, refid_spellings
from indexer.tags import codes_for_words

__all__ = ["Compiler", "TEXT_BOOSTS", "MAX_EXPANSION", "EXACT_PREFIX"]

#: Where plain words are looked for, and how much a match in each field counts.
#: The subject is the cable's own summary of itself; the tag meanings are short and
#: generic, so they count least. Measured with ``bench/eval_ranking.py``.
TEXT_BOOSTS: dict[str, float] = {"subject": 2.5, "body": 1.0, "tagtext": 0.4, "origin": 0.4}

#: The closest spellings of a name searched besides the one typed.
MAX_NAME_VARIANTS = 6

#: How much a name variant (Qadhafi for Gaddafi) counts against the spelling typed.
NAME_VARIANT_BOOST = 0.35

#: A word no cable contains is also searched as its commonest close spellings, this
#: many of them, at this weight.
MAX_CLOSE_SPELLINGS = 3
CLOSE_SPELLING_BOOST = 0.5

#: How many index terms one wildcard, prefix or fuzzy word may expand to.
MAX_EXPANSION = 512

#: The analyzer's marker of an exact (unstemmed) term.
EXACT_PREFIX = "="

#: Index fields that hold upper-case keyword values (matched by value, not analyzed).
#: ``cited_by`` is no index field: ``citedby:X`` reads X's ``references`` (see
#: :meth:`Compiler.cited_by`).
_KEYWORD_FIELDS = {"tags", "caveats", "references", "cited_by", "classification", "refid"}


_REFID_WORD = re.compile(r"^\d{2}[A-Za-z]{2,}\d{1,6}$")


def _end_of_day(d) -> datetime:
    return datetime.combine(d, time.max)


class Compiler:
    """Compiles one parsed query against one open reader.

    :param reader: the Whoosh reader of the searcher the query will run on.
    :param schema: the index's own schema (its analyzers are the writer's).
    :param exact: the reader's exact terms (:mod:`search.exact`); by default read
        afresh, without the shared per-segment cache.
    """

    def __init__(self, reader, schema, exact: ExactTerms | None = None):
        self.reader = reader
        self.schema = schema
        self.exact = exact if exact is not None else ExactForms().for_reader(reader)
        #: (field, term text) -> the user's word it came from, for matched terms.
        self.term_words: dict[tuple[str, str], str] = {}
        #: word -> (field, term) pairs of a plain word in the body, for did-you-mean.
        self.plain_words: list[Word] = []
        #: Sentences for ``Results.notes`` (e.g. close spellings searched for a typo).
        self.notes: list[str] = []

    # ------------------------------------------------------------------ analysis

    def analyze(self, field: str, text: str, exact: bool = False) -> list[str]:
        """The query-mode terms ``text`` gives in ``field`` (exact twins if *exact*)."""
        fobj = self.schema[field]
        analyzer = getattr(fobj, "analyzer", None)
        if analyzer is None or field in _KEYWORD_FIELDS:
            return [text]
        kw = {"exact": True} if exact else {}
        return [t.text for t in analyzer(text, mode="query", **kw)]

    def _note(self, field: str, term: str, word: str) -> None:
        self.term_words.setdefault((field, term), word)

    # ------------------------------------------------------------------ nodes

    def compile(self, node: Node, text_fields: dict[str, float] | None = None) -> wq.Query:
        """The Whoosh query for *node*; plain words search *text_fields* (field -> boost)."""
        fields = text_fields or TEXT_BOOSTS
        if isinstance(node, And):
            return wq.And([self.compile(i, fields) for i in node.items])
        if isinstance(node, Or):
            return wq.Or([self.compile(i, fields) for i in node.items])
        if isinstance(node, Not):
            return wq.Not(self.compile(node.item, fields))
        if isinstance(node, Dates):
            p = node.period
            start = datetime.combine(p.start, time.min) if p.start else None
            end = _end_of_day(p.end) if p.end else None
            return wq.DateRange("created", start, end)
        if isinstance(node, Phrase):
            return self.phrase(node, fields)
        if isinstance(node, Word):
            return self.word(node, fields)
        raise TypeError(f"unknown node {node!r}")  # pragma: no cover - programming error

    def _targets(self, fld: str | None, fields: dict[str, float]) -> dict[str, float]:
        if fld is None:
            return fields
        if fld == "to":
            return {"to": 1.0, "info": 1.0}
        return {fld: 1.0}

    def phrase(self, node: Phrase, fields: dict[str, float]) -> wq.Query:
        """A phrase in each target field (``"vital voices"``; ``="..."`` is exact)."""
        if node.field in _KEYWORD_FIELDS:
            return self.word(Word(" ".join(node.words), node.field), fields)
        exact = getattr(node, "exact", False)
        subs = []
        for fld, boost in self._targets(node.field, fields).items():
            if fld in ("origin",) and node.field is None:
                continue
            terms = []
            for w in node.words:
                for t in self.analyze(fld, w, exact=exact):
                    terms.append(t)
                    self._note(fld, t, w)
            if not terms:
                continue
            if len(terms) == 1:
                q = self.exact.query(fld, terms[0])
            elif self._has_positions(fld):
                q = _or([self.exact.phrase(fld, v, slop=max(1, node.slop)) if len(v) > 1
                         else self.exact.query(fld, v[0])
                         for v in self._joined_variants(fld, node.words, terms, exact)])
            else:  # a field without positions (origin): all the words
                q = wq.And([self.exact.query(fld, t) for t in terms])
            subs.append(_boosted(q, boost))
        return _or(subs)

    def _joined_variants(self, fld: str, words, terms: list[str], exact: bool) -> list[list[str]]:
        """The phrase's terms, plus the same with two neighbours joined where the text
        may have written them as one compound: the index keeps ``high-level`` as one
        position (``high``, ``level`` and ``highlevel`` stacked), so the phrase
        ``"request high level"`` must also be tried as ``request highlevel``."""
        out = [terms]
        if len(words) != len(terms) or len(words) > 6:
            return out
        for i in range(len(words) - 1):
            joined = self.analyze(fld, words[i] + words[i + 1], exact=exact)
            if len(joined) == 1 and self.exact.doc_frequency(fld, joined[0]) > 0:
                self._note(fld, joined[0], f"{words[i]}-{words[i + 1]}")
                out.append(terms[:i] + joined + terms[i + 2 :])
        return out

    def _has_positions(self, fld: str) -> bool:
        fmt = getattr(self.schema[fld], "format", None)
        return bool(fmt and fmt.supports("positions"))

    def word(self, node: Word, fields: dict[str, float]) -> wq.Query:
        """One word in each target field, with its expansions and name variants."""
        fld = node.field
        if fld in _KEYWORD_FIELDS:
            return self.keyword(node)
        targets = self._targets(fld, fields)
        if node.mode in ("prefix", "wildcard", "fuzzy"):
            return self.expanded(node, targets)
        subs = []
        exact = node.mode == "exact"
        for f, boost in targets.items():
            terms = self.analyze(f, node.text, exact=exact)
            if not terms:
                continue
            for t in terms:
                self._note(f, t, node.text)
            if len(terms) == 1:
                q = self.exact.query(f, terms[0])
            elif self._has_positions(f):
                q = self.exact.phrase(f, terms)
            else:
                q = wq.And([self.exact.query(f, t) for t in terms])
            subs.append(_boosted(q, boost))
        if fld is None and node.mode == "stem":
            self.plain_words.append(node)
            variants = self.name_variants(node)
            subs.extend(variants)
            if not variants:
                subs.extend(self.close_spellings(node, targets))
            if _REFID_WORD.match(node.text):  # a cited id also finds the cables citing it
                canon = canonical_refid(node.text)
                if canon:
                    self._note("references", canon, node.text)
                    subs.append(wq.Term("references", canon))
        return _or(subs)

    def name_variants(self, node: Word) -> list[wq.Query]:
        """Other spellings of a name (Qadhafi for Gaddafi), scored below the spelling typed.

        Any case (users type ``gaddafi``): :func:`indexer.names.query_name_keys` gives
        keys only to name-like words, never to the common words of the cables, so
        ordinary words are never blurred.
        """
        if "names" not in self.schema.names():
            return []
        typed = node.text.lower()
        out = []
        for key in query_name_keys(node.text):
            terms = [t.decode("utf-8") if isinstance(t, bytes) else t
                     for t in self.reader.expand_prefix("names", key + "_")]
            for term in name_variants(node.text, terms)[:MAX_NAME_VARIANTS]:
                if term.endswith("_" + typed):
                    continue  # the spelling typed is matched in the text already
                # Same key, but too far apart in spelling (Cadivi for Gaddafi): skip.
                if edit_distance(typed, term.partition("_")[2]) > max(2, len(typed) // 3):
                    continue
                self._note("names", term, node.text)
                out.append(wq.Term("names", term, boost=NAME_VARIANT_BOOST))
        return out

    def close_spellings(self, node: Word, targets: dict[str, float]) -> list[wq.Query]:
        """For a word no cable contains (a typo such as ``nucelar``), the commonest
        words one or two edits away, at a lower weight, so the query still finds
        what was meant; the notes say which words were used."""
        from indexer.analysis import fold

        word = fold(node.text)
        if len(word) < 5 or not word.isalpha() or self._df_any(node.text) > 0:
            return []
        dist = 1 if len(word) < 6 else 2
        found: dict[str, int] = {}
        # Words as written (exact terms), so the notes name words, not stems.
        for t in self.exact.words_within("body", word, dist):
            if t != EXACT_PREFIX + word:
                found[t] = self.exact.doc_frequency("body", t)
        best = sorted(found, key=lambda t: (-found[t], t))[:MAX_CLOSE_SPELLINGS]
        if not best:
            return []
        self.notes.append(
            f"No cable contains '{node.text}'; also searched "
            + ", ".join(f"'{t[len(EXACT_PREFIX):]}'" for t in best) + "."
        )
        out = []
        for f, boost in targets.items():
            if f == "origin":
                continue
            for t in best:
                self._note(f, t, node.text)
                out.append(self.exact.query(f, t, boost=boost * CLOSE_SPELLING_BOOST))
        return out

    def _df_any(self, word: str) -> int:
        terms = self.analyze("body", word)
        return sum(self.exact.term_doc_frequency("body", t) for t in terms)

    def keyword(self, node: Word) -> wq.Query:
        """``tag:``, ``caveat:``, ``classification:``, ``refid:``, ``refs:``, ``citedby:``."""
        fld, value = node.field, node.text.strip()
        upper = value.upper()
        if fld == "cited_by":
            return self.cited_by(node)
        if fld in ("refid", "references"):
            if node.mode in ("prefix", "wildcard"):
                return self._expand_values(fld, upper, node)
            # A citation is indexed canonical; a cable under its own spelling.
            canon = (canonical_refid(value) if fld == "references" else self.indexed_refid(value)) \
                or re.sub(r"\s+", "", upper)
            self._note(fld, canon, value)
            return wq.Term(fld, canon)
        if node.mode in ("prefix", "wildcard"):
            return self._expand_values(fld, upper, node)
        if fld == "classification":
            values = self._lexicon(fld)
            hits = [v for v in values if v == upper or upper in v.split("//")] or [
                v for v in values if v.startswith(upper)
            ]
        elif fld == "tags":
            hits = [upper] if self._has_value(fld, upper) else []
            if not hits:  # a person's name inside a tag, or words of a meaning
                values = self._lexicon(fld)
                hits = [v for v in values if re.search(rf"\b{re.escape(upper)}\b", v)]
                if not hits:
                    hits = [c for c in codes_for_words(value) if c in values]
        else:
            hits = [upper] if self._has_value(fld, upper) else []
        for v in hits:
            self._note(fld, v, value)
        if not hits:
            return wq.Term(fld, upper)  # matches nothing; the echo still says what was asked
        return _or([wq.Term(fld, v) for v in hits])

    def cited_by(self, node: Word) -> wq.Query:
        """``citedby:X``: the cables X cites, i.e. the refids in X's own ``references``.

        The index keeps citations one way only (``references``), so they are read from
        X's stored cable; ``07ANKARA*`` reads every indexed cable whose refid matches.
        """
        value = node.text.strip()
        if node.mode in ("prefix", "wildcard"):
            upper = value.upper()
            pattern = upper if node.mode == "wildcard" else upper.rstrip("*") + "*"
            rx = re.compile(fnmatch.translate(pattern))
            citers = [v for v in self._lexicon("refid") if rx.match(v)]
            self._check_cap(node, len(citers))
        else:
            citers = [self.indexed_refid(value) or re.sub(r"\s+", "", value.upper())]
        cited: set[str] = set()
        for refid in citers:
            cited.update(self._references_of(refid))
        for refid in sorted(cited):
            self._note("refid", refid, value)
        if not cited:  # a term no cable has: matches nothing, and NOT of it everything
            return wq.Term("refid", "")
        return _or([wq.Term("refid", r) for r in sorted(cited)])

    def _references_of(self, refid: str) -> tuple[str, ...]:
        """The refids the indexed cable *refid* cites (none if it is not indexed)."""
        from indexer.store import decode_cable

        for leaf, base in self.reader.leaf_readers():
            if ("refid", refid) not in leaf:
                continue
            m = leaf.postings("refid", refid)  # without the deleted (replaced) versions
            if m.is_active():
                return tuple(decode_cable(self.reader.stored_fields(base + m.id())["cable"]).references)
        return ()

    def indexed_refid(self, text: str | None, fallback: str | None = None) -> str | None:
        """The refid *text* names (:func:`indexer.refids.refid_spellings`): the first
        spelling a cable is indexed under, else *fallback*, else the first spelling;
        ``None`` if it names none."""
        spellings = refid_spellings(text)
        return next((r for r in spellings if self._has_value("refid", r)),
                    fallback or (spellings[0] if spellings else None))

    def _has_value(self, fld: str, value: str) -> bool:
        """Whether *value* is a term of keyword field *fld*: one term look-up. (Reading
        the field's whole lexicon, term by term from every segment, took milliseconds
        for the TAGs.)"""
        try:
            return (fld, value) in self.reader
        except UnicodeEncodeError:  # a lone surrogate: no term (valid UTF-8) equals it
            return False

    def _lexicon(self, fld: str) -> list[str]:
        return [t.decode("utf-8") if isinstance(t, bytes) else t for t in self.reader.lexicon(fld)]

    def _expand_values(self, fld: str, pattern: str, node: Word) -> wq.Query:
        rx = re.compile(fnmatch.translate(pattern if node.mode == "wildcard" else pattern.rstrip("*") + "*"))
        hits = [v for v in self._lexicon(fld) if rx.match(v)]
        self._check_cap(node, len(hits))
        for v in hits:
            self._note(fld, v, node.text)
        return _or([wq.Term(fld, v) for v in hits]) if hits else wq.Term(fld, pattern)

    def expanded(self, node: Word, targets: dict[str, float]) -> wq.Query:
        """``traffick*``, ``w?rd``, ``gaddafi~``: expanded over the words as written (exact
        terms, :meth:`search.exact.ExactTerms.words_matching`), so a prefix means what was
        typed, not what the stemmer made of it."""
        from indexer.analysis import fold

        text = fold(node.text)
        has_digit = any(c.isdigit() for c in text)
        terms: set[str] = set()
        for f in targets:
            if f not in self.schema.names():
                continue
            if node.mode == "fuzzy":
                terms.update(self.exact.words_within(f, text, node.fuzz, letters=1))
                if has_digit:
                    terms.update(_s(t) for t in self.reader.terms_within(f, text, node.fuzz, prefix=1))
                continue
            pattern = text if "*" in text or "?" in text else text + "*"
            literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
            rx = re.compile(fnmatch.translate(pattern))
            found = self.exact.words_matching(f, literal, rx.match)
            if has_digit:  # numbers and ids are plain terms, exact already
                found = itertools.chain(found, (t for t in map(_s, self.reader.expand_prefix(f, literal))
                                                if rx.match(t) and not t.startswith(EXACT_PREFIX)))
            for t in found:
                terms.add(t)
                if len(terms) > MAX_EXPANSION:
                    self._check_cap(node, len(terms))
        self._check_cap(node, len(terms))
        if not terms:
            return wq.Term(next(iter(targets)), EXACT_PREFIX + text)
        subs = []
        for f, boost in targets.items():
            if f not in self.schema.names():
                continue
            for t in sorted(terms):
                self._note(f, t, node.text)
            subs.append(_boosted(wq.Or([self._expansion_query(f, t, terms) for t in sorted(terms)]), boost))
        return _or(subs)

    def _expansion_query(self, f: str, term: str, terms: set[str]) -> wq.Query:
        """One word of an expansion. A derived ``=run`` whose siblings (``=running``, ...)
        are all in the expansion too (``run*``) is just its stem term: no positions needed."""
        if is_derived(term):
            word = term[len(EXACT_PREFIX):]
            if terms.issuperset(self.exact.siblings(f, word)):
                return wq.Term(f, word)
        return self.exact.query(f, term)

    def _check_cap(self, node: Word, count: int) -> None:
        if count > MAX_EXPANSION:
            shown = node.text + ("~" if node.mode == "fuzzy" else "" if "*" in node.text or "?" in node.text else "*")
            raise QueryError(
                f"'{shown}' matches more than {MAX_EXPANSION} different words; "
                "make it longer or more specific (e.g. add letters before the *)."
            )

    # ------------------------------------------------------------------ helpers

    def proximity_stems(self, words: list[Word]) -> list[str] | None:
        """The analyzed terms of consecutive plain words, in order, for the closeness
        bonus (:mod:`search.proximity`); ``None`` for fewer than two."""
        stems = []
        for w in words:
            stems.extend(self.analyze("body", w.text))
        return stems if len(stems) >= 2 else None

    def refid_boost(self, refid: str | None, serial: str, typed: str | None = None) -> wq.Query:
        """The cable(s) a query names by id: the exact id (as *typed* if a cable has
        that spelling, ``06MINSI225``, else *refid*, the canonical one), or every
        year's cable with that station and serial when the year is missing."""
        if refid:
            refid = self.indexed_refid(typed, refid)
            self._note("refid", refid, refid)
            return wq.Term("refid", refid)
        key = serial.lower()
        self._note("serial", key, serial)
        return wq.Term("serial", key)


def _s(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _boosted(q: wq.Query, boost: float) -> wq.Query:
    if boost != 1.0:
        q = q.copy() if hasattr(q, "copy") else q
        q.boost = boost
    return q


def _or(subs: list[wq.Query]) -> wq.Query:
    if not subs:
        return wq.NullQuery
    return subs[0] if len(subs) == 1 else wq.Or(subs)
