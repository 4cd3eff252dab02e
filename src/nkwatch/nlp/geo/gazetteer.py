"""The gazetteer shipped in the package: units, their name forms, regions and cues.

Built by ``scripts/build_gazetteer.py`` from ``data/geo/`` (OpenStreetMap, GeoNames, Open Admin
Data and a hand-made table); read here once per process.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from nkwatch.errors import DataFileError
from nkwatch.nlp.geo.names import fold

PRECISION_OF_LEVEL = {
    "locality": "point",
    "admin2": "county",
    "admin1": "province",
    "region": "region",
    "country": "country",
    "foreign": "point",
}


@dataclass(frozen=True, slots=True)
class Unit:
    """One place of the gazetteer (see ``units.tsv``)."""

    id: str
    level: str  # country, admin1, admin2, locality, region, foreign
    kind: str
    name: str
    hangul: str
    admin1: str | None
    admin2: str | None
    parent: str | None
    lat: float | None
    lon: float | None
    population: int
    country: str
    covers: tuple[str, ...]

    @property
    def precision(self) -> str:
        """Return how precisely the unit locates something (point, county, province, ...)."""
        if self.level == "foreign" and self.kind == "country":
            return "country"
        return PRECISION_OF_LEVEL[self.level]

    def admits(self, rule: str) -> bool:
        """Return True when the unit is of ``rule`` (``level`` or ``level:kind``)."""
        level, _, kind = rule.partition(":")
        return self.level == level and (not kind or self.kind == kind)


@dataclass(frozen=True, slots=True)
class Entry:
    """A unit a name form may mean; ``requires_suffix``: only with "County", "-gun", ..."""

    unit: str
    requires_suffix: bool


class Gazetteer:
    """Units by id, name keys (:func:`~nkwatch.nlp.geo.names.fold`) to units, and cues."""

    def __init__(
        self,
        units: dict[str, Unit],
        names: list[tuple[str, str, bool]],
        regions: dict[str, list[str]],
        cues: dict[str, Any],
        version: str = "",
    ) -> None:
        self.version = version
        self.units = units
        self.latin: dict[str, list[Entry]] = {}
        self.hangul: dict[str, list[Entry]] = {}
        self.max_words = 1
        self.max_hangul = 1
        for unit, form, requires_suffix in names:
            key = fold(form)
            entry = Entry(unit, requires_suffix)
            if any("가" <= c <= "힣" for c in form):
                target = self.hangul
                self.max_hangul = max(self.max_hangul, len(key))
            else:
                target = self.latin
                self.max_words = max(self.max_words, len(re.split(r"[\s-]+", form)))
            entries = target.setdefault(key, [])
            if all(e.unit != unit for e in entries):
                entries.append(entry)
            else:  # the same unit by two forms: usable without suffix if either is
                entries[:] = [
                    Entry(e.unit, e.requires_suffix and requires_suffix) if e.unit == unit else e
                    for e in entries
                ]
        # One pattern each: a pattern that starts with a literal is searched for quickly.
        self.regions = [(uid, re.compile(p)) for uid, pats in regions.items() for p in pats]
        self.suffixes: dict[str, str] = {
            word: kind for kind, words in cues["suffixes"].items() for word in words
        }
        self.admits: dict[str, list[str]] = cues["admits"]
        roles = cues["roles"]
        self.source_cues = [re.compile(p, re.IGNORECASE) for p in roles["source"]]
        self.origin_cues = [re.compile(p, re.IGNORECASE) for p in roles["origin"]]
        self.source_after = [re.compile(p, re.IGNORECASE) for p in roles["source_after"]]
        self.country_cues = {
            code: re.compile("|".join(pats)) for code, pats in cues["countries"].items()
        }
        self.particles = frozenset(cues["hangul"]["particles"])
        self.province_anaphora = re.compile("|".join(cues["anaphora"]["province"]))

    def unit(self, uid: str) -> Unit:
        """Return the unit with id ``uid``."""
        return self.units[uid]


def _text(name: str) -> str:
    return resources.files("nkwatch.data").joinpath(name).read_text("utf-8")


def _optional(value: str) -> str | None:
    return value or None


@cache
def load() -> Gazetteer:
    """Return the shipped gazetteer (read once per process)."""
    where = "nkwatch/data/gazetteer"
    files = ("gazetteer/units.tsv", "gazetteer/names.tsv", "gazetteer/regions.json",
             "place_cues.toml")  # fmt: skip
    try:
        texts = {name: _text(name) for name in files}
        units = {}
        for row in csv.DictReader(texts["gazetteer/units.tsv"].splitlines(), delimiter="\t"):
            units[row["id"]] = Unit(
                id=row["id"],
                level=row["level"],
                kind=row["kind"],
                name=row["name"],
                hangul=row["hangul"],
                admin1=_optional(row["admin1"]),
                admin2=_optional(row["admin2"]),
                parent=_optional(row["parent"]),
                lat=float(row["lat"]) if row["lat"] else None,
                lon=float(row["lon"]) if row["lon"] else None,
                population=int(row["population"] or 0),
                country=row["country"],
                covers=tuple(c for c in row["covers"].split(";") if c),
            )
        names = [
            (row["unit"], row["form"], row["requires_suffix"] == "1")
            for row in csv.DictReader(texts["gazetteer/names.tsv"].splitlines(), delimiter="\t")
        ]
        regions = json.loads(texts["gazetteer/regions.json"])
        cues = tomllib.loads(texts["place_cues.toml"])
    except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"gazetteer data is damaged: {exc}", location=where) from None
    unknown = sorted({u for u, _, _ in names if u not in units})
    if unknown:
        raise DataFileError(f"names of unknown units: {', '.join(unknown[:5])}", location=where)
    digest = hashlib.sha256()
    for name in files:
        digest.update(texts[name].encode("utf-8"))
    try:
        return Gazetteer(units, names, regions, cues, version=digest.hexdigest()[:12])
    except (re.error, KeyError, TypeError) as exc:
        raise DataFileError(f"place cues or regions are malformed: {exc}", location=where) from None
