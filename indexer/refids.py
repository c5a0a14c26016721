"""Cable reference ids: one canonical spelling for every way a cable is cited.

A refid is a two-digit year, the sending station and a serial: ``06BANGKOK3955``. In
cable text the same cable appears as ``06 BANGKOK 3955``, ``BANGKOK 003955`` (year taken
from context), ``06 Bangkok 3955``, with the station misspelled (``NARIOBI``),
abbreviated (``RIO DE JAN``) or written as the address (``SECSTATE``, ``USUN NEW YORK``).
:func:`canonical_refid` maps all of those onto one id; :func:`find_refids` pulls every
cited id out of a ``REF:`` block.

The station list (``data/stations.txt``) is generated from the public list of all
Cablegate refids by :mod:`indexer.make_stations`; hand-made abbreviations are below.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

__all__ = ["cable_refid", "canonical_refid", "find_refids", "refid_spellings", "station_for", "year_of",
           "STATIONS"]


def _load_table() -> tuple[frozenset[str], dict[str, str]]:
    stations: set[str] = set()
    aliases: dict[str, str] = {}
    text = (Path(__file__).parent / "data" / "stations.txt").read_text("utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" in line:
            alias, station = line.split("=", 1)
            aliases[alias] = station
        else:
            stations.add(line)
    return frozenset(stations), aliases


#: Every station that appears in a Cablegate refid, spelled as in the refid.
STATIONS, _GENERATED_ALIASES = _load_table()

#: Abbreviations, addresses and misspellings seen in citations, keyed by the spelling
#: with spaces and punctuation removed.
_MANUAL_ALIASES = {
    "SECSTATE": "STATE",
    "SECSTATEWASHDC": "STATE",
    "STATEWASHDC": "STATE",
    "DEPT": "STATE",
    "DEPTOFSTATE": "STATE",
    "RIODEJAN": "RIODEJANEIRO",
    "RIODEJANIERO": "RIODEJANEIRO",
    "RIO": "RIODEJANEIRO",
    "NARIOBI": "NAIROBI",
    "USUN": "USUNNEWYORK",
    "USUNNY": "USUNNEWYORK",
    "USUNNEWYORKCITY": "USUNNEWYORK",
    "USMISSIONUSUNNEWYORK": "USUNNEWYORK",
    "USMISSIONUSUN": "USUNNEWYORK",
    "USMISSIONUSNATO": "USNATO",
    "USNATOBRUSSELS": "USNATO",
    "USEU": "USEUBRUSSELS",
    "USMISSIONUSEU": "USEUBRUSSELS",
    "USMISSIONUSOSCE": "USOSCE",
    "USOSCEVIENNA": "USOSCE",
    "UNVIE": "UNVIEVIENNA",
    "USMISSIONUNVIE": "UNVIEVIENNA",
    "USMISSIONGENEVA": "GENEVA",
    "USMISSIONUNROME": "UNROME",
    "USUNROME": "UNROME",
    "HAGUE": "THEHAGUE",
    "ADDIS": "ADDISABABA",
    "HOCHIMINH": "HOCHIMINHCITY",
    "HCMC": "HOCHIMINHCITY",
    "DARESSALAM": "DARESSALAAM",
    "DAR": "DARESSALAAM",
    "MEXICOCITY": "MEXICO",
    "PANAMACITY": "PANAMA",
    "GUATEMALACITY": "GUATEMALA",
    "KUWAITCITY": "KUWAIT",
    "VATICANCITY": "VATICAN",
    "HOLYSEE": "VATICAN",
    "ULANBATOR": "ULAANBAATAR",
    "ULAANBATAR": "ULAANBAATAR",
    "USINTHAVANA": "HAVANA",
    "USINT": "HAVANA",
    "RPO": "RPODUBAI",
    "DUBAIRPO": "RPODUBAI",
    "TAIPEIAIT": "AITTAIPEI",
    "AIT": "AITTAIPEI",
    "KIYV": "KYIV",
    "STPETERSBURGRUSSIA": "STPETERSBURG",
    "SAINTPETERSBURG": "STPETERSBURG",
    "PORTOSPAIN": "PORTOFSPAIN",
    "PORTAUPRINCEHAITI": "PORTAUPRINCE",
    "KL": "KUALALUMPUR",
    "TALLIN": "TALLINN",
    "CASA": "CASABLANCA",
    "ASHGABAD": "ASHGABAT",
    "ASHKHABAD": "ASHGABAT",
    "BOMBAY": "MUMBAI",
    "SAIGON": "HOCHIMINHCITY",
    "USDOCGENEVA": "USTRGENEVA",
}

#: Address prefixes that cite a post rather than name the station (``AMEMBASSY X``).
_PREFIXES = ("AMEMBASSY", "AMEMB", "AMCONSUL", "AMCONGEN", "USMISSION", "AMCONSULATE")

_YEAR_ID = re.compile(r"^(\d{2}|\d{4})? ?([A-Z][A-Z .'/&-]*?) ?(\d{1,7})$")
_NOT_ALNUM = re.compile(r"[^A-Z]")


def year_of(year: int | str | None) -> int | None:
    """A two-digit year from ``2007``, ``7``, ``"07"`` or ``"2007"``; ``None`` if unusable."""
    if year is None:
        return None
    try:
        y = int(year)
    except (TypeError, ValueError):
        return None
    if y < 0:
        return None
    return y % 100


def _damerau1(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one edit or adjacent swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


_BY_LENGTH: dict[int, list[str]] = {}
for _s in STATIONS:
    _BY_LENGTH.setdefault(len(_s), []).append(_s)


@functools.lru_cache(maxsize=8192)
def station_for(name: str, fuzzy: bool = True) -> str | None:
    """The station as spelled in refids for a written name, or ``None`` if unknown.

    ``"Bangkok"`` -> ``BANGKOK``, ``"RIO DE JAN"`` -> ``RIODEJANEIRO``,
    ``"AMEMBASSY NAIROBI"`` -> ``NAIROBI``, ``"NARIOBI"`` -> ``NAIROBI``.
    """
    if not name.isascii():  # "SÃO PAULO", "BOGOTÁ": drop the accents, keep the letters
        name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    key = _NOT_ALNUM.sub("", name.upper())
    if not key:
        return None
    for candidate in _candidates(key):
        if candidate in STATIONS:
            return candidate
        hit = _MANUAL_ALIASES.get(candidate) or _GENERATED_ALIASES.get(candidate)
        if hit:
            return hit
    # Unknown long spellings one typo away from exactly one station are that station;
    # short ones are too easily a different word.
    # Six-letter spellings may only have lost a letter ("BAGDAD"): "STATES" or "PARISH"
    # are other words.
    if fuzzy and len(key) >= 6:
        lengths = (len(key) - 1, len(key), len(key) + 1) if len(key) >= 7 else (len(key) + 1,)
        near = [s for n in lengths for s in _BY_LENGTH.get(n, ()) if _damerau1(key, s)]
        if len(near) == 1:
            return near[0]
    return None


def _candidates(key: str):
    yield key
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            yield key[len(prefix) :]
    if key.startswith("EFTO") and len(key) > 4:
        yield key[4:]


def canonical_refid(text: str | None, year: int | str | None = None) -> str | None:
    """The canonical refid for a written citation, or ``None`` if it isn't one.

    :param text: ``06BANGKOK3955``, ``06 BANGKOK 3955``, ``bangkok 003955``,
        ``STATE 123456``, ``USUN NEW YORK 456``, ``RIO DE JAN 12`` ...
    :param year: the year to use when ``text`` has none (the citing cable's year),
        as ``2006``, ``6`` or ``"06"``. Without a year in either place the result is
        ``None``: a serial means nothing without its year.
    :returns: e.g. ``06BANGKOK3955``: two-digit year, station as spelled in refids,
        serial without leading zeros.
    """
    if not text:
        return None
    text = " ".join(text.upper().split())
    # A citation is short; long text can only hold citations, which find_refids reads
    # token by token (the regex below would backtrack over a long string).
    m = _YEAR_ID.match(text) if len(text) <= 120 else None
    if not m:
        # Not a bare citation ("BANGKOK 3955 (NOTAL)", "REF: STATE 12"): accept the one
        # cable it cites, if it cites exactly one.
        found = find_refids(text[:200], year)
        return found[0] if len(found) == 1 else None
    y = year_of(m.group(1)) if m.group(1) else year_of(year)
    if y is None:
        return None
    station = station_for(m.group(2))
    if station is None:
        return None
    serial = int(m.group(3))
    if serial == 0:
        return None
    return f"{y:02d}{station}{serial}"


#: A refid written whole: year (two digits, or four), station letters, serial.
_WHOLE_ID = re.compile(r"^(\d{2}|(?:19|20)\d{2})([A-Z]+?)(\d{1,7})$")
#: One of Cablegate's few ids of another shape (``06ASTANA``, ``09SCTION08OF09NAIROBI809``).
_ODD_ID = re.compile(r"^\d{2}[A-Z0-9]*[A-Z][A-Z0-9]*$")


def cable_refid(text: str | None) -> str | None:
    """A cable's own refid, as the cable gives it: upper case, no spaces, the serial
    without leading zeros (``08state008797`` -> ``08STATE8797``), the station *as
    spelled*; an id of another shape as it is. Text that is no id goes through
    :func:`canonical_refid`.

    Cablegate has cables whose station is misspelled in their own refid, beside real
    cables with the corrected id: ``06MINSI225`` and ``06MINSK225`` are two cables (37
    such pairs in the 251,287 ids, and one ``09SCTION08OF09NAIROBI809`` beside
    ``09NAIROBI809``). :func:`canonical_refid` reads ``MINSI`` as Minsk, which is right
    for a citation and wrong for the cable's identity: the second cable indexed would
    replace the first.
    """
    if not text:
        return None
    compact = "".join(text.upper().split())
    m = _WHOLE_ID.match(compact)
    if m and int(m.group(3)) > 0:
        return f"{year_of(m.group(1)):02d}{m.group(2)}{int(m.group(3))}"
    if _ODD_ID.match(compact):
        return compact
    return canonical_refid(text)


def refid_spellings(text: str | None) -> list[str]:
    """The refids that *text* may name, the likeliest first: the id as written
    (:func:`cable_refid`), then the cable it cites (:func:`canonical_refid`), which
    differ for a misspelled station (``06MINSI225``, then ``06MINSK225``)."""
    return list(dict.fromkeys(r for r in (cable_refid(text), canonical_refid(text)) if r))


_TOKEN = re.compile(r"[A-Z][A-Z.'&]*|\d+|[^\sA-Z\d]")


def find_refids(text: str, year: int | str | None = None) -> list[str]:
    """Every cable cited in ``text`` (a ``REF:`` block), canonical, in order, once each.

    Every serial number is a candidate; up to five words before it are tried, longest
    first, as the station (so list letters ``A.``, ``AND``, ``REFTEL`` fall away), and
    a two- or four-digit number (or ``(08)``) before the station is its year. Emails,
    memos, dates and anything whose station is unknown are skipped.
    """
    out: list[str] = []
    seen: set[str] = set()
    upper = text.upper()
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(upper)]
    for i, (tok, _start, end) in enumerate(tokens):
        if not tok.isdecimal() or len(tok) > 7:
            continue
        # The serial must not run on into letters or a slash ("CA-3400", "12/31", "IIR6").
        if end < len(upper) and (upper[end].isalpha() or upper[end] == "/" or (
                upper[end] == "-" and upper[end + 1 : end + 2].isalnum())):
            continue
        if i and tokens[i - 1][0] in ("/", "-", ":", "."):
            continue
        serial = int(tok)
        if serial == 0:
            continue
        words: list[str] = []
        j = i - 1
        while j >= 0 and len(words) < 5 and tokens[j][0][:1].isalpha():
            words.insert(0, tokens[j][0])
            j -= 1
        if not words:
            continue
        found = _station_in(words)
        if not found:
            continue
        station, used = found
        k = i - used - 1  # the token before the station
        y = None
        if k >= 0 and tokens[k][0].isdecimal() and len(tokens[k][0]) in (2, 4):
            y = year_of(tokens[k][0])
        elif k >= 2 and tokens[k][0] == ")" and tokens[k - 1][0].isdecimal() \
                and len(tokens[k - 1][0]) in (2, 4) and tokens[k - 2][0] == "(":
            y = year_of(tokens[k - 1][0])
        if y is None:
            y = year_of(year)
        if y is None:
            continue
        refid = f"{y:02d}{station}{serial}"
        if refid not in seen:
            seen.add(refid)
            out.append(refid)
    return out


def _station_in(words: list[str]) -> tuple[str, int] | None:
    """The longest trailing run of ``words`` naming a station (exact before fuzzy),
    with the number of words it took."""
    for fuzzy in (False, True):
        for start in range(len(words)):
            station = station_for(" ".join(words[start:]), fuzzy)
            if station:
                return station, len(words) - start
    return None
