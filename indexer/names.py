"""Name-variant keys: find QADHAFI when the user types Gaddafi.

Names in the cables are transliterated from Arabic, Persian, Russian and other scripts, and
the same person is spelled many ways (QADHAFI, Qaddafi, Gaddafi, Kadafi; AHMADINEJAD,
Ahmedinejad, Ahmadinezhad). Matching them takes two steps:

1. **A phonetic key** (:func:`name_key`): a consonant skeleton tuned for transliterations.
   Letters that transliterate the same sound fall into one class (``q k g gh kh c`` -> ``k``,
   ``t d th dh`` -> ``t``, ``f v w ph`` -> ``f``, ``s z ts tz`` -> ``s``, ``sh ch sch tch``
   -> ``x``, ``j zh dj dzh`` -> ``j``), doubled letters collapse, vowels and an inner ``h``
   drop, and a leading vowel leaves an ``a``. Gaddafi, Qadhafi and Kadafi all key ``ktf``.
2. **A spelling check** (:func:`is_variant`): words that share a key must also be close
   once equivalent letters are unified: NLTK's edit distance between their skeletons (all
   vowels alike) and a Levenshtein distance between their transliterations in which one
   vowel for another costs a half, both bounded by the length of the shorter word. So
   Karzai (``krs``) does not pull in Garcia (``krs``), nor Hussein (``hsn``) Hassan.

On the query side a leading ``Ch`` is also read as Kh and a leading ``J`` as Y
(:func:`readings`), for German and other European spellings (Chatami, Jelzin).

Only name-like words get keys (:func:`is_name_like`): capitalized (in the cables names are
often ALL CAPS), at least four letters, and not a common English word. The common words are
a list generated from the lower-case vocabulary of the cables
(``indexer/data/common_words.txt``; ``python -m bench.eval_names --write-common-words``), so
"Relations" or "Nuclear" are never blurred.

How the index and the query layer use this
-------------------------------------------

Index side, :func:`name_keys` turns a cable's text into terms for the ``names`` field: for
every distinct name-like word, its bare key (``ktf``) and the key joined to the folded word
(``ktf_qadhafi``). Query side, for one query word::

    for key in query_name_keys("Gaddafi"):                 # ["ktf"]; [] for ordinary words
        terms = reader.expand_prefix("names", key + "_")   # every spelling indexed under it
        accepted = name_variants("Gaddafi", terms)         # ["ktf_qadhafi", ...], closest first

then search ``names`` for the accepted terms, below the exact word, so exact matches always
rank first. Searching the bare key instead skips the spelling check: more recall, less
precision. ``python -m bench.eval_names`` measures both.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Iterable

from nltk.metrics.distance import edit_distance

__all__ = [
    "KEY_SEPARATOR",
    "fold",
    "is_name_like",
    "is_variant",
    "load_common_words",
    "name_key",
    "name_keys",
    "name_variants",
    "query_name_keys",
    "readings",
    "skeleton",
    "transliteration",
    "vowel_weighted_distance",
]

#: Joins a key to the folded word in the ``names`` field's terms: ``ktf_qadhafi``. It is a
#: word character, so even a plain word tokenizer keeps such a term whole.
KEY_SEPARATOR = "_"

#: Words shorter than this get no key: their skeletons are too short to tell names apart.
MIN_WORD = 4
#: Keys shorter than this are not used: "Bush" (``bx``) would match half the names.
MIN_KEY = 3

# Multi-letter spellings first (longest match wins), then single letters. Consonant classes
# are upper-case letters, vowels stay lower case ("ou", "oo" -> u and "ee" -> i, as French
# and English spellings write them); vowels and an inner "H" drop from keys.
_DIGRAPHS = (
    ("shch", "X"), ("tsch", "X"), ("dsch", "J"),
    ("sch", "X"), ("tch", "X"), ("dzh", "J"),
    ("kh", "K"), ("gh", "K"), ("ck", "K"), ("ch", "X"), ("sh", "X"), ("zh", "J"),
    ("dj", "J"), ("ph", "F"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("th", "T"), ("dh", "T"), ("ts", "S"), ("tz", "S"),
)
_SINGLE = {
    **{v: v for v in "aeiou"},
    "y": "i",
    **dict.fromkeys("qkg", "K"),
    **dict.fromkeys("td", "T"),
    **dict.fromkeys("fvw", "F"),
    **dict.fromkeys("sz", "S"),
    "b": "B", "p": "P", "j": "J", "m": "M", "n": "N", "l": "L", "r": "R", "h": "H", "x": "KS",
}
_VOWELS = frozenset("aeiou")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
# A word that starts with a capital (Latin-1 capitals included: Élysée) at a word boundary
# ("08BAGHDAD" is a refid, not a name). The capital comes first and the boundary is checked
# behind it ("no word character before the capital"): a pattern that starts with a
# character class lets the regex engine skip to the next capital in C, which makes this
# findall 40% faster than with a leading \b (and \b was twice as fast as a look-behind
# in front).
_CAPITALIZED = re.compile(r"[A-ZÀ-ÖØ-Þ](?<!\w.)[^\W\d_]*(?:['’][^\W\d_]+)*")


def fold(word: str) -> str:
    """Lower case, accents and apostrophes removed, letters only: ``Chávez`` -> ``chavez``.

    A trailing possessive goes first: ``QADHAFI'S`` -> ``qadhafi``.
    """
    word = re.sub(r"['’][sS]$", "", word)
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if "a" <= c.lower() <= "z").lower()


def _collapse(symbols) -> list[str]:
    out: list[str] = []
    for c in symbols:
        if not out or out[-1] != c:
            out.append(c)
    return out


def _classes(folded: str) -> list[str]:
    """The sounds of a folded word: consonant classes (upper case) and vowels (lower case,
    ``y`` as ``i``), runs of one symbol collapsed."""
    out: list[str] = []
    i = 0
    while i < len(folded):
        for spelling, cls in _DIGRAPHS:
            if folded.startswith(spelling, i):
                i += len(spelling)
                break
        else:
            ch = folded[i]
            if ch == "c":  # soft before e, i, y (Garcia, Cecil); hard otherwise (Carlos)
                cls = "S" if folded[i + 1 : i + 2] in ("e", "i", "y") else "K"
            else:
                cls = _SINGLE.get(ch, "")
            i += 1
        out.extend(cls)
    return _collapse(out)


def name_key(word: str) -> str:
    """The phonetic key of one word, whatever it is: ``Qadhafi`` -> ``ktf``.

    >>> name_key("QADHAFI"), name_key("Gaddafi"), name_key("Ahmedinejad")
    ('ktf', 'ktf', 'amtnjt')
    """
    classes = _classes(fold(word))
    if not classes:
        return ""
    head = classes[0]
    first = "a" if head in _VOWELS else head.lower()
    rest = "".join(c.lower() for c in classes[1:] if c not in _VOWELS and c != "H")
    return first + rest


def transliteration(word: str) -> str:
    """The word with equivalent spellings unified but vowels kept: ``Khadafy``, ``Qadhafi``
    and ``Gaddafi`` -> ``katafi``; ``Karzai`` -> ``karsai`` but ``Garcia`` -> ``karsia``."""
    classes = [c for i, c in enumerate(_classes(fold(word))) if c != "H" or i == 0]
    return "".join(_collapse(c.lower() for c in classes))


def skeleton(word: str) -> str:
    """:func:`transliteration` with every vowel as ``a``: ``Mohammed``/``Mehmet`` -> ``mamat``.

    It compares spellings while ignoring vowel quality.
    """
    return "".join(_collapse("a" if c in _VOWELS else c for c in transliteration(word)))


@lru_cache(maxsize=1)
def load_common_words() -> frozenset[str]:
    """The packaged common-word list (folded words, one a line), read once."""
    path = resources.files("indexer").joinpath("data/common_words.txt")
    text = path.read_text(encoding="utf-8")
    return frozenset(w for w in (line.strip() for line in text.splitlines()) if w and not w.startswith("#"))


@lru_cache(maxsize=262144)
def _keyable(word: str) -> tuple[str, str] | None:
    """(key, folded word) for a word that may have a key (long, not common), else ``None``.

    Cached: cable vocabulary is small next to its running text (the same cache idea as the
    analyzer's stemmer), which makes :func:`name_keys` about ten times faster.
    """
    folded = fold(word)
    if len(folded) < MIN_WORD or folded in load_common_words():
        return None
    key = name_key(folded)
    return (key, folded) if len(key) >= MIN_KEY else None


def is_name_like(word: str) -> bool:
    """Capitalized (``Qadhafi`` or ``QADHAFI``), long enough, not a common word."""
    return bool(word) and word[0].isupper() and _keyable(word) is not None


def name_keys(text: str) -> list[str]:
    """Terms for the ``names`` field: for each distinct name-like word of ``text``, in order
    of first appearance, its key and ``key_word``.

    >>> name_keys("The leader QADHAFI met Qadhafi's son")
    ['ktf', 'ktf_qadhafi']
    """
    out: dict[str, None] = {}
    for word in _CAPITALIZED.findall(text):
        keyed = _keyable(word)
        if keyed is None:
            continue
        key, folded = keyed
        out.setdefault(key, None)
        out.setdefault(f"{key}{KEY_SEPARATOR}{folded}", None)
    return list(out)


def readings(word: str) -> list[str]:
    """The folded word and the other ways a reader may have meant its first letters: German
    and other European spellings write Kh as ``Ch`` (Chatami, Chodorkowski) and Y as ``J``
    (Jelzin, Janukowitsch). Query side only; the index keeps one key per spelling.

    >>> readings("Chatami"), readings("Jelzin"), readings("Qadhafi")
    (['chatami', 'khatami'], ['jelzin', 'yelzin'], ['qadhafi'])
    """
    folded = fold(word)
    out = [folded]
    if folded.startswith("ch"):
        out.append("kh" + folded[2:])
    if folded.startswith("j"):
        out.append("y" + folded[1:])
    return out


def query_name_keys(word: str) -> list[str]:
    """The keys to look a query word up under; ``[]`` for ordinary or too-short words.

    Case does not matter on the query side: users type ``gaddafi``. A word starting with
    ``Ch`` or ``J`` has a second key (see :func:`readings`).

    >>> query_name_keys("Gaddafi"), query_name_keys("relations"), query_name_keys("Bush")
    (['ktf'], [], [])
    >>> query_name_keys("Chatami")
    ['xtm', 'ktm']
    """
    if not _WORD.fullmatch(word.strip()) or _keyable(word.strip()) is None:
        return []
    keys = (name_key(r) for r in readings(word.strip()))
    return [k for k in dict.fromkeys(keys) if len(k) >= MIN_KEY]


def _allowed(length: int) -> tuple[int, float]:
    """How far apart (skeleton, weighted transliteration) two words may be, by the length of
    the shorter: one vowel in words of up to six letters, two vowels or one letter in words
    of up to nine, twice that beyond."""
    if length <= 6:
        return 0, 0.5
    if length <= 9:
        return 1, 1.0
    return 2, 2.0


def vowel_weighted_distance(a: str, b: str) -> float:
    """Levenshtein distance in which swapping one vowel for another costs a half: vowels are
    what transliterations disagree on most (Muhammad, Mohammed) and names least."""
    prev = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, start=1):
        cur = [float(i)] + [0.0] * len(b)
        for j, cb in enumerate(b, start=1):
            if ca == cb:
                sub = 0.0
            elif ca in _VOWELS and cb in _VOWELS:
                sub = 0.5
            else:
                sub = 1.0
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + sub)
        prev = cur
    return prev[-1]


def is_variant(a: str, b: str) -> bool:
    """Whether two words plausibly spell the same name: the same key, and close once
    equivalent spellings are unified (:func:`transliteration`, :func:`skeleton`).

    >>> is_variant("Khadafy", "QADHAFI"), is_variant("Karzai", "Garcia")
    (True, False)
    """
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return False
    if fa == fb:
        return True
    if name_key(fa) != name_key(fb):
        return False
    sk_max, tr_max = _allowed(min(len(fa), len(fb)))
    return (
        edit_distance(skeleton(fa), skeleton(fb)) <= sk_max
        and vowel_weighted_distance(transliteration(fa), transliteration(fb)) <= tr_max
    )


def name_variants(word: str, terms: Iterable[str]) -> list[str]:
    """The ``names`` terms (``key_word``) whose word is a variant of ``word``, closest first.

    Terms without a separator (bare keys) and terms under other keys are skipped. Each of
    the word's :func:`readings` is tried under its own key.
    """
    folded = fold(word)
    mine = {name_key(r): r for r in reversed(readings(folded))}  # the word itself wins a tie
    scored = []
    for term in terms:
        tkey, sep, tword = term.partition(KEY_SEPARATOR)
        reading = mine.get(tkey) if sep else None
        if reading is None or not is_variant(reading, tword):
            continue
        closeness = vowel_weighted_distance(transliteration(reading), transliteration(tword))
        scored.append((closeness, edit_distance(folded, tword), tword, term))
    return [term for *_, term in sorted(scored)]
