"""Exact words in an index without ``=word`` twins for words that are their own stem.

Schema 4 indexes ``running`` as ``run`` + ``=running`` but ``run`` as ``run`` alone, so
``=run`` is worked out at query time (``run`` less ``=running``, ``=runs``...; see
search/exact.py). These cables are written so that a wrong construction shows: a cable
with only *run*, one with only *running*/*runs*, one with both.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from indexer.build import build_index
from search import CableSearch

from .conftest import cable


def corpus():
    return [
        cable("06RUN1", datetime(2006, 1, 1), "Embassy Oslo", "UNCLASSIFIED", "RUN REPORT",
              [(1, "U", "They run fast in the office of the head.")]),
        cable("06RUN2", datetime(2006, 1, 2), "Embassy Oslo", "UNCLASSIFIED", "RUNNING REPORT",
              [(1, "U", "He was running fast with runs of the office head.")]),
        cable("06RUN3", datetime(2006, 1, 3), "Embassy Rome", "UNCLASSIFIED", "BOTH FORMS",
              [(1, "C", "He was running hard."), (2, "S", "Then he would run fast.")]),
        # After the last cable with another form of "run": Whoosh's SpanNot would ask
        # the exhausted siblings' matcher for its document.
        cable("06RUN4", datetime(2006, 1, 4), "Embassy Rome", "UNCLASSIFIED", "AGAIN",
              [(1, "U", "We run again.")]),
        cable("06NUKE1", datetime(2006, 2, 1), "Embassy Rome", "UNCLASSIFIED", "TALKS",
              [(1, "U", "The nuclear talks went on.")]),
        cable("06HOPE1", datetime(2006, 3, 1), "Embassy Rome", "UNCLASSIFIED", "OUTLOOK",
              [(1, "U", "Officials expressed hope for a deal.")]),
        cable("06HOPE2", datetime(2006, 3, 2), "Embassy Rome", "UNCLASSIFIED", "OUTLOOK",
              [(1, "U", "Officials are hoping for a deal.")]),
        cable("06HOPE3", datetime(2006, 3, 3), "Embassy Rome", "UNCLASSIFIED", "OUTLOOK",
              [(1, "U", "Their hopes rose; they hoped so.")]),
    ]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("exact") / "index"
    build_index(path, corpus(), workers=0)
    with CableSearch(path) as s:
        yield s


def found(engine, query, **kw):
    return sorted(h.refid for h in engine.search(query, **kw).hits)


def test_exact_word_that_is_its_own_stem_excludes_its_other_forms(engine):
    assert found(engine, "=run") == ["06RUN1", "06RUN3", "06RUN4"]
    assert found(engine, "run") == ["06RUN1", "06RUN2", "06RUN3", "06RUN4"]
    # Three other forms (hoping, hoped, hopes): Whoosh would read an Or of three or more
    # terms into an array without positions, unless told otherwise.
    assert found(engine, "=hope") == ["06HOPE1"]
    assert found(engine, '="hope for"') == ["06HOPE1"]


def test_exact_word_with_its_own_twin_excludes_the_stem_alone(engine):
    assert found(engine, "=running") == ["06RUN2", "06RUN3"]
    assert found(engine, "=runs") == ["06RUN2"]
    assert found(engine, "=hoping") == ["06HOPE2"]


def test_exact_totals_and_export_agree(engine):
    for q, n in (("=run", 3), ("=running", 2), ("=run -=running", 2), ("=run OR =runs", 4),
                 ('="run fast"', 2), ("=head", 2), ("=run =head", 4)):  # 1 with both, then 3 with one (relaxed)
        r = engine.search(q)
        assert r.total == n, q
        assert len(list(engine.export(q))) == n, q
    assert found(engine, "=run -=running") == ["06RUN1", "06RUN4"]


def test_exact_phrase_with_words_that_are_their_own_stem(engine):
    assert found(engine, '="run fast"') == ["06RUN1", "06RUN3"]
    assert found(engine, '="running fast"') == ["06RUN2"]
    assert found(engine, '"run fast"') == ["06RUN1", "06RUN2", "06RUN3"]
    # Positions are never renumbered: "office of the head" is not "office head".
    assert found(engine, '="office head"') == ["06RUN2"]
    assert found(engine, '="head office"') == []


def test_exact_word_in_a_field(engine):
    assert found(engine, "subject:=run") == ["06RUN1"]
    assert found(engine, "subject:=running") == ["06RUN2"]
    assert found(engine, "body:=run") == ["06RUN1", "06RUN3", "06RUN4"]


def test_exact_word_inside_one_marked_paragraph(engine):
    # 06RUN3 has "running" in its (C) paragraph and "run" in its (S) one.
    assert found(engine, "marking:S =run") == ["06RUN3"]
    assert found(engine, "marking:C =running") == ["06RUN3"]
    assert found(engine, "marking:C =run") == []


def test_snippets_and_matched_words_of_an_exact_word(engine):
    r = engine.search("=run", filters={"origin": ["Embassy Rome"]})
    hit = {h.refid: h for h in r.hits}["06RUN3"]
    assert hit.matched_terms == ("run",)
    # The paragraph with "run" is picked and only "run" is marked, not "running".
    assert [p.html for p in hit.paragraphs] == ["Then he would <mark>run</mark> fast."]
    assert engine.highlight("06RUN3", "=run") == {1: "Then he would <mark>run</mark> fast."}
    assert engine.highlight("06RUN3", "=running") == {0: "He was <mark>running</mark> hard."}


def test_prefix_finds_words_that_are_their_own_stem(engine):
    assert found(engine, "nucl*") == ["06NUKE1"]
    assert found(engine, "run*") == ["06RUN1", "06RUN2", "06RUN3", "06RUN4"]
    # "hoping" stems to "hope" but does not begin with it; "hopes" and "hoped" do.
    assert found(engine, "hope*") == ["06HOPE1", "06HOPE3"]
    assert found(engine, "hop*") == ["06HOPE1", "06HOPE2", "06HOPE3"]
    assert found(engine, "nucleer~") == ["06NUKE1"]


def test_did_you_mean_a_word_that_is_its_own_stem(engine):
    r = engine.search("nucleer talks")
    assert r.suggestion == "nuclear talks"
    assert r.notes == ("No cable contains 'nucleer'; also searched 'nuclear'.",)
    assert [h.refid for h in r.hits] == ["06NUKE1"]


def test_fast_document_sets_agree_with_whoosh(engine):
    from search.docsets import DocSets
    from search.plan import SearchPlan
    from search.querylang import parse_query

    with engine._searcher() as (opened, searcher):  # noqa: SLF001 - checking internals
        for q in ("=run", "=head", "=hope", "=running", "=run =fast"):
            plan = SearchPlan(searcher, opened.schema, engine._columns, opened.scope,  # noqa: SLF001
                              parse_query(q), None, "relevance")
            compiled = plan.comp.compile(parse_query(q).root)
            fast = DocSets(searcher).docs(compiled)
            assert fast == set(searcher.docs_for_query(compiled)), q
