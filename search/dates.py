"""Date values and natural date phrases in queries, as inclusive day ranges: pure.

A date the user types names a *period*: ``2006`` is the whole year, ``2006-07`` the
whole month, ``jul 5 2006`` one day. Every value becomes ``(first_day, last_day)`` so a
range ``[2006-01 TO 2007-03]`` runs from 1 January 2006 to 31 March 2007 inclusive.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

__all__ = ["Period", "parse_period", "parse_range", "MONTHS", "month_number"]

#: Month names and their usual abbreviations, lower case, to month number.
MONTHS: dict[str, int] = {}
for _i, _name in enumerate(calendar.month_name):
    if _name:
        MONTHS[_name.lower()] = _i
        MONTHS[_name[:3].lower()] = _i
MONTHS["sept"] = 9

_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")

#: The years cables were written in, with margin; a number outside is not a year.
MIN_YEAR, MAX_YEAR = 1900, 2100


@dataclass(frozen=True)
class Period:
    """An inclusive range of days; either end may be open (``None``).

    :param start: the first day, or ``None`` for "since the beginning".
    :param end: the last day, or ``None`` for "until now".
    """

    start: date | None
    end: date | None

    def describe(self) -> str:
        """Words for the echo, e.g. ``2006-01-01 to 2007-03-31``."""
        if self.start and self.end:
            if self.start == self.end:
                return f"on {self.start.isoformat()}"
            return f"from {self.start.isoformat()} to {self.end.isoformat()}"
        if self.start:
            return f"from {self.start.isoformat()} on"
        if self.end:
            return f"up to {self.end.isoformat()}"
        return "any date"


def month_number(word: str) -> int | None:
    """The month a name or abbreviation means (``"Jan."`` -> 1), else ``None``."""
    return MONTHS.get(word.lower().rstrip("."))


def _span(year: int, month: int | None = None, day: int | None = None) -> Period | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if month is None:
        return Period(date(year, 1, 1), date(year, 12, 31))
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return Period(date(year, month, 1), date(year, month, last))
    if not 1 <= day <= last:
        return None
    return Period(date(year, month, day), date(year, month, day))


def parse_period(text: str) -> Period | None:
    """The period one date value names, or ``None`` if it is not a date.

    Accepts ``2006``, ``2006-07``, ``2006-07-05`` (also with ``/`` or ``.``),
    ``20060705``, ``7/5/2006`` (US order, as cables.csv writes dates), ``jul 2006``,
    ``july 5 2006``, ``5 jul 2006``, ``jul-2006``.

    >>> parse_period("2006-02")
    Period(start=datetime.date(2006, 2, 1), end=datetime.date(2006, 2, 28))
    """
    text = text.strip().strip(",").lower()
    if not text:
        return None
    m = _ISO.match(text)
    if m:
        y, mo, d = (int(g) if g else None for g in m.groups())
        return _span(y, mo, d)
    m = _COMPACT.match(text)
    if m:
        y, mo, d = (int(g) if g else None for g in m.groups())
        return _span(y, mo, d)
    m = _US.match(text)
    if m:
        mo, d, y = (int(g) for g in m.groups())
        return _span(y, mo, d)
    words = [w for w in re.split(r"[\s,\-/]+", text) if w]
    return period_from_words(words)


def period_from_words(words: list[str]) -> Period | None:
    """A period from 1-3 words: ``[month] [day] year`` or ``[day] month year``."""
    if not 1 <= len(words) <= 3:
        return None
    if not re.fullmatch(r"\d{4}", words[-1]):
        return None
    year = int(words[-1])
    rest = words[:-1]
    if not rest:
        return _span(year)
    month = day = None
    for w in rest:
        w = w.rstrip(".")
        mn = month_number(w)
        if mn is not None and month is None:
            month = mn
        elif re.fullmatch(r"\d{1,2}(st|nd|rd|th)?", w) and day is None:
            day = int(re.match(r"\d+", w).group())
        else:
            return None
    if month is None:
        return None
    return _span(year, month, day)


def parse_range(text: str) -> Period | None:
    """A range value: ``[2006-01 TO 2007-03]``, ``2006..2007``, ``>2006``, ``<=2007-03``.

    Returns ``None`` when either end is not a date. An empty end is open.
    """
    t = text.strip()
    if t[:1] in "[{" :
        t = t[1:]
    if t[-1:] in "]}":
        t = t[:-1]
    t = t.strip()
    m = re.match(r"^(>=|<=|>|<)\s*(.+)$", t)
    if m:
        p = parse_period(m.group(2))
        if p is None:
            return None
        op = m.group(1)
        if op == ">":
            return Period(_next_day(p.end), None)
        if op == ">=":
            return Period(p.start, None)
        if op == "<":
            return Period(None, _prev_day(p.start))
        return Period(None, p.end)
    parts = re.split(r"\s+TO\s+|\s*\.\.\s*|^TO\s+|\s+TO$", t, maxsplit=1, flags=re.I)
    if len(parts) != 2:
        return None
    lo, hi = (s.strip() for s in parts)
    plo = parse_period(lo) if lo and lo != "*" else Period(None, None)
    phi = parse_period(hi) if hi and hi != "*" else Period(None, None)
    if plo is None or phi is None:
        return None
    start, end = plo.start, phi.end
    if start and end and start > end:
        start, end = phi.start, plo.end
    return Period(start, end)


def _next_day(d: date) -> date:
    return date.fromordinal(d.toordinal() + 1)


def _prev_day(d: date) -> date:
    return date.fromordinal(d.toordinal() - 1)
