"""The query language: a user's string -> a small syntax tree, leniently. Pure.

Nothing here knows Whoosh or the index; :mod:`search.compile` turns the tree into a
Whoosh query against the open index's schema. The parser never raises on bad syntax:
an unmatched parenthesis, a dangling ``OR``, an unknown ``field:`` or an unreadable date
is repaired or dropped, and a sentence saying so goes into :attr:`ParsedQuery.notes`.
The full language is documented in ``docs/query-syntax.md``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from typing import Callable, Union

from .dates import Period, parse_period, parse_range, period_from_words
from .normalize import normalize_query

__all__ = [
    "FIELDS",
    "Word",
    "Phrase",
    "Dates",
    "And",
    "Or",
    "Not",
    "Node",
    "RefidHint",
    "ParsedQuery",
    "parse_query",
]

#: What users may type before a colon -> the field it means. The targets are the names
#: the rest of the query layer uses (see :mod:`search.compile` for the index fields).
FIELDS: dict[str, str] = {
    "origin": "origin", "from": "origin", "post": "origin", "embassy": "origin",
    "tag": "tags", "tags": "tags",
    "classification": "classification", "class": "classification",
    "caveat": "caveats", "caveats": "caveats", "handling": "caveats",
    "subject": "subject", "subj": "subject", "title": "subject",
    "refid": "refid", "id": "refid",
    "refs": "references", "ref": "references", "references": "references", "cites": "references",
    "citedby": "cited_by", "cited_by": "cited_by", "cited": "cited_by",
    "signer": "signers", "signers": "signers", "signed": "signers", "signedby": "signers",
    "to": "to", "recipient": "to", "recipients": "to",
    "info": "info", "cc": "info",
    "marking": "marking", "portion": "marking",
    "date": "date", "year": "date", "created": "date", "when": "date",
    "body": "body", "text": "body",
}

#: The field names shown to users when they mistype one.
FIELD_NAMES = (
    "origin", "from", "tag", "classification", "caveat", "subject", "refid", "refs",
    "citedby", "signer", "to", "info", "marking", "date", "body",
)

_REFID = re.compile(r"^(\d{2})([A-Za-z]{2,}?)(\d{1,6})$")
_OPS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "&&": "AND", "||": "OR"}
_RANGE_WORDS = {"to", "through", "thru", "till", "until", "-", "and"}
_OPEN_START = {"since", "after", "from"}
_OPEN_END = {"before", "until", "till"}
_EDGE_PUNCT = ".,;:!?'`()[]{}<>|/\\&+#@%$"
#: Ordinary words that look like ``WORD NUMBER`` citations but never are.
_NOT_STATIONS = {"SECTION", "PARA", "PARAGRAPH", "RESOLUTION", "UNSCR", "PAGE", "REF"}


@dataclass(frozen=True)
class Word:
    """One word. ``mode``: ``stem`` (default), ``exact`` (``=word``), ``prefix``
    (``word*``), ``wildcard`` (``w?rd``, ``*ord``), ``fuzzy`` (``word~``, ``word~2``).

    :param text: the word as typed, without the ``=``/``~`` markers.
    :param field: the field it is restricted to (a :data:`FIELDS` target), or ``None``
        for the cable text.
    :param capitalized: the user typed it with a capital (a possible name).
    """

    text: str
    field: str | None = None
    mode: str = "stem"
    fuzz: int = 0
    capitalized: bool = False

    def describe(self) -> str:
        shown = {"exact": f"={self.text}", "fuzzy": f"{self.text}~{self.fuzz}"}.get(
            self.mode, self.text
        )
        return f"{self.field}:{shown}" if self.field else shown


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together, in order (``slop`` words apart at most)."""

    words: tuple[str, ...]
    field: str | None = None
    slop: int = 0
    exact: bool = False

    def describe(self) -> str:
        text = ("=" if self.exact else "") + '"' + " ".join(self.words) + '"'
        text += f"~{self.slop}" if self.slop else ""
        return f"{self.field}:{text}" if self.field else text


@dataclass(frozen=True)
class Dates:
    """Cables sent within a period (``date:2006``, ``jan 2006 to mar 2007``)."""

    period: Period

    def describe(self) -> str:
        return f"dated {self.period.describe()}"


@dataclass(frozen=True)
class And:
    """All of the items."""

    items: tuple["Node", ...]

    def describe(self) -> str:
        return " AND ".join(_wrap(i) for i in self.items)


@dataclass(frozen=True)
class Or:
    """Any of the items."""

    items: tuple["Node", ...]

    def describe(self) -> str:
        return " OR ".join(_wrap(i) for i in self.items)


@dataclass(frozen=True)
class Not:
    """Cables that do not match the item."""

    item: "Node"

    def describe(self) -> str:
        return f"NOT {_wrap(self.item)}"


Node = Union[Word, Phrase, Dates, And, Or, Not]


def _wrap(node: Node) -> str:
    text = node.describe()
    return f"({text})" if isinstance(node, (And, Or)) and len(node.items) > 1 else text


@dataclass(frozen=True)
class RefidHint:
    """A cable the query names by id: ``06BANGKOK3955`` or ``BANGKOK 3955``.

    :param refid: the full canonical refid when the year was given, else ``None``.
    :param serial: station + serial number without the year, e.g. ``BANGKOK3955``.
    :param text: the words that named it, as typed.
    """

    refid: str | None
    serial: str
    text: str


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query: the tree, the cables it names by id, and what was repaired.

    :param text: the normalized query string.
    :param root: the tree, or ``None`` when nothing searchable is left (e.g. ``""``).
    :param markings: portion markings from ``marking:`` (text words must then match
        inside one paragraph with such a marking).
    :param refids: cables named by id; they rank first.
    :param notes: sentences saying what was ignored or repaired.
    """

    text: str
    root: Node | None
    markings: tuple[str, ...] = ()
    refids: tuple[RefidHint, ...] = ()
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        """The query as understood, in words."""
        parts = []
        if self.root is not None:
            parts.append(self.root.describe())
        if self.markings:
            parts.append("inside paragraphs marked " + " or ".join(f"({m})" for m in self.markings))
        if self.refids:
            parts.append("cable " + " or ".join(h.refid or f"{h.serial} (any year)" for h in self.refids)
                         + " first")
        return "; ".join(parts) if parts else "all cables"


# --------------------------------------------------------------------------- lexing


@dataclass
class _Tok:
    kind: str  # WORD PHRASE FIELD RANGE LP RP OP DASH
    text: str
    neg: bool = False
    slop: int = 0
    closed: bool = True
    exact: bool = False


def _lex(s: str, notes: list[str]) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n, neg = 0, len(s), False
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
            continue
        if c == "(":
            toks.append(_Tok("LP", c, neg))
            neg = False
            i += 1
            continue
        if c == ")":
            toks.append(_Tok("RP", c))
            i += 1
            continue
        exact = c == "=" and s[i + 1 : i + 2] == '"'
        if exact:
            i += 1
            c = '"'
        if c == '"':
            j = s.find('"', i + 1)
            closed = j >= 0
            j = j if closed else n
            tok = _Tok("PHRASE", s[i + 1 : j], neg, closed=closed, exact=exact)
            if not closed:
                notes.append('Closed an unbalanced " at the end of the query.')
            i = j + 1
            m = re.match(r"~(\d{1,2})", s[i:]) if closed else None
            if m:
                tok.slop = min(int(m.group(1)), 20)
                i += m.end()
            toks.append(tok)
            neg = False
            continue
        if c in "-!" and i + 1 < n and not s[i + 1].isspace() and s[i + 1] not in "-!":
            neg = True
            i += 1
            continue
        if c == "+" and i + 1 < n and not s[i + 1].isspace():
            i += 1
            continue
        if c in "[{":
            j = min((k for k in (s.find("]", i), s.find("}", i)) if k >= 0), default=n)
            toks.append(_Tok("RANGE", s[i : j + 1], neg))
            neg = False
            i = j + 1
            continue
        j = i
        while j < n and not s[j].isspace() and s[j] not in '()"':
            j += 1
        word = s[i:j]
        m = re.match(r"^([A-Za-z][A-Za-z_]*):(.*)$", word)
        if m:
            toks.append(_Tok("FIELD", m.group(1).lower(), neg))
            neg = False
            i = i + len(m.group(1)) + 1
            continue
        if word in _OPS:
            toks.append(_Tok("OP", _OPS[word]))
        elif set(word) <= set("-"):
            toks.append(_Tok("DASH", word))
        else:
            toks.append(_Tok("WORD", word, neg))
        neg = False
        i = j
    return toks


# --------------------------------------------------------------------------- dates


def _date_words(toks: list[_Tok], k: int) -> tuple[Period | None, int]:
    """The longest date (1-3 plain words) starting at ``toks[k]``: (period, words used)."""
    for size in (3, 2, 1):
        words = toks[k : k + size]
        if len(words) < size or any(t.kind != "WORD" or t.neg for t in words):
            continue
        period = period_from_words([t.text.strip(",").lower() for t in words])
        if period is not None:
            return period, size
    return None, 0


def _extract_dates(toks: list[_Tok]) -> tuple[list[_Tok], list[Period]]:
    """Take natural date ranges out of the top-level words.

    ``jan 2006 to mar 2007``, ``2006 - 2008``, ``between 2006 and 2007``, ``since
    jul 2006``, ``before 2008``, ``in march 2009``. A lone year or month stays a
    word: cables mention dates all the time, so only an explicit range or a date after
    ``since``/``before``/``in``/... is read as a filter.
    """
    out: list[_Tok] = []
    periods: list[Period] = []
    depth, k = 0, 0
    while k < len(toks):
        t = toks[k]
        if t.kind == "LP":
            depth += 1
        elif t.kind == "RP":
            depth = max(0, depth - 1)
        prev_field = out and out[-1].kind == "FIELD"
        if depth == 0 and not prev_field and t.kind == "WORD" and not t.neg:
            lead = t.text.lower()
            start = k + 1 if lead in _OPEN_START | _OPEN_END | {"between", "in", "during"} else k
            p1, n1 = _date_words(toks, start)
            if p1 is not None:
                after = start + n1
                sep = toks[after] if after < len(toks) else None
                p2 = None
                if sep is not None and (sep.kind == "DASH" or sep.text.lower() in _RANGE_WORDS):
                    p2, n2 = _date_words(toks, after + 1)
                if p2 is not None and (lead != "between" or sep.text.lower() == "and"):
                    lo, hi = (p1, p2) if p1.start <= p2.start else (p2, p1)
                    periods.append(Period(lo.start, hi.end))
                    k = after + 1 + n2
                    continue
                if start != k:  # "since 2006", "before jul 2008", "in march 2009"
                    if lead in ("since", "from"):
                        periods.append(Period(p1.start, None))
                    elif lead == "after":
                        periods.append(Period(_day_after(p1), None))
                    elif lead == "before":
                        periods.append(Period(None, _day_before(p1)))
                    elif lead in ("until", "till"):
                        periods.append(Period(None, p1.end))
                    elif n1 > 1 or lead in ("in", "during"):
                        periods.append(p1)
                    k = after
                    continue
        out.append(t)
        k += 1
    return out, periods


def _day_after(p: Period):
    from datetime import timedelta

    return p.end + timedelta(days=1)


def _day_before(p: Period):
    from datetime import timedelta

    return p.start - timedelta(days=1)


# --------------------------------------------------------------------------- refids


def _find_refids(
    toks: list[_Tok], is_station: Callable[[str], str | None] | None
) -> list[RefidHint]:
    """Cable ids among the top-level words: ``06BANGKOK3955``, ``06 BANGKOK 3955``,
    ``BANGKOK 3955``, ``bangkok 003955``, ``HONG KONG 1234``.

    *is_station* maps a joined, upper-cased station spelling to the canonical station
    (or ``None``); it keeps ``section 3`` or ``UNSCR 1701`` from being read as ids.
    Without it only whole ids are found.
    """
    hints: list[RefidHint] = []
    words = [
        (t.text if t.kind == "WORD" and not t.neg and not (k and toks[k - 1].kind == "FIELD") else None)
        for k, t in enumerate(toks)
    ]
    used: set[int] = set()
    for k, w in enumerate(words):
        if w is None:
            continue
        m = _REFID.match(w.strip(_EDGE_PUNCT))
        if m:
            # A whole id is unambiguous: keep an unknown station as typed.
            station = (is_station(m.group(2).upper()) if is_station else None) or m.group(2).upper()
            if station:
                serial = f"{station}{int(m.group(3))}"
                hints.append(RefidHint(f"{m.group(1)}{serial}", serial, w))
                used.add(k)
    for k, w in enumerate(words):
        if is_station is None:
            break
        if w is None or k in used or not re.fullmatch(r"\d{1,6}", w.strip(_EDGE_PUNCT)):
            continue
        number = w.strip(_EDGE_PUNCT)
        for size in (3, 2, 1):
            lo = k - size
            if lo < 0 or any(words[x] is None or x in used for x in range(lo, k)):
                continue
            parts = [words[x].strip(_EDGE_PUNCT) for x in range(lo, k)]
            if not all(p.isalpha() for p in parts):
                continue
            joined = "".join(parts).upper()
            if joined in _NOT_STATIONS:
                continue
            station = is_station(joined)
            if not station:
                continue
            # "Tokyo 2006" is more often a year than serial 2006; only a padded number
            # ("TOKYO 002006"), a year before it or a query of just the citation counts.
            looks_like_year = len(number) == 4 and 1960 <= int(number) <= 2011
            year = None
            if lo > 0 and words[lo - 1] and re.fullmatch(r"\d{2}", words[lo - 1]):
                year = words[lo - 1]
            alone = sum(1 for x in words if x is not None) == size + 1 + (1 if year else 0)
            if looks_like_year and not (year or alone):
                continue
            serial = f"{station}{int(number)}"
            text = " ".join(([year] if year else []) + parts + [number])
            hints.append(RefidHint(f"{year}{serial}" if year else None, serial, text))
            used.update(range(lo, k + 1))
            break
    return hints


# --------------------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, toks: list[_Tok], notes: list[str]):
        self.toks = toks
        self.k = 0
        self.notes = notes
        self.markings: list[str] = []

    def peek(self) -> _Tok | None:
        return self.toks[self.k] if self.k < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.k]
        self.k += 1
        return tok

    def parse(self) -> Node | None:
        items = []
        while self.peek() is not None:
            node = self.parse_or(None)
            if node is not None:
                items.append(node)
            tok = self.peek()
            if tok is not None and tok.kind == "RP":
                self.take()
                self.notes.append("Ignored an unmatched ')'.")
        return _and(items)

    def parse_or(self, fld: str | None) -> Node | None:
        items = []
        first = self.parse_and(fld)
        if first is not None:
            items.append(first)
        while (tok := self.peek()) is not None and tok.kind == "OP" and tok.text == "OR":
            self.take()
            nxt = self.parse_and(fld)
            if nxt is None:
                self.notes.append("Ignored 'OR' with nothing after it.")
            elif not items:
                self.notes.append("Ignored 'OR' with nothing before it.")
                items.append(nxt)
            else:
                items.append(nxt)
        if len(items) > 1:
            return Or(tuple(items))
        return items[0] if items else None

    def parse_and(self, fld: str | None) -> Node | None:
        items = []
        while (tok := self.peek()) is not None:
            if tok.kind == "RP" or (tok.kind == "OP" and tok.text == "OR"):
                break
            if tok.kind == "OP" and tok.text == "AND":
                self.take()
                nxt = self.peek()
                if not items or nxt is None or nxt.kind == "RP" or (nxt.kind == "OP" and nxt.text != "NOT"):
                    self.notes.append("Ignored 'AND' with nothing on one side.")
                continue
            node = self.parse_unary(fld)
            if node is not None:
                items.append(node)
        return _and(items)

    def parse_unary(self, fld: str | None) -> Node | None:
        tok = self.peek()
        if tok.kind == "OP" and tok.text == "NOT":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("RP",) or nxt.kind == "OP":
                self.notes.append("Ignored 'NOT' with nothing after it.")
                return None
            inner = self.parse_unary(fld)
            return Not(inner) if inner is not None else None
        neg = tok.neg
        node = self.parse_atom(fld)
        if node is not None and neg:
            return Not(node)
        return node

    def parse_atom(self, fld: str | None) -> Node | None:
        tok = self.take()
        if tok.kind == "LP":
            inner = self.parse_or(fld)
            if self.peek() is not None and self.peek().kind == "RP":
                self.take()
            else:
                self.notes.append("Added a missing ')' at the end of the query.")
            return inner
        if tok.kind == "PHRASE":
            return _phrase(tok.text, fld, tok.slop, tok.exact)
        if tok.kind == "WORD":
            return _word(tok.text, fld, self.notes)
        if tok.kind == "FIELD":
            return self.parse_field(tok)
        if tok.kind == "RANGE":
            period = parse_range(tok.text)
            if period is not None and fld in (None, "date"):
                return Dates(period)
            self.notes.append(f"Ignored the range {tok.text!r}: ranges work with date: only.")
            return None
        if tok.kind == "OP":  # a stray operator where a term was expected
            self.notes.append(f"Ignored '{tok.text}' with nothing before it.")
            return None
        return None  # DASH: punctuation between words

    def parse_field(self, ftok: _Tok) -> Node | None:
        name = ftok.text
        target = FIELDS.get(name)
        nxt = self.peek()
        if nxt is None or nxt.kind in ("RP", "OP"):
            self.notes.append(f"Ignored '{name}:' with nothing after it.")
            return None
        if target is None:
            close = difflib.get_close_matches(name, list(FIELDS), n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}:'?" if close else ""
            self.notes.append(
                f"Unknown field '{name}:', searched its value as text.{hint} "
                f"Fields: {', '.join(FIELD_NAMES)}."
            )
            return self.parse_atom(None)
        if target == "date":
            return self.parse_date(name)
        if target == "marking":
            tok = self.take()
            value = tok.text.strip().strip("()").upper()
            if tok.kind in ("WORD", "PHRASE") and value:
                self.markings.append(value)
            else:
                self.notes.append("Ignored 'marking:' without a marking such as S, C or S/NF.")
            return None
        return self.parse_atom(target)

    def parse_date(self, name: str) -> Node | None:
        tok = self.take()
        if tok.kind == "RANGE":
            period = parse_range(tok.text)
        elif tok.kind in ("WORD", "PHRASE"):
            period = parse_range(tok.text) if (".." in tok.text or tok.text[:1] in "<>") else parse_period(tok.text)
        elif tok.kind == "LP":
            self.k -= 1
            inner = self.parse_atom("date")
            return inner
        else:
            period = None
        if period is None:
            self.notes.append(
                f"Ignored {name}:{tok.text}: dates are YYYY, YYYY-MM, YYYY-MM-DD or "
                "[YYYY-MM TO YYYY-MM]."
            )
            return None
        return Dates(period)


def _and(items: list[Node]) -> Node | None:
    if not items:
        return None
    return items[0] if len(items) == 1 else And(tuple(items))


def _word(raw: str, fld: str | None, notes: list[str]) -> Node | None:
    text = raw
    mode, fuzz = "stem", 0
    if text.startswith("="):
        mode, text = "exact", text[1:]
    m = re.match(r"^(.*?)~(\d?)$", text)
    if m and m.group(1):
        text, fuzz = m.group(1), min(int(m.group(2) or 1), 2) or 1
        mode = "fuzzy"
    text = text.strip(_EDGE_PUNCT.replace("?", "")) if mode != "exact" else text.strip(_EDGE_PUNCT)
    if "*" in text or "?" in text:
        core = text.replace("*", "").replace("?", "")
        if not core:
            notes.append(f"Ignored {raw!r}: a wildcard needs at least one letter.")
            return None
        mode = "prefix" if re.fullmatch(r"[^*?]+\*", text) else "wildcard"
    text = text.strip(_EDGE_PUNCT.replace("?", "").replace("*", "") + "=~")
    if not text or not re.search(r"\w", text):
        return None
    return Word(text, fld, mode, fuzz, capitalized=text[:1].isupper())


def _phrase(text: str, fld: str | None, slop: int, exact: bool = False) -> Node | None:
    words = tuple(w for w in (w.strip(_EDGE_PUNCT) for w in text.split()) if w)
    if not words:
        return None
    if len(words) == 1 and not slop:
        mode = "exact" if exact else "stem"
        return Word(words[0], fld, mode, capitalized=words[0][:1].isupper())
    return Phrase(words, fld, slop, exact)


def parse_query(
    text: str, *, is_station: Callable[[str], str | None] | None = None
) -> ParsedQuery:
    """Parse a user's query string. Never raises on bad syntax.

    :param text: what the user typed.
    :param is_station: maps an upper-cased, space-free station spelling to its
        canonical station or ``None``; without it, ids such as ``BANGKOK 3955`` are not
        recognised (full ids like ``06BANGKOK3955`` still are, as typed).
    :returns: the :class:`ParsedQuery`.

    >>> parse_query('"vital voices" -burma origin:bangkok').root.describe()
    '"vital voices" AND NOT burma AND origin:bangkok'
    """
    norm = normalize_query(text)
    notes: list[str] = []
    toks = _lex(norm, notes)
    toks, periods = _extract_dates(toks)
    refids = _find_refids(toks, is_station)
    parser = _Parser(toks, notes)
    root = parser.parse()
    date_nodes = [Dates(p) for p in periods]
    if date_nodes:
        root = _and(([root] if root is not None else []) + date_nodes)
    if root is not None and _only_negative(root):
        notes.append("The query only excludes; searched all other cables.")
    return ParsedQuery(norm, root, tuple(dict.fromkeys(parser.markings)), tuple(refids), tuple(notes))


def _only_negative(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(_only_negative(i) for i in node.items)
    return False


def text_clauses(root: Node | None) -> list[Node]:
    """The top-level positive text items of an implicit AND (what relaxation may drop)."""
    if root is None:
        return []
    items = root.items if isinstance(root, And) else (root,)
    return [i for i in items if isinstance(i, (Word, Phrase)) and i.field is None]


def text_only(node: Node | None) -> Node | None:
    """The positive free-text part of a tree (what paragraphs and snippets should match):
    words and phrases without a field (or in ``body``), as one OR; ``None`` if there is none."""
    out: list[Node] = []

    def walk(n: Node) -> None:
        if isinstance(n, (And, Or)):
            for i in n.items:
                walk(i)
        elif isinstance(n, (Word, Phrase)) and n.field in (None, "body"):
            out.append(replace(n, field=None))

    if node is not None:
        walk(node)
    if not out:
        return None
    return out[0] if len(out) == 1 else Or(tuple(out))


__all__ += ["text_clauses", "text_only"]
