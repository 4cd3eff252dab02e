"""Find place names in a body: gazetteer phrase matching over runs of capitalized words.

A run of capitalized words ("North Hamgyong Province", "Kim Jong Suk County", "P'yŏngsŏng",
"Hamgyŏng-bukto", "the Hyesan City Party Committee") is split into words and matched longest
first against the gazetteer's folded keys, so a place inside an organisation's name or a
possessive ("Ryanggang's") is found like any other. A following suffix word ("City",
"-gun", "Provincial", "county") joins the mention and narrows what it can be. Regions that are
not units ("the Sino-North Korean border", "Tumen River", "North Korea") come from regular
expressions. Hangul words match their longest known prefix ("혜산시당위원회", "혜산에서").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nkwatch.nlp.geo.gazetteer import Entry, Gazetteer
from nkwatch.nlp.geo.names import fold

_LETTER = r"A-Za-zÀ-ÿŏŭŎŬ"
# A capitalized word; an inner apostrophe joins (P'yŏngsŏng) unless it starts a possessive.
_WORD = rf"[A-ZŎŬ][{_LETTER}]*(?:['’ʼ](?!s\b)[{_LETTER}]+)*"
_RUN = re.compile(
    rf"{_WORD}(?:[ ]{_WORD}|-(?:{_WORD}|[a-zŏŭ]+))*"
    r"(?:[ ](?:city|county|province|provincial|district|town|market|special city)\b)?"
    r"|[가-힣]+"
)
_PART = re.compile(r"[^ \-]+")


@dataclass(slots=True)
class Found:
    """A place name found in the text, before resolution."""

    start: int
    end: int
    entries: list[Entry]
    suffix: str | None = None  # the kind of the suffix that followed (city, county, ...)
    region: str | None = None  # the region's unit id, for regions matched by pattern


def find(text: str, gaz: Gazetteer) -> list[Found]:
    """Return the place names of ``text`` in order, longest match first, not overlapping."""
    found: list[Found] = []
    for run in _RUN.finditer(text):
        if "가" <= run.group()[0] <= "힣":
            hit = _hangul(run.group(), run.start(), gaz)
            if hit:
                found.append(hit)
        else:
            found.extend(_latin(run.group(), run.start(), gaz))
    regions = [
        Found(m.start(), m.end(), [], region=uid)
        for uid, pattern in gaz.regions
        for m in pattern.finditer(text)
    ]
    if regions:
        found = _merge(found, regions)
    return found


def _latin(run: str, offset: int, gaz: Gazetteer) -> list[Found]:
    parts = [(m.start(), m.end()) for m in _PART.finditer(run)]
    keys = [fold(run[s:e]) for s, e in parts]
    out: list[Found] = []
    i, n = 0, len(parts)
    while i < n:
        hit = None
        for j in range(min(n, i + gaz.max_words), i, -1):
            key = keys[i]
            for k in range(i + 1, j):
                key += " " + keys[k] if run[parts[k - 1][1]] == " " else keys[k]
            entries = gaz.latin.get(key)
            if entries:
                hit = (j, entries)
                break
        if hit is None:
            i += 1
            continue
        j, entries = hit
        end = parts[j - 1][1]
        suffix, used = _suffix(run, parts, keys, j, gaz)
        if suffix is not None:
            end = parts[j + used - 1][1]
        else:
            entries = [e for e in entries if not e.requires_suffix]
            if not entries:
                i += 1
                continue
        out.append(Found(offset + parts[i][0], offset + end, entries, suffix))
        i = j + used
    return out


def _suffix(
    run: str, parts: list[tuple[int, int]], keys: list[str], j: int, gaz: Gazetteer
) -> tuple[str | None, int]:
    """Return the kind of the suffix words at ``parts[j:]`` and how many words it takes."""
    for width in (3, 2, 1):
        if j + width > len(parts):
            continue
        words = run[parts[j][0] : parts[j + width - 1][1]].lower().replace("’", "'")
        kind = gaz.suffixes.get(words) or gaz.suffixes.get(fold(words))
        if kind:
            return kind, width
    return None, 0


def _hangul(word: str, offset: int, gaz: Gazetteer) -> Found | None:
    for size in range(min(len(word), gaz.max_hangul), 1, -1):
        entries = gaz.hangul.get(word[:size])
        if not entries:
            continue
        rest = word[size:]
        units = [gaz.unit(e.unit) for e in entries]
        named_kind = any(u.hangul == word[:size] and u.level != "locality" for u in units)
        if not rest or rest in gaz.particles or named_kind:
            return Found(offset, offset + size, entries)
    return None


def _merge(names: list[Found], regions: list[Found]) -> list[Found]:
    """Combine unit names and regions; of two that overlap, the longer stays."""
    out: list[Found] = []
    for item in sorted(names + regions, key=lambda f: (f.start, -(f.end - f.start))):
        if out and item.start < out[-1].end:
            if item.end - item.start > out[-1].end - out[-1].start:
                out[-1] = item
            continue
        out.append(item)
    return out
