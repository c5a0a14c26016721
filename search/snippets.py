"""Highlighted snippets: find the query's terms in a paragraph and cut a window. Pure.

Matching runs the paragraph through the *index's* analyzer (with character offsets), so
a snippet marks exactly the words the index matched: ``trafficked`` lights up for the
query ``trafficking`` because both stem alike, and nothing else does. A word also
answers to its exact term as the query side names it (``=run`` for *run*, which the
index keeps as ``run`` alone: see :mod:`search.exact`), so ``=run`` marks *run* and not
*running*. Only the page's
hits get snippets, and only from their best paragraphs, which keeps this cheap.
"""

from __future__ import annotations

import re
from html import escape
from typing import Callable, Iterable, Iterator, NamedTuple

__all__ = ["match_spans", "choose_window", "make_snippet", "SNIPPET_CHARS"]

#: About how long a snippet is, in characters (a few lines of a result list).
SNIPPET_CHARS = 240


def match_spans(
    text: str, analyzer: Callable, terms: Iterable[str]
) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` for every word of *text* that the analyzer turns into one
    of *terms* (analyzed term texts, as they are in the index).

    Running the analyzer over whole paragraphs costs a few microseconds a token, too
    much for a results page. So the text is cut into the pieces the analyzer treats as
    one unit (words, ``a-b`` compounds, ``U.S.`` abbreviations) and each *distinct*
    piece is analyzed once, cached: the same terms, at a fraction of the cost.

    :param analyzer: a Whoosh analyzer (the index's own).
    """
    wanted = frozenset(terms)
    if not wanted or not text:
        return []
    syntax = _ASCII if text.isascii() else _UNICODE
    spans: dict[tuple[int, int], str] = {}
    # Each distinct word is analyzed once (cached), and for the same terms (a results
    # page's hits) each word is looked at once: the words of a paragraph are checked
    # against the ones seen before with set operations, in C. The matching ones are
    # then found with one regular expression.
    misses, matches = _seen(analyzer, wanted)
    words = set(syntax.word.findall(text))
    new = words - misses
    new.difference_update(matches)
    for w in new:
        hit = _terms_of(analyzer, w) & wanted
        if hit:
            matches[w] = min(hit)
        else:
            misses.add(w)
    hit_words = {w: matches[w] for w in words.intersection(matches)}
    if hit_words:
        for m in syntax.words_at(hit_words).finditer(text):
            spans.setdefault((m.start(), m.end()), hit_words[m.group()])
    for m in _matches(syntax.compound, syntax.joiner, text):
        hit = _terms_of(analyzer, m.group()) & wanted
        if hit:  # a compound: only its joined form, its parts mark alone
            for part in syntax.word.findall(m.group()):
                hit -= _terms_of(analyzer, part)
        if hit:
            spans.setdefault((m.start(), m.end()), min(hit))
    for m in _matches(syntax.abbreviation, syntax.dots, text):
        hit = _terms_of(analyzer, m.group()) & wanted
        if hit:
            spans.setdefault((m.start(), m.end()), min(hit))
    return [(s, e, t) for (s, e), t in sorted(spans.items())]


def _matches(pattern: re.Pattern, marker: re.Pattern, text: str) -> Iterator[re.Match]:
    """The matches of ``pattern.finditer(text)``, found without running *pattern* over
    the whole text.

    Every compound has a *marker* (a joiner between two letters or digits) and every
    abbreviation has one in it or just before it (a letter's dot before another
    letter's), with no space between. Markers are rare and quick to find (their
    expressions start with the joiner or the dot), so *pattern* is searched only from
    the space before each marker that the last match did not cover. A match holds no
    space, so it never straddles where a search starts, and the searches find the same
    matches as one pass, in a third of its time.
    """
    end = 0
    for mark in marker.finditer(text):
        at = mark.start()
        if at < end:  # in the match found last
            continue
        m = pattern.search(text, max(end, text.rfind(" ", 0, at) + 1))
        if m is None:
            return
        yield m
        end = m.end()


class _Syntax(NamedTuple):
    """What the analyzer treats as one unit, as regular expressions over one alphabet:
    a word (or number, or id), a compound joined by ``- / + &`` (its joined form is a
    term too), a dotted abbreviation (``U.S.``); and the markers that find where the
    compounds and abbreviations are (:func:`_matches`)."""

    alnum: str
    word: re.Pattern
    compound: re.Pattern
    abbreviation: re.Pattern
    joiner: re.Pattern
    dots: re.Pattern

    def words_at(self, words: Iterable[str]) -> re.Pattern:
        """Where any of *words* stands as a whole word (no letter or digit on either
        side), the longest tried first."""
        a = self.alnum
        # Each alternative checks what precedes it after its literal, rather than one
        # look-behind before them all: a pattern that starts with literals lets the
        # regex engine skip to their first letters instead of trying every position.
        alts = "|".join(f"{w}(?<!{a}{w})"
                        for w in map(re.escape, sorted(words, key=len, reverse=True)))
        return re.compile(rf"(?:{alts})(?!{a})")


def _syntax(alnum: str, letter: str) -> _Syntax:
    """The expressions for ``alnum`` (a letter or digit) and ``letter`` character classes."""
    return _Syntax(
        alnum,
        # Possessive quantifiers: no backtracking inside words (this runs over whole bodies).
        re.compile(rf"{alnum}++(?:['\u2019]{alnum}++)*+"),
        re.compile(rf"(?<!{alnum}){alnum}++(?:[-/+&]{alnum}++)+"),
        re.compile(rf"(?<!{alnum})(?:{letter}\.){{2,}}+"),
        # The markers start with the joiner or the dot, which the engine finds fast, and
        # look back for the letter before it.
        re.compile(rf"[-/+&](?<={alnum}[-/+&]){alnum}"),
        re.compile(rf"\.(?<={letter}\.){letter}\."),
    )


_UNICODE = _syntax(r"[^\W_]", r"[^\W\d_]")
#: The same expressions for ASCII text (nearly every cable), where they match exactly
#: the same: a character range is a bitmap test, a Unicode class a table lookup per
#: character, and this halves the time the expressions take.
_ASCII = _syntax("[A-Za-z0-9]", "[A-Za-z]")

#: Per analyzer (by id; analyzers are not hashable), word -> the terms it gives alone.
_CACHES: dict[int, dict[str, frozenset[str]]] = {}
_CACHE_MAX = 200_000
#: Analyzers whose ids key the caches, kept alive so an id is never reused.
_ANALYZERS: dict[int, Callable] = {}


def _cache_for(analyzer: Callable) -> dict[str, frozenset[str]]:
    cache = _CACHES.get(id(analyzer))
    if cache is None:
        _ANALYZERS.setdefault(id(analyzer), analyzer)
        cache = _CACHES.setdefault(id(analyzer), {})
    elif len(cache) >= _CACHE_MAX:
        cache.clear()
    return cache


#: (analyzer id, wanted terms) -> (words that give none of them, word -> the term it
#: gives), for the last few sets of terms searched.
_SEEN: dict[tuple[int, frozenset[str]], tuple[set[str], dict[str, str]]] = {}
_SEEN_KEPT = 64


def _seen(analyzer: Callable, wanted: frozenset[str]) -> tuple[set[str], dict[str, str]]:
    _cache_for(analyzer)  # keeps the analyzer alive, so its id is not reused
    key = (id(analyzer), wanted)
    found = _SEEN.get(key)
    if found is None or len(found[0]) > _CACHE_MAX:
        if len(_SEEN) >= _SEEN_KEPT:
            _SEEN.clear()
        found = _SEEN[key] = (set(), {})
    return found


def _terms_of(analyzer: Callable, word: str) -> frozenset[str]:
    """The index terms *word* alone gives, and its exact query terms (cached)."""
    cache = _cache_for(analyzer)
    found = cache.get(word)
    if found is None:
        found = cache[word] = frozenset(t.text for t in analyzer(word, mode="index")) | frozenset(
            t.text for t in analyzer(word, mode="query", exact=True))
    return found


def choose_window(spans: list[tuple[int, int, str]], length: int, size: int) -> tuple[int, int]:
    """The ``(start, end)`` of the *size*-character window with the most distinct matched
    terms (then the most matches, then the earliest); the text's start if nothing matched.
    """
    if not spans or length <= size:
        return 0, min(length, size)
    best, best_key = (spans[0][0], spans[0][1]), None
    for i, (s0, _e0, _t) in enumerate(spans):
        j, terms, count, last_end = i, set(), 0, spans[i][1]
        while j < len(spans) and spans[j][1] - s0 <= size:
            terms.add(spans[j][2])
            count += 1
            last_end = spans[j][1]
            j += 1
        key = (len(terms), count, -s0)
        if best_key is None or key > best_key:
            best, best_key = (s0, last_end), key
    s0, e0 = best
    slack = size - (e0 - s0)
    start = max(0, s0 - slack // 3)
    end = min(length, start + size)
    start = max(0, min(start, end - size))
    return start, end


def _to_word_edges(text: str, start: int, end: int) -> tuple[int, int]:
    if start > 0 and not text[start - 1].isspace():
        nxt = text.find(" ", start, end)
        if nxt != -1:
            start = nxt + 1
    if end < len(text) and not text[end].isspace():
        prev = text.rfind(" ", start, end)
        if prev > start:
            end = prev
    return start, end


def make_snippet(
    text: str, spans: list[tuple[int, int, str]], size: int = SNIPPET_CHARS
) -> tuple[str, tuple[tuple[int, int], ...], str]:
    """Cut a snippet around the best cluster of matches.

    :param text: the paragraph text.
    :param spans: matches from :func:`match_spans`.
    :returns: ``(plain_text, offsets, html)``: the snippet (``…`` where it was cut),
        the ``(start, end)`` of each match within it, and the same snippet as escaped HTML
        with each match in ``<mark>``.

    >>> make_snippet("a <b> c", [(2, 5, "b")])
    ('a <b> c', ((2, 5),), 'a <mark>&lt;b&gt;</mark> c')
    """
    start, end = choose_window(spans, len(text), size)
    if start > 0 or end < len(text):
        start, end = _to_word_edges(text, start, end)
    body = text[start:end]
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    offsets = []
    html_parts = [lead]
    cursor = start
    for s, e, _t in spans:
        if s < start or e > end or s < cursor:
            continue
        html_parts.append(escape(text[cursor:s]))
        html_parts.append(f"<mark>{escape(text[s:e])}</mark>")
        offsets.append((s - start + len(lead), e - start + len(lead)))
        cursor = e
    html_parts.append(escape(text[cursor:end]))
    html_parts.append(tail)
    return lead + body + tail, tuple(offsets), "".join(html_parts)
