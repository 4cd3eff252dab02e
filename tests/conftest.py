"""Shared fixtures: a fresh store, report files written by hand, a loopback HTTP server."""

from __future__ import annotations

import http.server
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from nkwatch import store as store_module
from nkwatch.store.base import Store
from tests.pg import PostgresServer, find_bin, running_server

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV_CORPUS = SHARED / "corpus" / "dev"
FIXTURES = Path(__file__).parent / "fixtures"

REPORT = """\
Hyesan agents hunt Chinese phones

hyesan phones state security

State security agents in Hyesan, Ryanggang Province, arrested five people on Tuesday for using Chinese-made mobile phones, a source in the province said.

FILE PHOTO: The Yalu River at Hyesan. / Image: Example Monitor

The provincial security department ordered its branches to "root out" illegal phones by the end of the month.

Kim Ha-na is a reporter for Example Monitor.
Please direct any comments or questions about this article to desk@example.org.
"""


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server on loopback for the session, with a template database migrated
    to the current schema. Skipped where PostgreSQL is not installed, except in CI."""
    if not (find_bin("initdb") and find_bin("pg_ctl")):
        message = "PostgreSQL server not installed (Debian: apt-get install postgresql)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    with running_server() as server:
        url = server.database()
        store_module.open(url).close()
        server.template = url.rsplit("/", 1)[1]
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn: tests that take a store run on SQLite and on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where the test's store is: a fresh SQLite file, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield str(db_path)
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    url = server.database(server.template)
    yield url
    server.drop(url)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = store_module.open(db_url)
    yield s
    s.close()


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a file under the test's folder and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None


@dataclass
class LoopbackServer:
    """An HTTP server on 127.0.0.1 serving ``routes``; ``log`` records (method, path, headers)."""

    port: int
    routes: dict[str, Route]
    log: list[tuple[str, str, dict[str, str]]]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for _, p, _ in self.log if p == path)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    routes: dict[str, Route] = {}
    log: list[tuple[str, str, dict[str, str]]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            log.append(("GET", self.path, dict(self.headers)))
            route = routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            if route.etag:
                self.send_header("ETag", route.etag)
            for k, v in route.headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(route.body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield LoopbackServer(httpd.server_address[1], routes, log)
    finally:
        httpd.shutdown()
        httpd.server_close()


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


XSS_REPORT = {
    "doc_id": "xss-1",
    "title": "<script>window.__pwned = 1</script>Hyesan arrests",
    "published": "2024-03-05",
    "outlet": "Example <b>Monitor</b>",
    "text": (
        "<script>window.__pwned = 1</script>Hyesan arrests\n\n"
        "State security agents in Hyesan, Ryanggang Province, arrested five people "
        '<img src=x onerror="window.__pwned = 1"> on Tuesday for using Chinese-made phones, '
        'a source said.\n\nThe security department ordered branches to "root out" phones.'
    ),
}


def make_web_store(path: Path | str) -> Path | str:
    """Build a store of the example reports (and one report whose text carries HTML that must
    stay inert), analysed by the extractor."""
    from nkwatch.analyse import analyse
    from nkwatch.ingest import ingest, ingest_stream
    from nkwatch.sources.jsonl import read_jsonl_line

    examples = Path(__file__).resolve().parents[1] / "examples" / "reports"
    with store_module.open(str(path)) as s:
        report = ingest(s, [str(examples)])
        assert not report.failed, report.failed
        ingest_stream(s, [read_jsonl_line(json.dumps(XSS_REPORT), source="xss", lineno=1)])
        analyse(s)
    return path


@pytest.fixture(scope="session")
def web_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An analysed store of the examples, built once per session (copy it before writing)."""
    return make_web_store(tmp_path_factory.mktemp("web") / "template.db")


@pytest.fixture(scope="session")
def pg_web_template(pg_server: PostgresServer) -> str:
    """The analysed example store on PostgreSQL, built once: the name of its database."""
    url = pg_server.database(pg_server.template)
    make_web_store(url)  # type: ignore[arg-type]  # a URL opens as a path does
    return url.rsplit("/", 1)[1]


@pytest.fixture
def web_db(
    backend: str, web_store_template: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A fresh copy of the analysed example store for one test, on each backend: a SQLite
    file's path, or a PostgreSQL database's URL."""
    if backend == "sqlite":
        yield str(copy_store(web_store_template, tmp_path / "web.db"))
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    url = server.database(request.getfixturevalue("pg_web_template"))
    yield url
    server.drop(url)


def copy_store(source: Path, target: Path) -> Path:
    """Copy a store with SQLite's backup (consistent even with a WAL file beside it)."""
    import sqlite3

    src, dst = sqlite3.connect(str(source)), sqlite3.connect(str(target))
    src.backup(dst)
    src.close()
    dst.close()
    return target


def old_sqlite_store(path: Path, version: int, body: str) -> Path:
    """Write a SQLite store at schema ``version`` (the migrations up to it) holding one report,
    ``old``, with ``body``: what a store made by an earlier nkwatch looks like."""
    import sqlite3
    import zlib

    from nkwatch.store.schema import MIGRATIONS
    from nkwatch.store.sqlite import _split_sql

    conn = sqlite3.connect(path)
    for number, sql in MIGRATIONS:
        if number <= version:
            for statement in _split_sql(sql):
                conn.execute(statement)
    conn.execute(
        "INSERT INTO documents (ext_id, doc_key, content_hash, format, ingested_at, source,"
        " removed, segments, body, raw) VALUES ('old', 'old', 'h', 'txt', 'now', 'old.txt',"
        " '[]', '[]', ?, ?)",
        (body, zlib.compress(body.encode())),
    )
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return path
