"""What every store does, whatever its database: reports with revisions and near-duplicates,
analyses, events, reviews. The SQL here is the common dialect of SQLite and PostgreSQL; each
backend (:mod:`nkwatch.store.sqlite`, :mod:`nkwatch.store.postgres`) supplies its connection,
migrations, transactions and full-text search."""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from nkwatch import privacy
from nkwatch.errors import ExportError, NotFound, QueryError
from nkwatch.model import (
    AddResult,
    Analysis,
    Event,
    EventFilter,
    PlaceMention,
    PreparedDocument,
    SearchHit,
    Segment,
    StoredDocument,
)
from nkwatch.store import hangul, neardup
from nkwatch.store.event_index import EVENT_ORDER, EventIndex, Snapshot, VersionWatch
from nkwatch.store.incidents import IncidentMixin
from nkwatch.store.review import ReviewMixin, review_json

_LIST_COLUMNS = (
    "id, ext_id, source, format, title, published, published_estimated, outlet, url, language,"
    " body, content_hash, revision, ingested_at, persons"
)
_BAREWORD = re.compile(r"[^\s\"]+")
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}
# A query matching more reports than this is ranked among its most recent matches (see search).
RANK_WINDOW = 2000


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _pack(text: str, body: str) -> bytes:
    """Return ``text`` (a report as ingested) compressed with its cleaned body as zlib's preset
    dictionary: the body is most of the report, so what is stored is mostly what cleaning
    removed (about a tenth of the size, in half the time). A body never changes once stored
    (a changed report is a new revision), so the dictionary is always at hand to read it."""
    packer = zlib.compressobj(1, zdict=body.encode("utf-8"))
    return packer.compress(text.encode("utf-8")) + packer.flush()


def _unpack(blob: bytes | None, body: str) -> str | None:
    """Return the text ``_pack`` compressed (or plain ``zlib.compress`` did, before stores
    used a dictionary: zlib's header says whether the stream wants one)."""
    if blob is None:
        return None
    unpacker = zlib.decompressobj(zdict=body.encode("utf-8"))
    return (unpacker.decompress(blob) + unpacker.flush()).decode("utf-8")


class Store(ReviewMixin, IncidentMixin):
    """A store: one connection to one database. Not shared across threads; open one per
    process or thread (:func:`nkwatch.store.open`)."""

    backend = ""
    location = ""
    conn: Any
    # The driver's exception for anything the database refuses, and for a broken uniqueness.
    DatabaseError: type[Exception] = Exception
    # Private persons' names are replaced by privacy.PLACEHOLDER in what the store returns,
    # unless shown for this connection by show_names (logged) or read inside unredacted().
    names_shown = False
    # The events held in memory by a long-running reader (the web app), shared by its
    # connections; None: every event query is answered by the database.
    event_index: EventIndex | None = None

    def show_names(self, who: str, why: str) -> None:
        """Show private persons' names in what this connection returns from now on; the
        request is written to the audit log (who, when, why)."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO audit_log (at, who, action, after) VALUES (?, ?, 'names shown', ?)",
                (_now(), who, json.dumps({"why": why}, ensure_ascii=False)),
            )
        self.names_shown = True

    def hide_names(self) -> None:
        """Redact private persons' names again (the default)."""
        self.names_shown = False

    @contextmanager
    def unredacted(self) -> Iterator[Store]:
        """Read reports as stored, names included, for nkwatch's own work (analysis,
        evaluation, linking), never for display; nothing is logged."""
        before = self.names_shown
        self.names_shown = True
        try:
            yield self
        finally:
            self.names_shown = before

    def _redaction(
        self, persons: str | None, part: str = "body", *, shown: bool | None = None
    ) -> privacy.Redaction | None:
        """Return the redaction of a report's body or title, or None when nothing is hidden
        (``shown``: whether names are shown, when not the connection's present setting)."""
        if (self.names_shown if shown is None else shown) or not persons:
            return None
        spans = json.loads(persons).get(part)
        return privacy.Redaction(spans) if spans else None

    def _names_of(self, doc_id: int) -> str | None:
        row = self.conn.execute("SELECT persons FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else row[0]

    def _document(self, row: Any) -> StoredDocument:
        doc = _row_to_document(row)
        persons = row["persons"]
        body = self._redaction(persons)
        if body:
            doc.body = body.text(doc.body)
        title = self._redaction(persons, "title")
        if title and doc.title:
            doc.title = title.text(doc.title)
        return doc

    IntegrityError: type[Exception] = Exception

    # -- what each backend supplies ----------------------------------------------------------

    def close(self) -> None:
        """Close the connection."""
        raise NotImplementedError

    @property
    def schema_version(self) -> int:
        """Return the schema version recorded in the database."""
        raise NotImplementedError

    def transaction(self) -> Any:
        """Return a context manager running its block in one write transaction: all of it is
        stored, or none of it. Write transactions of several connections run one at a time."""
        raise NotImplementedError

    # The backend's full-text search: its form of a query (words, phrases, AND/OR/NOT,
    # prefix* in FTS5 syntax), the id below which the newest ``window`` matches lie, one page
    # of matches ranked (columns id, ext_id, title, published, outlet, language, and score,
    # higher is better), and highlighted snippets. A query the database refuses as malformed
    # raises ``QuerySyntaxError`` (or QueryRefused).
    QuerySyntaxError: type[Exception] = Exception

    def _fts_query(self, match: str) -> Any:
        raise NotImplementedError

    def _fts_floor(self, query: Any, window: int) -> int:
        raise NotImplementedError

    def _fts_ranked(
        self, query: Any, where: str, params: list[Any], floor: int, limit: int, offset: int
    ) -> list[Any]:
        """``where`` is more conditions on the reports (``d``), each after an AND."""
        raise NotImplementedError

    def _fts_snippets(self, query: Any, ids: list[int]) -> dict[int, str]:
        raise NotImplementedError

    def _fts_documents(self, words: str) -> tuple[str, list[Any]]:
        """Return a query (and its parameters) of the ids of the reports that contain every
        word of ``words`` (:func:`fts_words` syntax)."""
        raise NotImplementedError

    def read_transaction(self) -> Any:
        """Return a context manager running its block in one read transaction: every
        statement in it sees the same state of the database."""
        raise NotImplementedError

    def version_watch(self) -> VersionWatch | None:
        """Return a watch of the database's version (a value that changes whenever another
        connection commits a change), on its own connection that any thread may use; None
        when the database cannot be watched (an in-memory one)."""
        return None

    def _in_transaction(self) -> bool:
        """Whether this connection is inside a transaction (its changes not yet seen by
        others)."""
        raise NotImplementedError

    def _week(self, column: str) -> str:
        """Return an expression of the week a date column falls in, as 2024-W03 (weeks start
        on Monday; week 00 holds the days before the year's first Monday)."""
        raise NotImplementedError

    def _json_list(self, expression: str) -> str:
        """Return an aggregate of ``expression`` as JSON array text (``[]`` for no rows)."""
        raise NotImplementedError

    def _stream(self, sql: str, params: Sequence[Any]) -> Any:
        """Return a cursor over a query's rows that holds only what is fetched in memory."""
        return self.conn.execute(sql, params)

    def integrity_problems(self) -> list[str]:
        """Return what the database's own checks report (empty when all is well)."""
        raise NotImplementedError

    def _refusal(self, exc: Exception) -> str:
        """Return why the database refused a row, in one line, without the row itself (a
        report's text never goes into a message or a log)."""
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__

    def _invariant_problems(self) -> list[str]:
        """Return where the store breaks its own rules, which no constraint enforces: one
        current revision per report, and every event's quote the body's text at its span."""
        problems = [
            f"report {r[0]!r} has {r[1]} current revisions"
            for r in self.conn.execute(
                "SELECT doc_key, sum(CASE WHEN superseded_by IS NULL THEN 1 ELSE 0 END)"
                " FROM documents GROUP BY doc_key"
                " HAVING sum(CASE WHEN superseded_by IS NULL THEN 1 ELSE 0 END) != 1"
            )
        ]
        problems += [
            f"event {r[0]}: its quote is not the text at its span"
            for r in self.conn.execute(
                "SELECT e.id FROM events e JOIN documents d ON d.id = e.doc_id WHERE"
                " substr(d.body, CAST(e.evidence_start + 1 AS INTEGER),"
                " CAST(e.evidence_end - e.evidence_start AS INTEGER))"
                " != e.evidence"
            )
        ]
        return problems

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- migrations ---------------------------------------------------------------------------

    def _backfill(self, number: int) -> None:
        """Fill in, inside migration ``number``'s transaction, what its SQL cannot compute."""
        if number == 6:  # the Hangul bigrams of the reports stored before it
            self._fill_documents("grams", hangul.grams)
        if number == 8:  # the private persons named in the reports stored before it
            self._fill_documents("persons", lambda t, b: _json_or_none(privacy.spans(t, b)))
        if number == 10:  # near-duplicate signatures from the new word hash, and their bands
            self._resign_documents()

    def _document_chunks(self) -> Iterator[list[Any]]:
        """Yield the (id, title, body) of every report, a few hundred reports at a time."""
        last = 0
        while rows := self.conn.execute(
            "SELECT id, title, body FROM documents WHERE id > ? ORDER BY id LIMIT 500", (last,)
        ).fetchall():
            last = int(rows[-1][0])
            yield rows

    def _fill_documents(self, column: str, compute: Callable[[str | None, str], Any]) -> None:
        """Set ``column`` of every report to ``compute(title, body)`` (None left as NULL)."""
        for rows in self._document_chunks():
            values = [(v, r[0]) for r in rows if (v := compute(r[1], r[2])) is not None]
            if values:
                self.conn.executemany(f"UPDATE documents SET {column} = ? WHERE id = ?", values)

    def _resign_documents(self) -> None:
        """Compute every report's MinHash signature and LSH bands again. The near-duplicate
        links found with the old signatures stay."""
        self.conn.execute("DELETE FROM minhash_bands")
        for rows in self._document_chunks():
            signatures = neardup.signatures([r[2] for r in rows])  # read twice below: a list
            signed = list(zip([int(r[0]) for r in rows], signatures, strict=True))
            self.conn.executemany(
                "UPDATE documents SET minhash = ? WHERE id = ?",
                [(sig.to_bytes() if sig else None, doc_id) for doc_id, sig in signed],
            )
            self._insert_bands(
                [(k, doc_id) for doc_id, sig in signed if sig for k in sig.band_keys]
            )

    def _insert_bands(self, rows: list[tuple[int, int]]) -> None:
        """Store (band key, report id) rows of the near-duplicate index."""
        self.conn.executemany(
            "INSERT INTO minhash_bands (band_key, doc_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            rows,
        )

    # -- writing -----------------------------------------------------------------------------

    def add_documents(self, batch: Sequence[PreparedDocument]) -> list[AddResult]:
        """Store a batch of reports in one transaction; return what happened to each.

        A report the database refuses is rolled back alone (a savepoint each) and comes back
        with status ``failed``; the rest of the batch is stored.
        """
        try:
            # Most batches hold no report the database refuses: stored without a savepoint
            # per report, which costs two statements each.
            with self.transaction():
                results = [self._add(item) for item in batch]
                self._index_documents([r.id for r in results if r.status in ("stored", "revision")])
            return results
        except self.DatabaseError:
            pass  # rolled back whole: stored again below, each report in a savepoint
        results = []
        with self.transaction():
            for item in batch:
                self.conn.execute("SAVEPOINT report")
                try:
                    results.append(self._add(item))
                except self.DatabaseError as exc:
                    self.conn.execute("ROLLBACK TO report")
                    results.append(
                        AddResult(
                            "failed",
                            0,
                            item.doc.ext_id,
                            error=f"database refused it: {self._refusal(exc)}",
                        )
                    )
                self.conn.execute("RELEASE report")
            self._index_documents([r.id for r in results if r.status in ("stored", "revision")])
        return results

    def _index_documents(self, ids: list[int]) -> None:
        """Add the reports just stored to the full-text index, where the backend does not
        index them as each row is written (SQLite: one statement for the whole batch)."""

    def _add(self, item: PreparedDocument) -> AddResult:
        doc = item.doc
        key = doc.key
        row = self.conn.execute(
            "SELECT id, content_hash, revision FROM documents WHERE doc_key = ?"
            " ORDER BY revision DESC LIMIT 1",
            (key,),
        ).fetchone()
        if row is not None and row["content_hash"] == item.content_hash:
            return AddResult("unchanged", row["id"], doc.ext_id, row["revision"])
        if row is None:
            same = self.conn.execute(
                "SELECT id, ext_id, revision FROM documents WHERE content_hash = ?"
                " AND superseded_by IS NULL LIMIT 1",
                (item.content_hash,),
            ).fetchone()
            if same is not None:
                return AddResult("duplicate", same["id"], same["ext_id"], same["revision"])
        revision = 1 if row is None else row["revision"] + 1
        cleaned = item.cleaned
        text_blob = None if doc.text == doc.raw else _pack(doc.text, cleaned.body)
        cur = self.conn.execute(
            "INSERT INTO documents (ext_id, doc_key, source, format, title, published,"
            " published_estimated, outlet, url, language, raw, text, body, segments, removed,"
            " content_hash, revision, supersedes, minhash, extra, ingested_at, grams, persons)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            (
                doc.ext_id,
                key,
                doc.source,
                doc.format,
                doc.title,
                doc.published,
                int(doc.published_estimated),
                doc.outlet,
                doc.url,
                doc.language,
                _pack(doc.raw, cleaned.body),
                text_blob,
                cleaned.body,
                json.dumps([[s.body_start, s.text_start, s.length] for s in cleaned.segments]),
                _ENCODE_JSON(cleaned.removed),
                item.content_hash,
                revision,
                None if row is None else row["id"],
                item.minhash,
                _ENCODE_EXTRA(doc.extra),
                _now(),
                hangul.grams(doc.title, cleaned.body),
                _json_or_none(privacy.spans(doc.title, cleaned.body)),
            ),
        )
        new_id = int(cur.fetchone()[0])
        if row is not None:
            self.conn.execute(
                "UPDATE documents SET superseded_by = ? WHERE id = ?", (new_id, row["id"])
            )
        near = self._link_near_duplicates(new_id, key, item)
        return AddResult(
            "stored" if row is None else "revision", new_id, doc.ext_id, revision, near
        )

    def _link_near_duplicates(
        self, doc_id: int, key: str, item: PreparedDocument
    ) -> list[tuple[int, float]]:
        if item.minhash is None or not item.band_keys:
            return []
        limit = neardup.MAX_CANDIDATES
        members = {
            r[0]
            for r in self.conn.execute(
                _candidates_sql(len(item.band_keys)),
                [v for k in item.band_keys for v in (k, limit)],
            ).fetchall()
        }
        self._insert_bands([(k, doc_id) for k in item.band_keys])
        if not members:  # most reports: no band shared with any other
            return []
        marks = ", ".join("?" for _ in members)
        candidates = self.conn.execute(
            f"SELECT id, minhash FROM documents WHERE id IN ({marks}) AND doc_key != ?"
            " AND superseded_by IS NULL ORDER BY id DESC LIMIT ?",
            (*members, key, limit),
        ).fetchall()
        mine = neardup.Signature.from_bytes(item.minhash)
        found = []
        for cand in candidates:
            sim = neardup.similarity(mine, neardup.Signature.from_bytes(cand["minhash"]))
            if sim >= neardup.SIMILARITY_THRESHOLD:
                found.append((int(cand["id"]), sim))
        self.conn.executemany(
            "INSERT INTO near_duplicates (doc_id, other_id, similarity) VALUES (?, ?, ?)"
            " ON CONFLICT (doc_id, other_id) DO UPDATE SET similarity = excluded.similarity",
            [(a, b, s) for other, s in found for a, b in ((doc_id, other), (other, doc_id))],
        )
        return found

    # -- fetch validators (the FetchCache protocol) ------------------------------------------

    def get_validators(self, url: str) -> tuple[str | None, str | None] | None:
        """Return the ETag and Last-Modified saved for ``url``, if any."""
        row = self.conn.execute(
            "SELECT etag, last_modified FROM fetch_cache WHERE url = ?", (url,)
        ).fetchone()
        return None if row is None else (row["etag"], row["last_modified"])

    def put_validators(
        self, url: str, etag: str | None, last_modified: str | None, status: int
    ) -> None:
        """Save the validators of a fetched resource whose contents are stored."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO fetch_cache (url, etag, last_modified, status, fetched_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, status = excluded.status,"
                " fetched_at = excluded.fetched_at",
                (url, etag, last_modified, status, _now()),
            )

    # -- reading -----------------------------------------------------------------------------

    def resolve_id(self, ref: str | int) -> int:
        """Return the internal id of a report named by its external id, URL or internal id.

        An external id wins over an internal one of the same spelling; ``#12``, or the number
        12 (not the text), always means internal id 12. Of several revisions, the latest is
        returned.
        """
        if isinstance(ref, int):  # an internal id, as the store itself hands them out
            found = self.conn.execute("SELECT id FROM documents WHERE id = ?", (ref,)).fetchone()
            if found is None:
                raise NotFound(f"no report with id #{ref}")
            return ref
        text = str(ref).strip()
        if text.startswith("#") and _row_id(text[1:]):
            row = self.conn.execute(
                "SELECT id FROM documents WHERE id = ?", (int(text[1:]),)
            ).fetchone()
        else:
            # One indexed lookup per column: "ext_id = ? OR url = ?" would scan the table.
            row = (
                self.conn.execute(
                    "SELECT id FROM documents WHERE ext_id = ?"
                    " ORDER BY superseded_by IS NOT NULL, revision DESC LIMIT 1",
                    (text,),
                ).fetchone()
                or self.conn.execute(
                    "SELECT id FROM documents WHERE url = ?"
                    " ORDER BY superseded_by IS NOT NULL, revision DESC LIMIT 1",
                    (text,),
                ).fetchone()
            )
            if row is None and _row_id(text):
                row = self.conn.execute(
                    "SELECT id FROM documents WHERE id = ?", (int(text),)
                ).fetchone()
        if row is None:
            raise NotFound(f"no report with id {text!r}")
        return int(row["id"])

    def get(self, ref: str | int, *, with_raw: bool = False) -> StoredDocument:
        """Return one report by any of its ids, with its near-duplicates and revisions."""
        doc_id = self.resolve_id(ref)
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        doc = self._document(row)
        redaction = self._redaction(row["persons"])
        # A redacted body no longer lines up with the raw text: no map from one to the other.
        doc.segments = [] if redaction else [Segment(*s) for s in json.loads(row["segments"])]
        if with_raw:
            doc.raw = _unpack(row["raw"], row["body"])
            doc.text = _unpack(row["text"], row["body"]) or doc.raw
            if redaction is not None:
                names = [n for n in privacy.names(row["title"], row["body"], row["persons"])]
                doc.raw = redaction.words(doc.raw or "", names)
                doc.text = redaction.words(doc.text or "", names)
        doc.near_duplicates = [
            (int(r["id"]), r["ext_id"], float(r["similarity"]))
            for r in self.conn.execute(
                "SELECT d.id, d.ext_id, n.similarity FROM near_duplicates n"
                " JOIN documents d ON d.id = n.other_id"
                " WHERE n.doc_id = ? ORDER BY n.similarity DESC",
                (doc_id,),
            )
        ]
        doc.revisions = [
            int(r["id"])
            for r in self.conn.execute(
                "SELECT id FROM documents WHERE doc_key = ? ORDER BY revision", (row["doc_key"],)
            )
        ]
        doc.translations = self.translations_of(doc_id)
        doc.extra = json.loads(row["extra"] or "{}")
        return doc

    # -- one report in two languages ---------------------------------------------------------

    def translation_candidates(self, doc: StoredDocument, days: int) -> list[int]:
        """Return the ids of current reports in another language than ``doc``'s that may be
        the same report: published within ``days`` of it by the same outlet, or named by its
        page as its other language (or naming it)."""
        clauses: list[str] = []
        params: list[Any] = []
        same_outlet = "lower(outlet) = lower(?)"
        links_here = "extra LIKE ?"
        if doc.published:
            day = dt.date.fromisoformat(doc.published[:10])
            lo = (day - dt.timedelta(days=days)).isoformat()
            hi = (day + dt.timedelta(days=days + 1)).isoformat()
            near = [same_outlet] if doc.outlet else []
            near += [links_here] if doc.url else []
            if near:
                clauses.append(f"(published >= ? AND published < ? AND ({' OR '.join(near)}))")
                params += [lo, hi]
                params += [doc.outlet] if doc.outlet else []
                params += [f'%"{doc.url}"%'] if doc.url else []
        urls = [u for u in (doc.extra.get("translations") or {}).values() if isinstance(u, str)]
        if urls:
            clauses.append(f"url IN ({','.join('?' * len(urls))})")
            params += urls
        if not clauses:
            return []
        rows = self.conn.execute(
            "SELECT id FROM documents WHERE superseded_by IS NULL AND id != ?"
            " AND coalesce(language, '') != ? AND (" + " OR ".join(clauses) + ")"
            " ORDER BY id",
            (doc.id, doc.language or "", *params),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def save_translation(
        self, doc_id: int, other_id: int, score: float, reasons: list[str]
    ) -> bool:
        """Record two reports as one report in two languages, in place of a weaker link either
        has to a report in the other's language; return False (and change nothing) when
        either holds a stronger one."""
        with self.transaction():
            languages = dict(
                self.conn.execute(
                    "SELECT id, coalesce(language, '') FROM documents WHERE id IN (?, ?)",
                    (doc_id, other_id),
                ).fetchall()
            )
            rivals = []
            for one, two in ((doc_id, other_id), (other_id, doc_id)):
                rivals += self.conn.execute(
                    "SELECT t.doc_id, t.other_id, t.score FROM translations t"
                    " JOIN documents d ON d.id = t.other_id"
                    " WHERE t.doc_id = ? AND t.other_id != ? AND coalesce(d.language, '') = ?",
                    (one, two, languages.get(two, "")),
                ).fetchall()
            if any(float(r[2]) > score for r in rivals):
                return False
            for one, two, _ in rivals:
                self.conn.execute(
                    "DELETE FROM translations WHERE (doc_id = ? AND other_id = ?)"
                    " OR (doc_id = ? AND other_id = ?)",
                    (one, two, two, one),
                )
            why = json.dumps(reasons, ensure_ascii=False)
            for one, two in ((doc_id, other_id), (other_id, doc_id)):
                self.conn.execute(
                    "DELETE FROM translations WHERE doc_id = ? AND other_id = ?", (one, two)
                )
                self.conn.execute(
                    "INSERT INTO translations (doc_id, other_id, score, reasons) VALUES (?,?,?,?)",
                    (one, two, score, why),
                )
        return True

    def clear_translations(self, doc_id: int) -> None:
        """Forget the links of a report to its other languages (before they are weighed
        again)."""
        with self.transaction():
            self.conn.execute(
                "DELETE FROM translations WHERE doc_id = ? OR other_id = ?", (doc_id, doc_id)
            )

    def translations_of(self, doc_id: int) -> list[tuple[int, str, str | None, float, list[str]]]:
        """Return the current reports linked to ``doc_id`` as the same report in another
        language: (id, external id, language, score, reasons), strongest first."""
        return [
            (int(r[0]), r[1], r[2], float(r[3]), json.loads(r[4]))
            for r in self.conn.execute(
                "SELECT d.id, d.ext_id, d.language, t.score, t.reasons FROM translations t"
                " JOIN documents d ON d.id = t.other_id"
                " WHERE t.doc_id = ? AND d.superseded_by IS NULL ORDER BY t.score DESC, d.id",
                (doc_id,),
            ).fetchall()
        ]

    def bodies(self, ids: Sequence[int]) -> list[tuple[int, str, str, str | None, str | None]]:
        """Return (id, external id, body, published, language) of reports, in the order of
        ``ids`` (those the store does not hold are left out): what the pipeline reads."""
        found: dict[int, tuple[int, str, str, str | None, str | None]] = {}
        for chunk in _chunks(list(ids), _MAX_PARAMS):
            marks = ", ".join("?" * len(chunk))
            for r in self.conn.execute(
                "SELECT id, ext_id, body, published, language FROM documents"
                f" WHERE id IN ({marks})",
                chunk,
            ):
                found[r[0]] = (r[0], r[1], r[2], r[3], r[4])
        return [found[i] for i in ids if i in found]

    def removed_lines(self, doc_id: int) -> list[tuple[str, str]]:
        """Return the (rule, line) pairs cleaning removed from a report."""
        row = self.conn.execute("SELECT removed FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFound(f"no report with internal id {doc_id}")
        return [(r, line) for r, line in json.loads(row["removed"])]

    def save_places(self, doc_id: int, mentions: Sequence[PlaceMention], gazetteer: str) -> None:
        """Replace a report's place mentions with ``mentions`` (one transaction)."""
        if self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
            raise NotFound(f"no report with internal id {doc_id}")
        with self.transaction():
            self.conn.execute("DELETE FROM places WHERE doc_id = ?", (doc_id,))
            self.conn.executemany(
                _INSERT_PLACE, [(doc_id, *place_row(m, gazetteer)) for m in mentions]
            )

    def save_analysis(self, analysis: Analysis) -> None:
        """Replace what the extractor made of one report (places, events, tone) in one
        transaction: a crash leaves the earlier analysis or the new one, never half."""
        self.save_analyses([analysis])

    def save_analyses(self, analyses: Sequence[Analysis]) -> None:
        """Replace the analyses of several reports in one transaction: all, or none."""
        self.save_analysis_rows([analysis_rows(a) for a in analyses])

    def save_analysis_rows(self, batch: Sequence[AnalysisRows]) -> None:
        """Replace the analyses of several reports, given as rows (:func:`analysis_rows`), in
        one transaction: all, or none (a report the store does not hold stops it first)."""
        ids = [r.doc_id for r in batch]
        for chunk in _chunks(ids, _MAX_PARAMS):
            marks = ", ".join("?" * len(chunk))
            found = {
                row[0]
                for row in self.conn.execute(
                    f"SELECT id FROM documents WHERE id IN ({marks})", chunk
                )
            }
            missing = [i for i in chunk if i not in found]
            if missing:
                raise NotFound(f"no report with internal id {missing[0]}")
        with self.transaction():
            for chunk in _chunks(ids, _MAX_PARAMS):
                marks = ", ".join("?" * len(chunk))
                self.conn.execute(f"DELETE FROM places WHERE doc_id IN ({marks})", chunk)
                self.conn.execute(f"DELETE FROM events WHERE doc_id IN ({marks})", chunk)
            self.conn.executemany(_INSERT_PLACE, [(r.doc_id, *p) for r in batch for p in r.places])
            self.conn.executemany(_INSERT_EVENT, [(r.doc_id, *e) for r in batch for e in r.events])
            now = _now()
            self.conn.executemany(
                _UPSERT_ANALYSIS,
                [(r.doc_id, r.tone, r.tone_evidence, r.extractor, now) for r in batch],
            )

    def import_events(
        self, groups: Iterable[tuple[str, list[Event], str | None, str | None]]
    ) -> tuple[int, int]:
        """Replace the events of reports with imported ones, in one transaction: every
        report of the input is replaced, or none (an error anywhere rolls all back).

        ``groups`` yields (report's external id, its events, tone, extractor); a report
        absent from the store raises :class:`NotFound`. Returns (reports, events) written."""
        reports = events = 0
        with self.transaction():
            for ext_id, evs, tone, extractor in groups:
                doc_id = self.resolve_id(ext_id)
                body = self.conn.execute(
                    "SELECT body FROM documents WHERE id = ?", (doc_id,)
                ).fetchone()[0]
                for e in evs:
                    if body[e.evidence_start : e.evidence_end] != e.evidence:
                        raise ExportError(
                            f"the quote {e.evidence[:60]!r} is not the report's text at"
                            f" {e.evidence_start}–{e.evidence_end} (an export with private names"
                            " redacted cannot be imported: export with --show-names)",
                            location=ext_id,
                        )
                self.conn.execute("DELETE FROM events WHERE doc_id = ?", (doc_id,))
                self.conn.executemany(_INSERT_EVENT, [(doc_id, *event_row(e)) for e in evs])
                self.conn.execute(
                    _UPSERT_ANALYSIS,
                    (doc_id, tone or "NONE", "{}", extractor or "import", _now()),
                )
                reports += 1
                events += len(evs)
        return reports, events

    def to_analyse(self, extractor: str, *, reprocess: bool = False) -> list[int]:
        """Return the ids of the latest revisions not yet analysed by ``extractor`` (all of
        them when ``reprocess``), oldest first."""
        if reprocess:
            sql = "SELECT id FROM documents WHERE superseded_by IS NULL ORDER BY id"
            return [int(r[0]) for r in self.conn.execute(sql)]
        sql = (
            "SELECT d.id FROM documents d LEFT JOIN analyses a ON a.doc_id = d.id"
            " WHERE d.superseded_by IS NULL AND (a.doc_id IS NULL OR a.extractor != ?)"
            " ORDER BY d.id"
        )
        return [int(r[0]) for r in self.conn.execute(sql, (extractor,))]

    def tone_of(self, doc_id: int) -> str | None:
        """Return the stored tone of a report, or None when it has not been analysed."""
        row = self.conn.execute("SELECT tone FROM analyses WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if row is None else str(row[0])

    def events(
        self, where: EventFilter | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Return stored events that pass ``where`` with their report's ids, newest first."""
        where = where or EventFilter()
        snapshot = self._snapshot(where)
        if snapshot is not None:
            rows = self._events_by_id(snapshot.page(snapshot.mask(self, where), limit, offset))
        else:
            sql, params = self._event_filter(where)
            rows = self.conn.execute(
                _EVENT_SELECT + sql + f" ORDER BY {EVENT_ORDER} LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return [self._redacted_event(_event_record(r), r["persons"]) for r in rows]

    def _snapshot(self, where: EventFilter) -> Snapshot | None:
        """Return the event index's snapshot when it can answer ``where`` now: one report's
        events are better read through the database's index, and a connection inside a
        transaction must see its own changes."""
        if (
            self.event_index is None
            or where.doc_id is not None
            or where.review not in (None, *REVIEW_FILTERS)  # refused by _event_filter
            or self._in_transaction()
        ):
            return None
        return self.event_index.current(self)

    def change_counts(self) -> tuple[int, int]:
        """Return how many changes were made to the events (with their reports and analyses)
        and to the reviews (counted by triggers; see schema migration 12)."""
        counts = dict(self.conn.execute("SELECT kind, n FROM change_counts").fetchall())
        return int(counts["events"]), int(counts["reviews"])

    def reviewed_events(self) -> list[tuple[int, str]]:
        """Return (event id, review status) of every reviewed event."""
        rows = self.conn.execute(
            # The reviews first (few), each event found by its report: SQLite keeps the
            # order of a CROSS JOIN, and would otherwise scan the events (250 ms at 500,000).
            "SELECT e.id, r.status FROM reviews r CROSS JOIN events e WHERE e.doc_id = r.doc_id"
            " AND e.evidence_start = r.evidence_start AND e.evidence_end = r.evidence_end"
            " AND e.type = r.type"
        ).fetchall()
        return [(int(r[0]), str(r[1])) for r in rows]

    def event_snapshot(self) -> Snapshot | None:
        """Return the events held in memory when they are the database's present ones (a
        long-running reader's, see :mod:`nkwatch.store.event_index`), else None."""
        return self._snapshot(EventFilter())

    def _events_by_id(self, ids: list[int], select: str | None = None) -> list[Any]:
        """Return the event rows of ``ids`` in that order, as ``select`` (a query up to its
        WHERE, of events ``e`` with their ``id``) reads them: by default as :meth:`events`."""
        found: dict[int, Any] = {}
        for chunk in _chunks(ids, _MAX_PARAMS):
            marks = ", ".join("?" for _ in chunk)
            sql = (select or _EVENT_SELECT) + f"e.id IN ({marks})"
            for r in self.conn.execute(sql, chunk).fetchall():
                found[r["id"]] = r
        return [found[i] for i in ids if i in found]

    def matching_documents(self, query: str) -> np.ndarray:
        """Return the ids of the reports whose text holds every word of ``query`` (the
        ``query`` filter of events)."""
        match = fts_words(query)
        if match is None:
            return np.zeros(0, dtype=np.int64)
        sql, params = self._fts_documents(hangul.rewrite(match))
        return self._ids(sql, params)

    def campaign_events(self, campaign: int) -> np.ndarray:
        """Return the ids of the events in a campaign's incidents."""
        return self._ids("SELECT e.id FROM events e WHERE " + _IN_CAMPAIGN, [campaign])

    def _ids(self, sql: str, params: Sequence[Any]) -> np.ndarray:
        """Return the integers of a query's one column as an array."""
        rows = self.conn.execute(sql, params).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def lower(self, text: str) -> str:
        """Return ``text`` lower-cased as the database does (``lower()``)."""
        return str(self.conn.execute("SELECT lower(?)", (text,)).fetchone()[0])

    def _redacted_event(self, event: dict[str, Any], persons: str | None) -> dict[str, Any]:
        """Return an event record with private names redacted in its quotes and title, and
        its offsets moved to the redacted body."""
        body = self._redaction(persons)
        if body:
            start, end = event["evidence_start"], event["evidence_end"]
            event["evidence"] = body.text(event["evidence"], start)
            event["evidence_start"], event["evidence_end"] = body.offset(start), body.offset(end)
            event["also"] = [
                {"quote": body.text(a["quote"], a["start"]), "start": body.offset(a["start"]),
                 "end": body.offset(a["end"])}
                for a in event["also"]
            ]  # fmt: skip
        title = self._redaction(persons, "title")
        if title and event.get("title"):
            event["title"] = title.text(event["title"])
        return event

    def event(self, event_id: int) -> dict[str, Any]:
        """Return one stored event (as :meth:`events` does) by its id."""
        row = self.conn.execute(_EVENT_SELECT + "e.id = ?", (event_id,)).fetchone()
        if row is None:
            raise NotFound(f"no event {event_id}", location=f"event {event_id}")
        return self._redacted_event(_event_record(row), row["persons"])

    def count_events(self, where: EventFilter | None = None) -> int:
        """Return how many stored events pass ``where``."""
        where = where or EventFilter()
        snapshot = self._snapshot(where)
        if snapshot is not None:
            return snapshot.count(snapshot.mask(self, where))
        sql, params = self._event_filter(where)
        return int(self.conn.execute(_EVENT_COUNT + sql, params).fetchone()[0])

    def event_facets(
        self, where: EventFilter | None = None, fields: Sequence[str] | None = None
    ) -> dict[str, list[tuple[str, int]]]:
        """Return, for each field of ``fields``, its values among the events that pass
        ``where`` with how many events have each, most frequent first."""
        where = where or EventFilter()
        names = list(DEFAULT_FACETS if fields is None else fields)
        unknown = [name for name in names if name not in FACETS]
        if unknown:
            raise QueryError(f"unknown facet {unknown[0]!r}; one of {', '.join(FACETS)}",
                             location="facets")  # fmt: skip
        snapshot = self._snapshot(where)
        if snapshot is not None:
            return snapshot.facets(snapshot.mask(self, where), names, FACET_TOP)
        sql, params = self._event_filter(where)
        # One pass over the events, grouped by every field at once; each field's counts are
        # then summed from the groups (far fewer than the events).
        columns = ", ".join(f"{FACETS[name]} AS f{i}" for i, name in enumerate(names))
        groups = ", ".join(f"f{i}" for i in range(len(names)))
        counts: list[dict[str, int]] = [{} for _ in names]
        for row in self.conn.execute(
            f"SELECT {columns}, count(*)" + _EVENT_FROM + " WHERE " + sql + f" GROUP BY {groups}",
            params,
        ):
            n = int(row[len(names)])
            for i in range(len(names)):
                if row[i] is not None:
                    counts[i][row[i]] = counts[i].get(row[i], 0) + n
        return {
            name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_TOP]
            for name, c in zip(names, counts, strict=True)
        }

    def event_periods(
        self, where: EventFilter | None = None, *, by: str = "month"
    ) -> list[tuple[str, str, int]]:
        """Return (period, type, events) for the dated events that pass ``where``, by the
        period their interval starts in: ``month`` (2024-01) or ``week`` (2024-W03: weeks
        start on Monday; week 00 holds the days before the year's first Monday)."""
        if by not in ("month", "week"):
            raise QueryError(f"unknown period {by!r}; month or week", location="by")
        where = where or EventFilter()
        snapshot = self._snapshot(where)
        if snapshot is not None:
            return snapshot.periods_of(snapshot.mask(self, where), by)
        sql, params = self._event_filter(where)
        period = (
            "substr(e.when_start, 1, 7)" if by == "month"
            else self._week("e.when_start")
        )  # fmt: skip
        rows = self.conn.execute(
            f"SELECT {period} AS p, e.type AS t, count(*) AS n" + _EVENT_FROM + " WHERE " +
            sql + " AND e.when_start IS NOT NULL GROUP BY p, t ORDER BY p, t",
            params,
        ).fetchall()  # fmt: skip
        return [(str(r["p"]), str(r["t"]), int(r["n"])) for r in rows]

    def event_points(
        self, where: EventFilter | None = None, *, limit: int = 2000
    ) -> list[tuple[int, float, float, str, str | None]]:
        """Return (event id, lat, lon, type, place) of events placed precisely (a point)."""
        where = where or EventFilter()
        snapshot = self._snapshot(where)
        if snapshot is not None:
            rows = self._events_by_id(
                snapshot.points(snapshot.mask(self, where), limit),
                "SELECT e.id, e.lat, e.lon, e.type, e.place FROM events e WHERE ",
            )
        else:
            sql, params = self._event_filter(where)
            rows = self.conn.execute(
                "SELECT e.id, e.lat, e.lon, e.type, e.place" + _EVENT_FROM + " WHERE " + sql +
                " AND e.geo_precision = 'point' AND e.lat IS NOT NULL AND e.lon IS NOT NULL"
                " ORDER BY e.id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()  # fmt: skip
        return [
            (int(r["id"]), float(r["lat"]), float(r["lon"]), str(r["type"]), r["place"])
            for r in rows
        ]

    def outlets(self) -> list[tuple[str, int]]:
        """Return the outlets of the current reports with how many reports each."""
        rows = self.conn.execute(
            "SELECT outlet, count(*) FROM documents WHERE superseded_by IS NULL"
            " AND outlet IS NOT NULL GROUP BY outlet ORDER BY count(*) DESC, outlet"
        ).fetchall()
        return [(str(r[0]), int(r[1])) for r in rows]

    def export_rows(
        self, where: EventFilter | None = None, *, batch: int = 10_000
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Yield the events that pass the filters (as :meth:`events`) as export rows, in
        batches: tuples in the order of ``nkwatch.export.NAMES``, lists as JSON text, ordered
        by report then text. Built by the database: an export streams at database speed."""
        sql, params = self._event_filter(where or EventFilter())
        select = _EXPORT_SELECT.replace("{sources}", self._json_list("o.ext_id"))
        cursor = self._stream(select + sql + " ORDER BY e.doc_id, e.evidence_start, e.id", params)
        # Whether names are shown is settled now, when the export is asked for: a stream read
        # later (a web response) keeps it, whatever the connection does meanwhile.
        return self._export_batches(cursor, batch, self.names_shown)

    def _export_batches(
        self, cursor: Any, batch: int, shown: bool
    ) -> Iterator[list[tuple[Any, ...]]]:
        also = _EXPORT_ALSO
        try:
            while rows := cursor.fetchmany(batch):
                # The last column holds the report's private names: redacted, then dropped.
                out = [
                    r[:-1] if r[-1] is None or shown else self._redact_row(r)
                    for r in (r if type(r) is tuple else tuple(r) for r in rows)
                ]
                for i, r in enumerate(out):
                    if r[also] != "[]":  # stored as [[quote, start, end]]; exported as objects
                        quotes = [
                            {"quote": q, "start": a, "end": b} for q, a, b in json.loads(r[also])
                        ]
                        out[i] = (*r[:also], _ENCODE_JSON(quotes), *r[also + 1 :])
                yield out
        finally:
            # A generator dropped after its store was closed: the cursor went with it.
            with suppress(Exception):
                cursor.close()

    def _redact_row(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """Return an export row with private names redacted (see :meth:`_redacted_event`),
        without its last column (the names' spans)."""
        persons = row[-1]
        out = list(row[:-1])
        body = self._redaction(persons, shown=False)
        if body:
            start, end = out[_EXPORT_ALSO - 2], out[_EXPORT_ALSO - 1]
            out[_EXPORT_ALSO - 3] = body.text(out[_EXPORT_ALSO - 3], start)
            out[_EXPORT_ALSO - 2], out[_EXPORT_ALSO - 1] = body.offset(start), body.offset(end)
            out[_EXPORT_ALSO] = json.dumps(
                [[body.text(q, a), body.offset(a), body.offset(b)]
                 for q, a, b in json.loads(out[_EXPORT_ALSO])],
                ensure_ascii=False,
            )  # fmt: skip
        title = self._redaction(persons, "title", shown=False)
        if title and out[_EXPORT_TITLE]:
            out[_EXPORT_TITLE] = title.text(out[_EXPORT_TITLE])
        return tuple(out)

    def places_of(self, doc_id: int) -> list[PlaceMention]:
        """Return the stored place mentions of a report, in text order (their offsets in the
        body as returned: redacted, unless names are shown)."""
        found = self._places_of(doc_id)
        redaction = self._redaction(self._names_of(doc_id))
        if redaction:
            for m in found:
                m.start, m.end = redaction.offset(m.start), redaction.offset(m.end)
        return found

    def _places_of(self, doc_id: int) -> list[PlaceMention]:
        return [
            PlaceMention(
                text=r["text"], start=r["start"], end=r["end"], unit=r["unit"], level=r["level"],
                name=r["name"], admin1=r["admin1"], admin2=r["admin2"], lat=r["lat"],
                lon=r["lon"], precision=r["precision"], country=r["country"],
                confidence=r["confidence"], role=r["role"], how=r["how"],
                candidates=tuple(json.loads(r["candidates"])),
            )
            for r in self.conn.execute(
                "SELECT * FROM places WHERE doc_id = ? ORDER BY start", (doc_id,)
            )
        ]  # fmt: skip

    def count(
        self,
        *,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        language: str | None = None,
        all_revisions: bool = False,
    ) -> int:
        """Return how many reports match the filters (latest revisions only, unless asked)."""
        where, params = _filters(outlet, since, until, language, all_revisions)
        return int(
            self.conn.execute(f"SELECT count(*) FROM documents d{where}", params).fetchone()[0]
        )

    def list_documents(
        self,
        *,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        language: str | None = None,
        limit: int = 50,
        offset: int = 0,
        all_revisions: bool = False,
    ) -> list[StoredDocument]:
        """Return reports, newest publication first, filtered by outlet, date and language."""
        where, params = _filters(outlet, since, until, language, all_revisions)
        rows = self.conn.execute(
            f"SELECT {_LIST_COLUMNS} FROM documents d{where}"
            " ORDER BY published DESC NULLS LAST, id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ).fetchall()
        return [self._document(r) for r in rows]

    def search(
        self,
        query: str,
        *,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        language: str | None = None,
        limit: int = 20,
        offset: int = 0,
        exhaustive: bool = False,
    ) -> list[SearchHit]:
        """Return the reports matching a full-text query, best first, with highlighted snippets.

        The query has the same syntax on every backend, SQLite FTS5's: words, ``"phrases"``,
        ``AND``, ``OR``, ``NOT``, parentheses and ``prefix*`` (``"state security" AND
        Hyesan``, ``phone*``); when it is not a valid query, its words are searched as plain
        terms instead.

        Ranking (title weighted above body) covers every match when there are at most
        ``RANK_WINDOW`` of them; a broader query is ranked among its most recently
        ingested matches (the window is widened, fourfold at a time, until filters leave a
        full page), which keeps a one-word query over a large archive fast.
        ``exhaustive=True`` ranks every match, however many.
        """
        if not query.strip():
            raise QueryError("empty search query")
        try:
            return self._search(query, outlet, since, until, language, limit, offset, exhaustive)
        except QueryRefused:
            # Not a valid query (an unbalanced quote, a stray operator): search its words.
            words = [w for w in _BAREWORD.findall(query) if w not in _OPERATORS]
            plain = " ".join('"' + w.replace('"', "") + '"' for w in words)
            try:
                return self._search(
                    plain, outlet, since, until, language, limit, offset, exhaustive
                )
            except QueryRefused as exc:
                raise QueryError(f"not a search query: {query!r} ({exc})") from None

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
        """Return a page of matches of a query in FTS5 syntax; raise QueryRefused when the
        backend refuses it as malformed."""
        where, params = _filters(outlet, since, until, language, False)
        where = where.replace(" WHERE ", " AND ", 1)
        try:
            query = self._fts_query(hangul.rewrite(match))
            window = max(RANK_WINDOW, limit + offset)
            while True:
                # Matches stream cheaply in id order; ranking all of them does not. The
                # window is taken before filters, and grows until the page is full.
                floor = 0 if exhaustive else self._fts_floor(query, window)
                rows = self._fts_ranked(query, where, params, floor, limit, offset)
                if len(rows) >= limit or floor == 0:
                    break
                window *= 4
            snippets = self._fts_snippets(query, [r["id"] for r in rows]) if rows else {}
        except self.QuerySyntaxError as exc:
            raise QueryRefused(str(exc)) from None
        korean = hangul.terms(match)
        if korean and rows:
            snippets.update(self._korean_snippets(korean, [r["id"] for r in rows], snippets))
        hidden = self._hidden_names([r["id"] for r in rows]) if rows else {}
        redact = privacy.Redaction([]).words
        return [
            SearchHit(
                r["id"], r["ext_id"], redact(r["title"] or "", hidden.get(r["id"], [])) or None,
                r["published"], r["outlet"], r["language"],
                redact(snippets.get(r["id"], ""), hidden.get(r["id"], [])), float(r["score"]),
            )
            for r in rows
        ]  # fmt: skip

    def _hidden_names(self, ids: list[int]) -> dict[int, list[str]]:
        """Return, per report, the private names to redact in fragments of it (snippets)."""
        if self.names_shown:
            return {}
        out: dict[int, list[str]] = {}
        marks = ",".join("?" * len(ids))
        for doc_id, title, body, persons in self.conn.execute(
            f"SELECT id, title, body, persons FROM documents WHERE id IN ({marks})"
            " AND persons IS NOT NULL",
            ids,
        ).fetchall():
            out[int(doc_id)] = privacy.names(title, body, persons)
        return out

    def _korean_snippets(
        self, words: list[str], ids: list[int], snippets: dict[int, str]
    ) -> dict[int, str]:
        """Return snippets marking the Korean words of a query for the hits whose snippet marks
        nothing (a bigram match is not one the body's own snippet can show)."""
        bare = [i for i in ids if "[" not in snippets.get(i, "")]
        if not bare:
            return {}
        marks = ",".join("?" * len(bare))
        out: dict[int, str] = {}
        for doc_id, body in self.conn.execute(
            f"SELECT id, body FROM documents WHERE id IN ({marks})", bare
        ).fetchall():
            snippet = hangul.highlight(body, words)
            if snippet is not None:
                out[int(doc_id)] = snippet
        return out

    def _event_filter(self, f: EventFilter) -> tuple[str, list[Any]]:
        """Return the WHERE clause and parameters that select events (latest revisions only)."""
        where = ["d.superseded_by IS NULL"]
        params: list[Any] = []
        for column, value in (("e.doc_id", f.doc_id), ("e.modality", f.modality),
                              ("e.admin1", f.admin1), ("e.actor", f.actor),
                              ("e.admin2", f.admin2)):  # fmt: skip
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if f.outlet is not None:
            where.append("lower(d.outlet) = lower(?)")
            params.append(f.outlet)
        if f.review is not None:
            if f.review not in REVIEW_FILTERS:
                raise QueryError(
                    f"unknown review filter {f.review!r}; one of {', '.join(REVIEW_FILTERS)}",
                    location="review",
                )
            if f.review == "unreviewed":
                where.append("r.status IS NULL")
            elif f.review == "reviewed":
                where.append("r.status IS NOT NULL")
            else:
                where.append("r.status = ?")
                params.append(f.review)
        if f.query:
            match = fts_words(f.query)
            if match is None:
                where.append("1 = 0")  # no word to find: nothing matches
            else:
                documents, more = self._fts_documents(hangul.rewrite(match))
                where.append(f"e.doc_id IN ({documents})")
                params.extend(more)
        if f.campaign is not None:
            where.append(_IN_CAMPAIGN)
            params.append(f.campaign)
        if f.types:
            where.append(f"e.type IN ({', '.join('?' for _ in f.types)})")
            params.extend(f.types)
        if f.since:
            where.append("e.when_end >= ?")
            params.append(f.since)
        if f.until:
            where.append("e.when_start <= ?")
            params.append(f.until)
        return " AND ".join(where), params


def _filters(
    outlet: str | None,
    since: str | None,
    until: str | None,
    language: str | None,
    all_revisions: bool,
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if not all_revisions:
        clauses.append("d.superseded_by IS NULL")
    if outlet:
        clauses.append("lower(d.outlet) = lower(?)")
        params.append(outlet)
    if since:
        clauses.append("d.published >= ?")
        params.append(since)
    if until:
        clauses.append("d.published <= ?")
        params.append(until)
    if language:
        clauses.append("d.language = ?")
        params.append(language)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _row_id(text: str) -> bool:
    """Whether ``text`` can be a row id: digits, within a 64-bit integer."""
    return text.isascii() and text.isdigit() and int(text) < 2**63


def _json_or_none(value: Any) -> str | None:
    return None if value is None else _ENCODE_JSON(value)


def _row_to_document(row: Any) -> StoredDocument:
    return StoredDocument(
        id=row["id"],
        ext_id=row["ext_id"],
        source=row["source"],
        format=row["format"],
        title=row["title"],
        published=row["published"],
        published_estimated=bool(row["published_estimated"]),
        outlet=row["outlet"],
        url=row["url"],
        language=row["language"],
        body=row["body"],
        content_hash=row["content_hash"],
        revision=row["revision"],
        ingested_at=row["ingested_at"],
    )


class AnalysisRows(NamedTuple):
    """A report's analysis as the rows the store writes: what a worker of a distributed run
    sends back (plain data: tuples, strings), and what :meth:`save_analysis_rows` takes."""

    doc_id: int
    tone: str
    tone_evidence: str  # JSON
    extractor: str
    places: list[tuple[Any, ...]]  # place_row(...) each
    events: list[tuple[Any, ...]]  # event_row(...) each


def analysis_rows(a: Analysis) -> AnalysisRows:
    """Return the rows of an analysis."""
    return AnalysisRows(
        a.doc_id, a.tone, json.dumps(a.tone_evidence), a.extractor,
        [place_row(m, a.gazetteer) for m in a.places], [event_row(e) for e in a.events],
    )  # fmt: skip


def place_row(m: PlaceMention, gazetteer: str) -> tuple[Any, ...]:
    """Return a place mention as the values of its row (after doc_id)."""
    return (
        m.start, m.end, m.text, m.unit, m.level, m.name, m.admin1, m.admin2, m.lat, m.lon,
        m.precision, m.country, m.confidence, m.role, m.how, json.dumps(list(m.candidates)),
        gazetteer,
    )  # fmt: skip


_INSERT_PLACE = (
    'INSERT INTO places (doc_id, start, "end", text, unit, level, name, admin1, admin2,'
    " lat, lon, precision, country, confidence, role, how, candidates, gazetteer)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_MAX_PARAMS = 900  # ids per "IN (...)": under SQLite's limit of host parameters
_UPSERT_ANALYSIS = (
    "INSERT INTO analyses (doc_id, tone, tone_evidence, extractor, analysed_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET tone = excluded.tone,"
    " tone_evidence = excluded.tone_evidence, extractor = excluded.extractor,"
    " analysed_at = excluded.analysed_at"
)


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


_EVENT_COLUMNS = (
    "doc_id",
    "type",
    "modality",
    "actor",
    "target",
    "place",
    "admin1",
    "admin2",
    "when_start",
    "when_end",
    "when_precision",
    "count",
    "penalty_kind",
    "penalty_max_years",
    "law_article",
    "law_year",
    "evidence_start",
    "evidence_end",
    "confidence",
    "when_source",
    "place_source",
    "trigger",
    "also",
    "evidence",
    "lat",
    "lon",
    "geo_precision",
)  # fmt: skip; the order of event_row, after doc_id
_INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)})"
    f" VALUES ({', '.join('?' for _ in _EVENT_COLUMNS)})"
)


def event_row(e: Event) -> tuple[Any, ...]:
    """Return an event as the values of its row (after doc_id)."""
    penalty = e.penalty or {}
    law = e.law or {}
    return (
        e.type, e.modality, e.actor, e.target, e.place, e.admin1, e.admin2,
        e.when.start if e.when else None, e.when.end if e.when else None,
        e.when.precision if e.when else None, e.count, penalty.get("kind"),
        penalty.get("max_years"), law.get("article"), law.get("year"), e.evidence_start,
        e.evidence_end, e.confidence, e.when_source, e.place_source, e.trigger,
        json.dumps([list(a) for a in e.also], ensure_ascii=False), e.evidence, e.lat, e.lon,
        e.geo_precision,
    )  # fmt: skip


# The export row of an event (nkwatch.export.COLUMNS, in order), computed by the database;
# {sources} is the backend's JSON list of the external ids of the report's near-duplicates.
_EXPORT_SELECT = """
SELECT e.id, d.ext_id, e.type, e.modality, e.actor, e.target, e.place, e.admin1, e.admin2,
    e.lat, e.lon, e.geo_precision, e.when_start, e.when_end, e.when_precision, e.count,
    e.penalty_kind, e.penalty_max_years, e.law_article, e.law_year, e.evidence,
    e.evidence_start, e.evidence_end,
    e.also,
    e.confidence, e.trigger, e.when_source, e.place_source, d.title, d.published, d.outlet,
    d.url, d.language, a.tone, a.extractor,
    (SELECT {sources} FROM near_duplicates n
     JOIN documents o ON o.id = n.other_id WHERE n.doc_id = d.id),
    r.status, coalesce(r.corrections, '{}'), r.reviewer, r.reviewed_at, d.persons
FROM events e JOIN documents d ON d.id = e.doc_id LEFT JOIN analyses a ON a.doc_id = e.doc_id
LEFT JOIN reviews r ON r.doc_id = e.doc_id AND r.evidence_start = e.evidence_start
    AND r.evidence_end = e.evidence_end AND r.type = e.type
WHERE """


_EXPORT_ALSO = 23  # the position of `also` in an export row (evidence, start, end before it)
_EXPORT_TITLE = 28  # the position of the report's title
# json.dumps(..., ensure_ascii=False) builds an encoder per call; an export encodes per event.
_ENCODE_JSON = json.JSONEncoder(ensure_ascii=False).encode
_ENCODE_EXTRA = json.JSONEncoder(ensure_ascii=False, default=str).encode  # any metadata value


@lru_cache(maxsize=64)
def _candidates_sql(bands: int) -> str:
    """Return the query of the reports that share a band with a new report: each of its
    ``bands`` band keys read newest first up to a limit (parameters: each key, then its
    limit). The most recent of them that are current and not the report's own earlier
    versions are its near-duplicate candidates (Store._link_near_duplicates).

    Each band is an index range of the primary key, read up to the limit, so a report
    syndicated thousands of times, or a corpus of template-made reports, costs each new copy a
    bounded lookup, not one that grows with the store. The most recent reports of all bands
    together are among the most recent of their own band, so the candidates are the same as a
    lookup of every band member's, unless a band's most recent members are old revisions or
    the report's own earlier versions (left out after the lookup). Most reports share no band:
    the lookup then ends here, without reading any report."""
    one = (
        "SELECT doc_id FROM (SELECT doc_id FROM minhash_bands WHERE band_key = ?"
        " ORDER BY doc_id DESC LIMIT ?) AS b{i}"
    )
    return " UNION ALL ".join(one.format(i=i) for i in range(bands))


# Events with their report and their review (when reviewed): what every event query reads.
_EVENT_FROM = (
    " FROM events e JOIN documents d ON d.id = e.doc_id LEFT JOIN reviews r"
    " ON r.doc_id = e.doc_id AND r.evidence_start = e.evidence_start"
    " AND r.evidence_end = e.evidence_end AND r.type = e.type"
)
_EVENT_SELECT = (
    "SELECT e.*, d.ext_id, d.published, d.outlet, d.url, d.title, r.status, r.corrections,"
    " r.note, r.reviewer, r.reviewed_at, d.persons" + _EVENT_FROM + " WHERE "
)
_EVENT_COUNT = "SELECT count(*)" + _EVENT_FROM + " WHERE "
# Whether event e belongs to one of a campaign's incidents (the campaign's id the parameter).
_IN_CAMPAIGN = (
    "EXISTS (SELECT 1 FROM incident_events ie JOIN campaign_incidents c"
    " ON c.incident_id = ie.incident_id WHERE c.campaign_id = ?"
    " AND ie.doc_id = e.doc_id AND ie.evidence_start = e.evidence_start"
    " AND ie.evidence_end = e.evidence_end AND ie.type = e.type)"
)
# The fields events can be counted by (facets), and their columns.
FACETS: dict[str, str] = {
    "type": "e.type", "modality": "e.modality", "admin1": "e.admin1", "admin2": "e.admin2",
    "actor": "e.actor", "target": "e.target", "outlet": "d.outlet",
    "review": "coalesce(r.status, 'unreviewed')",
    "county": "e.admin1 || ':' || e.admin2",  # the gazetteer's id of the county
}  # fmt: skip
# The most values a facet lists.
FACET_TOP = 500
DEFAULT_FACETS = ("type", "modality", "admin1", "actor", "target", "outlet", "review")
REVIEW_FILTERS = ("unreviewed", "reviewed", "accepted", "corrected", "rejected")
_WORD = re.compile(r"[^\W_]+\*?")


def fts_words(query: str) -> str | None:
    """Return ``query`` as an FTS5 query of its words, all required (a word may end in *);
    None when it holds no word (letters or digits), which then matches nothing."""
    words = _WORD.findall(query)
    if not words:
        return None
    return " ".join(f'"{w[:-1]}"*' if w.endswith("*") else f'"{w}"' for w in words)


def _event_record(r: Any) -> dict[str, Any]:
    """Return a stored event as the codebook's fields plus its report and provenance."""
    return {
        "id": r["id"], "doc_id": r["doc_id"], "ext_id": r["ext_id"], "published": r["published"],
        "outlet": r["outlet"], "url": r["url"], "type": r["type"], "modality": r["modality"],
        "actor": r["actor"], "target": r["target"], "place": r["place"], "admin1": r["admin1"],
        "admin2": r["admin2"],
        "when": (
            {"start": r["when_start"], "end": r["when_end"], "precision": r["when_precision"]}
            if r["when_start"] else None
        ),
        "count": r["count"],
        "penalty": (
            {"kind": r["penalty_kind"], "max_years": r["penalty_max_years"]}
            if r["penalty_kind"] else None
        ),
        "law": (
            {"article": r["law_article"], "year": r["law_year"]}
            if r["law_article"] or r["law_year"] else None
        ),
        "evidence": r["evidence"], "evidence_start": r["evidence_start"],
        "evidence_end": r["evidence_end"],
        "also": [{"quote": q, "start": s, "end": e} for q, s, e in json.loads(r["also"])],
        "confidence": r["confidence"], "when_source": r["when_source"],
        "place_source": r["place_source"], "trigger": r["trigger"], "lat": r["lat"],
        "lon": r["lon"], "geo_precision": r["geo_precision"], "title": r["title"],
        "review": review_json(r),
    }  # fmt: skip


class QueryRefused(Exception):
    """A backend refused a full-text query as malformed (raised by ``Store._search``)."""
