"""Geometry of the hits-per-year histogram, drawn server-side as SVG.

Pure: year facet counts in, bar rectangles and labels out. The template draws them, so
the chart needs no JavaScript and every bar can be an ordinary link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

__all__ = ["Bar", "Histogram", "year_histogram"]

BAR_WIDTH = 22  # per year when there are many years (labels every 5th year)
WIDE_BAR = 34  # per year when there are few (every year labelled, so a label must fit)
FEW_YEARS = 12
GAP = 4
PLOT_HEIGHT = 90
LABEL_HEIGHT = 18
TOP_PAD = 4
SIDE_PAD = 10  # room for a year label centred under the first and last bar
MIN_BAR = 2  # a year with one hit must still be visible next to a year with thousands


@dataclass(frozen=True)
class Bar:
    """One year's bar; ``count == 0`` bars are drawn as gaps, not links."""

    year: str
    count: int
    x: int
    y: int
    width: int
    height: int
    label: bool  # whether the year is written under this bar


@dataclass(frozen=True)
class Histogram:
    """The bars plus the SVG's size in user units.

    ``dense`` charts (many years) are drawn small, so their labels get a larger font.
    """

    bars: tuple[Bar, ...]
    width: int
    height: int
    baseline: int
    max_count: int
    dense: bool


def year_histogram(counts: Iterable[tuple[str, int]]) -> Histogram | None:
    """Lay out one bar per year from the first to the last year with hits.

    Years between with no hits get an empty slot, so the time axis stays linear.

    :param counts: ``(year, count)`` pairs in any order; non-year values are ignored.
    :returns: the layout, or ``None`` when there is nothing to draw.
    """
    by_year: dict[int, int] = {}
    for year, count in counts:
        if str(year).isdigit() and len(str(year)) == 4 and count > 0:
            by_year[int(year)] = by_year.get(int(year), 0) + int(count)
    if not by_year:
        return None
    first, last = min(by_year), max(by_year)
    top = max(by_year.values())
    span = last - first + 1
    # Label every year when there are few, else every 5th year so labels never collide.
    dense = span > FEW_YEARS
    step = 5 if dense else 1
    bar_width = BAR_WIDTH if dense else WIDE_BAR
    bars = []
    for i, year in enumerate(range(first, last + 1)):
        count = by_year.get(year, 0)
        height = 0 if count == 0 else max(MIN_BAR, round(PLOT_HEIGHT * count / top))
        bars.append(
            Bar(
                year=str(year),
                count=count,
                x=SIDE_PAD + i * (bar_width + GAP),
                y=TOP_PAD + PLOT_HEIGHT - height,
                width=bar_width,
                height=height,
                label=year % step == 0,
            )
        )
    width = span * (bar_width + GAP) - GAP + 2 * SIDE_PAD
    baseline = TOP_PAD + PLOT_HEIGHT
    return Histogram(
        bars=tuple(bars),
        width=width,
        height=baseline + LABEL_HEIGHT,
        baseline=baseline,
        max_count=top,
        dense=dense,
    )
