"""The codebook's scorer (§10) on hand-made records, and the evaluation gate for events."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nkwatch.cli import app
from nkwatch.eval import score, when_correct

from .conftest import DEV_CORPUS, in_ci

MINIMUMS = tomllib.loads((Path(__file__).parent / "data" / "minimums.toml").read_text("utf-8"))
BODY = (
    "Agents arrested five phone users in Hyesan on Tuesday. "
    "They confiscated their phones. Prices rose."
)


def event(etype: str, evidence: str, **fields: object) -> dict[str, object]:
    return {"type": etype, "evidence": evidence, "modality": "asserted", **fields}


def test_matching_needs_the_same_type_and_overlapping_quotes() -> None:
    gold = {"d": {"tone": "COERCION", "events": [
        event("ARREST", "Agents arrested five phone users in Hyesan on Tuesday", actor="MSS",
              count=5),
        event("CONFISCATION", "They confiscated their phones", also=["Agents arrested five"]),
    ]}}  # fmt: skip
    predicted = {"d": {"tone": "COERCION", "events": [
        event("ARREST", "arrested five phone users", actor="AUTHORITIES", count=5),
        event("ARREST", "They confiscated their phones"),  # wrong type: spurious
        event("CONFISCATION", "Agents arrested five phone"),  # overlaps an `also` quote
        event("IMPACT", "Prices rose", actor=None),
    ]}}  # fmt: skip
    s = score(gold, predicted, {"d": BODY})
    assert s.counts() == (2, 4, 2)
    p, r, f = s.prf()
    assert (p, r) == (0.5, 1.0) and abs(f - 2 / 3) < 1e-9
    assert s.field_accuracy("actor") == (0, 1)  # MSS ≠ AUTHORITIES; CONFISCATION has none
    assert s.field_accuracy("count") == (1, 1)
    assert s.field_accuracy("modality") == (2, 2)
    assert s.tone_accuracy() == (1, 1)
    assert s.counts("ARREST") == (1, 2, 1)


def test_each_gold_event_matches_once() -> None:
    gold = {"d": {"events": [event("ARREST", "Agents arrested five phone users")]}}
    predicted = {"d": {"events": [event("ARREST", "Agents arrested"), event("ARREST", "five")]}}
    assert score(gold, predicted, {"d": BODY}).counts() == (1, 2, 1)


def test_when_is_right_when_it_overlaps_at_the_same_or_finer_precision() -> None:
    week = {"start": "2022-01-16", "end": "2022-01-20", "precision": "week"}
    assert when_correct({"start": "2022-01-18", "end": "2022-01-18", "precision": "day"}, week)
    assert not when_correct(
        {"start": "2022-01-01", "end": "2022-01-31", "precision": "month"}, week
    )
    assert not when_correct(None, week) and when_correct(None, None)


def test_eval_command_scores_a_folder_and_writes_predictions(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(BODY + "\n", "utf-8")
    (corpus / "meta.jsonl").write_text(
        json.dumps({"doc_id": "a", "published": "2022-01-20", "language": "en"}) + "\n", "utf-8"
    )
    gold = {"doc_id": "a", "published": "2022-01-20", "language": "en", "tone": "COERCION",
            "events": [event("ARREST", "Agents arrested five phone users in Hyesan on Tuesday",
                             actor="MSS", target="PHONE_USERS", admin1="KP-10",
                             admin2="혜산시", count=5)]}  # fmt: skip
    (corpus / "gold.jsonl").write_text(json.dumps(gold, ensure_ascii=False) + "\n", "utf-8")
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(app, ["eval", str(corpus), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["events"]["matched"] == 1 and summary["events"]["gold"] == 1
    assert summary["fields"]["admin2"]["accuracy"] == 1.0
    (record,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert record["doc_id"] == "a" and record["events"][0]["type"] == "ARREST"
    result = CliRunner().invoke(app, ["eval", str(corpus), "--errors"])
    assert "F1" in result.stdout and "spurious" in result.stdout


@pytest.mark.shared
def test_event_scores_on_the_dev_corpus_meet_the_minimums(tmp_path: Path) -> None:
    if not DEV_CORPUS.is_dir():
        if in_ci():
            raise RuntimeError(f"CI must have the shared corpus at {DEV_CORPUS}")
        pytest.skip(f"shared corpus not found at {DEV_CORPUS}")
    result = CliRunner().invoke(app, ["eval", str(DEV_CORPUS), "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    floors = MINIMUMS["events"]
    measured = {
        "f1": summary["events"]["f1"],
        "tone": summary["tone"]["accuracy"],
        **{k: summary["fields"][k]["accuracy"] for k in ("modality", "actor", "admin1", "when")},
    }
    assert summary["unlocated"] == []
    for name, floor in floors.items():
        assert measured[name] >= floor, (name, measured[name], floor)


@pytest.mark.shared
def test_korean_event_scores_on_the_dev_corpus_meet_the_minimums(tmp_path: Path) -> None:
    if not DEV_CORPUS.is_dir():
        if in_ci():
            raise RuntimeError(f"CI must have the shared corpus at {DEV_CORPUS}")
        pytest.skip(f"shared corpus not found at {DEV_CORPUS}")
    result = CliRunner().invoke(app, ["eval", str(DEV_CORPUS), "--language", "ko", "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    measured = {
        "f1": summary["events"]["f1"],
        "tone": summary["tone"]["accuracy"],
        **{k: summary["fields"][k]["accuracy"] for k in ("modality", "actor", "admin1", "when")},
    }
    assert summary["unlocated"] == []
    assert summary["events"]["gold"] >= 40  # the Korean reports were scored, not skipped
    for name, floor in MINIMUMS["events_ko"].items():
        assert measured[name] >= floor, (name, measured[name], floor)
