"""Cable -> index document: the field values of a cable's document.

Pure functions: no index, no I/O. The writer (:mod:`indexer.build`) adds what these
return. Field meanings are documented in :mod:`indexer.schema`.
"""

from __future__ import annotations

import re
from array import array
from typing import Any

from .analysis import body_positions
from .models import Cable
from .names import name_keys
from .schema import COLUMN_SEP, Postings
from .store import encode_cable
from .tags import tags_text

__all__ = ["cable_document", "marking_terms", "paragraph_spans", "serial_key"]

_REFID = re.compile(r"^(\d\d)([A-Z][A-Z\-]*?)(\d+)$")


def serial_key(refid: str) -> str | None:
    """Station and serial without the year, lower case: ``06BANGKOK3955`` -> ``bangkok3955``."""
    m = _REFID.match(refid.upper())
    if not m:
        return None
    return f"{m.group(2).lower()}{int(m.group(3))}"


def marking_terms(marking: str | None) -> list[str]:
    """A portion marking and its parts: ``S/NF`` -> ``["S/NF", "S", "NF"]``."""
    if not marking:
        return []
    marking = marking.upper()
    parts = [p for p in re.split(r"[/\s]+", marking) if p]
    return [marking] + [p for p in parts if p != marking]


def _recipients(recipients) -> str:
    return "\n".join(r.name for r in recipients)


def _year(cable: Cable) -> int | None:
    if cable.created:
        return cable.created.year
    m = re.match(r"(\d\d)", cable.refid or "")
    if m:
        yy = int(m.group(1))
        return 1900 + yy if yy >= 50 else 2000 + yy
    return None


def paragraph_spans(cable: Cable) -> list[tuple[int, int]]:
    """Where each of ``cable.paragraphs`` sits in ``cable.body``: ``(start, end)`` offsets.

    The parser takes paragraph texts from the body, so each is found there, in order.
    A paragraph that is not found (a hand-made :class:`Cable`) gets an empty span at
    the end of the previous one.
    """
    body = cable.body or ""
    spans = []
    at = 0
    for para in cable.paragraphs:
        found = body.find(para.text, at) if para.text else -1
        if found < 0:
            spans.append((at, at))
            continue
        at = found + len(para.text)
        spans.append((found, at))
    return spans


def cable_document(cable: Cable, content_hash: str | None = None) -> dict[str, Any]:
    """The field values of ``cable``'s document.

    :param content_hash: ``cable.content_hash()``, if the caller has it already.

    The body is analyzed here (into :class:`~indexer.schema.Postings`), because
    ``pmap``, the body positions of each paragraph, comes out of the same pass.
    """
    poses, ranges = body_positions(cable.body or "", paragraph_spans(cable))
    doc: dict[str, Any] = {
        "kind": "cable",
        "refid": cable.refid,
        "content_hash": content_hash or cable.content_hash(),
        "cable": encode_cable(cable),
        "body": Postings(poses),
        "references": list(cable.references),
        "pmap": array("I", [p for pair in ranges for p in pair]).tobytes(),
        "paras": len(cable.paragraphs),
    }
    markings = sorted({m for p in cable.paragraphs for m in marking_terms(p.marking)})
    if markings:
        doc["markings"] = markings
    serial = serial_key(cable.refid or "")
    if serial:
        doc["serial"] = serial
    if cable.created:
        doc["created"] = cable.created
    year = _year(cable)
    if year:
        doc["year"] = year
    if cable.origin:
        doc["origin"] = cable.origin
    if cable.classification:
        doc["classification"] = cable.classification
    if cable.caveats:
        doc["caveats"] = list(cable.caveats)
        doc["_stored_caveats"] = COLUMN_SEP.join(cable.caveats)
    if cable.tags:
        doc["tags"] = list(cable.tags)
        doc["_stored_tags"] = COLUMN_SEP.join(cable.tags)
        meanings = tags_text(cable.tags)
        if meanings:
            doc["tagtext"] = meanings
    if cable.subject:
        doc["subject"] = cable.subject
    if cable.recipients:
        doc["to"] = _recipients(cable.recipients)
    if cable.info_recipients:
        doc["info"] = _recipients(cable.info_recipients)
    if cable.signers:
        doc["signers"] = "\n".join(cable.signers)
    keys = name_keys("\n".join(filter(None, (cable.subject, cable.body))))
    if keys:
        doc["names"] = sorted(set(keys))
    return doc
