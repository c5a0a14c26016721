"""DocSets gives exactly Whoosh's document sets, also after deletions and across segments,
from Whoosh's postings and from posting arrays."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from indexer.build import build_index
from indexer.refids import station_for
from search import CableSearch
from search.compile import Compiler
from search.docsets import DocSet, DocSets
from search.querylang import parse_query

from .conftest import cable, small_corpus

QUERIES = ["trafficking", "trafficking persons", "human OR kurdish", "trafficking -libya",
           "the", '"vital voices"', "date:2008", "kurd*", "trafficking NOT (a OR guidance)",
           '"trafficking in persons"', '"human rights council"', '"human rights"~3', '"council rights"~4',
           '"the embassy continues"', '"persons trafficking"~2', '"the the"',
           "date:[2007-01 TO 2008-06]", "trafficking date:2009", "date:[2008-03-10 TO 2008-09-09]",
           "-date:2007"]


@pytest.fixture(params=["postings", "arrays"])
def changed_index(request, tmp_path, monkeypatch):
    import indexer.postarrays

    if request.param == "arrays":  # every term gets posting arrays
        monkeypatch.setattr(indexer.postarrays, "MIN_POSTINGS", 1)
    path = tmp_path / "index"
    corpus = small_corpus()
    build_index(path, corpus[:4], batch_size=2, workers=0)           # several segments
    build_index(path, corpus[4:], batch_size=3, workers=0)
    edited = cable("08TRIPOLI50", datetime(2008, 3, 10), "Embassy Tripoli", "SECRET",
                   "LIBYA: EDITED", [(1, "S", "Nothing about the trade now.")])
    build_index(path, [edited], workers=0)                            # a replaced cable: deletions
    return path


def test_docsets_equal_whoosh(changed_index):
    s = CableSearch(changed_index)
    with s._searcher() as (opened, searcher):
        comp = Compiler(searcher.reader(), opened.schema)
        for q in QUERIES:
            compiled = comp.compile(parse_query(q, is_station=station_for).root)
            # Whoosh's matcher for a lone Not also yields deleted documents.
            expected = {d for d in searcher.docs_for_query(compiled) if not searcher.reader().is_deleted(d)}
            got = DocSets(searcher).docs(compiled)
            assert isinstance(got, DocSet)
            assert set(got) == expected, q
            assert len(got) == len(expected), q
    assert s.search("trafficking").total == 2  # the edited Tripoli cable no longer says it
    s.close()


def test_docset_behaves_like_a_set_of_document_numbers():
    a = DocSet.of([1, 3, 5], 8)
    b = DocSet.of({3, 4}, 8)
    assert list(a) == [1, 3, 5] and len(a) == 3 and a
    assert 3 in a and 4 not in a and 8 not in a and -1 not in a and "3" not in a
    assert set(a & b) == {3} and set(a | b) == {1, 3, 4, 5} and set(a - b) == {1, 5}
    assert a == {1, 3, 5} and a == DocSet.of([5, 3, 1], 8) and a != b
    assert not DocSet.empty(8) and len(DocSet.union([a, b, DocSet.empty(8)], 8)) == 4
    assert a.ids().tolist() == [1, 3, 5]
    assert repr(a) == "DocSet([1, 3, 5]; 3 of 8)"


def test_phrase_positions_held_twice_make_no_match():
    from search.docsets import _phrase_docs

    def word(postings):  # [(doc, [positions])] -> (ids, starts, positions)
        ids = np.array([d for d, _ in postings], dtype=np.uint32)
        starts = np.cumsum([0] + [len(p) for _, p in postings]).astype(np.uint32)
        flat = np.array([x for _, p in postings for x in p], dtype=np.uint16)
        return ids, starts, flat

    # Document 0 holds "unit state" at 4-5 and "govern" twice at 9 (never at 6);
    # document 1 holds the phrase "unit state govern" at 1-3.
    unit = word([(0, [4]), (1, [1])])
    state = word([(0, [5]), (1, [2])])
    govern = word([(0, [9, 9]), (1, [3, 3])])
    assert _phrase_docs([unit, state, govern], 2).tolist() == [1]
    assert _phrase_docs([unit, state], 2).tolist() == [0, 1]
    assert _phrase_docs([govern, govern], 2).tolist() == []


def _worded(i: int, word: str):
    return cable(f"08PARIS{1000 + i}", datetime(2008, 1, 1 + i % 28), "Embassy Paris", "SECRET",
                 f"FRANCE: NOTE {i}", [(1, "C", f"The {word} of note {i}.")])


@pytest.mark.parametrize("replaced", [140, 150])
def test_searcher_of_the_commit_before_keeps_its_documents(tmp_path, monkeypatch, replaced):
    """A newer searcher reads a segment whose leading postings of a term it sees deleted
    (a whole block of 128 with 140 replaced, every posting with 150; 10 other cables keep
    the segment alive); the postings read are shared with the searcher opened before
    that commit, which must still find all 150 cables. (This is how 8 threads searching
    during a reindex once saw 10 cables in neither version.)"""
    import indexer.postarrays
    from whoosh.filedb.filestore import FileStorage

    from indexer.analysis import ANALYZER
    from indexer.swap import current_generation

    # No posting arrays: the term is read from Whoosh's postings (and cached).
    monkeypatch.setattr(indexer.postarrays, "MIN_POSTINGS", 10**9)
    path = tmp_path / "index"
    first = [_worded(i, "alphaword") for i in range(150)] + [_worded(i, "gammaword") for i in range(150, 160)]
    build_index(path, first, batch_size=200, workers=0)
    term = [t.text for t in ANALYZER("alphaword", mode="query")][0]
    before = FileStorage(str(current_generation(path)), supports_mmap=False).open_index()
    with before.searcher() as old:
        assert len(old.reader().leaf_readers()) == 1  # one segment, two posting blocks
        build_index(path, [_worded(i, "betaword") for i in range(replaced)], batch_size=200, workers=0)
        with CableSearch(path) as engine:
            assert engine.search("alphaword", facets=False).total == 150 - replaced
            assert engine.search("betaword", facets=False).total == replaced
        assert len(DocSets(old).term("body", term)) == 150


def test_live_documents_are_worked_out_once_per_reader(changed_index):
    s = CableSearch(changed_index)
    with s._searcher() as (_opened, searcher):
        reader = searcher.reader()
        first, second = DocSets(searcher), DocSets(searcher)
        assert first.live is second.live and not first.live.flags.writeable
        expected = [not reader.is_deleted(d) for d in range(reader.doc_count_all())]
        assert first.live.tolist() == expected and not all(expected)
    s.close()
