"""The query parameters pages and API share: event filters and pagination, checked once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Path, Query

from nkwatch.errors import QueryError
from nkwatch.model import EventFilter
from nkwatch.nlp.extraction.lexicon import MODALITIES, TYPES
from nkwatch.store.base import Store

# An event's id: a positive SQLite integer.
EventId = Annotated[int, Path(ge=1, le=2**62, description="The event's id.")]
Review = Literal["unreviewed", "reviewed", "accepted", "corrected", "rejected"]
EventType = Literal[TYPES]  # type: ignore[valid-type]
Modality = Literal[MODALITIES]  # type: ignore[valid-type]


def DateQuery(description: str = "") -> Any:
    """Return a query parameter holding a day, YYYY-MM-DD (OpenAPI format date)."""
    return Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description=description,
                 json_schema_extra={"format": "date"})  # fmt: skip


def check_date(value: str | None, name: str) -> str | None:
    """Return a YYYY-MM-DD parameter checked to be a real day (QueryError names it)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise QueryError(f"{name} {value!r} is not a day (YYYY-MM-DD)", location=name) from None


@dataclass(frozen=True, slots=True)
class Filters:
    """The event filters of a request, as given (for links) and checked."""

    q: str | None = None
    type: tuple[str, ...] = ()
    modality: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    actor: str | None = None
    outlet: str | None = None
    since: str | None = None
    until: str | None = None
    review: str | None = None
    report: str | None = None
    campaign: int | None = None

    def to_filter(self, store: Store) -> EventFilter:
        """Return the store's filter (a report's external id resolved; NotFound if none)."""
        return EventFilter(
            doc_id=store.resolve_id(self.report) if self.report else None, types=self.type,
            modality=self.modality, admin1=self.admin1, admin2=self.admin2, actor=self.actor,
            since=self.since, until=self.until, outlet=self.outlet, review=self.review,
            query=self.q, campaign=self.campaign,
        )  # fmt: skip

    def items(self) -> list[tuple[str, str]]:
        """Return the filters as query-string pairs (empty ones left out)."""
        pairs: list[tuple[str, str]] = [("type", t) for t in self.type]
        for name in ("q", "modality", "admin1", "admin2", "actor", "outlet", "since", "until",
                     "review", "report", "campaign"):  # fmt: skip
            value = getattr(self, name)
            if value:
                pairs.append((name, str(value)))
        return pairs

    def query_string(self, **changes: str | tuple[str, ...] | None) -> str:
        """Return the query string of these filters with ``changes`` applied."""
        return urlencode((replace(self, **changes) if changes else self).items())  # type: ignore[arg-type]

    @property
    def active(self) -> bool:
        """Return True when any filter is set."""
        return bool(self.items())


def event_filters(
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Words the event's report contains (all of them; "
            "a word may end in * for a prefix). No word at all matches nothing.",
        ),
    ] = None,
    type: Annotated[list[EventType] | None, Query(description="Event types (any of).")] = None,
    modality: Annotated[Modality | None, Query()] = None,
    admin1: Annotated[
        str | None, Query(max_length=10, description="Province, ISO 3166-2:KP (KP-10).")
    ] = None,
    admin2: Annotated[
        str | None, Query(max_length=40, description="City/county/district (Hangul key).")
    ] = None,
    actor: Annotated[str | None, Query(max_length=60, description="Codebook actor id.")] = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, DateQuery("Events overlapping from this day.")] = None,
    until: Annotated[str | None, DateQuery("Events overlapping until this day.")] = None,
    review: Annotated[Review | None, Query(description="The reviewer's word.")] = None,
    report: Annotated[
        str | None, Query(max_length=500, description="Only this report (external id).")
    ] = None,
    campaign: Annotated[
        int | None, Query(ge=1, le=2**62, description="Only this campaign's incidents.")
    ] = None,
) -> Filters:
    """Return the request's event filters (FastAPI has checked each against its type)."""
    return Filters(
        q=(q or "").strip() or None, type=tuple(dict.fromkeys(type or ())),
        modality=modality or None, admin1=admin1.upper() if admin1 else None,
        admin2=admin2 or None, actor=actor.upper() if actor else None, outlet=outlet or None,
        since=check_date(since, "since"), until=check_date(until, "until"),
        review=review or None, report=report or None, campaign=campaign,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Page:
    """Which slice of a list to answer."""

    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> Page:
    """Return the pagination of a request."""
    return Page(limit, offset)
