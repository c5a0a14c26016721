"""The facade: :class:`CableSearch` answers searches over one index directory.

It holds the Whoosh ``Index`` of the live generation (shareable between threads) and
opens one searcher per call, so every call sees the latest commit, and a ``--rebuild``
swap (a new generation behind ``CURRENT``) is picked up on the next call. Everything it
returns is plain data from :mod:`search.results`, built inside the searcher's ``with``.

How a search is ranked (see ``docs/query-syntax.md`` for the language):

1. Cables the query names by id (``06BANGKOK3955``, ``BANGKOK 3955``) come first.
2. Cables that match the whole query, by BM25F (subject above body, tag meanings and
   origin lower) plus a bonus when the words stand close together.
3. When fewer than :data:`RELAX_BELOW` cables match every word, cables matching most of
   the words follow, more words first, then by score; ``Results.relaxed`` says so.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any, Iterator

from whoosh import index as windex
from whoosh import query as wq
from whoosh import scoring

from indexer.errors import IndexNotFound, SchemaMismatch

from .compile import Compiler
from .dates import parse_period
from .errors import QueryError
from .facets import FACETS, FacetColumns
from .querylang import Node, ParsedQuery, Word, parse_query, text_clauses, text_only
from .results import CableView, Hit, ParagraphHit, Results
from .snippets import make_snippet, match_spans

try:
    from indexer.refids import station_for
except ImportError:  # pragma: no cover - integration point
    station_for = None

__all__ = ["CableSearch", "MAX_QUERY_LENGTH", "MAX_PAGE_SIZE", "MAX_DEPTH", "SORTS"]

#: Longest query accepted, in characters.
MAX_QUERY_LENGTH = 1000
#: Most hits on one page.
MAX_PAGE_SIZE = 100
#: Deepest hit reachable by paging (``page * page_size``); :meth:`CableSearch.export`
#: streams the whole result set without this limit.
MAX_DEPTH = 10_000
#: The orders a search can be sorted in.
SORTS = ("relevance", "date", "-date")
#: Below this many cables matching every word, cables matching most words follow.
RELAX_BELOW = 10
#: How many of the best BM25F hits get the word-closeness bonus.
RERANK_DEPTH = 50
#: Best paragraphs shown per hit.
PARAGRAPHS_PER_HIT = 2
#: Field weights and length normalization of BM25F. Subjects are short and all alike
#: in length, so length matters less there.
WEIGHTING = scoring.BM25F(B=0.75, K1=1.2, subject_B=0.3, tagtext_B=0.3, origin_B=0.0)
_FILTER_FACETS = set(FACETS)


@dataclass
class _Opened:
    path: Path
    ix: Any
    scope: str
    meta: dict
    #: The schema, read once: ``ix.schema`` unpickles it from the TOC on every access,
    #: and its analyzer objects key the snippet cache.
    schema: Any = None


class CableSearch:
    """Search one cable index. Cheap to create, safe to share between threads.

    :param index_dir: the directory ``cables index`` wrote.
    :raises IndexNotFound: (on first use) there is no index there.
    :raises SchemaMismatch: (on first use) the index needs ``cables index --rebuild``.

    >>> s = CableSearch("instance/index")                      # doctest: +SKIP
    >>> r = s.search("trafficking bangkok", filters={"year": ["2006"]})  # doctest: +SKIP
    >>> r.total, r.hits[0].refid                               # doctest: +SKIP
    (3, '06BANGKOK3955')
    """

    def __init__(self, index_dir: str | Path):
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._opened: _Opened | None = None
        self._columns = FacetColumns()
        self._local = threading.local()
        self._cached: list[_CachedSearcher] = []

    def __repr__(self) -> str:
        return f"CableSearch({str(self.index_dir)!r})"

    def __enter__(self) -> "CableSearch":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the searchers kept for reuse (call when no search is running)."""
        with self._lock:
            cached, self._cached = self._cached, []
        for entry in cached:
            entry.close()

    # ------------------------------------------------------------------ the index

    def _live(self) -> tuple[Path, dict]:
        """The live Whoosh directory and its metadata."""
        from indexer import swap

        if (self.index_dir / "CURRENT").exists():
            gen = swap.current_generation(self.index_dir)
            return gen, swap.read_meta(gen)
        if windex.exists_in(str(self.index_dir)):  # a bare Whoosh index (tests, benches)
            return self.index_dir, {}
        raise IndexNotFound(
            f"no index at {self.index_dir}; build one with: "
            f"cables index --index {self.index_dir} PATH..."
        )

    def _open(self) -> _Opened:
        path, meta = self._live()
        with self._lock:
            if self._opened is not None and self._opened.path == path:
                return self._opened
        _check_version(path, meta)
        try:
            ix = windex.open_dir(str(path))
        except windex.EmptyIndexError as exc:
            raise IndexNotFound(f"the index at {self.index_dir} is empty or unfinished: {exc}") from exc
        opened = _Opened(path, ix, f"{path}:{meta.get('created', '')}", meta, ix.schema)
        with self._lock:
            self._opened = opened
        return opened

    @contextmanager
    def _searcher(self):
        """This thread's searcher on the live generation, brought up to date.

        Opening a Whoosh searcher reads every segment's term index (tens of ms), so each
        thread keeps one and calls ``refresh()``, which returns it unchanged unless a
        commit happened (then the new one replaces it and the old one is closed). A
        searcher is never shared between threads; :meth:`close` closes them all.
        """
        opened = self._open()
        entry = getattr(self._local, "entry", None)
        if entry is not None and entry.path != opened.path:
            entry.close()
            entry = None
        if entry is None:
            entry = _CachedSearcher(opened.path, opened.ix)
            self._local.entry = entry
            with self._lock:
                self._cached.append(entry)
        yield opened, entry.current()

    @contextmanager
    def _own_searcher(self):
        """A searcher of its own, closed at the end (for long iterations such as export)."""
        opened = self._open()
        with _lease(opened.path):
            with opened.ix.searcher(weighting=WEIGHTING) as searcher:
                yield opened, searcher

    # ------------------------------------------------------------------ search

    def search(
        self,
        query: str,
        *,
        filters: dict[str, Any] | None = None,
        sort: str = "relevance",
        page: int = 1,
        page_size: int = 20,
        facets: bool = True,
    ) -> Results:
        """One page of cables matching *query*, with exact total and facets.

        :param query: the query string (``docs/query-syntax.md``); bad syntax is repaired
            and said in ``Results.notes``.
        :param filters: facet name (``origin``, ``year``, ``classification``,
            ``caveats``, ``tags``) -> list of values, and ``date_from``/``date_to``
            (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).
        :param sort: ``relevance``, ``date`` (oldest first) or ``-date`` (newest first).
        :param page: 1-based page number.
        :param page_size: hits per page, at most :data:`MAX_PAGE_SIZE`.
        :param facets: count facets over the whole result set.
        :raises QueryError: the query or the paging is beyond a limit.
        :raises ValueError: *sort* is not one of :data:`SORTS`.
        """
        _check_limits(query, page, page_size, sort)
        parsed = parse_query(query, is_station=station_for)
        with self._searcher() as (opened, searcher):
            plan = _Plan(self, opened, searcher, parsed, filters, sort)
            start = (page - 1) * page_size
            order = plan.ordered(start + page_size)
            page_docs = order[start : start + page_size]
            hits = plan.hits(page_docs, snippets=True)
            facet_values = (
                self._columns.count(searcher.reader(), opened.scope, plan.all_docs)
                if facets else {}
            )
            matched = tuple(dict.fromkeys(t for h in hits for t in h.matched_terms))
            return Results(
                query=query,
                echo=plan.echo(),
                total=plan.total,
                page=page,
                page_size=page_size,
                hits=tuple(hits),
                facets=facet_values,
                matched_terms=matched,
                suggestion=plan.suggestion(),
                notes=tuple(plan.notes),
                relaxed=plan.relaxed_used,
                sort=sort,
            )

    def export(
        self, query: str, *, filters: dict[str, Any] | None = None, sort: str = "relevance"
    ) -> Iterator[Hit]:
        """Every matching cable, in order, as :class:`Hit` (without snippets), streamed.

        The searcher stays open while the iterator is consumed; close the iterator (or
        run it to the end) to release it. No depth limit applies.

        :raises QueryError: the query is too long or a wildcard expands too far.
        """
        _check_limits(query, 1, 1, sort)
        parsed = parse_query(query, is_station=station_for)
        with self._own_searcher() as (opened, searcher):
            plan = _Plan(self, opened, searcher, parsed, filters, sort)
            order = plan.ordered(None)
            for i in range(0, len(order), 200):
                yield from plan.hits(order[i : i + 200], snippets=False)

    def cable(self, refid: str) -> CableView | None:
        """The cable with this refid (any usual spelling), or ``None`` if it is not indexed."""
        from indexer.refids import canonical_refid
        from indexer.store import decode_cable

        try:
            from indexer.tags import tag_meaning
        except ImportError:  # pragma: no cover - integration point
            def tag_meaning(code):  # type: ignore[misc]
                return None

        wanted = canonical_refid(refid) or refid.strip().upper()
        with self._searcher() as (_opened, searcher):
            docnum = searcher.document_number(refid=wanted)
            if docnum is None:
                return None
            stored = searcher.stored_fields(docnum)
            cable = decode_cable(stored["cable"])
            cited_by = tuple(_as_list(stored.get("cited_by")))
            reader = searcher.reader()
            related = set(cable.references) | set(cited_by)
            indexed = frozenset(r for r in related if reader.doc_frequency("refid", r) > 0)
            meanings = {t: tag_meaning(t) for t in cable.tags}
            return CableView(cable, cited_by, indexed, meanings)

    def more_like(self, refid: str, limit: int = 10) -> list[Hit]:
        """Cables most like this one by their distinctive words (not itself).

        :returns: up to *limit* hits, best first; ``[]`` if the cable is not indexed.
        """
        from indexer.refids import canonical_refid
        from indexer.store import decode_cable

        wanted = canonical_refid(refid) or refid.strip().upper()
        with self._searcher() as (opened, searcher):
            docnum = searcher.document_number(refid=wanted)
            if docnum is None:
                return []
            cable = decode_cable(searcher.stored_fields(docnum)["cable"])
            text = "\n".join(filter(None, [cable.subject, cable.body]))
            terms = [
                (t, w) for t, w in searcher.key_terms_from_text("body", text, numterms=40)
                if not t.startswith("=") and not t.isdigit()
            ][:20]
            if not terms:
                return []
            top = max(w for _, w in terms) or 1.0
            q = wq.And([
                wq.Term("kind", "cable"),
                wq.Or([wq.Term("body", t, boost=w / top) for t, w in terms]),
                wq.Not(wq.Term("refid", wanted)),
            ])
            found = searcher.search(q, limit=limit)
            docs = [(h.docnum, h.score) for h in found]
            parsed = parse_query("")
            plan = _Plan(self, opened, searcher, parsed, None, "relevance", docs_only=True)
            plan.scores = dict(docs)
            return plan.hits([d for d, _ in docs], snippets=False)

    def stats(self) -> dict[str, Any]:
        """What the index holds: cables, paragraphs, last build, schema version."""
        with self._searcher() as (opened, searcher):
            reader = searcher.reader()
            cables = sum(1 for _ in searcher.docs_for_query(wq.Term("kind", "cable")))
            paras = sum(1 for _ in searcher.docs_for_query(wq.Term("kind", "para")))
            meta = dict(opened.meta)
            return {
                "index_dir": str(self.index_dir),
                "generation": opened.path.name,
                "cables": cables,
                "paragraphs": paras,
                "segments": len(reader.leaf_readers()),
                "schema_version": meta.get("schema_version"),
                "created": meta.get("created"),
                "last_build": meta.get("updated"),
                "meta": meta,
            }


# ---------------------------------------------------------------------- checks


def _check_limits(query: str, page: int, page_size: int, sort: str) -> None:
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if query is not None and len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"The query is {len(query):,} characters long; the limit is {MAX_QUERY_LENGTH:,}. "
            "Shorten it, or split it into several searches."
        )
    if page_size < 1 or page_size > MAX_PAGE_SIZE:
        raise QueryError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}.")
    if page < 1:
        raise QueryError(f"page must be 1 or more, not {page}.")
    if page * page_size > MAX_DEPTH:
        raise QueryError(
            f"Page {page} of {page_size} hits goes past hit {MAX_DEPTH:,}, the deepest a "
            "result list pages; narrow the search with filters or words, sort by date, "
            "or use export() for the whole result set."
        )


def _check_version(path: Path, meta: dict) -> None:
    try:
        from indexer.schema import SCHEMA_VERSION
    except ImportError:  # pragma: no cover - integration point
        return
    found = meta.get("schema_version")
    if found is not None and int(found) != SCHEMA_VERSION:
        raise SchemaMismatch(
            f"the index at {path.parent} was built with schema version {found}, this "
            f"version needs {SCHEMA_VERSION}; rebuild it with: cables index --rebuild "
            f"--index {path.parent} PATH..."
        )


@contextmanager
def _lease(path: Path):
    """Hold the generation's reader lease when it has one (so a rebuild won't remove it)."""
    try:
        from indexer.swap import READERS, reader_lease
    except ImportError:  # pragma: no cover - integration point
        yield
        return
    if (path / READERS).exists():
        with reader_lease(path):
            yield
    else:
        yield


class _CachedSearcher:
    """One thread's reusable searcher on one generation, with that generation's lease."""

    def __init__(self, path: Path, ix):
        self.path = path
        self.ix = ix
        self._lease = _lease(path)
        self._lease.__enter__()
        self.searcher = ix.searcher(weighting=WEIGHTING)

    def current(self):
        """The searcher, refreshed if the index has had a commit since it was opened."""
        # refresh() builds the new reader from the old one's segment readers and closes
        # the ones it does not reuse; closing the old searcher would close shared ones.
        self.searcher = self.searcher.refresh()
        return self.searcher

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
            self.searcher = None
            self._lease.__exit__(None, None, None)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.replace(",", " ").split() if v]
    return list(value)


# ---------------------------------------------------------------------- one search


class _Plan:
    """One search inside one open searcher: the queries, the result tiers, the hits."""

    def __init__(self, engine, opened, searcher, parsed: ParsedQuery, filters, sort,
                 docs_only: bool = False):
        self.engine = engine
        self.opened = opened
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = opened.schema
        self.parsed = parsed
        self.sort = sort
        self.notes: list[str] = list(parsed.notes)
        self.comp = Compiler(self.reader, self.schema)
        self.scores: dict[int, float] = {}
        self.relaxed_used = False
        self.tiers: list[tuple[str, set[int], Any]] = []
        if docs_only:
            self.all_docs: set[int] = set()
            self.total = 0
            return
        self.base = self._base(filters)
        self._build()

    # ---- queries

    def _base(self, filters) -> wq.Query:
        parts: list[wq.Query] = [wq.Term("kind", "cable")]
        self.exact_origins: set[str] | None = None
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
        return wq.And(parts)

    def _docs(self, q: wq.Query) -> set[int]:
        docs = set(self.searcher.docs_for_query(q))
        if self.exact_origins is not None and docs:
            leaves = self.engine._columns.leaves(self.reader, self.opened.scope)
            docs = {d for d in docs
                    if self.engine._columns.value(leaves, d, "origin") in self.exact_origins}
        return docs

    def _build(self) -> None:
        parsed, comp = self.parsed, self.comp
        root = parsed.root
        main = comp.compile(root) if root is not None else wq.Every()
        self.notes.extend(comp.notes)
        if parsed.markings:
            main = wq.And([main, self._marked_cables(root)])
        self.main = main
        strict_q = wq.And([self.base, main])
        scored_q = strict_q
        clauses = text_clauses(root)
        plain = [c for c in clauses if isinstance(c, Word) and c.mode == "stem"]
        self.prox = comp.proximity(plain) if len(plain) >= 2 else None

        hint_docs: set[int] = set()
        self.hint_docs = hint_docs
        if parsed.refids:
            hint_q = wq.And([self.base, wq.Or([comp.refid_boost(h.refid, h.serial) for h in parsed.refids])])
            hint_docs = self.hint_docs = self._docs(hint_q)
            if hint_docs:
                self.tiers.append(("named", hint_docs, hint_q))
        strict_docs = self._docs(strict_q) - hint_docs
        self.tiers.append(("all", strict_docs, scored_q))
        self.strict_total = len(strict_docs)

        relaxed: list[tuple[set[int], wq.Query]] = []
        if len(clauses) >= 2 and len(strict_docs) < RELAX_BELOW and not hint_docs:
            relaxed = self._relaxed(root, clauses, strict_docs)
        for docs, q in relaxed:
            self.tiers.append(("some", docs, q))
        self.relaxed_used = any(docs for docs, _ in relaxed)
        self.all_docs = set().union(*(t[1] for t in self.tiers))
        self.total = len(self.all_docs)

    def _relaxed(self, root: Node, clauses: list[Node], strict_docs: set[int]):
        """Cables matching at least half the words (not all), by how many they match."""
        others = [i for i in (root.items if hasattr(root, "items") else (root,)) if i not in clauses]
        required = [self.comp.compile(o) for o in others]
        if self.parsed.markings:
            required.append(self._marked_cables(root))
        clause_qs = [self.comp.compile(c) for c in clauses]
        counts: dict[int, int] = {}
        for cq in clause_qs:
            for d in self._docs(wq.And([self.base, *required, cq])):
                counts[d] = counts.get(d, 0) + 1
        n = len(clauses)
        least = max(1, (n + 1) // 2)
        any_q = wq.And([self.base, *required, wq.Or(clause_qs)])
        tiers = []
        for k in range(n - 1, least - 1, -1):
            docs = {d for d, c in counts.items() if c == k and d not in strict_docs}
            if docs:
                tiers.append((docs, any_q))
        return tiers

    def _marked_cables(self, root: Node | None) -> wq.Query:
        """Cables with a paragraph that has one of the markings and matches the words."""
        marks = wq.Or([wq.Term("marking", m) for m in self.parsed.markings])
        text = text_only(root)
        para_q = wq.And([wq.Term("kind", "para"), marks])
        if text is not None:
            para_q = wq.And([para_q, self._para_text_query(text, require_all=True)])
        refs = set()
        for d in self.searcher.docs_for_query(para_q):
            refs.add(self.searcher.stored_fields(d).get("pref"))
        refs.discard(None)
        if not refs:
            return wq.NullQuery
        return wq.Or([wq.Term("refid", r) for r in sorted(refs)])

    def _para_text_query(self, text: Node, require_all: bool = False) -> wq.Query:
        q = self.comp.compile(text, {"ptext": 1.0})
        if require_all and isinstance(q, wq.Or) and len(q.subqueries) > 1:
            return wq.And(q.subqueries)
        return q

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

    def _rank(self, name: str, docs: set[int], q: wq.Query, need: int | None) -> list[int]:
        if self.sort != "relevance" or name == "named":
            # By date; the cables a query names by id are few, oldest first.
            return self._by_date(docs, need, reverse=self.sort == "-date")
        if name == "all" and self.prox is not None:
            return self._rank_with_proximity(docs, q, need)
        results = self.searcher.search(q, limit=need, **self._restrict(name, docs))
        ranked = []
        for h in results:
            self.scores[h.docnum] = h.score
            ranked.append(h.docnum)
        return ranked

    def _restrict(self, name: str, docs: set[int]) -> dict:
        """How to keep a tier's query to the tier's documents. The strict tier's query
        matches exactly its documents (less the named cables), so it runs unfiltered and
        Whoosh can skip low-scoring blocks; a filter set makes it visit every match."""
        if name == "all" and self.exact_origins is None:
            return {"mask": self.hint_docs} if self.hint_docs else {}
        return {"filter": docs}

    def _by_date(self, docs: set[int], need: int | None, reverse: bool) -> list[int]:
        """*docs* by sending time from the cached ``created`` column (ties by refid order
        of indexing); cables without a date last."""
        import heapq

        cols = self.engine._columns
        leaves = cols.leaves(self.reader, self.opened.scope)
        missing = cols.NO_DATE

        def key(d: int):
            v = cols.value(leaves, d, "created")
            if v is None or v == missing:
                return (1, 0, d)
            return (0, -v if reverse else v, d)

        if need is None or need >= len(docs):
            return sorted(docs, key=key)
        return heapq.nsmallest(need, docs, key=key)

    def _rank_with_proximity(self, docs: set[int], q: wq.Query, need: int | None) -> list[int]:
        """BM25F, then the top :data:`RERANK_DEPTH` get a bonus where the words stand
        close together. Checking positions costs per candidate, so only the head of the
        ranking is checked, through a query ANDed with those cables' ids."""
        depth = None if need is None else max(need, RERANK_DEPTH)
        results = self.searcher.search(q, limit=depth, **self._restrict("all", docs))
        ranked = [(h.docnum, h.score) for h in results]
        head = ranked[:RERANK_DEPTH]
        refids = {self.searcher.stored_fields(d)["refid"]: d for d, _ in head}
        bonus: dict[int, float] = {}
        if refids:
            near = wq.And([wq.Or([wq.Term("refid", r) for r in refids]), self.prox])
            for h in self.searcher.search(near, limit=None):
                bonus[h.docnum] = h.score
        head = sorted(head, key=lambda ds: (-(ds[1] + bonus.get(ds[0], 0.0)), ds[0]))
        out = []
        for d, score in head + ranked[RERANK_DEPTH:]:
            self.scores[d] = score + bonus.get(d, 0.0)
            out.append(d)
        return out if need is None else out[:need]

    # ---- hits

    def hits(self, docnums: list[int], snippets: bool) -> list[Hit]:
        """Plain :class:`Hit` objects for *docnums*, in order, read inside the searcher."""
        from indexer.store import decode_cable

        cables = []
        for d in docnums:
            stored = self.searcher.stored_fields(d)
            cables.append((d, decode_cable(stored["cable"])))
        paras = self._paragraphs([c.refid for _, c in cables]) if snippets else {}
        matched = self._matched_terms(docnums) if snippets else {}
        out = []
        for d, c in cables:
            out.append(Hit(
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
            ))
        return out

    def _matched_terms(self, docnums: list[int]) -> dict[int, tuple[str, ...]]:
        """Which of the user's words each page hit contains (any field searched)."""
        if not docnums or self.parsed.root is None:
            return {}
        term_words = self.comp.term_words
        wanted = [(f, t) for (f, t) in term_words if f in self.schema.names()]
        out: dict[int, list[str]] = {d: [] for d in docnums}
        docset = set(docnums)
        for f, t in wanted:
            try:
                postings = self.reader.postings(f, t)
            except Exception:  # noqa: BLE001 - a term absent from the index matches nothing
                continue
            for d in sorted(docset):
                if _has(postings, d):
                    word = term_words[(f, t)]
                    if word not in out[d]:
                        out[d].append(word)
        return {d: tuple(ws) for d, ws in out.items()}

    def _paragraphs(self, refids: list[str]) -> dict[str, list[tuple[int, float]]]:
        """Each page cable's best paragraphs: refid -> [(pindex, score)], best first.

        One small search per cable (its paragraphs AND the words, top
        :data:`PARAGRAPHS_PER_HIT`), so only the paragraphs shown are ever read.
        """
        text = text_only(self.parsed.root)
        if text is None or not refids:
            return {}
        words = self._para_text_query(text)
        marks = (wq.Or([wq.Term("marking", m) for m in self.parsed.markings])
                 if self.parsed.markings else None)
        found: dict[str, list[tuple[int, float]]] = {}
        for ref in dict.fromkeys(refids):
            parts = [wq.Term("pref", ref), words] + ([marks] if marks is not None else [])
            hits = self.searcher.search(wq.And(parts), limit=PARAGRAPHS_PER_HIT)
            best = [(int(h.fields()["pindex"]), h.score) for h in hits]
            if best:
                found[ref] = sorted(best, key=lambda p: (-p[1], p[0]))
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
            spans = match_spans(p.text, analyzer, terms)
            text, offsets, html = make_snippet(p.text, spans)
            out.append(ParagraphHit(p.number, pindex, p.marking, html, text, offsets))
        if not out:
            out = self._fallback_snippet(cable, analyzer, terms)
        return tuple(out)

    def _fallback_snippet(self, cable, analyzer, terms) -> list[ParagraphHit]:
        """No paragraph matched (the words are in the subject, or only some matched):
        show the first paragraph that has a match, else the first paragraph."""
        if not cable.paragraphs:
            if not cable.body:
                return []
            spans = match_spans(cable.body, analyzer, terms)
            text, offsets, html = make_snippet(cable.body, spans)
            return [ParagraphHit(None, 0, None, html, text, offsets)]
        choice = None
        for i, p in enumerate(cable.paragraphs):
            spans = match_spans(p.text, analyzer, terms) if terms else []
            if spans:
                choice = (i, p, spans)
                break
        if choice is None:
            i, p = next(((i, p) for i, p in enumerate(cable.paragraphs) if p.text.strip()),
                        (0, cable.paragraphs[0]))
            choice = (i, p, [])
        i, p, spans = choice
        text, offsets, html = make_snippet(p.text, spans)
        return [ParagraphHit(p.number, i, p.marking, html, text, offsets)]

    # ---- words

    def echo(self) -> str:
        """The query as understood, with the ranking it got."""
        text = self.parsed.describe()
        order = {"relevance": "best match first", "date": "oldest first", "-date": "newest first"}[self.sort]
        out = f"{text}; {order}"
        if self.relaxed_used:
            n = self.strict_total
            some = ("no cable matches" if n == 0 else
                    f"only {n} cable{' matches' if n == 1 else 's match'}")
            out += f"; {some} every word, so cables matching most of the words follow"
        return out

    def suggestion(self) -> str | None:
        """A did-you-mean query, when a word is unknown to the index and a close,
        common spelling exists (from the exact ``=`` terms, so suggestions are words)."""
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
                for t in self.reader.terms_within(f, "=" + folded, dist, prefix=2):
                    t = t.decode("utf-8") if isinstance(t, bytes) else t
                    if not t.startswith("="):
                        continue
                    df = self.reader.doc_frequency(f, t)
                    if best is None or df > best[1]:
                        best = (t[1:], df)
            if best:
                text = _replace_word(text, w.text, best[0])
                changed = True
        return text if changed and text != self.parsed.text else None


def _replace_word(text: str, old: str, new: str) -> str:
    import re

    return re.sub(rf"(?<![\w=]){re.escape(old)}(?!\w)", new, text, count=1)


def _has(postings, docnum: int) -> bool:
    """Whether a posting list contains *docnum* (moves the matcher forward only)."""
    if not postings.is_active():
        return False
    if postings.id() < docnum:
        postings.skip_to(docnum)
        if not postings.is_active():
            return False
    return postings.id() == docnum
