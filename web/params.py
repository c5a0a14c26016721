"""The search state that lives in the URL: parsed, validated and turned back into URLs.

Everything a results page shows is determined by its query string (``q``, the facet
filters, ``date_from``/``date_to``, ``sort``, ``page``, ``page_size``), so pages are
bookmarkable and the JSON and export endpoints take exactly the same parameters.
The functions here are pure: they take a multi-dict of arguments and return a
:class:`SearchState`, or raise :class:`ParamError` with a message meant for the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Iterable, Mapping

__all__ = [
    "FACETS",
    "SORTS",
    "Limits",
    "ParamError",
    "SearchState",
    "iter_pages",
    "parse_search_args",
]

#: The facet filters, in the order the sidebar shows them.
FACETS = ("origin", "year", "classification", "caveats", "tags")

#: Accepted values of ``sort``, with how the page names them.
SORTS = {"relevance": "Relevance", "-date": "Newest first", "date": "Oldest first"}

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_YEAR_RE = re.compile(r"^\d{4}$")
_INT_RE = re.compile(r"^\+?\d{1,9}$")
# Control characters never occur in a refid, origin, tag or classification; refusing them
# keeps odd bytes out of the index layer and out of the page.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class ParamError(ValueError):
    """A request parameter that cannot be used; the message says what to send instead."""


@dataclass(frozen=True)
class Limits:
    """The web layer's own caps on what one request may ask for.

    The facade enforces the query-language limits (query length, page depth, wildcard
    expansion) and says what to change; these only bound the request's shape.
    """

    page_size: int = 20
    max_page_size: int = 100
    max_query_chars: int = 2000
    max_filter_values: int = 20
    max_value_chars: int = 200


@dataclass(frozen=True)
class SearchState:
    """One search as the URL describes it.

    :param q: the query text, stripped.
    :param filters: facet name -> selected values, in the order they were added.
    :param date_from: lower date bound (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) or ``""``.
    :param date_to: upper date bound, same forms, or ``""``.
    :param sort: one of :data:`SORTS`.
    :param page: 1-based page number.
    :param page_size: hits per page.
    :param default_page_size: the page size that is left out of URLs.
    """

    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    default_page_size: int = 20

    @property
    def has_filters(self) -> bool:
        """Whether any facet or date filter is set."""
        return bool(self.date_from or self.date_to or any(self.filters.values()))

    @property
    def is_empty(self) -> bool:
        """No query and no filters: the landing page."""
        return not self.q and not self.has_filters

    def facade_filters(self) -> dict[str, list[str]] | None:
        """The ``filters`` argument of ``CableSearch.search``, or ``None`` without filters."""
        out: dict[str, object] = {k: list(v) for k, v in self.filters.items() if v}
        if self.date_from:
            out["date_from"] = self.date_from
        if self.date_to:
            out["date_to"] = self.date_to
        return out or None  # type: ignore[return-value]

    def chips(self) -> list[tuple[str, str, str]]:
        """Active filters as ``(facet, value, label)``, for removable chips."""
        out = []
        for name in FACETS:
            for value in self.filters.get(name, ()):
                out.append((name, value, value))
        if self.date_from:
            out.append(("date_from", self.date_from, f"from {self.date_from}"))
        if self.date_to:
            out.append(("date_to", self.date_to, f"to {self.date_to}"))
        return out

    def is_active(self, name: str, value: str) -> bool:
        """Whether ``value`` is among the selected values of facet ``name``."""
        return value in self.filters.get(name, ())

    # The methods below return changed copies; every one that changes what matches goes
    # back to page 1, because the old page number means nothing for a new result set.

    def adding(self, name: str, value: str) -> "SearchState":
        """This search narrowed by one more facet value."""
        if self.is_active(name, value):
            return replace(self, page=1)
        filters = dict(self.filters)
        filters[name] = filters.get(name, ()) + (value,)
        return replace(self, filters=filters, page=1)

    def only(self, name: str, value: str) -> "SearchState":
        """This search with facet ``name`` set to exactly ``value`` (the histogram bars)."""
        filters = dict(self.filters)
        filters[name] = (value,)
        return replace(self, filters=filters, page=1)

    def removing(self, name: str, value: str) -> "SearchState":
        """This search without one filter value (a chip's remove link)."""
        if name == "date_from":
            return replace(self, date_from="", page=1)
        if name == "date_to":
            return replace(self, date_to="", page=1)
        filters = dict(self.filters)
        filters[name] = tuple(v for v in filters.get(name, ()) if v != value)
        return replace(self, filters=filters, page=1)

    def without_filters(self) -> "SearchState":
        """The same query with every filter removed."""
        return replace(self, filters={}, date_from="", date_to="", page=1)

    def with_query(self, q: str) -> "SearchState":
        """Another query (the did-you-mean link), keeping the filters."""
        return replace(self, q=q, page=1)

    def with_sort(self, sort: str) -> "SearchState":
        """Another order, from page 1."""
        return replace(self, sort=sort, page=1)

    def with_page(self, page: int) -> "SearchState":
        """Another page of the same results."""
        return replace(self, page=page)

    def to_args(self, *, paging: bool = True) -> dict[str, str | list[str]]:
        """URL arguments for ``url_for``; defaults are left out so URLs stay short.

        :param paging: include ``page`` and ``page_size`` (exports and the cable-page
            links want the query without them).
        """
        args: dict[str, str | list[str]] = {}
        if self.q:
            args["q"] = self.q
        for name in FACETS:
            if self.filters.get(name):
                args[name] = list(self.filters[name])
        if self.date_from:
            args["date_from"] = self.date_from
        if self.date_to:
            args["date_to"] = self.date_to
        if self.sort != "relevance":
            args["sort"] = self.sort
        if paging:
            if self.page != 1:
                args["page"] = str(self.page)
            if self.page_size != self.default_page_size:
                args["page_size"] = str(self.page_size)
        return args


def parse_search_args(args: Mapping[str, object], limits: Limits = Limits()) -> SearchState:
    """Validate request arguments into a :class:`SearchState`.

    :param args: a Werkzeug ``MultiDict`` (or anything with ``get`` and ``getlist``).
    :param limits: the caps to enforce.
    :raises ParamError: with a message naming the parameter and what is accepted.
    """
    q = _text(args, "q", limits.max_query_chars).strip()
    sort = _one(args, "sort") or "relevance"
    if sort not in SORTS:
        raise ParamError(f"Unknown sort {_show(sort)}: use one of {', '.join(SORTS)}.")
    page = _int(args, "page", 1, 1, None)
    page_size = _int(args, "page_size", limits.page_size, 1, limits.max_page_size)
    filters: dict[str, tuple[str, ...]] = {}
    for name in FACETS:
        values = _values(args, name, limits)
        if name == "year":
            for v in values:
                if not _YEAR_RE.match(v):
                    raise ParamError(f"year must be four digits like 2006, not {_show(v)}.")
        if values:
            filters[name] = values
    date_from = _date(args, "date_from")
    date_to = _date(args, "date_to")
    if date_from and date_to and _lower(date_from) > _upper(date_to):
        raise ParamError(f"date_from {date_from} is after date_to {date_to}: swap them.")
    return SearchState(
        q=q,
        filters=filters,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        page_size=page_size,
        default_page_size=limits.page_size,
    )


def _getlist(args: Mapping[str, object], name: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    if getlist is not None:
        return list(getlist(name))
    value = args.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [str(value)]


def _one(args: Mapping[str, object], name: str) -> str:
    values = _getlist(args, name)
    if len(values) > 1:
        raise ParamError(f"Give {name} once, not {len(values)} times.")
    return values[0].strip() if values else ""


def _text(args: Mapping[str, object], name: str, max_chars: int) -> str:
    value = _one(args, name)
    if len(value) > max_chars:
        raise ParamError(
            f"{name} is {len(value):,} characters long; the limit is {max_chars:,}. Shorten it."
        )
    if "\x00" in value:
        raise ParamError(f"{name} contains a NUL character; remove it.")
    return value


def _int(args: Mapping[str, object], name: str, default: int, low: int, high: int | None) -> int:
    raw = _one(args, name)
    if not raw:
        return default
    if not _INT_RE.match(raw):
        if raw.isdigit():
            raise ParamError(f"{name} {_show(raw)} is out of range.")
        raise ParamError(f"{name} must be a whole number, not {_show(raw)}.")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ParamError(f"{name} must be {bound}, not {value}.")
    return value


def _values(args: Mapping[str, object], name: str, limits: Limits) -> tuple[str, ...]:
    out: list[str] = []
    for raw in _getlist(args, name):
        value = raw.strip()
        if not value:
            continue
        if len(value) > limits.max_value_chars:
            raise ParamError(
                f"One {name} value is {len(value):,} characters long; "
                f"the limit is {limits.max_value_chars}."
            )
        if _CONTROL_RE.search(value):
            raise ParamError(f"One {name} value contains control characters; remove them.")
        if value not in out:
            out.append(value)
    if len(out) > limits.max_filter_values:
        raise ParamError(
            f"Too many {name} filters ({len(out)}); the limit is {limits.max_filter_values}."
        )
    return tuple(out)


def _date(args: Mapping[str, object], name: str) -> str:
    raw = _one(args, name)
    if not raw:
        return ""
    m = _DATE_RE.match(raw)
    try:
        if not m:
            raise ValueError
        date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        raise ParamError(
            f"{name} must be a date like 2006, 2006-07 or 2006-07-05, not {_show(raw)}."
        ) from None
    return raw


def _lower(value: str) -> str:
    """The first day a ``YYYY[-MM[-DD]]`` bound covers, as sortable text."""
    return {4: value + "-01-01", 7: value + "-01"}.get(len(value), value)


def _upper(value: str) -> str:
    """The last day a ``YYYY[-MM[-DD]]`` bound covers, as sortable text (31 is enough)."""
    return {4: value + "-12-31", 7: value + "-31"}.get(len(value), value)


def _show(value: str, limit: int = 40) -> str:
    """A user value quoted for a message, cut short so a huge parameter stays readable."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def iter_pages(page: int, pages: int, window: int = 2) -> Iterable[int | None]:
    """Page numbers for a pager: first, last and a window around ``page``; ``None`` = gap.

    >>> list(iter_pages(6, 20))
    [1, None, 4, 5, 6, 7, 8, None, 20]
    """
    shown = sorted({1, pages, *range(max(1, page - window), min(pages, page + window) + 1)})
    prev = 0
    for n in shown:
        if n - prev > 1:
            yield None
        yield n
        prev = n
