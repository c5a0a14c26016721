"""The cable text after the preamble: paragraphs, summary, signature.

Paragraph rules, in order of strength:

* ``¶N.`` (the HTML pages' paragraph anchor, already reduced to ``¶``) always starts
  paragraph N when N is larger than the last number;
* a line starting ``N.`` starts paragraph N only when N is the next number (so a
  wrapped line that happens to begin with ``2006.`` or ``3.`` out of turn stays text);
* a leading ``(C)``, ``(S/NF)``, ``(SBU)``... is the paragraph's portion marking;
* blank lines separate blocks; a block's wrapped lines are joined; a short line with
  no closing punctuation just before the next numbered paragraph is a heading, kept
  as an unnumbered paragraph;
* text before ¶1 that isn't preamble is kept as unnumbered paragraphs.
"""

from __future__ import annotations

import re

from .models import Paragraph
from .normalize import REDACTED, join_wrapped

__all__ = ["paragraphs", "signers", "summary"]

# "1. (C) ...", "¶1. ...", and the typo "1, (C) ..." (comma, then a marking).
_NUMBERED = re.compile(r"^\s*(?P<pil>¶\s*)?(?P<num>\d{1,3})\s*(?:\.(?!\d)|,(?=\s*\())\s*(?P<rest>.*)$")
# A portion marking: a level, then optional "/"-separated controls ("S/NF", "C//REL ISAF",
# "S/REL P5+1", "U//FOUO"). Only these levels start one, so "(SECTO)" or "(A)" is text.
_MARK = re.compile(
    r"^\(\s*(?P<m>(?:TS|SBU|LOU|FOUO|U|C|S)(?:\s*(?://?|-)\s*[A-Za-z0-9][A-Za-z0-9 ,+]{0,30}?)?)\s*\)\s*",
    re.I,
)
_HEADING_END = re.compile(r"[.,;:]\s*$")


def _marking(text: str) -> tuple[str | None, str]:
    m = _MARK.match(text)
    if not m:
        return None, text
    mark = re.sub(r"\s*(?://?|-)\s*", "/", m.group("m").upper().strip())
    if mark.endswith("/ENTIRE TEXT"):  # "(C - ENTIRE TEXT)": the whole cable's level
        mark = mark[: -len("/ENTIRE TEXT")]
    mark = re.sub(r"\s+", " ", mark)
    return mark, text[m.end():]


def _is_heading(block: list[str]) -> bool:
    if len(block) != 1:
        return False
    line = block[0].strip()
    words = line.split()
    return 0 < len(words) <= 10 and len(line) <= 80 and not _HEADING_END.search(line) \
        and any(c.isalpha() for c in line) and not line.startswith(("--", "-", "*", "("))


def paragraphs(lines: list[str]) -> tuple[Paragraph, ...]:
    """Split body lines (after the preamble, signature removed) into paragraphs."""
    # Group lines into (number, marking, blocks) with blocks split at blank lines.
    # Candidate paragraph starts: (line index, number, has pilcrow).
    cands: list[tuple[int, int, bool]] = []
    for i, line in enumerate(lines):
        if line[:1] in " ¶0123456789\t":
            m = _NUMBERED.match(line)
            if m:
                cands.append((i, int(m.group("num")), bool(m.group("pil"))))
    # The last candidate position of each number, to ask "does N turn up later?" in O(1).
    final: dict[int, int] = {n: k for k, (_, n, _) in enumerate(cands)}
    starts: dict[int, re.Match] = {}
    last = 0
    for k, (i, n, pil) in enumerate(cands):
        if n == last + 1 or (last < n <= last + (50 if pil else 3) and not any(
                final.get(skipped, -1) > k for skipped in range(last + 1, n))):
            # A jump is taken only when none of the skipped numbers turns up later
            # (so a stray "2006." or a mis-numbered "16" doesn't swallow 11-15).
            starts[i] = _NUMBERED.match(lines[i])
            last = n

    groups: list[list] = []  # [number, marking, blocks: list[list[str]]]
    current: list | None = None
    for i, line in enumerate(lines):
        m = starts.get(i)
        if m:
            mark, rest = _marking(m.group("rest").strip())
            current = [int(m.group("num")), mark, [[rest]] if rest else [[]]]
            groups.append(current)
            continue
        if not line.strip():
            if current is not None and current[2][-1]:
                current[2].append([])
            continue
        if current is None:
            current = [None, None, [[]]]
            groups.append(current)
        current[2][-1].append(line)

    out: list[Paragraph] = []
    for number, mark, blocks in groups:
        blocks = [b for b in blocks if b]
        # A trailing heading belongs to what follows: its own unnumbered paragraph.
        tail: list[list[str]] = []
        while len(blocks) > 1 and _is_heading(blocks[-1]):
            tail.insert(0, blocks.pop())
        if number is None:
            # Unnumbered text: every block its own paragraph.
            for block in blocks:
                _add_unnumbered(out, block)
        else:
            text = "\n".join(join_wrapped("\n".join(b)) for b in blocks).strip()
            out.append(Paragraph(number=number, marking=mark, text=text))
        for block in tail:
            _add_unnumbered(out, block)
    return tuple(out)


def _add_unnumbered(out: list[Paragraph], block: list[str]) -> None:
    text = join_wrapped("\n".join(block))
    if not text:
        return
    mark, rest = _marking(text)
    out.append(Paragraph(number=None, marking=mark, text=rest.strip() if mark else text))


# --- summary ------------------------------------------------------------------------

_LEAD = r"^(?:\d{1,2}\.\s*)?(?:\(?[A-Z/]{1,6}(?:\s*//?\s*[A-Za-z ,]{1,40})?\)\s*)?[-\s]{0,40}"
_SUMMARY_LABEL = re.compile(
    _LEAD + r"(?:(?:begin|executive|introduction\s+and|background\s+and)\s+)?summary"
    r"(?:\s*/\s*introduction|\s+(?:and|&)\s+[A-Za-z ]{3,30}?)?"
    r"(?:\s*(?::|\.|-{1,2}|;)\s*|\s*\n\s*|\s+(?=[A-Z]))",
    re.I,
)
_SUMMARY_HEADING = re.compile(
    _LEAD + r"(?:begin\s+|executive\s+)?summary(?:\s*(?:and|&|/)\s*[A-Za-z ]{1,30})?[-\s:.]*$",
    re.I,
)
_SUMMARY_END = re.compile(r"\(?\bend\s+(?:of\s+)?summary\b[.:)\s]*", re.I)


#: What a _SUMMARY_END match holds, lower-cased: a pattern that starts with fixed letters,
#: which the regex engine finds fast. No letter here has a case variant outside ASCII
#: except "s" (the long s).
_SUMMARY_END_LOWER = re.compile(r"end\s+(?:of\s+)?[s\u017f]ummary")


def _summary_end(text: str) -> re.Match | None:
    """``_SUMMARY_END.search(text)``, started where the lower-cased text has one.

    The case-insensitive pattern has no fixed letters to look for, so its search tries
    every position of the text: on the bench cables' paragraphs, nine times the cost of
    lower-casing the text and finding the fixed pattern there.
    """
    lower = text.lower()
    hint = _SUMMARY_END_LOWER.search(lower)
    if hint is None:
        return None
    # lower() keeps every position unless some character became two; a match starts at
    # most one character (an opening parenthesis) before its lower-cased letters.
    start = max(hint.start() - 1, 0) if len(lower) == len(text) else 0
    return _SUMMARY_END.search(text, start)


def summary(paras: tuple[Paragraph, ...]) -> str | None:
    """The summary's text without its ``Summary:`` label and ``End summary`` mark.

    Found as a paragraph starting ``Summary:`` (also ``Summary and comment:``,
    ``Begin summary.``, ``Introduction and summary:``), or as a ``SUMMARY`` heading
    (its own paragraph, or the last line of the one before) followed by the text. The
    summary runs to ``End summary`` when one follows within a few paragraphs, else it is
    the one paragraph.
    """
    for i, p in enumerate(paras[:15]):
        start = None
        if _SUMMARY_HEADING.match(p.text) and i + 1 < len(paras):
            start = (i + 1, 0)
        else:
            m = _SUMMARY_LABEL.match(p.text)
            if m and m.end() < len(p.text):
                start = (i, m.end())
            elif "\n" in p.text and i + 1 < len(paras) and \
                    _SUMMARY_HEADING.match(p.text.rsplit("\n", 1)[1]):
                start = (i + 1, 0)
        if start is None:
            continue
        first = paras[start[0]]
        if start[1] == 0:
            # A heading's paragraph may itself begin "Summary:".
            m = _SUMMARY_LABEL.match(first.text)
            if m and m.end() < len(first.text):
                start = (start[0], m.end())
        parts: list[str] = []
        j, offset = start
        limit = start[0] + 8
        while j < len(paras) and j < limit:
            text = paras[j].text[offset:] if j == start[0] else paras[j].text
            end = _summary_end(text)
            if end:
                parts.append(text[: end.start()])
                break
            parts.append(text)
            if not _has_end_ahead(paras, j + 1, limit):
                break
            j += 1
        result = " ".join(" ".join(parts).split())
        return result or None
    return _unlabelled_summary(paras)


def _unlabelled_summary(paras: tuple[Paragraph, ...]) -> str | None:
    """A summary with no label but an ``End summary``: paragraph 1 up to the mark."""
    first = next((i for i, p in enumerate(paras[:8]) if p.number is not None), None)
    if first is None:
        return None
    for j in range(first, min(first + 3, len(paras))):
        end = _summary_end(paras[j].text)
        if end:
            parts = [p.text for p in paras[first:j]] + [paras[j].text[: end.start()]]
            result = " ".join(" ".join(parts).split())
            return result or None
    return None


def _has_end_ahead(paras: tuple[Paragraph, ...], j: int, stop: int) -> bool:
    return any(_summary_end(p.text) for p in paras[j:stop])


# --- signature ----------------------------------------------------------------------

_SIGNER = re.compile(r"^[A-Z][A-Za-z'\-]+(?:[ .][A-Z][A-Za-z'\-]+){0,2}\.?$")
_NOT_SIGNER = frozenset(
    """END SUMMARY COMMENT UNQUOTE QUOTE TEXT BT NNNN SIPDIS NOFORN CONFIDENTIAL SECRET
    UNCLASSIFIED UNCLAS LIMDIS EXDIS NODIS MESSAGE NOTE PARTICIPANTS TEL FAX CLEARED DRAFTED
    APPROVED ACTION INFO REFTEL REF SUBJECT TAGS CLASSIFIED DECL SENSITIVE STADIS ORCON
    SEPTEL PARA OK YES NO THANKS REGARDS ENDS END. TO FM RELEASED COMMENT. NONE AND THE
    OF FOR WITH PLEASE ADVISE BEGIN TEXT. FOOTNOTE ATTACHMENT TABLE ANNEX CONCLUSION
    BACKGROUND SUMMARY. ASSESSMENT ENDS BREAK COMMENTS TALKING POINTS RESEARCH BIO NOTES
    INTRODUCTION RECOMMENDATION RECOMMENDATIONS CONCLUSIONS ANALYSIS DETAILS ISSUES
    KEY UPDATE OVERVIEW POST MINIMIZE MINIMIZED CONSIDERED""".split()
)
# Transmission and WikiLeaks trailers after the text. Each pattern is simple and
# anchored (a single big alternation with nested "[A-Z ]+" backtracked cubically on long
# lines: found by fuzzing).
_TRAILER_MATCH = tuple(re.compile(p, re.I) for p in (
    r"^\s*(?:BT|NNNN|#\d+|\.|>)\s*$",
    r"^\s*END(?:\s+OF)?\s+(?:TEXT|MESSAGE|CABLE)[A-Z .]{0,40}$",
    r"^\s*\(END\s[A-Z ]{1,40}\)\.?\s*$",
    r"^\s*(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)"
    r"(?:\s?//?\s?[A-Z]+(?: [A-Z]+){0,4})?(?: +[A-Z]+(?: [A-Z]+){0,3} +\d{1,7})?\s*>?\s*$",
    r"^\s*[*=_-]{5,}",
    r"^\W*visit\b",
    r"^\s*Declassified/Released\b",
    r"^\s*Systematic Review\b",
    r"^\s*SELECT \* FROM ",
    r"^\s*MINIMI[ZS]ED?\s+CONSIDERED\.?\s*$",
    r"^\s*GP-\d\.?\s*$",
    r"^\s*\S*[/:]\S*\s*$",
))
_TRAILER_SEARCH = tuple(re.compile(p, re.I) for p in (
    r"\S@\S|\s@\s",
    r"\bclassified\s+web\s*site\b",
    r"\bvisit\s*:",
    r"https?://\S*(?:\s+\S+)?\s*$",
))
# Noise after a signature that lost its own line: "LEBARON NNNN End Cable Text".
_TAIL_TOKEN = re.compile(r"\s+(?:NNNN|BT|>|UNCLASSIFIED|CONFIDENTIAL|SECRET)\s*$", re.I)
_END_CABLE_TEXT = re.compile(r"\s+END\s+CABLE\s+TE", re.I)


def _strip_tail_noise(line: str) -> str:
    m = _END_CABLE_TEXT.search(line)
    if m:
        line = line[: m.start()]
    while True:
        m = _TAIL_TOKEN.search(line)
        if not m:
            return line
        line = line[: m.start()]


# A name glued to the end of the last sentence: "... cleared this cable. SOLOMONT".
_INLINE_SIGNER = re.compile(
    r"^(?P<text>.*(?:[.!?\"')\]:]|://\S+))\s+(?P<name>[A-Z][A-Za-z'\-]{2,}(?:\s[A-Z][A-Z'\-]{2,})?)$"
)


def signers(lines: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """The signature at the end of the text, and the lines without it.

    A signature is the last line(s) of the text when they hold only a name
    (``GFOELLER``, ``RICE``), after transmission trailers (``NNNN``, ``BT``, "Visit our
    classified website" lines) are set aside; or a capitalised name glued to the end of
    the last sentence when the page lost the line break (``... this cable. SOLOMONT``).
    """
    i = len(lines)
    while i > 0 and (not lines[i - 1].strip() or _is_trailer(lines[i - 1])):
        i -= 1
    block: list[tuple[int, str, str]] = []  # (line index, name, raw line), bottom-up
    start = i
    while i > 0 and len(block) < 4:
        line = lines[i - 1].strip()
        if not line:
            i -= 1
            if block:
                break
            continue
        raw = line
        line = _dedupe_words(_MINIMIZE.sub("", line).rstrip(" ."))
        if not (_looks_like_signer(line) or line == REDACTED):
            break
        block.append((i - 1, line, raw))
        i -= 1
        start = i
    block.reverse()
    if block:
        # The line above must end a sentence; otherwise the block's first line is the
        # end of that sentence ("... and\n\nMunich\nKoenig"), not a name.
        above = next((lines[k].strip() for k in range(start - 1, -1, -1) if lines[k].strip()), "")
        first, first_raw = block[0][1], block[0][2]
        # ... unless the first line is a surname in capitals below mixed-case text (a
        # list of participants, then "CLINTON"): capitals are then the signature's own.
        caps_below_mixed = first.isupper() and not first_raw.endswith(".") and not above.isupper()
        if above and not (_ENDS_SENTENCE.search(above[-200:]) or above.endswith(REDACTED)
                          or _is_trailer(above) or caps_below_mixed or above == first):
            block = block[1:]
            if block:
                start = block[0][0]  # the dropped line stays in the text
    names = tuple(dict.fromkeys(t for _, t, _ in block if t != REDACTED))
    if names:
        return names, lines[:start]
    if start == 0:
        return (), lines
    whole = lines[start - 1].rstrip()
    cut = max(0, len(whole) - 300)  # a signature is at the very end: look only there
    last = _strip_tail_noise(whole[cut:])
    m = _INLINE_SIGNER.match(last)
    if m:
        name = m.group("name")
        has_lower = any(c.islower() for c in m.group("text"))
        # In mixed-case text a signature is in capitals; a capitalised word is only a
        # signature in the lower-cased variant of a page, where nothing is in capitals.
        ok = name.isupper() or (has_lower and not _has_caps_words(lines[:start]))
        if ok and all(w.upper() not in _NOT_SIGNER for w in name.split()):
            return (name,), lines[: start - 1] + [whole[:cut] + m.group("text")]
    return (), lines


# Prefixes a signature line may carry: "MINIMIZE CONSIDERED SHANNON", "GP-3 SACCIO".
_MINIMIZE = re.compile(r"^(?:MINIMIZE\s+CONSIDERED|GP-\d)\s+", re.I)
# The line above a signature ends a sentence, or a block the cables close in words.
_ENDS_SENTENCE = re.compile(
    r"(?:[.!?:;\"')\]>]|\bEND\s+(?:OF\s+)?(?:COMMENT|SUMMARY|TEXT|MESSAGE|CABLE)|\bUNQUOTE)\s*$", re.I)


def _is_trailer(line: str) -> bool:
    # Trailers are short; checking long prose lines would only cost time.
    if len(line) > 300:
        return False
    return any(p.match(line) for p in _TRAILER_MATCH) or any(p.search(line) for p in _TRAILER_SEARCH)


def _dedupe_words(line: str) -> str:
    # "KUBISKE KUBISKE": the page repeated the signature.
    words = line.split()
    if len(words) == 2 and words[0].upper() == words[1].upper():
        return words[0]
    return line


def _has_caps_words(lines: list[str]) -> bool:
    # Capitalised acronyms (USG, NGO) are everywhere; a sentence-cased page has few.
    sample = " ".join(lines[-40:])
    caps = sum(1 for w in sample.split() if len(w) > 3 and w.isalpha() and w.isupper())
    return caps > 3


def _looks_like_signer(line: str) -> bool:
    if len(line) > 40 or not _SIGNER.match(line):
        return False
    words = [w.strip(".").upper() for w in re.split(r"[ .]+", line) if w.strip(".")]
    if any(w in _NOT_SIGNER for w in words):
        return False
    # A signature is a surname in capitals ("GFOELLER", "BOYCE", "TIMKEN JR"), or one
    # capitalised surname ("Beyrle"); several capitalised words ("Alexei Markov",
    # "Defense Alexander Vershbow.") are the end of a list or a sentence.
    parts = line.replace(".", " ").split()
    if not line.isupper() and len(parts) > 1:
        return False
    return all(w[:1].isupper() for w in parts)
