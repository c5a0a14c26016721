"""One search, planned and run inside an open searcher: tiers, exact totals, order.

How a search is ranked (see ``docs/query-syntax.md`` for the language):

1. Cables the query names by id (``06BANGKOK3955``, ``BANGKOK 3955``) come first,
   oldest first.
2. Cables that match the whole query, by BM25F (subject above body, tag meanings and
   origin lower); the best :data:`RERANK_DEPTH` get a bonus when the words stand close
   together.
3. When fewer than :data:`RELAX_BELOW` cables match every word, cables matching most of
   the words follow, more words first, then by score; ``Results.relaxed`` says so.

Each tier's document set is computed exactly (``docs_for_query``), never estimated:
Whoosh's ``len(results)`` under-reports range-plus-word queries on large indexes.
"""

from __future__ import annotations

import re
from datetime import datetime, time

import numpy as np
from whoosh import collectors
from whoosh import query as wq

from .compile import Compiler
from .dates import parse_period
from .docsets import DocSet, DocSets
from .exact import ExactForms, ExactPhrase, ExactWord
from .facets import FACETS, FacetColumns
from .hits import HitMaker, text_terms
from .paragraphs import ParagraphMap, paragraph_marked, term_positions
from .proximity import proximity_bonus
from .scoring import score_arrays
from .querylang import And, Node, ParsedQuery, Word, text_clauses
from .results import Hit

__all__ = ["SearchPlan", "RELAX_BELOW", "RERANK_DEPTH"]

#: Below this many cables matching every word, cables matching most words follow.
RELAX_BELOW = 10
#: A word in more than this share of the cables is left out of scoring (see
#: :meth:`SearchPlan._scoring_query`).
COMMON_FRACTION = 0.5
#: How many of the best BM25F hits get the word-closeness bonus.
RERANK_DEPTH = 50
_FILTER_FACETS = set(FACETS)


class SearchPlan:
    """One search inside one open searcher: its queries, its result tiers, its order.

    Building the plan computes the exact document set of every tier (so ``total`` and
    the facets are exact); :meth:`ordered` then ranks only as deep as a page needs.

    :param searcher: the open searcher.
    :param schema: the index's schema (read once per generation by the caller).
    :param columns: the shared facet/date column cache.
    :param scope: the cache scope of this index generation.
    :param parsed: the parsed query.
    :param filters: facet filters and ``date_from``/``date_to``, as for ``search()``.
    :param sort: ``relevance``, ``date`` or ``-date``.
    :param forms: the shared per-segment word forms of exact words (:mod:`search.exact`).
    """

    def __init__(self, searcher, schema, columns: FacetColumns, scope: str,
                 parsed: ParsedQuery, filters, sort: str, forms: ExactForms | None = None):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.exact = (forms or ExactForms()).for_reader(self.reader, scope)
        self.docsets = DocSets(searcher, self.exact)
        self.schema = schema
        self.columns = columns
        self.scope = scope
        self.parsed = parsed
        self.sort = sort
        self.notes: list[str] = list(parsed.notes)
        self.comp = Compiler(self.reader, self.schema, self.exact)
        self.scores: dict[int, float] = {}
        self.relaxed_used = False
        self.tiers: list[tuple[str, DocSet, wq.Query]] = []
        self._marked: wq.Query | None = None
        root = parsed.root
        #: No word to rank by: an empty query (filters only) or only exclusions.
        self.browsing = root is None or not _requires_something(root)
        self.base = self._base(filters)
        self._build()

    # ---- queries

    def _base(self, filters) -> wq.Query:
        # Every document is a cable; when the query requires no word, kind:cable stands
        # for "every cable" (a cached posting set: Every() would walk the documents).
        root = self.parsed.root
        parts: list[wq.Query] = [] if root is not None and _requires_something(root) else [
            wq.Term("kind", "cable")]
        self.exact_origins: set[str] | None = None
        self._exact_origin_mask: np.ndarray | None = None
        for name, values in (filters or {}).items():
            if values in (None, "", [], ()):
                continue
            if name in ("date_from", "date_to"):
                period = parse_period(str(values))
                if period is None:
                    self.notes.append(
                        f"Ignored the filter {name}={values!r}: use YYYY, YYYY-MM or YYYY-MM-DD."
                    )
                    continue
                if name == "date_from":
                    parts.append(wq.DateRange("created", datetime.combine(period.start, time.min), None))
                else:
                    parts.append(wq.DateRange("created", None, datetime.combine(period.end, time.max)))
                continue
            if name not in _FILTER_FACETS:
                self.notes.append(
                    f"Ignored the unknown filter {name!r}; filters: {', '.join(FACETS)}, date_from, date_to."
                )
                continue
            vals = [values] if isinstance(values, (str, int)) else list(values)
            subs = []
            for v in vals:
                v = str(v)
                if name == "year":
                    if v.strip().isdigit():
                        subs.append(wq.NumericRange("year", int(v), int(v)))
                    else:
                        self.notes.append(f"Ignored the year filter {v!r}: not a year.")
                elif name == "origin":
                    # origin has no positions: AND its words, then keep exact values only.
                    terms = self.comp.analyze("origin", v)
                    if terms:
                        subs.append(wq.And([wq.Term("origin", t) for t in terms]))
                    self.exact_origins = (self.exact_origins or set()) | {v}
                else:
                    subs.append(wq.Term(name, v))
            if subs:
                parts.append(subs[0] if len(subs) == 1 else wq.Or(subs))
            else:
                parts.append(wq.NullQuery)
        if not parts:
            return wq.Every()
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def _docs(self, q: wq.Query) -> DocSet:
        docs = self.docsets.docs(q)
        if self.exact_origins is not None and docs:
            docs = DocSet(docs.mask & self._origin_mask())
        return docs

    def _origin_mask(self) -> np.ndarray:
        # The cables from exactly the filtered origins (the words matched by the query
        # may belong to a longer origin); one column pass a search, for every tier.
        if self._exact_origin_mask is None:
            origins = self.columns.column(self.reader, self.scope, "origin")
            allowed = self.columns.codes("origin", self.exact_origins)
            self._exact_origin_mask = np.isin(origins, allowed)
        return self._exact_origin_mask

    def _build(self) -> None:
        parsed, comp = self.parsed, self.comp
        root = parsed.root
        main = comp.compile(root) if root is not None else wq.Every()
        self.notes.extend(comp.notes)
        if parsed.markings:
            main = _and(main, self._marked_cables())
        self.main = main
        strict_q = _and(self.base, main)
        clauses = text_clauses(root)
        scored_q = self._scoring_query(root, clauses, strict_q)
        plain = [c for c in clauses if isinstance(c, Word) and c.mode == "stem"]
        self.prox = comp.proximity_stems(plain) if len(plain) >= 2 else None

        hint_docs = self.docsets.of(())
        self.hint_docs = hint_docs
        if parsed.refids:
            hint_q = _and(self.base, wq.Or([comp.refid_boost(h.refid, h.serial, h.text) for h in parsed.refids]))
            hint_docs = self.hint_docs = self._docs(hint_q)
            if hint_docs:
                self.tiers.append(("named", hint_docs, hint_q))
            else:
                named = ", ".join(h.refid or f"{h.serial} (any year)" for h in parsed.refids)
                self.notes.append(f"No cable {named} is in the index (or in the filters).")
        strict_docs = self._docs(strict_q) - hint_docs
        self.tiers.append(("all", strict_docs, scored_q))
        self.strict_total = len(strict_docs)

        relaxed: list[tuple[DocSet, wq.Query]] = []
        if len(clauses) >= 2 and len(strict_docs) < RELAX_BELOW and not hint_docs:
            relaxed = self._relaxed(root, clauses, strict_docs)
        for docs, q in relaxed:
            self.tiers.append(("some", docs, q))
        self.relaxed_used = any(docs for docs, _ in relaxed)
        self.all_docs = DocSet.union((t[1] for t in self.tiers), self.docsets.size)
        self.total = len(self.all_docs)

    def _scoring_query(self, root: Node | None, clauses: list[Node], strict_q: wq.Query) -> wq.Query:
        """The query that scores the strict tier: without its very common words.

        A word in most cables has an inverse document frequency near zero, so it
        barely moves BM25, but scoring it means walking its whole posting list. Such
        words still decide *which* cables match (the strict document set, used as a
        filter); they just don't take part in scoring.
        """
        self.scoring_filtered = False
        scored = strict_q
        if root is not None and len(clauses) >= 2:
            cables = max(1, self.reader.doc_frequency("kind", "cable"))
            common = [c for c in clauses if isinstance(c, Word) and c.mode == "stem"
                      and self.comp._df_any(c.text) > COMMON_FRACTION * cables]  # noqa: SLF001
            if common and len(common) < len(clauses):
                items = root.items if isinstance(root, And) else (root,)
                kept = [self.comp.compile(i) for i in items if i not in common]
                if self.parsed.markings:
                    kept.append(self._marked_cables())
                self.scoring_filtered = True
                scored = _and(self.base, *kept)
        # Checking positions again while scoring costs as much as finding the phrase
        # matches (and derived exact words) did; the matches are known exactly, so
        # score their words instead.
        if _has_phrase(scored):
            self.scoring_filtered = True
            scored = _phrase_words(scored)
        return scored

    def _relaxed(self, root: Node, clauses: list[Node], strict_docs: DocSet):
        """Cables matching at least half the words (not all), by how many they match."""
        others = [i for i in (root.items if hasattr(root, "items") else (root,)) if i not in clauses]
        required = [self.comp.compile(o) for o in others]
        if self.parsed.markings:
            required.append(self._marked_cables())
        clause_qs = [self.comp.compile(c) for c in clauses]
        counts = np.zeros(self.docsets.size, dtype=np.int32)
        for cq in clause_qs:
            counts += self._docs(_and(self.base, *required, cq)).mask
        n = len(clauses)
        least = max(1, (n + 1) // 2)
        # Each tier runs filtered to its documents, so positions need not be checked.
        any_q = _phrase_words(_and(self.base, *required, wq.Or(clause_qs)))
        tiers = []
        for k in range(n - 1, least - 1, -1):
            docs = DocSet((counts == k) & ~strict_docs.mask)
            if docs:
                tiers.append((docs, any_q))
        return tiers

    def _marked_cables(self) -> wq.Query:
        """Cables with a paragraph that has one of the markings and contains every word
        of the free text (a word through any term it stands for; a phrase, all its
        words), as a query on their refids. Computed once per search."""
        if self._marked is None:
            refids = sorted(self._marked_refids())
            self._marked = wq.Or([wq.Term("refid", r) for r in refids]) if refids else wq.NullQuery
        return self._marked

    def _marked_refids(self) -> set[str]:
        """The refids :meth:`_marked_cables` matches.

        The candidates are the cables with the marking somewhere (``markings``) and
        every word somewhere in the body, an exact set from the postings; the words'
        body positions (:func:`search.paragraphs.term_positions`) and each candidate's
        ``pmap`` then say which paragraphs hold them all, and only for a cable with
        such a paragraph is the stored cable decoded to read that paragraph's marking.
        """
        marks = wq.Or([wq.Term("markings", m) for m in self.parsed.markings])
        clauses = text_terms(self.comp, self.parsed)
        need = [wq.Or([wq.And([self.exact.query("body", t) for t in alt]) for alt in alts])
                for alts in clauses]
        candidates = self.docsets.docs(wq.And([marks, *need]) if need else marks)
        if not clauses:
            return {self.searcher.stored_fields(d)["refid"] for d in candidates}
        terms = {t for alts in clauses for alt in alts for t in alt}
        positions = term_positions(self.reader, terms, candidates, exact=self.exact)
        out = set()
        for d in sorted(candidates):
            stored = self.searcher.stored_fields(d)
            held = ParagraphMap.from_stored(stored.get("pmap")).holding(positions.get(d, {}))
            full = [i for i, ts in sorted(held.items())
                    if all(any(alt <= ts for alt in alts) for alts in clauses)]
            if full and _has_marked(stored["cable"], full, self.parsed.markings):
                out.add(stored["refid"])
        return out

    # ---- order

    def ordered(self, limit: int | None) -> list[int]:
        """The first *limit* documents of the whole ranking (all when ``None``)."""
        out: list[int] = []
        for name, docs, q in self.tiers:
            if limit is not None and len(out) >= limit:
                break
            if not docs:
                continue
            need = None if limit is None else limit - len(out)
            out.extend(self._rank(name, docs, q, need))
        return out

    def _rank(self, name: str, docs: DocSet, q: wq.Query, need: int | None) -> list[int]:
        if self.browsing and self.sort == "relevance":
            # Nothing to rank by (no words, or only excluded ones): newest first.
            return self._by_date(docs, need, reverse=True)
        if self.sort != "relevance" or name == "named":
            # By date; the cables a query names by id are few, oldest first.
            return self._by_date(docs, need, reverse=self.sort == "-date")
        if name == "all" and self.prox is not None:
            return self._rank_with_proximity(docs, q, need)
        ranked = self._top(name, docs, q, need)
        self.scores.update(ranked)
        return [d for d, _ in ranked]

    def _top(self, name: str, docs: DocSet, q: wq.Query, limit: int | None) -> list[tuple[int, float]]:
        """The *limit* best of a tier's documents for *q*, as ``(docnum, score)``, best
        first (ties by docnum). Scored directly when :func:`search.scoring.score_arrays`
        handles the query, else by Whoosh."""
        found = score_arrays(self.searcher, q, docs)
        if found is not None:
            docnums, scores = found
            if limit is not None and limit < len(scores):
                # Only the documents scoring at least the limit-th best score are
                # ordered: a common word's tier has 100,000 cables.
                kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
                head = scores >= kth
                docnums, scores = docnums[head], scores[head]
            order = np.lexsort((docnums, -scores))[:limit]
            return list(zip(docnums[order].tolist(), scores[order].tolist()))
        if limit is None:
            results = self.searcher.search(q, limit=None, **self._restrict(name, docs))
            return [(h.docnum, h.score) for h in results]
        # Whoosh's top-N collector "replaces" a union of the words' fields by its
        # high-scoring branches once the N-th score is known, but the branches' scores
        # add up, so it dropped cables that belong in the top N (5 of the 160 bench
        # searches at 25k). Without the replacement the top N is exact.
        top = collectors.TopCollector(limit=limit)
        top.replace = 0
        restrict = self._restrict(name, docs)
        c = collectors.FilterCollector(top, allow=restrict.get("filter"), restrict=restrict.get("mask"))
        self.searcher.search_with_collector(q, c)
        return [(h.docnum, h.score) for h in c.results()]

    def _restrict(self, name: str, docs: DocSet) -> dict:
        """How to keep a tier's query to the tier's documents. The strict tier's query
        matches exactly its documents (less the named cables), so it runs unfiltered and
        Whoosh can skip low-scoring blocks; a filter set makes it visit every match."""
        if name == "all" and self.exact_origins is None and not self.scoring_filtered:
            return {"mask": set(self.hint_docs)} if self.hint_docs else {}
        return {"filter": set(docs)}  # Whoosh takes sets only

    def _by_date(self, docs: DocSet, need: int | None, reverse: bool) -> list[int]:
        """*docs* by sending time from the cached ``created`` column (ties by refid order
        of indexing); cables without a date last."""
        ids = docs.ids()
        created = self.columns.column(self.reader, self.scope, "created")[ids]
        undated = created == self.columns.NO_DATE
        # ~ reverses the order of unsigned integers.
        order = np.lexsort((ids, ~created if reverse else created, undated))
        if need is not None:
            order = order[:need]
        return ids[order].tolist()

    def _rank_with_proximity(self, docs: DocSet, q: wq.Query, need: int | None) -> list[int]:
        """BM25F, then the top :data:`RERANK_DEPTH` get a bonus where the words stand
        close together (:func:`search.proximity.proximity_bonus`)."""
        depth = None if need is None else max(need, RERANK_DEPTH)
        ranked = self._top("all", docs, q, depth)
        head = ranked[:RERANK_DEPTH]
        bonus = proximity_bonus(self.searcher, self.prox, [d for d, _ in head])
        head = sorted(head, key=lambda ds: (-(ds[1] + bonus.get(ds[0], 0.0)), ds[0]))
        out = []
        for d, score in head + ranked[RERANK_DEPTH:]:
            self.scores[d] = score + bonus.get(d, 0.0)
            out.append(d)
        return out if need is None else out[:need]

    # ---- hits

    def hits(self, docnums: list[int], snippets: bool) -> list[Hit]:
        """The plain hits for *docnums* (see :class:`search.hits.HitMaker`)."""
        return HitMaker(self.searcher, self.schema, self.parsed, self.comp, self.scores,
                        self.docsets).hits(docnums, snippets)

    def highlight(self, docnum: int) -> dict[int, str]:
        """One cable's paragraphs that the query matches, highlighted whole (see
        :meth:`search.hits.HitMaker.highlight_all`)."""
        return HitMaker(self.searcher, self.schema, self.parsed, self.comp, self.scores,
                        self.docsets).highlight_all(docnum)

    # ---- words

    def echo(self) -> str:
        """The query as understood, with the ranking it got."""
        text = self.parsed.describe()
        sort = "-date" if self.browsing and self.sort == "relevance" else self.sort
        order = {"relevance": "best match first", "date": "oldest first", "-date": "newest first"}[sort]
        out = f"{text}; {order}"
        if self.relaxed_used:
            n = self.strict_total
            some = ("no cable matches" if n == 0 else
                    f"only {n} cable{' matches' if n == 1 else 's match'}")
            out += f"; {some} every word, so cables matching most of the words follow"
        return out

    def suggestion(self) -> str | None:
        """A did-you-mean query, when a word is unknown to the index and a close,
        common spelling exists (from the exact terms, so suggestions are words, also
        those that are their own stem such as *nuclear*: see :mod:`search.exact`)."""
        from indexer.analysis import fold

        if self.parsed.root is None:
            return None
        text = self.parsed.text
        changed = False
        for w in self.comp.plain_words:
            if self.comp._df_any(w.text) > 0:
                continue
            folded = fold(w.text)
            if len(folded) < 4 or not folded.isalpha():
                continue
            dist = 1 if len(folded) < 7 else 2
            best = None
            for f in ("body", "subject"):
                for t in self.exact.words_within(f, folded, dist, letters=1):
                    df = self.exact.doc_frequency(f, t)
                    if best is None or df > best[1]:
                        best = (t[1:], df)
            if best:
                text = _replace_word(text, w.text, best[0])
                changed = True
        return text if changed and text != self.parsed.text else None


def _has_marked(stored_cable: bytes, pindexes: list[int], markings) -> bool:
    """Whether one of the paragraphs *pindexes* of a stored cable has one of *markings*."""
    from indexer.store import decode_cable

    cable = decode_cable(stored_cable)
    return any(paragraph_marked(cable, i, markings) for i in pindexes)


def _has_phrase(q: wq.Query) -> bool:
    """Whether *q* checks positions: a phrase, or a derived exact word."""
    if isinstance(q, (wq.Phrase, ExactPhrase, ExactWord)):
        return True
    return any(_has_phrase(sub) for sub in getattr(q, "subqueries", ()))


def _phrase_words(q: wq.Query) -> wq.Query:
    """*q* with every phrase replaced by the AND of its words, and every derived exact
    word by its stem term (same field and boost). Scores stay the same: Whoosh scores a
    phrase as the sum of its terms, and an :class:`~search.exact.ExactWord` as its stem
    term; only the positions are no longer checked, so run it filtered to the matches."""
    if isinstance(q, wq.Phrase):
        return wq.And([wq.Term(q.fieldname, w) for w in q.words], boost=q.boost)
    if isinstance(q, ExactWord):
        return wq.Term(q.a.fieldname, q.a.text, boost=q.boost)
    if isinstance(q, ExactPhrase):
        return wq.And([_phrase_words(sub) for sub in q.qs], boost=q.boost)
    if isinstance(q, (wq.And, wq.Or)):
        return type(q)([_phrase_words(sub) for sub in q.subqueries], boost=q.boost)
    if isinstance(q, wq.AndMaybe):
        return wq.AndMaybe(_phrase_words(q.a), _phrase_words(q.b), boost=q.boost)
    if isinstance(q, wq.Not):
        return q
    return q


def _and(*queries: wq.Query) -> wq.Query:
    """AND of *queries*, leaving out ``Every()`` (which would walk every document)."""
    kept = [q for q in queries if not isinstance(q, wq.Every)]
    if not kept:
        return wq.Every()
    return kept[0] if len(kept) == 1 else wq.And(kept)


def _requires_something(node: Node) -> bool:
    """Whether every match of *node* must contain some positive term (so it can only be
    a cable document); false for pure negations like ``-burma``."""
    from .querylang import And, Not, Or

    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_requires_something(i) for i in node.items)
    if isinstance(node, Or):
        return all(_requires_something(i) for i in node.items)
    return True


def _replace_word(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?<![\w=]){re.escape(old)}(?!\w)", new, text, count=1)
