"""Search results as plain, immutable data.

Nothing here refers to Whoosh: a :class:`Results` stays valid after the searcher that
produced it is closed, pickles, and converts to dicts for JSON, CSV and DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

__all__ = ["CableView", "FacetValue", "Hit", "ParagraphHit", "Results"]


@dataclass(frozen=True)
class ParagraphHit:
    """One of a hit's best-matching paragraphs.

    :param number: the ``¶N`` number, or ``None`` for unnumbered text.
    :param index: the paragraph's 0-based position in the cable (for anchors when
        ``number`` is ``None``).
    :param marking: portion marking (``C``, ``S/NF``, ...) or ``None``.
    :param html: the snippet as escaped HTML, matches wrapped in ``<mark>``.
    :param text: the same snippet as plain text.
    :param offsets: ``(start, end)`` character offsets of the matches within ``text``.
    """

    number: int | None
    index: int
    marking: str | None
    html: str
    text: str
    offsets: tuple[tuple[int, int], ...] = ()

    @property
    def anchor(self) -> str:
        """The fragment id of this paragraph on the cable page, e.g. ``p5``."""
        return f"p{self.number}" if self.number is not None else f"i{self.index}"


@dataclass(frozen=True)
class Hit:
    """One cable in a result list."""

    refid: str
    subject: str | None
    created: datetime | None
    origin: str | None
    classification: str | None
    caveats: tuple[str, ...]
    tags: tuple[str, ...]
    score: float
    paragraphs: tuple[ParagraphHit, ...] = ()
    matched_terms: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        from .render import hit_html

        return hit_html(self)

    def to_record(self) -> dict[str, Any]:
        """A flat dict for tables, CSV and JSON: dates as ISO strings, lists joined."""
        return {
            "refid": self.refid,
            "created": self.created.isoformat(sep=" ", timespec="minutes") if self.created else None,
            "origin": self.origin,
            "classification": self.classification,
            "caveats": ", ".join(self.caveats),
            "tags": ", ".join(self.tags),
            "subject": self.subject,
            "score": round(self.score, 4),
            "paragraphs": ", ".join(
                f"¶{p.number}" if p.number is not None else f"#{p.index}" for p in self.paragraphs
            ),
            "snippet": self.paragraphs[0].text if self.paragraphs else "",
        }


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with the number of matching cables that have it."""

    value: str
    count: int


@dataclass(frozen=True)
class Results:
    """One page of a search, with exact totals and facets over the whole result set.

    :param query: the query string as the user gave it.
    :param echo: the query as it was understood, in words.
    :param total: the exact number of matching cables.
    :param hits: this page's hits, best first (or by date).
    :param facets: facet name (``origin``, ``year``, ``classification``, ``caveats``,
        ``tags``) -> values with counts over all matching cables, commonest first.
    :param suggestion: a did-you-mean query, when one would find more.
    :param notes: what was ignored or relaxed while parsing, in words.
    :param relaxed: ``True`` when cables that match only some of the words are included.
    """

    query: str
    echo: str
    total: int
    page: int
    page_size: int
    hits: tuple[Hit, ...] = ()
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    matched_terms: tuple[str, ...] = ()
    suggestion: str | None = None
    notes: tuple[str, ...] = ()
    relaxed: bool = False
    sort: str = "relevance"

    @property
    def pages(self) -> int:
        """How many pages of ``page_size`` the whole result set fills."""
        return max(1, -(-self.total // self.page_size)) if self.page_size else 1

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self):
        return iter(self.hits)

    def __repr__(self) -> str:
        return f"<Results {self.query!r}: {self.total} cables, page {self.page}/{self.pages}>"

    def to_records(self) -> list[dict[str, Any]]:
        """This page's hits as a list of flat dicts."""
        return [hit.to_record() for hit in self.hits]

    def to_dataframe(self):
        """This page's hits as a pandas ``DataFrame`` (one row per hit).

        :raises ImportError: when pandas is not installed, saying how to install it.
        """
        return _dataframe(self.to_records())

    def _repr_html_(self) -> str:
        from .render import results_html

        return results_html(self)

    def facet_counts(self, name: str) -> dict[str, int]:
        """One facet over the whole result set as ``{value: count}``, commonest first."""
        return {fv.value: fv.count for fv in self.facets.get(name, ())}

    def year_counts(self) -> dict[int, int]:
        """Matching cables per year over the whole result set, in year order (for plots).

        Needs the search to have run with ``facets=True``.
        """
        years = {int(v): n for v, n in self.facet_counts("year").items() if str(v).isdigit()}
        return dict(sorted(years.items()))

    def origin_counts(self) -> dict[str, int]:
        """Matching cables per origin over the whole result set, commonest first."""
        return self.facet_counts("origin")

    def to_dict(self) -> dict[str, Any]:
        """Everything, as JSON-ready data (the web API's shape)."""
        out = {f.name: _plain(getattr(self, f.name)) for f in fields(self)}
        out["pages"] = self.pages
        return out


@dataclass(frozen=True)
class CableView:
    """One cable for its own page: the record plus what the index knows around it.

    :param cable: the whole parsed cable (``indexer.Cable``), as stored in the index.
    :param cited_by: refids of indexed cables whose ``REF`` lines cite this one, oldest first.
    :param indexed_refs: the refids among ``cable.references`` and ``cited_by`` that are
        in the index (so a page can link them and leave the others as plain text).
    :param tag_meanings: each of the cable's TAGS -> its meaning, or ``None`` if unknown.
    """

    cable: Any
    cited_by: tuple[str, ...] = ()
    indexed_refs: frozenset[str] = frozenset()
    tag_meanings: dict[str, str | None] = field(default_factory=dict)


def _dataframe(records: list[dict[str, Any]]):
    try:
        import pandas as pd
    except ImportError as exc:  # pandas is an optional extra
        raise ImportError(
            "to_dataframe() needs pandas, an optional extra: "
            "pip install 'cablesearch[pandas]' (or use to_records())."
        ) from exc
    return pd.DataFrame.from_records(records, columns=_RECORD_COLUMNS)


#: The columns of :meth:`Hit.to_record`, in order (an empty page keeps them too).
_RECORD_COLUMNS = [
    "refid", "created", "origin", "classification", "caveats", "tags", "subject", "score",
    "paragraphs", "snippet",
]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        out = {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, ParagraphHit):
            out["anchor"] = value.anchor
        return out
    return value
