"""Across reports: events linked into incidents (incrementally, with reasons), independent
sources, contradictions, a reviewer's split and merge, campaigns, the tone series, and the
linking score on pairs built from the development corpus. Reports here are written for these
tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nkwatch import eval_linking
from nkwatch.analyse import analyse
from nkwatch.incidents import LINK_AT, incident, link_events, match, open_contradictions
from nkwatch.ingest import ingest
from nkwatch.series import tone_series
from nkwatch.store.base import Store

from .conftest import DEV_CORPUS


def _event(**fields: Any) -> dict[str, Any]:
    base = {
        "id": 1, "doc_id": 1, "type": "ARREST", "modality": "asserted", "actor": "MSS",
        "target": "BROKERS", "admin1": "KP-10", "admin2": "혜산시", "when_start": "2024-03-04",
        "when_end": "2024-03-04", "when_precision": "day", "count": 5, "published": "2024-03-08",
        "language": "en", "evidence": "State security agents arrested five brokers in Hyesan",
    }  # fmt: skip
    return {**base, **fields}


def test_one_event_told_twice_matches_and_others_do_not() -> None:
    a = _event()
    restated = _event(doc_id=2, admin2=None, when_start="2024-03-01", when_end="2024-03-07",
                      when_precision="week", count=6, published="2024-03-15",
                      evidence="Five brokers were arrested by the MSS in Hyesan early this month")  # fmt: skip
    score, why = match(a, restated)
    assert score >= LINK_AT and any("within KP-10" in w for w in why)
    assert match(a, _event(doc_id=2, admin1="KP-09", admin2=None))[0] == 0  # another province
    assert match(a, _event(doc_id=2, modality="threatened"))[0] == 0  # announced, not done
    assert match(a, _event(doc_id=2, when_start="2024-05-01", when_end="2024-05-01"))[0] == 0
    other = _event(doc_id=2, target="SMUGGLERS", admin2="삼지연시", when_start="2024-03-09",
                   when_end="2024-03-09", evidence="Guards caught three smugglers at the river")  # fmt: skip
    assert match(a, other)[0] < LINK_AT
    assert match(a, _event(id=2))[0] == 0  # one report: the extractor already merged


REPORTS = [
    {"doc_id": "first", "outlet": "Border Desk", "published": "2024-03-08",
     "title": "Hyesan agents arrest five brokers",
     "text": "State security agents arrested five brokers in Hyesan, Ryanggang Province, on "
             "March 4 for arranging phone calls to South Korea, a source said."},
    {"doc_id": "copy", "outlet": "Reprint Wire", "published": "2024-03-09",
     "title": "Hyesan agents arrest five brokers",
     "text": "State security agents arrested five brokers in Hyesan, Ryanggang Province, on "
             "March 4 for arranging phone calls to South Korea, a source said."},
    {"doc_id": "later", "outlet": "River Report", "published": "2024-03-20",
     "title": "Brokers held in Hyesan",
     "text": "Six brokers who connected residents with relatives in South Korea were arrested "
             "by state security agents in Hyesan on March 4, a resident told us."},
    {"doc_id": "other", "outlet": "River Report", "published": "2024-03-21",
     "title": "Smugglers caught at Samjiyon",
     "text": "Border guards arrested three smugglers in Samjiyon, Ryanggang Province, on "
             "March 12, a source said."},
]  # fmt: skip


@pytest.fixture
def linked(store: Store, tmp_path: Path) -> Store:
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in REPORTS) + "\n", "utf-8")
    ingest(store, [str(path)])
    report = analyse(store)
    assert report.linked >= 2
    return store


def _arrest_incident(store: Store) -> int:
    event = next(e for e in store.events() if e["ext_id"] == "first" and e["type"] == "ARREST")
    found = store.incident_of_event(event["id"])
    assert found is not None
    return found


def test_reports_of_one_event_are_one_incident_with_its_disagreements(linked: Store) -> None:
    found = incident(linked, _arrest_incident(linked)).as_dict()
    assert found["reports"] == ["copy", "first", "later"]
    assert found["independent_sources"] == 2  # the reprint is a near-duplicate of the first
    assert {"field": "count", "values": [{"value": "5", "reports": ["copy", "first"]},
                                          {"value": "6", "reports": ["later"]}]} in found["contradictions"]  # fmt: skip
    later = next(e for e in found["events"] if e["report"] == "later")
    assert later["link_score"] >= LINK_AT and later["why"][0].startswith("with ")
    other = next(e for e in linked.events() if e["ext_id"] == "other" and e["type"] == "ARREST")
    assert linked.incident_of_event(other["id"]) != _arrest_incident(linked)
    assert [i.id for i in open_contradictions(linked)] == [_arrest_incident(linked)]


def test_a_reviewers_split_and_merge_stay_and_are_logged(linked: Store) -> None:
    incident_id = _arrest_incident(linked)
    later = next(e for e in incident(linked, incident_id).events if e["ext_id"] == "later")
    new_id = linked.split_incident(incident_id, [later["id"]], "alice", "another arrest")
    assert incident(linked, new_id).as_dict()["reports"] == ["later"]
    # Analysed again, the events keep the reviewer's incidents.
    analyse(linked, reprocess=True)
    assert incident(linked, new_id).as_dict()["reports"] == ["later"]
    assert incident(linked, incident_id).as_dict()["reports"] == ["copy", "first"]
    linked.merge_incidents(incident_id, new_id, "bob")
    assert incident(linked, incident_id).as_dict()["reports"] == ["copy", "first", "later"]
    actions = [(a["who"], a["action"]) for a in linked.audit()]
    assert actions == [("bob", "incident merge"), ("alice", "incident split")]
    with pytest.raises(Exception, match="not none or all"):
        linked.split_incident(incident_id, [], "alice")


def test_linking_is_incremental(linked: Store, tmp_path: Path) -> None:
    path = tmp_path / "more.jsonl"
    path.write_text(json.dumps({
        "doc_id": "weeks-later", "outlet": "Third Desk", "published": "2024-03-28",
        "text": "Agents arrested five brokers in Hyesan on March 4 over calls to South Korea, "
                "a source said.",
    }) + "\n", "utf-8")  # fmt: skip
    ingest(linked, [str(path)])
    analyse(linked)
    found = incident(linked, _arrest_incident(linked)).as_dict()
    assert "weeks-later" in found["reports"] and found["independent_sources"] == 3


def test_campaigns_group_incidents(linked: Store) -> None:
    incident_id = _arrest_incident(linked)
    campaign = linked.create_campaign("Hyesan broker sweep, March 2024", "alice")
    linked.add_to_campaign(campaign, [incident_id], "alice")
    [found] = linked.campaigns()
    assert found["incidents"] == [incident_id]
    assert set(linked.campaign_event_ids(campaign)) >= {
        e["id"] for e in incident(linked, incident_id).events
    }
    with pytest.raises(Exception, match="already"):
        linked.create_campaign("Hyesan broker sweep, March 2024", "bob")


def test_the_tone_series_counts_cues_by_province_and_month(linked: Store) -> None:
    points = tone_series(linked)
    assert {p.admin1 for p in points} == {"KP-10"} and {p.month for p in points} == {"2024-03"}
    [point] = points
    assert point.reports == 4 and point.coercion >= point.inducement


def test_the_api_and_pages_show_incidents(linked: Store, db_url: str) -> None:
    from fastapi.testclient import TestClient

    from nkwatch.web.app import create_app

    client = TestClient(create_app(db_url), base_url="http://127.0.0.1:8321")
    incident_id = _arrest_incident(linked)
    listed = client.get("/api/incidents").json()
    assert incident_id in [i["id"] for i in listed["items"]]
    one = client.get(f"/api/incidents/{incident_id}").json()["incident"]
    assert one["independent_sources"] == 2
    assert client.get("/api/contradictions").json()["items"][0]["id"] == incident_id
    assert client.get("/api/series/tone").json()["items"][0]["admin1"] == "KP-10"
    later = next(e for e in one["events"] if e["report"] == "later")
    refused = client.post(f"/api/incidents/{incident_id}/split", json={"events": [later["id"]]})
    assert refused.status_code == 401 and refused.json()["ok"] is False
    token = linked.create_token("carol")
    auth = {"Authorization": f"Bearer {token}"}
    split = client.post(f"/api/incidents/{incident_id}/split", json={"events": [later["id"]]},
                        headers=auth).json()  # fmt: skip
    assert split["new"]["reports"] == ["later"]
    merged = client.post(f"/api/incidents/{incident_id}/merge",
                         json={"other": split["new"]["id"]}, headers=auth).json()  # fmt: skip
    assert merged["incident"]["reports"] == ["copy", "first", "later"]
    made = client.post("/api/campaigns", json={"name": "sweep", "incidents": [incident_id]},
                       headers=auth).json()  # fmt: skip
    assert made["campaign"]["incidents"] == [incident_id]
    in_campaign = client.get("/api/events", params={"campaign": made["campaign"]["id"]}).json()
    assert {e["ext_id"] for e in in_campaign["items"]} == {"copy", "first", "later"}
    timeline = client.get("/timeline", params={"campaign": made["campaign"]["id"]}).text
    assert "sweep" in timeline and "inducement against coercion" in timeline
    page = client.get(f"/incidents/{incident_id}").text
    assert "disagree on <strong>count</strong>" in page and "later" in page
    assert f"#{incident_id}" in client.get("/incidents").text
    event_page = client.get(f"/events/{later['id']}").text
    assert f'href="/incidents/{incident_id}"' in event_page
    assert client.get("/audit").status_code == 200


@pytest.mark.skipif(not DEV_CORPUS.is_dir(), reason="the shared development corpus is absent")
def test_linking_scores_on_pairs_built_from_the_dev_corpus(tmp_path: Path) -> None:
    from nkwatch.store import open as open_store

    reports = eval_linking.build(DEV_CORPUS)
    assert {r.kind for r in reports} == {"corpus", "copy", "restatement", "distractor"}
    with open_store(str(tmp_path / "l.db")) as store:
        ids = eval_linking.load(store, reports, tmp_path)
        for doc_id in eval_linking.by_publication(reports, ids):
            link_events(store, [doc_id])
        scores = eval_linking.score(store, reports, ids)
    assert scores.gold > 100 and scores.f1 >= 0.85, (scores.precision, scores.recall)
