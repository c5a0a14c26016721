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
from .normalize import join_wrapped

__all__ = ["paragraphs", "signers", "summary"]

_NUMBERED = re.compile(r"^\s*(?P<pil>¶\s*)?(?P<num>\d{1,3})\s*\.(?!\d)\s*(?P<rest>.*)$")
_MARK = re.compile(
    r"^\(\s*(?P<m>U|C|S|SBU|TS|LOU|FOUO|NF|U/FOUO|SBU/NF|[CS]/(?:NF|REL[A-Z ,/]*|OC|ORCON)"
    r"|[CSU]//?[A-Z]{1,8}|S-NF|C-NF)\s*\)\s*",
    re.I,
)
_HEADING_END = re.compile(r"[.,;:]\s*$")


def _marking(text: str) -> tuple[str | None, str]:
    m = _MARK.match(text)
    if not m:
        return None, text
    mark = re.sub(r"\s+", "", m.group("m").upper()).replace("//", "/").replace("-", "/")
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
    groups: list[list] = []  # [number, marking, blocks: list[list[str]]]
    current: list | None = None
    last = 0
    for line in lines:
        m = _NUMBERED.match(line) if line[:1] in " ¶0123456789\t" else None
        if m:
            n = int(m.group("num"))
            if (m.group("pil") and n > last) or n == last + 1:
                mark, rest = _marking(m.group("rest").strip())
                current = [n, mark, [[rest]] if rest else [[]]]
                groups.append(current)
                last = n
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

_SUMMARY_LABEL = re.compile(
    r"^(?:\(\s*[A-Z/]{1,6}\s*\)\s*)?(?:begin\s+|executive\s+)?summary"
    r"(?:\s+(?:and|&)\s+(?:comment|action(?:\s+request)?|recommendations?|introduction|background))?"
    r"\s*(?::|\.|-{1,2}|;)\s*",
    re.I,
)
_SUMMARY_HEADING = re.compile(r"^(?:executive\s+)?summary(?:\s+and\s+comment)?\s*:?$", re.I)
_SUMMARY_END = re.compile(r"\(?\bend\s+(?:of\s+)?summary\b[.:)\s]*", re.I)


def summary(paras: tuple[Paragraph, ...]) -> str | None:
    """The summary's text without its ``Summary:`` label and ``End summary`` mark."""
    for i, p in enumerate(paras[:12]):
        m = _SUMMARY_LABEL.match(p.text)
        start = None
        if m:
            start = (i, m.end())
        elif p.number is None and _SUMMARY_HEADING.match(p.text) and i + 1 < len(paras):
            start = (i + 1, 0)
        if start is None:
            continue
        parts: list[str] = []
        j, offset = start
        while j < len(paras) and j < start[0] + 8:
            text = paras[j].text[offset:] if j == start[0] else paras[j].text
            end = _SUMMARY_END.search(text)
            if end:
                parts.append(text[: end.start()])
                break
            parts.append(text)
            if not _has_end_ahead(paras, j + 1, start[0] + 8):
                break
            j += 1
        result = re.sub(r"\s+", " ", " ".join(parts)).strip()
        return result or None
    return None


def _has_end_ahead(paras: tuple[Paragraph, ...], j: int, stop: int) -> bool:
    return any(_SUMMARY_END.search(p.text) for p in paras[j:stop])


# --- signature ----------------------------------------------------------------------

_SIGNER = re.compile(r"^[A-Z][A-Za-z'\-]+(?:[ .][A-Z][A-Za-z'\-]+){0,2}\.?$")
_NOT_SIGNER = frozenset(
    """END SUMMARY COMMENT UNQUOTE QUOTE TEXT BT NNNN SIPDIS NOFORN CONFIDENTIAL SECRET
    UNCLASSIFIED UNCLAS LIMDIS EXDIS NODIS MESSAGE NOTE PARTICIPANTS TEL FAX CLEARED DRAFTED
    APPROVED ACTION INFO REFTEL REF SUBJECT TAGS CLASSIFIED DECL SENSITIVE STADIS ORCON
    SEPTEL PARA OK YES NO THANKS REGARDS ENDS END. TO FM RELEASED COMMENT. NONE AND THE
    OF FOR WITH PLEASE ADVISE BEGIN TEXT. FOOTNOTE ATTACHMENT TABLE ANNEX CONCLUSION
    BACKGROUND SUMMARY. ASSESSMENT""".split()
)
_TRAILER = re.compile(
    r"^\s*(?:BT|NNNN|#\d+|\.|END(?:\s+OF)?\s+(?:TEXT|MESSAGE|CABLE)\.?|\(END\s+[A-Z ]+\)\.?|"
    r"(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)"
    r"(?:\s*//?\s*[A-Z ]+)?(?:\s+[A-Z ]+\s+\d+)?)\s*$"
)


def signers(lines: list[str]) -> tuple[tuple[str, ...], int]:
    """The signature at the end of the text, and where it starts.

    :returns: ``(names, index)``: the names in order, and the index of the first line of
        the signature (``len(lines)`` when there is none), so the caller can drop it
        from the last paragraph.
    """
    i = len(lines)
    # Skip trailing blanks and transmission trailers.
    while i > 0 and (not lines[i - 1].strip() or _TRAILER.match(lines[i - 1])):
        i -= 1
    names: list[str] = []
    start = i
    while i > 0 and len(names) < 3:
        line = lines[i - 1].strip()
        if not line:
            i -= 1
            if names:
                break
            continue
        if not _looks_like_signer(line):
            break
        names.insert(0, line.rstrip("."))
        i -= 1
        start = i
    if not names:
        return (), len(lines)
    return tuple(names), start


def _looks_like_signer(line: str) -> bool:
    if len(line) > 40 or not _SIGNER.match(line):
        return False
    words = [w.strip(".").upper() for w in re.split(r"[ .]+", line) if w.strip(".")]
    if any(w in _NOT_SIGNER for w in words):
        return False
    # A signature is a surname in capitals ("GFOELLER", "BOYCE") or a capitalised name;
    # a lower-case word means it is a sentence fragment.
    return all(w[:1].isupper() for w in line.replace(".", " ").split())
