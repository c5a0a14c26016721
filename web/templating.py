"""Jinja helpers: URL builders for the search state, dates, and the one ``Markup`` site."""

from __future__ import annotations

from datetime import date, datetime

from urllib.parse import quote, urlencode

from flask import Flask, g, url_for
from markupsafe import Markup

from .facets import FACET_LABELS
from .params import FACETS, SORTS, SearchState, iter_pages

__all__ = ["init_app", "highlighted"]



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
    paths = g.setdefault("endpoint_paths", {})
    path = paths.get(endpoint)
    if path is None:
        path = paths[endpoint] = url_for(endpoint)
    args = state.to_args(paging=endpoint in ("web.search_page", "web.api_search"))
    return f"{path}?{urlencode(args, doseq=True)}" if args else path


def cable_url(refid: str, q: str = "", anchor: str | None = None) -> str:
    """A cable page URL that carries the query (for highlighting) and a paragraph anchor.

    Built from a per-request prefix, like :func:`search_url`, for the same reason.
    """
    prefix = g.get("cable_prefix")
    if prefix is None:
        prefix = g.cable_prefix = url_for("web.cable_page", refid="_")[:-1]
    url = prefix + quote(refid, safe="")
    if q:
        url += "?" + urlencode({"q": q})
    return url + "#" + anchor if anchor else url


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
