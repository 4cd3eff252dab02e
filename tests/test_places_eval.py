"""The evaluation gate for places: the share of gold events whose quote resolves to the gold
province and county on the annotated development corpus may not fall below
tests/data/minimums.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from nkwatch.nlp.geo.evaluate import PlaceCase, evaluate_places

from .conftest import DEV_CORPUS, in_ci

MINIMUMS = tomllib.loads((Path(__file__).parent / "data" / "minimums.toml").read_text("utf-8"))


def test_errors_are_named_by_kind() -> None:
    gold = {"admin1": "KP-10", "admin2": "혜산시"}
    right = PlaceCase("d", "q", gold, {"admin1": "KP-10", "admin2": "혜산시"}, "span", "Hyesan")
    assert right.error("admin1") is None and right.error("admin2") is None
    coarse = PlaceCase("d", "q", gold, {"admin1": "KP-10", "admin2": None}, "report", None)
    assert coarse.error("admin2") == "coarser (report)"
    wrong = PlaceCase("d", "q", gold, {"admin1": "KP-09", "admin2": "회령시"}, "sentence", "x")
    assert wrong.error("admin1") == "wrong unit (sentence)"
    none = PlaceCase("d", "q", {"admin1": None, "admin2": None}, {"admin1": "KP-10"}, "span", "x")
    assert none.error("admin1") == "placed, gold has none"


@pytest.mark.shared
def test_place_accuracy_on_the_dev_corpus_meets_the_minimums() -> None:
    if not DEV_CORPUS.is_dir():
        if in_ci():
            raise RuntimeError(f"CI must have the shared corpus at {DEV_CORPUS}")
        pytest.skip(f"shared corpus not found at {DEV_CORPUS}")
    result = evaluate_places(DEV_CORPUS)
    assert len(result.scored("admin1")) >= 450 and len(result.scored("admin2")) >= 380
    for field in ("admin1", "admin2"):
        accuracy = result.accuracy(field)
        assert accuracy >= MINIMUMS["places"][field], (field, accuracy, result.errors(field))
