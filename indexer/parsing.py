"""Parse one cable's text, in any supported format, into a :class:`~indexer.models.Cable`.

:func:`parse_text` is pure and total: for any ``str`` it returns a ``Cable`` with the
fields it could find (a fragment with only ``TAGS`` and ``SUBJECT`` lines gives a Cable
with only tags and subject). It raises :class:`~indexer.errors.ParseError` only when
the input is not text at all (``bytes``, ``None``, a number), or is a ``jsonl`` record
that is not valid JSON of a cable.

The work is split by concern: :mod:`indexer.formats` unwraps a format into metadata,
routing header and text; :mod:`indexer.header` reads the routing block;
:mod:`indexer.preamble` reads the labelled lines before paragraph 1;
:mod:`indexer.body` splits paragraphs and finds the summary and signature.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from . import body as _body
from . import header as _header
from . import preamble as _pre
from .errors import ParseError
from .formats import FORMATS, Parts, detect_format, unwrap
from .models import Cable, Paragraph, Source
from .normalize import clean_text, despace_letters, drop_underlines, join_wrapped
from .refids import canonical_refid, station_for, year_of

__all__ = ["parse_text", "assemble"]


def parse_text(text: str, format: str | None = None, refid: str | None = None) -> Cable:
    """Parse one cable (or a fragment of one).

    :param text: the cable in any supported format; see :mod:`indexer.formats`.
    :param format: ``html``, ``csv``, ``blog``, ``text`` or ``jsonl``; detected when
        ``None``.
    :param refid: the cable's own id when known from outside (a CSV column, a file
        name). It names the cable when the text doesn't, and its year resolves
        year-less references (``REF: A. TBILISI 1605`` in a 2007 cable ->
        ``07TBILISI1605``).
    :raises ParseError: when ``text`` is not a ``str``, ``format`` is unknown, or a
        ``jsonl`` record is not a cable.
    """
    if not isinstance(text, str):
        raise ParseError(f"expected text (str), got {type(text).__name__}")
    fmt = format or detect_format(text)
    if fmt not in FORMATS:
        raise ParseError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if fmt == "jsonl":
        return cable_from_json(text)
    parts = unwrap(text, fmt)
    return assemble(parts, Source(path=None, format=fmt), refid=refid)


def cable_from_json(line: str, source: Source | None = None) -> Cable:
    """One JSON Lines record (as written by ``Cable.to_json``) back into a Cable."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise ParseError(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ParseError("a JSON Lines record must be an object")
    try:
        cable = Cable.from_dict(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ParseError(f"not a cable record: {exc}") from None
    if source is not None and cable.source is None:
        cable = _replace_source(cable, source)
    return cable


def _replace_source(cable: Cable, source: Source) -> Cable:
    from dataclasses import replace

    return replace(cable, source=source)


# --- assembling a Cable from Parts ---------------------------------------------------

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
_PARTIAL = re.compile(r"This record is a partial extract of the original cable\.\s*"
                      r"The full text of the original cable is not available\.", re.I)
_DTG_LINE = re.compile(r"^\s*(?:[RPOZ]{1,2}\s+)?\d{6}Z\s+[A-Za-z]{3}\s+\d{2,4}\s*$")
_HANDLING_THEN_LABEL = re.compile(
    r"^(\s*(?:(?:SIPDIS|NOFORN|EXDIS|NODIS|LIMDIS|SENSITIVE)\b[\s,]*)+)"
    r"(?=E\.?\s?O\.?\s|TAGS?\b|SUBJ|REFS?\b|CLASSIFIED\s+BY)", re.I)
# Where paragraph 1 starts inside a preamble line: " 1. (C/NF) ...", " 1, (C) ...".
_LABEL_THEN_PARA1 = re.compile(r"(?<=\S)\s+(?=1\s*[.,]\s*\(\s*(?:U|C|S|SBU|TS)(?:/[A-Z ,]+)?\s*\)\s)")
_ANY_PARA = re.compile(r"^\s*(?:¶\s*)?\d{1,3}\s*(?:\.|,(?=\s*\())\s")
_PARA1 = re.compile(r"^\s*(?:¶\s*1\s*\.|1\s*(?:\.|,(?=\s*\())\s)")
_PILCROW = re.compile(r"^\s*¶\s*\d")
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


_HANDLING = _Handling()


def _split_header(text: str) -> tuple[str, str]:
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


def _clean_lines(text: str) -> tuple[list[str], list[str]]:
    """Text lines with section breaks removed, and the classification lines seen."""
    out: list[str] = []
    class_lines: list[str] = []
    after_break = False  # just past a section break: its repeated handling lines go too
    in_text = False  # past the first numbered paragraph (the preamble keeps its SIPDIS)
    for line in text.split("\n"):
        line = line.rstrip()
        if after_break:
            if not line.strip():
                continue
            if _HANDLING.match(line):
                continue
            after_break = False
        if _SPACED_START.match(line):
            closed = despace_letters(line)
            if _pre.classification_in(closed):
                line = closed
        if line[:1] in _CLASS_FIRST and _pre.classification_in(line) and (
            _SECTION.search(line) or (len(line) < 90 and _CLASS_SERIAL.match(line) and
                                       _serial_station(line))
            or _HANDLING.match(line[len(_pre.classification_in(line) or ""):] or "X")
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
        if not in_text and line.lstrip()[:3].upper() in ("CLA", "REF") and \
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


def _refid_from_class_line(lines: list[str], year: int | None) -> str | None:
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


def _derived_classification(base: str | None, caveats: list[str]) -> str | None:
    if base is None:
        return None
    if base in ("LIMITED OFFICIAL USE",) or (base == "UNCLASSIFIED" and (
            "FOUO" in caveats or "SENSITIVE" in caveats)):
        return "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    if base in ("SECRET", "CONFIDENTIAL", "TOP SECRET") and "NOFORN" in caveats:
        return f"{base}//NOFORN"
    return base


def assemble(parts: Parts, source: Source, refid: str | None = None) -> Cable:
    """Build the Cable from a format's :class:`Parts` (pure)."""
    meta = parts.meta
    header = clean_text(parts.header)
    text = clean_text(parts.text)
    if "partial extract" in header:
        header = _PARTIAL.sub("", header)
    if "partial extract" in text:
        text = _PARTIAL.sub("", text)
    header = header.strip("\n")
    if not header.strip():
        header, text = _split_header(text)
    text = drop_underlines(text)
    lines, class_lines = _clean_lines(text)

    # The preamble: everything before paragraph 1 (or, when nothing is numbered, the
    # labelled lines near the top).
    pend = next((i for i, l in enumerate(lines) if _PILCROW.match(l)), None)
    if pend is None:
        pend = next((i for i, l in enumerate(lines) if _PARA1.match(l)), None)
    if pend is None:
        pend = min(len(lines), 80)
    pieces, used = _pre.segments(lines[:pend])
    if pend == min(len(lines), 80) and used:
        pend = max(used) + 1
        pieces, used = _pre.segments(lines[:pend])
    # One piece per label: the first, except the subject (a repeated preamble's first
    # copy may be cut short: take the longest); tags and references are merged.
    segs = {k: v[0] for k, v in pieces.items()}
    if len(pieces.get("subject", ())) > 1:
        segs["subject"] = max(pieces["subject"], key=len)

    caveats: list[str] = []
    for line in class_lines:
        caveats.extend(_pre.caveats_in(line))
    lead: list[str] = []
    preamble_out: list[str] = []
    for i, line in enumerate(lines[:pend]):
        if i in used:
            continue
        if _pre.classification_in(line) and len(line) < 120:
            class_lines.append(line)
            caveats.extend(_pre.caveats_in(line))
            continue
        if _DTG_LINE.match(line):
            preamble_out.append(line.strip())
            continue
        if _HANDLING.match(line):
            caveats.extend(_pre.caveats_in(line))
            preamble_out.append(line.strip())
            continue
        lead.append(line)
    # Handling marks in the header's last lines (CSV headers carry the classification line).
    for line in header.split("\n")[-6:]:
        if _pre.classification_in(despace_letters(line)) or _HANDLING.match(line):
            caveats.extend(_pre.caveats_in(despace_letters(line)))
    caveats = list(dict.fromkeys(caveats))

    rest = lead + lines[pend:]
    names, rest = _body.signers(rest)
    paras = _body.paragraphs(rest)

    # Metadata: the wrapper's first, then what the text says.
    created = meta.get("created") or _header.parse_dtg(header) or _header.parse_dtg(text[:3000])
    own_refid = canonical_refid(meta.get("refid")) or canonical_refid(refid) or \
        (meta.get("refid") or refid or None)
    year = None
    if own_refid and re.match(r"^\d{2}", own_refid):
        year = int(own_refid[:2])
    elif created:
        year = year_of(created.year)
    if not own_refid:
        own_refid = _refid_from_class_line(class_lines, year)
    origin = meta.get("origin") or _header.origin_from_sender(_header.sender_line(header))
    base = next((c for c in (_pre.classification_in(l) for l in class_lines) if c), None)
    classification = meta.get("classification") or _derived_classification(base, caveats)
    subject = _pre.subject(segs.get("subject")) or _pre.subject(clean_text(meta.get("subject") or ""))
    refs: list[str] = []
    for piece in pieces.get("ref", ()):
        refs.extend(r for r in _pre.references(piece, year) if r not in refs)
    for r in meta.get("references", ()):
        c = canonical_refid(r) or r
        if c not in refs:
            refs.append(c)
    to, info = _header.parse_recipients(header)
    # "E.O. 12958: DECL: 10/29/2018", also "12958 03/24/2019" with no DECL word.
    decl_src = re.sub(r"^\s*\d{5}\s*[:.,]?\s*", "", segs.get("eo") or "")
    decl = _pre.decl_date("DECL: " + decl_src if "DECL" not in decl_src.upper() else decl_src) \
        if decl_src else None
    if decl is None and "eo" not in segs:
        decl = _pre.decl_date("\n".join(lines[:pend]))

    body_text = _render_body(class_lines[:1], preamble_out, segs, paras, names)
    return Cable(
        refid=own_refid,
        created=created if isinstance(created, datetime) else None,
        origin=origin,
        classification=classification,
        caveats=tuple(caveats),
        subject=subject,
        tags=tuple(dict.fromkeys(t for piece in pieces.get("tags", ()) for t in _pre.tags(piece))),
        references=tuple(refs),
        signers=names,
        classified_by=_pre.classified_by(segs.get("classified") or _classified_in(paras)),
        nondisclosure_deadline=decl,
        recipients=to,
        info_recipients=info,
        summary=_body.summary(paras),
        header=header.strip(),
        body=body_text,
        paragraphs=paras,
        source=source,
    )


_CLASSIFIED_PARA = re.compile(r"^\s*(?:\(\s*[A-Z/]{1,6}\s*\)\s*)?Classified\s+by\s*:?\s*", re.I)


def _classified_in(paras: tuple[Paragraph, ...]) -> str | None:
    """A "Classified by" line written as one of the first paragraphs ("1. (U) Classified by ...")."""
    for p in paras[:4]:
        m = _CLASSIFIED_PARA.match(p.text)
        if m:
            return p.text[m.end():]
    return None


_SEG_LABELS = (("eo", "E.O."), ("tags", "TAGS:"), ("subject", "SUBJECT:"), ("ref", "REF:"),
               ("classified", "Classified By:"))


def _render_body(class_lines, handling, segs, paras: tuple[Paragraph, ...], names) -> str:
    """The cleaned cable text: preamble lines, numbered paragraphs, signature."""
    top: list[str] = [join_wrapped(l) for l in class_lines]
    top.extend(handling)
    for key, label in _SEG_LABELS:
        if segs.get(key):
            top.append(f"{label} {segs[key]}")
    blocks = ["\n".join(top)] if top else []
    for p in paras:
        lead = f"{p.number}. " if p.number is not None else ""
        mark = f"({p.marking}) " if p.marking else ""
        blocks.append(f"{lead}{mark}{p.text}")
    if names:
        blocks.append("\n".join(names))
    return "\n\n".join(b for b in blocks if b)
