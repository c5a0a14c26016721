"""What ``cables parse --report`` says: counts per format, field completeness, errors.

A :class:`ParseReport` is fed cables and diagnostics as they stream past, so the
report costs no extra memory, and renders itself as text. It is plain data: the CLI
does the printing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .errors import ParseError
from .models import Cable

__all__ = ["FIELDS", "ParseReport"]

#: The fields whose completeness is reported, in report order.
FIELDS = (
    "refid", "created", "origin", "classification", "caveats", "subject", "tags",
    "references", "paragraphs", "signers", "classified_by", "summary", "recipients",
    "info_recipients", "nondisclosure_deadline",
)
_LABELS = {"nondisclosure_deadline": "DECL date", "info_recipients": "info recipients",
           "classified_by": "classified by"}


def _where(error: ParseError) -> str:
    return ":".join(p for p in (error.path, error.location) if p) or "<text>"


@dataclass
class ParseReport:
    """Running totals over a parse."""

    cables: int = 0
    formats: Counter = field(default_factory=Counter)
    filled: Counter = field(default_factory=Counter)
    errors: list[ParseError] = field(default_factory=list)
    notes: list[ParseError] = field(default_factory=list)

    def add(self, cable: Cable) -> None:
        """Count one parsed cable."""
        self.cables += 1
        self.formats[cable.source.format if cable.source else "?"] += 1
        for name in FIELDS:
            if getattr(cable, name):
                self.filled[name] += 1

    def diagnose(self, error: ParseError) -> None:
        """Record one diagnostic (an error, or a ``note:``)."""
        (self.notes if error.reason.startswith("note:") else self.errors).append(error)

    def percent(self, name: str) -> float:
        """Share of cables with ``name`` filled, 0-100."""
        return 100.0 * self.filled[name] / self.cables if self.cables else 0.0

    def render(self) -> str:
        """The report as plain text."""
        lines = [f"cables: {self.cables:,}   errors: {len(self.errors):,}   notes: {len(self.notes):,}"]
        if self.formats:
            lines.append("formats: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.formats.items())))
        lines.append("")
        lines.append("field completeness:")
        for name in FIELDS:
            label = _LABELS.get(name, name.replace("_", " "))
            lines.append(f"  {label:<18} {self.percent(name):6.1f}%  ({self.filled[name]:,})")
        if self.errors:
            lines.append("")
            lines.append("errors:")
            lines.extend(f"  {_where(e)}: {e.reason}" for e in self.errors)
        if self.notes:
            lines.append("")
            lines.append("notes:")
            lines.extend(f"  {_where(e)}: {e.reason[len('note:'):].strip()}" for e in self.notes)
        return "\n".join(lines)
