"""CableSearch over a small index built from hand-written cables (tests/search/conftest.py)."""

from __future__ import annotations

import pickle
import threading
from datetime import datetime

import pytest

from indexer.build import build_index
from indexer.errors import IndexNotFound
from search import CableSearch, QueryError

from .conftest import cable, small_corpus


def refids(results):
    return [h.refid for h in results.hits]


def test_subject_matches_rank_above_body_only_matches(engine):
    r = engine.search("trafficking")
    assert r.total == 3
    # Both subjects say TRAFFICKING; the Tripoli cable has it only in a paragraph.
    assert set(refids(r)[:2]) == {"09STATE1234", "06BANGKOK3955"}
    assert refids(r)[2] == "08TRIPOLI50"
    assert r.matched_terms == ("trafficking",)
    assert not r.relaxed


def test_inflected_forms_match(engine):
    assert refids(engine.search("trafficked"))[:2] == refids(engine.search("trafficking"))[:2]


def test_exact_phrase_and_exact_word(engine):
    r = engine.search('"vital voices"')
    assert refids(r) == ["06BANGKOK3955"]
    assert engine.search('"voices vital"').total == 0
    # =word does not stem: "=trafficked" is in no cable, "=trafficking" is in three.
    assert engine.search("=trafficked").total == 0
    assert engine.search("=trafficking").total == 3
    # Exact words and prefixes still pick and mark the paragraph (paragraph text is
    # indexed with stems only).
    for q in ("=trafficking", "traffick*", '="vital voices"'):
        r = engine.search(q, filters={"origin": ["Embassy Bangkok"]})
        para = r.hits[0].paragraphs[0]
        assert (para.number, "<mark>" in para.html) == (1, True), q


def test_words_close_together_rank_first(engine):
    r = engine.search("human rights")
    # Both Geneva cables have both words once; only 08GENEVA10 has them side by side.
    assert refids(r)[:2] == ["08GENEVA10", "08GENEVA11"]


def test_few_full_matches_are_followed_by_partial_ones(engine):
    r = engine.search("qadhafi oil nuclear")
    assert refids(r) == ["08TRIPOLI50"]  # two of three words; nothing has all three
    assert r.relaxed
    assert r.total == 1
    assert r.echo == ("qadhafi AND oil AND nuclear; best match first; no cable matches every "
                      "word, so cables matching most of the words follow")


def test_name_variant_matches_below_the_spelling(engine):
    r = engine.search("Gaddafi oil")
    assert refids(r) == ["08TRIPOLI50"]
    assert "Gaddafi" in r.hits[0].matched_terms


def test_refid_and_serial_rank_the_cable_first(engine):
    assert refids(engine.search("06BANGKOK3955"))[0] == "06BANGKOK3955"
    r = engine.search("BANGKOK 3955")
    assert refids(r)[:2] == ["06BANGKOK3955", "07BANGKOK3955"]  # no year: both, oldest first
    assert refids(engine.search("06 bangkok 003955"))[0] == "06BANGKOK3955"
    r = engine.search("bangkok 3955 election")
    assert refids(r)[0] in ("06BANGKOK3955", "07BANGKOK3955")
    r = engine.search("BANGKOK 9999")
    assert r.notes == ("No cable BANGKOK9999 (any year) is in the index (or in the filters).",)


def test_fields(engine):
    assert refids(engine.search("origin:ankara")) == ["07ANKARA100"]
    assert sorted(refids(engine.search("from:geneva"))) == ["08GENEVA10", "08GENEVA11"]
    assert sorted(refids(engine.search("tag:ktip"))) == ["06BANGKOK3955", "09STATE1234"]
    assert sorted(refids(engine.search('tag:"political relations"'))) == ["07ANKARA100", "08TRIPOLI50", "10PARIS5"]
    assert sorted(refids(engine.search("classification:confidential"))) == ["07ANKARA100", "07BANGKOK3955", "10PARIS5"]
    assert refids(engine.search("caveat:noforn")) == ["07ANKARA100"]
    assert sorted(refids(engine.search("refs:06BANGKOK3955"))) == ["07ANKARA100", "07BANGKOK3955"]
    assert refids(engine.search("citedby:07ANKARA100")) == ["06BANGKOK3955"]
    assert refids(engine.search("signer:boyce")) == ["06BANGKOK3955"]
    assert refids(engine.search("subject:kurdish")) == ["07ANKARA100"]
    assert refids(engine.search("refid:08TRIPOLI50")) == ["08TRIPOLI50"]


def test_boolean_operators(engine):
    assert sorted(refids(engine.search("trafficking -libya"))) == ["06BANGKOK3955", "09STATE1234"]
    assert sorted(refids(engine.search("trafficking NOT (guidance OR bangkok)"))) == ["08TRIPOLI50"]
    assert sorted(refids(engine.search("pkk OR qadhafi"))) == ["07ANKARA100", "08TRIPOLI50"]


def test_marking_matches_inside_one_paragraph(engine):
    r = engine.search("marking:S nuclear")
    assert refids(r) == ["07ANKARA100"]  # 10PARIS5 says nuclear in a (C) paragraph
    (para,) = r.hits[0].paragraphs
    assert (para.number, para.marking) == (2, "S")
    assert engine.search("marking:S kurdish").total == 0  # Kurdish is in the (C) paragraph


def test_dates(engine):
    assert sorted(refids(engine.search("date:2008"))) == ["08GENEVA10", "08GENEVA11", "08TRIPOLI50"]
    assert refids(engine.search("trafficking date:[2006-01 TO 2007-03]")) == ["06BANGKOK3955"]
    assert sorted(refids(engine.search("trafficking jan 2008 to may 2009"))) == ["08TRIPOLI50", "09STATE1234"]
    assert refids(engine.search("date:2008-09-10")) == ["08GENEVA11"]


def test_prefix_wildcard_fuzzy(engine):
    assert sorted(refids(engine.search("kurd*"))) == ["07ANKARA100"]
    assert sorted(refids(engine.search("qadh?fi"))) == ["08TRIPOLI50"]
    assert refids(engine.search("qadaffi~2")) == ["08TRIPOLI50"]


def test_wildcard_cap(engine, monkeypatch):
    import search.compile as compile_mod

    monkeypatch.setattr(compile_mod, "MAX_EXPANSION", 3)
    with pytest.raises(QueryError) as err:
        engine.search("t*")
    assert str(err.value) == (
        "'t*' matches more than 3 different words; make it longer or more specific "
        "(e.g. add letters before the *)."
    )


def test_limits(engine):
    with pytest.raises(QueryError, match="The query is 1,001 characters long; the limit is 1,000"):
        engine.search("a" * 1001)
    with pytest.raises(QueryError, match="page_size must be between 1 and 100, not 101"):
        engine.search("x", page_size=101)
    with pytest.raises(QueryError, match="goes past hit 10,000"):
        engine.search("x", page=501, page_size=20)
    with pytest.raises(ValueError, match="sort must be one of relevance, date, -date"):
        engine.search("x", sort="newest")


def test_bad_syntax_never_raises(engine):
    r = engine.search('trafficking) OR (orign:bangkok')
    assert r.total >= 1
    assert any("unmatched ')'" in n for n in r.notes)
    assert any("Unknown field 'orign:'" in n for n in r.notes)


def test_did_you_mean_and_close_spellings(engine):
    r = engine.search("nucler talks")
    assert r.suggestion == "nuclear talks"
    # The typo is also searched as its close spellings, and the notes say so.
    assert refids(r) == ["10PARIS5", "07ANKARA100"]  # all words, then "nuclear" alone
    assert r.notes == ("No cable contains 'nucler'; also searched 'nuclear'.",)
    assert engine.search("nuclear talks").suggestion is None
    assert engine.search("nuclear talks").notes == ()


def test_facets_and_filters(engine):
    r = engine.search("trafficking")
    assert [(f.value, f.count) for f in r.facets["tags"]][:1] == [("KTIP", 2)]
    assert {f.value: f.count for f in r.facets["year"]} == {"2006": 1, "2008": 1, "2009": 1}
    assert r.year_counts() == {2006: 1, 2008: 1, 2009: 1}
    r = engine.search("trafficking", filters={"origin": ["Embassy Bangkok"]})
    assert refids(r) == ["06BANGKOK3955"]
    r = engine.search("", filters={"caveats": ["SIPDIS"], "year": ["2008", "2010"]})
    assert sorted(refids(r)) == ["08TRIPOLI50", "10PARIS5"]
    r = engine.search("", filters={"date_from": "2008-09", "date_to": "2008-09-09"})
    assert refids(r) == ["08GENEVA10"]
    r = engine.search("", filters={"colour": ["red"]})
    assert r.notes == ("Ignored the unknown filter 'colour'; filters: origin, year, classification, caveats, tags, date_from, date_to.",)


def test_empty_query_lists_every_cable_by_date(engine):
    r = engine.search("", sort="-date", page_size=3)
    assert r.total == 8
    assert refids(r) == ["10PARIS5", "09STATE1234", "08GENEVA11"]
    assert r.pages == 3
    assert refids(engine.search("", sort="date", page=3, page_size=3)) == ["09STATE1234", "10PARIS5"]


def test_a_query_without_words_lists_newest_first(engine):
    r = engine.search("")
    assert r.echo == "all cables; newest first"
    assert refids(r)[:2] == ["10PARIS5", "09STATE1234"]
    r = engine.search("-trafficking")
    assert r.total == 5 and refids(r)[0] == "10PARIS5"
    assert r.notes == ("The query only excludes; searched all other cables.",)


def test_paging_is_consistent(engine):
    whole = refids(engine.search("the", page_size=100))
    paged = [rid for p in (1, 2, 3) for rid in refids(engine.search("the", page=p, page_size=3))]
    assert paged == whole[:9]


def test_snippets_are_exact_and_escaped(engine):
    r = engine.search("trafficking", filters={"origin": ["Embassy Bangkok"]})
    (hit,) = r.hits
    first = hit.paragraphs[0]
    assert (first.number, first.marking, first.anchor) == (1, "U", "p1")
    assert first.html == ("Summary. The Vital Voices conference on <mark>trafficking</mark> in "
                          "persons was held in Bangkok.")
    assert [first.text[s:e] for s, e in first.offsets] == ["trafficking"]
    r = engine.search("nuclear talks", filters={"origin": ["Embassy Paris"]})
    para = r.hits[0].paragraphs[0]
    assert "<script>" not in para.html
    assert para.html == ("Paris hosted &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; "
                         "<mark>nuclear</mark> <mark>talks</mark> &amp; more.")
    html = r._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_results_outlive_the_searcher_and_pickle(small_index):
    with CableSearch(small_index) as s:
        r = s.search("trafficking")
    again = pickle.loads(pickle.dumps(r))
    assert again == r and again.hits[0].paragraphs[0].html
    assert r.to_records()[0]["refid"] == r.hits[0].refid
    df = r.to_dataframe()
    assert list(df["refid"]) == refids(r)


def test_to_dataframe_without_pandas(engine, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pandas(name, *a, **kw):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real_import(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match=r"to_dataframe\(\) needs pandas, an optional extra"):
        engine.search("trafficking").to_dataframe()


def test_export_streams_the_whole_result_set_in_order(engine):
    r = engine.search("the", page_size=100)
    exported = [h.refid for h in engine.export("the")]
    assert exported == refids(r) and len(exported) == r.total
    by_date = [h.refid for h in engine.export("", sort="date")]
    assert by_date[0] == "06BANGKOK3955" and by_date[-1] == "10PARIS5"


def test_cable_view(engine):
    view = engine.cable("06BANGKOK3955")
    assert view.cable.subject == "VITAL VOICES CONFERENCE ON TRAFFICKING IN PERSONS"
    assert view.cited_by == ("07ANKARA100", "07BANGKOK3955")
    assert view.indexed_refs == frozenset({"07ANKARA100", "07BANGKOK3955"})
    assert view.tag_meanings["TH"] == "Thailand"
    assert engine.cable("06 BANGKOK 3955").cable.refid == "06BANGKOK3955"
    assert engine.cable("99NOWHERE1") is None


def test_more_like(engine):
    similar = [h.refid for h in engine.more_like("06BANGKOK3955", limit=3)]
    assert "06BANGKOK3955" not in similar
    assert similar[0] == "09STATE1234"  # trafficking in persons


def test_stats(engine):
    st = engine.stats()
    assert (st["cables"], st["paragraphs"]) == (8, 11)
    from indexer.schema import SCHEMA_VERSION

    assert st["schema_version"] == SCHEMA_VERSION


def test_missing_index(tmp_path):
    with pytest.raises(IndexNotFound, match="no index at"):
        CableSearch(tmp_path / "none").search("x")


def test_eight_threads_get_the_same_answers(engine):
    queries = ["trafficking", "human rights", "BANGKOK 3955", "marking:S nuclear", "date:2008", "kurd*"]
    expected = {q: (engine.search(q).total, refids(engine.search(q))) for q in queries}
    errors, seen = [], []

    def work():
        try:
            for _ in range(5):
                for q in queries:
                    r = engine.search(q)
                    seen.append((q, (r.total, refids(r))))
        except Exception as exc:  # noqa: BLE001 - report any failure from the thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(seen) == 8 * 5 * len(queries)
    assert all(expected[q] == got for q, got in seen)


def test_reindex_and_rebuild_are_picked_up_without_restart(tmp_path):
    path = tmp_path / "index"
    build_index(path, small_corpus()[:2])
    s = CableSearch(path)
    assert s.search("").total == 2
    extra = cable("10ROME87", datetime(2010, 1, 20), "Embassy Rome", "UNCLASSIFIED",
                  "ITALY: ZEBRA CROSSING", [(1, "U", "A zebra crossing policy.")])
    build_index(path, [extra])
    assert refids(s.search("zebra")) == ["10ROME87"]
    assert s.search("").total == 3
    changed = cable("10ROME87", datetime(2010, 1, 20), "Embassy Rome", "UNCLASSIFIED",
                    "ITALY: GIRAFFE CROSSING", [(1, "U", "A giraffe crossing policy.")])
    build_index(path, [changed])  # replaces the cable: the old version must vanish
    assert refids(s.search("giraffe")) == ["10ROME87"]
    assert s.search("zebra").total == 0
    assert s.cable("10ROME87").cable.subject == "ITALY: GIRAFFE CROSSING"
    build_index(path, small_corpus()[2:4], rebuild=True)  # a fresh generation swapped in
    assert s.search("").total == 2
    assert s.search("zebra").total == 0
    s.close()


def test_highlight_marks_every_matching_paragraph_whole(engine):
    marks = engine.highlight("06BANGKOK3955", "trafficking")
    assert marks == {
        0: "Summary. The Vital Voices conference on <mark>trafficking</mark> in persons was held in Bangkok.",
        1: "NGOs praised the regional forum against human <mark>trafficking</mark>. The embassy continues "
        "to follow developments closely and will report further.",
    }
    # Exact words and phrases mark their paragraphs through the stems they stand for.
    assert set(engine.highlight("06bangkok3955", '="vital voices"')) == {0}
    assert engine.highlight("06BANGKOK3955", "pkk") == {}
    assert engine.highlight("99NOWHERE1", "trafficking") == {}


def test_a_misspelled_refid_of_cablegate_is_a_cable_of_its_own(tmp_path):
    """06MINSI225 and 06MINSK225 are two Cablegate cables; a citation of MINSI 225 means
    Minsk, but the cable 06MINSI225 is found as itself, by id, refid: and its page."""
    para = "The embassy reported on the {} meeting."
    path = tmp_path / "index"
    build_index(path, [
        cable("06MINSK225", datetime(2006, 3, 1), "Embassy Minsk", "CONFIDENTIAL", "BELARUS: ONE",
              [(1, "C", para.format("first"))]),
        cable("06MINSI225", datetime(2006, 3, 2), "Embassy Minsk", "CONFIDENTIAL", "BELARUS: TWO",
              [(1, "C", para.format("second"))]),
        cable("06NAIROBI12", datetime(2006, 1, 5), "Embassy Nairobi", "UNCLASSIFIED", "KENYA",
              [(1, "U", para.format("third"))]),
    ], workers=0)
    with CableSearch(path) as s:
        assert s.search("belarus").total == 2  # neither replaced the other
        assert s.cable("06MINSI225").cable.subject == "BELARUS: TWO"
        assert s.cable("06minsk0225").cable.subject == "BELARUS: ONE"
        assert s.cable("06NARIOBI12").cable.refid == "06NAIROBI12"  # a misspelling of a cable
        assert refids(s.search("06MINSI225"))[:1] == ["06MINSI225"]
        assert refids(s.search("06MINSK225"))[:1] == ["06MINSK225"]
        assert refids(s.search("refid:06MINSI225")) == ["06MINSI225"]
        assert refids(s.search("refid:06NARIOBI12")) == ["06NAIROBI12"]
        assert "06MINSI225" not in [h.refid for h in s.more_like("06MINSI225")]
