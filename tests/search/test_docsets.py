"""DocSets gives exactly Whoosh's document sets, also after deletions and across segments."""

from __future__ import annotations

from datetime import datetime

import pytest

from indexer.build import build_index
from indexer.refids import station_for
from search import CableSearch
from search.compile import Compiler
from search.docsets import DocSets, TermCache
from search.querylang import parse_query

from .conftest import cable, small_corpus

QUERIES = ["trafficking", "trafficking persons", "human OR kurdish", "trafficking -libya",
           "the", '"vital voices"', "date:2008", "kurd*", "trafficking NOT (a OR guidance)",
           '"trafficking in persons"', '"human rights council"', '"human rights"~3', '"council rights"~4',
           '"the embassy continues"', '"persons trafficking"~2', '"the the"',
           "date:[2007-01 TO 2008-06]", "trafficking date:2009", "date:[2008-03-10 TO 2008-09-09]",
           "-date:2007"]


@pytest.fixture
def changed_index(tmp_path):
    path = tmp_path / "index"
    corpus = small_corpus()
    build_index(path, corpus[:4], batch_size=2)           # several segments
    build_index(path, corpus[4:], batch_size=3)
    edited = cable("08TRIPOLI50", datetime(2008, 3, 10), "Embassy Tripoli", "SECRET",
                   "LIBYA: EDITED", [(1, "S", "Nothing about the trade now.")])
    build_index(path, [edited])                            # a replaced cable: deletions
    return path


def test_docsets_equal_whoosh(changed_index, monkeypatch):
    import search.docsets

    monkeypatch.setattr(search.docsets, "CACHE_MIN_DF", 1)  # cache every term here
    s = CableSearch(changed_index)
    cache = TermCache()
    with s._searcher() as (opened, searcher):
        comp = Compiler(searcher.reader(), opened.schema)
        for q in QUERIES:
            compiled = comp.compile(parse_query(q, is_station=station_for).root)
            expected = set(searcher.docs_for_query(compiled))
            for _ in range(2):  # cold, then from the cache
                assert DocSets(searcher, cache, opened.scope).docs(compiled) == expected, q
    assert cache._size > 0
    assert s.search("trafficking").total == 2  # the edited Tripoli cable no longer says it
    s.close()
