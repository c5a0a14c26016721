"""Results as HTML tables (Jupyter's ``_repr_html_``) and as plain text: pure.

Every value is escaped here, except a snippet's ``html``, which the snippet builder
(:mod:`search.snippets`) already produced escaped with only ``<mark>`` added.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .results import Hit, ParagraphHit, Results

__all__ = ["results_html", "hit_html", "hit_text"]

_STYLE = (
    "<style>.cs-results td{vertical-align:top;text-align:left}"
    ".cs-results mark{background:#fff2a8;padding:0}"
    ".cs-results .cs-para{color:#666;font-size:90%}</style>"
)


def _para_label(p: "ParagraphHit") -> str:
    label = f"¶{p.number}" if p.number is not None else f"#{p.index + 1}"
    return f"{label} ({p.marking})" if p.marking else label


def _row(hit: "Hit", rank: int | None) -> str:
    date = hit.created.strftime("%Y-%m-%d") if hit.created else ""
    snippets = "<br>".join(
        f"<span class='cs-para'>{escape(_para_label(p))}</span> {p.html}" for p in hit.paragraphs
    )
    cells = [
        "" if rank is None else str(rank),
        f"<b>{escape(hit.refid)}</b>",
        escape(date),
        escape(hit.origin or ""),
        escape(hit.classification or ""),
        escape(hit.subject or "") + (f"<br>{snippets}" if snippets else ""),
        f"{hit.score:.3f}",
    ]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


_HEAD = "<tr><th>#</th><th>refid</th><th>date</th><th>origin</th><th>class.</th><th>subject / best paragraphs</th><th>score</th></tr>"


def hit_html(hit: "Hit") -> str:
    """One hit as a one-row HTML table."""
    return f"{_STYLE}<table class='cs-results'>{_HEAD}{_row(hit, None)}</table>"


def results_html(results: "Results") -> str:
    """A page of results as an HTML table, with the echo, total and notes above it."""
    first = (results.page - 1) * results.page_size
    lines = [
        _STYLE,
        "<div class='cs-results'>",
        f"<p><b>{results.total:,}</b> cables for <code>{escape(results.query)}</code>"
        f" &mdash; {escape(results.echo)}"
        f" (page {results.page} of {results.pages}, by {escape(results.sort)})</p>",
    ]
    if results.suggestion:
        lines.append(f"<p>Did you mean <code>{escape(results.suggestion)}</code>?</p>")
    for note in results.notes:
        lines.append(f"<p><i>{escape(note)}</i></p>")
    lines.append(f"<table class='cs-results'>{_HEAD}")
    lines.extend(_row(h, first + i + 1) for i, h in enumerate(results.hits))
    lines.append("</table></div>")
    return "\n".join(lines)


def hit_text(hit: "Hit", *, width: int = 100) -> str:
    """A hit as a few lines of plain text for the shell: id, date, origin, subject, snippet."""
    date = hit.created.strftime("%Y-%m-%d") if hit.created else "????-??-??"
    head = f"{hit.refid}  {date}  {hit.origin or '?'}  [{hit.classification or '?'}]"
    lines = [head, f"  {hit.subject or '(no subject)'}"]
    for p in hit.paragraphs[:1]:
        text = p.text if len(p.text) <= width else p.text[: width - 1] + "…"
        lines.append(f"  {_para_label(p)}: {text}")
    return "\n".join(lines)
