"""The two baselines our index is compared with, built from the same synthetic CSV.

- **naive Whoosh**: what a Whoosh tutorial does: ``StemmingAnalyzer`` on subject and
  body, body stored, one ``writer(procs=1)``, one default commit at the end.
- **SQLite FTS5** with the porter tokenizer: ``refid UNINDEXED, subject, body``.

Both read the CSV with the stock :mod:`csv` module (:func:`bench.cablecsv.read_rows`),
and the time they report includes the reading, as ours does. Subjects are taken from the
``SUBJECT:`` line of the text, the way a quick script would.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from .cablecsv import read_rows

__all__ = ["build_fts5", "build_naive_whoosh", "fts5_search", "naive_whoosh_search", "records"]

_SUBJECT = re.compile(r"^SUBJECT:\s*(.*)$", re.M)


def records(csv_path: Path) -> Iterator[tuple[str, str, str]]:
    """``(refid, subject, body)`` per CSV row; the body is the ``content`` column."""
    for row in read_rows(csv_path):
        content = row[7]
        m = _SUBJECT.search(content)
        yield row[2], (m.group(1) if m else ""), content


def build_naive_whoosh(csv_path: Path, index_dir: Path) -> dict:
    """Build the naive Whoosh index in ``index_dir`` (which must not hold an index)."""
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    started = time.perf_counter()
    schema = Schema(
        refid=ID(stored=True, unique=True),
        subject=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
    )
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema)
    n = 0
    add_seconds = 0.0
    with ix.writer(procs=1) as writer:  # commits on leaving the block
        for refid, subject, body in records(csv_path):
            writer.add_document(refid=refid, subject=subject, body=body)
            n += 1
        add_seconds = time.perf_counter() - started
    ix.close()
    total = time.perf_counter() - started
    return {"cables": n, "seconds": total, "add_seconds": add_seconds,
            "commit_seconds": total - add_seconds}


def build_fts5(csv_path: Path, db_path: Path) -> dict:
    """Build the FTS5 table ``cables`` in a new SQLite file ``db_path``."""
    started = time.perf_counter()
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if db_path.exists():
        raise FileExistsError(f"{db_path} exists; the bench builds into a fresh file")
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("CREATE VIRTUAL TABLE cables USING fts5("
                     "refid UNINDEXED, subject, body, tokenize='porter unicode61')")
        with conn:
            conn.executemany("INSERT INTO cables(refid, subject, body) VALUES (?, ?, ?)",
                             records(csv_path))
        n = conn.execute("SELECT count(*) FROM cables").fetchone()[0]
    finally:
        conn.close()
    return {"cables": n, "seconds": time.perf_counter() - started}


def fts5_match(words: list[str], phrase: bool) -> str:
    """An FTS5 MATCH expression: all words (each quoted), or one quoted phrase."""
    clean = [w.replace('"', "") for w in words]
    return '"' + " ".join(clean) + '"' if phrase else " ".join(f'"{w}"' for w in clean)


def fts5_search(conn: sqlite3.Connection, match: str, limit: int = 20) -> tuple[int, list]:
    """What a results page needs from FTS5: the exact total and the top ``limit`` hits
    ranked by bm25 with a snippet of the body."""
    total = conn.execute("SELECT count(*) FROM cables WHERE cables MATCH ?", (match,)).fetchone()[0]
    hits = conn.execute(
        "SELECT refid, subject, snippet(cables, 2, '<mark>', '</mark>', '…', 24) "
        "FROM cables WHERE cables MATCH ? ORDER BY rank LIMIT ?", (match, limit)).fetchall()
    return total, hits


def naive_whoosh_search(index_dir: Path, text: str, limit: int = 20) -> list[str]:
    """The refids the naive index ranks first for ``text`` (used by the smoke test)."""
    from whoosh import index
    from whoosh.qparser import MultifieldParser

    ix = index.open_dir(str(index_dir))
    try:
        with ix.searcher() as searcher:
            query = MultifieldParser(["subject", "body"], ix.schema).parse(text)
            return [hit["refid"] for hit in searcher.search(query, limit=limit)]
    finally:
        ix.close()
