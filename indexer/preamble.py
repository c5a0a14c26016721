"""The lines between the classification line and paragraph 1.

::

    C O N F I D E N T I A L SECTION 01 OF 04 BISHKEK 001095
    SIPDIS
    E.O. 12958: DECL: 10/29/2018
    TAGS: PREL, ECON, KG
    SUBJECT: CANDID DISCUSSION WITH PRINCE ANDREW ON THE KYRGYZ
    ECONOMY
    REF: A. BISHKEK 1059 B. 08STATE 12345
    Classified By: Amb. Tatiana Gfoeller, Reason 1.4 (b) and (d).

:func:`segments` cuts such lines into labelled pieces (``tags``, ``subject``, ``ref``,
``classified``, ``eo``), each joined across its wrapped lines; the field functions then
read one piece each. Labels are found at line starts and, for the run-together
sentence-cased variant (``E.o. 12958: decl: 01/07/2014 Tags: prel, pgov Subject: ...``),
inside a line when followed by a colon.
"""

from __future__ import annotations

import re
from datetime import date

from .refids import find_refids, station_for

__all__ = [
    "CAVEATS",
    "caveats_in",
    "classification_in",
    "classified_by",
    "decl_date",
    "references",
    "segments",
    "subject",
    "tags",
]

# Label at a line start: colon optional ("TAGS PREL", "SUBJECT:  X", "REF A)").
_START = re.compile(
    r"^\s*(?:\(\s*[A-Z/]{1,6}\s*\)\s*)?"
    r"(?P<label>TAGS?|SUBJ(?:ECT)?|REFS?|REFERENCES?|REFTELS?|E\.?\s?O\.?(?=\s*\d{5})|"
    r"CLASSIFIED\s+BY|DECL(?=\s*:))(?![A-Za-z])\s*[:.]?\s*",
    re.I,
)
# Label inside a line: colon required.
_INLINE = re.compile(
    r"(?<=\s)(?P<label>(?i:TAGS?|SUBJ(?:ECT)?|REFS?|CLASSIFIED\s+BY)\s*:|TAGS?(?=\s+[A-Z]{2,4}[\s,])"
    r"|(?i:CLASSIFIED\s+BY)(?=\s+[A-Z]))\s*"
)
# Lines that end a wrapped SUBJECT/TAGS/... (and so a segment): paragraph starts.
_PARA_START = re.compile(r"^\s*(?:¶\s*\d|\d{1,3}\s*(?:\.|,(?=\s*\())\s|\(\s*[A-Z/]{1,6}\s*\)\s+\S)")
# Another item of a REF list on its own line: "B. STATE 12345", "(C) 05 VIENNA 1760".
_REF_ITEM = re.compile(
    r"^\s*(?:\(?[A-Z]\s*[.):]|\(\d\)|\d{2}\s?[A-Z]+\s+\d|(?:[A-Z]+\s+){1,3}0*\d+\b)")


# "(A) 2005 STATE 165022": a lettered REF item, not a paragraph marked (A).
_REF_LETTERED = re.compile(r"^\s*\(\s*[A-Za-z]\s*\)\s*(?:\d{2,4}\s*)?[A-Za-z][A-Za-z .']*\s0*\d{1,7}\b")


def _is_ref_item(line: str) -> bool:
    # "(C) ON MAY 5, ..." has the shape too: only a real citation counts.
    return bool(_REF_LETTERED.match(line)) and bool(find_refids(line[:80], 0))


def _label(raw: str) -> str:
    word = re.sub(r"[\s.:]", "", raw.upper())
    if word.startswith("TAG"):
        return "tags"
    if word.startswith("SUBJ"):
        return "subject"
    if word.startswith("REF"):
        return "ref"
    if word.startswith("CLASSIFIED"):
        return "classified"
    if word.startswith("DECL"):
        return "eo"
    return "eo"


def segments(lines: list[str]) -> tuple[dict[str, list[str]], set[int]]:
    """Labelled pieces of a preamble, and the indices of the lines they used.

    :returns: ``({label: [piece, ...]}, used_line_indices)``: every piece of each label
        in order (some pages repeat their preamble, once cut short), wrapped lines
        joined with single spaces.
    """
    found: dict[str, list[list[str]]] = {}
    used: set[int] = set()
    current: str | None = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        m = _START.match(line)
        if not stripped:
            # A blank line ends a piece, except a REF list that goes on with "B. ...".
            if current == "ref":
                nxt = next((l for l in lines[i + 1 : i + 3] if l.strip()), "")
                if not _START.match(nxt) and (not _PARA_START.match(nxt) or _is_ref_item(nxt)) and (
                        _REF_ITEM.match(nxt) or found["ref"][-1][-1].rstrip().endswith((";", ","))):
                    continue
            current = None
            continue
        if m:
            current = _label(m.group("label"))
            found.setdefault(current, []).append([])
            rest = line[m.end():]
        elif current and (not _PARA_START.match(line) or (
                current == "ref" and _is_ref_item(line))):
            rest = line
        else:
            current = None
            continue
        used.add(i)
        # Split run-together labels: "decl: 01/07/2014 Tags: prel Subject: ...".
        pieces = _INLINE.split(" " + rest)
        found[current][-1].append(pieces[0])
        for k in range(1, len(pieces) - 1, 2):
            label = _label(pieces[k])
            # "Classified By: Classified by X": the label repeated, not a new piece.
            if not (label == current and not "".join(found[current][-1]).strip()):
                current = label
                found.setdefault(current, []).append([])
            found[current][-1].append(pieces[k + 1])
    out = {k: [" ".join(" ".join(p).split()) for p in v] for k, v in found.items()}
    return {k: [p for p in v if p] for k, v in out.items() if any(v)}, used


# --- the fields ---------------------------------------------------------------------

_MARKING = re.compile(r"^\s*\(\s*(?:U|C|S|SBU|TS|LOU|FOUO|[USC](?:/[A-Z]{1,6})+|SBU/NF)\s*\)\s*", re.I)


_TRAILING_MARKING = re.compile(
    r"\s+\(\s*(?:U|C|S|SBU|TS|LOU|FOUO|[USC](?:/[A-Z]{1,6})+|SBU/NF)\s*\)\s*$", re.I)


def subject(text: str | None) -> str | None:
    """The subject without a leading portion marking; ``None`` when empty."""
    if not text:
        return None
    text = _MARKING.sub("", text).strip()
    text = _TRAILING_MARKING.sub("", text)
    text = " ".join(text.split())
    return text or None


_TAG_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\s*\([^()]{1,80}\))?")
_TAG_OK = re.compile(r"^[A-Z][A-Z0-9]{1,14}$")
_PERSON = re.compile(r"^([A-Z][A-Z0-9]{1,7})\s*\(([^()]+)\)$")


def tags(text: str | None) -> tuple[str, ...]:
    """TAGS codes, upper-cased, deduplicated, in order; ``OVIP (NAME, FIRST)`` kept whole."""
    if not text:
        return ()
    out: list[str] = []
    for m in _TAG_TOKEN.finditer(text):
        token = re.sub(r"\s+", " ", m.group(0)).upper().strip()
        person = _PERSON.match(token)
        if person:
            token = f"{person.group(1)} ({person.group(2).strip()})"
        elif not _TAG_OK.match(token) or token in ("AND", "THE", "FOR"):
            continue
        if token not in out:
            out.append(token)
    return tuple(out)


def references(text: str | None, year: int | None) -> tuple[str, ...]:
    """Canonical refids cited in a REF piece, the citing cable's year filling gaps."""
    if not text:
        return ()
    return tuple(find_refids(text, year))


_CUT_REASON = re.compile(
    r"(?:[,;.-]?\s*(?:\bf\s?o\s?r?\s+|\bby\s+)?\brea\s?s\s?o\s?n|[,;.]?\s*\bfor\s+rea|\bunder\s+section\b|[,;]?\s*\b(?:E\.?\s?O\.?\s*)?1\.[456]\b|"
    r"[,;]?\s*\bE\.?\s?O\.?\s+\d|\(\s*[a-h]\s*(?:[,)&]|and)|[,;]?\s*\bper\b\s+(?:1\.|E\.?O))",
    re.I,
)
_TITLE_WORDS = frozenset(
    """amb amb. ambassador ambassadors cda cda. charge chargé d'affaires a.i. a.i ai dcm
    a/dcm deputy chief chiefs mission of counselor counsellor officer officers poloff
    econoff polcouns econcouns pol/econ p/e pe pol econ political economic political/economic
    acting minister minister-counselor consul general cg principal po director
    secretary assistant under special envoy section head affairs public management rso
    dao attache attaché coordinator cooqnator interagency provincial advisor adviser senior mr mr. ms ms. mrs mrs. dr dr.
    the and by rmas a/s das u/s s/e ds/ip deputy-chief econ/pol polmil pol-mil military
    commercial agricultural ps pas public-affairs office regional narcotics labor
    environment science health defense attach\u00e9 team leader interim acting/dcm
    col col. lt ltc gen gen. maj maj. capt capt. adm adm. usun ambassador-at-large
    executive staff assistant/secretary spokesman spokesperson mc d' d'affaires affaires
    dos fo usdos department state embassy consulate u.s. us doc usda treasury dhs dod
    econ/commercial polecon pol/mil ecopol a/pol a/econ consular ds ops chief-of-mission
    mission-director usaid director-general polmincouns polmc adcm d'affairs polcounselor
    estoff couns couselor councelor minister-councelor pdas sca io isn dir dir. wha prt
    econmincouns econmin econmc eur com development multiple m-c nea sa eap af
    af/s ds/ip pmc polmin sources derived""".split()
)
_NAME_WORD = re.compile(r"^(?:[A-Z][A-Za-z'\-]*\.?|[A-Z]\.[A-Z][A-Za-z'\-]*|[A-Z]\.|(?:de|del|da|van|von|der|la|le|al|bin|el|di|du)\b|al-[A-Za-z]+)$")


def classified_by(text: str | None) -> tuple[str, ...]:
    """Names on the ``Classified By`` line, titles and reasons stripped.

    ``Amb. Tatiana Gfoeller, Reason 1.4 (b) and (d).`` -> ``("Tatiana Gfoeller",)``;
    ``CDA DAVID RUNDELL, 1.4(b),(d)`` -> ``("DAVID RUNDELL",)``.
    """
    if not text:
        return ()
    text = text[:300]  # names come first; the rest is reasons and offices
    m = _CUT_REASON.search(text)
    if m:
        text = text[: m.start()]
    out: list[str] = []
    # People are joined by "and" / "&"; within one person, commas separate the name
    # from titles and offices ("Darnall Steuart, Economic Counselor, DOS"), so the
    # first comma-separated piece that holds a name is the name.
    for person in re.split(r"\s+(?:and|&)\s+|\s*/\s*(?=[A-Z][a-z])", text):
        for chunk in re.split(r"\s*[,;:]\s*|\s+for\s+|\s+with\s+", person):
            name = _name_in(chunk)
            if name:
                if name not in out:
                    out.append(name)
                break
    return tuple(out)


def _name_in(chunk: str) -> str | None:
    words = chunk.replace("(", " ").replace(")", " ").split()
    while words and words[-1].lower() in ("for", "by", "per", "under", "on", "the"):
        words.pop()  # "Robert F. Godec for" (the reason was cut off after "for")
    kept: list[str] = []
    for word in reversed(words):
        low = word.lower().strip(",;")
        if low in _TITLE_WORDS or "/" in word or not _NAME_WORD.match(word):
            break
        kept.append(word.strip(",;"))
    kept.reverse()
    if any(w.startswith("XXX") for w in kept):  # a redacted name is no name
        return None
    if len(kept) == 1 and station_for(kept[0], False):  # "Consul General, Shanghai"
        return None
    # Drop particles stranded at the start ("of John Smith" never happens, but "de").
    while kept and kept[0].islower():
        kept.pop(0)
    if not kept or all(len(w.rstrip(".")) <= 1 for w in kept):
        return None
    return " ".join(kept)


_DECL = re.compile(r"\bDECL(?:ASSIFY|L)?\b(?:\s+ON)?\s*[:.]?\s*(?P<rest>.{0,40})", re.I | re.S)
_MDY = re.compile(r"^(\d{1,3})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})(?!\d)")
_YMD = re.compile(r"^(\d{4})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})(?!\d)")


def decl_date(text: str | None) -> date | None:
    """The ``DECL`` date in ``text``; ``None`` for ``N/A``, ``OADR``, or no date."""
    if not text:
        return None
    m = _DECL.search(text)
    if not m:
        return None
    rest = m.group("rest").strip()
    if rest.upper().startswith(("DECLASSIFIED", "N/A", "NA ", "OADR")):
        return None
    ymd = _YMD.match(rest)
    if ymd:
        y, mo, d = (int(g) for g in ymd.groups())
    else:
        mdy = _MDY.match(rest)
        if not mdy:
            return None
        mo, d, y = (int(g) for g in mdy.groups())
        if y < 100:
            y += 1900 if y >= 60 else 2000
        if mo > 12 and d <= 12:  # day first, as some posts write it
            mo, d = d, mo
    try:
        return date(y, mo, d)
    except ValueError:
        return None


#: Handling marks looked for in classification and handling lines.
CAVEATS = (
    "NOFORN", "SIPDIS", "EXDIS", "NODIS", "LIMDIS", "STADIS", "SENSITIVE", "ORCON",
    "NOCONTRACT", "PROPIN", "FOUO", "CHEROKEE", "ROGER", "NOSIPDIS",
)
_CAVEAT = re.compile(r"\b(" + "|".join(CAVEATS) + r"|FOR OFFICIAL USE ONLY|NOT FOR FOREIGN)\b", re.I)


def caveats_in(text: str) -> list[str]:
    """Handling marks in one classification or handling line, in order."""
    out = []
    for m in _CAVEAT.finditer(text):
        word = m.group(1).upper()
        word = {"FOR OFFICIAL USE ONLY": "FOUO", "NOT FOR FOREIGN": "NOFORN"}.get(word, word)
        out.append(word)
    return out


_CLASS = re.compile(
    r"^\s*(TOP\s+SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED|UNCLAS|LIMITED\s+OFFICIAL\s+USE|"
    r"SENSITIVE\s+BUT\s+UNCLASSIFIED)\b",
    re.I,
)


def classification_in(line: str) -> str | None:
    """The classification word a (despaced) line starts with, normalised, or ``None``."""
    m = _CLASS.match(line)
    if not m:
        return None
    word = re.sub(r"\s+", " ", m.group(1).upper())
    return {"UNCLAS": "UNCLASSIFIED", "SENSITIVE BUT UNCLASSIFIED": "UNCLASSIFIED"}.get(word, word)
