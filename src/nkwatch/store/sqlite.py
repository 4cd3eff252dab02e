"""The embedded default store: one SQLite file in WAL mode, with FTS5 for search."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from nkwatch.errors import SchemaVersionError, StoreError
from nkwatch.store.base import (
    AnalysisRows,
    Store,
    analysis_rows,
    event_row,
    fts_words,
    place_row,
)
from nkwatch.store.schema import LATEST_VERSION, MIGRATIONS

# The oldest SQLite whose SQL the store speaks (RETURNING, AS MATERIALIZED: 2021).
MIN_SQLITE = (3, 35, 0)


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
                self._backfill(number)
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
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:  # a commit that failed (disk full) stays open
                    self.conn.execute("ROLLBACK")
                raise

    def _index_documents(self, ids: list[int]) -> None:
        # One statement per batch: FTS5 keeps the batch's terms in memory and writes them as
        # one segment (schema migration 10 says why a trigger per row is not used).
        if ids:
            self.conn.execute(
                "INSERT INTO documents_fts(rowid, title, body, grams)"
                " SELECT id, title, body, grams FROM documents"
                " WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )

    # -- the dialect -------------------------------------------------------------------------

    def _week(self, column: str) -> str:
        return f"strftime('%Y-W%W', {column})"

    def _json_list(self, expression: str) -> str:
        return f"json_group_array({expression})"

    def _fts_documents(self, words: str) -> tuple[str, list[Any]]:
        return "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", [words]

    @contextmanager
    def read_transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one read transaction (WAL: it sees one state of the file)."""
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            self.conn.execute("COMMIT")

    def _ids(self, sql: str, params: Sequence[Any]) -> np.ndarray:
        # One text of all the ids: a row object per id costs three times the query (100,000
        # matching reports: 22 ms against 73).
        row = self.conn.execute(
            f"WITH q(x) AS ({sql}) SELECT group_concat(x) FROM q", params
        ).fetchone()
        if not row[0]:
            return np.zeros(0, dtype=np.int64)
        return np.array(row[0].split(","), dtype=np.int64)

    def version_watch(self) -> _DataVersion | None:
        if self.location == ":memory:" or self.location.startswith("file:"):
            return None
        return _DataVersion(self.path)

    def _in_transaction(self) -> bool:
        return bool(self.conn.in_transaction)

    def _stream(self, sql: str, params: Sequence[Any]) -> Any:
        # Plain tuples: an export reads rows by position, and Row objects cost a copy each.
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params)

    # -- full-text search --------------------------------------------------------------------

    QuerySyntaxError = sqlite3.OperationalError

    def _fts_query(self, match: str) -> str:
        return match

    def _fts_floor(self, query: str, window: int) -> int:
        probe = self.conn.execute(
            "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
            " ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (query, window - 1),
        ).fetchone()
        return int(probe[0]) if probe else 0

    def _fts_ranked(
        self, query: str, where: str, params: list[Any], floor: int, limit: int, offset: int
    ) -> list[Any]:
        # BM25 with the title weighted double (negated: higher is better).
        rows: list[Any] = self.conn.execute(
            "SELECT d.id, d.ext_id, d.title, d.published, d.outlet, d.language,"
            " -bm25(documents_fts, 2.0, 1.0, 1.0) AS score"
            " FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid"
            " WHERE documents_fts MATCH ?" + where + " AND documents_fts.rowid >= ?"
            " ORDER BY score DESC LIMIT ? OFFSET ?",
            (query, *params, floor, limit, offset),
        ).fetchall()
        return rows

    def _fts_snippets(self, query: str, ids: list[int]) -> dict[int, str]:
        # One pass for all snippets: a query per hit would rebuild a prefix query's doclist
        # each time. The range bounds the scan; "+rowid" keeps IN a plain filter.
        return dict(
            self.conn.execute(
                "SELECT rowid, snippet(documents_fts, 1, '[', ']', '…', 16) FROM documents_fts"
                " WHERE documents_fts MATCH ? AND rowid BETWEEN ? AND ?"
                f" AND +rowid IN ({','.join('?' * len(ids))})",
                (query, min(ids), max(ids), *ids),
            ).fetchall()
        )

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
    "AnalysisRows",
    "SQLiteStore",
    "analysis_rows",
    "event_row",
    "fts_words",
    "place_row",
]


class _DataVersion:
    """SQLite's ``PRAGMA data_version`` on a connection of its own that never writes: it
    changes whenever another connection commits. Usable from any thread, one at a time."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(
            str(path), timeout=30.0, isolation_level=None, check_same_thread=False
        )

    def version(self) -> str:
        return str(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self.conn.close()
