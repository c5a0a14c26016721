"""The query-language front end: normalization, parsing, repair notes, dates, refids."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.refids import station_for
from search.dates import Period, parse_period, parse_range
from search.normalize import normalize_query
from search.querylang import And, Dates, Not, Or, Phrase, Word, parse_query, text_clauses


def parse(q):
    return parse_query(q, is_station=station_for)


def test_curly_quotes_and_dashes_become_plain():
    assert normalize_query("\u201cvital voices\u201d \u2014burma\u00a0 x") == '"vital voices" -burma x'
    p = parse("\u201cvital voices\u201d \u2013burma")
    assert p.root == And((Phrase(("vital", "voices")), Not(Word("burma"))))


def test_implicit_and_or_not_and_parentheses():
    p = parse("a OR b c NOT d -e (f OR g)")
    assert p.root.describe() == "a OR (b AND c AND NOT d AND NOT e AND (f OR g))"
    assert p.notes == ()


@pytest.mark.parametrize(
    ("query", "describe", "note"),
    [
        ("(a OR b", "a OR b", "Added a missing ')' at the end of the query."),
        ("a) b", "a AND b", "Ignored an unmatched ')'."),
        ("a OR", "a", "Ignored 'OR' with nothing after it."),
        ("AND a", "a", "Ignored 'AND' with nothing on one side."),
        ("NOT", "all cables", "Ignored 'NOT' with nothing after it."),
        ('"open phrase', '"open phrase"', 'Closed an unbalanced " at the end of the query.'),
        ("origin:", "all cables", "Ignored 'origin:' with nothing after it."),
        ("date:soon x", "x", "Ignored date:soon: dates are YYYY, YYYY-MM, YYYY-MM-DD or [YYYY-MM TO YYYY-MM]."),
    ],
)
def test_bad_syntax_is_repaired_and_said(query, describe, note):
    p = parse(query)
    assert p.describe() == describe
    assert note in p.notes


def test_unknown_field_names_the_valid_ones_and_searches_the_value():
    p = parse("orign:bangkok")
    assert p.root == Word("bangkok")
    assert p.notes == (
        "Unknown field 'orign:', searched its value as text. Did you mean 'origin:'? "
        "Fields: origin, from, tag, classification, caveat, subject, refid, refs, citedby, "
        "signer, to, info, marking, date, body.",
    )


def test_field_aliases():
    p = parse('from:bangkok tag:PREL caveat:noforn to:"secstate washdc" refs:06BANGKOK3955')
    assert p.root == And((
        Word("bangkok", "origin"), Word("PREL", "tags", capitalized=True),
        Word("noforn", "caveats"), Phrase(("secstate", "washdc"), "to"),
        Word("06BANGKOK3955", "references"),
    ))
    assert p.refids == ()  # a value of refs: is not a cable to put first


def test_word_modes():
    p = parse("traffick* w?rd =Trafficking gaddafi~ qadhafi~2")
    assert [(w.text, w.mode, w.fuzz) for w in p.root.items] == [
        ("traffick*", "prefix", 0), ("w?rd", "wildcard", 0), ("Trafficking", "exact", 0),
        ("gaddafi", "fuzzy", 1), ("qadhafi", "fuzzy", 2),
    ]


def test_exact_phrase():
    assert parse('="vital voices"').root == Phrase(("vital", "voices"), exact=True)


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("date:2006", date(2006, 1, 1), date(2006, 12, 31)),
        ("date:2006-02", date(2006, 2, 1), date(2006, 2, 28)),
        ("date:2006-07-05", date(2006, 7, 5), date(2006, 7, 5)),
        ("date:[2006-01 TO 2007-03]", date(2006, 1, 1), date(2007, 3, 31)),
        ("date:2006..2007", date(2006, 1, 1), date(2007, 12, 31)),
        ("jan 2006 to mar 2007", date(2006, 1, 1), date(2007, 3, 31)),
        ("jan 2006 - mar 2007", date(2006, 1, 1), date(2007, 3, 31)),
        ("between 2006 and 2008", date(2006, 1, 1), date(2008, 12, 31)),
        ("since jul 2006", date(2006, 7, 1), None),
        ("before 2008", None, date(2007, 12, 31)),
        ("in march 2009", date(2009, 3, 1), date(2009, 3, 31)),
    ],
)
def test_dates(query, start, end):
    assert parse(query).root == Dates(Period(start, end))


def test_a_lone_year_or_month_stays_a_word():
    assert parse("elections 2006").root == And((Word("elections"), Word("2006")))
    assert parse("july 2006 coup").root.items[0] == Word("july")


def test_natural_dates_mix_with_words():
    p = parse("iran jan 2006 to mar 2007")
    assert p.root == And((Word("iran"), Dates(Period(date(2006, 1, 1), date(2007, 3, 31)))))


@pytest.mark.parametrize(
    ("query", "refid", "serial"),
    [
        ("06BANGKOK3955", "06BANGKOK3955", "BANGKOK3955"),
        ("06 BANGKOK 3955", "06BANGKOK3955", "BANGKOK3955"),
        ("BANGKOK 3955", None, "BANGKOK3955"),
        ("bangkok 003955", None, "BANGKOK3955"),
        ("hong kong 1234", None, "HONGKONG1234"),
        ("secstate 12345", None, "STATE12345"),
    ],
)
def test_refids(query, refid, serial):
    (hint,) = parse(query).refids
    assert (hint.refid, hint.serial) == (refid, serial)


@pytest.mark.parametrize("query", ["section 3 of the law", "UNSCR 1701", "tokyo 2006 nuclear", "resolution 1441"])
def test_numbers_after_words_are_not_ids(query):
    assert parse(query).refids == ()


def test_marking_applies_to_the_words():
    p = parse("marking:S/NF nuclear")
    assert p.markings == ("S/NF",)
    assert p.root == Word("nuclear")


def test_only_negative_query_says_so():
    p = parse("-burma")
    assert p.root == Not(Word("burma"))
    assert p.notes == ("The query only excludes; searched all other cables.",)


def test_text_clauses_are_the_top_level_words():
    p = parse('vital "human rights" origin:x -y (a OR b)')
    assert text_clauses(p.root) == [Word("vital"), Phrase(("human", "rights"))]


def test_empty_query():
    p = parse("   ")
    assert p.root is None and p.describe() == "all cables"


def test_parse_period_and_range_edges():
    assert parse_period("2006-13") is None
    assert parse_period("7/5/2006") == Period(date(2006, 7, 5), date(2006, 7, 5))
    assert parse_range("[2008 TO 2006]") == Period(date(2006, 1, 1), date(2008, 12, 31))
    assert parse_range(">2006") == Period(date(2007, 1, 1), None)
    assert parse_range("[TO 2007]") == Period(None, date(2007, 12, 31))


def test_or_node():
    assert parse("origin:(bangkok OR ankara)").root == Or((Word("bangkok", "origin"), Word("ankara", "origin")))
