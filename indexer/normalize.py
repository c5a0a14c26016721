"""Pure text clean-ups shared by every cable format.

Each function takes and returns ``str`` and does one thing, so the parsers can compose
exactly the steps a format needs. None of them reads files or keeps state.

Redactions: WikiLeaks replaced names with runs of ``X`` of varying length. Every run of
three or more capital X's (four or more lower-case x's, as in the sentence-cased pages)
standing as (part of) a word becomes exactly :data:`REDACTED`
(twelve X's, the commonest form), so a search for it, or a snippet showing it, is
stable whatever length the source used.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = [
    "REDACTED",
    "clean_text",
    "despace_letters",
    "drop_underlines",
    "join_wrapped",
    "normalize_dashes",
    "normalize_newlines",
    "normalize_quotes",
    "normalize_redactions",
    "unescape_html",
]

#: The one spelling of a redaction run in parsed text.
REDACTED = "XXXXXXXXXXXX"

_TAG = re.compile(r"<[^>]{0,2000}>")
_BR = re.compile(r"<br\s*/?>", re.I)


def unescape_html(text: str) -> str:
    """Drop markup and decode entities (``&#x000A;`` -> newline, ``&amp;`` -> ``&``)."""
    text = _BR.sub("\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text)


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n``; form feeds and NULs go."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\x00", "")


_QUOTES = str.maketrans(
    {
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    }
)
_ESCAPED_QUOTE = re.compile(r"\\([\"'])")


def _quote_for(m: re.Match) -> str:
    # str.translate on non-ASCII text looks up every character in Python; replacing
    # only the matches costs what the matches cost.
    return _QUOTES[ord(m.group())]


_ANY_QUOTE = re.compile("[\u201c\u201d\u201e\u2033\u00ab\u00bb\u2018\u2019\u201a\u2032\u00b4`]")


def normalize_quotes(text: str) -> str:
    """Curly and prime quotes become straight; backslash-escaped quotes lose the backslash."""
    # str.translate walks every character in Python; most cables have no curly quotes,
    # so look first (a regex scan is ~50x cheaper).
    if _ANY_QUOTE.search(text):
        text = _ANY_QUOTE.sub(_quote_for, text)
    if "\\" in text:
        text = _ESCAPED_QUOTE.sub(r"\1", text)
    return text


_DASHES = str.maketrans({"\u2014": "--", "\u2015": "--", "\u2013": "-", "\u2012": "-",
                         "\u2010": "-", "\u2011": "-", "\u2212": "-", "\u00a0": " "})


_ANY_DASH = re.compile("[\u2014\u2015\u2013\u2012\u2010\u2011\u2212\u00a0]")


def normalize_dashes(text: str) -> str:
    """Em dashes become ``--`` (the cables' own spelling), other dashes ``-``; NBSP a space."""
    return _ANY_DASH.sub(_dash_for, text) if _ANY_DASH.search(text) else text


def _dash_for(m: re.Match) -> str:
    return _DASHES[ord(m.group())]


# Upper-case runs of 3+, and lower-case runs of 4+ (the sentence-cased pages): "xxx" is
# too often an abbreviation's filler to take in lower case.
_REDACTION = re.compile(r"X{3,}|x{4,}")


def normalize_redactions(text: str) -> str:
    """Every run of 3+ ``X`` becomes :data:`REDACTED` (see the module docstring)."""
    return _REDACTION.sub(REDACTED, text) if ("XXX" in text or "xxxx" in text) else text


# Four or more single letters each followed by one space: "S E C R E T", "C o n f i ...".
_SPACED = re.compile(r"(?<![A-Za-z])((?:[A-Za-z] ){3,}[A-Za-z])(?![A-Za-z])")


def despace_letters(line: str) -> str:
    """Close up spaced-out words (``S E C R E T`` -> ``SECRET``) in one line."""
    if " " not in line:
        return line
    return _SPACED.sub(lambda m: m.group(1).replace(" ", ""), line)


_RULE_CHARS = frozenset("-=_ \t")


def drop_underlines(text: str) -> str:
    """Remove lines made only of dashes (``-----``, broken ``--------- ---``) or ``===``.

    A line needs three rule characters to count; it becomes an empty line.
    """
    if "---" not in text and "===" not in text and "___" not in text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line and line[0] in "-=_ \t" and _is_rule(line):
            lines[i] = ""
    return "\n".join(lines)


def _is_rule(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 3 and set(stripped) <= _RULE_CHARS and \
        sum(1 for c in stripped if c in "-=_") >= 3


_SPACES = re.compile(r"[ \t]+")
_WRAP_HYPHEN = re.compile(r"(?<=[A-Za-z])-\n(?=[A-Za-z])")


def join_wrapped(block: str) -> str:
    """Join one block's hard-wrapped lines into a single line.

    A line ending in a hyphen after a letter joins without a space, keeping the hyphen
    (``anti-`` + ``trafficking`` -> ``anti-trafficking``): in these cables a wrap never
    splits a word without one.
    """
    if "-\n" in block:
        block = _WRAP_HYPHEN.sub("-", block)
    return " ".join(block.split())


def clean_text(text: str) -> str:
    """The format-independent clean-up: newlines, NFC, quotes, dashes, redactions."""
    text = normalize_newlines(text)
    text = unicodedata.normalize("NFC", text)
    text = normalize_quotes(text)
    text = normalize_dashes(text)
    return normalize_redactions(text)
