"""The one analyzer: how cable text becomes index terms, at index time and at query time.

:data:`ANALYZER` is ``CableTokenizer() | CableStemFilter()``. Every text field of the
schema uses it and the query parser is built from the schema, so indexing and searching
can never disagree about what a word is.

.. warning::
   Whoosh pickles analyzers into the index. The classes here are found again by their
   import path, ``indexer.analysis.CableTokenizer`` and ``indexer.analysis.CableStemFilter``:
   moving or renaming them (or changing what they emit) makes existing indexes
   unreadable or silently wrong. Change them only together with
   :data:`indexer.schema.SCHEMA_VERSION`, which makes old indexes ask for
   ``cables index --rebuild``.

What a cable's text becomes (``[t.text for t in ANALYZER(text)]``, index mode):

* Words are lower-cased, accents folded (``Café`` -> ``cafe``), curly apostrophes
  straightened and a possessive ``'s`` dropped. No stop words are removed: "US",
  "may" and "will" matter in cables, and removing words would shift positions.
* A word gives its Snowball stem (``trafficking`` -> ``traffick``) and, when the stem
  differs from the word, its exact form behind :data:`EXACT_PREFIX` at the same
  position (``=trafficking``). Stemmed queries use the first, exact queries (``=word``,
  ``="a phrase"``) the second; both are phrases in their own right because they share
  positions. A word that is its own stem (``nuclear``, ``the``) has no twin: its
  exact occurrences are the stem's positions less those of the other words with that
  stem (``run`` = ``run`` less ``=running``, ``=runs``), which the query side works
  out; this leaves out about a quarter of the body's postings. Terms containing
  digits are never stemmed, so they have no ``=`` twin either: the plain term is
  already exact (see :func:`exact_terms`).
* Dotted abbreviations lose their dots: ``U.S.`` -> ``us`` (so ``US``, ``u.s.`` and
  ``U.S.`` meet), ``E.O. 12958`` -> ``eo``, ``12958``.
* Numbers lose leading zeros and thousands commas: ``008797`` -> ``8797``.
* A compound joined by ``-``, ``/``, ``+`` or ``&`` gives each part *and* the joined
  form, all at one position: ``anti-trafficking`` -> ``anti``, ``traffick``,
  ``antitraffick`` (plus exact twins), so ``anti-trafficking``, ``antitrafficking`` and
  ``trafficking`` all find it, and ``G/TIP`` is found by ``gtip``. In query mode a
  compound gives only its joined form, which keeps phrases such as
  ``"anti-trafficking activities"`` exact. All-numeric compounds (``22-24``,
  ``10/29/2018``) are just consecutive numbers.
* A reference id stays one term and also gives its parts on consecutive positions:
  ``06BANGKOK3955`` -> ``06bangkok3955`` and ``06`` at position p, ``bangkok`` at p+1,
  ``3955`` at p+2, so the phrase "BANGKOK 3955" (or "BANGKOK 003955") finds it. In
  query mode it gives only the whole id.
* Positions are never renumbered, so "office head" does not match "office of the head";
  ``startchar``/``endchar`` always point at the original text for highlighting.

The Snowball stemmer runs through :func:`stem`, a module-level ``lru_cache``: cable
vocabulary is small, so the cache makes stemming almost free (about 1.36M tokens/s
against 0.21M uncached). The cache must not live on the filter instance, which is
pickled into the index.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nltk.stem.snowball import SnowballStemmer
from whoosh.analysis import Filter, Token, Tokenizer

__all__ = [
    "ANALYZER",
    "EXACT_PREFIX",
    "CableStemFilter",
    "CableTokenizer",
    "cable_analyzer",
    "exact_terms",
    "fold",
    "body_positions",
    "index_positions",
    "split_match",
    "stem",
]

#: Marks the unstemmed twin of a word in the index: ``=trafficking``.
EXACT_PREFIX = "="

_STEMMER = SnowballStemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball (English) stem of a lower-case word, cached for the whole process."""
    return _STEMMER.stem(word)


def fold(text: str) -> str:
    """Lower-case ``text``, fold accents and straighten apostrophes (``Café’s`` -> ``cafe's``)."""
    text = text.lower()
    if text.isascii():
        return text
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# One compound: units joined by -, /, + or &. A unit is a dotted abbreviation (U.S.),
# a number with inner separators (1,000 / 1.4) or a word (with inner apostrophes).
_ABBR = r"[^\W\d_](?:\.[^\W\d_])+\.?"
_NUM = r"\d+(?:[.,]\d+)*(?![^\W_])"
_WORD = r"[^\W_]+(?:['\u2019][^\W_]+)*"
_UNIT = rf"(?:{_ABBR}|{_NUM}|{_WORD})"
# The first unit again, with its first character (a letter or digit in every branch) taken
# out in front and each branch's class checked behind it: the same matches, but a pattern
# that starts with a character class lets the regex engine skip to the next letter or
# digit in C instead of trying the pattern at every space and punctuation mark (findall
# on cable bodies about 20% faster).
_FIRST_UNIT = (
    r"[^\W_](?:(?<=[^\W\d_])(?:\.[^\W\d_])+\.?"  # _ABBR
    r"|(?<=\d)\d*(?:[.,]\d+)*(?![^\W_])"  # _NUM
    r"|[^\W_]*(?:['\u2019][^\W_]+)*)"  # _WORD
)
_COMPOUND_RE = re.compile(rf"{_FIRST_UNIT}(?:[-/+&]{_UNIT})*")
_UNIT_RE = re.compile(_UNIT)
_ABBR_RE = re.compile(rf"{_ABBR}$")
_NUM_RE = re.compile(r"\d+(?:[.,]\d+)*$")
_REFID_RE = re.compile(r"(\d\d)([a-z]{2,})(\d+)$")
_POSSESSIVE = ("'s", "\u2019s")


def _norm_unit(raw: str) -> tuple[str, str]:
    """Normalize one unit; returns ``(kind, text)`` with kind ``word``, ``num`` or ``refid``."""
    if _NUM_RE.match(raw):
        whole, _, frac = raw.replace(",", "").partition(".")
        whole = whole.lstrip("0") or "0"
        return "num", f"{whole}.{frac}" if frac else whole
    if "." in raw and _ABBR_RE.match(raw):
        return "word", fold(raw.replace(".", ""))
    text = fold(raw)
    if text.endswith(_POSSESSIVE) and len(text) > 2:
        text = text[:-2]
    if text[:2].isdigit():
        m = _REFID_RE.match(text)
        if m:
            year, station, serial = m.groups()
            return "refid", f"{year}{station}{serial.lstrip('0') or '0'}"
    return "word", text


#: One emitted term of a raw match: (text, start, end, position offset), offsets relative.
_Piece = tuple[str, int, int, int]


@lru_cache(maxsize=500_000)
def split_match(raw: str, query: bool) -> tuple[tuple[_Piece, ...], int]:
    """What one regex match of the tokenizer emits, and how many positions it takes.

    Pure and cached (cable vocabulary is small), so tokenizing is mostly dict lookups.
    The rules are in the module docstring.
    """
    if raw.isalpha():  # the common case: a plain word
        return ((fold(raw), 0, len(raw), 0),), 1
    if not any(c in raw for c in "-/+&"):
        kind, text = _norm_unit(raw)
        if kind == "refid" and not query:
            year, station, serial = _REFID_RE.match(text).groups()
            n = len(raw)
            return ((text, 0, n, 0), (year, 0, n, 0), (station, 0, n, 1), (serial, 0, n, 2)), 3
        return ((text, 0, len(raw), 0),), 1
    units = [(_norm_unit(u.group()), u.start(), u.end()) for u in _UNIT_RE.finditer(raw)]
    if all(kind == "num" for (kind, _), _, _ in units):
        # 22-24, 10/29/2018: separate numbers, not a compound word.
        return tuple((text, s, e, i) for i, ((_, text), s, e) in enumerate(units)), len(units)
    joined = "".join(text for (_, text), _, _ in units)
    if query:
        return ((joined, 0, len(raw), 0),), 1
    return tuple((text, s, e, 0) for (_, text), s, e in units) + ((joined, 0, len(raw), 0),), 1


def _has_digit(text: str) -> bool:
    return not text.isalpha() and any(c.isdigit() for c in text)


class CableTokenizer(Tokenizer):
    """Splits cable text into words, numbers, abbreviations, compounds and reference ids.

    Lower-cases and folds accents itself (one pass instead of a filter chain). Extra
    keyword arguments become token attributes; ``exact=True`` asks
    :class:`CableStemFilter` for exact (unstemmed) query terms.
    """

    def __eq__(self, other):
        return other is not None and other.__class__ is self.__class__

    def __call__(  # noqa: PLR0913 -- Whoosh's tokenizer protocol
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # Whoosh asks for the whole value as one term (e.g. for some query types).
            t.original = t.text = fold(value)
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return

        query = mode == "query"
        pos = start_pos
        for m in _COMPOUND_RE.finditer(value):
            raw = m.group()
            pieces, width = split_match(raw, query)
            base = start_char + m.start()
            for text, s, e, offset in pieces:
                t.text = text
                t.boost = 1.0
                if keeporiginal:
                    t.original = raw
                if positions:
                    t.pos = pos + offset
                if chars:
                    t.startchar = base + s
                    t.endchar = base + e
                yield t
            pos += width


class CableStemFilter(Filter):
    """Snowball-stems words and, at index time, adds each word's exact twin (``=word``).

    ``is_morph`` is set so Whoosh can skip this filter (``no_morph=True``) when it
    wants plain words, e.g. for spelling suggestions; without it they silently return
    nothing. Query mode emits only the stem, or only the exact term when the analyzer is
    called with ``exact=True``.
    """

    is_morph = True

    def __eq__(self, other):
        return other is not None and other.__class__ is self.__class__

    def __call__(self, tokens):
        prefix = EXACT_PREFIX
        for t in tokens:
            text = t.text
            if _has_digit(text):
                # Numbers and ids are never stemmed: the plain term is the exact one.
                yield t
                continue
            if t.mode == "query":
                t.text = prefix + text if getattr(t, "exact", False) else stem(text)
                yield t
                continue
            stemmed = t.text = stem(text)
            yield t
            if stemmed != text:
                t.text = prefix + text
                yield t


def _match_terms(raw: str, twins: bool) -> tuple[tuple[tuple[str, int], ...], int]:
    # The index-mode output of the analyzer for one regex match: (term, offset) pairs.
    pieces, width = split_match(raw, False)
    out = []
    for text, _s, _e, offset in pieces:
        if _has_digit(text):
            out.append((text, offset))
            continue
        stemmed = stem(text)
        out.append((stemmed, offset))
        if twins and stemmed != text:
            out.append((EXACT_PREFIX + text, offset))
    return tuple(out), width


#: Whitespace-separated chunk of text -> its :func:`_entry`, one cache per value of
#: ``twins``. Plain dicts, not ``lru_cache``: a dict lookup by the one string costs about
#: half an ``lru_cache`` call with two arguments, and it runs once per word of every text.
_ENTRIES: dict[bool, dict[str, object]] = {True: {}, False: {}}
#: Entries kept per cache; a full cache is emptied (the vocabulary refills it quickly:
#: 2,000 cable bodies have about 85,000 distinct chunks in 2 million).
_ENTRIES_MAX = 500_000


def _entry(chunk: str, twins: bool):
    # What _add_positions files for one whitespace-separated chunk of text, in the
    # cheapest form to file, cached: a str for one term at the chunk's position (2/3 of
    # all words), a 2-tuple for two terms there (a word and its exact twin), else a list
    # [((term, offset), ...), width] (compounds, reference ids, number ranges, several
    # words glued by punctuation, or none: "--").
    terms: list[tuple[str, int]] = []
    width = 0
    for raw in _COMPOUND_RE.findall(chunk):
        raw_terms, raw_width = _match_terms(raw, twins)
        terms.extend((term, width + offset) for term, offset in raw_terms)
        width += raw_width
    entry: object
    if width == 1 and len(terms) <= 2 and all(offset == 0 for _, offset in terms):
        entry = terms[0][0] if len(terms) == 1 else (terms[0][0], terms[1][0])
    else:
        entry = [tuple(terms), width]
    cache = _ENTRIES[twins]
    if len(cache) >= _ENTRIES_MAX:
        cache.clear()
    cache[chunk] = entry
    return entry


def _add_positions(poses: dict[str, list[int]], chunks: list[str], pos: int, twins: bool) -> int:
    # The inner loop of index_positions / body_positions over a text's chunks (its
    # str.split()); returns the next position. It runs once per word of every cable, so
    # the common entries (see _entry) are filed without a loop over their terms.
    get = poses.get
    cached = _ENTRIES[twins].get
    for chunk in chunks:
        entry = cached(chunk)
        if entry is None:
            entry = _entry(chunk, twins)
        kind = entry.__class__
        if kind is str:
            found = get(entry)
            if found is None:
                poses[entry] = [pos]
            else:
                found.append(pos)
        elif kind is tuple:
            term, twin = entry
            found = get(term)
            if found is None:
                poses[term] = [pos]
            else:
                found.append(pos)
            found = get(twin)
            if found is None:
                poses[twin] = [pos]
            else:
                found.append(pos)
        else:
            terms, width = entry
            for term, offset in terms:
                found = get(term)
                if found is None:
                    poses[term] = [pos + offset]
                else:
                    found.append(pos + offset)
            pos += width - 1
        pos += 1
    return pos


def index_positions(value: str, twins: bool = True) -> dict[str, list[int]]:
    """Term -> positions of ``value``, exactly as :data:`ANALYZER` indexes it.

    The writer's fast path (2-4x quicker than Whoosh's ``Positions.word_values`` over
    the analyzer's Token stream, measured on the bodies of 200 synthetic cables):
    the same :func:`split_match` and :func:`stem`, without the generator chain. The
    test suite checks that it agrees with the analyzer.

    The text is cut at whitespace first (``str.split``, four times faster than the
    tokenizer's regex) and each chunk's terms are looked up in a cache. That gives the
    tokenizer's matches exactly: no match contains whitespace, and wherever the regex
    looks past the end of a match, whitespace stops it just as the end of a text does.

    :param twins: include the ``=word`` exact twins.
    """
    poses: dict[str, list[int]] = {}
    _add_positions(poses, value.split(), 0, twins)
    return poses


def body_positions(
    body: str, spans: list[tuple[int, int]]
) -> tuple[dict[str, list[int]], list[tuple[int, int]]]:
    """:func:`index_positions` of ``body``, and the positions each character span covers.

    ``spans`` are ``(start, end)`` character offsets into ``body`` (a cable's
    paragraphs), in order and not overlapping. The body is tokenized piece by piece
    at the span edges, which gives the same terms as tokenizing it whole as long as
    no edge cuts a word (paragraph texts are found in the body as whole lines).

    :returns: ``(term -> positions, [(first position, end position) per span])``.
    """
    poses: dict[str, list[int]] = {}
    ranges: list[tuple[int, int]] = []
    pos = 0
    at = 0
    for start, end in spans:
        if start > at:
            pos = _add_positions(poses, body[at:start].split(), pos, True)
        first = pos
        pos = _add_positions(poses, body[start:end].split(), pos, True)
        ranges.append((first, pos))
        at = end
    if at < len(body):
        _add_positions(poses, body[at:].split(), pos, True)
    return poses, ranges


def cable_analyzer():
    """A new instance of the one analyzer (equal to :data:`ANALYZER`)."""
    return CableTokenizer() | CableStemFilter()


#: The analyzer of every text field, at index and query time.
ANALYZER = cable_analyzer()


def exact_terms(text: str) -> list[str]:
    """The index terms that match ``text`` exactly (unstemmed), in order.

    ``exact_terms("Trafficking victims")`` -> ``["=trafficking", "=victims"]``;
    ``exact_terms("BANGKOK 003955")`` -> ``["=bangkok", "3955"]``.
    """
    return [t.text for t in ANALYZER(text, mode="query", exact=True)]
