"""The routing block: date-time group, sender, ``TO`` and ``INFO`` addressees.

::

    R 291207Z OCT 08
    FM AMEMBASSY BISHKEK
    TO RUEHC/SECSTATE WASHDC 1474
    INFO RUCNCLS/ALL SOUTH AND CENTRAL ASIA COLLECTIVE
    RUEHBJ/AMEMBASSY BEIJING 2724

All functions are pure and accept any text: lines that don't fit are ignored.
"""

from __future__ import annotations

import re
from datetime import datetime

from .models import Recipient

__all__ = ["origin_from_sender", "parse_dtg", "parse_recipients", "sender_line"]

_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}

# "R 291207Z OCT 08", "O 171606Z MAY 09", "051007Z Jul 06", "P R 281848Z DEC 66"
_DTG = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})Z\s+([A-Za-z]{3})[A-Za-z]*\s+(\d{2}|\d{4})(?!\d)")


def parse_dtg(text: str) -> datetime | None:
    """The first date-time group in ``text`` as a naive UTC datetime, or ``None``."""
    for m in _DTG.finditer(text[:4000]):
        day, hour, minute, mon, year = m.groups()
        month = _MONTHS.get(mon.upper())
        if not month:
            continue
        y = int(year)
        if y < 100:
            y += 1900 if y >= 60 else 2000
        try:
            return datetime(y, month, int(day), int(hour), int(minute))
        except ValueError:
            continue
    return None


_FM = re.compile(r"^[ \t]*FM[ \t]+(\S.*?)[ \t]*$", re.M)


def sender_line(header: str) -> str | None:
    """The sender as written on the ``FM`` line (``AMEMBASSY BISHKEK``), or ``None``."""
    m = _FM.search(header)
    if not m or len(m.group(1)) > 200:  # a sender is a short address, never prose
        return None
    return m.group(1)


#: Sender prefixes and WikiLeaks' word for the kind of post.
_POST_KINDS = (
    ("AMEMBASSY", "Embassy"),
    ("AMCONSUL", "Consulate"),
    ("AMCONGEN", "Consulate"),
    ("USMISSION", "Mission"),
    ("USINT", "US Interests Section"),
    ("USOFFICE", "US Office"),
    ("USDEL", "Delegation"),
)
#: Whole senders WikiLeaks names its own way.
_SENDERS = {
    "SECSTATE WASHDC": "Secretary of State",
    "SECSTATE": "Secretary of State",
    "DEPT OF STATE": "Secretary of State",
    "AIT TAIPEI": "American Institute Taiwan, Taipei",
    "USEU BRUSSELS": "USEU Brussels",
    "USMISSION USEU BRUSSELS": "USEU Brussels",
    "USMISSION USNATO": "Mission USNATO",
    "USNATO": "Mission USNATO",
    "USMISSION USOSCE": "Mission USOSCE",
    "USMISSION UNVIE VIENNA": "UNVIE",
    "UNVIE VIENNA": "UNVIE",
    "USMISSION USUN NEW YORK": "Mission USUN",
    "USUN NEW YORK": "Mission USUN",
    "USMISSION UN ROME": "Mission UN Rome",
    "USMISSION GENEVA": "Mission Geneva",
    "IRAN RPO DUBAI": "Iran RPO Dubai",
    "RPO DUBAI": "Iran RPO Dubai",
    "AMEMBASSY KIEV": "Embassy Kyiv",  # WikiLeaks names the post by its later spelling
    "USMISSION USOSCE VIENNA": "Mission USOSCE",
    "USMISSION USTR GENEVA": "Mission Geneva",
    "USMISSION CD GENEVA": "Mission Geneva",
    "USMISSION UNESCO PARIS": "Mission UNESCO",
    "USMISSION UNROME": "Mission UN Rome",
    "AMEMBASSY HOLY SEE": "Embassy Vatican",
    "AMEMBASSY VATICAN": "Embassy Vatican",
    "AMEMBASSY MEXICO": "Embassy Mexico",
    "AMCONSUL HO CHI MINH CITY": "Consulate Ho Chi Minh City",
    "AMCONSUL DUBAI RPO": "Iran RPO Dubai",
    "USINT HAVANA": "US Interests Section Havana",
}
_SMALL = {"DE", "AU", "ES", "OF"}


def _place(words: str) -> str:
    # WikiLeaks capitalises every word: "Rio De Janeiro", "Port Au Prince".
    return " ".join(w.capitalize() for w in words.split())


def origin_from_sender(sender: str | None) -> str | None:
    """WikiLeaks' name for a sender: ``AMEMBASSY BISHKEK`` -> ``Embassy Bishkek``.

    ``SECSTATE WASHDC`` -> ``Secretary of State``, ``AMCONSUL X`` -> ``Consulate X``,
    ``USMISSION X`` -> ``Mission X``; anything else is returned with words capitalised.
    """
    if not sender:
        return None
    s = re.sub(r"\s+", " ", sender.upper()).strip(" .,")
    # Trailing routing noise: "AMEMBASSY BISHKEK 1095", "SECSTATE WASHDC//ZEN".
    s = re.sub(r"(?:\s+\d+|\s*//.*)$", "", s)
    if not s:
        return None
    if s in _SENDERS:
        return _SENDERS[s]
    for prefix, kind in _POST_KINDS:
        if s.startswith(prefix + " "):
            return f"{kind} {_place(s[len(prefix) + 1:])}"
    return _place(s)


_PRECEDENCE = r"(?:FLASH|NIACT\s+IMMEDIATE|IMMEDIATE|PRIORITY|ROUTINE)"
_ADDRESS = re.compile(
    r"^(?:(?P<route>[A-Z0-9]{3,7})\s*/\s*)?(?P<name>.+?)"
    r"(?:\s+(?P<prec>" + _PRECEDENCE + r"))?(?:\s+(?P<mcn>\d{1,6}(?:-\d{1,6})?))?\s*$"
)
_LINE_START = re.compile(r"^\s*(TO|INFO|XMT|CC|BCC)\b\s*:?\s*(.*)$")
# Lines that end an address list: classification lines, BT, the text's first lines.
_END = re.compile(
    r"^\s*(?:BT\b|NNNN|UNCLAS|UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL|"
    r"C\s?O\s?N\s?F|S\s?E\s?C\s?R|U\s?N\s?C\s?L|E\.?\s?O\.?\s|TAGS?\b|SUBJ|SIPDIS|DE\s|ZNY|ZNR|"
    r"FM\s|[A-Z]{1,2}\s+\d{6}Z)",
    re.I,
)


# State's office distribution lines ("INFO LOG-00 NP-00 AID-00 ..."), not addressees.
_OFFICE_CODES = re.compile(r"^(?:[A-Z]{1,6}-\d{2}\b|/\d{3}\s*[A-Z]\b|-{6,})")


def _recipient(text: str) -> Recipient | None:
    text = re.sub(r"\s+", " ", text).strip(" .,;")
    if not text or len(text) > 200:  # no addressee is that long: prose, not a list
        return None
    m = _ADDRESS.match(text)
    if not m:
        return Recipient(name=text)
    name = m.group("name").strip(" .,;")
    if not name:
        return None
    prec = re.sub(r"\s+", " ", m.group("prec")) if m.group("prec") else None
    return Recipient(name=name, precedence=prec, route=m.group("route"), mcn=m.group("mcn"))


def parse_recipients(header: str) -> tuple[tuple[Recipient, ...], tuple[Recipient, ...]]:
    """``(to, info)`` addressees from a routing block.

    A ``TO`` or ``INFO`` line starts a list; following lines continue it until a
    blank line, ``BT``, a classification line, another ``TO``/``INFO`` or the text.
    """
    to: list[Recipient] = []
    info: list[Recipient] = []
    current: list[Recipient] | None = None
    for line in header.split("\n"):
        stripped = line.strip()
        start = _LINE_START.match(stripped)
        if start:
            word = start.group(1).upper()
            current = to if word in ("TO", "XMT") else info
            if word == "XMT":
                current = None
            rest = start.group(2)
            if _OFFICE_CODES.match(rest):
                current = None
                continue
            if current is not None and rest:
                r = _recipient(rest)
                if r:
                    current.append(r)
            continue
        if current is None:
            continue
        if not stripped or _END.match(stripped) or _OFFICE_CODES.match(stripped):
            current = None
            continue
        r = _recipient(stripped)
        if r:
            current.append(r)
    return tuple(to), tuple(info)
