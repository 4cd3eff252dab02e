"""Tone over time: per province and month, how much the reports tell of inducement (forgiveness,
"last chance", rewards) and how much of coercion ("merciless", camps, executions).

A shift, such as a summer of "last chance" lectures turning into a winter of "merciless"
orders, shows as the balance moving from one side to the other. Each report counts in the
month it was published and in every province its events are placed in; its cues are the ones
its tone rests on (the quoted words kept with its analysis).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from nkwatch.store.base import Store


@dataclass(frozen=True, slots=True)
class TonePoint:
    """One province in one month."""

    admin1: str
    month: str  # YYYY-MM
    reports: int
    inducement: int  # cues of inducement in those reports
    coercion: int  # cues of coercion
    tones: dict[str, int]  # reports per tone label

    @property
    def balance(self) -> float | None:
        """From -1 (all coercion) to +1 (all inducement); None without cues."""
        total = self.inducement + self.coercion
        return None if total == 0 else round((self.inducement - self.coercion) / total, 3)

    def as_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {"admin1": self.admin1, "month": self.month, "reports": self.reports,
                "inducement": self.inducement, "coercion": self.coercion,
                "balance": self.balance, "tones": self.tones}  # fmt: skip


def tone_series(
    store: Store, *, admin1: str | None = None, since: str | None = None, until: str | None = None
) -> list[TonePoint]:
    """Return the tone series, by province then month."""
    snapshot = store.event_snapshot()
    if snapshot is not None:  # the web app's events in memory: no scan of the events
        return [TonePoint(*row) for row in snapshot.tone_series(admin1 or None, since, until)]
    where, params = ["d.superseded_by IS NULL", "d.published IS NOT NULL"], []
    if admin1:
        where.append("p.admin1 = ?")
        params.append(admin1)
    if since:
        where.append("d.published >= ?")
        params.append(since)
    if until:
        where.append("d.published <= ?")
        params.append(until + "~")
    rows = store.conn.execute(
        "SELECT p.admin1, substr(d.published, 1, 7), a.tone, a.tone_evidence FROM analyses a"
        " JOIN documents d ON d.id = a.doc_id"
        " JOIN (SELECT DISTINCT doc_id, admin1 FROM events WHERE admin1 IS NOT NULL) p"
        " ON p.doc_id = a.doc_id WHERE " + " AND ".join(where),
        params,
    ).fetchall()
    cells: dict[tuple[str, str], list[Any]] = {}
    for province, month, tone, evidence in rows:
        cell = cells.setdefault((province, month), [0, 0, 0, {}])
        cues = json.loads(evidence or "{}")
        cell[0] += 1
        cell[1] += len(cues.get("inducement") or [])
        cell[2] += len(cues.get("coercion") or [])
        cell[3][tone] = cell[3].get(tone, 0) + 1
    return [
        TonePoint(province, month, c[0], c[1], c[2], dict(sorted(c[3].items())))
        for (province, month), c in sorted(cells.items())
    ]


__all__ = ["TonePoint", "tone_series"]
