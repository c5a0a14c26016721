"""Read cables from files and directories, lazily, whatever their format.

:func:`read_cables` is the one entry point. It never raises because of bad data: a
file or record that can't be read becomes a :class:`~indexer.errors.ParseError`
*diagnostic* and reading goes on. The diagnostics channel:

* ``errors`` may be a list: each ``ParseError`` is appended to it (with ``path``,
  ``location`` such as ``"row 12 (line 40)"`` / ``"line 40"``, and ``reason``);
* or a callable: it is called with each ``ParseError``;
* or ``None``: diagnostics are dropped (count them by passing a list).

A bug in the parser itself is caught per cable and reported the same way (``"could not
parse (ValueError: ...)"``), so one odd cable never ends a 250,000-cable run.

Non-fatal notes are reported through the same channel as ``ParseError`` whose reason
starts with ``"note:"``; the cables are still yielded. :func:`is_note` tells the two
apart. Notes: a file that is not valid UTF-8 (a single-cable file is then decoded as
cp1252, or latin-1 if even that fails; in a stream each undecodable byte is read as
cp1252 where it occurs and the note gives the count), and a skipped CSV header row.

Memory stays bounded: multi-cable files (``cables.csv``, ``.jsonl``) are streamed
record by record through a text wrapper, never read whole; single-cable files are read
one at a time (a cable page is tens of KB; files over :data:`MAX_FILE_BYTES` are
reported and skipped rather than read).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import ParseError
from .formats import CSV_OPTIONS, FORMATS, csv_parts, detect_format, unwrap
from .models import Cable, Source
from .parsing import assemble, cable_from_json

__all__ = ["read_cables", "iter_files", "is_note", "MAX_FILE_BYTES", "Share"]

#: A single-cable file larger than this is not a cable; it is reported and skipped.
#: (Multi-cable files, CSV and JSONL, are streamed and have no limit.)
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Bytes sniffed to detect a file's format and encoding.
_SNIFF = 64 * 1024
#: File names skipped when walking a directory.
_SKIP_NAMES = {"README.md", "README", "README.txt", ".DS_Store", "LICENSE"}

ErrorSink = list | Callable[[ParseError], object] | None


def is_note(error: ParseError) -> bool:
    """True for informational diagnostics (e.g. a fallback encoding was used)."""
    return error.reason.startswith("note:")


def _reporter(errors: ErrorSink) -> Callable[[ParseError], None]:
    if errors is None:
        return lambda e: None
    if isinstance(errors, list):
        return errors.append
    if callable(errors):
        return lambda e: errors(e)  # noqa: E731 - keep the caller's return value out
    raise TypeError("errors must be a list, a callable or None")


class Share:
    """Which records of a read this reader parses: every ``n``-th one, starting at ``k``.

    A record is one row of a CSV or JSONL stream, or one single-cable file. Readers
    given ``Share(0, 2)`` and ``Share(1, 2)`` over the same sources walk every record
    but parse (and report errors for) disjoint halves, in two processes. Whole-file
    notes of a stream come from share ``k == 0`` only.

    ``index`` is the number of the record being read (0-based over all sources of
    the read, parsed or not), so a yielded cable or reported error can be placed in
    the input order.
    """

    def __init__(self, k: int = 0, n: int = 1):
        if not 0 <= k < n:
            raise ValueError(f"share {k} of {n}")
        self.k = k
        self.n = n
        self.index = -1

    def take(self) -> bool:
        """Move to the next record; whether it is this reader's to parse."""
        self.index += 1
        return self.index % self.n == self.k

    @property
    def lead(self) -> bool:
        """Whether this reader reports what concerns a whole file."""
        return self.k == 0


def iter_files(path: str | os.PathLike) -> Iterator[Path]:
    """``path`` itself if it is a file, else every file below it, sorted, hidden skipped."""
    p = Path(path)
    if p.is_file():
        yield p
        return
    for root, dirs, files in os.walk(p):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name in _SKIP_NAMES:
                continue
            yield Path(root) / name


def read_cables(
    path: str | os.PathLike,
    format: str | None = None,
    errors: ErrorSink = None,
    share: Share | None = None,
) -> Iterator[Cable]:
    """Yield every cable in a file or directory tree, lazily.

    :param path: a file, or a directory read recursively in sorted order.
    :param format: force one of ``html``, ``csv``, ``blog``, ``text``, ``jsonl`` for
        every file; detected per file when ``None``.
    :param errors: where diagnostics go: a list to append ``ParseError`` to, a
        callable, or ``None`` (see the module docstring).
    :param share: parse only this share of the records (see :class:`Share`).
    :raises ParseError: only for a path that does not exist or an unknown ``format``
        (a usage error, not bad data).
    """
    report = _reporter(errors)
    if format is not None and format not in FORMATS:
        raise ParseError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    p = Path(path)
    if not p.exists():
        raise ParseError("no such file or directory", path=str(path))
    share = share or Share()
    for file in iter_files(p):
        try:
            yield from _read_file(file, format, report, share)
        except (OSError, UnicodeError, csv.Error, MemoryError, RecursionError) as exc:
            if share.lead:
                report(ParseError(f"unreadable: {exc}", path=str(file)))
        except ParseError as exc:
            if share.lead:
                report(exc if exc.path else ParseError(exc.reason, path=str(file), location=exc.location))


def _sniff(file: Path) -> bytes:
    with open(file, "rb") as fh:
        return fh.read(_SNIFF)


def _encoding(head: bytes) -> str:
    """``utf-8`` (BOM-aware) when the sniffed bytes decode, else ``cp1252``."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed block is still UTF-8.
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
        return "cp1252"


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head[:8192]:
        return True
    control = sum(1 for b in head[:8192] if b < 9 or 13 < b < 32)
    return control > len(head[:8192]) * 0.05


def _read_file(file: Path, fmt: str | None, report, share: Share) -> Iterator[Cable]:
    path = str(file)
    head = _sniff(file)
    if not head.strip():
        if share.take():
            report(ParseError("empty file", path=path))
        return
    if _looks_binary(head):
        if share.take():
            report(ParseError("binary data, not a cable", path=path))
        return
    encoding = _encoding(head)
    sniffed_text = head.decode(encoding, errors="replace")
    kind = fmt or _format_for(file, sniffed_text)
    if kind in ("csv", "jsonl"):
        yield from _stream(file, kind, encoding, report, share)
        return
    if not share.take():
        return
    size = file.stat().st_size
    if size > MAX_FILE_BYTES:
        report(ParseError(
            f"{size} bytes is too large for one {kind} cable (limit {MAX_FILE_BYTES}); "
            "split it or use the csv/jsonl formats", path=path))
        return
    data = file.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_legacy(data)
        report(ParseError("note: not valid UTF-8; decoded as cp1252", path=path))
    hint = _refid_from_name(file)
    try:
        cable = assemble(unwrap(text, kind), Source(path=path, format=kind), refid=hint)
    except Exception as exc:  # noqa: BLE001 - one cable's parser bug must not end the run
        report(_internal(exc, path, None))
        return
    yield cable


def _internal(exc: Exception, path: str, where: str | None) -> ParseError:
    """A parser bug, reported like bad data (with what went wrong) so reading goes on."""
    return ParseError(f"could not parse ({type(exc).__name__}: {exc}); please report this cable",
                      path=path, location=where)


def _decode_legacy(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _format_for(file: Path, text: str) -> str:
    suffix = file.suffix.lower()
    if suffix == ".jsonl":
        return "jsonl"
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".csv":
        return "csv"
    return detect_format(text)


def _refid_from_name(file: Path) -> str | None:
    stem = file.stem.upper()
    return stem if stem[:2].isdigit() and any(c.isalpha() for c in stem) else None


class _Lines(io.TextIOBase):
    """The lines of a UTF-8 stream, counted, with undecodable bytes read as cp1252.

    The file is decoded with ``surrogateescape``, so a stray cp1252 byte in a 1.7 GB
    file neither stops the read nor garbles the valid UTF-8 around it: each such byte
    becomes its cp1252 character, and :attr:`fixed` counts them for one note.
    """

    def __init__(self, raw: io.TextIOBase):
        self._raw = raw
        self.lines = 0
        self.fixed = 0

    def readable(self) -> bool:
        return True

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._raw.readline()
        if not line:
            raise StopIteration
        self.lines += 1
        if not line.isascii() and _ESCAPED_BYTE.search(line):
            line = _ESCAPED_BYTE.sub(self._cp1252, line)
        return line

    def _cp1252(self, m: re.Match) -> str:
        self.fixed += 1
        return bytes([ord(m.group()) - 0xDC00]).decode("cp1252", errors="replace")


#: What surrogateescape makes of an undecodable byte.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _stream(file: Path, kind: str, encoding: str, report, share: Share) -> Iterator[Cable]:
    path = str(file)
    enc = "utf-8-sig" if encoding == "utf-8-sig" else "utf-8"
    with open(file, "r", encoding=enc, errors="surrogateescape", newline="") as raw:
        lines = _Lines(raw)
        yield from _stream_records(lines, path, kind, report, share)
        if lines.fixed and share.lead:
            report(ParseError(f"note: not valid UTF-8; {lines.fixed} undecodable bytes read as cp1252",
                              path=path))


def _stream_records(lines: _Lines, path: str, kind: str, report, share: Share) -> Iterator[Cable]:
    if kind == "jsonl":
        yield from _jsonl_records(lines, path, report, share)
    else:
        yield from _csv_records(lines, path, report, share)


def _jsonl_records(lines: _Lines, path: str, report, share: Share) -> Iterator[Cable]:
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or not share.take():
            continue
        try:
            cable = cable_from_json(line, Source(path=path, format="jsonl", row=lineno, line=lineno))
        except ParseError as exc:
            report(ParseError(exc.reason, path=path, location=f"line {lineno}"))
            continue
        yield cable


def _csv_records(lines: _Lines, path: str, report, share: Share) -> Iterator[Cable]:
    reader = csv.reader(lines, **CSV_OPTIONS)
    row_no = 0
    while True:
        start = lines.lines + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if share.take():
                report(ParseError(f"bad CSV: {exc}", path=path, location=f"line {start}"))
            continue
        row_no += 1
        if not share.take():
            continue
        if not row or not any(c.strip() for c in row):
            continue
        where = f"row {row_no} (line {start})"
        if row_no == 1 and len(row) >= 3 and (row[0].strip().lower() == "id"
                                               or row[2].strip().lower() == "refid"):
            report(ParseError("note: skipped a header row", path=path, location=where))
            continue
        if len(row) < 8:
            report(ParseError(
                f"expected 8 columns (id, date, refid, origin, classification, references, "
                f"header, content), got {len(row)}", path=path, location=where))
            continue
        try:
            cable = assemble(csv_parts(row), Source(path=path, format="csv", row=row_no, line=start))
        except Exception as exc:  # noqa: BLE001 - a parser bug must not end a 250k-row run
            report(_internal(exc, path, where))
            continue
        yield cable
