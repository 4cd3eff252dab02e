"""Reviews, the audit log and tokens in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from nkwatch import store as store_module
from nkwatch.analyse import analyse
from nkwatch.errors import NotFound, ReviewError
from nkwatch.model import EventFilter


def test_corrections_sit_beside_the_machine_values_and_are_audited(web_db: str) -> None:
    with store_module.open(web_db) as s:
        event = s.events(limit=1)[0]
        review = s.review_event(
            event["id"], "correct", "alice",
            corrections={"count": "7", "admin1": "kp-10", "type": event["type"]}, note="checked",
        )  # fmt: skip
        # A field given with the machine's own value is not a correction.
        assert review["corrections"] == {"count": 7, "admin1": "KP-10"}
        stored = s.event(event["id"])
        assert stored["count"] == event["count"] and stored["admin1"] == event["admin1"]
        assert stored["review"]["status"] == "corrected"
        assert stored["review"]["corrections"] == {"count": 7, "admin1": "KP-10"}
        s.review_event(event["id"], "accept", "bob")
        log = s.audit(event_id=event["id"])
        assert [(a["who"], a["action"]) for a in log] == [("bob", "accept"), ("alice", "correct")]
        assert log[0]["before"]["status"] == "corrected" and log[0]["after"]["status"] == "accepted"
        assert log[1]["before"] is None


@pytest.mark.parametrize(
    ("corrections", "field"),
    [
        ({"type": "PICNIC"}, "type"),
        ({"modality": "maybe"}, "modality"),
        ({"count": -1}, "count"),
        ({"count": "2.5"}, "count"),
        ({"when_start": "2024-02-30"}, "when_start"),
        ({"when_start": "2024-03-02", "when_end": "2024-03-01"}, "when_start"),
        ({"admin1": "Ryanggang"}, "admin1"),
        ({"evidence": "made up"}, "evidence"),
        ({}, "corrections"),
    ],
)
def test_a_bad_correction_names_its_field_and_stores_nothing(
    web_db: str, corrections: dict[str, object], field: str
) -> None:
    with store_module.open(web_db) as s:
        event_id = s.events(limit=1)[0]["id"]
        with pytest.raises(ReviewError) as exc:
            s.review_event(event_id, "correct", "alice", corrections=corrections)
        assert exc.value.field == field
        assert s.review_of(event_id) is None and s.count_audit() == 0


def test_reviews_survive_the_report_being_analysed_again(web_db: str) -> None:
    with store_module.open(web_db) as s:
        event = s.events(limit=1)[0]
        s.review_event(event["id"], "reject", "alice", note="not an event")
        analyse(s, ids=[event["doc_id"]])
        again = [
            e for e in s.events(EventFilter(doc_id=event["doc_id"]), limit=1000)
            if e["evidence_start"] == event["evidence_start"] and e["type"] == event["type"]
        ]  # fmt: skip
        assert len(again) == 1 and again[0]["id"] != event["id"]
        assert again[0]["review"]["status"] == "rejected"
        assert s.count_events(EventFilter(review="rejected")) == 1
        assert len(s.audit(event_id=again[0]["id"])) == 1


def test_unknown_events_and_actions_are_refused(web_db: str) -> None:
    with store_module.open(web_db) as s:
        with pytest.raises(NotFound):
            s.review_event(10**9, "accept", "alice")
        event_id = s.events(limit=1)[0]["id"]
        with pytest.raises(ReviewError):
            s.review_event(event_id, "approve", "alice")
        with pytest.raises(ReviewError):
            s.review_event(event_id, "accept", "alice", corrections={"count": 3})


def test_tokens_are_stored_hashed_and_can_be_revoked(web_db: str) -> None:
    with store_module.open(web_db) as s:
        token = s.create_token("alice")
        assert token.startswith("nkw_")
        if s.backend == "sqlite":
            assert token not in Path(web_db).read_bytes().decode("latin-1")
        stored = s.conn.execute("SELECT name, hash, created_at FROM tokens").fetchall()
        assert stored and all(token not in tuple(row) for row in stored)
        assert s.check_token(token) is not None and s.check_token(token)[1] == "alice"  # type: ignore[index]
        assert s.check_token(token + "x") is None and s.check_token("nope") is None
        with pytest.raises(ReviewError):
            s.create_token("alice")
        with pytest.raises(ReviewError):
            s.create_token("bad name!")
        s.revoke_token("alice")
        assert s.check_token(token) is None
        assert s.create_token("alice") != token  # the name is free again
        assert [t["name"] for t in s.list_tokens() if t["revoked_at"] is None] == ["alice"]
        with pytest.raises(NotFound):
            s.revoke_token("nobody")


def test_facets_periods_and_points_count_the_filtered_events(web_db: str) -> None:
    with store_module.open(web_db) as s:
        total = s.count_events()
        facets = s.event_facets()
        assert sum(n for _, n in facets["type"]) == total
        assert sum(n for _, n in facets["review"]) == total
        arrests = EventFilter(types=("ARREST",))
        assert s.count_events(arrests) == dict(facets["type"]).get("ARREST", 0)
        dated = sum(1 for e in s.events(limit=10_000) if e["when"])
        assert sum(n for _, _, n in s.event_periods()) == dated
        assert sum(n for _, _, n in s.event_periods(by="week")) == dated
        for event_id, _, _, _, _ in s.event_points():
            assert s.event(event_id)["geo_precision"] == "point"
        phones = EventFilter(query="phone*")
        assert 0 < s.count_events(phones) < total
