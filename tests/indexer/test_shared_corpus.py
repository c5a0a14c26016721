"""The parser over all 1,295 real cable pages in ../shared (skipped without them).

The metadata each page shows in its table is read here independently (a plain regex
over the page) and compared with what the parser produced. The completeness floors
are the shares measured when these tests were written, less a small margin: a change
that loses fields on real cables fails here.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path

import pytest

from indexer import ParseError, read_cables

_CELLS = re.compile(r"<table class='cable'>.*?<td>\s*<a[^>]*>([^<]*)</a>\s*</td>\s*<td>\s*<a[^>]*>"
                    r"([^<]*)</a>.*?<td>.*?</td>\s*<td>\s*<a[^>]*>([^<]*)</a>\s*</td>\s*<td>\s*"
                    r"<a[^>]*>([^<]*)</a>", re.S)
_ANCHOR = re.compile(r"<a id='par(\d+)'")

#: Field -> minimum share of cables that have it (measured: see the module docstring).
FLOORS = {
    "subject": 99.0,       # measured 99.2 (the rest have no SUBJECT line at all)
    "tags": 99.5,          # 99.8
    "paragraphs": 99.5,    # 99.8
    "caveats": 96.0,       # 96.8
    "recipients": 92.0,    # 93.0
    "info_recipients": 87.0,  # 88.9
    "signers": 91.5,       # 92.0
    "classified_by": 88.0,  # 89.0
    "nondisclosure_deadline": 89.0,  # 90.6
    "summary": 77.5,       # 78.1
    "references": 53.5,    # 54.1 (the rest cite nothing, or only emails and reports)
}


@pytest.fixture(scope="module")
def parsed(shared_dir):
    errors: list[ParseError] = []
    cables = list(read_cables(shared_dir / "corpus" / "cablegate-html", errors=errors))
    return cables, errors


def test_every_page_parses_without_error(parsed):
    cables, errors = parsed
    assert [str(e) for e in errors] == []
    assert len(cables) == 1295


def test_metadata_agrees_with_the_page_table(parsed):
    cables, _ = parsed
    mismatches = []
    for c in cables:
        page = Path(c.source.path).read_text(encoding="utf-8")
        refid, created, klass, origin = (html.unescape(x).strip() for x in _CELLS.search(page).groups())
        got = (c.refid, c.created, c.classification, c.origin)
        want = (refid, datetime.strptime(created, "%Y-%m-%d %H:%M"), klass, origin)
        if got != want:
            mismatches.append((c.source.path, got, want))
        assert Path(c.source.path).stem == c.refid
    assert mismatches == []


def _increasing_run(numbers: list[int]) -> list[int]:
    """The longest strictly increasing subsequence (WikiLeaks mis-anchors some years)."""
    best: list[list[int]] = []
    for n in numbers:
        candidates = [run for run in best if run[-1] < n]
        best.append((max(candidates, key=len) if candidates else []) + [n])
    return max(best, key=len) if best else []


def test_paragraph_numbers_run_in_order_and_match_the_anchors(parsed):
    cables, _ = parsed
    missing = []
    for c in cables:
        numbers = [p.number for p in c.paragraphs if p.number is not None]
        assert numbers == sorted(set(numbers)), c.refid
        page = Path(c.source.path).read_text(encoding="utf-8")
        anchors = [n for n in _increasing_run([int(x) for x in _ANCHOR.findall(page)]) if n < 1000]
        if not set(anchors) <= set(numbers):
            missing.append(c.refid)
    # A handful of pages anchor paragraphs out of order (¶6 before ¶5).
    assert len(missing) <= 5, missing


def test_completeness_floors(parsed):
    cables, _ = parsed
    shares = {name: 100.0 * sum(1 for c in cables if getattr(c, name)) / len(cables) for name in FLOORS}
    below = {name: round(share, 1) for name, share in shares.items() if share < FLOORS[name]}
    assert below == {}


def test_references_are_canonical_refids(parsed):
    cables, _ = parsed
    pattern = re.compile(r"^\d{2}[A-Z]+[1-9]\d*$")
    bad = [(c.refid, r) for c in cables for r in c.references if not pattern.match(r)]
    assert bad == []


def test_no_preamble_or_trailer_leaks_into_paragraphs(parsed):
    cables, _ = parsed
    leaks = []
    for c in cables:
        for p in c.paragraphs:
            if re.match(r"^(TAGS?:|SUBJECT:|E\.O\. 12958|Classified By:)", p.text, re.I):
                leaks.append((c.refid, p.text[:60]))
    assert len(leaks) <= 3, leaks
