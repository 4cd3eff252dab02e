"""Private persons' names: found in reports, redacted by default in everything the store returns
(reports, quotes, offsets, places, snippets, every export format, the API and pages), shown only
on an explicit request that is logged. The reports here are written for these tests."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from nkwatch import export
from nkwatch.analyse import analyse
from nkwatch.ingest import IngestOptions, ingest
from nkwatch.model import EventFilter
from nkwatch.privacy import PLACEHOLDER, Redaction, find, spans
from nkwatch.store.base import Store


@pytest.mark.parametrize(
    "text, private",
    [
        ("A 45-year-old man surnamed Choe was arrested. Choe had sold phones.", ["Choe", "Choe"]),
        ("A woman identified only as Pak, 52, was sent to a camp.", ["Pak"]),
        ("Kang Min-jae, a trader in Hyesan, was detained on Monday.", ["Kang Min-jae"]),
        ("Agents detained Ri Chol-ho (38) at his home.", ["Ri Chol-ho"]),
        ('"It is a pattern," said Park Jin-woo, a researcher at a university in Seoul.', []),
        ("Provincial party secretary Ri Hi-yong chaired the meeting.", []),
        ("Kim Jong Un inspected the Kim Chaek Iron and Steel Complex.", []),
        ("So far, no one has been released. An official said so.", []),
        ("Students of Kim Il Sung University were questioned.", []),
        ("소식통에 따르면 김모(45) 씨가 체포됐다. 박 씨는 풀려났다.", ["김모", "박"]),
        ("리철수(38)는 노동교화형 10년을 선고받았다.", ["리철수"]),
        ("김정은 위원장이 지시했다. 씨앗을 나눠줬다.", []),
    ],
)
def test_private_names_are_found_and_officials_are_not(text: str, private: list[str]) -> None:
    assert [n.text for n in find(text)] == private


def test_a_redaction_maps_offsets_into_the_redacted_text() -> None:
    text = "Agents arrested Kang Min-jae and Choe Yong-su in Hyesan on Monday."
    names = find(text)
    redaction = Redaction([(n.start, n.end) for n in names])
    redacted = redaction.text(text)
    assert redacted == f"Agents arrested {PLACEHOLDER} and {PLACEHOLDER} in Hyesan on Monday."
    start = text.index("Hyesan")
    assert redacted[redaction.offset(start) : redaction.offset(start + 6)] == "Hyesan"
    quote_start = text.index("arrested")
    quote = text[quote_start : text.index(" in Hyesan")]
    assert redaction.text(quote, quote_start) == f"arrested {PLACEHOLDER} and {PLACEHOLDER}"
    # A bare surname in the headline of a report that introduced it as private.
    assert spans("Choe sentenced", "A broker surnamed Choe was sentenced.") == {
        "body": [[18, 22]], "title": [[0, 4]]
    }  # fmt: skip


REPORT = """\
Hoeryong broker surnamed Choe jailed for 12 years

The Hoeryong City People's Court sentenced a broker, a 45-year-old man surnamed Choe, to 12 \
years of reform through labour on March 11 for arranging calls to South Korea, a source said.

State security agents arrested Choe at his home in Hoeryong in January. Agents also detained \
Kang Min-jae, a trader who had lent Choe a phone.
"""


@pytest.fixture
def stored(store: Store, tmp_path: Path) -> Store:
    path = tmp_path / "hoeryong.txt"
    path.write_text(REPORT, "utf-8")
    ingest(store, [str(path)], options=IngestOptions(published="2024-03-14", outlet="Test"))
    analyse(store)
    return store


def _has_no_name(text: str) -> bool:
    return "Choe" not in text and "Kang Min-jae" not in text


def test_the_store_returns_reports_and_quotes_redacted(stored: Store) -> None:
    doc = stored.get("hoeryong", with_raw=True)
    assert _has_no_name(doc.body) and _has_no_name(doc.title or "")
    assert _has_no_name(doc.raw or "") and PLACEHOLDER in doc.body
    events = stored.events(EventFilter(doc_id=doc.id))
    assert events and any(PLACEHOLDER in e["evidence"] for e in events)
    for e in events:
        assert _has_no_name(e["evidence"]) and _has_no_name(e["title"])
        assert doc.body[e["evidence_start"] : e["evidence_end"]] == e["evidence"]
        assert stored.event(e["id"])["evidence"] == e["evidence"]
    for m in stored.places_of(doc.id):
        assert doc.body[m.start : m.end] == m.text
    [hit] = stored.search("Hoeryong AND court")
    assert _has_no_name(hit.snippet) and _has_no_name(hit.title or "")
    assert all(_has_no_name(d.title or "") for d in stored.list_documents())
    # The analysis ran on the report as stored: the quotes hold the names underneath.
    with stored.unredacted():
        assert "Choe" in stored.get("hoeryong").body
        assert any("Choe" in e["evidence"] for e in stored.events(EventFilter(doc_id=doc.id)))


def test_every_export_format_is_redacted(stored: Store, tmp_path: Path) -> None:
    for fmt in ("csv", "json", "jsonl", "geojson"):
        out = io.StringIO()
        assert export.write(fmt, stored.export_rows(), out) > 0
        text = out.getvalue()
        assert _has_no_name(text) and PLACEHOLDER in text, fmt
    path = tmp_path / "events.parquet"
    export.write_file("parquet", stored.export_rows(), path)
    rows = pq.read_table(path).to_pylist()
    assert rows and all(_has_no_name(json.dumps(r, default=str)) for r in rows)
    doc = stored.get("hoeryong")
    for r in rows:
        assert doc.body[r["evidence_start"] : r["evidence_end"]] == r["evidence"]


def test_names_are_shown_only_when_asked_and_the_request_is_logged(stored: Store) -> None:
    assert stored.audit() == []
    stored.show_names("alice", "court submission")
    assert "Choe" in stored.get("hoeryong").body
    out = io.StringIO()
    export.write("csv", stored.export_rows(), out)
    assert "Choe" in out.getvalue()
    [entry] = stored.audit()
    assert (entry["who"], entry["action"]) == ("alice", "names shown")
    assert "court submission" in json.dumps(entry)
    stored.hide_names()
    assert "Choe" not in stored.get("hoeryong").body


def test_the_command_line_redacts_unless_told_why(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from nkwatch.cli import app

    db = str(tmp_path / "cli.db")
    report = tmp_path / "hoeryong.txt"
    report.write_text(REPORT, "utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["--db", db, "run", str(report), "--json"])
    assert result.exit_code == 0, result.output
    assert _has_no_name(result.stdout) and PLACEHOLDER in result.stdout
    shown = runner.invoke(app, ["--db", db, "--show-names", "checking a quote", "show", "hoeryong"])
    assert shown.exit_code == 0 and "Choe" in shown.stdout
    refused = runner.invoke(app, ["--db", db, "--show-names", " ", "show", "hoeryong"])
    assert refused.exit_code != 0
    audit = runner.invoke(app, ["--db", db, "show", "hoeryong"])
    assert "Choe" not in audit.stdout


def test_a_store_from_before_redaction_is_filled_when_migrated(tmp_path: Path) -> None:
    from nkwatch.store import open as open_store

    from .conftest import old_sqlite_store

    body = "Agents arrested a man surnamed Choe in Hyesan."
    path = old_sqlite_store(tmp_path / "v7.db", 7, body)
    with open_store(str(path)) as store:
        assert store.get("old").body == f"Agents arrested a man surnamed {PLACEHOLDER} in Hyesan."


def test_the_web_app_and_api_redact_and_show_names_only_to_a_token(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from nkwatch import store as store_module
    from nkwatch.web.app import create_app

    db = str(tmp_path / "web.db")
    path = tmp_path / "hoeryong.txt"
    path.write_text(REPORT, "utf-8")
    with store_module.open(db) as s:
        ingest(s, [str(path)], options=IngestOptions(published="2024-03-14", outlet="Test"))
        analyse(s)
        token = s.create_token("alice")
    client = TestClient(create_app(db), base_url="http://127.0.0.1:8321")
    for url in ("/api/reports/hoeryong", "/api/events", "/reports/hoeryong", "/events",
                "/api/export?format=csv", "/api/export?format=geojson", "/?q=Hoeryong"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert _has_no_name(response.text), url
    event = client.get("/api/events").json()["items"][0]
    assert _has_no_name(client.get(f"/events/{event['id']}").text)
    refused = client.get("/api/reports/hoeryong", params={"show_names": "a court filing"})
    assert refused.status_code == 401 and refused.json()["ok"] is False
    auth = {"Authorization": f"Bearer {token}"}
    shown = client.get(
        "/api/reports/hoeryong", params={"show_names": "a court filing"}, headers=auth
    )
    assert shown.status_code == 200 and "Choe" in shown.json()["report"]["body"]
    assert _has_no_name(client.get("/api/reports/hoeryong", headers=auth).text)
    entries = client.get("/api/audit").json()["items"]
    assert [(e["who"], e["action"]) for e in entries] == [("alice", "names shown")]


def test_a_redacted_export_is_refused_on_import_and_a_shown_one_goes_back(
    stored: Store, tmp_path: Path
) -> None:
    from nkwatch.errors import ExportError

    def exported() -> Path:
        path = tmp_path / "events.jsonl"
        with path.open("w", encoding="utf-8") as out:
            export.write("jsonl", stored.export_rows(), out)
        return path

    def groups(path: Path) -> list[tuple[str, list[Any], str | None, str | None]]:
        by_report: dict[str, list[Any]] = {}
        for where, row in export.read_jsonl(path):
            by_report.setdefault(row["report_id"], []).append(export.event_of(row, where))
        return [(ext_id, evs, None, "import") for ext_id, evs in by_report.items()]

    redacted = exported()
    with pytest.raises(ExportError, match="cannot be imported"):
        stored.import_events(groups(redacted))
    stored.show_names("alice", "round trip")
    assert stored.import_events(groups(exported()))[1] > 0
    assert stored.integrity_problems() == []
