"""How well events are linked into incidents, on pairs built from an annotated corpus.

No annotated corpus says which events of different reports are one real event, so the test set
is built from one (``gold.jsonl`` and ``meta.jsonl``, codebook §9) by telling its events again,
the ways other reports tell them:

- **syndicated copies**: another outlet republishes a report a day or three later, a word
  dropped here and there (one event, twice);
- **restatements**: another outlet tells a report's events a week or more later, in fewer of
  the same words, dated only to the week, the county left out or the actor only "the
  authorities", and sometimes with another number (one event, told differently);
- **distractors**: another event of the same type in the same place a few days apart, acting on
  other people, in other words (two events).

Each report becomes a stored report whose body is its evidence quotes and whose events are its
gold events (no extraction: this measures linking alone). Reports are linked in publication
order, as they would arrive. A pair of events is scored when at least one of them was built;
it is one incident in truth when both tell the same gold event. Pairs of the corpus's own
events are left out: the corpus does not say which of them are one event.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from nkwatch.ingest import ingest
from nkwatch.model import Analysis, Event, TimeSpan
from nkwatch.store.base import Store

_GENERIC = {"AUTHORITIES", "RESIDENTS", None}


@dataclass
class Built:
    """A report of the test set: its metadata, its events and the gold event each tells."""

    doc_id: str
    published: str
    outlet: str
    language: str
    events: list[dict[str, Any]]
    origins: list[str]  # per event: the id of the gold event it tells
    kind: str  # corpus, copy, restatement, distractor


@dataclass
class LinkScores:
    """Pairwise precision, recall and F1, overall and per kind of built report."""

    true_positive: int = 0
    predicted: int = 0
    gold: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _shift(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day[:10]) + dt.timedelta(days=days)).isoformat()


def _fewer_words(text: str, rng: random.Random, keep: float) -> str:
    words = text.split()
    kept = [w for w in words if rng.random() < keep] or words[:3]
    return " ".join(kept)


def build(corpus: Path, seed: int = 7) -> list[Built]:
    """Return the corpus's reports and the reports built from them."""
    rng = random.Random(seed)
    meta = {
        m["doc_id"]: m
        for m in map(json.loads, (corpus / "meta.jsonl").read_text("utf-8").splitlines())
    }
    gold = [json.loads(line) for line in (corpus / "gold.jsonl").read_text("utf-8").splitlines()
            if line.strip()]  # fmt: skip
    reports: list[Built] = []
    for g in gold:
        published = meta.get(g["doc_id"], {}).get("published") or g.get("published")
        if not published or not g["events"]:
            continue
        events = [dict(e) for e in g["events"]]
        origins = [f"{g['doc_id']}#{i}" for i in range(len(events))]
        language = g.get("language") or "en"
        outlet = meta.get(g["doc_id"], {}).get("outlet") or "corpus"
        reports.append(Built(g["doc_id"], published, outlet, language, events, origins, "corpus"))
    base = list(reports)
    all_events = [(r, i) for r in base for i in range(len(r.events))]
    for n, report in enumerate(base):
        if n % 4 == 0:  # a syndicated copy
            events = [{**e, "evidence": _fewer_words(e["evidence"], rng, 0.95)}
                      for e in report.events]  # fmt: skip
            published = _shift(report.published, rng.randint(1, 3))
            copy = Built(f"{report.doc_id}-copy", published, "Syndicator", report.language,
                         events, report.origins, "copy")  # fmt: skip
            reports.append(copy)
        if n % 3 == 0:  # a restatement, weeks later
            events, origins = [], []
            for e, origin in zip(report.events, report.origins, strict=True):
                if e["modality"] == "background":
                    continue
                e = {**e, "evidence": _fewer_words(e["evidence"], rng, 0.5)}
                when = e.get("when")
                if when and when.get("precision") == "day" and rng.random() < 0.5:
                    e["when"] = {"start": _shift(when["start"], -3), "end": _shift(when["end"], 3),
                                 "precision": "week"}  # fmt: skip
                if e.get("admin2") and rng.random() < 0.4:
                    e["admin2"] = None
                if rng.random() < 0.25:
                    e["actor"] = "AUTHORITIES"
                if e.get("count") and rng.random() < 0.3:
                    e["count"] = e["count"] + rng.randint(1, 5)
                events.append(e)
                origins.append(origin)
            if events:
                reports.append(Built(f"{report.doc_id}-restated",
                                     _shift(report.published, rng.randint(5, 20)), "Restater",
                                     report.language, events, origins, "restatement"))  # fmt: skip
        if n % 3 == 1:  # different events of the same kind, same place, days apart
            events, origins = [], []
            for i, e in enumerate(report.events):
                when = e.get("when")
                if not when or not e.get("admin1") or e["modality"] == "background":
                    continue
                targets = sorted({x["target"] for x, _ in ((r.events[j], 0) for r, j in all_events)
                                  if x["type"] == e["type"] and x["target"] not in _GENERIC
                                  and x["target"] != e["target"]})  # fmt: skip
                if not targets:
                    continue
                other_report, j = rng.choice(all_events)
                while other_report is report:
                    other_report, j = rng.choice(all_events)
                days = rng.randint(3, 9)
                events.append({
                    **e, "target": rng.choice(targets),
                    "when": {"start": _shift(when["start"], days), "end": _shift(when["end"], days),
                             "precision": when["precision"]},
                    "evidence": other_report.events[j]["evidence"], "count": None,
                })  # fmt: skip
                origins.append(f"{report.doc_id}-distractor#{i}")
            if events:
                reports.append(Built(f"{report.doc_id}-distractor",
                                     _shift(report.published, rng.randint(3, 10)), "Other Outlet",
                                     report.language, events, origins, "distractor"))  # fmt: skip
    return sorted(reports, key=lambda r: (r.published, r.doc_id))


def load(store: Store, reports: list[Built], folder: Path) -> dict[str, int]:
    """Store the reports (bodies of their quotes) with their events; return their ids."""
    lines = []
    for r in reports:
        quotes = list(dict.fromkeys(e["evidence"] for e in r.events))
        lines.append(json.dumps({"doc_id": r.doc_id, "published": r.published, "outlet": r.outlet,
                                 "language": r.language, "title": r.doc_id,
                                 "text": "\n\n".join(quotes)}, ensure_ascii=False))  # fmt: skip
    path = folder / "linking.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = ingest(store, [str(path)])
    ids = {x.ext_id: x.id for x in result.stored + result.duplicates}
    for r in reports:
        if r.doc_id not in ids:
            continue
        with store.unredacted():
            body = store.get(ids[r.doc_id]).body
        events = []
        for e in r.events:
            start = body.find(e["evidence"])
            if start < 0:
                continue
            when = e.get("when")
            events.append(Event(
                type=e["type"], modality=e["modality"], evidence=e["evidence"],
                evidence_start=start, evidence_end=start + len(e["evidence"]),
                actor=e.get("actor"), target=e.get("target"), place=e.get("place"),
                admin1=e.get("admin1"), admin2=e.get("admin2"),
                when=TimeSpan(when["start"], when["end"], when["precision"]) if when else None,
                count=e.get("count"), penalty=e.get("penalty"), law=e.get("law"),
            ))  # fmt: skip
        store.save_analysis(
            Analysis(ids[r.doc_id], [], _distinct(events), "neutral", {}, "", "linking-eval")
        )
    return ids


def _distinct(events: list[Event]) -> list[Event]:
    seen, out = set(), []
    for e in events:
        key = (e.evidence_start, e.evidence_end, e.type)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def score(store: Store, reports: list[Built], ids: dict[str, int]) -> LinkScores:
    """Score the store's incidents on the built pairs."""
    origin: dict[tuple[int, int, int, str], tuple[str, str]] = {}
    with store.unredacted():
        for r in reports:
            if r.doc_id not in ids:
                continue
            body = store.get(ids[r.doc_id]).body
            for e, o in zip(r.events, r.origins, strict=True):
                start = body.find(e["evidence"])
                if start >= 0:
                    key = (ids[r.doc_id], start, start + len(e["evidence"]), e["type"])
                    origin.setdefault(key, (o, r.kind))
    incident_of = {
        (int(r[0]), int(r[1]), int(r[2]), r[3]): int(r[4])
        for r in store.conn.execute(
            "SELECT doc_id, evidence_start, evidence_end, type, incident_id FROM incident_events"
        ).fetchall()
    }
    scores = LinkScores()
    for (ka, (oa, kind_a)), (kb, (ob, kind_b)) in combinations(origin.items(), 2):
        if ka[0] == kb[0] or (kind_a == "corpus" and kind_b == "corpus"):
            continue
        kind = kind_b if kind_a == "corpus" else kind_a
        row = scores.by_kind.setdefault(kind, {"true_positive": 0, "predicted": 0, "gold": 0})
        same = oa == ob
        linked = incident_of.get(ka) is not None and incident_of.get(ka) == incident_of.get(kb)
        for counter in (row, None):
            if counter is None:
                scores.true_positive += same and linked
                scores.predicted += linked
                scores.gold += same
            else:
                counter["true_positive"] += same and linked
                counter["predicted"] += linked
                counter["gold"] += same
    return scores


def by_publication(reports: list[Built], ids: dict[str, int]) -> Iterator[int]:
    """Yield the stored ids in the order the reports were published (as they arrive)."""
    for r in reports:
        if r.doc_id in ids:
            yield ids[r.doc_id]


__all__ = ["Built", "LinkScores", "build", "by_publication", "load", "score"]
