"""The query parameters pages and API share: event filters and pagination, checked once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Query

from nkwatch.errors import QueryError
from nkwatch.model import EventFilter
from nkwatch.nlp.extraction.lexicon import MODALITIES, TYPES
from nkwatch.sources.dates import parse_publication_date
from nkwatch.store.sqlite import SQLiteStore

Review = Literal["unreviewed", "reviewed", "accepted", "corrected", "rejected"]
_DATE = r"^\d{4}-\d{2}-\d{2}$"


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

    def to_filter(self, store: SQLiteStore) -> EventFilter:
        """Return the store's filter (a report's external id resolved; NotFound if none)."""
        return EventFilter(
            doc_id=store.resolve_id(self.report) if self.report else None, types=self.type,
            modality=self.modality, admin1=self.admin1, admin2=self.admin2, actor=self.actor,
            since=self.since, until=self.until, outlet=self.outlet, review=self.review,
            query=self.q,
        )  # fmt: skip

    def items(self) -> list[tuple[str, str]]:
        """Return the filters as query-string pairs (empty ones left out)."""
        pairs: list[tuple[str, str]] = [("type", t) for t in self.type]
        for name in ("q", "modality", "admin1", "admin2", "actor", "outlet", "since", "until",
                     "review", "report"):  # fmt: skip
            value = getattr(self, name)
            if value:
                pairs.append((name, value))
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
        str | None, Query(max_length=500, description="Words the event's report contains.")
    ] = None,
    type: Annotated[
        list[str] | None, Query(description=f"Event types (any of): {', '.join(TYPES)}.")
    ] = None,
    modality: Annotated[str | None, Query(description=f"One of: {', '.join(MODALITIES)}.")] = None,
    admin1: Annotated[
        str | None, Query(max_length=10, description="Province, ISO 3166-2:KP (KP-10).")
    ] = None,
    admin2: Annotated[
        str | None, Query(max_length=40, description="City/county/district (Hangul key).")
    ] = None,
    actor: Annotated[str | None, Query(max_length=60, description="Codebook actor id.")] = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[
        str | None, Query(pattern=_DATE, description="Events overlapping from this day.")
    ] = None,
    until: Annotated[
        str | None, Query(pattern=_DATE, description="Events overlapping until this day.")
    ] = None,
    review: Annotated[Review | None, Query(description="The reviewer's word.")] = None,
    report: Annotated[
        str | None, Query(max_length=500, description="Only this report (external id).")
    ] = None,
) -> Filters:
    """Return the request's event filters, checked (QueryError names a bad one)."""
    types = tuple(dict.fromkeys(t.strip().upper() for t in type or [] if t.strip()))
    unknown = [t for t in types if t not in TYPES]
    if unknown:
        raise QueryError(f"unknown event type {', '.join(unknown)}", location="type")
    if modality and modality not in MODALITIES:
        raise QueryError(f"unknown modality {modality!r}", location="modality")
    for name, value in (("since", since), ("until", until)):
        if value:
            parse_publication_date(value, location=name, field=name)
    return Filters(
        q=(q or "").strip() or None, type=types, modality=modality or None,
        admin1=admin1.upper() if admin1 else None, admin2=admin2 or None,
        actor=actor.upper() if actor else None, outlet=outlet or None, since=since or None,
        until=until or None, review=review or None, report=report or None,
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
