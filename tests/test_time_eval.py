"""The evaluation gate for time: the share of gold event times the pipeline gets right on the
annotated development corpus may not fall below tests/data/minimums.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from nkwatch.nlp.temporal.evaluate import evaluate_time, judge

from .conftest import DEV_CORPUS, in_ci

MINIMUMS = tomllib.loads((Path(__file__).parent / "data" / "minimums.toml").read_text("utf-8"))


def test_judge_follows_the_codebook_scoring() -> None:
    from nkwatch.model import TimeSpan

    gold = {"start": "2022-01-16", "end": "2022-01-20", "precision": "week"}
    assert judge(TimeSpan("2022-01-20", "2022-01-20", "day"), gold) is None  # finer, overlapping
    assert judge(TimeSpan("2022-01-01", "2022-01-31", "month"), gold) == "coarser precision"
    assert judge(TimeSpan("2022-01-21", "2022-01-21", "day"), gold) == "no overlap"
    assert judge(None, gold) == "no time"


@pytest.mark.shared
def test_time_accuracy_on_the_dev_corpus_meets_the_minimum() -> None:
    if not DEV_CORPUS.is_dir():
        if in_ci():
            raise RuntimeError(f"CI must have the shared corpus at {DEV_CORPUS}")
        pytest.skip(f"shared corpus not found at {DEV_CORPUS}")
    result = evaluate_time(DEV_CORPUS)
    assert result.total >= 400
    assert result.errors().get("evidence not found", 0) == 0
    assert result.accuracy >= MINIMUMS["time"]["accuracy"], (result.accuracy, result.errors())
