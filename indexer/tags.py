"""TAGS codes and what they mean.

Every cable is filed under TAGS ("Traffic Analysis by Geography and Subject"): subject codes
(``PREL`` Political Relations), two-letter country codes (``TH`` Thailand, mostly FIPS 10-4),
program codes (``KTIP`` Trafficking in Persons), organizations (``NATO``) and people
(``OVIP (STEINBERG, JAMES B.)``). The code -> meaning table is data, in
``indexer/data/tags.tsv`` (its sources and how to extend it: ``indexer/data/README.md``).

Everything here is pure except :func:`load_table`, which reads the packaged table once.
Unknown codes have no meaning (``None``) and are shown as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

from nltk.stem.snowball import SnowballStemmer

__all__ = [
    "KINDS",
    "TagInfo",
    "codes_for_words",
    "load_table",
    "parse_table",
    "person_name",
    "tag_kind",
    "tag_meaning",
    "tags_text",
]

#: The kinds of tag, in the order a cable page groups them. ``unknown`` is never in the table.
KINDS = ("subject", "geo", "program", "person", "org", "unknown")

# A person tag: an optional code, then "LAST, FIRST" with or without parentheses, e.g.
# "OVIP (STEINBERG, JAMES B.)", "OVIP(CLINTON, HILLARY)" or "STEINBERG, JAMES B.".
_PERSON = re.compile(
    r"""^(?:(?P<code>[A-Z]{2,6})(?=[\s(])\s*)?   # OVIP, optional
        \(?\s*(?P<last>[A-Z][A-Z'.\- ]*?)\s*,\s*(?P<first>[A-Z][A-Z'.\- ]*?)\s*\)?$""",
    re.X,
)
# Words that carry no meaning of their own in a tag meaning or a query for one.
_FILLER = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "u", "s"})
_WORD = re.compile(r"[a-z0-9]+")
_STEM = SnowballStemmer("english").stem


@dataclass(frozen=True)
class TagInfo:
    """One row of the table.

    :param code: the tag as written in cables, upper case (``PREL``).
    :param kind: one of :data:`KINDS` except ``unknown``.
    :param meaning: what it stands for (``Political Relations``).
    """

    code: str
    kind: str
    meaning: str


def parse_table(text: str) -> dict[str, TagInfo]:
    """Parse the TSV table: ``CODE<TAB>KIND<TAB>MEANING`` lines, ``#`` comments, blank lines.

    :raises ValueError: on a malformed line, an unknown kind or a duplicate code, naming the
        line, so a bad edit to the table fails loudly in the tests instead of silently.
    """
    table: dict[str, TagInfo] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in raw.split("\t")]
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"tags table line {lineno}: expected CODE<TAB>KIND<TAB>MEANING: {raw!r}")
        code, kind, meaning = parts
        if kind not in KINDS or kind == "unknown":
            raise ValueError(f"tags table line {lineno}: unknown kind {kind!r} for {code}")
        code = code.upper()
        if code in table:
            raise ValueError(f"tags table line {lineno}: duplicate code {code}")
        table[code] = TagInfo(code, kind, meaning)
    return table


@lru_cache(maxsize=1)
def load_table() -> dict[str, TagInfo]:
    """The packaged table, read once per process."""
    text = resources.files("indexer").joinpath("data/tags.tsv").read_text(encoding="utf-8")
    return parse_table(text)


def _normalize(code: str) -> str:
    return " ".join(code.upper().split())


def person_name(tag: str) -> str | None:
    """The person a person tag names, in reading order: ``"James B. Steinberg"``.

    ``None`` when the tag is not of the form ``[CODE] (LAST, FIRST)``.
    """
    m = _PERSON.match(_normalize(tag))
    if not m:
        return None
    first, last = m.group("first"), m.group("last")
    return " ".join(_title(w) for w in f"{first} {last}".split())


def _title(word: str) -> str:
    # "O'NEIL" -> "O'Neil", "AL-SADR" -> "Al-Sadr", "B." -> "B."
    return re.sub(r"[A-Za-z]+", lambda m: m.group(0).capitalize(), word)


def tag_meaning(code: str) -> str | None:
    """What a tag stands for, or ``None`` when it is not in the table.

    >>> tag_meaning("PREL"), tag_meaning("th"), tag_meaning("ZZZZ")
    ('Political Relations', 'Thailand', None)
    >>> tag_meaning("OVIP (STEINBERG, JAMES B.)")
    'Visits and Travel of Prominent Individuals: James B. Steinberg'
    """
    norm = _normalize(code)
    name = person_name(norm)
    if name is not None:
        m = _PERSON.match(norm)
        info = load_table().get(m.group("code") or "")
        return f"{info.meaning}: {name}" if info else name
    info = load_table().get(norm)
    return info.meaning if info else None


def tag_kind(code: str) -> str:
    """``subject``, ``geo``, ``program``, ``person``, ``org`` or ``unknown``.

    A tag with a comma-separated name in it is a person, whatever code precedes the name.
    """
    norm = _normalize(code)
    if person_name(norm) is not None:
        return "person"
    info = load_table().get(norm)
    return info.kind if info else "unknown"


def tags_text(tags: Iterable[str]) -> str:
    """The meanings of the known tags, in order, each once, joined by spaces, for indexing.

    >>> tags_text(["PREL", "TH", "XXXX", "PREL"])
    'Political Relations Thailand'
    """
    out: list[str] = []
    for tag in tags:
        meaning = tag_meaning(tag)
        if meaning and meaning not in out:
            out.append(meaning)
    return " ".join(out)


def _stems(text: str) -> tuple[str, ...]:
    words = _WORD.findall(text.lower().replace("'s", ""))
    return tuple(_STEM(w) for w in words if w not in _FILLER)


@lru_cache(maxsize=1)
def _meaning_stems() -> tuple[tuple[str, frozenset[str], int], ...]:
    return tuple(
        (info.code, frozenset(_stems(info.meaning)), len(_stems(info.meaning)))
        for info in load_table().values()
    )


def codes_for_words(words: str) -> list[str]:
    """The codes whose meaning contains all of ``words`` (stemmed, filler words ignored).

    Codes whose meaning is exactly those words come first, then by how few other words the
    meaning has, then alphabetically, so ``"korea"`` gives ``["KN", "KS"]`` and
    ``"political relations"`` gives ``["PREL"]``. Empty when nothing (or only filler) matches.
    """
    wanted = frozenset(_stems(words))
    if not wanted:
        return []
    found = [
        (size - len(wanted), code)
        for code, stems, size in _meaning_stems()
        if wanted <= stems
    ]
    return [code for _, code in sorted(found)]
