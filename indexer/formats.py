"""Unwrap each input format into the same parts: metadata, routing header, cable text.

Every function here is pure: it gets the text of one cable in one format and returns a
:class:`Parts`, which :func:`indexer.parsing.assemble` turns into a ``Cable``. Format
detection (:func:`detect_format`) looks only at the text, so it works for files, CSV
rows and strings alike.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from .normalize import unescape_html

__all__ = ["FORMATS", "Parts", "detect_format", "unwrap", "csv_parts", "parse_csv_date"]

#: The formats :func:`detect_format` can name (``jsonl`` is handled by the caller).
FORMATS = ("html", "csv", "blog", "text", "jsonl")


@dataclass
class Parts:
    """What a format wrapper knows about one cable before the text is read.

    ``meta`` keys (all optional): ``refid``, ``created`` (datetime), ``origin``,
    ``classification``, ``subject``, ``references`` (list of refids).
    """

    header: str = ""
    text: str = ""
    meta: dict = field(default_factory=dict)


_CSV_ROW = re.compile(r'^\s*"\d+","\d{1,2}/\d{1,2}/\d{4}')
# A scraped row has curly quotes (the blog's typography); straight ones are a CSV row.
_BLOG_ROW = re.compile(r'[“”]\d+[”"]\s*,\s*[”"“]\d{1,2}/\d{1,2}/\d{4}')
_TEXT_REFID = re.compile(r"^\s*\d{2}[A-Z][A-Z]+\d+\s*$")


def detect_format(text: str) -> str:
    """Name the format of one cable's (or one file's) text.

    ``html`` for WikiLeaks pages, ``jsonl`` for our export, ``csv`` for a straight-quoted
    ``cables.csv`` row, ``blog`` for a curly-quoted row with blog chrome, and ``text``
    for everything else (the one-file-per-cable form, or a bare fragment).
    """
    head = text[:4096].lstrip("\ufeff \t\r\n")
    low = head[:2048].lower()
    if head.startswith("{"):
        return "jsonl"
    if "<html" in low or "<pre" in low or "<!doctype" in low or "<div" in low or "<?xml" in low:
        return "html"
    if _CSV_ROW.match(head):
        return "csv"
    if _BLOG_ROW.search(head):
        return "blog"
    return "text"


# --- HTML -------------------------------------------------------------------------

_PANE = re.compile(r"<div class=['\"]pane big['\"]>", re.I)
_H3 = re.compile(r"<h3>(.*?)</h3>", re.I | re.S)
_TABLE = re.compile(r"<table class=['\"]cable['\"]>(.*?)</table>", re.I | re.S)
_TD = re.compile(r"<td>(.*?)</td>", re.I | re.S)
_PRE = re.compile(r"<pre>(.*?)</pre>", re.I | re.S)
_PAR_ANCHOR = re.compile(r"<a id=['\"]par(\w+)['\"][^>]*>\s*¶\s*</a>", re.I)
_PARTIAL = re.compile(r"This record is a partial extract of the original cable\.\s*"
                      r"The full text of the original cable is not available\.", re.I)


def html_parts(page: str) -> Parts:
    """A WikiLeaks cable page: the metadata table, the heading, the ``<pre>`` blocks."""
    m = _PANE.search(page)
    pane = page[m.end():] if m else page
    meta: dict = {}
    h3 = _H3.search(pane)
    if h3:
        heading = unescape_html(h3.group(1)).strip()
        hm = re.match(r"Viewing cable\s+(\S+?),\s*(.*)$", heading, re.S)
        if hm:
            meta["refid"] = hm.group(1)
            if hm.group(2).strip():
                meta["subject"] = hm.group(2).strip()
    table = _TABLE.search(pane)
    if table:
        cells = [re.sub(r"\s+", " ", unescape_html(c)).strip() for c in _TD.findall(table.group(1))]
        if len(cells) >= 5:
            meta["refid"] = cells[0] or meta.get("refid")
            created = _parse_iso_minute(cells[1])
            if created:
                meta["created"] = created
            if cells[3]:
                meta["classification"] = cells[3]
            if cells[4]:
                meta["origin"] = cells[4]
    # Paragraph anchors become "¶"; WikiLeaks also anchored some lettered list items
    # ("parB"), which are not paragraphs.
    raw = _PRE.findall(pane)
    # A truncated page: the last <pre> never closes. Keep what arrived.
    last_open = pane.rfind("<pre>")
    if last_open != -1 and pane.find("</pre>", last_open) == -1:
        raw.append(pane[last_open + len("<pre>"):])
    pres = [_PAR_ANCHOR.sub(lambda a: "¶" if a.group(1).isdigit() else "", p) for p in raw]
    pres = [unescape_html(p) for p in pres]
    if not pres and not table:
        # Not a cable page: treat the page's visible text as cable text.
        return Parts(text=unescape_html(page), meta=meta)
    if len(pres) >= 2:
        header, text = pres[0], "\n\n".join(pres[1:])
    elif pres:
        header, text = "", pres[0]
    else:
        header, text = "", ""
    header = _PARTIAL.sub("", header)
    return Parts(header=header, text=text, meta=meta)


def _parse_iso_minute(value: str) -> datetime | None:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


# --- cables.csv -------------------------------------------------------------------

#: The biggest field a CSV row may carry. The csv module's default (128 KB) is smaller
#: than the longest cables; raising the process-wide limit is the only way to read them.
CSV_FIELD_LIMIT = 64 * 1024 * 1024
if csv.field_size_limit() < CSV_FIELD_LIMIT:
    csv.field_size_limit(CSV_FIELD_LIMIT)

#: The csv dialect of WikiLeaks' cables.csv: backslash escapes, no quote doubling.
CSV_OPTIONS = dict(delimiter=",", quotechar='"', escapechar="\\", doublequote=False, strict=False)


def parse_csv_date(value: str) -> datetime | None:
    """``7/5/2006 10:07`` -> ``datetime(2006, 7, 5, 10, 7)``; ``None`` if unreadable."""
    value = value.strip()
    for fmt in ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def csv_parts(row: list[str]) -> Parts:
    """One ``cables.csv`` row (already split into columns) as :class:`Parts`.

    Columns: id, date, refid, origin, classification, references, header, content.
    Rows with fewer columns keep what they have; the last column is the text.
    """
    cols = list(row) + [""] * (8 - len(row))
    meta: dict = {}
    if cols[2].strip():
        meta["refid"] = cols[2].strip()
    created = parse_csv_date(cols[1])
    if created:
        meta["created"] = created
    if cols[3].strip():
        meta["origin"] = cols[3].strip()
    if cols[4].strip():
        meta["classification"] = cols[4].strip()
    if cols[5].strip():
        meta["references"] = [r.strip() for r in cols[5].split(",") if r.strip()]
    if len(row) > 8:  # an unescaped quote split the text: keep all of it
        cols[7] = ",".join(row[7:])
    return Parts(header=cols[6], text=cols[7], meta=meta)


def csv_text_parts(text: str) -> Parts:
    """One CSV row given as text (``parse_text(..., format="csv")``)."""
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline=""), **CSV_OPTIONS) if r]
    except csv.Error:
        return Parts(text=text)
    if not rows:
        return Parts()
    return csv_parts(rows[0])


# --- blog-scraped rows ---------------------------------------------------------------

_CURLY = str.maketrans({"“": '"', "”": '"', "″": '"', "„": '"'})
_BLOG_FIELDS = re.compile(
    r'"(\d+)"\s*,\s*"([^"\n]*)"\s*,\s*"([^"\n]*)"\s*,\s*"([^"\n]*)"\s*,\s*"([^"\n]*)"\s*,'
    r'\s*"([^"]*)"\s*,\s*"?'
)
# Blog chrome after the cable: the post's footer and the comment form.
_BLOG_END = re.compile(
    r"^[ \t]*(?:Written by\b|Posted in\b|Leave a Reply\b|Leave a comment\b|Share this:|"
    r"Like this:|Related\s*$|About these ads|Rate this:|Fill in your details below|"
    r"Tagged with\b|« Previous|Next »|Blog at WordPress)",
    re.I | re.M,
)


def blog_parts(page: str) -> Parts:
    """A cables.csv row pasted into a blog post: drop the blog, keep the cable.

    The row's quotes are curly, escaped quotes show as ``\\"``, the header and content
    columns have run together, and every line may be followed by a blank one. Lost
    letters are left lost.
    """
    text = page.translate(_CURLY)
    m = _BLOG_FIELDS.search(text)
    if not m:
        return Parts(text=_cut_blog_footer(text))
    meta: dict = {}
    if m.group(3).strip():
        meta["refid"] = m.group(3).strip()
    created = parse_csv_date(m.group(2))
    if created:
        meta["created"] = created
    if m.group(4).strip():
        meta["origin"] = m.group(4).strip()
    if m.group(5).strip():
        meta["classification"] = m.group(5).strip()
    refs = [r.strip() for r in m.group(6).split(",") if r.strip()]
    if refs:
        meta["references"] = refs
    rest = _cut_blog_footer(text[m.end():])
    rest = _undouble(rest)
    # The header and content columns, if their separator survived.
    split = re.search(r'(?<!\\)"\s*,\s*"', rest)
    header, body = (rest[: split.start()], rest[split.end():]) if split else ("", rest)
    body = re.sub(r'(?<!\\)"\s*$', "", body.rstrip())
    return Parts(header=header, text=body, meta=meta)


def _cut_blog_footer(text: str) -> str:
    m = _BLOG_END.search(text)
    return text[: m.start()] if m else text


def _undouble(text: str) -> str:
    """Undo blog double-spacing: one blank line was a newline, two were a blank line."""
    lines = text.split("\n")
    nonblank = sum(1 for l in lines if l.strip())
    singles = len(re.findall(r"\S[^\n]*\n[ \t]*\n(?=[ \t]*\S)", text))
    if nonblank < 4 or singles < 0.6 * nonblank:
        return text
    text = re.sub(r"\n[ \t]*\n[ \t]*\n(?:[ \t]*\n)*", "\x00", text)
    text = re.sub(r"\n[ \t]*\n", "\n", text)
    return text.replace("\x00", "\n\n")


# --- one cable per text file --------------------------------------------------------

_TEXT_DATE = re.compile(r"^\s*[A-Z][a-z]{2}\s+([A-Z][a-z]{2})\s+(\d{1,2})\s+[\d:]+\s+[+-]\d{4}\s+(\d{4})\s*$")


def parse_text_date(value: str) -> datetime | None:
    """``Tue Dec 03 00:00:00 +0100 2002`` -> ``datetime(2002, 12, 3)``: the calendar date only."""
    m = _TEXT_DATE.match(value)
    if not m:
        return None
    try:
        return datetime.strptime(f"{m.group(3)} {m.group(1)} {m.group(2)}", "%Y %b %d")
    except ValueError:
        return None


def text_parts(text: str) -> Parts:
    """The one-file-per-cable form (refid, subject, date, classification, origin, body),
    or, when line 1 is not a refid, a bare cable text or fragment."""
    lines = text.lstrip("\ufeff").split("\n")
    if len(lines) >= 5 and _TEXT_REFID.match(lines[0]) and parse_text_date(lines[2]):
        meta: dict = {"refid": lines[0].strip()}
        if lines[1].strip():
            meta["subject"] = lines[1].strip()
        meta["created"] = parse_text_date(lines[2])
        if lines[3].strip():
            meta["classification"] = lines[3].strip()
        if lines[4].strip():
            meta["origin"] = lines[4].strip()
        return Parts(text="\n".join(lines[5:]), meta=meta)
    return Parts(text=text)


def unwrap(text: str, fmt: str) -> Parts:
    """Dispatch to the unwrapper of ``fmt`` (one of ``html``, ``csv``, ``blog``, ``text``)."""
    if fmt == "html":
        return html_parts(text)
    if fmt == "csv":
        return csv_text_parts(text)
    if fmt == "blog":
        return blog_parts(text)
    return text_parts(text)
