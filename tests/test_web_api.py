"""The JSON API and the pages' server side, through FastAPI's test client (no browser)."""

from __future__ import annotations

import csv
import io
import json
import re

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from nkwatch import export
from nkwatch import store as store_module
from nkwatch.web.app import CSRF_COOKIE, create_app

BASE = "http://127.0.0.1:8321"


@pytest.fixture
def client(web_db: str) -> TestClient:
    return TestClient(create_app(web_db), base_url=BASE)


@pytest.fixture
def token(web_db: str) -> str:
    with store_module.open(web_db) as s:
        return s.create_token("alice")


def _error_shape(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["ok"] is False and body["status"] == status and isinstance(body["error"], str)
    return body  # type: ignore[no-any-return]


def test_events_are_listed_filtered_and_paginated(client: TestClient) -> None:
    first = client.get("/api/events", params={"limit": 3}).json()
    assert first["ok"] and first["limit"] == 3 and first["offset"] == 0
    total = first["total"]
    assert total > 6 and len(first["items"]) == 3 and first["next"]
    second = client.get(first["next"]).json()
    assert second["offset"] == 3
    assert not {e["id"] for e in first["items"]} & {e["id"] for e in second["items"]}
    seen = []
    url: str | None = "/api/events?limit=7"
    while url:
        page = client.get(url).json()
        seen += [e["id"] for e in page["items"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == total
    arrests = client.get("/api/events", params={"type": "ARREST", "limit": 500}).json()
    assert arrests["total"] == len(arrests["items"]) > 0
    assert {e["type"] for e in arrests["items"]} == {"ARREST"}
    event = arrests["items"][0]
    assert {
        "type", "modality", "actor", "target", "admin1", "admin2", "when", "count", "penalty",
        "law", "evidence", "evidence_start", "evidence_end", "review", "ext_id", "published",
    } <= set(event)  # fmt: skip


def test_one_event_and_one_report_carry_their_quotes(client: TestClient) -> None:
    event = client.get("/api/events", params={"limit": 1}).json()["items"][0]
    one = client.get(f"/api/events/{event['id']}").json()
    assert one["ok"] and one["event"]["id"] == event["id"] and one["audit"] == []
    report = client.get(f"/api/reports/{event['ext_id']}").json()
    body = report["report"]["body"]
    for e in report["events"]:
        assert body[e["evidence_start"] : e["evidence_end"]] == e["evidence"]
    assert report["places"] and report["tone"]


def test_a_report_and_its_korean_original_point_to_each_other(client: TestClient) -> None:
    report = client.get("/api/reports/sample-005").json()["report"]
    [korean] = report["translations"]
    assert (korean["ext_id"], korean["language"]) == ("sample-004", "ko") and korean["why"]
    event = client.get("/api/events", params={"q": "inminban", "limit": 50}).json()["items"]
    one = next(e for e in event if e["ext_id"] == "sample-005")
    detail = client.get(f"/api/events/{one['id']}").json()
    assert [t["id"] for t in detail["translations"]] == ["sample-004"]
    page = client.get("/reports/sample-004").text
    assert "The same report in English" in page and 'href="/reports/sample-005"' in page


def test_reports_are_listed_and_searched(client: TestClient) -> None:
    listing = client.get("/api/reports", params={"limit": 2}).json()
    assert listing["total"] >= 5 and len(listing["items"]) == 2 and listing["next"]
    hits = client.get("/api/reports", params={"q": "phone*"}).json()
    assert hits["total"] is None and hits["items"]
    assert all("[" in h["snippet"] for h in hits["items"])


def test_places_and_stats_agree_with_the_events(client: TestClient) -> None:
    total = client.get("/api/events", params={"limit": 1}).json()["total"]
    stats = client.get("/api/stats").json()
    assert stats["events"] == total
    by_province = {f["value"]: f["events"] for f in stats["facets"]["admin1"]}
    places = client.get("/api/places").json()["items"]
    assert {p["id"]: p["events"] for p in places if p["events"]} == by_province
    counties = client.get("/api/places", params={"level": "admin2"}).json()["items"]
    assert sum(p["events"] for p in counties) <= total
    week = client.get("/api/stats", params={"by": "week"}).json()["periods"]
    month = stats["periods"]
    assert sum(p["events"] for p in week) == sum(p["events"] for p in month) > 0
    assert all(re.fullmatch(r"\d{4}-W\d{2}", p["period"]) for p in week)


def test_every_error_has_one_shape(client: TestClient) -> None:
    _error_shape(client.get("/api/events/999999999"), 404)
    _error_shape(client.get("/api/reports/no-such-report"), 404)
    assert "type" in _error_shape(client.get("/api/events?type=PICNIC"), 400)["error"]
    _error_shape(client.get("/api/events?since=2024-13-01"), 400)
    _error_shape(client.get("/api/events?limit=0"), 400)
    _error_shape(client.get("/api/events?review=maybe"), 400)
    _error_shape(client.get("/api/stats?by=year"), 400)
    _error_shape(client.get("/api/no-such-endpoint"), 404)
    assert client.get("/api/events?q=%22%22").json()["total"] == 0  # no word: nothing
    _error_shape(client.post("/api/events/1/review", content=b"{not json"), 400)


def test_writing_needs_a_token(client: TestClient, token: str) -> None:
    event_id = client.get("/api/events", params={"limit": 1}).json()["items"][0]["id"]
    body = {"action": "accept"}
    _error_shape(client.post(f"/api/events/{event_id}/review", json=body), 401)
    bad = {"Authorization": "Bearer nkw_forged"}
    _error_shape(client.post(f"/api/events/{event_id}/review", json=body, headers=bad), 401)
    _error_shape(client.post("/api/reports", json={"reports": [{"text": "x"}]}), 401)
    auth = {"Authorization": f"Bearer {token}"}
    ok = client.post(f"/api/events/{event_id}/review", json=body, headers=auth).json()
    assert ok["ok"] and ok["review"]["reviewer"] == "alice"
    assert ok["event"]["review"]["status"] == "accepted"


def test_review_actions_through_the_api_are_audited(client: TestClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    event = client.get("/api/events", params={"limit": 1}).json()["items"][0]
    url = f"/api/events/{event['id']}/review"
    bad = client.post(url, json={"action": "correct", "corrections": {"count": -3}},
                      headers=auth)  # fmt: skip
    assert _error_shape(bad, 400)["field"] == "count"
    r = client.post(url, json={"action": "correct", "corrections": {"count": 12}}, headers=auth)
    assert r.json()["event"]["count"] == event["count"]  # the machine's value is kept
    assert r.json()["event"]["review"]["corrections"] == {"count": 12}
    client.post(url, json={"action": "reject", "note": "duplicate"}, headers=auth)
    log = client.get("/api/audit").json()
    assert log["total"] == 2
    assert [(a["action"], a["who"]) for a in log["items"]] == [("reject", "alice"),
                                                              ("correct", "alice")]  # fmt: skip
    assert client.get(f"/api/events/{event['id']}").json()["audit"][0]["after"]["note"] == (
        "duplicate"
    )
    rejected = client.get("/api/events", params={"review": "rejected"}).json()
    assert [e["id"] for e in rejected["items"]] == [event["id"]]
    exported = client.get("/api/export", params={"format": "jsonl", "review": "rejected"})
    rows = [json.loads(line) for line in exported.text.splitlines()]
    assert len(rows) == 1 and rows[0]["review_status"] == "rejected"
    assert rows[0]["reviewer"] == "alice"


def test_ingest_through_the_api(client: TestClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    reports = [
        {"doc_id": "api-1", "published": "2024-05-02", "outlet": "Example Wire",
         "text": "Security agents in Hoeryong arrested three people on Monday for using "
                 "Chinese phones, a source said."},
        {"doc_id": "api-2", "published": "not a date", "text": "Anything."},
        {"doc_id": "api-3"},
    ]  # fmt: skip
    r = client.post("/api/reports", json={"reports": reports}, headers=auth)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["stored"] == ["api-1"] and len(body["failed"]) == 2 and body["events"] >= 1
    assert {f["where"] for f in body["failed"]} == {"api:2", "api:3"}
    events = client.get("/api/events", params={"report": "api-1"}).json()["items"]
    assert any(e["type"] == "ARREST" and e["count"] == 3 for e in events)


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_exports_from_the_api_match_the_filters(client: TestClient, fmt: str) -> None:
    n = client.get("/api/events", params={"type": "ARREST"}).json()["total"]
    r = client.get("/api/export", params={"format": fmt, "type": "ARREST"})
    assert r.status_code == 200, r.text
    assert f"nkwatch-events.{fmt}" in r.headers["content-disposition"]
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert len(rows) == n and {row["type"] for row in rows} == {"ARREST"}
    elif fmt == "parquet":
        assert pq.read_table(io.BytesIO(r.content)).num_rows == n
    elif fmt == "jsonl":
        assert len(r.text.splitlines()) == n
    elif fmt == "json":
        assert len(r.json()) == n
    else:
        assert r.json()["type"] == "FeatureCollection"
    acled = client.get("/api/export", params={"format": "csv", "profile": "acled"})
    assert acled.text.splitlines()[0].startswith("event_date,time_precision")


def test_pages_render_and_escape_report_text(client: TestClient) -> None:
    for url in ("/", "/?q=phone*", "/events", "/events?type=ARREST&admin1=KP-10", "/timeline",
                "/timeline?by=week", "/map", "/map?level=admin2", "/review", "/audit",
                "/login", "/reports/xss-1"):  # fmt: skip
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        assert "<script>window" not in r.text and "<img src=x" not in r.text, url
        assert "script-src 'self'" in r.headers["content-security-policy"]
    page = client.get("/reports/xss-1").text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=" in page
    assert client.get("/events/999999999").status_code == 404
    assert client.get("/events?type=PICNIC").status_code == 400


def test_forms_need_a_session_and_its_csrf_token(client: TestClient, token: str) -> None:
    event_id = client.get("/api/events", params={"limit": 1}).json()["items"][0]["id"]
    client.get("/login")
    csrf = client.cookies[CSRF_COOKIE]
    # No session: refused.
    r = client.post(f"/events/{event_id}/review", data={"action": "accept", "csrf": csrf})
    assert r.status_code == 401
    # A wrong token: the login page again, with the failure said.
    r = client.post("/login", data={"token": "nkw_wrong", "csrf": csrf})
    assert r.status_code == 401 and "unknown or revoked" in r.text
    # A login without the CSRF token is refused.
    assert client.post("/login", data={"token": token}).status_code == 401
    r = client.post("/login", data={"token": token, "csrf": csrf, "next": "/review"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/review"
    # A session without the CSRF token: refused; with it: done, and audited.
    r = client.post(f"/events/{event_id}/review", data={"action": "accept"})
    assert r.status_code == 401
    r = client.post(f"/events/{event_id}/review",
                    data={"action": "correct", "csrf": csrf, "c_count": "9", "note": "n"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert client.get(f"/api/events/{event_id}").json()["event"]["review"]["corrections"] == {
        "count": 9
    }
    assert "signed in as" in client.get("/").text


def test_a_foreign_host_header_is_refused_on_loopback(web_db: str) -> None:
    app = create_app(web_db)
    r = TestClient(app, base_url="http://attacker.example").get("/api/events")
    _error_shape(r, 400)
    assert TestClient(app, base_url="http://localhost:8321").get("/api/events").status_code == 200


def test_a_remote_server_needs_a_token_for_everything(web_db: str, token: str) -> None:
    client = TestClient(create_app(web_db, remote=True), base_url="http://203.0.113.5")
    _error_shape(client.get("/api/events"), 401)
    r = client.get("/events", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/login").status_code == 200
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/events", headers=auth).json()["ok"]


def test_openapi_document_lists_every_endpoint(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    paths = set(doc["paths"])
    assert {"/api/reports", "/api/reports/{ref}", "/api/events", "/api/events/{event_id}",
            "/api/events/{event_id}/review", "/api/audit", "/api/places", "/api/stats",
            "/api/export"} <= paths  # fmt: skip
    assert not any(p.startswith(("/events", "/map")) for p in paths)
