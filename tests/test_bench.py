"""Smoke tests of the bench: synthesizer, CSV dialect, baselines, query set, measuring.

Small on purpose (50 cables): they keep ``python -m bench`` from rotting, they do not
measure speed. They need ``../shared/corpus`` and skip without it (the ``shared_dir`` fixture).
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench.baselines import build_fts5, build_naive_whoosh, fts5_match, fts5_search, naive_whoosh_search
from bench.cablecsv import format_row, read_rows
from bench.measure import run_measured
from bench.query_bench import CLASSES, make_queries, percentile
from bench.synth import load_ids, sample_ids, synthesize, write_corpus


@pytest.fixture(scope="module")
def corpus50(tmp_path_factory, shared_dir) -> Path:
    """50 synthetic cables (seed 7) written by the real synthesizer."""
    path = tmp_path_factory.mktemp("synth") / "cables-50.csv"
    synthesize(50, path, shared_dir, seed=7, progress=None)
    return path


def test_csv_dialect_round_trips_quotes_commas_and_newlines():
    fields = ["1", "7/5/2006 10:07", "06BANGKOK3955", "Embassy Bangkok", "UNCLASSIFIED", "",
              'a "quoted",\nline', 'SUBJECT: "X"\n\n1. text, more "text"']
    row = format_row(fields)
    assert row.startswith('"1","7/5/2006 10:07",') and '\\"quoted\\"' in row
    assert list(csv.reader(io.StringIO(row), escapechar="\\", doublequote=False)) == [fields]
    with pytest.raises(ValueError, match="backslash"):
        format_row(fields[:7] + ["C:\\path"])


def test_sample_is_deterministic_ordered_and_keeps_station_shares(shared_dir):
    ids = load_ids(shared_dir / "corpus" / "cable-ids.csv")
    assert len(ids) == 251287
    a = sample_ids(ids, 2500, seed=1)
    assert a == sample_ids(ids, 2500, seed=1)
    assert a != sample_ids(ids, 2500, seed=2)
    assert len(a) == 2500 and len(set(a)) == 2500
    pos = {r: i for i, (r, _m) in enumerate(ids)}
    assert [pos[r] for r, _m in a] == sorted(pos[r] for r, _m in a)  # file order kept
    full = Counter(r[2:].rstrip("0123456789")[:6] for r, _ in ids)
    part = Counter(r[2:].rstrip("0123456789")[:6] for r, _ in a)
    for station in ("STATE", "ANKARA", "BAGHDA", "TOKYO", "AMMAN"):
        expected = full[station] * 2500 / len(ids)
        assert abs(part[station] - expected) <= 6, (station, part[station], expected)


def test_synthesis_is_byte_identical_for_a_seed(shared_dir):
    from bench.pool import load_pool

    ids = sample_ids(load_ids(shared_dir / "corpus" / "cable-ids.csv"), 50, seed=7)
    pool = load_pool(shared_dir / "corpus" / "cablegate-html")
    first, second = io.StringIO(), io.StringIO()
    write_corpus(first, ids, pool, seed=7)
    write_corpus(second, ids, pool, seed=7)
    assert first.getvalue() == second.getvalue()
    other = io.StringIO()
    write_corpus(other, ids, pool, seed=8)
    assert other.getvalue() != first.getvalue()


def test_synthetic_rows_look_like_cables(corpus50):
    rows = list(read_rows(corpus50))
    assert len(rows) == 50 and {len(r) for r in rows} == {8}
    meta = (corpus50.parent / "cables-50.csv.meta.json").read_text()
    assert '"cables": 50' in meta
    for row in rows:
        content = row[7]
        assert row[2][:2].isdigit()
        assert "\nSUBJECT: " in content and "\nTAGS: " in content and "SIPDIS" in content
        assert ("E.O. 12958: N/A" in content) == row[4].startswith("UNCLASSIFIED")
        assert "\nFM " in row[6] and row[6].startswith("VZCZC")
        assert "\n1. " in content
        for ref in filter(None, row[5].split(",")):
            assert ref in {r[2] for r in rows}  # references cite cables of this corpus
    sizes = [len(r[7].encode()) for r in rows]
    assert 2000 < sum(sizes) / len(sizes) < 15000  # a 6.5 KB mean, within sampling noise


def test_our_reader_reads_the_synthetic_csv(corpus50):
    indexer = pytest.importorskip("indexer")
    if not hasattr(indexer, "read_cables"):
        pytest.skip("indexer.read_cables is not exported yet")
    cables = list(indexer.read_cables(corpus50))
    assert [c.refid for c in cables] == [r[2] for r in read_rows(corpus50)]
    assert all(c.subject and c.paragraphs for c in cables)


def test_baselines_index_all_cables_and_find_a_subject_word(corpus50, tmp_path):
    whoosh = build_naive_whoosh(corpus50, tmp_path / "naive")
    fts = build_fts5(corpus50, tmp_path / "fts.sqlite")
    assert whoosh["cables"] == fts["cables"] == 50
    rows = list(read_rows(corpus50))
    subject = rows[0][7].split("SUBJECT: ", 1)[1].split("\n", 1)[0]
    word = max(re.findall(r"[A-Za-z]{4,}", subject), key=len).lower()
    conn = sqlite3.connect(tmp_path / "fts.sqlite")
    try:
        total, hits = fts5_search(conn, fts5_match([word], phrase=False), limit=50)
    finally:
        conn.close()
    assert rows[0][2] in {refid for refid, _subj, _snip in hits}
    # The body column holds the SUBJECT line too, so every hit has a highlighted snippet.
    assert total == len(hits) and all("<mark>" in snip for _r, _s, snip in hits)
    assert rows[0][2] in naive_whoosh_search(tmp_path / "naive", word, limit=50)


def test_query_set_is_deterministic_with_every_class(shared_dir):
    from bench.pool import load_pool

    pool = load_pool(shared_dir / "corpus" / "cablegate-html")
    qs = make_queries(pool, 5, seed=1)
    assert qs == make_queries(pool, 5, seed=1)
    assert Counter(q.cls for q in qs) == {c: 5 for c in CLASSES}
    for q in qs:
        if q.phrase:
            assert q.text.startswith('"') and q.text.endswith('"') and len(q.words) in (2, 3)
        else:
            assert len(q.words) == int(q.cls[0])


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(100, 0, -1)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([3.0], 95) == 3.0


def test_measure_sees_a_child_peak_memory_and_exit_code():
    grab = "x = bytearray(200 * 2**20); import time; time.sleep(0.3)"
    m = run_measured([sys.executable, "-c", grab])
    assert m.returncode == 0 and m.peak_rss_mb >= 200
    assert run_measured([sys.executable, "-c", "raise SystemExit(3)"]).returncode == 3
