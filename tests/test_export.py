"""Exports (CSV, JSON, JSON Lines, GeoJSON, Parquet; full and ACLED profiles) and the round
trip of a JSON Lines export back into a store."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nkwatch import export
from nkwatch import store as store_module
from nkwatch.cli import app
from nkwatch.errors import ExportError
from nkwatch.ingest import ingest_stream
from nkwatch.model import Analysis, Event, RawDocument, TimeSpan
from nkwatch.nlp.extraction.lexicon import MODALITIES, TYPES
from nkwatch.store.sqlite import SQLiteStore

BODIES = {
    "r1": "State security agents arrested five phone users in Hyesan on Tuesday. "
    "A court in Hoeryong sentenced a broker to eight years.",
    "r2": "Inminban meetings were held across Musan County on Friday.",
}


def _store(path: Path) -> SQLiteStore:
    s = store_module.open(str(path))
    docs = [
        RawDocument(text=body, raw=body, source=f"{doc_id}.txt", ext_id=doc_id, format="txt",
                    published="2022-01-20", language="en", outlet="Example Wire")
        for doc_id, body in BODIES.items()
    ]  # fmt: skip
    ingest_stream(s, docs)
    return s


def _run(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    return result


@pytest.fixture
def analysed(tmp_path: Path) -> Path:
    """A store whose reports have been run through the extractor."""
    db = tmp_path / "a.db"
    _store(db).close()
    assert _run(db, "extract").exit_code == 0
    return db


def test_every_format_holds_every_event_with_the_column_dictionary(
    analysed: Path, tmp_path: Path
) -> None:
    with store_module.open(str(analysed)) as s:
        n = len(s.events(limit=1000))
    assert n >= 3
    out = {f: tmp_path / f"ev.{f}" for f in export.FORMATS}
    for fmt, path in out.items():
        result = _run(analysed, "export", "-f", fmt, "-o", str(path))
        assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out["csv"].open(encoding="utf-8")))
    assert len(rows) == n and tuple(rows[0]) == export.NAMES
    jsonl = [json.loads(line) for line in out["jsonl"].read_text("utf-8").splitlines()]
    assert jsonl == json.loads(out["json"].read_text("utf-8"))
    assert {r["report_id"] for r in jsonl} == set(BODIES)
    for r in jsonl:  # every row rests on an exact quote of its report
        assert BODIES[r["report_id"]][r["evidence_start"] : r["evidence_end"]] == r["evidence"]
    table = pq.read_table(out["parquet"])
    assert table.num_rows == n and table.schema == export.arrow_schema(export.COLUMNS)
    assert table.column("evidence").to_pylist() == [r["evidence"] for r in jsonl]
    features = json.loads(out["geojson"].read_text("utf-8"))["features"]
    mapped = [r for r in jsonl if r["geo_precision"] in ("point", "county")]
    assert len(features) == len(mapped) > 0
    lon, lat = features[0]["geometry"]["coordinates"]
    assert 124 < lon < 131 and 37 < lat < 43  # North Korea


def test_acled_profile(analysed: Path) -> None:
    result = _run(analysed, "export", "--profile", "acled", "--type", "ARREST")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == tuple(c.name for c in export.ACLED_COLUMNS)
    arrest = rows[0]
    assert arrest["event_type"] == "ARREST" and arrest["time_precision"] == "1"
    assert arrest["actor1"] == "Ministry of State Security (North Korea)"
    assert arrest["admin1"] == "Ryanggang" and arrest["admin2"] == "Hyesan City"
    assert arrest["geo_precision"] == "2" and arrest["source"] == "Example Wire"
    assert arrest["notes"].startswith("State security agents arrested five")


def test_filters_and_the_column_dictionary(analysed: Path) -> None:
    result = _run(analysed, "export", "-f", "jsonl", "--report", "r2")
    assert {json.loads(x)["report_id"] for x in result.stdout.splitlines()} == {"r2"}
    listing = _run(analysed, "export", "--columns")
    assert all(c.name in listing.stdout for c in export.COLUMNS)


def test_a_failed_export_leaves_no_file_and_no_half_file(
    analysed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ev.csv"
    target.write_text("the earlier export\n", encoding="utf-8")

    def broken(record: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "record", broken)
    result = _run(analysed, "export", "-f", "jsonl", "-o", str(target))
    assert result.exit_code != 0
    assert target.read_text("utf-8") == "the earlier export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ev.csv")] == []


def _events(body: str) -> st.SearchStrategy[Event]:
    def build(draw: st.DrawFn) -> Event:
        start = draw(st.integers(0, len(body) - 2))
        end = draw(st.integers(start + 1, len(body)))
        day = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2025, 12, 31)))
        when = draw(st.none() | st.just(TimeSpan(day.isoformat(), day.isoformat(), "day")))
        has_point = draw(st.booleans())
        return Event(
            type=draw(st.sampled_from(TYPES)), modality=draw(st.sampled_from(MODALITIES)),
            evidence=body[start:end], evidence_start=start, evidence_end=end,
            actor=draw(st.none() | st.sampled_from(["MSS", "PARTY", "AUTHORITIES"])),
            target=draw(st.none() | st.sampled_from(["PHONE_USERS", "BROKERS"])),
            place=draw(st.none() | st.text(min_size=1, max_size=12)),
            admin1=draw(st.none() | st.just("KP-10")), admin2=draw(st.none() | st.just("혜산시")),
            when=when, count=draw(st.none() | st.integers(0, 5000)),
            penalty=draw(st.none() | st.fixed_dictionaries({
                "kind": st.sampled_from(["LABOR_CAMP", "FINE"]),
                "max_years": st.none() | st.sampled_from([0.5, 5.0, 15.0])})),
            law=draw(st.none() | st.fixed_dictionaries({
                "article": st.none() | st.just("222"), "year": st.integers(2004, 2024)})),
            also=draw(st.lists(st.tuples(st.text(max_size=8), st.integers(0, 99),
                                         st.integers(0, 99)), max_size=2)),
            confidence=draw(st.sampled_from([0.1, 0.5, 0.95])),
            trigger=draw(st.text(max_size=10)),
            when_source=draw(st.sampled_from(["clause", "context", "none"])),
            place_source=draw(st.sampled_from(["span", "report", "none"])),
            lat=41.4 if has_point else None, lon=128.2 if has_point else None,
            geo_precision="county" if has_point else None,
        )  # fmt: skip

    return st.composite(build)()


def _export_jsonl(s: SQLiteStore, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        export.write_jsonl(s.export_rows(), out, export.COLUMNS)


def _import_jsonl(s: SQLiteStore, path: Path) -> None:
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for where, r in export.read_jsonl(path):
        groups.setdefault(r["report_id"], []).append((where, r))
    s.import_events(
        (report, [export.event_of(r, where) for where, r in rows], rows[0][1]["report_tone"],
         rows[0][1]["extractor"])
        for report, rows in groups.items()
    )  # fmt: skip


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[SQLiteStore, SQLiteStore]:
    work = tmp_path_factory.mktemp("roundtrip")
    return _store(work / "source.db"), _store(work / "target.db")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_events(BODIES["r1"]), max_size=4), st.lists(_events(BODIES["r2"]), max_size=3))
def test_a_jsonl_export_reimports_to_the_same_events(
    stores: tuple[SQLiteStore, SQLiteStore],
    tmp_path_factory: pytest.TempPathFactory,
    one: list[Event],
    two: list[Event],
) -> None:
    source, target = stores
    for ext_id, evs in (("r1", one), ("r2", two)):
        source.save_analysis(Analysis(doc_id=source.resolve_id(ext_id), places=[], events=evs,
                                      tone="COERCION", tone_evidence={}, gazetteer="g",
                                      extractor="test-1"))  # fmt: skip
    target.import_events((r, [], None, None) for r in BODIES)  # what earlier examples left
    work = tmp_path_factory.mktemp("files")
    _export_jsonl(source, work / "ev.jsonl")
    _import_jsonl(target, work / "ev.jsonl")
    _export_jsonl(target, work / "again.jsonl")

    def comparable(path: Path) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in json.loads(line).items() if k != "event_id"}
            for line in path.read_text("utf-8").splitlines()
        ]

    assert comparable(work / "again.jsonl") == comparable(work / "ev.jsonl")
    assert len(comparable(work / "again.jsonl")) == len(one) + len(two)
    # ... and to the same events, field by field.
    expected = [e.as_dict() for e in sorted(one, key=lambda e: e.evidence_start)] + [
        e.as_dict() for e in sorted(two, key=lambda e: e.evidence_start)
    ]
    for s in (source, target):
        got = [export.event_of(export.record(t), "store") for b in s.export_rows() for t in b]
        assert [e.as_dict() for e in got] == expected


def test_the_command_round_trip(analysed: Path, tmp_path: Path) -> None:
    exported = tmp_path / "ev.jsonl"
    assert _run(analysed, "export", "-f", "jsonl", "-o", str(exported)).exit_code == 0
    _store(tmp_path / "target.db").close()
    result = _run(tmp_path / "target.db", "import-events", str(exported))
    assert result.exit_code == 0, result.output
    again = _run(tmp_path / "target.db", "export", "-f", "jsonl").stdout.splitlines()

    def without_ids(lines: list[str]) -> list[dict[str, Any]]:
        return [{k: v for k, v in json.loads(x).items() if k != "event_id"} for x in lines]

    assert without_ids(again) == without_ids(exported.read_text("utf-8").splitlines())


def test_import_refuses_what_it_cannot_place_and_writes_nothing(
    analysed: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "ev.jsonl"
    assert _run(analysed, "export", "-f", "jsonl", "-o", str(exported)).exit_code == 0
    lines = exported.read_text("utf-8").splitlines()
    with store_module.open(str(analysed)) as s:
        before = s.events(limit=1000)
    # A report the store does not hold, after a good one: nothing is written.
    stranger = json.loads(lines[-1]) | {"report_id": "not-here"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([*lines, json.dumps(stranger)]) + "\n", encoding="utf-8")
    result = _run(analysed, "import-events", str(bad))
    assert isinstance(result.exception, ExportError) and "not-here" in str(result.exception)
    # A line that is not JSON is named by its number.
    broken = tmp_path / "broken.jsonl"
    broken.write_text(lines[0] + "\n{oops\n", encoding="utf-8")
    result = _run(analysed, "import-events", str(broken))
    assert isinstance(result.exception, ExportError)
    assert str(result.exception).startswith(f"E050: {broken}:2: not JSON")
    # Rows of one report split apart would replace each other: refused.
    first = [x for x in lines if json.loads(x)["report_id"] == "r1"]
    other = [x for x in lines if json.loads(x)["report_id"] == "r2"]
    assert len(first) > 1 and other
    split = tmp_path / "split.jsonl"
    split.write_text("\n".join([first[0], *other, *first[1:]]) + "\n", encoding="utf-8")
    result = _run(analysed, "import-events", str(split))
    assert isinstance(result.exception, ExportError)
    assert "not together" in str(result.exception)
    with store_module.open(str(analysed)) as s:
        assert s.events(limit=1000) == before


def test_the_column_dictionary_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "exports.md").read_text("utf-8")
    for c in (*export.COLUMNS, *export.ACLED_COLUMNS):
        assert f"| `{c.name}` | {c.type} | {c.description} |" in doc, c.name


def test_the_store_builds_rows_in_the_dictionary_s_order(analysed: Path) -> None:
    from nkwatch.store import base

    assert export.NAMES.index("also") == base._EXPORT_ALSO
    with store_module.open(str(analysed)) as s:
        batch = next(s.export_rows())
    assert all(len(t) == len(export.NAMES) for t in batch)
