"""The embedded default store: one SQLite file in WAL mode, with FTS5 for search."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nkwatch.errors import SchemaVersionError, StoreError
from nkwatch.model import SearchHit
from nkwatch.store.base import (
    AnalysisRows,
    QueryRefused,
    Store,
    _filters,
    analysis_rows,
    event_row,
    fts_words,
    place_row,
)
from nkwatch.store.schema import LATEST_VERSION, MIGRATIONS

# The oldest SQLite whose SQL the store speaks (RETURNING, AS MATERIALIZED: 2021).
MIN_SQLITE = (3, 35, 0)
# A query matching more reports than this is ranked among its most recent matches (see search).
RANK_WINDOW = 2000


class SQLiteStore(Store):
    """A store in one SQLite file. Not shared across threads; open one per process/thread."""

    backend = "sqlite"
    DatabaseError = sqlite3.Error
    IntegrityError = sqlite3.IntegrityError

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.location = str(path)
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise StoreError(
                f"SQLite {sqlite3.sqlite_version} is too old; nkwatch needs "
                f"{'.'.join(map(str, MIN_SQLITE))} or newer (RETURNING, MATERIALIZED)",
                location=str(path),
            )
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open database: {exc}", location=str(path)) from None
        self.conn.row_factory = sqlite3.Row
        try:
            # Takes effect only when the file is new: 8 KiB pages hold a typical report's row.
            self.conn.execute("PRAGMA page_size=8192")
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=30000")
            self.conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: FTS5 and index inserts
            self.conn.execute("PRAGMA temp_store=MEMORY")
            # Checkpoint every ~80 MiB of WAL instead of ~8 MiB: fewer pages written twice
            # during batch ingest; readers and crash safety are unaffected.
            self.conn.execute("PRAGMA wal_autocheckpoint=10000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise StoreError(f"not an nkwatch database: {exc}", location=str(path)) from None

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @property
    def schema_version(self) -> int:
        """Return the schema version recorded in the database."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > LATEST_VERSION:
            raise SchemaVersionError(
                f"database schema {version} is newer than this nkwatch supports "
                f"({LATEST_VERSION}); upgrade nkwatch",
                location=str(self.path),
            )
        for number, sql in MIGRATIONS:
            if number <= version:
                continue
            with self.transaction():
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one write transaction: all of it is stored, or none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- the dialect -------------------------------------------------------------------------

    def _week(self, column: str) -> str:
        return f"strftime('%Y-W%W', {column})"

    def _json_list(self, expression: str) -> str:
        return f"json_group_array({expression})"

    def _fts_filter(self, words: str) -> tuple[str, list[Any]]:
        return "e.doc_id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)", [words]

    def _stream(self, sql: str, params: Sequence[Any]) -> Any:
        # Plain tuples: an export reads rows by position, and Row objects cost a copy each.
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params)

    # -- full-text search --------------------------------------------------------------------

    def _search(
        self,
        match: str,
        outlet: str | None,
        since: str | None,
        until: str | None,
        language: str | None,
        limit: int,
        offset: int,
        exhaustive: bool,
    ) -> list[SearchHit]:
        try:
            return self._fts5_search(
                match, outlet, since, until, language, limit, offset, exhaustive
            )
        except sqlite3.OperationalError as exc:
            raise QueryRefused(str(exc)) from None

    def _fts5_search(
        self,
        match: str,
        outlet: str | None,
        since: str | None,
        until: str | None,
        language: str | None,
        limit: int,
        offset: int,
        exhaustive: bool,
    ) -> list[SearchHit]:
        where, params = _filters(outlet, since, until, language, False)
        base = (
            " FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid"
            " WHERE documents_fts MATCH ?" + where.replace(" WHERE ", " AND ", 1)
        )
        # BM25 with the title weighted double.
        sql = (
            "SELECT d.id, d.ext_id, d.title, d.published, d.outlet, d.language,"
            f" bm25(documents_fts, 2.0, 1.0) AS score{base} AND documents_fts.rowid >= ?"
            " ORDER BY score LIMIT ? OFFSET ?"
        )
        window = max(RANK_WINDOW, limit + offset)
        while True:
            floor = 0
            if not exhaustive:
                # Matches stream cheaply in rowid order; BM25 over all of them does not. The
                # window is taken before filters, and grows until the page is full.
                probe = self.conn.execute(
                    "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
                    " ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                    (match, window - 1),
                ).fetchone()
                floor = probe[0] if probe else 0
            rows = self.conn.execute(sql, (match, *params, floor, limit, offset)).fetchall()
            if len(rows) >= limit or floor == 0:
                break
            window *= 4
        snippets: dict[int, str] = {}
        if rows:
            ids = [r["id"] for r in rows]
            # One pass for all snippets: a query per hit would rebuild a prefix query's
            # doclist each time. The range bounds the scan; "+rowid" keeps IN a plain filter.
            snippets = dict(
                self.conn.execute(
                    "SELECT rowid, snippet(documents_fts, 1, '[', ']', '…', 16) FROM documents_fts"
                    " WHERE documents_fts MATCH ? AND rowid BETWEEN ? AND ?"
                    f" AND +rowid IN ({','.join('?' * len(ids))})",
                    (match, min(ids), max(ids), *ids),
                ).fetchall()
            )
        return [
            SearchHit(
                r["id"],
                r["ext_id"],
                r["title"],
                r["published"],
                r["outlet"],
                r["language"],
                snippets.get(r["id"], ""),
                -float(r["score"]),
            )
            for r in rows
        ]

    def integrity_problems(self) -> list[str]:
        """Return what SQLite's and FTS5's integrity checks and the store's own invariants
        report (empty when all is well)."""
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += self._invariant_problems()
        try:
            self.conn.execute(
                "INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)"
            )
        except sqlite3.DatabaseError as exc:
            problems.append(f"full-text index: {exc}")
        return problems


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buf = ""
    for line in script.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


__all__ = [
    "RANK_WINDOW",
    "AnalysisRows",
    "SQLiteStore",
    "analysis_rows",
    "event_row",
    "fts_words",
    "place_row",
]
