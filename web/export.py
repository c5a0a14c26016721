"""Whole-result-set exports as text chunks, ready to stream.

Pure generators: hits in, lines out. The view wraps them in a streamed response, so an
export of every matching cable never sits in memory and has no cap.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterable, Iterator

from search import Hit

from .security import html_safe_json

__all__ = ["CSV_COLUMNS", "csv_lines", "hit_json", "jsonl_lines"]

#: Column order of the CSV export: :meth:`search.Hit.to_record` without the snippet
#: columns (the facade streams exports without snippets, for speed), plus ``url``.
CSV_COLUMNS = (
    "refid",
    "created",
    "origin",
    "classification",
    "caveats",
    "tags",
    "subject",
    "score",
    "url",
)


def csv_lines(hits: Iterable[Hit], url_for_cable: Callable[[str], str]) -> Iterator[str]:
    """The CSV export: a header row, then one row per hit, one string per row.

    Rows end in CRLF as RFC 4180 asks; fields are quoted by the ``csv`` module when needed.

    :param url_for_cable: builds the absolute URL of a cable page from its refid.
    """
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n", extrasaction="ignore"
    )
    writer.writeheader()
    yield _drain(buf)
    for hit in hits:
        record = hit.to_record()
        record["url"] = url_for_cable(hit.refid)
        writer.writerow(record)
        yield _drain(buf)


def hit_json(hit: Hit, url: str) -> dict[str, Any]:
    """One hit as a JSON Lines record: the CSV's fields, with lists kept as lists."""
    return {
        "refid": hit.refid,
        "created": hit.created.isoformat() if hit.created else None,
        "origin": hit.origin,
        "classification": hit.classification,
        "caveats": list(hit.caveats),
        "tags": list(hit.tags),
        "subject": hit.subject,
        "score": round(hit.score, 4),
        "url": url,
    }


def jsonl_lines(hits: Iterable[Hit], url_for_cable: Callable[[str], str]) -> Iterator[str]:
    """The JSON Lines export: one :func:`hit_json` object per line."""
    for hit in hits:
        yield html_safe_json(hit_json(hit, url_for_cable(hit.refid)), ensure_ascii=False) + "\n"


def _drain(buf: io.StringIO) -> str:
    text = buf.getvalue()
    buf.seek(0)
    buf.truncate()
    return text
