"""The one analyzer: exact token lists, positions, offsets, query mode, pickling."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.query import Phrase, Term

from indexer.analysis import (
    ANALYZER,
    CableStemFilter,
    CableTokenizer,
    cable_analyzer,
    exact_terms,
    index_positions,
)
from indexer.schema import CableText


def texts(value, **kw):
    return [t.text for t in ANALYZER(value, **kw)]


def query_texts(value):
    return texts(value, mode="query")


def spans(value):
    return [(t.text, t.pos, t.startchar, t.endchar) for t in ANALYZER(value, positions=True, chars=True)]


def test_words_get_stem_and_exact_twin():
    assert texts("Trafficking victims") == ["traffick", "=trafficking", "victim", "=victims"]


def test_a_word_that_is_its_own_stem_has_no_twin():
    # Schema 4: the query side finds "=run" as "run" less the other words stemming to it.
    assert texts("run running runs nuclear the") == ["run", "run", "=running", "run", "=runs",
                                                      "nuclear", "the"]


@given(st.lists(st.sampled_from(["run", "running", "runs", "nuclear", "embassy", "embassies",
                                 "the", "talks", "head", "office", "officials", "may", "generally"]),
                min_size=1, max_size=12))
def test_a_word_has_its_twin_exactly_when_its_stem_differs(words):
    from indexer.analysis import stem

    expected = []
    for w in words:
        expected.append(stem(w))
        if stem(w) != w:
            expected.append("=" + w)
    assert texts(" ".join(words)) == expected


def test_stop_words_are_kept():
    # Whoosh's STOP_WORDS would drop all of these.
    assert query_texts("us may will the") == ["us", "may", "will", "the"]


def test_us_forms_meet():
    assert query_texts("U.S.") == query_texts("US") == query_texts("u.s.") == ["us"]
    assert query_texts("USG") == ["usg"]


def test_executive_order():
    assert query_texts("E.O. 12958") == query_texts("EO 12958") == ["eo", "12958"]


def test_leading_zeros_do_not_matter():
    assert query_texts("008797") == query_texts("8797") == ["8797"]
    assert query_texts("BANGKOK 003955") == ["bangkok", "3955"]
    assert query_texts("0") == ["0"]


def test_thousands_separator_dropped():
    assert query_texts("1,000 people") == ["1000", "peopl"]


def test_refid_is_one_token_with_parts_on_following_positions():
    assert [(t, p) for t, p, _, _ in spans("06BANGKOK3955 reported")] == [
        ("06bangkok3955", 0),
        ("06", 0),
        ("bangkok", 1),  # its own stem: no twin
        ("3955", 2),
        ("report", 3),
        ("=reported", 3),
    ]
    assert query_texts("06BANGKOK3955") == ["06bangkok3955"]
    assert query_texts("06BANGKOK003955") == ["06bangkok3955"]


def test_compound_parts_and_joined_form_share_a_position():
    assert [(t, p) for t, p, _, _ in spans("anti-trafficking efforts")] == [
        ("anti", 0),  # its own stem: no twin
        ("traffick", 0),
        ("=trafficking", 0),
        ("antitraffick", 0),
        ("=antitrafficking", 0),
        ("effort", 1),
        ("=efforts", 1),
    ]
    # A query gives only the joined form, so the phrase stays exact.
    assert query_texts("anti-trafficking efforts") == ["antitraffick", "effort"]
    assert query_texts("antitrafficking") == ["antitraffick"]


def test_office_slashes():
    assert query_texts("G/TIP") == query_texts("gtip") == ["gtip"]
    assert "tip" in texts("G/TIP") and "g" in texts("G/TIP")
    assert query_texts("EUR/SE") == query_texts("eurse")


def test_numeric_compounds_are_consecutive_numbers():
    assert [(t, p) for t, p, _, _ in spans("May 22-24")] == [("may", 0), ("22", 1), ("24", 2)]


def test_accents_and_curly_possessive_folded():
    assert query_texts("Café Qadhafi’s") == ["cafe", "qadhafi"]
    assert exact_terms("Qadhafi's") == ["=qadhafi"]


def test_exact_terms():
    assert exact_terms("Trafficking victims") == ["=trafficking", "=victims"]
    assert exact_terms("BANGKOK 003955") == ["=bangkok", "3955"]


def test_offsets_point_at_the_original_text():
    text = "Recently-named U.S. envoy, ref 06BANGKOK3955."
    for tok, _pos, start, end in spans(text):
        original = text[start:end]
        if tok in ("recent", "=recently"):
            assert original == "Recently"
        if tok in ("name", "=named"):
            assert original == "named"
        if tok in ("recentlynam", "=recentlynamed"):
            assert original == "Recently-named"
        if tok == "us":
            assert original == "U.S."
        if tok in ("06bangkok3955", "3955"):
            assert original == "06BANGKOK3955"


def test_no_morph_gives_plain_words_for_spelling():
    assert [t.text for t in ANALYZER("Trafficking victims", no_morph=True)] == [
        "trafficking",
        "victims",
    ]
    assert ANALYZER.has_morph()
    assert CableStemFilter.is_morph is True


def test_exact_query_mode():
    assert texts("Trafficking 06BANGKOK3955", mode="query", exact=True) == [
        "=trafficking",
        "06bangkok3955",
    ]


def test_analyzer_pickles_without_cache_and_compares_equal():
    blob = pickle.dumps(ANALYZER)
    assert b"lru_cache" not in blob and b"indexer.analysis" in blob
    assert pickle.loads(blob) == ANALYZER == cable_analyzer()
    assert CableTokenizer() == CableTokenizer()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "U.S.", "anti-trafficking", "G/TIP", "06BANGKOK3955", "008797", "the",
                "office", "head", "Café", "1,000", "22-24", "E.O.", "12958", "Qadhafi's",
                "P5+1", "AT&T", "x", "(C)", "SBU", "1.4(b)", "--", "Mr.", "XXXXXXXXXXXX",
            ]
        ),
        max_size=30,
    ),
    st.sampled_from([" ", "\n", ", ", ". "]),
)
def test_fast_path_agrees_with_the_analyzer(words, sep):
    text = sep.join(words)
    expected: dict[str, list[int]] = {}
    for t in ANALYZER(text, positions=True, mode="index"):
        expected.setdefault(t.text, []).append(t.pos)
    assert index_positions(text) == expected
    no_twins = {k: v for k, v in expected.items() if not k.startswith("=")}
    assert index_positions(text, twins=False) == no_twins


@pytest.fixture()
def tiny_index(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), Schema(body=CableText()))
    docs = {
        "a": "The office head met the press.",
        "b": "The office of the head was closed.",
        "c": "Anti-trafficking efforts continued; see 06BANGKOK3955 and BANGKOK 003955.",
        "d": "He was trafficked across the border.",
    }
    with ix.writer() as w:
        for text in docs.values():
            w.add_document(body=text)
    names = list(docs)
    with ix.searcher() as s:
        yield lambda q: sorted(names[d] for d in q.docs(s))


def _phrase(text, exact=False):
    return Phrase("body", texts(text, mode="query", exact=exact))


def test_phrase_is_exact_no_renumbered_positions(tiny_index):
    assert tiny_index(_phrase("office head")) == ["a"]
    assert tiny_index(_phrase("office of the head")) == ["b"]


def test_stemmed_and_exact_search(tiny_index):
    assert tiny_index(Term("body", "traffick")) == ["c", "d"]
    assert tiny_index(Term("body", "=trafficking")) == ["c"]
    assert tiny_index(Term("body", "=trafficked")) == ["d"]
    assert tiny_index(_phrase("anti-trafficking efforts", exact=True)) == ["c"]


def test_refid_found_as_typed_and_as_station_serial(tiny_index):
    assert tiny_index(Term("body", "06bangkok3955")) == ["c"]
    assert tiny_index(_phrase("BANGKOK 3955")) == ["c"]
    assert tiny_index(_phrase("bangkok 003955")) == ["c"]
