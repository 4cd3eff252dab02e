"""PostgreSQL: the same store as SQLite, value for value, with its own search and safe
concurrent writers. Runs against a real server on loopback (see tests/pg.py)."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from nkwatch import store as store_module
from nkwatch.cli import app
from nkwatch.errors import QueryError, SchemaVersionError
from nkwatch.ingest import ingest
from nkwatch.model import EventFilter
from nkwatch.store.base import QueryRefused, Store
from nkwatch.store.schema import LATEST_VERSION
from tests.conftest import copy_store
from tests.pg import PostgresServer

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"


@pytest.fixture(scope="module")
def pair(
    pg_server: PostgresServer, pg_web_template: str, web_store_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Store, Store]]:  # fmt: skip
    """The analysed example store on SQLite and on PostgreSQL, built the same way."""
    path = copy_store(web_store_template, tmp_path_factory.mktemp("pair") / "pair.db")
    url = pg_server.database(pg_web_template)
    lite, pg = store_module.open(str(path)), store_module.open(url)
    yield lite, pg
    lite.close()
    pg.close()
    pg_server.drop(url)


def _without_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in ("id", "doc_id")} for r in rows]


FILTERS = [
    EventFilter(),
    EventFilter(types=("ARREST", "MEETING")),
    EventFilter(admin1="KP-10"),
    EventFilter(modality="happened", since="2023-01-01"),
    EventFilter(outlet="example monitor"),
    EventFilter(review="unreviewed"),
    EventFilter(query="phones"),
    EventFilter(query="phon* security"),
    EventFilter(query="?!"),
]


@pytest.mark.parametrize("where", FILTERS, ids=repr)
def test_every_event_query_gives_the_same_answer(
    pair: tuple[Store, Store], where: EventFilter
) -> None:
    lite, pg = pair
    assert pg.count_events(where) == lite.count_events(where)
    assert _without_ids(pg.events(where, limit=1000)) == _without_ids(
        lite.events(where, limit=1000)
    )
    assert pg.event_facets(where) == lite.event_facets(where)
    assert pg.event_facets(where, ["county"]) == lite.event_facets(where, ["county"])
    assert pg.event_periods(where) == lite.event_periods(where)
    assert pg.event_periods(where, by="week") == lite.event_periods(where, by="week")
    assert [p[1:] for p in pg.event_points(where)] == [p[1:] for p in lite.event_points(where)]
    rows = [[r[1:] for r in batch] for batch in pg.export_rows(where)]
    assert rows == [[r[1:] for r in batch] for batch in lite.export_rows(where)]


def test_the_examples_give_events_to_compare(pair: tuple[Store, Store]) -> None:
    lite, pg = pair
    assert lite.count_events() > 10 and pg.count_events() == lite.count_events()
    assert any(p for p in lite.event_periods(by="week")), "weeks to compare"
    assert pg.integrity_problems() == [] and lite.integrity_problems() == []


def test_reports_read_the_same(pair: tuple[Store, Store]) -> None:
    lite, pg = pair
    docs = lite.list_documents(limit=100)
    assert [d.ext_id for d in pg.list_documents(limit=100)] == [d.ext_id for d in docs]
    assert pg.count(outlet="Example Monitor") == lite.count(outlet="Example Monitor")
    assert pg.outlets() == lite.outlets()
    for doc in docs:
        a, b = lite.get(doc.ext_id, with_raw=True), pg.get(doc.ext_id, with_raw=True)
        assert (b.body, b.raw, b.text, b.segments, b.title, b.published) == (
            a.body, a.raw, a.text, a.segments, a.title, a.published,
        )  # fmt: skip
        assert [(m.text, m.start, m.unit) for m in pg.places_of(b.id)] == [
            (m.text, m.start, m.unit) for m in lite.places_of(a.id)
        ]
        assert pg.tone_of(b.id) == lite.tone_of(a.id)
        assert pg.removed_lines(b.id) == lite.removed_lines(a.id)


QUERIES = [
    "Hyesan",
    "phones AND Hyesan",
    "phones OR lecture",
    "phones NOT Hyesan",
    "(Hyesan OR Sinuiju) AND arrested",
    '"state security"',
    '"state sec"*',
    "secur*",
    "Musan lecture",
    'Musan "lecture',  # not valid: searched as plain words
    "phones AND",  # not valid: searched as plain words
]


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_the_same_reports(pair: tuple[Store, Store], query: str) -> None:
    lite, pg = pair
    expected = {h.ext_id for h in lite.search(query, limit=100)}
    hits = pg.search(query, limit=100)
    assert {h.ext_id for h in hits} == expected
    for hit in hits:
        assert "[" in hit.snippet and "]" in hit.snippet, hit.snippet


def test_search_ranks_titles_and_pages(pair: tuple[Store, Store]) -> None:
    _, pg = pair
    first = pg.search("phones", limit=2)
    second = pg.search("phones", limit=2, offset=2)
    assert len(first) == 2 and not {h.id for h in first} & {h.id for h in second}
    assert first[0].score >= first[1].score > 0
    with pytest.raises(QueryError):
        pg.search("   ")
    assert pg.search("phones", outlet="no such outlet") == []


def test_fts5_syntax_becomes_a_tsquery() -> None:
    from nkwatch.store.postgres import tsquery

    sql, params = tsquery('"state security" AND (Hyesan OR Musan) NOT dram*')
    assert params == ["state security", "Hyesan", "Musan", "'dram':*"]
    assert sql.count("phraseto_tsquery") == 3 and "!!" in sql and "||" in sql
    assert tsquery("a b")[0] == "(phraseto_tsquery('simple', ?) && phraseto_tsquery('simple', ?))"
    for bad in ("NEAR(a b)", "title:phones", "(a OR b", "a OR", "*", "AND a"):
        with pytest.raises(QueryRefused):
            tsquery(bad)


def test_the_schemas_are_the_same(pg_server: PostgresServer, tmp_path: Path) -> None:
    lite = sqlite3.connect(tmp_path / "s.db")
    store_module.open(str(tmp_path / "s.db")).close()
    tables = [
        r[0]
        for r in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'documents_fts%'"
        )
    ]
    lite_columns = {t: [r[1] for r in lite.execute(f"PRAGMA table_info({t})")] for t in tables}
    url = pg_server.database(pg_server.template)
    with store_module.open(url) as pg:
        pg_columns: dict[str, list[str]] = {}
        for table, column in pg.conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name != 'nkwatch_schema'"
            " ORDER BY table_name, ordinal_position"
        ).fetchall():
            pg_columns.setdefault(table, []).append(column)
        assert pg.schema_version == LATEST_VERSION
    pg_server.drop(url)
    pg_documents = [c for c in pg_columns.pop("documents") if c != "fts"]  # PG's index column
    assert pg_documents == lite_columns.pop("documents")
    assert pg_columns == lite_columns


def test_a_newer_schema_is_refused(pg_server: PostgresServer) -> None:
    url = pg_server.database(pg_server.template)
    with store_module.open(url) as s:
        s.conn.execute("UPDATE nkwatch_schema SET version = ?", (LATEST_VERSION + 1,))
    with pytest.raises(SchemaVersionError, match="upgrade nkwatch"):
        store_module.open(url)
    pg_server.drop(url)


def _ingest_all(url: str, paths: list[str], out: Any) -> None:
    with store_module.open(url) as s:
        out.put(ingest(s, paths).summary())


def test_concurrent_writers_store_each_report_once(
    pg_server: PostgresServer, tmp_path: Path
) -> None:
    # Two processes ingest the same 40 reports at once, from an empty database (both also
    # migrate it): every report is stored once, the other writer sees it as unchanged.
    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(40):
        (folder / f"r{i:02d}.txt").write_text(
            f"Report {i}\n\nAgents in Hyesan arrested {i + 2} traders on day {i}, "
            f"a source said. Unique words: w{i}x w{i}y w{i}z.\n",
            encoding="utf-8",
        )
    paths = sorted(str(p) for p in folder.iterdir())
    url = pg_server.database()  # empty: the schema is created by the racing writers
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    workers = [
        ctx.Process(target=_ingest_all, args=(url, order, out))
        for order in (paths, list(reversed(paths)))
    ]
    for w in workers:
        w.start()
    summaries = [out.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    assert sum(s["stored"] for s in summaries) == 40
    assert sum(s["unchanged"] for s in summaries) == 40
    assert all(s["skipped"] == 0 for s in summaries)
    with store_module.open(url) as s:
        assert s.count(all_revisions=True) == 40 and s.integrity_problems() == []
    pg_server.drop(url)


def test_every_command_runs_on_postgresql(pg_server: PostgresServer, tmp_path: Path) -> None:
    url = pg_server.database(pg_server.template)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["--db", url, "--quiet", *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("run", str(EXAMPLES))
    assert json.loads(run("docs", "--json"))
    assert json.loads(run("search", "phones", "--json"))
    events = json.loads(run("events", "--json", "--limit", "1000"))["events"]
    assert events and all(e["evidence"] for e in events)
    out = tmp_path / "events.jsonl"
    run("export", "--format", "jsonl", "-o", str(out))
    assert len(out.read_text("utf-8").splitlines()) == len(events)
    pg_server.drop(url)
