"""The facade: :class:`CableSearch` answers searches over one index directory.

It holds the Whoosh ``Index`` of the live generation (shareable between threads) and
keeps one searcher per thread, refreshed on every call, so every call sees the latest
commit, and a ``--rebuild`` swap (a new generation behind ``CURRENT``) is picked up on
the next call. Everything it returns is plain data from :mod:`search.results`, built
inside the searcher's lifetime. How a search is ranked: :mod:`search.plan`.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage
from whoosh import query as wq
from whoosh import scoring

from indexer.errors import IndexNotFound, SchemaMismatch

from .errors import QueryError
from .docsets import DocSets
from .exact import ExactForms
from .facets import FacetColumns, live_column_sum
from .hits import HitMaker
from .pinning import pin_files
from .plan import SearchPlan
from .querylang import parse_query
from .results import CableView, Hit, Results

from indexer.refids import refid_spellings, station_for

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
#: Field weights and length normalization of BM25F. Subjects are short and all alike
#: in length, so length matters less there.
WEIGHTING = scoring.BM25F(B=0.75, K1=1.2, subject_B=0.3, tagtext_B=0.3, origin_B=0.0)


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
        #: Per segment, the word forms that make derived exact words (``=run``).
        self._forms = ExactForms()
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
            # Without mmap: whoosh-reloaded 2.7.5 wraps each mmapped segment file in a
            # BytesIO, which *copies* it, so every reader held the whole index in memory
            # (1 GB per process at 25,000 cables) and took seconds to open. Plain file
            # reads through the OS cache: ~7 ms to open, no copy.
            ix = FileStorage(str(path), supports_mmap=False).open_index()
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
        thread keeps one and reopens it only when a commit happened since. A searcher is
        never shared between threads; :meth:`close` closes them all.
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
            with _pinned_searcher(opened.ix) as searcher:
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
            plan = SearchPlan(searcher, opened.schema, self._columns, opened.scope, parsed, filters, sort,
                              self._forms)
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
            plan = SearchPlan(searcher, opened.schema, self._columns, opened.scope, parsed, filters, sort,
                              self._forms)
            order = plan.ordered(None)
            for i in range(0, len(order), 200):
                yield from plan.hits(order[i : i + 200], snippets=False)

    def cable(self, refid: str) -> CableView | None:
        """The cable with this refid (any usual spelling), or ``None`` if it is not indexed."""
        from indexer.store import decode_cable

        try:
            from indexer.tags import tag_meaning
        except ImportError:  # pragma: no cover - integration point
            def tag_meaning(code):  # type: ignore[misc]
                return None

        with self._searcher() as (opened, searcher):
            docnum, _ = _find_cable(searcher, refid)
            if docnum is None:
                return None
            stored = searcher.stored_fields(docnum)
            cable = decode_cable(stored["cable"])
            cited_by = self._cited_by(opened, searcher, cable.refid)
            reader = searcher.reader()
            related = set(cable.references) | set(cited_by)
            indexed = frozenset(r for r in related if reader.doc_frequency("refid", r) > 0)
            meanings = {t: tag_meaning(t) for t in cable.tags}
            return CableView(cable, cited_by, indexed, meanings)

    def _cited_by(self, opened: _Opened, searcher, refid: str) -> tuple[str, ...]:
        """The refids of the indexed cables that cite *refid*, oldest first (by sending
        time, then refid; undated last). Citations are indexed one way (``references``),
        so this is that posting list read the other way: always current, nothing kept."""
        created = self._columns.column(searcher.reader(), opened.scope, "created")
        missing = self._columns.NO_DATE
        citers = []
        for d in searcher.document_numbers(references=refid):
            citer = searcher.stored_fields(d)["refid"]
            if citer == refid:
                continue  # a cable quoting its own refid among its REFs
            sent = int(created[d])
            citers.append((sent == missing, sent, citer))
        return tuple(c for _, _, c in sorted(citers))

    def highlight(self, refid: str, query: str) -> dict[int, str]:
        """The paragraphs of one cable that *query* matches, each whole and highlighted.

        For reading a cable that a search led to: the page marks every match, not only
        the snippets' windows.

        :returns: paragraph index (into ``Cable.paragraphs``) -> the paragraph as escaped
            HTML with each match in ``<mark>``; empty when the cable is not indexed or
            nothing matches.
        :raises QueryError: the query is beyond a limit, as for :meth:`search`.
        """
        _check_limits(query, 1, 1, "relevance")
        parsed = parse_query(query, is_station=station_for)
        with self._searcher() as (opened, searcher):
            docnum, _ = _find_cable(searcher, refid)
            if docnum is None or parsed.root is None:
                return {}
            plan = SearchPlan(searcher, opened.schema, self._columns, opened.scope, parsed, None,
                              "relevance", self._forms)
            return plan.highlight(docnum)

    def more_like(self, refid: str, limit: int = 10) -> list[Hit]:
        """Cables most like this one by their distinctive words (not itself).

        :returns: up to *limit* hits, best first; ``[]`` if the cable is not indexed.
        """
        from indexer.store import decode_cable

        with self._searcher() as (opened, searcher):
            docnum, wanted = _find_cable(searcher, refid)
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
            scores = {h.docnum: h.score for h in found}
            maker = HitMaker(searcher, opened.schema, parse_query(""), None, scores)
            return maker.hits(list(scores), snippets=False)

    def stats(self) -> dict[str, Any]:
        """What the index holds: cables, paragraphs, last build, schema version."""
        with self._searcher() as (opened, searcher):
            reader = searcher.reader()
            counts = DocSets(searcher)
            cables = len(counts.term("kind", "cable"))
            paras = live_column_sum(reader, "paras")
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


def _find_cable(searcher, refid: str) -> tuple[int | None, str | None]:
    """``(document number, indexed refid)`` of the cable *refid* names, trying its
    spellings in turn (:func:`indexer.refids.refid_spellings`: ``06MINSI225`` is a
    cable of its own before it is a misspelled citation of ``06MINSK225``);
    ``(None, None)`` if none is indexed."""
    for wanted in refid_spellings(refid) or [refid.strip().upper()]:
        docnum = searcher.document_number(refid=wanted)
        if docnum is not None:
            return docnum, wanted
    return None, None


class _CachedSearcher:
    """One thread's reusable searcher on one generation, with that generation's lease."""

    def __init__(self, path: Path, ix):
        self.path = path
        self.ix = ix
        self._lease = _lease(path)
        self._lease.__enter__()
        self.searcher = _pinned_searcher(ix)

    def current(self):
        """The searcher, refreshed if the index has had a commit since it was opened."""
        # Not Searcher.refresh(): it reuses the old segment readers by segment identity,
        # and a segment that gained deletions (a replaced cable) keeps the same identity,
        # so the replaced version would stay visible. After a commit, open afresh.
        if not self.searcher.up_to_date():
            fresh = _pinned_searcher(self.ix)
            self.searcher.close()
            self.searcher = fresh
        return self.searcher

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
            self.searcher = None
            self._lease.__exit__(None, None, None)


def _pinned_searcher(ix):
    """A new searcher that keeps reading the commit it was opened on (see
    :mod:`search.pinning`); it is reused across searches while a reindex commits."""
    for attempt in range(_OPEN_ATTEMPTS):
        searcher = ix.searcher(weighting=WEIGHTING)
        try:
            pin_files(searcher)
            return searcher
        except OSError:
            # A commit merged segments between reading the table of contents and
            # opening their files: the next attempt reads the newer table.
            searcher.close()
            if attempt == _OPEN_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


#: How often opening a searcher is tried while commits keep replacing segments.
_OPEN_ATTEMPTS = 5


# ---------------------------------------------------------------------- one search
