"""Maps and timelines drawn as SVG by the server: no tile server, no chart library.

The map projects the gazetteer's province and county polygons (``data/gazetteer/
polygons.geojson``) with an equirectangular projection scaled by the cosine of the mid latitude,
which is close enough at North Korea's size. Units are shaded by event count on a square-root
scale and each is a link that filters the event list. The timeline stacks events per period by
type. Every text that reaches the SVG is escaped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources
from typing import Any

WIDTH = 640
_MARGIN = 8
# Sequential shades (light to dark) for counts; a unit with no event is left pale grey.
_SHADES = ("#fde0c5", "#facba6", "#f8b58b", "#f59e72", "#f2855d", "#ef6a4c", "#eb4a40", "#c22f35")
_EMPTY = "#f1f1ee"
# One colour per event type, in the codebook's order (repeats past the end).
TYPE_COLOURS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#8c564b", "#17becf", "#7f7f7f",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Shape:
    """One unit's outline as an SVG path, with its label point."""

    id: str
    level: str
    name: str
    admin1: str
    admin2: str | None
    path: str
    cx: float
    cy: float


@dataclass(frozen=True, slots=True)
class Projection:
    """Longitude/latitude to SVG coordinates."""

    lon0: float
    lat1: float
    scale: float
    kx: float
    height: float

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            _MARGIN + (lon - self.lon0) * self.kx * self.scale,
            _MARGIN + (self.lat1 - lat) * self.scale,
        )


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    polys = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return [ring for poly in polys for ring in poly]


@cache
def shapes() -> tuple[Projection, tuple[Shape, ...]]:
    """Return the projection and every unit's outline (computed once per process)."""
    text = resources.files("nkwatch.data").joinpath("gazetteer/polygons.geojson").read_text("utf-8")
    features = json.loads(text)["features"]
    points = [p for f in features for ring in _rings(f["geometry"]) for p in ring]
    lon0 = min(p[0] for p in points)
    lon1 = max(p[0] for p in points)
    lat0 = min(p[1] for p in points)
    lat1 = max(p[1] for p in points)
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    scale = (WIDTH - 2 * _MARGIN) / ((lon1 - lon0) * kx)
    proj = Projection(lon0, lat1, scale, kx, (lat1 - lat0) * scale + 2 * _MARGIN)
    out = []
    for f in features:
        props = f["properties"]
        parts = []
        xs: list[float] = []
        ys: list[float] = []
        for ring in _rings(f["geometry"]):
            coords = [proj(x, y) for x, y in ring]
            xs.extend(c[0] for c in coords)
            ys.extend(c[1] for c in coords)
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in _thin(coords)) + "Z")
        out.append(
            Shape(
                id=props["id"], level=props["level"], name=props["name"],
                admin1=props["admin1"], admin2=props.get("admin2"), path="".join(parts),
                cx=(min(xs) + max(xs)) / 2, cy=(min(ys) + max(ys)) / 2,
            )
        )  # fmt: skip
    return proj, tuple(out)


def _thin(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop points closer than 0.6 pixel (Manhattan) to the last kept one."""
    kept = [coords[0]]
    for x, y in coords[1:]:
        px, py = kept[-1]
        if abs(x - px) + abs(y - py) >= 0.6:
            kept.append((x, y))
    if len(kept) < 3:
        return coords
    return kept


def shade(n: int, most: int) -> str:
    """Return the fill of a unit with ``n`` events when the busiest has ``most``."""
    if n <= 0 or most <= 0:
        return _EMPTY
    step = math.sqrt(n / most) * (len(_SHADES) - 1)
    return _SHADES[min(len(_SHADES) - 1, round(step))]


def map_svg(
    counts: dict[str, int],
    *,
    level: str,
    href: Callable[[Shape], str],
    selected: str | None = None,
    points: Iterable[tuple[int, float, float, str, str | None]] = (),
    point_href: Callable[[int], str] = lambda i: f"/events/{i}",
) -> str:
    """Return the map as SVG: units of ``level`` (admin1 or admin2) shaded by ``counts``
    (keyed by unit id), each a link to ``href(shape)``; precise events as dots."""
    proj, all_shapes = shapes()
    units = [s for s in all_shapes if s.level == level]
    most = max(counts.values(), default=0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {proj.height:.0f}"'
        f' class="map" role="img" aria-label="Map of events by {escape(level)}">'
    ]
    for s in units:
        n = counts.get(s.id, 0)
        label = f"{s.name}: {n} event{'s' if n != 1 else ''}"
        cls = "unit selected" if selected in (s.id, s.admin1) else "unit"
        out.append(
            f'<a href="{escape(href(s))}" class="unit-link" data-unit="{escape(s.id)}">'
            f'<path class="{cls}" d="{s.path}" fill="{shade(n, most)}"'
            f' data-count="{n}"><title>{escape(label)}</title></path></a>'
        )
    if level == "admin1":
        for s in units:
            out.append(
                f'<text x="{s.cx:.0f}" y="{s.cy:.0f}" class="label">{escape(_short(s.name))}</text>'
            )
    for event_id, lat, lon, etype, place in points:
        x, y = proj(lon, lat)
        label = f"{etype} at {place}" if place else etype
        out.append(
            f'<a href="{escape(point_href(event_id))}"><circle class="point" cx="{x:.1f}"'
            f' cy="{y:.1f}" r="3.5"><title>{escape(label)}</title></circle></a>'
        )
    out.append("</svg>")
    return "".join(out)


def _short(name: str) -> str:
    """Return a province's name short enough for a label: "N. Hamgyong"."""
    for word, short in (("North ", "N. "), ("South ", "S. ")):
        name = name.replace(word, short)
    return name.split(" Province")[0].split(" City")[0]


def timeline_svg(
    rows: Sequence[tuple[str, str, int]],
    types: Sequence[str],
    *,
    href: Callable[[str], str] | None = None,
    height: int = 260,
) -> str:
    """Return a stacked bar chart of (period, type, events) rows as SVG, periods in order,
    each bar a link to ``href(period)`` when given; with a legend of ``types``."""
    periods = sorted({p for p, _, _ in rows})
    if not periods:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 40" class="timeline">'
            '<text x="10" y="25">No dated events for these filters.</text></svg>'
        )
    colour = {t: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, t in enumerate(types)}
    by_period: dict[str, dict[str, int]] = {p: {} for p in periods}
    for p, t, n in rows:
        by_period[p][t] = by_period[p].get(t, 0) + n
    most = max(sum(v.values()) for v in by_period.values())
    left, bottom, top = 40, 40, 10
    bar_w = max(4.0, min(40.0, (WIDTH * 1.5 - left) / len(periods)))
    width = left + bar_w * len(periods) + 10
    plot_h = height - bottom - top
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height + 20}"'
        ' class="timeline" role="img" aria-label="Events per period by type">'
    ]
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        out.append(
            f'<line x1="{left}" x2="{width - 5:.0f}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
            f"{round(most * frac)}</text>"
        )
    every = max(1, math.ceil(len(periods) / 16))
    for i, p in enumerate(periods):
        x = left + i * bar_w
        y = top + plot_h
        parts = []
        for t in types:
            n = by_period[p].get(t, 0)
            if not n:
                continue
            h = plot_h * n / most
            y -= h
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}"'
                f' fill="{colour[t]}"><title>{escape(p)} {escape(t)}: {n}</title></rect>'
            )
        bar = "".join(parts)
        if href is not None:
            bar = f'<a href="{escape(href(p))}" class="period" data-period="{escape(p)}">{bar}</a>'
        out.append(bar)
        if i % every == 0:
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" class="axis"'
                f' text-anchor="middle">{escape(p)}</text>'
            )
    lx, ly = left, height
    for t in types:
        if not any(t in v for v in by_period.values()):
            continue
        step = 13 + 7 * len(t) + 12
        if lx + step > width and lx > left:
            lx, ly = left, ly + 15
        out.append(
            f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{colour[t]}"/>'
            f'<text x="{lx + 13}" y="{ly + 9}" class="legend">{escape(t)}</text>'
        )
        lx += step
    out.append("</svg>")
    out[0] = out[0].replace(f' {height + 20}"', f' {ly + 20}"', 1)
    return "".join(out)
