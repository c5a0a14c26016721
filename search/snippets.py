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
from typing import Callable, Iterable

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
    spans: dict[tuple[int, int], str] = {}
    # Each distinct word is analyzed once (cached), and for the same terms (a results
    # page's hits) each word is looked at once: the words of a paragraph are checked
    # against the ones seen before with set operations, in C. The matching ones are
    # then found with one regular expression.
    misses, matches = _seen(analyzer, wanted)
    words = set(_PIECES[0].findall(text))
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
        alternatives = "|".join(re.escape(w) for w in sorted(hit_words, key=len, reverse=True))
        for m in re.finditer(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", text):
            spans.setdefault((m.start(), m.end()), hit_words[m.group()])
    for k, rx in ((1, _PIECES[1]), (2, _PIECES[2])):
        if not (_JOINERS if k == 1 else _DOTS).search(text):
            continue
        for m in rx.finditer(text):
            hit = _terms_of(analyzer, m.group()) & wanted
            if hit and k == 1:  # a compound: only its joined form, its parts mark alone
                for part in _PIECES[0].findall(m.group()):
                    hit -= _terms_of(analyzer, part)
            if hit:
                spans.setdefault((m.start(), m.end()), min(hit))
    return [(s, e, t) for (s, e), t in sorted(spans.items())]


#: What the analyzer treats as one unit: a word (or number, or id), a compound joined
#: by ``- / + &`` (its joined form is a term too), a dotted abbreviation (``U.S.``).
_PIECES = (
    re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*"),
    # Possessive quantifiers: no backtracking inside words (this runs over whole bodies).
    re.compile(r"(?<![^\W_])[^\W_]++(?:[-/+&][^\W_]++)+"),
    re.compile(r"(?<![^\W_])(?:[^\W\d_]\.){2,}+"),
)


_JOINERS = re.compile(r"[^\W_][-/+&][^\W_]")
_DOTS = re.compile(r"[^\W\d_]\.[^\W\d_]\.")
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
