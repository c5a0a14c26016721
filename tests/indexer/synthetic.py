"""Small generated cables for index tests: deterministic, written by us, any number of them."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from indexer.models import Cable, Paragraph

_WORDS = (
    "embassy ministry talks nuclear trafficking visa election parliament border trade "
    "minister ambassador security reform energy refugees police court budget treaty "
    "delegation opposition protest customs fisheries drought harbor railway"
).split()
_STATIONS = ("BANGKOK", "ANKARA", "TOKYO", "AMMAN", "STATE", "BERLIN")


def cable(
    refid: str,
    *paragraphs: str | tuple[str | None, str],
    references: tuple[str, ...] = (),
    subject: str | None = None,
    created: datetime | None = None,
    tags: tuple[str, ...] = ("PREL",),
    classification: str = "CONFIDENTIAL",
) -> Cable:
    """A cable whose paragraphs are ``text`` or ``(marking, text)``, numbered from 1."""
    paras = []
    for i, p in enumerate(paragraphs, 1):
        marking, text = p if isinstance(p, tuple) else ("C", p)
        paras.append(Paragraph(i, marking, text))
    yy = int(refid[:2])
    return Cable(
        refid=refid,
        created=created or datetime(2000 + yy if yy < 50 else 1900 + yy, 3, 4, 5, 6),
        origin="Embassy " + refid[2:].rstrip("0123456789").title(),
        classification=classification,
        caveats=("SIPDIS",),
        subject=subject or f"Subject of {refid}",
        tags=tags,
        references=references,
        body="\n\n".join(p.text for p in paras),
        paragraphs=tuple(paras),
    )


def generated(n: int, seed: int = 7, words: int = 120, refs: bool = True) -> list[Cable]:
    """``n`` cables with random words, 2-4 paragraphs each, citing earlier ones."""
    rng = random.Random(seed)
    out: list[Cable] = []
    for i in range(n):
        station = _STATIONS[i % len(_STATIONS)]
        refid = f"{5 + i % 5:02d}{station}{1000 + i}"
        paras = []
        for _ in range(rng.randint(2, 4)):
            paras.append((rng.choice(["C", "S", "U", "S/NF"]), " ".join(rng.choices(_WORDS, k=words // 3))))
        cited = tuple(rng.sample([c.refid for c in out], min(len(out), rng.randint(0, 2)))) if refs else ()
        out.append(cable(refid, *paras, references=cited))
    return out


def write_jsonl(path: Path, cables: list[Cable], bad_lines: dict[int, str] | None = None) -> Path:
    """Write ``cables`` as JSON Lines; ``bad_lines`` inserts raw text before line N (1-based)."""
    bad_lines = bad_lines or {}
    lines = [c.to_json() for c in cables]
    for at in sorted(bad_lines, reverse=True):
        lines.insert(at - 1, bad_lines[at])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
