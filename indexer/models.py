"""The cable record every reader produces and every later stage consumes.

A :class:`Cable` is immutable plain data. It round-trips exactly through
:meth:`Cable.to_dict` / :meth:`Cable.from_dict` (and so through JSON Lines), which is
what the ``jsonl`` format, the stored copy in the index and the web API rely on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

__all__ = ["Cable", "Paragraph", "Recipient", "Source"]


@dataclass(frozen=True)
class Recipient:
    """One addressee of a cable, as written on a ``TO``/``INFO`` line.

    :param name: the addressee, e.g. ``SECSTATE WASHDC`` or ``AMEMBASSY BEIJING``.
    :param precedence: ``FLASH``, ``NIACT IMMEDIATE``, ``IMMEDIATE``, ``PRIORITY`` or
        ``ROUTINE`` when the line names one.
    :param route: the routing indicator before the slash, e.g. ``RUEHC``.
    :param mcn: the message control number at the end of the line, e.g. ``1474``.
    """

    name: str
    precedence: str | None = None
    route: str | None = None
    mcn: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the cable text.

    :param number: the ``¶N`` number, or ``None`` for unnumbered text (a lead-in before
        ¶1, a heading, or a cable that numbers nothing).
    :param marking: the portion marking without parentheses (``U``, ``SBU``, ``C``,
        ``S``, ``S/NF``, ...), or ``None`` when the paragraph has none.
    :param text: the paragraph's cleaned text, hard-wrapped lines joined.
    """

    number: int | None
    marking: str | None
    text: str


@dataclass(frozen=True)
class Source:
    """Where a cable was read from.

    :param path: the file, or ``None`` for text handed to :func:`parse_text`.
    :param format: one of ``html``, ``csv``, ``blog``, ``text``, ``jsonl``.
    :param row: the 1-based record number in a multi-cable file (CSV row, JSONL line).
    :param line: the 1-based line in the file where the record starts.
    """

    path: str | None
    format: str
    row: int | None = None
    line: int | None = None


@dataclass(frozen=True)
class Cable:
    """A parsed diplomatic cable. Fields absent from the input are ``None`` or empty.

    :param refid: canonical reference id, e.g. ``06BANGKOK3955``.
    :param created: when the cable was sent (minute precision where known).
    :param origin: the sending post as WikiLeaks names it, e.g. ``Embassy Bangkok``.
    :param classification: e.g. ``SECRET``, ``CONFIDENTIAL//NOFORN``, ``UNCLASSIFIED``.
    :param caveats: handling marks found in the cable: ``NOFORN``, ``SIPDIS``, ...
    :param subject: the whole subject line, joined across wraps, without ``(C)``.
    :param tags: TAGS codes, upper-cased and deduplicated in order of appearance;
        person tags keep their name, e.g. ``OVIP (STEINBERG, JAMES B.)``.
    :param references: canonical refids cited on ``REF`` lines, in order.
    :param signers: the names that sign the cable (usually the last line).
    :param classified_by: the names on the ``Classified By`` line.
    :param nondisclosure_deadline: the ``DECL`` date, or ``None`` (also for ``N/A``).
    :param recipients: ``TO`` addressees.
    :param info_recipients: ``INFO`` addressees.
    :param summary: the summary paragraph's text, when the cable has one.
    :param header: the routing block, as text.
    :param body: the cleaned cable text.
    :param paragraphs: the body split into paragraphs.
    :param source: where it came from.
    """

    refid: str | None = None
    created: datetime | None = None
    origin: str | None = None
    classification: str | None = None
    caveats: tuple[str, ...] = ()
    subject: str | None = None
    tags: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    signers: tuple[str, ...] = ()
    classified_by: tuple[str, ...] = ()
    nondisclosure_deadline: date | None = None
    recipients: tuple[Recipient, ...] = ()
    info_recipients: tuple[Recipient, ...] = ()
    summary: str | None = None
    header: str = ""
    body: str = ""
    paragraphs: tuple[Paragraph, ...] = ()
    source: Source | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: dates as ISO strings, records as dicts."""
        out: dict[str, Any] = {}
        for f in fields(self):
            out[f.name] = _plain(getattr(self, f.name))
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Cable":
        """The inverse of :meth:`to_dict`. Unknown keys raise ``ValueError``."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown cable field(s): {', '.join(sorted(unknown))}")
        kw: dict[str, Any] = dict(data)
        if kw.get("created"):
            kw["created"] = datetime.fromisoformat(kw["created"])
        if kw.get("nondisclosure_deadline"):
            kw["nondisclosure_deadline"] = date.fromisoformat(kw["nondisclosure_deadline"])
        for name in ("caveats", "tags", "references", "signers", "classified_by"):
            if name in kw:
                kw[name] = tuple(kw[name] or ())
        for name in ("recipients", "info_recipients"):
            if name in kw:
                kw[name] = tuple(Recipient(**r) for r in kw[name] or ())
        if "paragraphs" in kw:
            kw["paragraphs"] = tuple(Paragraph(**p) for p in kw["paragraphs"] or ())
        if kw.get("source"):
            kw["source"] = Source(**kw["source"])
        return cls(**kw)

    def to_json(self) -> str:
        """One JSON Lines record (no newline)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    def content_hash(self) -> str:
        """A stable digest of everything but ``source``: equal cables hash equal."""
        data = self.to_dict()
        data.pop("source", None)
        blob = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.blake2b(blob, digest_size=16).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value
