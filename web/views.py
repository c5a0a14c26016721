"""The one blueprint: search and cable pages, their JSON twins, and the exports.

Views stay thin: validate the URL into a :class:`~web.params.SearchState`, call the
``search`` facade, render. Errors are not handled here; they propagate to the handlers
in :mod:`web.errors`, which translate them in one place.
"""

from __future__ import annotations

import re
from itertools import chain
from pathlib import PurePath
from typing import Any, Iterator

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from indexer.refids import cable_refid
from indexer.tags import tag_meaning
from search import QueryError

from .engine import get_search
from .export import csv_lines, jsonl_lines
from .facets import facet_groups
from .histogram import year_histogram
from .params import Limits, SearchState, parse_search_args
from .templating import FilterLinks

__all__ = ["bp", "render_search"]

bp = Blueprint("web", __name__)

MORE_LIKE_LIMIT = 8

_END: Any = object()


def limits() -> Limits:
    """The current app's request caps (config keys ``PAGE_SIZE``, ``MAX_PAGE_SIZE``, ...)."""
    cfg = current_app.config
    return Limits(
        page_size=cfg["PAGE_SIZE"],
        max_page_size=cfg["MAX_PAGE_SIZE"],
        max_query_chars=cfg["MAX_QUERY_CHARS"],
        max_filter_values=cfg["MAX_FILTER_VALUES"],
    )


def current_state() -> SearchState:
    """The search this request's URL describes (raises ``ParamError`` when invalid)."""
    return parse_search_args(request.args, limits())


def run_search(state: SearchState):
    """One page of results for ``state``, with facets."""
    return get_search().search(
        state.q,
        filters=state.facade_filters(),
        sort=state.sort,
        page=state.page,
        page_size=state.page_size,
        facets=True,
    )


# ---- pages ------------------------------------------------------------------------------


@bp.get("/")
def home():
    """The landing page (the search page without a search), at the site's root."""
    return search_page()


@bp.get("/search")
def search_page():
    """The search form, and the results of the search in the URL."""
    state = current_state()
    search = get_search()
    if state.is_empty:
        # The landing page shows what the index holds (its size, years, commonest origins
        # and TAGs as ways in); asking also proves the index exists, else the 503 page.
        overview = search.search("", page_size=1, facets=True)
        return render_search(state, overview=overview)
    results = run_search(state)
    unfiltered_total = None
    if results.total == 0 and state.has_filters and state.q:
        # Say how much the filters cost: the zero-result page offers to drop them.
        unfiltered_total = search.search(state.q, page_size=1, facets=False).total
    return render_search(state, results=results, unfiltered_total=unfiltered_total)


def render_search(
    state: SearchState,
    results=None,
    *,
    overview=None,
    error: str | None = None,
    unfiltered_total: int | None = None,
):
    """The search page: the landing form, results, or the form with an error message.

    :param overview: on the landing page, the facade's answer for "everything".
    """
    histogram = None
    groups = []
    links = FilterLinks(state)
    counted = results if results is not None else overview
    if counted is not None:
        histogram = year_histogram((f.value, f.count) for f in counted.facets.get("year", ()))
        meanings = {f.value: tag_meaning(f.value) for f in counted.facets.get("tags", ())[:40]}
        if results is not None:
            groups = facet_groups(state, results.facets, links, meanings)
        else:  # the landing page's ways in
            names = ("origin", "tags", "classification")
            groups = facet_groups(state, overview.facets, links, meanings, names, 8, 8)
    return render_template(
        "search.html",
        state=state,
        results=results,
        overview=overview,
        histogram=histogram,
        error=error,
        unfiltered_total=unfiltered_total,
        facet_groups=groups,
        links=links,
    )


@bp.get("/cable/<refid>")
def cable_page(refid: str):
    """One cable: metadata, TAGs, paragraphs with anchors, references and cited-by."""
    canonical = _canonical_or_404(refid)
    if canonical != refid:
        return _redirect_canonical("web.cable_page", canonical)
    q = _cable_query()
    search = get_search()
    view = _cable_or_404(search, canonical)
    if view.cable.refid != canonical:  # a misspelling of an indexed cable's refid
        return _redirect_canonical("web.cable_page", view.cable.refid)
    return render_template(
        "cable.html",
        view=view,
        cable=view.cable,
        q=q,
        matches=_matches_in(search, canonical, q) if q else {},
        marks=_marks_in(search, canonical, q) if q else {},
        more_like=search.more_like(canonical, limit=MORE_LIKE_LIMIT),
    )


def _marks_in(search, refid: str, q: str) -> dict[int, str]:
    """Every paragraph of the cable that ``q`` matches, highlighted whole: index -> html."""
    try:
        return search.highlight(refid, q)
    except QueryError:
        return {}


def _matches_in(search, refid: str, q: str) -> dict:
    """This cable's best-matching paragraphs for ``q``: paragraph index -> ``ParagraphHit``,
    for the "best matches" list at the top of the page.

    The query is parenthesized so that its ORs stay inside; a query that is not valid on
    its own is simply not matched.
    """
    try:
        results = search.search(f"refid:{refid} ({q})", page_size=1, facets=False)
    except QueryError:
        # The wrapper made a query that was just under the length limit go over it: show
        # the cable unhighlighted rather than refuse the page.
        return {}
    for hit in results.hits:
        if hit.refid == refid:
            return {p.index: p for p in hit.paragraphs}
    return {}


# ---- JSON -------------------------------------------------------------------------------


@bp.get("/api/search")
def api_search():
    """``Results.to_dict()`` for the search in the URL (same parameters as the page)."""
    state = current_state()
    return run_search(state).to_dict()


@bp.get("/api/cable/<refid>")
def api_cable(refid: str):
    """A cable as JSON: every parsed field, plus cited-by, indexed refs and TAG meanings."""
    canonical = _canonical_or_404(refid)
    if canonical != refid:
        return _redirect_canonical("web.api_cable", canonical)
    view = _cable_or_404(get_search(), canonical)
    if view.cable.refid != canonical:
        return _redirect_canonical("web.api_cable", view.cable.refid)
    data = view.cable.to_dict()
    source = data.get("source")
    if source and source.get("path"):
        # Only the file name: the server's directory layout is nobody's business.
        source["path"] = PurePath(source["path"]).name
    return {
        "cable": data,
        "cited_by": list(view.cited_by),
        "indexed_refs": sorted(view.indexed_refs),
        "tag_meanings": dict(view.tag_meanings),
        "url": url_for("web.cable_page", refid=canonical, _external=True),
    }


# ---- exports ----------------------------------------------------------------------------


@bp.get("/export.csv")
def export_csv():
    """Every matching cable as CSV, streamed."""
    return _export(csv_lines, "text/csv; charset=utf-8", "csv")


@bp.get("/export.jsonl")
def export_jsonl():
    """Every matching cable as JSON Lines, streamed."""
    return _export(jsonl_lines, "application/x-ndjson; charset=utf-8", "jsonl")


def _export(lines, mimetype: str, ext: str) -> Response:
    state = current_state()
    hits = iter(get_search().export(state.q, filters=state.facade_filters(), sort=state.sort))
    # Pull the first hit now: a QueryError or a missing index then becomes a proper 400/503
    # instead of a broken stream after a 200 has been sent.
    first = next(hits, _END)
    everything = hits if first is _END else chain([first], hits)
    base = url_for("web.cable_page", refid="_", _external=True)[:-1]

    def generate() -> Iterator[str]:
        try:
            yield from lines(everything, lambda refid: base + refid)
        finally:
            # Close the facade's iterator (and its searcher) also when the client leaves.
            close = getattr(hits, "close", None)
            if close is not None:
                close()

    filename = f"cables-{_slug(state.q) or 'all'}.{ext}"
    return Response(
        stream_with_context(generate()),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# ---- helpers ----------------------------------------------------------------------------


def _canonical_or_404(refid: str) -> str:
    """The refid as the URL should spell it: as written, in refid form (upper case, no
    spaces, no leading zeros; :func:`indexer.refids.cable_refid`)."""
    canonical = cable_refid(refid) if len(refid) <= 64 else None
    if not canonical:
        abort(404, f"{refid[:64]!r} is not a cable reference id like 06BANGKOK3955.")
    return canonical


def _cable_or_404(search, refid: str):
    """The indexed cable *refid* names (the id as written, else the cable it cites)."""
    view = search.cable(refid)
    if view is None:
        abort(404, f"No cable {refid} in this index.")
    return view


def _redirect_canonical(endpoint: str, canonical: str):
    url = url_for(endpoint, refid=canonical)
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return redirect(url, code=301)


def _cable_query() -> str:
    """The ``q`` a cable page highlights, checked like the search page's."""
    return parse_search_args({"q": request.args.get("q", "")}, limits()).q


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
