"""The JSON API under ``/api/``: reports, events, places, stats, review, audit, export, ingest.

Lists answer ``{"ok": true, "total", "limit", "offset", "next", "items"}``; one item answers
``{"ok": true, ...}``; every error answers ``{"ok": false, "error", "status"}``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from nkwatch import export, incidents
from nkwatch.errors import SourceError
from nkwatch.model import EventFilter
from nkwatch.nlp.geo.gazetteer import load as load_gazetteer
from nkwatch.series import tone_series
from nkwatch.store.base import Store, fts_words
from nkwatch.web.app import request_store
from nkwatch.web.params import (
    DateQuery,
    EventId,
    Filters,
    Page,
    check_date,
    event_filters,
    page_params,
)


class ErrorOut(BaseModel):
    """The one shape of every error."""

    ok: Literal[False]
    error: str
    status: int
    code: str | None = Field(None, description="nkwatch's stable error code (E###)")
    field: str | None = Field(None, description="the field a review error is about")


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "A parameter or the body is not valid."},
    401: {"model": ErrorOut, "description": "A token is needed (writing, or a remote server)."},
    404: {"model": ErrorOut, "description": "No such report or event."},
}
router = APIRouter(prefix="/api", tags=["api"], responses=_ERRORS)


def _store(request: Request) -> Store:
    return request_store(request)


def _listing(request: Request, items: list[Any], total: int | None, page: Page) -> dict[str, Any]:
    more = len(items) == page.limit and (total is None or page.offset + page.limit < total)
    following = (
        str(request.url.include_query_params(offset=page.offset + page.limit)) if more else None
    )
    return {"ok": True, "total": total, "limit": page.limit, "offset": page.offset,
            "next": following, "items": items}  # fmt: skip


# -- reports ---------------------------------------------------------------------------------


@router.get("/reports", summary="List or search reports")
def list_reports(
    request: Request,
    page: Annotated[Page, Depends(page_params)],
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Full-text query (FTS5 syntax); one with no word "
            "(letters or digits) matches nothing.",
        ),
    ] = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, DateQuery()] = None,
    until: Annotated[str | None, DateQuery()] = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
) -> dict[str, Any]:
    """Reports newest first, or the reports matching ``q`` best first (with a snippet where
    the matched words are in [brackets]); ``total`` is null for a search."""
    store = _store(request)
    first, last = check_date(since, "since"), check_date(until, "until")
    if q and q.strip():
        if fts_words(q) is None:
            return _listing(request, [], None, page)
        hits = store.search(q, outlet=outlet, since=first, until=last, language=language,
                            limit=page.limit, offset=page.offset)  # fmt: skip
        return _listing(request, [h.as_dict() for h in hits], None, page)
    docs = store.list_documents(outlet=outlet, since=first, until=last, language=language,
                                limit=page.limit, offset=page.offset)  # fmt: skip
    total = store.count(outlet=outlet, since=first, until=last, language=language)
    return _listing(request, [d.as_dict(with_text=False) for d in docs], total, page)


@router.get("/reports/{ref}", summary="One report, with its events and places")
def get_report(request: Request, ref: str) -> dict[str, Any]:
    """A report by external id, URL or internal id (#12): its cleaned text, metadata, events
    and place mentions."""
    store = _store(request)
    doc = store.get(ref)
    events = store.events(EventFilter(doc_id=doc.id), limit=100_000)
    places = [m.as_dict() for m in store.places_of(doc.id)]
    return {"ok": True, "report": doc.as_dict(), "tone": store.tone_of(doc.id),
            "events": events, "places": places}  # fmt: skip


class IngestIn(BaseModel):
    """Reports to store: each an object as a line of a JSON Lines input (``text`` or
    ``html``, and ``doc_id``, ``title``, ``published``, ``outlet``, ``url``, ...)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    reports: list[dict[str, Any]] = Field(min_length=1, max_length=1000)
    analyse: bool = Field(True, description="Extract events from the stored reports now.")


@router.post("/reports", summary="Ingest reports (needs a token)", status_code=201)
def ingest_reports(request: Request, body: Annotated[IngestIn, Body()]) -> JSONResponse:
    """Store reports as ``nkwatch ingest`` does; a malformed one is reported and skipped."""
    from nkwatch.analyse import analyse
    from nkwatch.ingest import ingest_stream
    from nkwatch.model import RawDocument
    from nkwatch.sources.jsonl import read_jsonl_line

    user = request.app.state.auth.require_writer(request)
    items: list[RawDocument | SourceError] = []
    for i, record in enumerate(body.reports, 1):
        try:
            items.append(read_jsonl_line(json.dumps(record), source="api", lineno=i))
        except SourceError as exc:
            items.append(exc)
    store = _store(request)
    report = ingest_stream(store, items)
    new = [r.id for r in report.stored + report.revisions]
    analysed = analyse(store, ids=new) if body.analyse and new else None
    return JSONResponse(
        {
            "ok": True, "by": user.name,
            "stored": [r.ext_id for r in report.stored],
            "revisions": [r.ext_id for r in report.revisions],
            "unchanged": [r.ext_id for r in report.unchanged + report.duplicates],
            "failed": [{"error": e.message, "code": e.code, "where": e.location}
                       for e in report.failed],
            "events": analysed.events if analysed else 0,
        },
        status_code=201,
    )  # fmt: skip


# -- events ----------------------------------------------------------------------------------


@router.get("/events", summary="List events")
def list_events(
    request: Request,
    filters: Annotated[Filters, Depends(event_filters)],
    page: Annotated[Page, Depends(page_params)],
) -> dict[str, Any]:
    """Events newest first, with every codebook field, the evidence quote and span, the
    report's metadata and the review (null while unreviewed)."""
    store = _store(request)
    where = filters.to_filter(store)
    items = store.events(where, limit=page.limit, offset=page.offset)
    return _listing(request, items, store.count_events(where), page)


@router.get("/events/{event_id}", summary="One event, with its review history")
def get_event(request: Request, event_id: EventId) -> dict[str, Any]:
    """An event, its audit entries, the other reports that carry its report's text, and the
    same report in other languages."""
    store = _store(request)
    event = store.event(event_id)
    doc = store.get(event["doc_id"])
    others = [{"id": ext, "similarity": sim} for _, ext, sim in doc.near_duplicates]
    translations = [
        {"id": ext, "language": lang, "score": score, "why": why}
        for _, ext, lang, score, why in doc.translations
    ]
    incident_id = store.incident_of_event(event_id)
    return {"ok": True, "event": event, "audit": store.audit(event_id=event_id),
            "other_reports": others, "translations": translations,
            "incident": incident_id}  # fmt: skip


class ReviewIn(BaseModel):
    """A reviewer's word on an event."""

    model_config = ConfigDict(strict=True, extra="forbid")

    action: Literal["accept", "correct", "reject"]
    corrections: dict[str, Any] | None = Field(
        None, description="With 'correct': the corrected fields, {field: value}."
    )
    note: str | None = Field(None, max_length=2000)


@router.post("/events/{event_id}/review", summary="Accept, correct or reject (needs a token)")
def review_event(
    request: Request, event_id: EventId, body: Annotated[ReviewIn, Body()]
) -> dict[str, Any]:
    """Record a review; corrections are kept beside the machine's values, and the change is
    written to the audit log with who made it."""
    user = request.app.state.auth.require_writer(request)
    store = _store(request)
    review = store.review_event(event_id, body.action, user.name,
                                corrections=body.corrections, note=body.note)  # fmt: skip
    return {"ok": True, "review": review, "event": store.event(event_id)}


@router.get("/audit", summary="The review audit log")
def audit_log(
    request: Request,
    page: Annotated[Page, Depends(page_params)],
    event_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> dict[str, Any]:
    """Every review action, newest first: who, when, the review before and after."""
    store = _store(request)
    items = store.audit(event_id=event_id, limit=page.limit, offset=page.offset)
    total = len(items) + page.offset if event_id is not None else store.count_audit()
    return _listing(request, items, total, page)


# -- across reports: incidents, contradictions, campaigns, tone -------------------------------

IncidentId = Annotated[int, FastAPIPath(ge=1, le=2**62)]


@router.get("/incidents", summary="Incidents: one real event told by several reports")
def list_incidents(
    request: Request,
    page: Annotated[Page, Depends(page_params)],
    min_reports: Annotated[int, Query(ge=1, le=1000)] = 2,
    type: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """Incidents told by at least ``min_reports`` reports, most reports first, each with its
    events, independent sources and disagreements."""
    store = _store(request)
    ids = store.incident_ids(
        min_reports=min_reports, type=type, limit=page.limit, offset=page.offset
    )
    items = [incidents.incident(store, i).as_dict() for i in ids]
    return _listing(request, items, None, page)


@router.get("/incidents/{incident_id}", summary="One incident, why its events were linked")
def get_incident(request: Request, incident_id: IncidentId) -> dict[str, Any]:
    """An incident's events (quote, report, link score and reasons) and contradictions."""
    return {"ok": True, "incident": incidents.incident(_store(request), incident_id).as_dict()}


@router.get("/contradictions", summary="Incidents whose reports disagree")
def list_contradictions(request: Request) -> dict[str, Any]:
    """Incidents whose reports disagree on a count, a date, a county or a penalty, with each
    value and its reports."""
    found = incidents.open_contradictions(_store(request))
    return {"ok": True, "items": [i.as_dict() for i in found]}


class MergeIn(BaseModel):
    """Another incident to merge into this one."""

    model_config = ConfigDict(strict=True, extra="forbid")

    other: int = Field(ge=1, le=10**15)
    note: str | None = Field(None, max_length=2000)


class SplitIn(BaseModel):
    """Events to move out of this incident into a new one."""

    model_config = ConfigDict(strict=True, extra="forbid")

    events: list[Annotated[int, Field(ge=1, le=10**15)]] = Field(min_length=1, max_length=1000)
    note: str | None = Field(None, max_length=2000)


@router.post("/incidents/{incident_id}/merge", summary="Merge another incident into this one")
def merge_incident(
    request: Request, incident_id: IncidentId, body: Annotated[MergeIn, Body()]
) -> dict[str, Any]:
    """A reviewer's merge (needs a token): the events are pinned, the audit log records it."""
    user = request.app.state.auth.require_writer(request)
    store = _store(request)
    store.merge_incidents(incident_id, body.other, user.name, body.note)
    return {"ok": True, "incident": incidents.incident(store, incident_id).as_dict()}


@router.post("/incidents/{incident_id}/split", summary="Move events out into a new incident")
def split_incident(
    request: Request, incident_id: IncidentId, body: Annotated[SplitIn, Body()]
) -> dict[str, Any]:
    """A reviewer's split (needs a token): the events are pinned, the audit log records it."""
    user = request.app.state.auth.require_writer(request)
    store = _store(request)
    new_id = store.split_incident(incident_id, body.events, user.name, body.note)
    return {"ok": True, "incident": incidents.incident(store, incident_id).as_dict(),
            "new": incidents.incident(store, new_id).as_dict()}  # fmt: skip


class CampaignIn(BaseModel):
    """A campaign and the incidents it groups."""

    model_config = ConfigDict(strict=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    incidents: list[Annotated[int, Field(ge=1, le=10**15)]] = Field([], max_length=1000)
    note: str | None = Field(None, max_length=2000)


@router.get("/campaigns", summary="Campaigns grouped by reviewers")
def list_campaigns(request: Request) -> dict[str, Any]:
    """Every campaign with its incidents' ids."""
    return {"ok": True, "items": _store(request).campaigns()}


@router.post("/campaigns", summary="Create a campaign or add incidents to it (needs a token)")
def post_campaign(request: Request, body: Annotated[CampaignIn, Body()]) -> dict[str, Any]:
    """Group incidents into a campaign named ``name`` (created when new)."""
    user = request.app.state.auth.require_writer(request)
    store = _store(request)
    known = {c["name"]: c["id"] for c in store.campaigns()}
    campaign_id = known.get(body.name) or store.create_campaign(body.name, user.name, body.note)
    if body.incidents:
        store.add_to_campaign(campaign_id, body.incidents, user.name)
    found = next(c for c in store.campaigns() if c["id"] == campaign_id)
    return {"ok": True, "campaign": found}


@router.get("/series/tone", summary="Inducement against coercion per province and month")
def tone(
    request: Request,
    province: Annotated[str | None, Query(max_length=10)] = None,
) -> dict[str, Any]:
    """Per province and month: reports, cues of inducement and of coercion, and the balance
    (+1 all inducement, -1 all coercion)."""
    points = tone_series(_store(request), admin1=province)
    return {"ok": True, "items": [p.as_dict() for p in points]}


# -- places and stats ------------------------------------------------------------------------


@router.get("/places", summary="Provinces or counties with their event counts")
def places(
    request: Request,
    filters: Annotated[Filters, Depends(event_filters)],
    level: Annotated[Literal["admin1", "admin2"], Query()] = "admin1",
) -> dict[str, Any]:
    """Every unit of the gazetteer at ``level`` with how many events (that pass the filters)
    are placed in it, and its seat or capital's coordinates."""
    store = _store(request)
    counts = unit_counts(store, filters.to_filter(store), level)
    units = [u for u in load_gazetteer().units.values() if u.level == level]
    items = [
        {"id": u.id, "name": u.name, "hangul": u.hangul, "admin1": u.admin1, "admin2": u.admin2,
         "lat": u.lat, "lon": u.lon, "events": counts.get(u.id, 0)}
        for u in units
    ]  # fmt: skip
    return {"ok": True, "level": level, "items": items}


def unit_counts(store: Store, where: EventFilter, level: str) -> dict[str, int]:
    """Return events per gazetteer unit id at ``level`` (admin1 or admin2)."""
    name = "admin1" if level == "admin1" else "county"
    return dict(store.event_facets(where, (name,))[name])


@router.get("/stats", summary="Counts of events by field and by period")
def stats(
    request: Request,
    filters: Annotated[Filters, Depends(event_filters)],
    by: Annotated[Literal["month", "week"], Query()] = "month",
) -> dict[str, Any]:
    """How many events pass the filters, how many of each value of each field, and how many
    per period (by the day each event's interval starts) and type."""
    store = _store(request)
    where = filters.to_filter(store)
    facets = store.event_facets(where)
    periods = store.event_periods(where, by=by)
    return {
        "ok": True, "events": sum(n for _, n in facets["type"]),
        "facets": {k: [{"value": v, "events": n} for v, n in rows] for k, rows in facets.items()},
        "periods": [{"period": p, "type": t, "events": n} for p, t, n in periods],
        "by": by,
    }  # fmt: skip


# -- export ----------------------------------------------------------------------------------

_MEDIA = {
    "csv": "text/csv; charset=utf-8", "json": "application/json",
    "jsonl": "application/x-ndjson", "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
}  # fmt: skip


@router.get(
    "/export",
    summary="Export events as a file",
    response_class=FileResponse,
    responses={200: {"description": "The export file.",
                     "content": {m.split(";")[0]: {} for m in _MEDIA.values()}}},
)  # fmt: skip
def export_events(
    request: Request,
    filters: Annotated[Filters, Depends(event_filters)],
    format: Annotated[Literal["csv", "json", "jsonl", "geojson", "parquet"], Query()] = "csv",
    profile: Annotated[Literal["full", "acled"], Query()] = "full",
) -> FileResponse:
    """The events that pass the filters, as ``nkwatch export`` writes them (the column
    dictionary is in docs/exports.md). Written to a temporary file first, then sent."""
    store = _store(request)
    where = filters.to_filter(store)
    fd, name = tempfile.mkstemp(prefix="nkwatch-export-", suffix=f".{format}")
    os.close(fd)
    path = Path(name)
    try:
        batches = export.profile_batches(store.export_rows(where), profile)
        export.write_file(format, batches, path, profile=profile)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return FileResponse(
        path, media_type=_MEDIA[format], filename=f"nkwatch-events.{format}",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )  # fmt: skip
