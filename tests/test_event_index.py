"""The event index (events held in memory for the web app) answers every event query exactly
as the database does, on both backends, and is never used once the database has changed."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from nkwatch import store as store_module
from nkwatch.incidents import link_events
from nkwatch.ingest import ingest_stream
from nkwatch.model import Event, EventFilter, RawDocument, TimeSpan
from nkwatch.series import tone_series
from nkwatch.store.base import FACETS, Store
from nkwatch.store.event_index import EventIndex

PLACES = [("Hyesan", "KP-10", "혜산시"), ("Sinuiju", "KP-03", "신의주시"),
          ("Pyongyang", "KP-01", None), (None, None, None)]  # fmt: skip
OUTLETS = ["Tumen Weekly", "tumen weekly", "Yalu Dispatch", None]
TYPES = ["ARREST", "CRACKDOWN_ORDER", "LECTURE", "SURVEILLANCE"]
QUOTE = "State security agents"


def _report(i: int, rng: random.Random, url: str | None = None) -> RawDocument:
    place = rng.choice(["Hyesan", "Sinuiju", "Kanggye"])
    word = rng.choice(["phones", "broadcasts", "smuggling"])
    text = "".join(
        f"{QUOTE} in {place} arrested {rng.randint(2, 90)} people over {word} ({i}.{k}). "
        for k in range(4)
    )
    return RawDocument(
        text=f"Report {i}\n\n{text}", raw=text, source=f"gen-{i}.txt", ext_id=f"gen-{i}",
        format="txt", published=f"2024-{1 + i % 12:02d}-10", language="en",
        outlet=rng.choice(OUTLETS), url=url,
    )  # fmt: skip


def _events(body: str, rng: random.Random) -> list[Event]:
    out, start = [], -1
    for _ in range(rng.randint(0, 4)):
        start = body.index(QUOTE, start + 1)
        place, admin1, admin2 = rng.choice(PLACES)
        day = f"20{rng.randint(22, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        end = day if rng.random() < 0.7 else f"{day[:4]}-12-31"
        precise = rng.random() < 0.5
        out.append(Event(
            type=rng.choice(TYPES), modality=rng.choice(["happened", "planned", "threatened"]),
            evidence=QUOTE, evidence_start=start, evidence_end=start + len(QUOTE),
            actor=rng.choice(["MSS", "PARTY", None]), target=rng.choice(["PHONE_USERS", None]),
            place=place, admin1=admin1, admin2=admin2,
            when=TimeSpan(day, end, "day") if rng.random() < 0.8 else None,
            count=rng.randint(2, 9), confidence=0.8, trigger="arrested",
            lat=41.4 if precise else None, lon=128.2 if precise else None,
            geo_precision="point" if precise else rng.choice(["county", None]),
        ))  # fmt: skip
    return out


@pytest.fixture
def filled(db_url: str) -> Iterator[Store]:
    """A store of 40 reports (one of them revised), their events with every field sometimes
    missing, reviews of each kind, and a campaign."""
    rng = random.Random(3)
    s = store_module.open(db_url)
    ingest_stream(s, [_report(i, rng, url=f"https://example.org/{i}") for i in range(40)])
    ingest_stream(s, [_report(0, rng, url="https://example.org/0")])  # a revision of report 0
    rows = s.conn.execute("SELECT ext_id, body, id FROM documents ORDER BY id").fetchall()
    s.import_events((r[0], _events(r[1], rng), None, "test") for r in rows)
    ids = [e["id"] for e in s.events(limit=1000)]
    for event_id in rng.sample(ids, 12):
        action = rng.choice(["accept", "reject", "correct"])
        extra = {"corrections": {"count": 99}} if action == "correct" else {}
        s.review_event(event_id, action, "alice", **extra)
    for doc_id in rng.sample([int(r[2]) for r in rows], 15):  # tones and their cues
        cues = {"inducement": ["forgive"] * rng.randint(0, 3), "coercion": ["merciless"]}
        s.conn.execute(
            "UPDATE analyses SET tone = ?, tone_evidence = ? WHERE doc_id = ?",
            (rng.choice(["COERCION", "INDUCEMENT", "MIXED"]), json.dumps(cues), doc_id),
        )
    s.conn.execute("UPDATE documents SET published = NULL WHERE id = ?", (rows[5][2],))
    s.conn.execute("UPDATE documents SET published = published || 'T08:00' WHERE id % 3 = 0")
    link_events(s, [int(r[2]) for r in rows])
    incidents = s.incident_ids(min_reports=1, limit=3, offset=0)
    campaign = s.create_campaign("sweep", "alice")
    s.add_to_campaign(campaign, incidents, "alice")
    yield s
    s.close()


@contextmanager
def _indexed(store: Store, db_url: str, *, background: bool = False) -> Iterator[EventIndex]:
    """Give ``store`` an event index of its database (read when asked, unless
    ``background``), closed afterwards."""
    index = EventIndex(lambda: store_module.open(db_url), background=background)
    store.event_index = index
    try:
        yield index
    finally:
        index.close()


def _filters(rng: random.Random, campaign: int) -> Iterator[EventFilter]:
    yield EventFilter()
    for _ in range(60):
        pick: dict[str, Any] = {}
        if rng.random() < 0.4:
            pick["types"] = tuple(rng.sample([*TYPES, "NO_SUCH_TYPE"], rng.randint(1, 2)))
        for name, values in (
            ("modality", ["happened", "planned", "nothing"]),
            ("admin1", ["KP-10", "KP-03", "KP-99"]), ("admin2", ["혜산시", "신의주시"]),
            ("actor", ["MSS", "PARTY", "NOBODY"]),
            ("outlet", ["Tumen Weekly", "TUMEN WEEKLY", "yalu dispatch", "Nowhere"]),
            ("review", ["unreviewed", "reviewed", "accepted", "corrected", "rejected"]),
            ("query", ["Hyesan", "phones", "agent*", "Hyesan broadcasts", "zzzz", "!!"]),
        ):  # fmt: skip
            if rng.random() < 0.25:
                pick[name] = rng.choice(values)
        if rng.random() < 0.3:
            pick["since"] = (
                f"20{rng.randint(22, 26)}-{rng.randint(1, 12):02d}-{rng.choice(['01', '10', '11'])}"
            )
        if rng.random() < 0.3:
            day = rng.choice(["10", "15"])  # reports are published on the 10th
            pick["until"] = f"20{rng.randint(23, 25)}-{rng.randint(1, 12):02d}-{day}"
        if rng.random() < 0.1:
            pick["campaign"] = campaign
        yield EventFilter(**pick)


def _answers(store: Store, where: EventFilter, offset: int) -> dict[str, Any]:
    return {
        "page": [e["id"] for e in store.events(where, limit=7, offset=offset)],
        "records": store.events(where, limit=3),
        "count": store.count_events(where),
        "facets": store.event_facets(where, list(FACETS)),
        "months": store.event_periods(where, by="month"),
        "weeks": store.event_periods(where, by="week"),
        "points": store.event_points(where, limit=5),
        "tone": tone_series(store, admin1=where.admin1, since=where.since, until=where.until),
    }


def test_index_answers_as_the_database(filled: Store, db_url: str) -> None:
    campaign = filled.campaigns()[0]["id"]
    assert len(filled.campaign_events(campaign)) > 0, "the campaign holds events"
    rng = random.Random(11)
    checked = 0
    with _indexed(filled, db_url) as index:
        for where in _filters(rng, campaign):
            offset = rng.choice([0, 0, 3, 20])
            filled.event_index = None
            expected = _answers(filled, where, offset)
            filled.event_index = index
            assert index.current() is not None  # the index, not the database, answers next
            assert _answers(filled, where, offset) == expected, where
            checked += expected["count"] > 0
    assert index.reads == 1  # one snapshot served every query: nothing changed
    assert checked > 20  # most filters select some events
    assert filled.count_events() > 60
    assert sum(p.coercion for p in tone_series(filled)) > 5  # the series has cues to sum


def test_a_review_is_taken_in_at_once_and_other_changes_read_again(
    filled: Store, db_url: str
) -> None:
    with _indexed(filled, db_url, background=True) as index:
        first = index.wait()
        assert first is not None and index.current(filled) is first
        unreviewed = filled.count_events(EventFilter(review="unreviewed"))
        # Another connection (another worker of the web app) reviews events: the snapshot
        # takes the reviews in at once, without reading the events again.
        with store_module.open(db_url) as other:
            for event in other.events(EventFilter(review="unreviewed"), limit=3):
                other.review_event(event["id"], "reject", "bob")
        assert filled.count_events(EventFilter(review="unreviewed")) == unreviewed - 3
        assert index.reads == 1 and index.restamps == 1
        rng = random.Random(5)
        for where in _filters(rng, filled.campaigns()[0]["id"]):
            filled.event_index = index
            found = _answers(filled, where, 0)
            filled.event_index = None
            assert found == _answers(filled, where, 0), where
        filled.event_index = index
        # A report revised (its events no longer current): the events are read again, and
        # until then the database answers.
        total = filled.count_events()
        doc_id = filled.events(limit=1)[0]["doc_id"]
        gone = filled.count_events(EventFilter(doc_id=doc_id))
        with store_module.open(db_url) as other, other.transaction():
            other.conn.execute("UPDATE documents SET superseded_by = id WHERE id = ?", (doc_id,))
        assert filled.count_events() == total - gone
        second = index.wait()
        assert second is not None and second is not first and index.reads == 2
        assert index.current(filled) is second and filled.count_events() == total - gone


def test_own_transaction_is_answered_by_the_database(filled: Store, db_url: str) -> None:
    with _indexed(filled, db_url):
        before = filled.count_events()
        with filled.transaction():
            filled.conn.execute("DELETE FROM events WHERE id = (SELECT min(id) FROM events)")
            assert filled.count_events() == before - 1  # its own change, not yet committed
        assert filled.count_events() == before - 1


def test_an_in_memory_store_is_not_indexed() -> None:
    with store_module.open(":memory:") as s:
        index = EventIndex(lambda: store_module.open(":memory:"))
        s.event_index = index
        assert index.current() is None and index.wait() is None
        assert s.count_events() == 0 and s.event_facets()["type"] == []


def test_unknown_facet_is_a_query_error(filled: Store) -> None:
    from nkwatch.errors import QueryError

    with pytest.raises(QueryError, match="unknown facet"):
        filled.event_facets(None, ["colour"])


def test_long_pages_and_bad_filters_are_answered_as_the_database_does(
    filled: Store, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nkwatch.errors import QueryError
    from nkwatch.store import base

    expected = [e["id"] for e in filled.events(limit=500)]
    monkeypatch.setattr(base, "_MAX_PARAMS", 7)  # a page's events read in many pieces
    with _indexed(filled, db_url) as index:
        assert [e["id"] for e in filled.events(limit=500)] == expected
        assert index.reads == 1
        with pytest.raises(QueryError, match="unknown review filter"):
            filled.count_events(EventFilter(review="maybe"))
        with pytest.raises(QueryError, match="unknown period"):
            filled.event_periods(None, by="year")


def test_an_empty_store_is_indexed(store: Store, db_url: str) -> None:
    with _indexed(store, db_url) as index:
        assert index.wait() is not None
        assert store.count_events() == 0 and store.events() == []
        assert store.event_facets()["type"] == [] and store.event_periods() == []
        assert store.event_points() == [] and tone_series(store) == []
        assert index.reads == 1
