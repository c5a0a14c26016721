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
from .refids import cable_refid, canonical_refid, year_of
from .textlines import (
    DTG_LINE, HANDLING, PARA1, PARTIAL, PILCROW, clean_lines, refid_from_class_lines, split_header,
)

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
        header = PARTIAL.sub("", header)
    if "partial extract" in text:
        text = PARTIAL.sub("", text)
    header = header.strip("\n")
    if not header.strip():
        header, text = split_header(text)
    text = drop_underlines(text)
    lines, class_lines = clean_lines(text)

    # The preamble: everything before paragraph 1 (or, when nothing is numbered, the
    # labelled lines near the top).
    # ("¶" in l: a cheap test before the regex; most cables have no pilcrow at all.)
    pend = next((i for i, l in enumerate(lines) if "¶" in l and PILCROW.match(l)), None)
    if pend is None:
        pend = next((i for i, l in enumerate(lines) if PARA1.match(l)), None)
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
        if DTG_LINE.match(line):
            preamble_out.append(line.strip())
            continue
        if HANDLING.match(line):
            caveats.extend(_pre.caveats_in(line))
            preamble_out.append(line.strip())
            continue
        lead.append(line)
    # Handling marks in the header's last lines (CSV headers carry the classification line).
    for line in header.split("\n")[-6:]:
        if _pre.classification_in(despace_letters(line)) or HANDLING.match(line):
            caveats.extend(_pre.caveats_in(despace_letters(line)))
    caveats = list(dict.fromkeys(caveats))

    rest = lead + lines[pend:]
    names, rest = _body.signers(rest)
    paras = _body.paragraphs(rest)

    # Metadata: the wrapper's first, then what the text says.
    created = meta.get("created") or _header.parse_dtg(header) or _header.parse_dtg(text[:3000])
    own_refid = cable_refid(meta.get("refid")) or cable_refid(refid) or \
        (meta.get("refid") or refid or None)
    year = None
    if own_refid and re.match(r"^\d{2}", own_refid):
        year = int(own_refid[:2])
    elif created:
        year = year_of(created.year)
    if not own_refid:
        own_refid = refid_from_class_lines(class_lines, year)
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
