"""WikiLeaks ``cables.csv`` dialect: 8 quoted columns, backslash-escaped quotes, no header.

Both directions live here so the synthesizer and the baselines agree on one dialect:
quotes inside a field are written ``\\"`` (not doubled as in RFC 4180) and fields span
lines, exactly as in format (b) of ``shared/docs/cable-format.md``.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

__all__ = ["COLUMNS", "format_row", "read_rows"]

COLUMNS = ("id", "date", "refid", "origin", "classification", "references", "header", "content")


def format_row(fields: list[str]) -> str:
    """One CSV record (with its newline). Fields must not contain backslashes.

    :raises ValueError: on a backslash, which this dialect cannot represent unambiguously.
    """
    if len(fields) != len(COLUMNS):
        raise ValueError(f"expected {len(COLUMNS)} fields, got {len(fields)}")
    out = []
    for value in fields:
        if "\\" in value:
            raise ValueError("backslash in a field: the WikiLeaks dialect cannot escape it")
        out.append('"' + value.replace('"', '\\"') + '"')
    return ",".join(out) + "\n"


def read_rows(path: Path) -> Iterator[list[str]]:
    """Stream the records of a WikiLeaks-style CSV with the stock :mod:`csv` module.

    This is how a baseline reads the file: the reader is told about backslash escapes
    (``doublequote=False``), otherwise it would split records at escaped quotes.
    """
    csv.field_size_limit(sys.maxsize)
    with open(path, encoding="utf-8", newline="") as fh:
        yield from csv.reader(fh, escapechar="\\", doublequote=False, strict=True)
