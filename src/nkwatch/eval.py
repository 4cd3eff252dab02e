"""The codebook's scorer (§10), used by ``nkwatch eval`` and the evaluation gate.

A predicted event matches a gold event of the same document when the types are equal and the
predicted evidence, located in the body, overlaps the location of the gold evidence or of one of
its ``also`` quotes by at least one character; each gold and predicted event is matched at most
once (greedily, in the predicted order, to the unmatched gold event it overlaps most). Event
precision, recall and F1 are over matched pairs; field accuracy over matched pairs in which the
gold or the prediction has a value; tone accuracy over documents.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from nkwatch.corpus import locate
from nkwatch.model import TimeSpan
from nkwatch.nlp.temporal.calendar import PRECISION_RANK

FIELDS = (
    "modality", "actor", "target", "admin1", "admin2", "when", "count", "penalty.kind",
    "law.article",
)  # fmt: skip


def field_value(event: dict[str, Any], name: str) -> Any:
    """Return an event's value for a scored field (``penalty.kind``: the penalty's kind)."""
    if "." in name:
        outer, inner = name.split(".")
        value = event.get(outer)
        return value.get(inner) if isinstance(value, dict) else None
    return event.get(name)


def when_correct(predicted: dict[str, str] | None, gold: dict[str, str] | None) -> bool:
    """Return True when the predicted interval overlaps the gold one at the same or finer
    precision (both None counts as right)."""
    if predicted is None or gold is None:
        return predicted is None and gold is None
    p = TimeSpan(predicted["start"], predicted["end"], predicted["precision"])
    g = TimeSpan(gold["start"], gold["end"], gold["precision"])
    return p.overlaps(g) and PRECISION_RANK[p.precision] <= PRECISION_RANK[g.precision]


@dataclass
class Match:
    """A matched pair, or an unmatched gold (missed) or predicted (spurious) event."""

    doc_id: str
    gold: dict[str, Any] | None
    predicted: dict[str, Any] | None


@dataclass
class Scores:
    """Everything the scorer measured."""

    matches: list[Match] = field(default_factory=list)
    tone_pairs: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    unlocated: list[tuple[str, str]] = field(default_factory=list)  # (doc, quote) not in body

    def counts(self, etype: str | None = None) -> tuple[int, int, int]:
        """Return (matched, predicted, gold) over all types or one."""
        ok = pred = gold = 0
        for m in self.matches:
            kind = (m.gold or m.predicted or {}).get("type")
            if etype is not None and kind != etype:
                continue
            ok += m.gold is not None and m.predicted is not None
            pred += m.predicted is not None
            gold += m.gold is not None
        return ok, pred, gold

    def prf(self, etype: str | None = None) -> tuple[float, float, float]:
        """Return precision, recall and F1."""
        ok, pred, gold = self.counts(etype)
        p = ok / pred if pred else 0.0
        r = ok / gold if gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def field_accuracy(self, name: str) -> tuple[int, int]:
        """Return (correct, scored) for a field over matched pairs where either side has it."""
        correct = total = 0
        for m in self.matches:
            if m.gold is None or m.predicted is None:
                continue
            g, p = field_value(m.gold, name), field_value(m.predicted, name)
            if g is None and p is None:
                continue
            total += 1
            correct += when_correct(p, g) if name == "when" else p == g
        return correct, total

    def tone_accuracy(self) -> tuple[int, int]:
        """Return (correct, documents) for the report's tone."""
        scored = [(g, p) for _, g, p in self.tone_pairs if g is not None]
        return sum(g == p for g, p in scored), len(scored)

    def types(self) -> list[str]:
        """Return the event types seen on either side, sorted."""
        return sorted({(m.gold or m.predicted or {}).get("type", "") for m in self.matches})

    def errors(self, name: str) -> list[Match]:
        """Return matched pairs wrong on ``name``."""
        out = []
        for m in self.matches:
            if m.gold is None or m.predicted is None:
                continue
            g, p = field_value(m.gold, name), field_value(m.predicted, name)
            if g is None and p is None:
                continue
            if not (when_correct(p, g) if name == "when" else p == g):
                out.append(m)
        return out

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary (and every unmatched event)."""
        p, r, f = self.prf()
        ok, pred, gold = self.counts()
        fields = {}
        for name in FIELDS:
            correct, total = self.field_accuracy(name)
            fields[name] = {
                "correct": correct,
                "scored": total,
                "accuracy": round(correct / total, 4) if total else None,
            }
        t_ok, t_n = self.tone_accuracy()
        return {
            "events": {"matched": ok, "predicted": pred, "gold": gold,
                       "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)},
            "fields": fields,
            "tone": {"correct": t_ok, "documents": t_n,
                     "accuracy": round(t_ok / t_n, 4) if t_n else None},
            "types": {
                t: dict(zip(("matched", "predicted", "gold"), self.counts(t), strict=True))
                | dict(zip(("precision", "recall", "f1"),
                           (round(x, 4) for x in self.prf(t)), strict=True))
                for t in self.types()
            },
            "missed": [{"doc_id": m.doc_id, **(m.gold or {})} for m in self.matches
                       if m.predicted is None],
            "spurious": [{"doc_id": m.doc_id, **(m.predicted or {})} for m in self.matches
                         if m.gold is None],
            "unlocated": [{"doc_id": d, "quote": q} for d, q in self.unlocated],
        }  # fmt: skip


def _spans(body: str, quotes: list[str]) -> list[tuple[int, int]]:
    return [span for q in quotes if (span := locate(body, q)) is not None]


def score(
    gold: dict[str, dict[str, Any]],
    predicted: dict[str, dict[str, Any]],
    bodies: dict[str, str],
) -> Scores:
    """Score predicted records against gold records, both in the codebook's format (§9),
    keyed by ``doc_id``; ``bodies`` holds each document's body (where quotes are located)."""
    scores = Scores()
    for doc_id, record in gold.items():
        body = bodies.get(doc_id, "")
        guess = predicted.get(doc_id, {})
        scores.tone_pairs.append((doc_id, record.get("tone"), guess.get("tone")))
        gold_events = record.get("events", [])
        gold_spans = []
        for g in gold_events:
            quotes = [g.get("evidence", ""), *(g.get("also") or [])]
            spans = _spans(body, quotes)
            if not spans:
                scores.unlocated.append((doc_id, g.get("evidence", "")))
            gold_spans.append(spans)
        used: set[int] = set()
        for p in guess.get("events", []):
            span = locate(body, p.get("evidence", ""))
            best, best_overlap = None, 0
            if span is not None:
                for i, g in enumerate(gold_events):
                    if i in used or g.get("type") != p.get("type"):
                        continue
                    overlap = max(
                        (min(span[1], e) - max(span[0], s) for s, e in gold_spans[i]), default=0
                    )
                    if overlap > best_overlap:
                        best, best_overlap = i, overlap
            else:
                scores.unlocated.append((doc_id, p.get("evidence", "")))
            if best is None:
                scores.matches.append(Match(doc_id, None, p))
            else:
                used.add(best)
                scores.matches.append(Match(doc_id, gold_events[best], p))
        scores.matches.extend(
            Match(doc_id, g, None) for i, g in enumerate(gold_events) if i not in used
        )
    return scores


def type_table(scores: Scores) -> list[dict[str, Any]]:
    """Return the per-type rows: matched, predicted, gold, precision, recall, F1."""
    rows = []
    for t in scores.types():
        ok, pred, gold = scores.counts(t)
        p, r, f = scores.prf(t)
        rows.append({"type": t, "matched": ok, "predicted": pred, "gold": gold,
                     "precision": p, "recall": r, "f1": f})  # fmt: skip
    return rows


def error_kinds(scores: Scores) -> Counter[str]:
    """Return how many events were missed and spurious, per type."""
    kinds: Counter[str] = Counter()
    for m in scores.matches:
        if m.predicted is None and m.gold is not None:
            kinds[f"missed {m.gold.get('type')}"] += 1
        elif m.gold is None and m.predicted is not None:
            kinds[f"spurious {m.predicted.get('type')}"] += 1
    return kinds
