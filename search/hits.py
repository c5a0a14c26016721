"""Whoosh documents -> plain :class:`~search.results.Hit` objects, inside the searcher.

Only the page's hits come here: their stored cables are decoded, their best paragraphs
found from where the query's words sit in their bodies (:mod:`search.paragraphs`), and
snippets cut from those paragraphs only.
"""

from __future__ import annotations

from .compile import Compiler
from .docsets import DocSets
from .paragraphs import (ParagraphMap, body_term, clause_alternatives, paragraph_marked, term_idf,
                         term_positions)
from .querylang import Or, ParsedQuery, text_only
from .results import Hit, ParagraphHit
from .snippets import make_snippet, match_spans

__all__ = ["HitMaker", "PARAGRAPHS_PER_HIT", "text_terms"]

#: Best paragraphs shown per hit.
PARAGRAPHS_PER_HIT = 2


def text_terms(comp: Compiler, parsed: ParsedQuery) -> list[list[frozenset[str]]]:
    """The positive free-text clauses of a query (words and phrases, see
    :func:`search.querylang.text_only`), each as the sets of body terms that satisfy it
    (:func:`search.paragraphs.clause_alternatives`); clauses without a body term are
    left out. Compiling them for the body alone also registers, in ``comp.term_words``,
    the terms that expansions and name variants stand for."""
    text = text_only(parsed.root)
    if text is None:
        return []
    items = text.items if isinstance(text, Or) else (text,)
    clauses = [clause_alternatives(comp.compile(i, {"body": 1.0})) for i in items]
    return [c for c in clauses if c]


class HitMaker:
    """Builds the hits of one search.

    :param searcher: the open searcher (hits are fully read before it closes).
    :param schema: the index's schema (its analyzer cuts the snippets).
    :param parsed: the parsed query (its words pick and mark paragraphs).
    :param comp: the compiler that built the query (it knows which index terms stand
        for which of the user's words).
    :param scores: docnum -> score of the ranking.
    :param docsets: the search's document sets (for the words each hit contains).
    """

    def __init__(self, searcher, schema, parsed: ParsedQuery, comp: Compiler | None,
                 scores: dict[int, float], docsets: DocSets | None = None):
        self.docsets = docsets
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = schema
        self.parsed = parsed
        self.comp = comp
        self.scores = scores

    def hits(self, docnums: list[int], snippets: bool) -> list[Hit]:
        """:class:`Hit` objects for *docnums*, in order; with best paragraphs if *snippets*."""
        from indexer.store import decode_cable

        stored = [(d, self.searcher.stored_fields(d)) for d in docnums]
        cables = [(d, decode_cable(f["cable"])) for d, f in stored]
        if snippets:
            maps = {d: ParagraphMap.from_stored(f.get("pmap")) for d, f in stored}
            paras = self._paragraphs([(d, c, maps[d]) for d, c in cables])
        else:
            paras = {}
        matched = self._matched_terms(docnums) if snippets else {}
        # The same for every hit of the page (the query's terms are all compiled by now).
        terms = self._snippet_terms() if snippets and cables else frozenset()
        return [
            Hit(
                refid=c.refid,
                subject=c.subject,
                created=c.created,
                origin=c.origin,
                classification=c.classification,
                caveats=tuple(c.caveats),
                tags=tuple(c.tags),
                score=float(self.scores.get(d, 0.0)),
                paragraphs=self._snippets(c, paras.get(d, []), terms) if snippets else (),
                matched_terms=matched.get(d, ()),
            )
            for d, c in cables
        ]

    def highlight_all(self, docnum: int) -> dict[int, str]:
        """Every paragraph of one cable that the query's words match, whole, as escaped
        HTML with each match in ``<mark>``: paragraph index -> html. Paragraphs without a
        match are left out."""
        from indexer.store import decode_cable

        cable = decode_cable(self.searcher.stored_fields(docnum)["cable"])
        analyzer = self.schema["body"].analyzer
        terms = self._snippet_terms()
        out: dict[int, str] = {}
        for i, p in enumerate(cable.paragraphs):
            spans = match_spans(p.text, analyzer, terms)
            if spans:
                out[i] = make_snippet(p.text, spans, size=len(p.text))[2]
        return out

    def _matched_terms(self, docnums: list[int]) -> dict[int, tuple[str, ...]]:
        """Which of the user's words each hit contains, in any field the query searched,
        in the order they were typed. The terms' document sets were computed for the
        totals already (:class:`search.docsets.DocSets` keeps them for the search), so
        this is set membership."""
        if not docnums or self.parsed.root is None or self.docsets is None:
            return {}
        out: dict[int, list[str]] = {d: [] for d in docnums}
        for (f, t), word in self.comp.term_words.items():
            if f not in self.schema.names():
                continue
            docs = self.docsets.exact_term(f, t)
            for d in docnums:
                if d in docs and word not in out[d]:
                    out[d].append(word)
        order = {w: i for i, w in enumerate(dict.fromkeys(self.comp.term_words.values()))}
        return {d: tuple(sorted(ws, key=lambda w: order.get(w, 0))) for d, ws in out.items()}

    def _paragraphs(self, cables: list[tuple[int, object, ParagraphMap]]
                    ) -> dict[int, list[tuple[int, float]]]:
        """Each cable's best paragraphs: docnum -> [(pindex, score)], best first.

        :param cables: ``(docnum, Cable, its ParagraphMap)`` of the page's hits.

        Paragraphs are ranked by BM25 among the cable's paragraphs (:func:`_bm25`;
        ties: the earlier paragraph). The positions come from the body postings of the
        page's cables (:func:`term_positions`: each term's posting list is walked
        forward once), so a page costs milliseconds however common the words are.
        With ``marking:``, only paragraphs so marked qualify.
        """
        clauses = text_terms(self.comp, self.parsed) if self.comp is not None else []
        terms = list(dict.fromkeys(t for alts in clauses for alt in alts for t in alt))
        if not terms or not cables:
            return {}
        exact = self.comp.exact
        found = term_positions(self.reader, terms, [d for d, _, _ in cables], exact=exact)
        idf = {t: term_idf(self.reader, t, exact) for t in terms}
        best: dict[int, list[tuple[int, float]]] = {}
        for d, cable, pmap in cables:
            scores = _bm25(pmap, found.get(d, {}), idf)
            if self.parsed.markings:
                scores = {i: v for i, v in scores.items()
                          if paragraph_marked(cable, i, self.parsed.markings)}
            if scores:
                best[d] = sorted(scores.items(), key=lambda iv: (-iv[1], iv[0]))[:PARAGRAPHS_PER_HIT]
        return best

    def _snippet_terms(self) -> frozenset[str]:
        """The index terms whose words snippets mark: the body's and the subject's (one
        analyzer), and for a name variant the body term of its spelling."""
        out = set()
        for f, t in self.comp.term_words:
            term = t if f == "subject" else body_term(f, t)
            if term is not None:
                out.add(term)
        return frozenset(out)

    def _snippets(self, cable, best: list[tuple[int, float]], terms: frozenset[str]
                  ) -> tuple[ParagraphHit, ...]:
        """The snippets of *cable*'s best paragraphs, marking *terms* (:meth:`_snippet_terms`)."""
        analyzer = self.schema["body"].analyzer
        out = []
        for pindex, _score in best:
            if pindex >= len(cable.paragraphs):
                continue
            p = cable.paragraphs[pindex]
            text, offsets, html = make_snippet(p.text, match_spans(p.text, analyzer, terms))
            out.append(ParagraphHit(p.number, pindex, p.marking, html, text, offsets))
        if not out:
            out = self._fallback_snippet(cable, analyzer, terms)
        return tuple(out)

    def _fallback_snippet(self, cable, analyzer, terms) -> list[ParagraphHit]:
        """No paragraph matched (the words are in the subject, or only some matched, or
        the cable was named by id): the first paragraph with a match, else the first
        paragraph, unmarked."""
        if not cable.paragraphs:
            if not cable.body:
                return []
            text, offsets, html = make_snippet(cable.body, match_spans(cable.body, analyzer, terms))
            return [ParagraphHit(None, 0, None, html, text, offsets)]
        for i, p in enumerate(cable.paragraphs):
            spans = match_spans(p.text, analyzer, terms) if terms else []
            if spans:
                break
        else:
            i, p = next(((i, p) for i, p in enumerate(cable.paragraphs) if p.text.strip()),
                        (0, cable.paragraphs[0]))
            spans = []
        text, offsets, html = make_snippet(p.text, spans)
        return [ParagraphHit(p.number, i, p.marking, html, text, offsets)]


#: BM25's term saturation and length normalization, for ranking a cable's paragraphs.
_K1, _B = 1.2, 0.75


def _bm25(pmap: ParagraphMap, positions: dict[str, list[int]], idf: dict[str, float]
          ) -> dict[int, float]:
    """Paragraph index -> BM25 score of the query terms in it, each paragraph's length
    against the mean of its cable's: of two paragraphs saying a word once, the short one,
    which is more about it, comes first (a 200-word paragraph mentioning it in passing
    would otherwise tie with a two-line one)."""
    mean = pmap.mean_length()
    scores: dict[int, float] = {}
    for term, poses in positions.items():
        for i, tf in pmap.counts(poses).items():
            norm = _K1 * (1.0 - _B + _B * pmap.length(i) / mean)
            scores[i] = scores.get(i, 0.0) + idf[term] * tf * (_K1 + 1.0) / (tf + norm)
    return scores
