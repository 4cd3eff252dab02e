"""One real event from many reports: linking events into incidents, and where reports disagree.

The same arrest is told by several outlets, weeks apart, with different numbers; counting
reports would count it many times. An **incident** is one real event with all the reports that
tell it. Events are linked as their reports are analysed (incrementally): an event joins the
incident whose events it matches best, if the match is strong enough, else it starts one.

Two events match (:func:`match`) when they are of the same type and of compatible modality
(what happened, or what was ordered or threatened), from different reports, and

- their times overlap (within :data:`DAYS` days either side; a report without a date for the
  event is placed by its publication date),
- their places agree: the same county, or a county within the same province, or the province
  only (different provinces never match),
- their actors and targets agree, or one of them is generic (the authorities, residents),
- and, in the same language, their quotes share words.

Each agreement adds to a score with a reason, so every link says why it was made; a reviewer can
split or merge incidents, and the linker then leaves those events as the reviewer left them.

Where the reports of an incident disagree on a count, a date, a county or a penalty, the
incident shows each value with its sources (:func:`contradictions`), rather than picking one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from nkwatch.store.base import Store

DAYS = 14  # how far apart two reports' dates for one event may be
LINK_AT = 0.6  # the score an event needs to join an incident
WEIGHTS = {"time": 0.3, "place": 0.25, "actor": 0.15, "target": 0.1, "words": 0.2}
_OCCURRED = {"asserted", "background"}  # what happened; planned/threatened: what was announced
_GENERIC_ACTORS = {None, "AUTHORITIES", "UNKNOWN"}
_GENERIC_TARGETS = {None, "RESIDENTS", "UNKNOWN"}
_WORD = re.compile(r"[^\W\d_]{4,}")
_STOP = set(
    "that this with from were have been their they said source sources told which when also "
    "there about after into than more most some such other over under according would could "
    "will those these them while where being".split()
)


def _words(text: str) -> set[str]:
    return {w for w in (m.lower() for m in _WORD.findall(text)) if w not in _STOP}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def _interval(event: dict[str, Any]) -> tuple[dt.date, dt.date, bool] | None:
    """Return the event's dates, and whether they are its own (False: its report's date)."""
    if event.get("when_start"):
        return _date(event["when_start"]), _date(event["when_end"]), True
    if event.get("published"):
        day = _date(event["published"])
        return day - dt.timedelta(days=DAYS), day, False
    return None


def match(a: dict[str, Any], b: dict[str, Any]) -> tuple[float, list[str]]:
    """Return how surely two events (as :meth:`Store.link_candidates` gives them) are one real
    event, 0 to 1, and why; 0 when they cannot be."""
    if a["type"] != b["type"] or a["doc_id"] == b["doc_id"]:
        return 0.0, []
    if (a["modality"] in _OCCURRED) != (b["modality"] in _OCCURRED):
        return 0.0, ["one happened, the other was announced"]
    reasons: list[str] = [f"both {a['type']}"]
    ia, ib = _interval(a), _interval(b)
    if ia is None or ib is None:
        return 0.0, [*reasons, "no date to compare"]
    gap = max((ib[0] - ia[1]).days, (ia[0] - ib[1]).days, 0)
    if gap > DAYS:
        return 0.0, [*reasons, f"{gap} days apart"]
    own = ia[2] and ib[2]
    broad = max((ia[1] - ia[0]).days, (ib[1] - ib[0]).days) > 60  # "in 2019", "last year"
    time = (0.6 if gap or broad else 1.0) * (1.0 if own else 0.7)
    reasons.append(
        ("dates overlap" if gap == 0 else f"dates {gap} days apart")
        + (" (one only to the season or year)" if broad else "")
        + ("" if own else " (by publication date)")
    )
    # What speaks against one event weighs more than what speaks for it: the same kind of
    # event in the same place and month is common; the same event with another target is not.
    against = 1.0
    if a["admin1"] and b["admin1"] and a["admin1"] != b["admin1"]:
        return 0.0, [*reasons, "different provinces"]
    if a["admin1"] and a["admin1"] == b["admin1"]:
        if a["admin2"] and b["admin2"]:
            same = a["admin2"] == b["admin2"]
            place = 1.0 if same else 0.0
            against *= 1.0 if same else 0.8
            reasons.append(f"same county {a['admin2']}" if same else "different counties")
        elif a["admin2"] or b["admin2"]:
            place = 0.7
            reasons.append(f"county {a['admin2'] or b['admin2']} within {a['admin1']}")
        else:
            place = 0.6
            reasons.append(f"same province {a['admin1']}")
    else:
        place = 0.3
        reasons.append("a place in one report only")
    actor = _agree(a["actor"], b["actor"], _GENERIC_ACTORS, "actor", reasons)
    target = _agree(a["target"], b["target"], _GENERIC_TARGETS, "target", reasons)
    against *= 0.85 if actor == 0 else 1.0
    against *= 0.8 if target == 0 else 1.0
    total = WEIGHTS["time"] * time + WEIGHTS["place"] * place
    total += WEIGHTS["actor"] * actor + WEIGHTS["target"] * target
    weight = WEIGHTS["time"] + WEIGHTS["place"] + WEIGHTS["actor"] + WEIGHTS["target"]
    if (a.get("language") or "en") == (b.get("language") or "en"):
        wa, wb = _words(a["evidence"]), _words(b["evidence"])
        if wa and wb:
            share = len(wa & wb) / min(len(wa), len(wb))
            total += WEIGHTS["words"] * min(1.0, share * 1.5)
            weight += WEIGHTS["words"]
            reasons.append(f"quotes share {len(wa & wb)} words")
    return round(against * total / weight, 3), reasons


def _agree(x: str | None, y: str | None, generic: set[str | None], name: str,
           reasons: list[str]) -> float:  # fmt: skip
    if x == y and x not in generic:
        reasons.append(f"same {name} {x}")
        return 1.0
    if x in generic or y in generic:
        return 0.6
    reasons.append(f"different {name}s")
    return 0.0


def link_events(store: Store, doc_ids: Iterable[int]) -> int:
    """Link the events of the reports ``doc_ids`` (just analysed) into incidents; return how
    many were put in an incident another report already tells."""
    ids = list(doc_ids)
    if not ids:
        return 0
    store.prune_incidents(ids)
    joined = 0
    with store.unredacted():  # quotes are compared as written
        for event in store.unlinked_events(ids):
            best: tuple[float, int | None, list[str]] = (0.0, None, [])
            scores: dict[int, tuple[float, list[str]]] = {}
            for other in store.link_candidates(event, DAYS):
                incident = int(other["incident_id"])
                score, why = match(event, other)
                if score > scores.get(incident, (0.0, []))[0]:
                    scores[incident] = (score, [f"with {other['ext_id']}: " + "; ".join(why)])
            taken = store.incidents_holding(list(scores), event["doc_id"])
            for incident, (score, why) in scores.items():
                if incident not in taken and score >= LINK_AT and score > best[0]:
                    best = (score, incident, why)
            if best[1] is not None:
                store.link_event(event, best[1], best[0], best[2])
                joined += 1
            else:
                store.link_event(event, None, 1.0, ["first report of it"])
    return joined


# -- an incident as shown ----------------------------------------------------------------------


@dataclass
class Incident:
    """One real event: its reports' events, its independent sources, and disagreements."""

    id: int
    type: str
    locked: bool
    events: list[dict[str, Any]]
    sources: int  # independent outlets: syndicated copies and translations count once
    contradictions: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return JSON-ready data (quotes as the store returned them)."""
        reports = sorted({e["ext_id"] for e in self.events})
        dates = sorted(e["when_start"] for e in self.events if e.get("when_start"))
        return {
            "id": self.id, "type": self.type, "locked": self.locked, "reports": reports,
            "independent_sources": self.sources,
            "admin1": sorted({e["admin1"] for e in self.events if e["admin1"]}),
            "first_date": dates[0] if dates else None,
            "events": [
                {"id": e["id"], "report": e["ext_id"], "published": e["published"],
                 "outlet": e["outlet"], "modality": e["modality"], "actor": e["actor"],
                 "target": e["target"], "admin1": e["admin1"], "admin2": e["admin2"],
                 "when": {"start": e["when_start"], "end": e["when_end"]}
                 if e["when_start"] else None,
                 "count": e["count"], "evidence": e["evidence"], "link_score": e["link_score"],
                 "why": e["why"], "pinned": e["pinned"]}
                for e in self.events
            ],
            "contradictions": self.contradictions,
        }  # fmt: skip


def incident(store: Store, incident_id: int) -> Incident:
    """Return an incident with its events (quotes redacted unless names are shown), its
    number of independent sources and its contradictions."""
    row = store.incident_row(incident_id)
    events = store.incident_events(incident_id)
    redacted = {e["id"]: e for e in _shown(store, events)}
    for e in events:
        e["evidence"] = redacted[e["id"]]["evidence"]
        e["title"] = redacted[e["id"]].get("title")
    groups = store.source_groups(sorted({e["doc_id"] for e in events}))
    return Incident(row["id"], row["type"], bool(row["locked"]), events, len(groups),
                    contradictions(events))  # fmt: skip


def _shown(store: Store, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the events as the store shows them (private names redacted unless shown)."""
    return [store.event(e["id"]) for e in events]


def _penalty(e: dict[str, Any]) -> str | None:
    if not e["penalty_kind"]:
        return None
    years = e["penalty_max_years"]
    return f"{e['penalty_kind']}" + (f" {years:g} years" if years else "")


def _day_date(e: dict[str, Any]) -> str | None:
    return e["when_start"] if e.get("when_precision") == "day" else None


_FIELDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "count": lambda e: e["count"],
    "date": _day_date,
    "county": lambda e: e["admin2"],
    "penalty": _penalty,
}


def contradictions(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the fields on which an incident's reports disagree: for each, every value with
    the reports that give it (a field one report leaves out is no disagreement)."""
    out = []
    for name, value_of in _FIELDS.items():
        if name == "county" and events and events[0]["type"] == "LEGISLATION":
            continue  # a law is national: where a report mentions it is not where it is
        values: dict[str, set[str]] = {}
        for e in events:
            value = value_of(e)
            if value is not None:
                values.setdefault(str(value), set()).add(e["ext_id"])
        reports = {r for rs in values.values() for r in rs}
        if len(values) > 1 and len(reports) > 1:
            out.append({
                "field": name,
                "values": [{"value": v, "reports": sorted(rs)} for v, rs in sorted(values.items())],
            })  # fmt: skip
    return out


def open_contradictions(store: Store, limit: int = 100) -> list[Incident]:
    """Return incidents told by several reports that disagree on something."""
    out = []
    for incident_id in store.incident_ids(min_reports=2, limit=10_000):
        found = incident(store, incident_id)
        if found.contradictions:
            out.append(found)
            if len(out) >= limit:
                break
    return out


__all__ = [
    "DAYS", "LINK_AT", "Incident", "contradictions", "incident", "link_events", "match",
    "open_contradictions",
]  # fmt: skip
