"""Evaluate the time of events against an annotated corpus.

For every gold event with a ``when``, the evidence is located in the body and given a time
by :func:`time_for_span` exactly as the extractor gives one; it is correct when the interval
overlaps the gold interval and its precision is the same or finer (codebook §10).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nkwatch.corpus import load_corpus
from nkwatch.model import TimeSpan
from nkwatch.nlp.gold import gold_evidence
from nkwatch.nlp.temporal.assign import time_for_span
from nkwatch.nlp.temporal.calendar import PRECISION_RANK


@dataclass
class TimeCase:
    """One gold event's time, and what the tagger gave it."""

    doc_id: str
    evidence: str
    gold: dict[str, str]
    predicted: dict[str, str] | None
    source: str
    expression: str | None
    error: str | None
    published: str | None = None
    sentence: str = ""  # the sentence holding the evidence, for other taggers to be run on

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "doc_id": self.doc_id,
            "evidence": self.evidence,
            "gold": self.gold,
            "predicted": self.predicted,
            "source": self.source,
            "expression": self.expression,
            "error": self.error,
            "published": self.published,
            "sentence": self.sentence,
        }


@dataclass
class TimeEvaluation:
    """Scores over the gold events that have a time."""

    cases: list[TimeCase] = field(default_factory=list)
    documents: int = 0

    @property
    def total(self) -> int:
        """Return the number of gold events with a ``when``."""
        return len(self.cases)

    @property
    def correct(self) -> int:
        """Return how many were given an overlapping interval, same or finer precision."""
        return sum(1 for c in self.cases if c.error is None)

    @property
    def accuracy(self) -> float:
        """Return the share correct."""
        return self.correct / self.total if self.total else 0.0

    def errors(self) -> Counter[str]:
        """Return the number of cases of each error kind."""
        return Counter(c.error for c in self.cases if c.error is not None)

    def by_source(self) -> dict[str, tuple[int, int]]:
        """Return (correct, total) per source of the time (clause, sentence, context, none)."""
        out: dict[str, tuple[int, int]] = {}
        for c in self.cases:
            ok, n = out.get(c.source, (0, 0))
            out[c.source] = (ok + (c.error is None), n + 1)
        return out

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary with every case."""
        return {
            "documents": self.documents,
            "events_with_time": self.total,
            "correct": self.correct,
            "accuracy": round(self.accuracy, 4),
            "errors": dict(self.errors()),
            "by_source": {k: {"correct": a, "total": b} for k, (a, b) in self.by_source().items()},
            "cases": [c.as_dict() for c in self.cases],
        }


def judge(predicted: TimeSpan | None, gold: dict[str, str]) -> str | None:
    """Return None when ``predicted`` is right for ``gold``, else the kind of error."""
    if predicted is None:
        return "no time"
    want = TimeSpan(gold["start"], gold["end"], gold["precision"])
    if not predicted.overlaps(want):
        return "no overlap"
    if PRECISION_RANK[predicted.precision] > PRECISION_RANK[want.precision]:
        return "coarser precision"
    return None


def evaluate_time(corpus: str | Path, *, language: str = "en") -> TimeEvaluation:
    """Return the time evaluation of the ``language`` reports of an annotated corpus."""
    docs = [d for d in load_corpus(corpus) if d.language == language]
    result = TimeEvaluation(documents=len(docs))
    for item in gold_evidence(docs, language):
        event, annotated = item.event, item.document
        if not event.get("when"):
            continue
        if item.span is None:
            result.cases.append(
                TimeCase(
                    annotated.doc_id,
                    event["evidence"],
                    event["when"],
                    None,
                    "none",
                    None,
                    "evidence not found",
                    annotated.published,
                )
            )
            continue
        assigned = time_for_span(
            annotated.body, item.doc._.times, item.sentences, *item.span,
            event_type=event.get("type"),
        )  # fmt: skip
        result.cases.append(
            TimeCase(
                annotated.doc_id,
                event["evidence"],
                event["when"],
                assigned.span.as_dict() if assigned.span else None,
                assigned.source,
                assigned.expression.text if assigned.expression else None,
                judge(assigned.span, event["when"]),
                annotated.published,
                item.sentence,
            )
        )
    return result
