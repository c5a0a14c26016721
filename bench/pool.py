"""The raw material of synthetic cables, read from the real WikiLeaks cable pages.

The real pages stay in ``../shared``: this module extracts their paragraphs, subjects,
TAGS lines, ``Classified By`` lines, signers and station -> origin names at synth time,
in memory. Nothing it reads is ever written into the repository.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Donor", "Pool", "load_pool", "parse_page", "station_of"]

_PRE = re.compile(r"<pre>(.*?)</pre>", re.S)
_TAG = re.compile(r"<[^>]+>")
_CABLE_TABLE = re.compile(r"<table class='cable'>(.*?)</table>", re.S)
_ORIGIN = re.compile(r"<a href='/origin/[^']*'>([^<]*)</a>")
_REFID = re.compile(r"<a href='/cable/[^']*'>([^<]*)</a>")
# A numbered paragraph: "1. (C) text", "12. text"; the pilcrow is stripped earlier.
_NUMBERED = re.compile(r"^\s*(\d{1,3})\.\s+(?:\(([A-Z/]{1,6})\)\s*)?")
_HEADER_KEYS = re.compile(
    r"^\s*(SIPDIS|NOFORN|E\.?O\.?|EO\b|TAGS?\b|SUBJECT|SUBJ\b|REF|Classified|CLASSIFIED BY|"
    r"SENSITIVE|EXDIS|NODIS|LIMDIS|C O N|S E C|U N C|UNCLAS|CONFIDENTIAL|SECRET)",
    re.I,
)
_STATION = re.compile(r"^\d\d([A-Z]+?)\d")
_SIGNER = re.compile(r"^[A-Za-z][A-Za-z.' -]{1,30}$")


def station_of(refid: str) -> str:
    """The station part of a refid: ``08BERLIN1387`` -> ``BERLIN``.

    Odd refids (``06SECION01OF02HARARE628``) give their first letter run, which is
    what a naive reader would do too.
    """
    m = _STATION.match(refid)
    return m.group(1) if m else refid.strip("0123456789") or refid


@dataclass
class Donor:
    """What one real cable page contributes: its parts, in their original line wrapping.

    :param station: the refid's station, e.g. ``BERLIN``.
    :param origin: the page's Origin value, e.g. ``Embassy Berlin``.
    :param subject: the SUBJECT text with its original line breaks, or ``""``.
    :param tags: the TAGS line's codes as written (``PREL, MARR, AF``), or ``""``.
    :param classified_by: the ``Classified By`` line(s) without the label, or ``""``.
    :param paragraphs: ``(numbered, marking, text)`` triples: numbered paragraphs have
        their number and marking stripped from the first line; unnumbered blocks
        (headings, lead-ins, lists) keep their text and have no marking.
    :param signer: the last line when it looks like a signature, else ``""``.
    """

    station: str
    origin: str
    subject: str = ""
    tags: str = ""
    classified_by: str = ""
    paragraphs: list[tuple[bool, str | None, str]] = field(default_factory=list)
    signer: str = ""


@dataclass
class Pool:
    """All donors plus indexes the synthesizer draws from.

    :param donors: one per real page, in path order (so the pool is deterministic).
    :param by_station: station -> indexes into ``donors``.
    :param origins: station -> WikiLeaks origin name, as the real pages give it.
    :param paragraphs: every paragraph triple of every donor, flattened.
    """

    donors: list[Donor]
    by_station: dict[str, list[int]]
    origins: dict[str, str]
    paragraphs: list[tuple[bool, str | None, str]]


def _page_text(raw: str) -> str:
    text = raw.replace("&#x000A;", "\n")
    text = _TAG.sub("", text)  # pilcrow anchors, TAG links
    text = html.unescape(text).replace("\u00b6", "")
    # The CSV escapes only quotes; keeping backslashes out keeps every field readable
    # by the same reader settings WikiLeaks' file needs. (None occur in the real pages.)
    return text.replace("\\", "/").replace("\r", "")


def _blocks(text: str) -> list[str]:
    lines = [ln.rstrip() for ln in text.split("\n")]
    filled = [ln for ln in lines if ln]
    if filled and sum(map(len, filled)) / len(filled) > 150:
        # Some pages were re-typed with one unwrapped paragraph per line and no blank
        # lines between them: there, each line is a block.
        return filled
    blocks: list[str] = []
    cur: list[str] = []
    for ln in lines:
        if ln.strip():
            cur.append(ln)
        elif cur:
            blocks.append("\n".join(cur))
            cur = []
    if cur:
        blocks.append("\n".join(cur))
    return blocks


def parse_page(page: str) -> Donor | None:
    """Split one cable page into a :class:`Donor`; ``None`` if it has no cable text.

    Pure: takes the page's HTML, returns plain data.
    """
    pres = _PRE.findall(page)
    table = _CABLE_TABLE.search(page)  # the page's navigation also links to origins
    refid = _REFID.search(table.group(1)) if table else None
    if not pres or not refid:
        return None
    origin_m = _ORIGIN.search(table.group(1))
    donor = Donor(station=station_of(refid.group(1).strip()),
                  origin=origin_m.group(1).strip() if origin_m else "")
    blocks = _blocks(_page_text(pres[-1]))
    body_start = _body_start(blocks)
    for block in blocks[:body_start]:
        _header_block(donor, block)
    body = blocks[body_start:]
    if body and _SIGNER.match(body[-1].strip()) and "\n" not in body[-1].strip():
        donor.signer = body.pop().strip()
    for block in body:
        m = _NUMBERED.match(block)
        if m:
            donor.paragraphs.append((True, m.group(2), block[m.end():]))
        else:
            donor.paragraphs.append((False, None, block))
    return donor


def _body_start(blocks: list[str]) -> int:
    # The header ends at the first numbered paragraph when one comes early; otherwise
    # just after the last header-looking block among the first few (SUBJECT, REF, ...).
    for i, block in enumerate(blocks[:15]):
        if _NUMBERED.match(block):
            return i
    last = -1
    for i, block in enumerate(blocks[:10]):
        if _HEADER_KEYS.match(block.lstrip()):
            last = i
    return last + 1


def _header_block(donor: Donor, block: str) -> None:
    # One header block can hold several "KEY: value" lines (TAGS and SUBJECT are often
    # adjacent), and SUBJECT wraps: split it into items at each known key.
    items: list[list[str]] = []
    for ln in block.split("\n"):
        if _HEADER_KEYS.match(ln.lstrip()) or not items:
            items.append([ln])
        else:
            items[-1].append(ln)
    for item in items:
        head = item[0].lstrip()
        upper = head.upper()
        if upper.startswith(("SUBJECT", "SUBJ ")):
            first = re.sub(r"^SUBJ(?:ECT)?\s*:?\s*", "", head, flags=re.I)
            donor.subject = "\n".join([first, *item[1:]]).strip()
        elif re.match(r"TAGS?\b", upper):
            donor.tags = re.sub(r"^TAGS?\s*:?\s*", "", " ".join(item), flags=re.I).strip()
        elif upper.startswith(("CLASSIFIED BY", "CLASSIFIED")):
            rest = re.sub(r"^CLASSIFIED\s+BY\s*:?\s*", "", head, flags=re.I)
            donor.classified_by = "\n".join([rest, *item[1:]]).strip()


def load_pool(html_root: Path) -> Pool:
    """Read every ``YYYY/MM/REFID.html`` under ``html_root`` into a :class:`Pool`.

    :raises FileNotFoundError: when the directory holds no cable pages.
    """
    paths = sorted(Path(html_root).glob("*/*/*.html"))
    if not paths:
        raise FileNotFoundError(f"no cable pages under {html_root} (expected YYYY/MM/REFID.html)")
    donors: list[Donor] = []
    for path in paths:
        donor = parse_page(path.read_text(encoding="utf-8", errors="replace"))
        if donor and donor.paragraphs:
            donors.append(donor)
    by_station: dict[str, list[int]] = defaultdict(list)
    origins: dict[str, str] = {}
    for i, d in enumerate(donors):
        by_station[d.station].append(i)
        if d.origin:
            origins.setdefault(d.station, d.origin)
    paragraphs = [p for d in donors for p in d.paragraphs]
    return Pool(donors, dict(by_station), origins, paragraphs)
