"""Facet values as the sidebar shows them: each with its link, folded when there are many.

Built in Python rather than in a template macro: a results page over a large index lists
up to 5 x 20 values, and a Jinja macro call per value cost more than the search itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Protocol

from search import FacetValue

from .params import FACETS, SearchState

__all__ = ["FacetGroup", "FacetLink", "facet_groups", "FACET_LABELS", "SHOWN", "LISTED"]

FACET_LABELS = {
    "origin": "Origin",
    "year": "Year",
    "classification": "Classification",
    "caveats": "Caveats",
    "tags": "TAGS",
}

#: Values shown at once; the next ones fold under "N more", up to :data:`LISTED` in all.
SHOWN = 8
#: Most values of one facet a page lists (the JSON API has them all).
LISTED = 20


class Links(Protocol):
    """Builds the URL of the search with one facet value added or removed
    (:class:`web.templating.FilterLinks`)."""

    def adding(self, name: str, value: str) -> str: ...

    def removing(self, name: str, value: str) -> str: ...


@dataclass(frozen=True)
class FacetLink:
    """One facet value: clicking it adds the filter, or removes it when ``active``."""

    value: str
    count: int
    href: str
    active: bool
    meaning: str | None = None


@dataclass(frozen=True)
class FacetGroup:
    """One facet's values, split into those shown, those folded, and how many are left out."""

    name: str
    label: str
    shown: tuple[FacetLink, ...]
    folded: tuple[FacetLink, ...]
    hidden: int


def facet_groups(
    state: SearchState,
    facets: Mapping[str, Iterable[FacetValue]],
    links: Links,
    meanings: Mapping[str, str | None] | None = None,
    names: Iterable[str] = FACETS,
    shown: int = SHOWN,
    listed: int = LISTED,
) -> list[FacetGroup]:
    """The sidebar's facet groups for ``state``.

    :param facets: ``Results.facets`` (values commonest first).
    :param links: builds the URLs of ``state`` with a value added or removed.
    :param meanings: TAG code -> meaning, shown beside ``tags`` values.
    :returns: one group per facet that has values; years newest first, others as given.
    """
    meanings = meanings or {}
    groups = []
    for name in names:
        values = list(facets.get(name, ()))
        if not values:
            continue
        if name == "year":
            values.sort(key=lambda fv: fv.value, reverse=True)
        cut = len(values) if len(values) <= shown + 2 else shown
        value_links = []
        for fv in values[:listed]:
            active = state.is_active(name, fv.value)
            href = (links.removing if active else links.adding)(name, fv.value)
            meaning = meanings.get(fv.value) if name == "tags" else None
            value_links.append(FacetLink(fv.value, fv.count, href, active, meaning))
        groups.append(
            FacetGroup(
                name=name,
                label=FACET_LABELS[name],
                shown=tuple(value_links[:cut]),
                folded=tuple(value_links[cut:]),
                hidden=max(0, len(values) - listed),
            )
        )
    return groups
