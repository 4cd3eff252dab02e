"""The CLI: every command, JSON output, exit codes, one-line errors; and the README's commands."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nkwatch.cli import app, main

from .conftest import REPORT

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def nk(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def test_ingest_docs_show_search(db_path: Path, write: Callable[..., Path]) -> None:
    path = write("r1.txt", REPORT)
    code, out, err = nk(db_path, "ingest", str(path), "--published", "2022-01-20", "--json")
    assert code == 0, err
    assert json.loads(out)["stored"] == 1 and "stored: 1" in err
    code, out, _ = nk(db_path, "docs", "--json")
    data = json.loads(out)
    assert data["total"] == 1 and data["documents"][0]["ext_id"] == "r1"
    assert data["documents"][0]["published"] == "2022-01-20"
    code, out, _ = nk(db_path, "show", "r1", "--json")
    shown = json.loads(out)
    assert (
        shown["body"].startswith("State security agents")
        and {
            "rule": "caption",
            "line": "FILE PHOTO: The Yalu River at Hyesan. / Image: Example Monitor",
        }
        in shown["removed"]
    )
    code, out, _ = nk(db_path, "show", "r1", "--raw")
    assert code == 0 and "FILE PHOTO" in out
    code, out, _ = nk(db_path, "search", "Hyesan", "--json")
    assert json.loads(out)["hits"][0]["ext_id"] == "r1"
    code, out, _ = nk(db_path, "search", "Hyesan")
    assert code == 0 and "r1" in out
    code, _, err = nk(db_path, "search", "Pyongyang")
    assert code == 1 and "no matches" in err


def test_run_ingests_and_shows_reports(db_path: Path) -> None:
    code, out, err = nk(db_path, "run", str(ROOT / "examples" / "reports"), "--json")
    assert code == 0, err
    data = json.loads(out)
    ext_ids = {d["ext_id"] for d in data["documents"]}
    assert {"sample-001", "sample-002", "sample-004", "sinuiju-page", "sample-brief-01"} <= ext_ids
    dups = {d["ext_id"]: [n["ext_id"] for n in d["near_duplicates"]] for d in data["documents"]}
    assert dups["sample-002"] == ["sample-001"]
    by_id = {d["ext_id"]: d for d in data["documents"]}
    events = by_id["sinuiju-page"]["events"]
    assert {e["type"] for e in events} >= {"AMNESTY", "ARREST", "IMPACT"}
    arrest = next(e for e in events if e["type"] == "ARREST")
    assert (arrest["count"], arrest["admin1"], arrest["ext_id"]) == (3, "KP-03", "sinuiju-page")
    body = next(d for d in data["documents"] if d["ext_id"] == "sinuiju-page")
    assert arrest["evidence"].startswith("Three traders at the Chaeha market were arrested")
    assert by_id["sinuiju-page"]["tone"] in ("INDUCEMENT", "MIXED")
    assert body["places"]
    # The Korean report goes through the Korean pipeline: Korean quotes, same fields.
    korean = by_id["sample-004"]
    assert korean["tone"] == "MIXED" and data["analysis"]["skipped"] == []
    meeting = next(e for e in korean["events"] if e["type"] == "MEETING")
    assert (meeting["actor"], meeting["admin1"], meeting["admin2"]) == (
        "INMINBAN",
        "KP-10",
        "혜산시",
    )
    assert "인민반 회의가 열려" in meeting["evidence"]
    # Run again: nothing new to ingest or analyse.
    code, out, err = nk(db_path, "run", str(ROOT / "examples" / "reports"), "--json")
    assert code == 0 and json.loads(out)["analysis"]["analysed"] == 0


def test_times_shows_intervals_and_what_resolved_them(
    db_path: Path, write: Callable[..., Path]
) -> None:
    path = write("r1.txt", REPORT)
    nk(db_path, "ingest", str(path), "--published", "2022-01-20")
    code, out, err = nk(db_path, "times", "r1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["published"] == "2022-01-20" and data["date_estimate"] is None
    assert [(t["text"], t["when"], t["role"]) for t in data["times"]] == [
        ("Tuesday", {"start": "2022-01-18", "end": "2022-01-18", "precision": "day"}, "point"),
        (
            "the end of the month",
            {"start": "2022-01-21", "end": "2022-01-31", "precision": "week"},
            "deadline",
        ),
    ]
    code, out, _ = nk(db_path, "times", "r1")
    assert code == 0 and "2022-01-18" in out and "deadline" in out


def test_eval_time_scores_a_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Agents arrested five people on Tuesday. A lecture was held later that week.\n", "utf-8"
    )
    (corpus / "meta.jsonl").write_text(
        json.dumps({"doc_id": "a", "published": "2022-01-20", "language": "en"}) + "\n", "utf-8"
    )
    gold = {
        "doc_id": "a", "published": "2022-01-20", "language": "en", "events": [
            {"type": "ARREST", "evidence": "Agents arrested five people on Tuesday",
             "when": {"start": "2022-01-18", "end": "2022-01-18", "precision": "day"}},
            {"type": "INDOCTRINATION", "evidence": "A lecture was held later that week",
             "when": {"start": "2021-01-01", "end": "2021-12-31", "precision": "year"}},
        ],
    }  # fmt: skip
    (corpus / "gold.jsonl").write_text(json.dumps(gold) + "\n", "utf-8")
    result = runner.invoke(app, ["eval", "time", str(corpus), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["events_with_time"], data["correct"], data["errors"]) == (2, 1, {"no overlap": 1})
    result = runner.invoke(app, ["eval", "time", str(corpus), "--errors"])
    assert "accuracy 0.500" in result.stdout and "no overlap" in result.stdout
    (corpus / "gold.jsonl").write_text("{bad\n", "utf-8")
    result = runner.invoke(app, ["eval", "time", str(corpus)])
    assert result.exit_code != 0


def test_exit_codes_reflect_failures(db_path: Path, write: Callable[..., Path]) -> None:
    good = write("good.txt", REPORT)
    bad = write("bad.jsonl", "{oops\n")
    code, _, err = nk(db_path, "ingest", str(good), str(bad))
    assert code == 1 and "skipped E003:" in err and "bad.jsonl:1" in err
    code, _, err = nk(db_path, "ingest", str(bad))
    assert code == 2


def test_library_errors_are_one_line(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.argv", ["nkwatch", "--db", str(db_path), "show", "missing"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error E030:") and "\n" not in err
    code, _, err = nk(db_path, "docs", "--since", "2022-13-01")
    assert code != 0


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = [c.name for c in app.registered_commands]
    for group in app.registered_groups:
        assert group.typer_instance is not None
        commands += [f"{group.name} {c.name}" for c in group.typer_instance.registered_commands]
    assert commands, "no commands registered"
    for name in commands:
        assert re.search(rf"nkwatch[^\n`]* {name}\b", readme), (
            f"`nkwatch {name}` missing from README"
        )


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", readme, re.S)
    assert blocks[0].strip() == "make demo" and blocks[1].strip() == "make test"
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "\nmake test\n" in ci
