"""Whoosh documents -> plain :class:`~search.results.Hit` objects, inside the searcher.

Only the page's hits come here: their stored cables are decoded, their best paragraphs
found with one small search per cable, and snippets cut from those paragraphs only.
"""

from __future__ import annotations

from whoosh import query as wq


from .compile import Compiler
from .querylang import Node, ParsedQuery, text_only
from .results import Hit, ParagraphHit
from .docsets import DocSets
from .snippets import make_snippet, match_spans

__all__ = ["HitMaker", "PARAGRAPHS_PER_HIT", "para_text_query"]

#: Best paragraphs shown per hit.
PARAGRAPHS_PER_HIT = 2


def para_text_query(comp: Compiler, text: Node, require_all: bool = False) -> wq.Query:
    """The free-text part of a query, against paragraph text (``ptext``).

    Paragraph text is indexed with stems only (no ``=word`` twins: the cable document
    decides exactness, paragraphs only rank within it), so the words are compiled as
    for the body, expansions and name variants included, and every exact term is
    turned into its stem.

    :param require_all: every word must be in the paragraph (for ``marking:``);
        otherwise any word will do, and the paragraphs with most of them score best.
    """
    q = _to_ptext(comp.compile(text, {"body": 1.0}), comp)
    if require_all and isinstance(q, wq.Or) and len(q.subqueries) > 1:
        return wq.And(q.subqueries)
    return q


def _ptext_term(text: str) -> str | None:
    from indexer.analysis import stem

    if text.startswith("="):  # an exact twin: its stem
        return stem(text[1:])
    if "_" in text:  # a name-variant key (``ktf_qadhafi``): the spelling's stem
        return stem(text.partition("_")[2])
    return text


def _to_ptext(q: wq.Query, comp: Compiler) -> wq.Query:
    """The same query on ``ptext`` (see :func:`para_text_query`)."""
    if isinstance(q, wq.Term):
        if q.fieldname not in ("body", "names"):
            return wq.NullQuery
        term = _ptext_term(q.text)
        comp.term_words.setdefault(("ptext", term), comp.term_words.get((q.fieldname, q.text), term))
        return wq.Term("ptext", term, boost=q.boost)
    if isinstance(q, wq.Phrase):
        return wq.Phrase("ptext", [_ptext_term(w) for w in q.words], slop=q.slop, boost=q.boost)
    if isinstance(q, (wq.And, wq.Or)):
        subs = [s for s in (_to_ptext(s, comp) for s in q.subqueries) if s is not wq.NullQuery]
        if not subs:
            return wq.NullQuery
        return type(q)(subs, boost=q.boost) if len(subs) > 1 else subs[0]
    return wq.NullQuery


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

        cables = [(d, decode_cable(self.searcher.stored_fields(d)["cable"])) for d in docnums]
        paras = self._paragraphs([c.refid for _, c in cables]) if snippets else {}
        matched = self._matched_terms(docnums) if snippets else {}
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
                paragraphs=self._snippets(c, paras.get(c.refid, [])) if snippets else (),
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
        text = text_only(self.parsed.root)
        if text is not None:
            # Compiling the paragraph query registers the stems that exact, prefix and
            # variant words stand for, so those mark their paragraphs too.
            para_text_query(self.comp, text)
        analyzer = self.schema["ptext"].analyzer
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
            if f == "ptext" or f not in self.schema.names():
                continue
            docs = self.docsets.term(f, t)
            for d in docnums:
                if d in docs and word not in out[d]:
                    out[d].append(word)
        order = {w: i for i, w in enumerate(dict.fromkeys(self.comp.term_words.values()))}
        return {d: tuple(sorted(ws, key=lambda w: order.get(w, 0))) for d, ws in out.items()}

    def _paragraphs(self, refids: list[str]) -> dict[str, list[tuple[int, float]]]:
        """Each cable's best paragraphs: refid -> [(pindex, score)], best first.

        One search over the page cables' paragraphs (so the words' long posting lists
        are walked once, forward); the paragraph documents of each cable come from its
        short ``pref`` posting list, and only the chosen paragraphs' ``pindex`` is read.
        """
        text = text_only(self.parsed.root)
        if text is None or not refids:
            return {}
        owner: dict[int, str] = {}
        for ref in dict.fromkeys(refids):
            if ("pref", ref) in self.reader:
                for d in self.reader.postings("pref", ref).all_ids():
                    owner[d] = ref
        if not owner:
            return {}
        parts = [wq.Or([wq.Term("pref", r) for r in dict.fromkeys(refids)]),
                 para_text_query(self.comp, text)]
        if self.parsed.markings:
            parts.append(wq.Or([wq.Term("marking", m) for m in self.parsed.markings]))
        best: dict[str, list[tuple[float, int]]] = {}
        for h in self.searcher.search(wq.And(parts), limit=None):
            ref = owner.get(h.docnum)
            if ref is not None:
                best.setdefault(ref, []).append((h.score, h.docnum))
        found: dict[str, list[tuple[int, float]]] = {}
        for ref, scored in best.items():
            top = sorted(scored, key=lambda sd: (-sd[0], sd[1]))[:PARAGRAPHS_PER_HIT]
            found[ref] = [(int(self.searcher.stored_fields(d)["pindex"]), score) for score, d in top]
        return found

    def _snippet_terms(self) -> set[str]:
        return {t for (f, t) in self.comp.term_words if f in ("ptext", "body", "subject")}

    def _snippets(self, cable, best: list[tuple[int, float]]) -> tuple[ParagraphHit, ...]:
        analyzer = self.schema["ptext"].analyzer
        terms = self._snippet_terms()
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
