"""Snippets: exact text, offsets and escaped HTML with <mark> from the index's analyzer."""

from __future__ import annotations

import random

from indexer.analysis import ANALYZER
from search.snippets import _ASCII, _UNICODE, _matches, make_snippet, match_spans


def test_matches_inflected_forms_through_the_analyzer():
    text = "Trafficked persons were trafficking; anti-trafficking work goes on."
    spans = match_spans(text, ANALYZER, {"traffick", "person"})
    assert [text[s:e] for s, e, _ in spans] == ["Trafficked", "persons", "trafficking", "trafficking"]


def test_compound_joined_form_marks_the_compound():
    text = "An anti-trafficking law."
    spans = match_spans(text, ANALYZER, {"antitraffick"})
    assert [text[s:e] for s, e, _ in spans] == ["anti-trafficking"]


def test_exact_snippet_with_offsets_and_escaping():
    text = "Paris hosted <script>alert('x')</script> nuclear talks & more."
    spans = match_spans(text, ANALYZER, {"nuclear", "script"})
    plain, offsets, html = make_snippet(text, spans)
    assert plain == text
    assert [plain[s:e] for s, e in offsets] == ["script", "script", "nuclear"]
    assert html == (
        "Paris hosted &lt;<mark>script</mark>&gt;alert(&#x27;x&#x27;)&lt;/<mark>script</mark>&gt; "
        "<mark>nuclear</mark> talks &amp; more."
    )


def test_long_text_is_cut_around_the_densest_matches():
    text = ("Nothing here. " * 40) + "The nuclear talks on nuclear fuel. " + ("Filler words. " * 40)
    spans = match_spans(text, ANALYZER, {"nuclear", "fuel"})
    plain, offsets, html = make_snippet(text, spans, size=80)
    assert plain.startswith("…") and plain.endswith("…")
    assert [plain[s:e] for s, e in offsets] == ["nuclear", "nuclear", "fuel"]
    assert len(plain) <= 82
    assert html.count("<mark>") == 3


def test_no_match_gives_the_start_unmarked():
    plain, offsets, html = make_snippet("Short text.", [])
    assert (plain, offsets, html) == ("Short text.", (), "Short text.")


def test_compounds_and_abbreviations_found_from_markers_as_in_one_pass():
    # _matches searches only near the joiners and dots; it must find exactly what one
    # finditer pass over the whole text finds, for both alphabets.
    rng = random.Random(5)
    pieces = list("aAbZ19._-/+& \n'’éΩ") + ["U.S.", "x.", ".y", "a-b", "..", "Dr."]
    texts = ["U.S.-led anti-trafficking", "e.g. a.b.c. d-e-f", "xU.S. and A.B.", "aX.L.M.", "-a-"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for text in texts:
        for syntax in (_ASCII, _UNICODE) if text.isascii() else (_UNICODE,):
            for pattern, marker in ((syntax.compound, syntax.joiner),
                                    (syntax.abbreviation, syntax.dots)):
                assert [m.span() for m in _matches(pattern, marker, text)] == [
                    m.span() for m in pattern.finditer(text)], (text, pattern.pattern)
