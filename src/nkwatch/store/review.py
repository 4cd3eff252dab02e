"""Review of machine-extracted events, its audit log, and access tokens.

A review is a reviewer's word on one event: ``accepted``, ``corrected`` (with the fields the
reviewer changed) or ``rejected``. Corrections are kept beside the machine's values and never
overwrite them; every review action is appended to the audit log with the review before and
after. Reviews are keyed by the report, the evidence span and the machine's type, so they survive
a report being analysed again (its events get new row ids).

Tokens give write access (and, on a non-loopback server, any access). Only a SHA-256 of a token
is stored; the token itself is shown once, when it is created.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from typing import Any

from nkwatch.errors import NotFound, ReviewError
from nkwatch.model import PRECISIONS

STATUSES = ("accepted", "corrected", "rejected")
ACTIONS = ("accept", "correct", "reject")
_STATUS_OF_ACTION = dict(zip(ACTIONS, STATUSES, strict=True))
TOKEN_PREFIX = "nkw_"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _text(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ReviewError(f"{field} must be text", field=field)
    value = value.strip()
    if len(value) > 200:
        raise ReviewError(f"{field} is longer than 200 characters", field=field)
    return value or None


def _code(value: Any, field: str, allowed: tuple[str, ...] | None = None) -> str | None:
    text = _text(value, field)
    if text is None:
        return None
    text = text.upper()
    if allowed is not None and text not in allowed:
        raise ReviewError(f"{field} must be one of {', '.join(allowed)}", field=field)
    if allowed is None and not re.fullmatch(r"[A-Z][A-Z0-9_]*", text):
        raise ReviewError(f"{field} must be a codebook id (letters, digits, _)", field=field)
    return text


def _number(value: Any, field: str, kind: type[int] | type[float]) -> int | float | None:
    if value is None or value == "":
        return None
    try:
        number = kind(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or number < 0 or (kind is int and float(value) != int(float(value))):
        raise ReviewError(f"{field} must be a non-negative {kind.__name__}", field=field)
    return number


def _date(value: Any, field: str) -> str | None:
    text = _text(value, field)
    if text is None:
        return None
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        dt.date.fromisoformat(text)
    except ValueError:
        raise ReviewError(f"{field} must be a date YYYY-MM-DD", field=field) from None
    return text


def check_corrections(corrections: dict[str, Any]) -> dict[str, Any]:
    """Return ``corrections`` with each value checked and normalised; raise ReviewError naming
    the field otherwise. A value of None (or "") says the field is empty in the reviewer's
    reading; a field not given keeps the machine's value."""
    # Imported here: the lexicon module compiles the extractor's patterns.
    from nkwatch.nlp.extraction.lexicon import MODALITIES, TYPES

    if not isinstance(corrections, dict):
        raise ReviewError("corrections must be an object {field: value}", field="corrections")
    out: dict[str, Any] = {}
    for field, value in corrections.items():
        if field == "type":
            checked = _code(value, field, TYPES)
            if checked is None:
                raise ReviewError("an event must keep a type", field=field)
            out[field] = checked
        elif field == "modality":
            mod = _text(value, field)
            if mod not in MODALITIES:
                raise ReviewError(f"modality must be one of {', '.join(MODALITIES)}", field=field)
            out[field] = mod
        elif field in ("actor", "target", "penalty_kind"):
            out[field] = _code(value, field)
        elif field == "admin1":
            code = _text(value, field)
            if code is not None and not re.fullmatch(r"KP-\d{2}", code.upper()):
                raise ReviewError("admin1 must be an ISO 3166-2:KP code (KP-10)", field=field)
            out[field] = code.upper() if code else None
        elif field in ("place", "admin2", "law_article"):
            out[field] = _text(value, field)
        elif field in ("when_start", "when_end"):
            out[field] = _date(value, field)
        elif field == "when_precision":
            prec = _text(value, field)
            if prec is not None and prec not in PRECISIONS:
                raise ReviewError(
                    f"when_precision must be one of {', '.join(PRECISIONS)}", field=field
                )
            out[field] = prec
        elif field in ("count", "law_year"):
            out[field] = _number(value, field, int)
        elif field == "penalty_max_years":
            out[field] = _number(value, field, float)
        else:
            raise ReviewError(f"{field} cannot be corrected", field=field)
    start, end = out.get("when_start"), out.get("when_end")
    if start and end and start > end:
        raise ReviewError("when_start is after when_end", field="when_start")
    return out


CORRECTABLE = (
    "type", "modality", "actor", "target", "place", "admin1", "admin2", "when_start", "when_end",
    "when_precision", "count", "penalty_kind", "penalty_max_years", "law_article", "law_year",
)  # fmt: skip


def review_json(row: Any) -> dict[str, Any] | None:
    """Return a stored review as a JSON-ready dict (None when the event is unreviewed)."""
    if row is None or row["status"] is None:
        return None
    return {
        "status": row["status"],
        "corrections": json.loads(row["corrections"] or "{}"),
        "note": row["note"],
        "reviewer": row["reviewer"],
        "reviewed_at": row["reviewed_at"],
    }


class ReviewMixin:
    """Review, audit and token methods of a store with a ``conn`` and a ``transaction``."""

    conn: Any
    IntegrityError: type[Exception]

    def transaction(self) -> Any:  # pragma: no cover - provided by the store
        raise NotImplementedError

    # -- reviews -----------------------------------------------------------------------------

    def _event_key(self, event_id: int) -> Any:
        row = self.conn.execute(
            "SELECT id, doc_id, evidence_start, evidence_end, type FROM events WHERE id = ?",
            (event_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no event {event_id}", location=f"event {event_id}")
        return row

    def review_of(self, event_id: int) -> dict[str, Any] | None:
        """Return the review of an event, or None when it has not been reviewed."""
        key = self._event_key(event_id)
        row = self.conn.execute(
            "SELECT * FROM reviews WHERE doc_id = ? AND evidence_start = ? AND evidence_end = ?"
            " AND type = ?",
            (key["doc_id"], key["evidence_start"], key["evidence_end"], key["type"]),
        ).fetchone()
        return review_json(row)

    def review_event(
        self,
        event_id: int,
        action: str,
        who: str,
        *,
        corrections: dict[str, Any] | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Accept, correct or reject an event as ``who``; return the review now stored.

        ``correct`` needs at least one corrected field; a field corrected to the machine's own
        value is dropped. The review and its audit entry are written in one transaction."""
        if action not in ACTIONS:
            raise ReviewError(f"action must be one of {', '.join(ACTIONS)}", field="action")
        checked = check_corrections(corrections or {}) if action == "correct" else {}
        if corrections and action != "correct":
            raise ReviewError(
                "corrections are given only with action 'correct'", field="corrections"
            )
        if note is not None and len(note) > 2000:
            raise ReviewError("note is longer than 2000 characters", field="note")
        with self.transaction():
            key = self._event_key(event_id)
            machine = self.conn.execute(
                f"SELECT {', '.join(CORRECTABLE)} FROM events WHERE id = ?", (event_id,)
            ).fetchone()
            checked = {f: v for f, v in checked.items() if machine[f] != v}
            if action == "correct" and not checked:
                raise ReviewError("no field differs from the machine's values", field="corrections")
            ident = (key["doc_id"], key["evidence_start"], key["evidence_end"], key["type"])
            before = review_json(self.conn.execute(
                "SELECT * FROM reviews WHERE doc_id = ? AND evidence_start = ?"
                " AND evidence_end = ? AND type = ?", ident,
            ).fetchone())  # fmt: skip
            now = _now()
            self.conn.execute(
                "INSERT INTO reviews (doc_id, evidence_start, evidence_end, type, status,"
                " corrections, note, reviewer, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (doc_id, evidence_start, evidence_end, type) DO UPDATE SET"
                " status = excluded.status, corrections = excluded.corrections,"
                " note = excluded.note, reviewer = excluded.reviewer,"
                " reviewed_at = excluded.reviewed_at",
                (*ident, _STATUS_OF_ACTION[action], json.dumps(checked, ensure_ascii=False),
                 note, who, now),
            )  # fmt: skip
            after = {"status": _STATUS_OF_ACTION[action], "corrections": checked, "note": note,
                     "reviewer": who, "reviewed_at": now}  # fmt: skip
            self.conn.execute(
                "INSERT INTO audit_log (at, who, action, event_id, doc_id, evidence_start,"
                " evidence_end, type, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (now, who, action, event_id, *ident, json.dumps(before, ensure_ascii=False),
                 json.dumps(after, ensure_ascii=False)),
            )  # fmt: skip
        return after

    def audit(
        self, *, event_id: int | None = None, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Return audit entries, newest first; for one event (across re-analysis) if given."""
        where, params = "", []
        if event_id is not None:
            key = self._event_key(event_id)
            where = " WHERE doc_id = ? AND evidence_start = ? AND evidence_end = ? AND type = ?"
            params = [key["doc_id"], key["evidence_start"], key["evidence_end"], key["type"]]
        rows = self.conn.execute(
            f"SELECT * FROM audit_log{where} ORDER BY id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ).fetchall()
        return [
            {
                "id": r["id"], "at": r["at"], "who": r["who"], "action": r["action"],
                "event_id": r["event_id"], "doc_id": r["doc_id"],
                "before": json.loads(r["before"]), "after": json.loads(r["after"]),
            }
            for r in rows
        ]  # fmt: skip

    def count_audit(self) -> int:
        """Return how many audit entries there are."""
        return int(self.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])

    # -- tokens ------------------------------------------------------------------------------

    def create_token(self, name: str) -> str:
        """Create a token for ``name`` (a reviewer or a client) and return it; it is not
        stored and cannot be shown again."""
        if not _NAME.fullmatch(name):
            raise ReviewError(
                "a token's name is 1-64 letters, digits, '_', '.', '@' or '-'", field="name"
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            with self.transaction():
                self.conn.execute(
                    "INSERT INTO tokens (name, hash, created_at) VALUES (?, ?, ?)",
                    (name, _hash(token), _now()),
                )
        except self.IntegrityError:
            raise ReviewError(
                f"a token named {name!r} exists; revoke it first", field="name"
            ) from None
        return token

    def check_token(self, token: str) -> tuple[int, str] | None:
        """Return (id, name) of a valid token, or None for an unknown or revoked one."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        row = self.conn.execute(
            "SELECT id, name FROM tokens WHERE hash = ? AND revoked_at IS NULL", (_hash(token),)
        ).fetchone()
        return None if row is None else (int(row["id"]), str(row["name"]))

    def token_name(self, token_id: int) -> str | None:
        """Return the name of a token that is still valid, by id."""
        row = self.conn.execute(
            "SELECT name FROM tokens WHERE id = ? AND revoked_at IS NULL", (token_id,)
        ).fetchone()
        return None if row is None else str(row["name"])

    def list_tokens(self) -> list[dict[str, Any]]:
        """Return the tokens' names and dates (never the tokens)."""
        return [
            {"name": r["name"], "created_at": r["created_at"], "revoked_at": r["revoked_at"]}
            for r in self.conn.execute("SELECT * FROM tokens ORDER BY id")
        ]

    def revoke_token(self, name: str) -> None:
        """Revoke the token named ``name``; its name can then be given to a new token."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT id FROM tokens WHERE name = ? AND revoked_at IS NULL", (name,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no valid token named {name!r}", location="tokens")
            # The name is freed for a new token; the revoked row keeps its history.
            self.conn.execute(
                "UPDATE tokens SET revoked_at = ?, name = name || '#revoked-' || id WHERE id = ?",
                (_now(), row["id"]),
            )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
