"""The lines of a cable's text, before any field is read.

:func:`split_header` separates a routing block that arrives inside the text (CSV
content, text files); :func:`clean_lines` removes what the transmission and WikiLeaks
added between the lines: repeated ``SECTION n OF m`` headers and the handling lines
after them, page marks (``MADRID 00001914 001.2 OF 003``, ``PAGE 02 HARARE ...``),
WikiLeaks' date lines, bare classification footers, ``SIPDIS`` stamped mid-text, and
underlines that lost their line break. Classification lines are set aside for the
caller. Everything here is pure and line-by-line (no regex rescans a whole text).
"""

from __future__ import annotations

import re
import string

from . import preamble as _pre
from .normalize import despace_letters
from .refids import canonical_refid, station_for

__all__ = [
    "DTG_LINE", "HANDLING", "PARA1", "PARTIAL", "PILCROW",
    "clean_lines", "refid_from_class_lines", "split_header",
]

# Routing-block lines, for texts whose header is not a separate field.
_ROUTING = re.compile(
    r"^\s*(?:VZCZC|[RPOZ]{1,2}\s+[A-Z]{4,5}\b|[RPOZ]{1,2}(?:\s+[RPOZ])?\s+\d{6}Z|DE\s+[A-Z]{4,5}|"
    r"ZNY\b|ZNR\b|ZEN\b|ZFR\b|FM\s|TO\s|INFO\s|XMT\s|BT\s*$|[A-Z0-9]{4,7}/\S|\d{6}Z\s)"
)
_FM_OR_TO = re.compile(r"^[ \t]*(?:FM|TO)[ \t]", re.M)
# Page headers of State's old telegram printout: "PAGE 02 HARARE 06677 01 OF 03 291400Z",
# sometimes with the text that followed on the same line.
_PAGE_LINE = re.compile(r"^\s*PAGE\s+\d+\s+[A-Z ]+?\s+\d+\s+\d+\s+OF\s+\d+\s+\d{6}Z\s*")
# The date line WikiLeaks put above some texts: "Friday, 18 December 2009, 11:04".
_WL_DATE = re.compile(r"^\s*[A-Z][a-z]+day, \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}\s*$")
# A classification alone on a line (page footers): "CONFIDENTIAL", "CONFIDENTIAL PTQ1859".
_BARE_CLASS = re.compile(r"^\s*(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)"
                         r"(?:\s+[A-Z]{2,4}\d{3,})?\s*>?\s*$")
# WikiLeaks' page-break marks inside the text: "MADRID 00001914 001.2 OF 003".
_PAGE_MARK = re.compile(r"^\s*[A-Za-z][A-Za-z .'-]*\s\d{8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}\s*$")
_PAGE_MARK_INLINE = re.compile(r"\b[A-Z][A-Z .'-]{1,30}?\s\d{8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}\b")
# An underline that lost its line break: "RELATIONSHIP OFF ON THE RIGHT FOOT ------".
_TRAILING_RULE = re.compile(r"\s+-{4,}[- ]*$")
_LATER_SECTION = re.compile(r"\bSECTION\s+0*(?:[2-9]|[1-9]\d)\s+OF\b", re.I)
_SECTION = re.compile(r"\bSECTION\s+\d{1,3}\s+OF\s+\d{1,3}\b", re.I)
_CLASS_SERIAL = re.compile(r"^[A-Za-z /]*?\b([A-Za-z][A-Za-z .'-]*?)\s+0*(\d{1,7})\s*$")
#: First characters a classification line can start with (a cheap test before the regex).
_CLASS_FIRST = frozenset("TSCULtscul \t")
_SPACED_START = re.compile(r"^\s*[A-Za-z] [A-Za-z] [A-Za-z] ")
#: First characters of a line (past the preamble, not after a section break) that no test
#: of clean_lines takes, when the second is not a space (a spaced-out word), the last not
#: a digit (a page mark), and it holds no " OF 0" (an inline page mark), "day, " in its
#: first 12 characters (a date line) or a trailing "----": not a space, nor the first
#: letter of a classification (_CLASS_FIRST), of PAGE, SECTION or SIPDIS.
_PLAIN_FIRST = (
    frozenset(string.ascii_letters + string.digits + string.punctuation) - _CLASS_FIRST - {"P"}
)
PARTIAL = re.compile(r"This record is a partial extract of the original cable\.\s*"
                      r"The full text of the original cable is not available\.", re.I)
DTG_LINE = re.compile(r"^\s*(?:[RPOZ]{1,2}\s+)?\d{6}Z\s+[A-Za-z]{3}\s+\d{2,4}\s*$")
_HANDLING_THEN_LABEL = re.compile(
    r"^(\s*(?:(?:SIPDIS|NOFORN|EXDIS|NODIS|LIMDIS|SENSITIVE)\b[\s,]*)+)"
    r"(?=E\.?\s?O\.?\s|TAGS?\b|SUBJ|REFS?\b|CLASSIFIED\s+BY)", re.I)
# Where paragraph 1 starts inside a preamble line: " 1. (C/NF) ...", " 1, (C) ...".
_LABEL_THEN_PARA1 = re.compile(r"(?<=\S)\s+(?=1\s*[.,]\s*\(\s*(?:U|C|S|SBU|TS)(?:/[A-Z ,]+)?\s*\)\s)")
_ANY_PARA = re.compile(r"^\s*(?:¶\s*)?\d{1,3}\s*(?:\.|,(?=\s*\())\s")
PARA1 = re.compile(r"^\s*(?:¶\s*1\s*\.|1\s*(?:\.|,(?=\s*\())\s)")
PILCROW = re.compile(r"^\s*¶\s*\d")
#: Words a handling line ("SIPDIS", "SENSITIVE BUT UNCLASSIFIED", "NOT FOR INTERNET
#: DISTRIBUTION", "C O R R E C T E D C O P Y") is made of, and nothing else.
_HANDLING_WORDS = frozenset(
    """SIPDIS NOFORN EXDIS NODIS LIMDIS STADIS ORCON NOCONTRACT PROPIN SENSITIVE CHEROKEE
    FOUO NOSIPDIS SBU SPECIAL HANDLING FOR OFFICIAL USE ONLY BUT UNCLASSIFIED LIMITED NOT
    INTERNET PUBLIC DISTRIBUTION RELEASE ROGER CHANNEL CORRECTED COPY""".split()
)
_HANDLING_SPLIT = re.compile(r"[\s,;.:/()-]+")


class _Handling:
    """``match(line)``: is the line only handling marks? (Token test: no regex backtracking.)"""

    @staticmethod
    def match(line: str) -> bool:
        if len(line) > 120:
            return False
        closed = despace_letters(line.strip()).upper()
        if closed.startswith("CORRECTEDCOPY") or closed.startswith("CORRECTED COPY"):
            return True
        words = [w for w in _HANDLING_SPLIT.split(closed) if w]
        return bool(words) and all(w in _HANDLING_WORDS for w in words)


HANDLING = _Handling()


def split_header(text: str) -> tuple[str, str]:
    """Separate a leading routing block from the text, when the text carries one."""
    if not _FM_OR_TO.search(text[:6000]):
        return "", text
    lines = text.split("\n")
    end = 0
    seen_routing = False
    for i, line in enumerate(lines[:200]):
        stripped = line.strip()
        if not stripped:
            continue
        if _ROUTING.match(line) or (seen_routing and _in_address_list(lines, i)):
            seen_routing = True
            end = i + 1
            continue
        break
    if not seen_routing or not _FM_OR_TO.search("\n".join(lines[:end])):
        return "", text
    return "\n".join(lines[:end]), "\n".join(lines[end:])


def _in_address_list(lines: list[str], i: int) -> bool:
    # An address line continuing TO/INFO: upper case, no sentence punctuation.
    line = lines[i].strip()
    return bool(re.match(r"^[A-Z0-9][A-Z0-9 /&.,()'-]*$", line)) and _pre.classification_in(
        despace_letters(line)
    ) is None and not re.match(r"^(?:E\.?\s?O\.?|TAGS?|SUBJ|REF|SIPDIS)\b", line)


def clean_lines(text: str) -> tuple[list[str], list[str]]:
    """Text lines with section breaks removed, and the classification lines seen."""
    out: list[str] = []
    class_lines: list[str] = []
    after_break = False  # just past a section break: its repeated handling lines go too
    in_text = False  # past the first numbered paragraph (the preamble keeps its SIPDIS)
    for line in text.split("\n"):
        line = line.rstrip()
        if not line:
            # A blank line: dropped just after a section break, else kept (no test below
            # takes one).
            if not after_break:
                out.append(line)
            continue
        if in_text and not after_break and line[0] in _PLAIN_FIRST and line[1:2] != " " and \
                not line[-1].isdecimal() and " OF 0" not in line and "day, " not in line[:12] and \
                not line.endswith("----"):
            # Most lines of a text: no test below can take them (see _PLAIN_FIRST), and
            # running them all cost 1.6 times as much.
            out.append(line)
            continue
        if after_break:
            if HANDLING.match(line):
                continue
            after_break = False
        if _SPACED_START.match(line):
            closed = despace_letters(line)
            if _pre.classification_in(closed):
                line = closed
        if line[:1] in _CLASS_FIRST and _pre.classification_in(line) and (
            _SECTION.search(line) or (len(line) < 90 and _CLASS_SERIAL.match(line) and
                                       _serial_station(line))
            or HANDLING.match(line[len(_pre.classification_in(line) or ""):] or "X")
        ):
            class_lines.append(line)
            after_break = bool(_LATER_SECTION.search(line))
            continue
        if (" OF " in line or " of " in line) and (
                _SECTION.match(line.strip()) or _PAGE_MARK.match(line)):
            continue
        if " OF 0" in line:
            line = _PAGE_MARK_INLINE.sub(" ", line)
        if line[:6].lstrip().startswith("PAGE"):
            page = _PAGE_LINE.match(line)
            if page:
                line = line[page.end():]
                if not line.strip():
                    continue
        if "day, " in line[:12] and _WL_DATE.match(line):
            continue
        if not in_text and line[:1] in "SNELsnel \t" and _HANDLING_THEN_LABEL.match(line):
            # "SIPDIS E.O. 12958: N/A": the handling mark and the label share a line.
            m = _HANDLING_THEN_LABEL.match(line)
            out.append(m.group(1).rstrip())
            line = line[m.end(1):]
        if not in_text and len(line) < 1000 and line.lstrip()[:3].upper() in ("CLA", "REF") and \
                line.lstrip().upper().startswith(("CLASSIFIED BY", "REF")) and _LABEL_THEN_PARA1.search(line):
            # "CLASSIFIED BY: ... REASON: 1.4 (b), (d) 1. (C/NF) Summary: ...": paragraph 1
            # lost its line break.
            m = _LABEL_THEN_PARA1.search(line)
            out.append(line[: m.start()])
            line = line[m.start():].lstrip()
        if not in_text and line[:1] in " ¶0123456789\t" and _ANY_PARA.match(line):
            in_text = True
        if in_text and line[:12].lstrip()[:6].upper() == "SIPDIS":
            # SIPDIS stamped into the middle of the text ("... Financial Crimes\nSipdis\n
            # Patrick O'Brien ..."), alone or glued to the next words: a mark, not text.
            rest = line.lstrip()[6:]
            if not rest.strip():
                class_lines.append("SIPDIS")
                continue
            if rest[:1] == " ":
                line = rest.lstrip()
        if line[:1] in _CLASS_FIRST and _BARE_CLASS.match(line):
            class_lines.append(line.strip())
            continue
        if line.endswith("----"):
            line = _TRAILING_RULE.sub("", line)
        out.append(line)
    return out, class_lines


def _serial_station(line: str) -> str | None:
    m = _CLASS_SERIAL.match(line)
    if not m:
        return None
    words = m.group(1).split()
    for start in range(len(words)):
        station = station_for(" ".join(words[start:]), False)
        if station:
            return station
    return None


def refid_from_class_lines(lines: list[str], year: int | None) -> str | None:
    for line in lines:
        if len(line) > 150:
            continue
        m = _CLASS_SERIAL.match(_SECTION.sub(" ", line))
        if m and year is not None:
            rid = canonical_refid(f"{m.group(1)} {m.group(2)}", year)
            if rid:
                return rid
            words = m.group(1).split()
            for start in range(1, len(words)):
                rid = canonical_refid(" ".join(words[start:]) + " " + m.group(2), year)
                if rid:
                    return rid
    return None
