"""Which time an event takes, and what date a report without one was probably written.

An event takes its time from the expression governing its clause, else from its sentence,
else from the report's context (the latest date before it in its paragraph, then in the
report), else none. The publication date is never used silently: a caller that falls back
on it gets ``source="publication"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from nkwatch.model import TimeExpression, TimeSpan

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Expressions that frame a clause without dating its event: a deadline ("by July 31"), a
# condition ("after October 20"), the date of a law the event is done under, the time of what
# it is compared with ("up from 30 percent last autumn"), the day a source spoke.
CONDITIONS = {"deadline", "after", "attribute", "comparison", "reported"}
# Absolute expressions precise enough to say when a report was at the earliest written.
STRONG_RULES = {"iso", "mdy", "dmy", "md_range", "dm_range", "my"}


@dataclass(frozen=True, slots=True)
class TimeAssignment:
    """The time an event takes and where it came from (``clause``, ``sentence``,
    ``context``, ``publication`` or ``none``)."""

    span: TimeSpan | None
    source: str
    expression: TimeExpression | None = None


@dataclass(frozen=True, slots=True)
class DateEstimate:
    """A report's own date when its metadata lacks one: not before ``earliest``."""

    earliest: str
    evidence: str
    estimated: bool = True


def _dated(times: list[TimeExpression]) -> list[TimeExpression]:
    return [t for t in times if t.kind == "date" and t.span is not None]


def time_for_span(
    text: str,
    times: list[TimeExpression],
    sentences: list[tuple[int, int]],
    start: int,
    end: int,
    *,
    event_type: str | None = None,
    published: str | None = None,
    anchor: int | None = None,
) -> TimeAssignment:
    """Return the time of the event stated by ``text[start:end]``.

    ``sentences`` are the (start, end) offsets of the text's sentences. ``event_type`` applies
    the codebook's conventions: a ``LEGISLATION`` event takes the date of its law (§8.3); an
    ``AMNESTY`` offer runs until its deadline (§4). When nothing in the text dates the event
    and ``published`` is given, the publication day is returned with ``source="publication"``
    so that the caller can say so. ``anchor`` is where the event's word is: of several times in
    the clause, the nearest to it dates the event ("in February, after an inspection in
    January": the inspection was in January).
    """
    dated = _dated(times)
    inside = [t for t in dated if t.start < end and t.end > start]
    if event_type == "LEGISLATION":
        laws = [t for t in inside if t.role == "attribute"]
        if laws:
            return TimeAssignment(laws[0].span, "clause", laws[0])
    found = _time_for_span(text, dated, inside, sentences, start, end, anchor)
    if event_type == "AMNESTY":
        found = _until_deadline(found, dated, inside, sentences, start)
    if found.span is None and published:
        return TimeAssignment(TimeSpan(published, published, "day"), "publication")
    return found


def _until_deadline(
    found: TimeAssignment,
    dated: list[TimeExpression],
    inside: list[TimeExpression],
    sentences: list[tuple[int, int]],
    start: int,
) -> TimeAssignment:
    """Return an offer's time stretched to the deadline its clause or sentence states."""
    sentence = next(((s, e) for s, e in sentences if s <= start < e), None)
    deadlines = [t for t in inside if t.role == "deadline"] or [
        t for t in dated
        if sentence and sentence[0] <= t.start < sentence[1] and t.role == "deadline"
    ]  # fmt: skip
    if not deadlines or deadlines[0].span is None:
        return found
    deadline = deadlines[0].span
    if found.span is None or found.span.start > deadline.end:
        return TimeAssignment(deadline, "clause", deadlines[0])
    precision = found.span.precision if found.span.precision != "year" else deadline.precision
    return TimeAssignment(
        TimeSpan(found.span.start, deadline.end, precision), found.source, found.expression
    )


def _time_for_span(
    text: str,
    dated: list[TimeExpression],
    inside: list[TimeExpression],
    sentences: list[tuple[int, int]],
    start: int,
    end: int,
    anchor: int | None = None,
) -> TimeAssignment:
    firm = [t for t in inside if t.role not in CONDITIONS]
    if firm:
        if anchor is not None and len(firm) > 1:
            nearest = min(firm, key=lambda t: abs(_distance(t, anchor, anchor)))
            return TimeAssignment(nearest.span, "clause", nearest)
        return TimeAssignment(firm[0].span, "clause", firm[0])
    sentence = next(((s, e) for s, e in sentences if s <= start < e), (start, end))
    around = [t for t in dated if sentence[0] <= t.start < sentence[1] and t.role not in CONDITIONS]
    if around:
        nearest = min(around, key=lambda t: _distance(t, start, end))
        return TimeAssignment(nearest.span, "sentence", nearest)
    paragraph_start = _paragraph_start(text, start)
    before = [t for t in dated if t.end <= sentence[0] and t.role not in CONDITIONS]
    if before:
        in_paragraph = [t for t in before if t.start >= paragraph_start]
        chosen = (in_paragraph or before)[-1]
        return TimeAssignment(chosen.span, "context", chosen)
    if inside:
        return TimeAssignment(inside[0].span, "clause", inside[0])
    return TimeAssignment(None, "none")


def _distance(t: TimeExpression, start: int, end: int) -> int:
    if t.end <= start:
        return start - t.end
    return t.start - end


def _paragraph_start(text: str, offset: int) -> int:
    last = 0
    for m in PARAGRAPH_BREAK.finditer(text, 0, offset):
        last = m.end()
    return last


def estimate_publication_date(times: list[TimeExpression]) -> DateEstimate | None:
    """Return the earliest date a report can have been written, from its absolute dates.

    Only full dates (and months of a named year) count: a report cannot predate the latest
    of them by much, while a bare year says little.
    """
    strong = [t for t in _dated(times) if t.rule in STRONG_RULES and t.anchor == "absolute"]
    if not strong:
        return None
    latest = max(strong, key=lambda t: t.span.end if t.span else "")
    assert latest.span is not None
    return DateEstimate(latest.span.end, latest.text)


def as_date(value: str | None) -> date | None:
    """Return an ISO date string as a date (None stays None)."""
    return date.fromisoformat(value) if value else None
