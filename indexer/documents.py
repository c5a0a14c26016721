"""Cable -> index documents: the field values of a cable document and its paragraph documents.

Pure functions: no index, no I/O. The writer (:mod:`indexer.build`) adds what these
return. Field meanings are documented in :mod:`indexer.schema`.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from .models import Cable
from .names import name_keys
from .schema import COLUMN_SEP
from .store import encode_cable
from .tags import tags_text

__all__ = ["cable_document", "paragraph_documents", "serial_key", "marking_terms"]

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


def cable_document(cable: Cable, cited_by: Iterable[str] = ()) -> dict[str, Any]:
    """The field values of ``cable``'s cable document (``kind="cable"``).

    :param cited_by: canonical refids of indexed cables that cite this one.
    """
    cited = sorted(set(cited_by))
    doc: dict[str, Any] = {
        "kind": "cable",
        "refid": cable.refid,
        "content_hash": cable.content_hash(),
        "cable": encode_cable(cable),
        "body": cable.body or "",
        "references": list(cable.references),
        "cited_by": cited,
    }
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


def paragraph_documents(cable: Cable) -> list[dict[str, Any]]:
    """The paragraph documents (``kind="para"``) of ``cable``, one per non-empty paragraph."""
    docs = []
    for i, para in enumerate(cable.paragraphs):
        if not para.text.strip():
            continue
        doc: dict[str, Any] = {"kind": "para", "pref": cable.refid, "pindex": i, "ptext": para.text}
        if para.number is not None:
            doc["pnum"] = str(para.number)
        marks = marking_terms(para.marking)
        if marks:
            doc["marking"] = marks
        docs.append(doc)
    return docs

