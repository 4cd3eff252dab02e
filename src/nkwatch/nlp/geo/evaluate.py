"""Evaluate the places of events against an annotated corpus.

For every gold event, the evidence is located in the body and given a place by
:func:`place_for_span` exactly as the extractor gives one. ``admin1`` is scored on the events
whose gold has an ``admin1``, ``admin2`` on those with an ``admin2``; events whose gold has no
place are counted apart (a place given to them is a false placement).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nkwatch.corpus import load_corpus
from nkwatch.nlp.geo.assign import place_for_span
from nkwatch.nlp.gold import gold_evidence


@dataclass
class PlaceCase:
    """One gold event's place, and what the resolver gave it."""

    doc_id: str
    evidence: str
    gold: dict[str, str | None]
    predicted: dict[str, str | None]
    source: str
    mention: str | None
    sentence: str = ""

    def error(self, field_name: str) -> str | None:
        """Return None when ``field_name`` (admin1/admin2) is right, else the kind of error."""
        want, got = self.gold.get(field_name), self.predicted.get(field_name)
        if want is None:
            return None if got is None else "placed, gold has none"
        if got == want:
            return None
        if self.source == "none":
            return "no place found"
        if got is None:
            return (
                f"coarser ({self.source})"
                if self.predicted.get("admin1")
                else (f"no province ({self.source})")
            )
        return f"wrong unit ({self.source})"

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "doc_id": self.doc_id,
            "evidence": self.evidence,
            "gold": self.gold,
            "predicted": self.predicted,
            "source": self.source,
            "mention": self.mention,
            "sentence": self.sentence,
            "admin1_error": self.error("admin1"),
            "admin2_error": self.error("admin2"),
        }


@dataclass
class PlaceEvaluation:
    """Scores of admin1 and admin2 over the gold events that have them."""

    cases: list[PlaceCase] = field(default_factory=list)
    documents: int = 0

    def scored(self, field_name: str) -> list[PlaceCase]:
        """Return the cases whose gold has a value for ``field_name``."""
        return [c for c in self.cases if c.gold.get(field_name) is not None]

    def accuracy(self, field_name: str) -> float:
        """Return the share of scored cases right for ``field_name``."""
        cases = self.scored(field_name)
        return sum(c.error(field_name) is None for c in cases) / len(cases) if cases else 0.0

    def errors(self, field_name: str) -> Counter[str]:
        """Return the number of errors of each kind on ``field_name`` (scored cases)."""
        return Counter(e for c in self.scored(field_name) if (e := c.error(field_name)) is not None)

    def false_placements(self) -> int:
        """Return how many gold events without a province were given one."""
        return sum(
            1 for c in self.cases if c.gold.get("admin1") is None and c.predicted.get("admin1")
        )

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary with every case."""
        out: dict[str, Any] = {"documents": self.documents, "events": len(self.cases)}
        for name in ("admin1", "admin2"):
            cases = self.scored(name)
            out[name] = {
                "events": len(cases),
                "correct": sum(c.error(name) is None for c in cases),
                "accuracy": round(self.accuracy(name), 4),
                "errors": dict(self.errors(name)),
            }
        out["unplaced_events"] = sum(1 for c in self.cases if c.gold.get("admin1") is None)
        out["false_placements"] = self.false_placements()
        out["cases"] = [c.as_dict() for c in self.cases]
        return out


def evaluate_places(corpus: str | Path, *, language: str = "en") -> PlaceEvaluation:
    """Return the place evaluation of the ``language`` reports of an annotated corpus."""
    docs = [d for d in load_corpus(corpus) if d.language == language]
    result = PlaceEvaluation(documents=len(docs))
    for item in gold_evidence(docs, language):
        event, doc_id = item.event, item.document.doc_id
        gold = {"admin1": event.get("admin1"), "admin2": event.get("admin2")}
        if item.span is None:
            result.cases.append(PlaceCase(doc_id, event["evidence"], gold, {}, "none", None))
            continue
        doc = item.doc
        assigned = place_for_span(
            doc._.places, item.sentences, *item.span, text=item.document.body,
            report=doc._.report_place,
        )  # fmt: skip
        result.cases.append(
            PlaceCase(
                doc_id,
                event["evidence"],
                gold,
                {"admin1": assigned.admin1, "admin2": assigned.admin2},
                assigned.source,
                assigned.place,
                item.sentence,
            )
        )
    return result
