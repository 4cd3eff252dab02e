"""Resolve found place names to gazetteer units, with how sure the resolution is.

Order of evidence for a name that can mean several units:

1. its suffix ("Kosong County" is a county; "Rason City" the city, not the province);
2. for a spelling shared with a foreign place (Gangwon, Goseong, Cheorwon), the foreign one
   only when its sentence is about that country; otherwise the North Korean one;
3. the province named in the same sentence, then elsewhere in the report (two Unsans);
4. the more specific unit when one contains the other (Rason the city within Rason the
   province; Kaesong the city) and the county over a town of the same name.

A name still ambiguous is left unresolved with its candidates. Foreign places never resolve
to a North Korean unit. Each mention also gets a role from the words before it: the place of
the report's source ("a source in Ryanggang Province said") or of a person's origin ("a woman
from Uiju") is not where an event happened.
"""

from __future__ import annotations

import bisect
from collections import Counter

from nkwatch.model import PlaceMention
from nkwatch.nlp.geo.gazetteer import Gazetteer, Unit
from nkwatch.nlp.geo.recognize import Found, find

# Confidence of each way of settling a name.
CONFIDENCE = {
    "unique": 0.95,
    "suffix": 0.95,
    "specific": 0.9,
    "country": 0.85,
    "sentence": 0.85,
    "report": 0.75,
    "region": 0.9,
    "ambiguous": 0.0,
}
_LEFT = 80  # characters of left context read for a role cue


def places(text: str, gaz: Gazetteer, sentences: list[tuple[int, int]]) -> list[PlaceMention]:
    """Return the resolved place mentions of ``text`` (``sentences``: their offsets)."""
    found = find(text, gaz)
    if not found:
        return []
    starts = [s for s, _ in sentences] or [0]
    sent_of = [max(0, bisect.bisect_right(starts, f.start) - 1) for f in found]

    # First pass: what is certain, to serve as context for the rest.
    sure: list[Unit | None] = [_certain(f, gaz) for f in found]
    context_sentence: dict[int, Counter[str]] = {}
    context_report: Counter[str] = Counter()
    for unit, si in zip(sure, sent_of, strict=True):
        if unit is not None and unit.admin1:
            context_sentence.setdefault(si, Counter())[unit.admin1] += 1
            context_report[unit.admin1] += 1

    out = []
    for f, unit, si in zip(found, sure, sent_of, strict=True):
        s_start, s_end = sentences[si] if sentences else (0, len(text))
        sentence = text[s_start:s_end]
        if f.region == "KP":
            mention = _country(text, f)
        elif f.region is not None:
            mention = _mention(text, f, gaz.unit(f.region), "region")
        elif unit is not None:
            mention = _mention(text, f, unit, "suffix" if f.suffix else "unique")
        else:
            mention = _choose(
                text, f, gaz, sentence, context_sentence.get(si, Counter()), context_report
            )
        mention.role = _role(text, f, gaz, s_start)
        out.append(mention)
    return out


def _candidates(f: Found, gaz: Gazetteer) -> list[Unit]:
    units = [gaz.unit(e.unit) for e in f.entries]
    if f.suffix:
        rules = gaz.admits.get(f.suffix, [])
        # Foreign places stay: "Gangwon Province" may still be South Korea's.
        narrowed = [u for u in units if u.level == "foreign" or any(u.admits(r) for r in rules)]
        if narrowed:
            units = narrowed
    return units


def _certain(f: Found, gaz: Gazetteer) -> Unit | None:
    """Return the unit when the name alone settles it (one candidate, or one contains all)."""
    if f.region is not None:
        return None
    units = _candidates(f, gaz)
    if any(u.level == "foreign" for u in units):
        return None
    if len(units) == 1:
        return units[0]
    return _most_specific(units)


def _most_specific(units: list[Unit]) -> Unit | None:
    """Return the unit that is, or lies within, all the others (Rason city over Rason)."""
    admin2 = {u.admin2 for u in units if u.admin2}
    admin1 = {u.admin1 for u in units}
    if len(admin1) != 1 or len(admin2) > 1:
        return None
    rank = {"admin2": 0, "locality": 1, "admin1": 2}
    return min(units, key=lambda u: rank.get(u.level, 3))


def _choose(
    text: str,
    f: Found,
    gaz: Gazetteer,
    sentence: str,
    in_sentence: Counter[str],
    in_report: Counter[str],
) -> PlaceMention:
    units = _candidates(f, gaz)
    foreign = [u for u in units if u.level == "foreign"]
    domestic = [u for u in units if u.level != "foreign"]
    if foreign:
        about = [
            u
            for u in foreign
            if gaz.country_cues.get(u.country, None) is not None
            and gaz.country_cues[u.country].search(sentence)
        ]
        if not domestic or about or not any(u.covers for u in foreign):
            how = "country" if about and domestic else "unique"
            return _mention(text, f, (about or foreign)[0], how)
        units = domestic
    for context, how in ((in_sentence, "sentence"), (in_report, "report")):
        scored = [(context.get(u.admin1 or "", 0), u) for u in units]
        best = max(score for score, _ in scored)
        if best > 0:
            top = [u for score, u in scored if score == best]
            chosen = top[0] if len(top) == 1 else _most_specific(top)
            if chosen is not None:
                return _mention(text, f, chosen, how)
    chosen = _most_specific(units)
    if chosen is not None:
        return _mention(text, f, chosen, "specific")
    return PlaceMention(
        text=text[f.start : f.end],
        start=f.start,
        end=f.end,
        unit=None,
        level=None,
        name=None,
        admin1=None,
        admin2=None,
        lat=None,
        lon=None,
        precision=None,
        country="KP",
        confidence=CONFIDENCE["ambiguous"],
        how="ambiguous",
        candidates=tuple(u.id for u in units),
    )


def _mention(text: str, f: Found, unit: Unit, how: str) -> PlaceMention:
    in_korea = unit.country == "KP"
    return PlaceMention(
        text=text[f.start : f.end],
        start=f.start,
        end=f.end,
        unit=unit.id,
        level=unit.level,
        name=unit.name,
        admin1=unit.admin1 if in_korea else None,
        admin2=unit.admin2 if in_korea else None,
        lat=unit.lat,
        lon=unit.lon,
        precision=unit.precision,
        country=unit.country,
        confidence=CONFIDENCE[how],
        how=how,
        candidates=tuple(e.unit for e in f.entries) if len(f.entries) > 1 else (),
    )


def _country(text: str, f: Found) -> PlaceMention:
    return PlaceMention(
        text=text[f.start : f.end],
        start=f.start,
        end=f.end,
        unit="KP",
        level="country",
        name="North Korea",
        admin1=None,
        admin2=None,
        lat=None,
        lon=None,
        precision="country",
        country="KP",
        confidence=CONFIDENCE["region"],
        how="region",
    )


def _role(text: str, f: Found, gaz: Gazetteer, sentence_start: int) -> str:
    left = text[max(sentence_start, f.start - _LEFT) : f.start]
    if any(p.search(left) for p in gaz.source_cues):
        return "source"
    right = text[f.end : f.end + 40]
    if any(p.search(right) for p in gaz.source_after):
        return "source"
    if any(p.search(left) for p in gaz.origin_cues):
        return "origin"
    return "event"
