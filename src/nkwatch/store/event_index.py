"""The events' filterable fields held in memory as arrays, for a long-running reader (the web
app): counts, facets, periods, map points and pages of events answered without a scan of the
events table.

A count by type over 500,000 events joined to their reports and reviews is a scan of the
table, 0.3-3.5 s in SQLite (``benchmarks/web.py --no-index``) however it is indexed,
because every filter combines with every facet. Here each field is a column of small
integers (a code per distinct value, 0 for NULL), so a filter is a boolean mask over the
events and a facet one ``bincount`` of the masked codes: milliseconds. Pages of events are
positions in the listing order (the order the rows were read in), so a deep page costs no
more than the first.

What stays in the database: the rows themselves (a page's events are read by id, with their
redaction), full-text matching and campaigns (asked of the database, then intersected), and a
single report's events (its index is better).

Freshness. A snapshot records the database's version when it was read: SQLite's
``PRAGMA data_version`` on a connection that never writes (it changes when any other
connection commits), PostgreSQL's transaction snapshot (it changes when any transaction
begins writing or ends). A snapshot is used only while the version is unchanged, so an answer
never comes from data older than the database's. When the version has changed, the change
counts kept by triggers (schema migration 12) tell whether the events changed: if not (a
review, a report ingested, a campaign), the snapshot is carried to the new version at once,
the reviews read again when they changed (milliseconds). If they did (an analysis, a revised
report), the caller answers from SQL and a new snapshot is read in a background thread (6-8 s
at 500,000 events on a small machine).
"""

from __future__ import annotations

import bisect
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from nkwatch.model import EventFilter

if TYPE_CHECKING:
    from nkwatch.store.base import Store

log = logging.getLogger(__name__)

# The listing order of events, newest first (Store.events).
EVENT_ORDER = "e.when_start IS NULL, e.when_start DESC, e.doc_id, e.evidence_start, e.id"
# Categorical columns read per event, by the name filters and facets use.
_COLUMNS = ("type", "modality", "admin1", "admin2", "actor", "target", "outlet", "review",
            "when_start", "when_end")  # fmt: skip
_READ_CHUNK = 20_000
_MASKS = 16  # masks kept per snapshot (500,000 events: 0.5 MB each)


def _load_sql(event_from: str) -> str:
    return (
        "SELECT e.id, e.doc_id, e.type, e.modality, e.admin1, e.admin2, e.actor, e.target,"
        " d.outlet, r.status, e.when_start, e.when_end, CASE WHEN e.geo_precision = 'point'"
        " AND e.lat IS NOT NULL AND e.lon IS NOT NULL THEN 1 ELSE 0 END" + event_from +
        f" WHERE d.superseded_by IS NULL ORDER BY {EVENT_ORDER}"
    )  # fmt: skip


class _Column:
    """One categorical column: a code per event (0 = NULL) and the value of each code."""

    __slots__ = ("_code", "codes", "labels")

    def __init__(self, codes: np.ndarray, labels: list[Any]) -> None:
        self.codes = codes
        self.labels = labels
        self._code = {v: i for i, v in enumerate(labels) if i}

    def code(self, value: Any) -> int:
        """Return the code of ``value``; -1 (no event) when no event has it."""
        return self._code.get(value, -1)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The current events (latest revisions of reports only) at one database version, in
    listing order. Read-only once made; shared by threads."""

    version: str
    ids: np.ndarray  # int64, listing order
    doc_ids: np.ndarray
    columns: dict[str, _Column]
    point: np.ndarray  # bool: placed at a point (lat and lon known)
    start_rank: np.ndarray  # rank of when_start among its sorted values (NULL: after all)
    end_rank: np.ndarray  # rank of when_end among its sorted values (NULL: -1)
    starts: list[str]  # sorted distinct when_start values
    ends: list[str]
    periods: dict[str, _Column]  # month / week of when_start, coded per event
    tone: _Tone  # the analysed reports' tone, for the tone series
    changes: tuple[int, int]  # the database's change counts (events, reviews) when read
    by_id: np.ndarray  # positions of the events in order of id
    seconds: float  # how long it took to read
    # The masks of the latest filters: a page asks for the events, their count and their
    # facets under one filter, and a full-text part is asked of the database once.
    _masks: OrderedDict[EventFilter, np.ndarray] = field(default_factory=OrderedDict)

    def __len__(self) -> int:
        return len(self.ids)

    # -- reading -----------------------------------------------------------------------------

    @classmethod
    def read(cls, store: Store, version: str, event_from: str) -> Snapshot:
        """Read the current events of ``store`` (in one read transaction)."""
        t0 = time.perf_counter()
        tables: list[dict[Any, int]] = [{None: 0} for _ in _COLUMNS]
        # Arrays per chunk read, joined at the end: lists of Python ints would take ten times
        # the memory while reading.
        codes: list[list[np.ndarray]] = [[] for _ in _COLUMNS]
        ids: list[np.ndarray] = []
        doc_ids: list[np.ndarray] = []
        point: list[np.ndarray] = []
        with store.read_transaction():
            cursor = store._stream(_load_sql(event_from), ())
            try:
                while rows := cursor.fetchmany(_READ_CHUNK):
                    chunk = list(zip(*rows, strict=True))
                    n = len(rows)
                    ids.append(np.fromiter(chunk[0], dtype=np.int64, count=n))
                    doc_ids.append(np.fromiter(chunk[1], dtype=np.int64, count=n))
                    point.append(np.fromiter(chunk[-1], dtype=bool, count=n))
                    for k, (seen, out) in enumerate(zip(tables, codes, strict=True)):
                        values = chunk[k + 2]
                        for v in set(values).difference(seen):
                            seen[v] = len(seen)
                        out.append(np.fromiter(map(seen.__getitem__, values), np.int32, n))
            finally:
                cursor.close()
            analyses = store.conn.execute(
                "SELECT a.doc_id, d.published, a.tone, a.tone_evidence FROM analyses a"
                " JOIN documents d ON d.id = a.doc_id"
                " WHERE d.superseded_by IS NULL AND d.published IS NOT NULL ORDER BY a.doc_id"
            ).fetchall()
            changes = store.change_counts()
            outlets = tables[_COLUMNS.index("outlet")]
            lowered = [None] + [store.lower(str(v)) for v in list(outlets)[1:]]
            week = store._week("w")
            labels = {
                str(r[0]): (r[1], r[2])
                for r in store.conn.execute(
                    f"SELECT w, substr(w, 1, 7), {week} FROM (SELECT DISTINCT when_start AS w"
                    " FROM events WHERE when_start IS NOT NULL) AS s"
                ).fetchall()
            }  # fmt: skip
        columns = {
            name: _Column(_joined(c, np.int32), list(t))
            for name, c, t in zip(_COLUMNS, codes, tables, strict=True)
        }
        columns["outlet_lower"] = _derived(columns["outlet"], lowered)
        admin1, admin2 = columns["admin1"], columns["admin2"]
        # A county is "admin1:admin2" (NULL when either is), as the database writes it.
        width = len(admin2.labels)
        pairs = admin1.codes.astype(np.int64) * width + admin2.codes
        pairs[(admin1.codes == 0) | (admin2.codes == 0)] = 0
        distinct, inverse = np.unique(pairs, return_inverse=True)
        names = [None if p == 0 else f"{admin1.labels[p // width]}:{admin2.labels[p % width]}"
                 for p in distinct.tolist()]  # fmt: skip
        columns["county"] = _derived(_Column(inverse.astype(np.int32), names), names)
        start, end = columns.pop("when_start"), columns.pop("when_end")
        starts = sorted(v for v in start.labels[1:])
        ends = sorted(v for v in end.labels[1:])
        start_rank = _ranks(start, starts, null=len(starts))
        end_rank = _ranks(end, ends, null=-1)
        periods = {}
        for k, name in enumerate(("month", "week")):
            found: dict[Any, int] = {None: 0}
            per_code = np.asarray(
                [0] + [found.setdefault(labels.get(v, (None, None))[k], len(found))
                       for v in start.labels[1:]], dtype=np.int32,
            )  # fmt: skip
            periods[name] = _Column(per_code[start.codes], list(found))
        doc_array, id_array = _joined(doc_ids, np.int64), _joined(ids, np.int64)
        tone = _Tone.read(analyses, doc_array, columns["admin1"])
        return cls(
            version=version, ids=id_array, doc_ids=doc_array, columns=columns,
            point=_joined(point, bool), start_rank=start_rank, end_rank=end_rank,
            starts=starts, ends=ends, periods=periods, tone=tone, changes=changes,
            by_id=np.argsort(id_array, kind="stable"), seconds=time.perf_counter() - t0,
        )  # fmt: skip

    def restamped(self, store: Store, version: str, changes: tuple[int, int]) -> Snapshot:
        """Return this snapshot at a later ``version`` of a database whose events have not
        changed since it was read (``changes`` says so): the reviews read again when they
        have changed, the remembered filters dropped (a campaign, a report's words may have
        changed)."""
        columns = self.columns
        if changes[1] != self.changes[1]:
            columns = {**columns, "review": self._reviews(store)}
        return replace(self, version=version, columns=columns, changes=changes,
                       _masks=OrderedDict())  # fmt: skip

    def _reviews(self, store: Store) -> _Column:
        """Return the review column read anew (the reviews are few: people write them)."""
        rows = store.reviewed_events()
        codes = np.zeros(len(self.ids), dtype=np.int32)
        seen: dict[Any, int] = {None: 0}
        if rows:
            ids = np.asarray([r[0] for r in rows], dtype=np.int64)
            status = np.asarray([seen.setdefault(r[1], len(seen)) for r in rows], dtype=np.int32)
            sorted_ids = self.ids[self.by_id]
            at = np.minimum(np.searchsorted(sorted_ids, ids), max(len(sorted_ids) - 1, 0))
            found = (sorted_ids[at] == ids) if len(sorted_ids) else np.zeros(len(ids), bool)
            codes[self.by_id[at[found]]] = status[found]
        return _Column(codes, list(seen))

    # -- answering ---------------------------------------------------------------------------

    def mask(self, store: Store, f: EventFilter) -> np.ndarray:
        """Return which events pass ``f`` (full-text and campaign parts asked of ``store``);
        read-only."""
        found = self._masks.get(f)
        if found is None:
            found = self._mask(store, f)
            found.setflags(write=False)
            self._masks[f] = found
            while len(self._masks) > _MASKS:
                with suppress(KeyError):  # another thread may have dropped it first
                    self._masks.popitem(last=False)
        return found

    def _mask(self, store: Store, f: EventFilter) -> np.ndarray:
        m = np.ones(len(self.ids), dtype=bool)
        if f.doc_id is not None:
            m &= self.doc_ids == f.doc_id
        for name, value in (("modality", f.modality), ("admin1", f.admin1),
                            ("actor", f.actor), ("admin2", f.admin2)):  # fmt: skip
            if value is not None:
                m &= self.columns[name].codes == self.columns[name].code(value)
        if f.outlet is not None:
            lowered = self.columns["outlet_lower"]
            m &= lowered.codes == lowered.code(store.lower(f.outlet))
        if f.review is not None:
            status = self.columns["review"].codes
            if f.review == "unreviewed":
                m &= status == 0
            elif f.review == "reviewed":
                m &= status != 0
            else:
                m &= status == self.columns["review"].code(f.review)
        if f.types:
            wanted = [self.columns["type"].code(t) for t in f.types]
            m &= np.isin(self.columns["type"].codes, [c for c in wanted if c > 0])
        if f.since:
            m &= self.end_rank >= bisect.bisect_left(self.ends, f.since)
        if f.until:
            m &= self.start_rank < bisect.bisect_right(self.starts, f.until)
        if f.query:
            m &= np.isin(self.doc_ids, store.matching_documents(f.query))
        if f.campaign is not None:
            m &= np.isin(self.ids, store.campaign_events(f.campaign))
        return m

    def count(self, m: np.ndarray) -> int:
        """Return how many events ``m`` selects."""
        return int(np.count_nonzero(m))

    def facets(
        self, m: np.ndarray, fields: Sequence[str], top: int
    ) -> dict[str, list[tuple[str, int]]]:
        """Return, per field, its non-NULL values among the selected events with how many
        events have each, most frequent first (then by value), at most ``top``."""
        out = {}
        for name in fields:
            column = self.columns[name]
            counts = np.bincount(column.codes[m], minlength=len(column.labels))
            labels = column.labels
            pairs = [
                ("unreviewed" if code == 0 else labels[code], int(counts[code]))
                for code in np.flatnonzero(counts)
                if code or name == "review"
            ]  # fmt: skip
            pairs.sort(key=lambda kv: (-kv[1], kv[0]))
            out[name] = pairs[:top]
        return out

    def periods_of(self, m: np.ndarray, by: str) -> list[tuple[str, str, int]]:
        """Return (period, type, events) for the selected events with a start date."""
        period = self.periods[by]
        types = self.columns["type"]
        m = m & (period.codes != 0) & (types.codes != 0)
        width = len(types.labels)
        keys = period.codes[m].astype(np.int64) * width + types.codes[m]
        counts = np.bincount(keys, minlength=len(period.labels) * width)
        rows = [
            (str(period.labels[k // width]), str(types.labels[k % width]), int(counts[k]))
            for k in np.flatnonzero(counts)
        ]  # fmt: skip
        rows.sort(key=lambda r: (r[0], r[1]))
        return rows

    def tone_series(
        self, admin1: str | None, since: str | None, until: str | None
    ) -> list[tuple[str, str, int, int, int, dict[str, int]]]:
        """Return the tone series rows (:meth:`_Tone.series`) for a province named by id."""
        code = None if admin1 is None else self.columns["admin1"].code(admin1)
        if code == -1:
            return []
        return self.tone.series(code, since, until)

    def page(self, m: np.ndarray, limit: int, offset: int) -> list[int]:
        """Return the ids of the selected events from ``offset``, in listing order."""
        positions = np.flatnonzero(m)[offset : offset + limit]
        return [int(i) for i in self.ids[positions]]

    def points(self, m: np.ndarray, limit: int) -> list[int]:
        """Return the ids of selected events placed at a point, highest id first."""
        ids = np.sort(self.ids[m & self.point])[::-1][:limit]
        return [int(i) for i in ids]


@dataclass(frozen=True, slots=True)
class _Tone:
    """Each (analysed report, province of one of its events) pair, with the report's month,
    tone and cue counts: the tone series (:func:`nkwatch.series.tone_series`) summed here."""

    admin1: np.ndarray  # the province's code (in the events' admin1 column)
    published_rank: np.ndarray  # rank of the report's publication date among ``published``
    published: list[str]  # sorted distinct publication dates
    month: _Column
    tone: _Column
    inducement: np.ndarray
    coercion: np.ndarray
    provinces: list[Any]  # the admin1 column's labels

    @classmethod
    def read(cls, analyses: list[Any], doc_ids: np.ndarray, admin1: _Column) -> _Tone:
        """Pair each analysed report (rows of doc_id, published, tone, evidence, by doc_id)
        with the provinces its events are placed in."""
        docs = np.asarray([int(r[0]) for r in analyses], dtype=np.int64)
        placed = admin1.codes != 0
        width = max(len(admin1.labels), 1)
        pairs = np.unique(doc_ids[placed] * width + admin1.codes[placed])
        pair_docs, pair_admin1 = pairs // width, (pairs % width).astype(np.int32)
        at = np.searchsorted(docs, pair_docs)
        found = at < len(docs)
        found[found] = docs[at[found]] == pair_docs[found]
        at, pair_admin1 = at[found], pair_admin1[found]
        published = sorted({str(r[1]) for r in analyses})
        rank = {v: i for i, v in enumerate(published)}
        months: dict[Any, int] = {None: 0}
        tones: dict[Any, int] = {None: 0}
        month_code, tone_code, inducement, coercion, published_rank = [], [], [], [], []
        for _, day, tone, evidence in analyses:
            cues = json.loads(evidence) if evidence and evidence != "{}" else {}
            month_code.append(months.setdefault(str(day)[:7], len(months)))
            tone_code.append(tones.setdefault(tone, len(tones)))
            inducement.append(len(cues.get("inducement") or []))
            coercion.append(len(cues.get("coercion") or []))
            published_rank.append(rank[str(day)])
        return cls(
            admin1=pair_admin1,
            published_rank=np.asarray(published_rank, dtype=np.int64)[at],
            published=published,
            month=_Column(np.asarray(month_code, dtype=np.int32)[at], list(months)),
            tone=_Column(np.asarray(tone_code, dtype=np.int32)[at], list(tones)),
            inducement=np.asarray(inducement, dtype=np.int64)[at],
            coercion=np.asarray(coercion, dtype=np.int64)[at], provinces=admin1.labels,
        )  # fmt: skip

    def series(
        self, admin1: int | None, since: str | None, until: str | None
    ) -> list[tuple[str, str, int, int, int, dict[str, int]]]:
        """Return (province, month, reports, inducement, coercion, reports per tone) by
        province then month; ``admin1`` a province's code, ``since``/``until`` dates the
        publication date is compared with as the database does."""
        m = np.ones(len(self.admin1), dtype=bool)
        if admin1 is not None:
            m &= self.admin1 == admin1
        if since:
            m &= self.published_rank >= bisect.bisect_left(self.published, since)
        if until:
            m &= self.published_rank < bisect.bisect_right(self.published, until + "~")
        width = len(self.month.labels)
        keys, group = np.unique(
            self.admin1[m].astype(np.int64) * width + self.month.codes[m], return_inverse=True
        )
        if not len(keys):
            return []
        reports = np.bincount(group, minlength=len(keys))
        inducement = np.bincount(group, weights=self.inducement[m], minlength=len(keys))
        coercion = np.bincount(group, weights=self.coercion[m], minlength=len(keys))
        tones_width = len(self.tone.labels)
        tone_counts = np.bincount(
            group * tones_width + self.tone.codes[m], minlength=len(keys) * tones_width
        ).reshape(len(keys), tones_width)
        rows = []
        for g, key in enumerate(keys):
            tones = {
                str(self.tone.labels[t]): int(tone_counts[g, t])
                for t in np.flatnonzero(tone_counts[g])
            }  # fmt: skip
            rows.append((
                str(self.provinces[key // width]), str(self.month.labels[key % width]),
                int(reports[g]), int(inducement[g]), int(coercion[g]), dict(sorted(tones.items())),
            ))  # fmt: skip
        rows.sort(key=lambda r: (r[0], r[1]))
        return rows


def _joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    """Return the chunks of one column as one array (empty when no event was read)."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _derived(column: _Column, values: list[Any]) -> _Column:
    """Return the column of ``values[code]`` for each of ``column``'s codes, coded anew."""
    seen: dict[Any, int] = {None: 0}
    lookup = np.asarray([seen.setdefault(v, len(seen)) for v in values], dtype=np.int32)
    return _Column(lookup[column.codes], list(seen))


def _ranks(column: _Column, ordered: list[str], null: int) -> np.ndarray:
    """Return each event's rank of its value in ``ordered`` (``null`` for NULL)."""
    rank = {v: i for i, v in enumerate(ordered)}
    per_code = np.asarray([null] + [rank[v] for v in column.labels[1:]], dtype=np.int64)
    ranks: np.ndarray = per_code[column.codes]
    return ranks


class EventIndex:
    """A snapshot of the events kept fresh for a long-running reader of one database.

    ``current()`` returns the snapshot when it is up to date with the database, else None
    (answer from SQL) after starting to read a new one in the background. ``wait()`` reads it
    now, for a caller that would rather wait (a benchmark, a test)."""

    def __init__(self, open_store: Callable[[], Store], *, background: bool = True) -> None:
        self._open = open_store
        self._background = background
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._thread: threading.Thread | None = None
        self._failed: str | None = None  # the version a read failed at: not tried again
        self._watch: VersionWatch | None = None
        self._unwatched = False  # the database cannot be watched: never used
        self.reads = 0  # snapshots read whole
        self.restamps = 0  # snapshots carried to a later version (reviews read again)

    def _version(self) -> str | None:
        with self._lock:
            if self._unwatched:
                return None
            if self._watch is None:
                store = self._open()
                try:
                    self._watch = store.version_watch()
                finally:
                    store.close()
                if self._watch is None:
                    self._unwatched = True
            return None if self._watch is None else self._watch.version()

    def current(self, store: Store | None = None) -> Snapshot | None:
        """Return the snapshot if it holds the database's present events, else None (and a
        new one is being read). With ``store`` (a connection of the caller's, outside any
        transaction), a change that left the events as they were (a review, a report
        ingested) is taken in at once."""
        try:
            version = self._version()
        except Exception as exc:
            log.warning("event index: cannot read the database version: %s", exc)
            return None
        if version is None:
            return None
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        if snapshot is not None and store is not None:
            changes = store.change_counts()  # read after the version: never older than it
            if changes[0] == snapshot.changes[0]:
                snapshot = snapshot.restamped(store, version, changes)
                self._snapshot = snapshot
                self.restamps += 1
                return snapshot
        if self._background:
            self._start(version)
            return None
        self._read(version)
        snapshot = self._snapshot
        return snapshot if snapshot is not None and snapshot.version == version else None

    def wait(self, timeout: float = 300.0) -> Snapshot | None:
        """Read the snapshot now unless it is current; return it (None if it cannot be made)."""
        version = self._version()
        if version is None:
            return None
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        snapshot = self._snapshot
        if snapshot is None or snapshot.version != version:
            self._read(version)
        return self._snapshot

    def _start(self, version: str) -> None:
        with self._lock:
            if self._failed == version or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(
                target=self._read, args=(version,), name="nkwatch-event-index", daemon=True
            )
            self._thread.start()

    def _read(self, version: str) -> None:
        try:
            store = self._open()
            try:
                from nkwatch.store.base import _EVENT_FROM

                snapshot = Snapshot.read(store, version, _EVENT_FROM)
            finally:
                store.close()
        except Exception as exc:
            log.warning("event index: cannot read the events: %s", exc)
            self._failed = version
            return
        self.reads += 1
        log.info("event index: %d events read in %.2f s", len(snapshot), snapshot.seconds)
        self._snapshot = snapshot

    def close(self) -> None:
        """Close the connection that watches the database's version."""
        with self._lock:
            if self._watch is not None:
                self._watch.close()
            self._watch = None


class VersionWatch(Protocol):
    """The database's version as one connection sees it (``Store.version_watch``)."""

    def version(self) -> str:
        """Return the version now; it differs from any earlier one after another
        connection committed a change."""
        ...

    def close(self) -> None:
        """Close the watch's connection."""
        ...
