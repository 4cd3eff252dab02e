"""Report text as HTML with spans marked: every character escaped, marks never nested wrongly.

Spans may overlap (a place inside an event's quote, two events sharing words). The text is cut
at every span boundary and each piece is wrapped in the marks that cover it, so the HTML is
always well formed whatever the spans.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class Mark:
    """A span of the text to mark: ``kind`` is ``event``, ``focus`` (the event in view) or
    ``place``; ``href`` and ``title`` are optional."""

    start: int
    end: int
    kind: str
    href: str | None = None
    title: str | None = None


def marked(text: str, marks: Sequence[Mark], *, offset: int = 0) -> Markup:
    """Return ``text`` (which starts at ``offset`` of the body the marks' offsets refer to)
    as HTML with each mark's span wrapped in ``<mark>``; links for marks with an ``href``."""
    end_all = offset + len(text)
    inside = [m for m in marks if m.start < end_all and m.end > offset and m.end > m.start]
    cuts = sorted({offset, end_all, *(max(offset, min(end_all, x))
                                      for m in inside for x in (m.start, m.end))})  # fmt: skip
    out: list[str] = []
    for a, b in itertools.pairwise(cuts):
        piece = escape(text[a - offset : b - offset], quote=False)
        covering = [m for m in inside if m.start <= a and m.end >= b]
        if not covering:
            out.append(piece)
            continue
        kinds = sorted({m.kind for m in covering})
        link = next((m for m in covering if m.href and m.kind != "place"), None) or next(
            (m for m in covering if m.href), None
        )
        titles = "; ".join(dict.fromkeys(m.title for m in covering if m.title))
        attrs = f' class="{" ".join(kinds)}"'
        if titles:
            attrs += f' title="{escape(titles)}"'
        html = f"<mark{attrs}>{piece}</mark>"
        if link is not None and link.href:
            html = f'<a href="{escape(link.href)}">{html}</a>'
        out.append(html)
    return Markup("".join(out))


def paragraphs(body: str) -> list[tuple[int, str]]:
    """Return the body's paragraphs (split at blank lines, else at line breaks) with their
    start offsets."""
    sep = "\n\n" if "\n\n" in body else "\n"
    out = []
    pos = 0
    for part in body.split(sep):
        if part.strip():
            out.append((pos, part))
        pos += len(part) + len(sep)
    return out


def paragraph_of(body: str, start: int, end: int) -> tuple[int, str]:
    """Return (offset, text) of the stretch of paragraphs that holds [start, end)."""
    parts = paragraphs(body)
    first = next((p for p in reversed(parts) if p[0] <= start), (0, ""))
    last = next((p for p in parts if p[0] + len(p[1]) >= end), (len(body), ""))
    a = first[0]
    b = max(last[0] + len(last[1]), end)
    return a, body[a:b]
