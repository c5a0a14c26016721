"""Synthesize realistic Cablegate-scale corpora as a WikiLeaks-style ``cables.csv``.

The skeleton is real: every refid and month comes from ``shared/corpus/cable-ids.csv``
(all 251,287 of them, or a seeded sample stratified by station and year that keeps their
distribution). The flesh is recombined from the 1,295 real cable pages, read at synth
time (:mod:`bench.pool`): each synthetic cable takes a *donor* page, preferably from its
own station, for its subject, TAGS and about half of its paragraphs, and fills the rest
with paragraphs drawn from the whole pool, until it reaches a length drawn from a
log-normal whose mean is the real corpus' 6.5 KB. Header lines (classification line,
SIPDIS, ``E.O. 12958: DECL``, TAGS, SUBJECT, ``REF`` lines citing earlier synthetic
cables, ``Classified By``), portion markings, section breaks and the routing block are
generated to match the cable's classification and station.

Every cable is generated from its own RNG, seeded by ``(seed, refid)``, so a cable has the
same text in the 25k, 100k and full corpora except for its references, which cite cables
of the same corpus. Output is streamed; memory stays bounded by the pool and the id list.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .cablecsv import format_row
from .pool import Pool, load_pool, station_of

__all__ = ["SynthStats", "classification_for", "distribution_summary", "load_ids", "sample_ids",
           "synthesize", "write_corpus"]

SYNTH_VERSION = 1  # bump when the generated text changes, so cached corpora are remade
MEAN_CONTENT_BYTES = 6500
_SIGMA = 0.75  # log-normal spread; real cables run from a few lines to 60+ KB

# The published Cablegate totals by classification (251,287 cables in all).
CLASSIFICATIONS = (
    ("UNCLASSIFIED", 75792),
    ("UNCLASSIFIED//FOR OFFICIAL USE ONLY", 58095),
    ("CONFIDENTIAL", 97070),
    ("CONFIDENTIAL//NOFORN", 4678),
    ("SECRET", 11322),
    ("SECRET//NOFORN", 4330),
)
_CLASS_NAMES = [c for c, _ in CLASSIFICATIONS]
_CLASS_CUM = []
_total = 0
for _c, _n in CLASSIFICATIONS:
    _total += _n
    _CLASS_CUM.append(_total)

# Portion markings per cable classification: (marking or None, weight).
_MARKINGS = {
    "UNCLASSIFIED": ((None, 6), ("U", 2), ("SBU", 2)),
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": (("SBU", 7), ("U", 2), (None, 1)),
    "CONFIDENTIAL": (("C", 15), ("SBU", 3), ("U", 2)),
    "CONFIDENTIAL//NOFORN": (("C/NF", 10), ("C", 6), ("U", 1)),
    "SECRET": (("S", 12), ("C", 5), ("U", 3)),
    "SECRET//NOFORN": (("S/NF", 12), ("S", 4), ("C", 3), ("U", 1)),
}
_SPACED = {"CONFIDENTIAL": "C O N F I D E N T I A L", "SECRET": "S E C R E T"}
_ZNY = {"UNCLASSIFIED": "UUUUU", "CONFIDENTIAL": "CCCCC", "SECRET": "SSSSS"}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_INFO = (
    "RUEHZL/EUROPEAN POLITICAL COLLECTIVE", "RUEHXK/ARAB ISRAELI COLLECTIVE",
    "RUCNMEM/EU MEMBER STATES COLLECTIVE", "RUEHZO/AFRICAN UNION COLLECTIVE",
    "RUEHWH/WESTERN HEMISPHERIC AFFAIRS DIPL POSTS", "RUEKJCS/SECDEF WASHDC",
    "RHEHNSC/NSC WASHDC", "RUEATRS/DEPT OF TREASURY WASHDC", "RUCPDOC/DEPT OF COMMERCE WASHDC",
    "RUEAIIA/CIA WASHDC", "RHEFDIA/DIA WASHINGTON DC", "RUEHGV/USMISSION GENEVA",
    "RUCNDT/USMISSION USUN NEW YORK", "RUEHBS/USEU BRUSSELS",
)
_PRECEDENCE = (("R", "RR", "ROUTINE", 6), ("P", "PP", "PRIORITY", 3), ("O", "OO", "IMMEDIATE", 1))


@dataclass
class SynthStats:
    """What a synthesis run produced.

    :param cables: rows written.
    :param bytes: size of the CSV file.
    :param content_bytes: UTF-8 bytes of the ``content`` column, summed.
    :param header_bytes: UTF-8 bytes of the ``header`` column, summed.
    :param seconds: wall time, including reading the pool.
    :param sha256: digest of the CSV (equal seeds give equal digests).
    """

    cables: int
    bytes: int
    content_bytes: int
    header_bytes: int
    seconds: float
    sha256: str

    @property
    def mean_content_bytes(self) -> float:
        """Mean ``content`` size per cable, the figure compared with the real 6.5 KB."""
        return self.content_bytes / self.cables if self.cables else 0.0


def load_ids(path: Path) -> list[tuple[str, int]]:
    """``(refid, month)`` pairs of ``cable-ids.csv``, in file order."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            refid, _, month = line.strip().rpartition(",")
            if refid and month.isdigit():
                out.append((refid, int(month)))
    return out


def _year(refid: str) -> int:
    yy = int(refid[:2])
    return 1900 + yy if yy >= 50 else 2000 + yy


def _key(seed: int, refid: str) -> bytes:
    return hashlib.blake2b(f"{seed}:{refid}".encode(), digest_size=8).digest()


def sample_ids(ids: list[tuple[str, int]], n: int, seed: int) -> list[tuple[str, int]]:
    """A deterministic sample of ``n`` ids that keeps the station x year distribution.

    Each (station, year) stratum gets its proportional share, rounded by largest
    remainder; within a stratum the cables are chosen by a seeded hash of the refid.
    The sample keeps the file order. ``n >= len(ids)`` returns all ids.
    """
    if n >= len(ids):
        return list(ids)
    strata: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, (refid, _month) in enumerate(ids):
        strata[(station_of(refid), _year(refid))].append(i)
    total = len(ids)
    quota: dict[tuple[str, int], int] = {}
    remainders = []
    for key, members in strata.items():
        exact = len(members) * n / total
        quota[key] = int(exact)
        remainders.append((exact - int(exact), _key(seed, f"{key[0]}{key[1]}"), key))
    short = n - sum(quota.values())
    for _frac, _tie, key in sorted(remainders, reverse=True)[:short]:
        quota[key] += 1
    chosen: list[int] = []
    for key, members in strata.items():
        members = sorted(members, key=lambda i: _key(seed, ids[i][0]))
        chosen.extend(members[: quota[key]])
    chosen.sort()
    return [ids[i] for i in chosen]


def classification_for(rng: random.Random) -> str:
    """A classification drawn with the published Cablegate proportions."""
    x = rng.random() * _total
    for name, cum in zip(_CLASS_NAMES, _CLASS_CUM):
        if x < cum:
            return name
    return _CLASS_NAMES[-1]


def _weighted(rng: random.Random, options) -> object:
    total = sum(w for *_, w in options)
    x = rng.random() * total
    for *value, w in options:
        if x < w:
            return value[0] if len(value) == 1 else tuple(value)
        x -= w
    return options[-1][0]


def _post_name(origin: str, station: str) -> str:
    for prefix in ("Embassy ", "Consulate ", "Mission ", "USUN ", "US Mission "):
        if origin.startswith(prefix):
            return origin[len(prefix):].upper()
    if origin == "Secretary of State":
        return "STATE"
    return station


def _from_line(origin: str, post: str) -> str:
    if origin.startswith("Embassy "):
        return f"AMEMBASSY {post}"
    if origin.startswith("Consulate "):
        return f"AMCONSUL {post}"
    if origin == "Secretary of State":
        return "SECSTATE WASHDC"
    return origin.upper()


def _route(station: str) -> str:
    h = hashlib.blake2b(station.encode(), digest_size=2).digest()
    return "RUEH" + _LETTERS[h[0] % 26] + _LETTERS[h[1] % 26]


class _Generator:
    """Makes one CSV row per id; holds the pool and the refs seen so far."""

    def __init__(self, pool: Pool, seed: int):
        self.pool = pool
        self.seed = seed
        self.by_station: dict[str, list[str]] = defaultdict(list)
        self.recent: list[str] = []
        # Measured on 5,000 cables: section lines, signers and multi-byte punctuation
        # add about 4% to the drawn length, so aim that much lower.
        self.mu = math.log(MEAN_CONTENT_BYTES / 1.04) - _SIGMA**2 / 2

    def origin(self, station: str) -> str:
        if station == "STATE":
            return "Secretary of State"
        return self.pool.origins.get(station) or f"Embassy {station.title()}"

    def row(self, number: int, refid: str, month: int) -> list[str]:
        rng = random.Random(f"{self.seed}:{refid}")
        station = station_of(refid)
        origin = self.origin(station)
        post = _post_name(origin, station)
        year = _year(refid)
        day, hour, minute = rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
        classification = classification_for(rng)
        level = classification.split("//")[0]
        serial = int(re.sub(r"\D", "", refid[2:])[-6:] or 0)
        refs = self._references(rng, station, refid)
        target = min(60000, max(500, int(rng.lognormvariate(self.mu, _SIGMA))))

        donors = self.pool.by_station.get(station)
        if donors and rng.random() < 0.8:
            donor = self.pool.donors[rng.choice(donors)]
        else:
            donor = rng.choice(self.pool.donors)
        subject = donor.subject or rng.choice(self.pool.donors).subject or "(NO SUBJECT)"
        tags = donor.tags or "PREL, PGOV"

        head = self._content_head(rng, classification, level, post, serial, year, month, day,
                                  tags, subject, refs, donor.classified_by)
        paragraphs = self._paragraphs(rng, donor, classification, target - len(head))
        content = self._with_sections(head, paragraphs, level, post, serial, donor.signer)
        header = self._routing(rng, origin, post, level, serial, year, month, day, hour, minute)
        date = f"{month}/{day}/{year} {hour}:{minute:02d}"
        self.by_station[station].append(refid)
        self.recent.append(refid)
        if len(self.recent) > 2000:
            del self.recent[:1000]
        return [str(number), date, refid, origin, classification, ",".join(refs), header, content]

    def _references(self, rng: random.Random, station: str, refid: str) -> list[str]:
        if rng.random() > 0.5:
            return []
        out: list[str] = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
            same = self.by_station.get(station)
            x = rng.random()
            if same and x < 0.6:
                cand = rng.choice(same[-300:])
            elif self.by_station.get("STATE") and x < 0.85:
                cand = rng.choice(self.by_station["STATE"][-300:])
            elif self.recent:
                cand = rng.choice(self.recent)
            else:
                continue
            if cand != refid and cand not in out:
                out.append(cand)
        return out

    def _content_head(self, rng, classification, level, post, serial, year, month, day,
                      tags, subject, refs, classified_by) -> list[str]:
        lines = []
        mark = _SPACED.get(level, "UNCLAS")
        lines.append(f"{mark} {post} {serial:06d}")  # SECTION NN OF MM added later if long
        lines.append("")
        if classification.endswith("NOFORN"):
            lines += ["NOFORN", ""]
        if "OFFICIAL USE" in classification:
            lines += ["SENSITIVE", ""]
        lines += ["SIPDIS", ""]
        if level == "UNCLASSIFIED":
            lines.append("E.O. 12958: N/A")
        else:
            lines.append(f"E.O. 12958: DECL: {month:02d}/{day:02d}/{year + 10}")
        lines.append(f"TAGS: {tags}")
        lines.append(f"SUBJECT: {subject}")
        lines.append("")
        if refs:
            cited = []
            for ref in refs:
                m = re.match(r"^(\d\d)([A-Z]+?)(\d+)", ref)
                if not m:
                    continue
                yy, st, num = m.groups()
                st = "STATE" if st == "STATE" else _post_name(self.origin(st), st)
                cited.append(f"{st} {int(num)}" if int(yy) == year % 100 else f"{yy} {st} {int(num)}")
            if len(cited) == 1:
                lines.append(f"REF: {cited[0]}")
            elif cited:
                lines.append(f"REF: A. {cited[0]}")
                lines += [f"     {_LETTERS[i]}. {c}" for i, c in enumerate(cited[1:], 1)]
            lines.append("")
        if level != "UNCLASSIFIED":
            by = classified_by or rng.choice(self.pool.donors).classified_by
            if by:
                lines += [f"Classified By: {by}", ""]
        return lines

    def _paragraphs(self, rng, donor, classification, budget: int) -> list[str]:
        out: list[str] = []
        used = 0
        number = 0
        d_paras = donor.paragraphs
        d_i = 0
        marks = _MARKINGS[classification]
        while used < budget or not out:
            if d_i < len(d_paras) and (d_i == 0 or rng.random() < 0.5):
                numbered, _mark, text = d_paras[d_i]
                d_i += 1
            else:
                numbered, _mark, text = rng.choice(self.pool.paragraphs)
            if out and used + len(text) / 2 > budget:
                break  # stop nearest the drawn length, so the mean lands on target
            if numbered:
                number += 1
                marking = _weighted(rng, marks)
                lead = f"{number}. ({marking}) " if marking else f"{number}. "
                text = lead + text
            out.append(text)
            used += len(text) + 2
        return out

    def _with_sections(self, head, paragraphs, level, post, serial, signer) -> str:
        body_len = sum(len(p) + 2 for p in paragraphs)
        sections = max(1, math.ceil((sum(len(x) + 1 for x in head) + body_len) / 5500))
        if sections > 1:
            head = list(head)
            head[0] = head[0].replace(f" {post} ", f" SECTION 01 OF {sections:02d} {post} ", 1)
        while head and not head[-1]:
            head = head[:-1]
        parts = ["\n".join(head)]
        size = len(parts[0])
        section = 1
        for para in paragraphs:
            if sections > 1 and size > 5500 * section and section < sections:
                section += 1
                parts.append(f"{post} {serial:08d}  {section:03d} OF {sections:03d}")
            parts.append(para)
            size += len(para) + 2
        if signer:
            parts.append(signer)
        return "\n\n".join(parts) + "\n"

    def _routing(self, rng, origin, post, level, serial, year, month, day, hour, minute) -> str:
        flag, prec2, word = _weighted(rng, _PRECEDENCE)
        route = _route(post)
        julian = (month - 1) * 30 + day
        dtg = f"{day:02d}{hour:02d}{minute:02d}Z {_MONTHS[month - 1]} {year % 100:02d}"
        lines = [
            f"VZCZCXRO{rng.randint(0, 9999):04d}",
            f"{prec2} {route} " + " ".join(_route(str(rng.random())) for _ in range(rng.randint(0, 4))),
            f"DE {route} #{serial % 10000:04d}/01 {julian:03d}{hour:02d}{minute:02d}",
            f"ZNY {_ZNY[level]} ZZH",
            f"{flag} {dtg}",
            f"FM {_from_line(origin, post)}",
        ]
        if origin == "Secretary of State":
            lines.append(f"TO RUEHXX/ALL DIPLOMATIC AND CONSULAR POSTS {word}")
        else:
            lines.append(f"TO RUEHC/SECSTATE WASHDC {word} {rng.randint(1, 9999):04d}")
        info = rng.sample(_INFO, rng.randint(0, 5))
        if info:
            lines.append(f"INFO {info[0]} {word}")
            lines += [f"{x} {word}" for x in info[1:]]
        return "\n".join(line.rstrip() for line in lines)


def write_corpus(out: TextIO, ids: list[tuple[str, int]], pool: Pool, seed: int,
                 numbers: dict[str, int] | None = None) -> tuple[int, int, int]:
    """Write one CSV row per id to ``out``; return (rows, content bytes, header bytes).

    :param numbers: refid -> running ``id`` column value (the position in the full id
        list, so a cable keeps its id across corpus sizes); defaults to 1, 2, ...
    """
    gen = _Generator(pool, seed)
    content_bytes = header_bytes = 0
    for i, (refid, month) in enumerate(ids, 1):
        row = gen.row(numbers.get(refid, i) if numbers else i, refid, month)
        header_bytes += len(row[6].encode("utf-8"))
        content_bytes += len(row[7].encode("utf-8"))
        out.write(format_row(row))
    return len(ids), content_bytes, header_bytes


def synthesize(size: int, out_path: Path, shared: Path, seed: int = 1, force: bool = False,
               progress: TextIO | None = sys.stderr) -> SynthStats:
    """Make ``out_path`` (a ``cables.csv`` of ``size`` cables) unless an identical one exists.

    A ``<out_path>.meta.json`` records size, seed, version and digest; when it matches,
    the existing corpus is reused.

    :param shared: the ``shared`` directory (``corpus/cable-ids.csv`` and
        ``corpus/cablegate-html`` under it).
    """
    out_path = Path(out_path)
    meta_path = out_path.with_name(out_path.name + ".meta.json")
    if not force and meta_path.exists() and out_path.exists():
        meta = json.loads(meta_path.read_text())
        if (meta.get("size"), meta.get("seed"), meta.get("version")) == (size, seed, SYNTH_VERSION) \
                and meta.get("bytes") == out_path.stat().st_size:
            if progress:
                print(f"synth: reusing {out_path} ({meta['cables']} cables)", file=progress)
            return SynthStats(**{k: meta[k] for k in SynthStats.__dataclass_fields__})
    started = time.perf_counter()
    ids_all = load_ids(shared / "corpus" / "cable-ids.csv")
    numbers = {refid: i for i, (refid, _m) in enumerate(ids_all, 1)}
    ids = sample_ids(ids_all, size, seed)
    pool = load_pool(shared / "corpus" / "cablegate-html")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="", buffering=1 << 20) as fh:
        rows, content_bytes, header_bytes = write_corpus(fh, ids, pool, seed, numbers)
    tmp.replace(out_path)
    digest = hashlib.sha256()
    with open(out_path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    stats = SynthStats(rows, out_path.stat().st_size, content_bytes, header_bytes,
                       time.perf_counter() - started, digest.hexdigest())
    meta = {"size": size, "seed": seed, "version": SYNTH_VERSION, **stats.__dict__,
            "mean_content_bytes": stats.mean_content_bytes}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    if progress:
        print(f"synth: {rows} cables -> {out_path} ({stats.bytes / 1e6:.0f} MB, "
              f"mean content {stats.mean_content_bytes:,.0f} B/cable, "
              f"{stats.seconds:.1f} s)", file=progress)
    return stats


def distribution_summary(ids: list[tuple[str, int]], top: int = 5) -> dict[str, list]:
    """The commonest stations and years of an id list (to check a sample's shape)."""
    stations = Counter(station_of(r) for r, _ in ids)
    years = Counter(_year(r) for r, _ in ids)
    return {"stations": stations.most_common(top), "years": years.most_common(top)}
