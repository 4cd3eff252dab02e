"""Incidents (one real event from many reports) and campaigns, as the store keeps them.

The rules that decide what is one incident are :mod:`nkwatch.incidents`'; here are the rows:
which events belong to which incident (keyed by report, evidence span and type, as reviews
are, so re-analysis keeps them), reviewers' splits and merges (pinned events, locked
incidents, each in the audit log), and campaigns.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from nkwatch.errors import NotFound, ReviewError

# The columns of an event the linker compares (see nkwatch.incidents.match).
LINK_COLUMNS = (
    "e.id, e.doc_id, e.type, e.modality, e.actor, e.target, e.admin1, e.admin2, e.when_start,"
    " e.when_end, e.when_precision, e.count, e.penalty_kind, e.penalty_max_years, e.evidence,"
    " e.evidence_start, e.evidence_end, e.place, d.published, d.outlet, d.language, d.ext_id"
)
_KEY_JOIN = (
    " JOIN incident_events ie ON ie.doc_id = e.doc_id AND ie.evidence_start = e.evidence_start"
    " AND ie.evidence_end = e.evidence_end AND ie.type = e.type"
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _day(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text[:10]) + dt.timedelta(days=days)).isoformat()


class IncidentMixin:
    """Incident and campaign methods of a store with a ``conn`` and a ``transaction``."""

    conn: Any

    def transaction(self) -> Any:  # pragma: no cover - provided by the store
        raise NotImplementedError

    # -- what the linker reads ----------------------------------------------------------------

    def unlinked_events(self, doc_ids: list[int]) -> list[dict[str, Any]]:
        """Return the events of current reports among ``doc_ids`` that belong to no incident,
        in publication order."""
        out: list[dict[str, Any]] = []
        for i in range(0, len(doc_ids), 500):
            chunk = doc_ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            out += [
                dict(r)
                for r in self.conn.execute(
                    f"SELECT {LINK_COLUMNS} FROM events e JOIN documents d ON d.id = e.doc_id"
                    " LEFT JOIN incident_events ie ON ie.doc_id = e.doc_id"
                    " AND ie.evidence_start = e.evidence_start"
                    " AND ie.evidence_end = e.evidence_end AND ie.type = e.type"
                    f" WHERE e.doc_id IN ({marks}) AND ie.incident_id IS NULL"
                    " AND d.superseded_by IS NULL",
                    chunk,
                ).fetchall()
            ]
        return sorted(out, key=lambda e: (e["published"] or "", e["doc_id"], e["evidence_start"]))

    def link_candidates(self, event: dict[str, Any], days: int) -> list[dict[str, Any]]:
        """Return the linked events (with their ``incident_id``) of other current reports that
        may tell the same real event as ``event``: the same type, a compatible province, and
        dates within ``days`` of its own (or of its report's publication when it has none)."""
        where = ["e.type = ?", "e.doc_id != ?", "d.superseded_by IS NULL"]
        params: list[Any] = [event["type"], event["doc_id"]]
        if event["admin1"]:
            where.append("(e.admin1 IS NULL OR e.admin1 = ?)")
            params.append(event["admin1"])
        if event["when_start"]:
            lo, hi = _day(event["when_start"], -days), _day(event["when_end"], days)
        elif event["published"]:
            lo, hi = _day(event["published"], -2 * days), _day(event["published"], days)
        else:
            return []
        where.append(
            "((e.when_start IS NOT NULL AND e.when_start <= ? AND e.when_end >= ?)"
            " OR (e.when_start IS NULL AND d.published >= ? AND d.published <= ?))"
        )
        params += [hi, lo, lo, hi]
        rows = self.conn.execute(
            f"SELECT {LINK_COLUMNS}, ie.incident_id FROM events e"
            " JOIN documents d ON d.id = e.doc_id" + _KEY_JOIN + " WHERE " + " AND ".join(where),
            params,
        ).fetchall()
        return [dict(r) for r in rows]

    def incidents_holding(self, incident_ids: list[int], doc_id: int) -> set[int]:
        """Return which of ``incident_ids`` already hold an event of report ``doc_id`` (an
        incident takes one event per report)."""
        if not incident_ids:
            return set()
        marks = ",".join("?" * len(incident_ids))
        rows = self.conn.execute(
            f"SELECT DISTINCT incident_id FROM incident_events WHERE doc_id = ?"
            f" AND incident_id IN ({marks})",
            (doc_id, *incident_ids),
        ).fetchall()
        return {int(r[0]) for r in rows}

    # -- what the linker writes ---------------------------------------------------------------

    def link_event(
        self, event: dict[str, Any], incident_id: int | None, score: float, why: list[str]
    ) -> int:
        """Put an event in an incident (a new one when ``incident_id`` is None); return the
        incident's id."""
        with self.transaction():
            if incident_id is None:
                incident_id = int(
                    self.conn.execute(
                        "INSERT INTO incidents (type, created_at) VALUES (?, ?) RETURNING id",
                        (event["type"], _now()),
                    ).fetchone()[0]
                )
            self.conn.execute(
                "INSERT INTO incident_events (doc_id, evidence_start, evidence_end, type,"
                " incident_id, score, why) VALUES (?,?,?,?,?,?,?)",
                (event["doc_id"], event["evidence_start"], event["evidence_end"],
                 event["type"], incident_id, score, json.dumps(why, ensure_ascii=False)),
            )  # fmt: skip
        return incident_id

    def prune_incidents(self, doc_ids: list[int]) -> None:
        """Forget the incident places of events that ``doc_ids`` no longer have (a report
        analysed again, or replaced by a revision), then incidents left empty."""
        with self.transaction():
            for doc_id in doc_ids:
                self.conn.execute(
                    "DELETE FROM incident_events WHERE doc_id = ? AND NOT EXISTS (SELECT 1"
                    " FROM events e JOIN documents d ON d.id = e.doc_id WHERE e.doc_id ="
                    " incident_events.doc_id AND e.evidence_start = incident_events.evidence_start"
                    " AND e.evidence_end = incident_events.evidence_end"
                    " AND e.type = incident_events.type AND d.superseded_by IS NULL)",
                    (doc_id,),
                )
            self.conn.execute(
                "DELETE FROM incidents WHERE NOT EXISTS (SELECT 1 FROM incident_events ie"
                " WHERE ie.incident_id = incidents.id)"
            )

    # -- reading incidents --------------------------------------------------------------------

    def incident_events(self, incident_id: int) -> list[dict[str, Any]]:
        """Return the events of an incident (as the linker compares them) with their link's
        score, reasons and whether a reviewer pinned them, earliest report first."""
        rows = self.conn.execute(
            f"SELECT {LINK_COLUMNS}, ie.score AS link_score, ie.why, ie.pinned,"
            " d.url, d.title FROM events e JOIN documents d ON d.id = e.doc_id" + _KEY_JOIN
            + " WHERE ie.incident_id = ? AND d.superseded_by IS NULL"
            " ORDER BY d.published, e.doc_id, e.evidence_start",
            (incident_id,),
        ).fetchall()  # fmt: skip
        out = []
        for r in rows:
            item = dict(r)
            item["why"] = json.loads(item["why"])
            item["pinned"] = bool(item["pinned"])
            out.append(item)
        return out

    def incident_row(self, incident_id: int) -> dict[str, Any]:
        """Return an incident's own row; raise NotFound when there is none."""
        row = self.conn.execute(
            "SELECT id, type, locked, created_at FROM incidents WHERE id = ?", (incident_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no incident {incident_id}", location=f"incident {incident_id}")
        return dict(row)

    def incident_ids(
        self, *, min_reports: int = 1, type: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[int]:
        """Return incident ids told by at least ``min_reports`` reports, most reports first."""
        where: str = ""
        params: list[Any] = [min_reports]
        if type:
            where = " AND i.type = ?"
            params = [type, min_reports]
        rows = self.conn.execute(
            "SELECT i.id FROM incidents i JOIN incident_events ie ON ie.incident_id = i.id"
            " JOIN documents d ON d.id = ie.doc_id WHERE d.superseded_by IS NULL" + where
            + " GROUP BY i.id HAVING count(DISTINCT ie.doc_id) >= ?"
            " ORDER BY count(DISTINCT ie.doc_id) DESC, i.id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ).fetchall()  # fmt: skip
        return [int(r[0]) for r in rows]

    def incident_of_event(self, event_id: int) -> int | None:
        """Return the incident an event belongs to, or None."""
        row = self.conn.execute(
            "SELECT ie.incident_id FROM events e" + _KEY_JOIN + " WHERE e.id = ?", (event_id,)
        ).fetchone()
        return None if row is None else int(row[0])

    def source_groups(self, doc_ids: list[int]) -> list[list[int]]:
        """Return ``doc_ids`` grouped into independent sources: reports of one outlet, its
        near-duplicates (syndicated copies) and the same report in another language are one."""
        parent = {d: d for d in doc_ids}

        def root(d: int) -> int:
            while parent[d] != d:
                parent[d] = parent[parent[d]]
                d = parent[d]
            return d

        if not doc_ids:
            return []
        marks = ",".join("?" * len(doc_ids))
        pairs = self.conn.execute(
            f"SELECT doc_id, other_id FROM near_duplicates WHERE doc_id IN ({marks})"
            f" AND other_id IN ({marks}) UNION SELECT doc_id, other_id FROM translations"
            f" WHERE doc_id IN ({marks}) AND other_id IN ({marks})",
            (*doc_ids, *doc_ids, *doc_ids, *doc_ids),
        ).fetchall()
        outlets: dict[str, int] = {}
        for doc_id, outlet in self.conn.execute(
            f"SELECT id, lower(outlet) FROM documents WHERE id IN ({marks})", doc_ids
        ).fetchall():
            if outlet:
                pairs.append((doc_id, outlets.setdefault(outlet, doc_id)))
        for a, b in pairs:
            parent[root(int(a))] = root(int(b))
        groups: dict[int, list[int]] = {}
        for d in doc_ids:
            groups.setdefault(root(d), []).append(d)
        return sorted(groups.values())

    # -- a reviewer's word --------------------------------------------------------------------

    def merge_incidents(self, keep: int, other: int, who: str, note: str | None = None) -> None:
        """Move every event of ``other`` into ``keep`` (pinned), delete ``other``, lock
        ``keep``, and log it."""
        if keep == other:
            raise ReviewError("an incident cannot be merged with itself", field="incident")
        self.incident_row(keep), self.incident_row(other)
        with self.transaction():
            self.conn.execute(
                "UPDATE incident_events SET incident_id = ?, pinned = 1 WHERE incident_id = ?",
                (keep, other),
            )
            self.conn.execute("UPDATE incidents SET locked = 1 WHERE id = ?", (keep,))
            self.conn.execute(
                "UPDATE campaign_incidents SET incident_id = ? WHERE incident_id = ? AND NOT"
                " EXISTS (SELECT 1 FROM campaign_incidents c WHERE c.incident_id = ?"
                " AND c.campaign_id = campaign_incidents.campaign_id)",
                (keep, other, keep),
            )
            self.conn.execute("DELETE FROM incidents WHERE id = ?", (other,))
            self._log_incident(who, "incident merge", {"kept": keep, "merged": other, "note": note})

    def split_incident(
        self, incident_id: int, event_ids: list[int], who: str, note: str | None = None
    ) -> int:
        """Move the events ``event_ids`` of an incident into a new incident (pinned, both
        locked), log it, and return the new incident's id."""
        row = self.incident_row(incident_id)
        keys = []
        for event_id in event_ids:
            key = self.conn.execute(
                "SELECT e.doc_id, e.evidence_start, e.evidence_end, e.type FROM events e"
                + _KEY_JOIN + " WHERE e.id = ? AND ie.incident_id = ?",
                (event_id, incident_id),
            ).fetchone()  # fmt: skip
            if key is None:
                raise ReviewError(
                    f"event {event_id} is not in incident {incident_id}", field="events"
                )
            keys.append(tuple(key))
        total = self.conn.execute(
            "SELECT count(*) FROM incident_events WHERE incident_id = ?", (incident_id,)
        ).fetchone()[0]
        if not keys or len(set(keys)) >= int(total):
            raise ReviewError(
                "a split moves some of an incident's events, not none or all", field="events"
            )
        with self.transaction():
            new_id = int(
                self.conn.execute(
                    "INSERT INTO incidents (type, locked, created_at) VALUES (?, 1, ?)"
                    " RETURNING id",
                    (row["type"], _now()),
                ).fetchone()[0]
            )
            for key in keys:
                self.conn.execute(
                    "UPDATE incident_events SET incident_id = ?, pinned = 1 WHERE doc_id = ?"
                    " AND evidence_start = ? AND evidence_end = ? AND type = ?",
                    (new_id, *key),
                )
            self.conn.execute(
                "UPDATE incident_events SET pinned = 1 WHERE incident_id = ?", (incident_id,)
            )
            self.conn.execute("UPDATE incidents SET locked = 1 WHERE id = ?", (incident_id,))
            self._log_incident(
                who, "incident split",
                {"from": incident_id, "new": new_id, "events": event_ids, "note": note},
            )  # fmt: skip
        return new_id

    def _log_incident(self, who: str, action: str, what: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO audit_log (at, who, action, after) VALUES (?, ?, ?, ?)",
            (_now(), who, action, json.dumps(what, ensure_ascii=False)),
        )

    # -- campaigns ----------------------------------------------------------------------------

    def create_campaign(self, name: str, who: str, note: str | None = None) -> int:
        """Create a campaign; return its id."""
        if not name.strip():
            raise ReviewError("a campaign needs a name", field="name")
        with self.transaction():
            if self.conn.execute("SELECT 1 FROM campaigns WHERE name = ?", (name,)).fetchone():
                raise ReviewError(f"there is already a campaign {name!r}", field="name")
            campaign_id = int(
                self.conn.execute(
                    "INSERT INTO campaigns (name, note, created_by, created_at)"
                    " VALUES (?, ?, ?, ?) RETURNING id",
                    (name, note, who, _now()),
                ).fetchone()[0]
            )
            self._log_incident(who, "campaign create", {"campaign": campaign_id, "name": name})
        return campaign_id

    def add_to_campaign(self, campaign_id: int, incident_ids: list[int], who: str) -> None:
        """Put incidents in a campaign (and log it)."""
        if (
            self.conn.execute("SELECT 1 FROM campaigns WHERE id = ?", (campaign_id,)).fetchone()
            is None
        ):
            raise NotFound(f"no campaign {campaign_id}", location=f"campaign {campaign_id}")
        for incident_id in incident_ids:
            self.incident_row(incident_id)
        with self.transaction():
            for incident_id in incident_ids:
                self.conn.execute(
                    "DELETE FROM campaign_incidents WHERE campaign_id = ? AND incident_id = ?",
                    (campaign_id, incident_id),
                )
                self.conn.execute(
                    "INSERT INTO campaign_incidents (campaign_id, incident_id) VALUES (?, ?)",
                    (campaign_id, incident_id),
                )
            self._log_incident(
                who, "campaign add", {"campaign": campaign_id, "incidents": incident_ids}
            )

    def campaigns(self) -> list[dict[str, Any]]:
        """Return the campaigns with their incidents' ids."""
        out = []
        for r in self.conn.execute(
            "SELECT id, name, note, created_by, created_at FROM campaigns ORDER BY id"
        ).fetchall():
            item = dict(r)
            item["incidents"] = [
                int(x[0])
                for x in self.conn.execute(
                    "SELECT incident_id FROM campaign_incidents WHERE campaign_id = ?"
                    " ORDER BY incident_id",
                    (r["id"],),
                ).fetchall()
            ]
            out.append(item)
        return out

    def campaign_event_ids(self, campaign_id: int) -> list[int]:
        """Return the ids of the events of a campaign's incidents (for the timeline)."""
        return [
            int(r[0])
            for r in self.conn.execute(
                "SELECT e.id FROM events e" + _KEY_JOIN + " JOIN campaign_incidents c"
                " ON c.incident_id = ie.incident_id WHERE c.campaign_id = ?",
                (campaign_id,),
            ).fetchall()
        ]


__all__ = ["LINK_COLUMNS", "IncidentMixin"]
