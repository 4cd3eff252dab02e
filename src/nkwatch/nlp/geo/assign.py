"""Which place an event takes: its clause's, else its sentence's, else the report's.

Codebook §4 and §8.9: the event's own place, not its source's ("a source in Ryanggang Province
said …" places nothing by itself) nor a person's origin ("a woman from Uiju"); a report about
one province whose events name no other place is placed in that province; "the border region"
alone gives no province; an event spanning two counties gets its province only.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass

from nkwatch.model import PlaceMention
from nkwatch.nlp.geo.gazetteer import load

# Share of a report's placed mentions that one province (then one county within it) must have
# for the report to count as being about it.
DOMINANT = 0.6
_RANK = {"point": 0, "county": 1, "province": 2, "region": 3, "country": 4}


@dataclass(frozen=True, slots=True)
class PlaceAssignment:
    """The place an event takes and where it came from: ``span`` (the mention lies in the
    event's quote), ``sentence``, ``report`` (the report's main place) or ``none``."""

    admin1: str | None
    admin2: str | None
    source: str
    mention: PlaceMention | None = None

    @property
    def place(self) -> str | None:
        """Return the place as written, when one mention gives it."""
        return self.mention.text if self.mention else None

    @property
    def precision(self) -> str | None:
        """Return how precisely the place is known."""
        if self.admin2:
            return "county" if self.mention is None else self.mention.precision
        return "province" if self.admin1 else None


def _placed(m: PlaceMention) -> bool:
    return m.in_north_korea and m.admin1 is not None


def report_place(mentions: list[PlaceMention]) -> PlaceAssignment:
    """Return the report's main place: the province (and county) most of its places are in."""
    located = [m for m in mentions if _placed(m) and m.role != "origin"]
    if not located:
        return PlaceAssignment(None, None, "none")
    provinces = Counter(m.admin1 for m in located)
    admin1, count = provinces.most_common(1)[0]
    if count / len(located) < DOMINANT:
        return PlaceAssignment(None, None, "none")
    counties = Counter(m.admin2 for m in located if m.admin1 == admin1 and m.admin2)
    admin2 = None
    if counties:
        top, n = counties.most_common(1)[0]
        if n / sum(counties.values()) >= DOMINANT:
            admin2 = top
    example = next((m for m in located if m.admin1 == admin1 and m.admin2 == admin2), None)
    return PlaceAssignment(admin1, admin2, "report", example)


def place_for_span(
    mentions: list[PlaceMention],
    sentences: list[tuple[int, int]],
    start: int,
    end: int,
    *,
    text: str | None = None,
    report: PlaceAssignment | None = None,
) -> PlaceAssignment:
    """Return the place of the event stated by ``text[start:end]``.

    ``sentences`` are the (start, end) offsets of the text's sentences; ``report`` is
    :func:`report_place` of the same mentions (computed when not given). A mention inside the
    quote comes first, then one in its sentence; regions and the country name no province, so
    an event placed only by them takes its place from the context: the last place named
    before it in its paragraph (``text`` gives the paragraphs), else the report's main place.
    """
    starts = [s for s, _ in sentences]
    i = max(0, bisect.bisect_right(starts, start) - 1)
    s_start, s_end = sentences[i] if sentences else (0, end)
    s_end = max(s_end, end)
    own = [
        m
        for m in mentions
        if _placed(m) and m.role == "event" and m.start >= s_start and m.end <= s_end
    ]
    inside = [m for m in own if m.start < end and m.end > start]
    if not inside and any(
        m.level == "country" and m.start < end and m.end > start for m in mentions
    ):
        # "North Korea ordered its border closed": the whole country, no province.
        country = next(m for m in mentions if m.level == "country" and m.start < end)
        return PlaceAssignment(None, None, "span", country)
    if inside:
        return _refine(_choose(inside, start, end, "span"), own)
    context = _context(text, mentions, s_start, report)
    has_county = any(m.admin2 for m in own)
    lo, hi = (start, end) if has_county else (s_start, s_end)
    if text is not None and _points_to_province(text, mentions, lo, hi):
        holder = own[0] if own else context.mention
        if holder is not None or context.admin1:
            admin1 = holder.admin1 if holder is not None else context.admin1
            return PlaceAssignment(admin1, None, "anaphora", holder)
    if own:
        return _refine(_choose(own, start, end, "sentence"), own)
    return context


def _context(
    text: str | None,
    mentions: list[PlaceMention],
    s_start: int,
    report: PlaceAssignment | None,
) -> PlaceAssignment:
    """Return the last place named before the sentence in its paragraph, else the report's."""
    before = [m for m in mentions if _placed(m) and m.role != "origin" and m.end <= s_start]
    if before and text is not None:
        paragraph = text.rfind("\n\n", 0, s_start)
        near = [m for m in before if m.start > paragraph]
        if near:
            last = near[-1]
            return PlaceAssignment(last.admin1, last.admin2, "context", last)
    return report if report is not None else report_place(mentions)


def _points_to_province(text: str, mentions: list[PlaceMention], start: int, end: int) -> bool:
    """Return True when ``text[start:end]`` says "in the province", "the provincial MSS", ...

    A county named in the event's sentence outranks a pointer elsewhere in it: the caller then
    passes the event's own quote only."""
    gaz = load()
    for found in gaz.province_anaphora.finditer(text, start, end):
        if any(m.start <= found.start() <= m.end + 1 for m in mentions):
            continue  # "the Ryanggang provincial court": part of a name
        left = text[max(0, found.start() - 60) : found.start()]
        if any(cue.search(left) for cue in gaz.source_cues):
            continue  # "a source in the province said"
        return True
    return False


def _choose(placed: list[PlaceMention], start: int, end: int, source: str) -> PlaceAssignment:
    provinces = {m.admin1 for m in placed}
    counties = {m.admin2 for m in placed if m.admin2}
    if source == "span" and len(counties) > 1:
        # An event spanning two counties gets its province only (or nothing across provinces).
        first = placed[0]
        return PlaceAssignment(first.admin1 if len(provinces) == 1 else None, None, source, first)
    nearest = min(
        placed,
        key=lambda m: (
            0 if m.start < end and m.end > start else min(abs(m.start - end), abs(start - m.end)),
            _RANK.get(m.precision or "", 5),
        ),
    )
    return PlaceAssignment(nearest.admin1, nearest.admin2, source, nearest)


def _refine(found: PlaceAssignment, sentence: list[PlaceMention]) -> PlaceAssignment:
    """A province named beside one of its counties ("Onsong County, North Hamgyong Province",
    "Pyongyang's Mangyeongdae District") places the event in that county."""
    if found.admin2 is not None or found.admin1 is None:
        return found
    counties = {m.admin2: m for m in sentence if m.admin1 == found.admin1 and m.admin2}
    if len(counties) == 1:
        county = next(iter(counties.values()))
        return PlaceAssignment(county.admin1, county.admin2, found.source, county)
    return found
