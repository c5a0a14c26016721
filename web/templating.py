"""Jinja helpers: URL builders for the search state, dates, and the one ``Markup`` site."""

from __future__ import annotations

from datetime import date, datetime
from typing import Mapping
from urllib.parse import quote, urlencode

from flask import Flask, g, url_for
from markupsafe import Markup

from .facets import FACET_LABELS
from .params import FACETS, SORTS, SearchState, iter_pages

__all__ = ["init_app", "highlighted", "FilterLinks"]



def highlighted(snippet_html: str) -> Markup:
    """Mark highlighter output safe for the template.

    This is the only place the app marks anything safe. It is sound because the string
    comes from the search facade's highlighter (``search.snippets.make_snippet``), which
    HTML-escapes the cable text and adds no markup but ``<mark>`` around matches
    (``search.ParagraphHit.html`` and ``CableSearch.highlight`` document this contract).
    Everything else, subjects, refids, tags and the query itself, is autoescaped.
    """
    return Markup(snippet_html)


def search_url(state: SearchState, endpoint: str = "web.search_page") -> str:
    """The URL of ``state`` on ``endpoint`` (the search page, the API, an export).

    A results page links every facet value, chip, bar and page number: hundreds of
    URLs. ``url_for`` costs tens of microseconds each, so the endpoint's path is looked
    up once per request and only the query string is built per link.
    """
    path = _endpoint_path(endpoint)
    args = state.to_args(paging=endpoint in ("web.search_page", "web.api_search"))
    return f"{path}?{_query_string(args)}" if args else path


class FilterLinks:
    """The search-page URLs of one search with a facet value added or removed (the
    sidebar's links) or set alone (the histogram's bars): about ninety a page.

    ``search_url(state.adding(name, value))`` copies the state and builds its whole
    query string for every link, though all the links of one facet differ only in one
    pair. So the query string around that pair is built once per facet, by
    :meth:`SearchState.to_args` itself (which keeps the parameters' order its own
    business), and each link fills in its pair.
    """

    #: Stands for the value that varies from link to link while the rest is built.
    _VALUE = object()

    def __init__(self, state: SearchState):
        self.state = state
        self._around: dict[tuple[str, str], tuple[str, str]] = {}

    def adding(self, name: str, value: str) -> str:
        """``search_url(state.adding(name, value))``."""
        if self.state.is_active(name, value):  # no new pair: the state at page 1
            return search_url(self.state.adding(name, value))
        return self._url("adding", name, value)

    def only(self, name: str, value: str) -> str:
        """``search_url(state.only(name, value))``."""
        return self._url("only", name, value)

    def removing(self, name: str, value: str) -> str:
        """``search_url(state.removing(name, value))`` (few a page: the active values)."""
        return search_url(self.state.removing(name, value))

    def _url(self, change: str, name: str, value: str) -> str:
        around = self._around.get((change, name))
        if around is None:
            around = self._around[change, name] = self._query_around(change, name)
        head, tail = around
        return f"{head}{_encoded_pair(name, value)}{tail}"

    def _query_around(self, change: str, name: str) -> tuple[str, str]:
        """The URL up to the varying pair, and the rest of it after that pair."""
        changed = getattr(self.state, change)(name, self._VALUE)
        pairs = [(key, value) for key, values in changed.to_args().items()
                 for value in ((values,) if isinstance(values, str) else values)]
        at = next(i for i, (_key, value) in enumerate(pairs) if value is self._VALUE)
        head = "".join(_encoded_pair(*pair) + "&" for pair in pairs[:at])
        tail = "".join("&" + _encoded_pair(*pair) for pair in pairs[at + 1:])
        return f"{_endpoint_path('web.search_page')}?{head}", tail


def cable_url(refid: str, q: str = "", anchor: str | None = None) -> str:
    """A cable page URL that carries the query (for highlighting) and a paragraph anchor.

    Built from a per-request prefix, like :func:`search_url`, for the same reason.
    """
    prefix = g.get("cable_prefix")
    if prefix is None:
        prefix = g.cable_prefix = url_for("web.cable_page", refid="_")[:-1]
    url = prefix + quote(refid, safe="")
    if q:
        url += "?" + _encoded_pair("q", q)
    return url + "#" + anchor if anchor else url


def _endpoint_path(endpoint: str) -> str:
    """The path of ``endpoint``, looked up once per request."""
    paths = g.setdefault("endpoint_paths", {})
    path = paths.get(endpoint)
    if path is None:
        path = paths[endpoint] = url_for(endpoint)
    return path


def _query_string(args: Mapping[str, str | list[str]]) -> str:
    """``urlencode(args, doseq=True)``, from pairs encoded once per request.

    The links of one page share most of their pairs (every one carries the same ``q``
    and filters), and percent-encoding them again for each link was a good part of the
    cost of rendering the page.
    """
    return "&".join(_encoded_pair(key, value) for key, values in args.items()
                    for value in ((values,) if isinstance(values, str) else values))


def _encoded_pair(key: str, value: str) -> str:
    """``key=value`` as ``urlencode`` encodes it, remembered for the request."""
    encoded = g.setdefault("encoded_pairs", {})
    pair = encoded.get((key, value))
    if pair is None:
        pair = encoded[key, value] = urlencode({key: value})
    return pair


def fmt_date(value: date | datetime | None, with_time: bool = False) -> str:
    """``2006-07-05`` (``2006-07-05 10:07`` with ``with_time``); ``""`` for ``None``.

    Midnight is shown as a bare date: sources that carry only the calendar date (plain-text
    cables) parse to 00:00, and "00:00" would claim a precision the cable does not have.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        if with_time and (value.hour, value.minute) != (0, 0):
            return value.strftime("%Y-%m-%d %H:%M")
        return value.strftime("%Y-%m-%d")
    return value.isoformat()


def num(value: int) -> str:
    """``12,345``: thousands separated, as the counts are shown."""
    return f"{value:,}"


def cables(value: int) -> str:
    """``1 cable``, ``12,345 cables``."""
    return f"{value:,} cable" + ("" if value == 1 else "s")


def marking_class(marking: str | None) -> str:
    """A CSS class for a classification or portion marking, by its level."""
    if not marking:
        return "lvl-none"
    head = marking.upper().split("/")[0].split("//")[0].strip()
    if head.startswith("SECRET") or head in ("S", "TS"):
        return "lvl-s"
    if head.startswith("CONFIDENTIAL") or head == "C":
        return "lvl-c"
    if head in ("SBU", "U//FOUO") or "SENSITIVE" in head or "FOUO" in head:
        return "lvl-sbu"
    return "lvl-u"


def init_app(app: Flask) -> None:
    """Register the helpers as template globals and filters."""
    app.jinja_env.globals.update(
        FACETS=FACETS,
        FACET_LABELS=FACET_LABELS,
        SORTS=SORTS,
        search_url=search_url,
        cable_url=cable_url,
        iter_pages=iter_pages,
    )
    app.jinja_env.filters.update(
        highlighted=highlighted,
        fmt_date=fmt_date,
        marking_class=marking_class,
        num=num,
        cables=cables,
    )
