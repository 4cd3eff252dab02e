"""Events out of the store, in the formats the field uses, streamed; and back in.

One row per event, with every codebook field (§3), its place on the map, the evidence quote and
its span, the report's metadata, and the other reports that carry the same text (near-
duplicates). :data:`COLUMNS` is the column dictionary: names, types and meanings, the same for
CSV, JSON, JSON Lines, Parquet and GeoJSON properties. The ACLED profile maps the same events to
the column names of ACLED's own exports for users with ACLED workflows.

Rows come from the store in batches of tuples (:meth:`Store.export_rows`, built by the
database, lists as JSON text) and writers never hold more than a batch: CSV and Parquet write
them as they are, JSON Lines, JSON and GeoJSON as objects. A JSON Lines export re-imports to
the same events (:func:`event_of`, ``nkwatch import-events``).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from nkwatch.errors import ExportError
from nkwatch.model import Event, TimeSpan

FORMATS = ("csv", "json", "jsonl", "geojson", "parquet")
PROFILES = ("full", "acled")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an export: its name, its type (as Parquet stores it) and its meaning."""

    name: str
    type: str  # string, int64, float64, json (a JSON text)
    description: str


COLUMNS: tuple[Column, ...] = (
    Column("event_id", "int64", "the event's id in the store (changes when its report is "
           "analysed again)"),
    Column("report_id", "string", "the report's external id: the doc_id of meta.jsonl, else "
           "the file name's stem"),
    Column("type", "string", "codebook event type (§2), e.g. ARREST"),
    Column("modality", "string", "asserted, planned, threatened or background (§3)"),
    Column("actor", "string", "who acts, as a codebook actor id (§5), or empty"),
    Column("target", "string", "the group acted on or concerned, as a codebook target id (§6), "
           "or empty"),
    Column("place", "string", "the place as the text writes it"),
    Column("admin1", "string", "province, ISO 3166-2:KP code (KP-10)"),
    Column("admin2", "string", "city/county/district, Hangul name as in the gazetteer (혜산시)"),
    Column("latitude", "float64", "WGS84 latitude of the place at geo_precision"),
    Column("longitude", "float64", "WGS84 longitude of the place at geo_precision"),
    Column("geo_precision", "string", "what the point stands for: point (the place itself), "
           "county (its seat), province (its capital)"),
    Column("when_start", "string", "first day the text allows (ISO date)"),
    Column("when_end", "string", "last day the text allows (ISO date)"),
    Column("when_precision", "string", "day, week, month, season or year"),
    Column("count", "int64", "number of people concerned when the text states it"),
    Column("penalty_kind", "string", "LABOR_CAMP, LABOR_BRIGADE, BANISHMENT, EXECUTION, FINE, "
           "PARTY_EXPULSION or OTHER"),
    Column("penalty_max_years", "float64", "the longest term the text gives, in years"),
    Column("law_article", "string", "article of the law the text ties the event to"),
    Column("law_year", "int64", "year of that law (or of its revision)"),
    Column("evidence", "string", "the exact quote of the report's body the event rests on"),
    Column("evidence_start", "int64", "where the quote starts in the body (characters)"),
    Column("evidence_end", "int64", "where it ends"),
    Column("also", "json", "other quotes of the same report restating the event: "
           "[{quote, start, end}]"),
    Column("confidence", "float64", "how directly the text states the event (a ranking aid for "
           "review, not a probability)"),
    Column("trigger", "string", "the words that named the event"),
    Column("when_source", "string", "where the time came from: clause, sentence, context, "
           "detail or none"),
    Column("place_source", "string", "where the place came from: span, sentence, anaphora, "
           "context, report or none"),
    Column("report_title", "string", "the report's title"),
    Column("report_published", "string", "the report's publication date"),
    Column("report_outlet", "string", "the outlet that published it"),
    Column("report_url", "string", "where it was published"),
    Column("report_language", "string", "en or ko"),
    Column("report_tone", "string", "the report's tone: INDUCEMENT, COERCION, MIXED or NONE"),
    Column("extractor", "string", "version of the extractor that found the event"),
    Column("near_duplicates", "json", "external ids of other reports with the same text "
           "(syndicated copies): they are not independent sources"),
    Column("review_status", "string", "a reviewer's word: accepted, corrected or rejected; "
           "empty while unreviewed"),
    Column("review_corrections", "json", "the fields a reviewer corrected, with the reviewer's "
           "values: {field: value}; the columns above keep the machine's values"),
    Column("reviewer", "string", "who reviewed the event (the name of their token)"),
    Column("reviewed_at", "string", "when (UTC, ISO 8601)"),
)  # fmt: skip
NAMES = tuple(c.name for c in COLUMNS)

# ACLED's export columns, and what this profile puts in them.
ACLED_COLUMNS: tuple[Column, ...] = (
    Column("event_date", "string", "when_start (the first day the text allows)"),
    Column("time_precision", "int64", "ACLED's codes: 1 a day, 2 a week, 3 a month or more"),
    Column("event_type", "string", "the codebook type (ARREST, DIRECTIVE, ...)"),
    Column("sub_event_type", "string", "the modality: asserted, planned, threatened, background"),
    Column("actor1", "string", "the actor's name (Ministry of State Security, ...)"),
    Column("admin1", "string", "the province's name"),
    Column("admin2", "string", "the city/county/district's name"),
    Column("location", "string", "the place as written, else the county or province name"),
    Column("latitude", "float64", "as in the full export"),
    Column("longitude", "float64", "as in the full export"),
    Column("geo_precision", "int64", "ACLED's codes: 1 the place itself, 2 its county, "
           "3 its province"),
    Column("source", "string", "the outlet, then the outlets of near-duplicate reports"),
    Column("notes", "string", "the evidence quote, then the target, count and penalty"),
)  # fmt: skip
_TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "season": 3, "year": 3}
GEO_PRECISION_CODES = {"point": 1, "county": 2, "province": 3}  # ACLED's geo_precision


def columns(profile: str = "full") -> tuple[Column, ...]:
    """Return the column dictionary of a profile."""
    return ACLED_COLUMNS if profile == "acled" else COLUMNS


Batch = list[tuple[Any, ...]]  # export rows, in the order of a column dictionary


def record(values: tuple[Any, ...], cols: tuple[Column, ...] = COLUMNS) -> dict[str, Any]:
    """Return an export row as an object: names to values, JSON columns parsed."""
    out = dict(zip((c.name for c in cols), values, strict=True))
    for c in cols:
        if c.type == "json":
            text = out[c.name]
            out[c.name] = json.loads(text) if isinstance(text, str) else (text or [])
    return out


def acled(batches: Iterable[Batch], names: Callable[[str | None, str | None], tuple[str, str]],
          actor_labels: dict[str, str]) -> Iterator[Batch]:  # fmt: skip
    """Return full export batches mapped to the ACLED profile."""
    order = [c.name for c in ACLED_COLUMNS]
    for batch in batches:
        yield [
            tuple(a[k] for k in order)
            for a in (acled_row(record(t), names, actor_labels) for t in batch)
        ]


def acled_row(r: dict[str, Any], names: Callable[[str | None, str | None], tuple[str, str]],
              actor_labels: dict[str, str]) -> dict[str, Any]:  # fmt: skip
    """Return the ACLED-profile row of a full export row."""
    admin1, admin2 = names(r["admin1"], r["admin2"])
    details = [
        f"target: {r['target']}" if r["target"] else "",
        f"count: {r['count']}" if r["count"] is not None else "",
        f"penalty: {r['penalty_kind']}"
        + (f" up to {r['penalty_max_years']:g} years" if r["penalty_max_years"] else "")
        if r["penalty_kind"] else "",
    ]  # fmt: skip
    notes = r["evidence"] + "".join(f" [{d}]" for d in details if d)
    outlets = [r["report_outlet"] or r["report_id"]]
    return {
        "event_date": r["when_start"],
        "time_precision": _TIME_PRECISION.get(r["when_precision"] or ""),
        "event_type": r["type"],
        "sub_event_type": r["modality"],
        "actor1": actor_labels.get(r["actor"] or "", r["actor"]),
        "admin1": admin1,
        "admin2": admin2,
        "location": r["place"] or admin2 or admin1,
        "latitude": r["latitude"],
        "longitude": r["longitude"],
        "geo_precision": GEO_PRECISION_CODES.get(r["geo_precision"] or ""),
        "source": "; ".join([*outlets, *r["near_duplicates"]]),
        "notes": notes,
    }


def write_csv(batches: Iterable[Batch], out: IO[str], cols: tuple[Column, ...]) -> int:
    """Write rows as CSV with a header (no value: an empty cell); return how many."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in cols])
    n = 0
    for batch in batches:
        writer.writerows(batch)
        n += len(batch)
    return n


def _json(value: Any) -> str:
    """Return ``value`` as JSON on one line: the characters that some readers take for line
    breaks (U+0085, U+2028, U+2029) are escaped, as JSON allows."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escape in _LINE_BREAKS:
        if char in text:
            text = text.replace(char, escape)
    return text


_LINE_BREAKS = (("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def write_jsonl(batches: Iterable[Batch], out: IO[str], cols: tuple[Column, ...]) -> int:
    """Write one JSON object per line; return how many."""
    n = 0
    for batch in batches:
        out.write("".join(_json(record(t, cols)) + "\n" for t in batch))
        n += len(batch)
    return n


def write_json(batches: Iterable[Batch], out: IO[str], cols: tuple[Column, ...]) -> int:
    """Write one JSON array, streamed element by element; return how many."""
    n = 0
    out.write("[")
    for batch in batches:
        for t in batch:
            out.write(("\n" if n == 0 else ",\n") + _json(record(t, cols)))
            n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def write_geojson(
    batches: Iterable[Batch], out: IO[str], cols: tuple[Column, ...], precisions: set[str]
) -> int:
    """Write a GeoJSON FeatureCollection of the events with a point at one of ``precisions``
    (the others are left out: a province's capital is not where a county event happened);
    return how many features."""
    n = 0
    out.write('{"type": "FeatureCollection", "features": [')
    for batch in batches:
        for t in batch:
            r = record(t, cols)
            if r["latitude"] is None or str(r["geo_precision"]) not in precisions:
                continue
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["longitude"], r["latitude"]]},
                "properties": {k: v for k, v in r.items() if k not in ("latitude", "longitude")},
            }
            out.write(("\n" if n == 0 else ",\n") + _json(feature))
            n += 1
    out.write("\n]}\n")
    return n


def arrow_schema(cols: tuple[Column, ...]) -> Any:
    """Return the Parquet schema of a column dictionary (JSON columns are strings)."""
    import pyarrow as pa

    types = {"string": pa.string(), "json": pa.string(), "int64": pa.int64(),
             "float64": pa.float64()}  # fmt: skip
    return pa.schema(
        [pa.field(c.name, types[c.type], metadata={"description": c.description}) for c in cols],
        metadata={"nkwatch.columns": ",".join(c.name for c in cols)},
    )


def write_parquet(batches: Iterable[Batch], path: Path, cols: tuple[Column, ...]) -> int:
    """Write rows to a Parquet file, one record batch per batch; return how many. The schema
    is fixed by the column dictionary (JSON columns as strings), whatever the rows hold."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ExportError(
            "Parquet needs pyarrow: pip install 'nkwatch[parquet]'", location=str(path)
        ) from exc
    schema = arrow_schema(cols)
    n = 0
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for batch in batches:
            if not batch:
                continue
            arrays = [
                pa.array(column, type=field.type)
                for column, field in zip(zip(*batch, strict=True), schema, strict=True)
            ]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            n += len(batch)
    return n


# --- back in --------------------------------------------------------------------------------


def event_of(r: dict[str, Any], where: str) -> Event:
    """Return the event of a full export row; ``where`` names it in errors (file:line)."""
    try:
        when = None
        if r.get("when_start"):
            when = TimeSpan(r["when_start"], r["when_end"], r["when_precision"])
        penalty = None
        if r.get("penalty_kind"):
            penalty = {"kind": r["penalty_kind"], "max_years": _number(r["penalty_max_years"])}
        law = None
        if r.get("law_article") or r.get("law_year") is not None:
            law = {"article": r.get("law_article"), "year": r.get("law_year")}
        also = r.get("also") or []
        if isinstance(also, str):
            also = json.loads(also)
        return Event(
            type=r["type"], modality=r["modality"], evidence=r["evidence"],
            evidence_start=int(r["evidence_start"]), evidence_end=int(r["evidence_end"]),
            actor=r.get("actor"), target=r.get("target"), place=r.get("place"),
            admin1=r.get("admin1"), admin2=r.get("admin2"), when=when,
            count=r.get("count"), penalty=penalty, law=law,
            also=[(a["quote"], int(a["start"]), int(a["end"])) for a in also],
            confidence=float(r.get("confidence") or 0.5), trigger=r.get("trigger") or "",
            when_source=r.get("when_source") or "none",
            place_source=r.get("place_source") or "none",
            lat=_number(r.get("latitude")), lon=_number(r.get("longitude")),
            geo_precision=r.get("geo_precision"),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise ExportError(f"not an exported event: {exc!r}", location=where) from None


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    number = float(value)
    return None if math.isnan(number) else number


def read_jsonl(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (file:line, row) for each line of a JSON Lines export."""
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                r = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ExportError(f"not JSON: {exc.msg}", location=where) from None
            if not isinstance(r, dict) or not isinstance(r.get("report_id"), str):
                raise ExportError("a row needs a report_id", location=where)
            yield where, r


def place_names(admin1: str | None, admin2: str | None) -> tuple[str, str]:
    """Return the English names of a province and a county (empty when unknown)."""
    from nkwatch.nlp.geo.gazetteer import load as load_gazetteer

    units = load_gazetteer().units
    province = units.get(admin1 or "")
    county = units.get(f"{admin1}:{admin2}") if admin2 else None
    return (province.name if province else "", county.name if county else "")


def profile_batches(batches: Iterable[Batch], profile: str) -> Iterator[Batch]:
    """Return the store's export batches in the columns of ``profile``."""
    if profile not in PROFILES:
        raise ExportError(
            f"unknown profile {profile!r}; one of {', '.join(PROFILES)}", location="profile"
        )
    if profile == "acled":
        from nkwatch.nlp.extraction.lexicon import load as load_lexicon

        return acled(batches, place_names, load_lexicon().actor_names)
    return iter(batches)


def _precisions(profile: str, precisions: Iterable[str] | None) -> set[str]:
    chosen = set(precisions or ("point", "county"))
    unknown = chosen - set(GEO_PRECISION_CODES)
    if unknown:
        raise ExportError(
            f"unknown geo precision {', '.join(sorted(unknown))}; one of "
            f"{', '.join(GEO_PRECISION_CODES)}",
            location="geo_precision",
        )
    if profile == "acled":
        return {str(GEO_PRECISION_CODES[p]) for p in chosen}
    return chosen


def write(
    fmt: str,
    batches: Iterable[Batch],
    out: IO[str],
    *,
    profile: str = "full",
    precisions: Iterable[str] | None = None,
) -> int:
    """Write batches (in the columns of ``profile``) as a text format; return how many rows.
    GeoJSON maps the events placed at ``precisions`` (default point and county)."""
    cols = columns(profile)
    if fmt == "csv":
        return write_csv(batches, out, cols)
    if fmt == "jsonl":
        return write_jsonl(batches, out, cols)
    if fmt == "json":
        return write_json(batches, out, cols)
    if fmt == "geojson":
        return write_geojson(batches, out, cols, _precisions(profile, precisions))
    if fmt == "parquet":
        raise ExportError("Parquet is written to a file", location="format")
    raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}", location="format")


def write_file(
    fmt: str,
    batches: Iterable[Batch],
    path: Path,
    *,
    profile: str = "full",
    precisions: Iterable[str] | None = None,
) -> int:
    """Write an export to ``path``, whole or not at all; return how many rows."""
    from nkwatch.files import atomic_path

    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}", location="format")
    with atomic_path(path) as tmp:
        if fmt == "parquet":
            return write_parquet(batches, tmp, columns(profile))
        with tmp.open("w", encoding="utf-8", newline="") as out:
            return write(fmt, batches, out, profile=profile, precisions=precisions)
