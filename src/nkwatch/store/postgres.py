"""The store on PostgreSQL, for teams sharing one database (``--db postgresql://…``).

Everything a store does is :class:`nkwatch.store.base.Store`'s, in the SQL both databases
speak; this module supplies the connection (psycopg 3), the migrations of
:mod:`nkwatch.store.schema_postgres`, write transactions, and full-text search with
PostgreSQL's own text search (a generated ``tsvector`` column, GIN-indexed).

Queries keep SQLite FTS5's syntax (``"state security" AND Hyesan``, ``phone*``, ``OR``,
``NOT``, parentheses), translated here into a ``tsquery``, so a search means the same on
either backend.

Concurrent writers: every write transaction first takes one transaction-scoped advisory
lock, so writers from any number of processes and machines run one after another, as they do
on SQLite, while readers never wait. Checks such as "is this report already stored?" then
see every earlier writer's committed rows.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
import psycopg.errors

from nkwatch.errors import SchemaVersionError, StoreError
from nkwatch.store.base import QueryRefused, Store
from nkwatch.store.schema_postgres import LATEST_VERSION, MIGRATIONS, VERSION_TABLE

# The advisory lock every write transaction holds ("nkwatch" in ASCII).
WRITE_LOCK = 0x6E6B7761746368
_HEADLINE = "StartSel=[, StopSel=], MaxWords=24, MinWords=10, MaxFragments=1, ShortWord=2"


class PostgresStore(Store):
    """A store in a PostgreSQL database. Not shared across threads; open one per thread."""

    backend = "postgresql"
    DatabaseError = psycopg.Error
    IntegrityError = psycopg.IntegrityError

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.location = redact(url)
        self._url = url  # for a second connection (version_watch); never shown
        try:
            raw = psycopg.connect(
                url,
                autocommit=True,
                row_factory=_row_factory,
                connect_timeout=max(1, int(timeout)),
                application_name="nkwatch",
            )
        except psycopg.Error as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"cannot open database: {message}", location=self.location) from None
        self.conn = _Connection(raw)
        try:
            self._migrate()
        except psycopg.Error as exc:
            raw.close()
            raise StoreError(f"cannot set up the schema: {exc}", location=self.location) from None
        except BaseException:
            raw.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection."""
        self.conn.raw.close()

    @property
    def schema_version(self) -> int:
        """Return the schema version recorded in the database."""
        row = self.conn.execute("SELECT max(version) FROM nkwatch_schema").fetchone()
        return int(row[0] or 0)

    def _migrate(self) -> None:
        # Under the write lock: two processes opening a new database at once migrate it once.
        with self.transaction():
            self.conn.execute(VERSION_TABLE)
            version = self.schema_version
            if version > LATEST_VERSION:
                raise SchemaVersionError(
                    f"database schema {version} is newer than this nkwatch supports "
                    f"({LATEST_VERSION}); upgrade nkwatch",
                    location=self.location,
                )
            for number, sql in MIGRATIONS:
                if number <= version:
                    continue
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self._backfill(number)
                self.conn.execute("DELETE FROM nkwatch_schema")
                self.conn.execute("INSERT INTO nkwatch_schema (version) VALUES (?)", (number,))

    @contextmanager
    def transaction(self) -> Iterator[_Connection]:
        """Run the block in one write transaction: all of it is stored, or none of it.

        Write transactions of all connections run one at a time (an advisory lock)."""
        self.conn.execute("BEGIN")
        try:
            self.conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
            yield self.conn
        except BaseException:
            with suppress(psycopg.Error):
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- the dialect -------------------------------------------------------------------------

    def _week(self, column: str) -> str:
        # strftime's %W: (day of year + 7 - ISO weekday) / 7, Monday the first day.
        day = f"left({column}, 10)::date"
        return (
            f"(substr({column}, 1, 4) || '-W' || lpad(((extract(doy FROM {day})::int + 7"
            f" - extract(isodow FROM {day})::int) / 7)::text, 2, '0'))"
        )

    def _json_list(self, expression: str) -> str:
        return f"coalesce('[' || string_agg(to_json({expression})::text, ',') || ']', '[]')"

    def _fts_documents(self, words: str) -> tuple[str, list[Any]]:
        expression, params = tsquery(words)
        return f"SELECT id FROM documents WHERE fts @@ {expression}", params

    @contextmanager
    def read_transaction(self) -> Iterator[_Connection]:
        """Run the block in one read-only transaction that sees one snapshot."""
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield self.conn
        finally:
            self.conn.execute("COMMIT")

    def version_watch(self) -> _SnapshotWatch:
        return _SnapshotWatch(self._url)

    def _in_transaction(self) -> bool:
        status = self.conn.raw.info.transaction_status
        return bool(status != psycopg.pq.TransactionStatus.IDLE)

    def _stream(self, sql: str, params: Sequence[Any]) -> Any:
        # A client cursor would hold the whole result in memory; a server-side one sends it
        # as fetched. WITH HOLD, because no transaction is open around a streaming export.
        cursor = self.conn.raw.cursor(name=f"nkwatch_stream_{next(_STREAMS)}", withhold=True)
        cursor.execute(_placeholders(sql), params)
        return cursor

    # -- full-text search --------------------------------------------------------------------

    QuerySyntaxError = psycopg.errors.SyntaxError

    def _fts_query(self, match: str) -> tuple[str, list[Any]]:
        return tsquery(match)

    def _fts_floor(self, query: tuple[str, list[Any]], window: int) -> int:
        expression, qparams = query
        probe = self.conn.execute(
            f"WITH q AS (SELECT {expression} AS q) SELECT d.id FROM documents d, q"
            " WHERE d.fts @@ q.q ORDER BY d.id DESC LIMIT 1 OFFSET ?",
            (*qparams, window - 1),
        ).fetchone()
        return int(probe[0]) if probe else 0

    def _fts_ranked(
        self,
        query: tuple[str, list[Any]],
        where: str,
        params: list[Any],
        floor: int,
        limit: int,
        offset: int,
    ) -> list[Any]:
        expression, qparams = query
        rows: list[Any] = self.conn.execute(
            f"WITH q AS (SELECT {expression} AS q) SELECT d.id, d.ext_id, d.title, d.published,"
            " d.outlet, d.language, ts_rank(d.fts, q.q) AS score FROM documents d, q"
            " WHERE d.fts @@ q.q" + where + " AND d.id >= ?"
            " ORDER BY score DESC, d.id DESC LIMIT ? OFFSET ?",
            (*qparams, *params, floor, limit, offset),
        ).fetchall()
        return rows

    def _fts_snippets(self, query: tuple[str, list[Any]], ids: list[int]) -> dict[int, str]:
        expression, qparams = query
        rows = self.conn.execute(
            f"WITH q AS (SELECT {expression} AS q) SELECT d.id, ts_headline('simple', d.body,"
            f" q.q, ?) FROM documents d, q WHERE d.id IN ({','.join('?' * len(ids))})",
            (*qparams, _HEADLINE, *ids),
        ).fetchall()
        return {int(r[0]): " ".join((r[1] or "").split()) for r in rows}

    def _refusal(self, exc: Exception) -> str:
        diag = getattr(exc, "diag", None)
        primary = getattr(diag, "message_primary", None)
        return str(primary) if primary else super()._refusal(exc)

    def integrity_problems(self) -> list[str]:
        """Return what PostgreSQL's B-tree checks (the amcheck extension, when the database
        has it) and the store's own invariants report (empty when all is well)."""
        problems = self._invariant_problems()
        has_amcheck = self.conn.execute(
            "SELECT 1 FROM pg_extension WHERE extname = 'amcheck'"
        ).fetchone()
        if has_amcheck:
            for (index,) in self.conn.execute(
                "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid ="
                " i.indexrelid JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid ="
                " c.relnamespace WHERE a.amname = 'btree' AND n.nspname = current_schema()"
            ).fetchall():
                try:
                    self.conn.execute("SELECT bt_index_check(?::regclass)", (index,))
                except psycopg.Error as exc:
                    problems.append(f"index {index}: {exc}")
        return problems


class _Connection:
    """A psycopg connection that takes the store's SQL as sqlite3 does (``?`` parameters)."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        cursor = self.raw.cursor()
        if params:
            cursor.execute(_placeholders(sql), params)
        else:
            cursor.execute(sql)
        return cursor

    def executemany(self, sql: str, rows: Any) -> psycopg.Cursor[Any]:
        cursor = self.raw.cursor()
        rows = list(rows)
        if rows:
            cursor.executemany(_placeholders(sql), rows)
        return cursor


_PLACEHOLDERS: dict[str, str] = {}
_STREAMS = itertools.count(1)


def _placeholders(sql: str) -> Any:
    """Return ``sql`` with sqlite3's ``?`` as psycopg's ``%s`` (and ``%`` doubled)."""
    out = _PLACEHOLDERS.get(sql)
    if out is None:
        out = sql.replace("%", "%%").replace("?", "%s")
        if len(_PLACEHOLDERS) < 4096:
            _PLACEHOLDERS[sql] = out
    return out


class Row(tuple[Any, ...]):
    """A result row read by position or by column name, as ``sqlite3.Row``."""

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        """Return the column names, in order."""
        return list(self._index)


_ROW_TYPES: dict[tuple[str, ...], type[Row]] = {}


def _row_factory(cursor: Any) -> Any:
    description = cursor.description
    if description is None:
        return tuple
    names = tuple(c.name for c in description)
    cls = _ROW_TYPES.get(names)
    if cls is None:
        index: dict[str, int] = {}
        for i, name in enumerate(names):
            index.setdefault(name, i)  # as sqlite3.Row: the first column of a name
        cls = type("Row", (Row,), {"__slots__": (), "_index": index})
        _ROW_TYPES[names] = cls
    return cls


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements: ';' ends one, except inside a ``$$`` function body."""
    lines = [ln for ln in script.splitlines() if ln.strip() and not ln.strip().startswith("--")]
    statements: list[str] = []
    buf = ""
    for i, part in enumerate("\n".join(lines).split("$$")):
        if i % 2:  # inside $$ … $$
            buf += "$$" + part + "$$"
            continue
        pieces = part.split(";")
        buf += pieces[0]
        for piece in pieces[1:]:
            statements.append(buf)
            buf = piece
    statements.append(buf)
    return [s.strip() for s in statements if s.strip()]


def redact(url: str) -> str:
    """Return a database URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


# -- FTS5 query syntax → tsquery ----------------------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<phrase>"(?:[^"]|"")*")(?P<pstar>\*)?|(?P<paren>[()])|(?P<word>[^\s"()]+))'
)
_LEXEME = re.compile(r"[^\W_]+")


def tsquery(query: str) -> tuple[str, list[Any]]:
    """Return a tsquery expression (SQL, with ``?`` parameters) for a query in FTS5 syntax.

    Words and phrases are parsed by PostgreSQL's own parser (``phraseto_tsquery`` with the
    ``simple`` configuration, as the index), ``word*`` is a prefix, adjacent terms are all
    required, and ``NOT`` binds tighter than ``AND``, which binds tighter than ``OR``.
    Raises :class:`QueryRefused` for what FTS5 would refuse, or cannot be translated
    (``NEAR``, column filters).
    """
    tokens = _tokens(query)
    parser = _Parser(tokens)
    expression = parser.parse_or()
    if parser.pos != len(tokens):
        raise QueryRefused(f"unexpected {tokens[parser.pos][1]!r}")
    return expression, parser.params


def _tokens(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = query.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise QueryRefused(f"cannot read the query at {text[pos:]!r}")
        pos = m.end()
        if m["phrase"] is not None:
            inner = m["phrase"][1:-1].replace('""', '"')
            tokens.append(("prefix" if m["pstar"] else "phrase", inner))
        elif m["paren"] is not None:
            tokens.append((m["paren"], m["paren"]))
        else:
            word = m["word"]
            if word in ("AND", "OR", "NOT"):
                tokens.append((word, word))
            elif word == "NEAR" or ":" in word or word.startswith(("^", "-", "+")):
                raise QueryRefused(f"{word!r} is not supported in a query")
            elif word.endswith("*"):
                tokens.append(("prefix", word[:-1]))
            else:
                tokens.append(("phrase", word))
    return tokens


class _Parser:
    """A recursive-descent parser of FTS5's query grammar, producing a tsquery expression."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.params: list[Any] = []

    def _peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def parse_or(self) -> str:
        left = self.parse_and()
        while self._peek() == "OR":
            self.pos += 1
            left = f"({left} || {self.parse_and()})"
        return left

    def parse_and(self) -> str:
        left = self.parse_not()
        while self._peek() in ("AND", "phrase", "prefix", "("):
            if self._peek() == "AND":
                self.pos += 1
            left = f"({left} && {self.parse_not()})"
        return left

    def parse_not(self) -> str:
        left = self.parse_term()
        while self._peek() == "NOT":
            self.pos += 1
            left = f"({left} && !!{self.parse_term()})"
        return left

    def parse_term(self) -> str:
        kind = self._peek()
        if kind is None:
            raise QueryRefused("the query ends where a term is expected")
        value = self.tokens[self.pos][1]
        self.pos += 1
        if kind == "(":
            inner = self.parse_or()
            if self._peek() != ")":
                raise QueryRefused("unbalanced parenthesis")
            self.pos += 1
            return inner
        if kind == "phrase":
            self.params.append(value)
            return "phraseto_tsquery('simple', ?)"
        if kind == "prefix":
            words = _LEXEME.findall(value)
            if not words:
                raise QueryRefused(f"no word before '*' in {value!r}")
            lexemes = [f"'{w}'" for w in words]
            lexemes[-1] += ":*"
            self.params.append(" <-> ".join(lexemes))
            return "to_tsquery('simple', ?)"
        raise QueryRefused(f"unexpected {value!r}")


class _SnapshotWatch:
    """The transaction snapshot of a connection of its own (``xmin:xmax:in-progress``): it
    is the same only while no transaction has begun writing or ended, so equal snapshots
    mean the same committed data. Usable from any thread (psycopg serialises)."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(
            url, autocommit=True, application_name="nkwatch-watch", connect_timeout=30
        )

    def version(self) -> str:
        row = self.conn.execute("SELECT txid_current_snapshot()::text").fetchone()
        return str(row[0]) if row else ""

    def close(self) -> None:
        self.conn.close()
