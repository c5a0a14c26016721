"""Clean up a user's query string before it is parsed: pure functions only.

People paste queries from word processors, e-mail and PDFs, so quotes arrive curly,
minus signs arrive as en or em dashes and spaces arrive non-breaking. Each of those would
otherwise change what the query means (an unclosed phrase, a word that is not excluded).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_query"]

_QUOTES = {
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\uff02": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\uff07": "'",
}
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_TABLE = str.maketrans({**_QUOTES, **{d: "-" for d in _DASHES}})
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def normalize_query(text: str) -> str:
    """Return *text* with quotes, dashes and spaces made plain, trimmed.

    >>> normalize_query("\u201cvital voices\u201d \u2014burma")
    '"vital voices" -burma'

    Compatibility forms (full-width letters, ligatures) are folded by NFKC first; the
    result is what the parser sees and what the echo quotes back.
    """
    text = unicodedata.normalize("NFKC", text or "")
    # NFKC turns some curly forms into others (e.g. U+2033 stays); map after folding.
    text = text.translate(_TABLE)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\t\n")
    return _SPACES.sub(" ", text).strip()
