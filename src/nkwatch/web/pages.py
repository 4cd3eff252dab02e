"""The server-rendered pages: search, events, an event, a report, timeline, map, review, audit.

Every page reads the store through the same functions as the API and the CLI; filters are the
same query parameters everywhere (:mod:`nkwatch.web.params`), so a page's URL is shareable and
the API answers the same question at ``/api/...`` with the same query string.
"""

from __future__ import annotations

import datetime as dt
import secrets
from functools import partial
from importlib import resources
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from nkwatch import __version__, incidents
from nkwatch.errors import AccessError, NKWatchError, NotFound, ReviewError
from nkwatch.model import EventFilter
from nkwatch.nlp.extraction.lexicon import MODALITIES, TYPES
from nkwatch.nlp.extraction.lexicon import load as load_lexicon
from nkwatch.nlp.geo.gazetteer import load as load_gazetteer
from nkwatch.series import tone_series
from nkwatch.store.base import Store
from nkwatch.store.review import CORRECTABLE
from nkwatch.web import svg
from nkwatch.web.app import CSRF_COOKIE, SESSION_COOKIE, request_store
from nkwatch.web.params import EventId, Filters, Page, event_filters, page_params
from nkwatch.web.text import Mark, marked, paragraph_of

router = APIRouter(include_in_schema=False)
_env = Environment(
    loader=FileSystemLoader(str(resources.files("nkwatch.web").joinpath("templates"))),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
templates = Jinja2Templates(env=_env)


def _store(request: Request) -> Store:
    return request_store(request)


def province_name(code: str | None) -> str:
    """Return a province's English name (the code itself when unknown)."""
    unit = load_gazetteer().units.get(code or "")
    return unit.name if unit else (code or "")


def county_name(admin1: str | None, admin2: str | None) -> str:
    """Return a county's English name with its Hangul key."""
    unit = load_gazetteer().units.get(f"{admin1}:{admin2}")
    return f"{unit.name} ({admin2})" if unit else (admin2 or "")


def actor_name(actor: str | None) -> str:
    """Return an actor id's label."""
    return load_lexicon().actor_names.get(actor or "", actor or "")


_LANGUAGE_NAMES = {"ko": "Korean", "en": "English"}


def language_name(code: str | None) -> str:
    """Return a language code's English name (the code itself when unknown)."""
    return _LANGUAGE_NAMES.get(code or "", code or "another language")


# Correctable fields held in the event record's nested objects (when, penalty, law).
_NESTED = {
    "when_start": ("when", "start"), "when_end": ("when", "end"),
    "when_precision": ("when", "precision"), "penalty_kind": ("penalty", "kind"),
    "penalty_max_years": ("penalty", "max_years"), "law_article": ("law", "article"),
    "law_year": ("law", "year"),
}  # fmt: skip


def machine(event: dict[str, Any], field: str) -> Any:
    """Return a field's value as the machine extracted it."""
    if field in _NESTED:
        outer, inner = _NESTED[field]
        return (event.get(outer) or {}).get(inner)
    return event.get(field)


def effective(event: dict[str, Any], field: str) -> Any:
    """Return a field's value as reviewed: the correction when there is one."""
    review = event.get("review")
    if review and field in review["corrections"]:
        return review["corrections"][field]
    return machine(event, field)


_env.globals.update(
    province_name=province_name, county_name=county_name, actor_name=actor_name,
    language_name=language_name, effective=effective, machine=machine, version=__version__,
    TYPES=TYPES, MODALITIES=MODALITIES,
)  # fmt: skip


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    """Render a page; the CSRF cookie is set when the browser has none yet."""
    auth = request.app.state.auth
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    user = auth.user(request)
    response = templates.TemplateResponse(
        request, name, {"user": user, "csrf": csrf, "remote": auth.remote, **context},
        status_code=status,
    )  # fmt: skip
    if request.cookies.get(CSRF_COOKIE) != csrf:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/")
    return response


def error_page(request: Request, status: int, message: str) -> Response:
    """Return an error as a page."""
    return render(request, "error.html", status=status, status_code=status, message=message)


def _facets(store: Store, where: EventFilter) -> dict[str, list[tuple[str, int]]]:
    return store.event_facets(where, ("type", "modality", "admin1", "actor", "outlet", "review"))


# -- search and lists ------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    filters: Annotated[Filters, Depends(event_filters)],
    page: Annotated[Page, Depends(page_params)],
) -> Response:
    """Search reports and events; without a query, the latest of both."""
    store = _store(request)
    where = filters.to_filter(store)
    hits: list[Any] = []
    if filters.q:
        hits = store.search(filters.q, outlet=filters.outlet, since=filters.since,
                            until=filters.until, limit=20)  # fmt: skip
    else:
        hits = store.list_documents(outlet=filters.outlet, since=filters.since,
                                    until=filters.until, limit=10)  # fmt: skip
    events = store.events(where, limit=min(page.limit, 20), offset=page.offset)
    return render(
        request, "search.html", filters=filters, hits=hits, events=events,
        total=store.count_events(where), counts=_facets(store, where),
        reports_total=store.count(), outlets=store.outlets(),
    )  # fmt: skip


@router.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request,
    filters: Annotated[Filters, Depends(event_filters)],
    page: Annotated[Page, Depends(page_params)],
) -> Response:
    """The events that pass the filters, with facets to narrow them."""
    store = _store(request)
    where = filters.to_filter(store)
    return render(
        request, "events.html", filters=filters, page=page,
        events=store.events(where, limit=page.limit, offset=page.offset),
        total=store.count_events(where), counts=_facets(store, where),
    )  # fmt: skip


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: EventId) -> Response:
    """One event: its fields (reviewed values beside the machine's), its quote highlighted in
    its paragraph, its report, other reports of the same text, the review form and history."""
    store = _store(request)
    event = store.event(event_id)
    doc = store.get(event["doc_id"])
    start, text = paragraph_of(doc.body, event["evidence_start"], event["evidence_end"])
    marks = [Mark(event["evidence_start"], event["evidence_end"], "focus", title=event["type"])]
    marks += [Mark(a["start"], a["end"], "also", title="restated") for a in event["also"]]
    marks += [
        Mark(m.start, m.end, "place", title=m.name or m.text) for m in store.places_of(doc.id)
    ]
    return render(
        request, "event.html", event=event, doc=doc, paragraph=marked(text, marks, offset=start),
        audit=store.audit(event_id=event_id), correctable=CORRECTABLE,
        incident=_incident_of(store, event_id),
    )  # fmt: skip


def _incident_of(store: Store, event_id: int) -> dict[str, Any] | None:
    """Return the incident of an event when other reports tell it too."""
    incident_id = store.incident_of_event(event_id)
    if incident_id is None:
        return None
    found = incidents.incident(store, incident_id).as_dict()
    return found if len(found["reports"]) > 1 else None


def _form_text(form: Any, name: str) -> str:
    """Return a form field's text ('' when absent or a file)."""
    got = form.get(name, "")
    return got if isinstance(got, str) else ""


@router.post("/events/{event_id}/review")
async def review_form(request: Request, event_id: EventId) -> Response:
    """Apply a review from the event page or the queue: ``action`` (accept, correct,
    reject), ``note``, and for ``correct`` the fields ``c_FIELD`` (a field whose value is
    the machine's is left out of the corrections)."""
    form = await request.form()
    value = partial(_form_text, form)

    def apply() -> Response:
        user = request.app.state.auth.require_writer(request, value("csrf"))
        action = value("action")
        corrections = (
            {f: value(f"c_{f}") for f in CORRECTABLE if f"c_{f}" in form}
            if action == "correct" else None
        )  # fmt: skip
        note = value("note").strip() or None
        _store(request).review_event(event_id, action, user.name, corrections=corrections,
                                     note=note)  # fmt: skip
        target = value("next")
        if not target.startswith("/") or target.startswith("//"):
            target = f"/events/{event_id}"
        return RedirectResponse(target, status_code=303)

    return await run_in_threadpool(apply)


@router.get("/reports/{ref:path}", response_class=HTMLResponse)
def report_page(request: Request, ref: str) -> Response:
    """A report's cleaned text with every event and place highlighted, and its events."""
    store = _store(request)
    doc = store.get(ref)
    events = store.events(EventFilter(doc_id=doc.id), limit=100_000)
    places = store.places_of(doc.id)
    marks = [
        Mark(e["evidence_start"], e["evidence_end"], "event", href=f"/events/{e['id']}",
             title=f"{e['type']} ({e['modality']})")
        for e in events
    ] + [Mark(m.start, m.end, "place", title=m.name or m.text) for m in places]  # fmt: skip
    return render(
        request, "report.html", doc=doc, events=events, places=places,
        text=marked(doc.body, marks), tone=store.tone_of(doc.id),
    )  # fmt: skip


# -- timeline and map ------------------------------------------------------------------------


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(
    request: Request,
    filters: Annotated[Filters, Depends(event_filters)],
    by: Annotated[Literal["month", "week"], Query()] = "month",
) -> Response:
    """Events per month or week by type, drawn by the server."""
    store = _store(request)
    where = filters.to_filter(store)
    rows = store.event_periods(where, by=by)

    def href(period: str) -> str:
        if by == "month":
            y, m = (int(x) for x in period.split("-"))
            last = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
            return "/events?" + filters.query_string(since=f"{period}-01", until=last.isoformat())
        year, week = period.split("-W")  # %W: weeks start on Monday, week 0 before the first
        monday = dt.date(int(year), 1, 1) + dt.timedelta(
            days=(7 - dt.date(int(year), 1, 1).weekday()) % 7 + 7 * (int(week) - 1)
        )
        sunday = monday + dt.timedelta(days=6)
        return "/events?" + filters.query_string(
            since=max(monday, dt.date(int(year), 1, 1)).isoformat(), until=sunday.isoformat()
        )

    chart = svg.timeline_svg(rows, TYPES, href=href)
    tone = [p.as_dict() for p in tone_series(store, admin1=filters.admin1, since=filters.since,
                                             until=filters.until)]  # fmt: skip
    return render(request, "timeline.html", filters=filters, by=by, chart=chart, rows=rows,
                  counts=_facets(store, where), campaigns=store.campaigns(),
                  tone=tone)  # fmt: skip


@router.get("/map", response_class=HTMLResponse)
def map_page(
    request: Request,
    filters: Annotated[Filters, Depends(event_filters)],
    level: Annotated[Literal["admin1", "admin2"], Query()] = "admin1",
) -> Response:
    """Provinces or counties shaded by event count; a click on a unit filters the list."""
    from nkwatch.web.api import unit_counts

    store = _store(request)
    where = filters.to_filter(store)
    counts = unit_counts(store, where, level)

    # Every unit's link keeps the filters with its own place: the rest of the query is the
    # same for all of them (some 200 counties).
    rest = filters.query_string(admin1=None, admin2=None)

    def href(shape: svg.Shape) -> str:
        place = [("admin1", shape.admin1)]
        if shape.level == "admin2":
            place.append(("admin2", shape.admin2 or ""))
        return "/events?" + "&".join(q for q in (urlencode(place), rest) if q)

    chart = svg.map_svg(counts, level=level, href=href, selected=filters.admin1,
                        points=store.event_points(where))  # fmt: skip
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:15]
    units = load_gazetteer().units
    return render(request, "map.html", filters=filters, level=level, chart=chart,
                  top=[(units[k].name if k in units else k, k, n) for k, n in top],
                  unplaced=store.count_events(where) - sum(counts.values()))  # fmt: skip


# -- review ----------------------------------------------------------------------------------


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    filters: Annotated[Filters, Depends(event_filters)],
    page: Annotated[Page, Depends(page_params)],
) -> Response:
    """Machine-extracted events waiting for a reviewer (or, by ``review=``, reviewed ones)."""
    store = _store(request)
    if filters.review is None:
        filters = Filters(**{**{k: getattr(filters, k) for k in Filters.__slots__},
                             "review": "unreviewed"})  # fmt: skip
    where = filters.to_filter(store)
    return render(
        request, "review.html", filters=filters, page=page,
        events=store.events(where, limit=min(page.limit, 100), offset=page.offset),
        total=store.count_events(where),
    )  # fmt: skip


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, page: Annotated[Page, Depends(page_params)]) -> Response:
    """Every review action, newest first."""
    store = _store(request)
    return render(request, "audit.html", entries=store.audit(limit=page.limit,
                  offset=page.offset), total=store.count_audit(), page=page)  # fmt: skip


# -- across reports --------------------------------------------------------------------------


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, page: Annotated[Page, Depends(page_params)]) -> Response:
    """Incidents told by several reports, and those whose reports disagree; campaigns and the
    tone series."""
    store = _store(request)
    ids = store.incident_ids(min_reports=2, limit=page.limit, offset=page.offset)
    return render(
        request, "incidents.html", page=page,
        incidents=[incidents.incident(store, i).as_dict() for i in ids],
        campaigns=store.campaigns(), tone=[p.as_dict() for p in tone_series(store)],
    )  # fmt: skip


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: Annotated[int, FastAPIPath(ge=1, le=2**62)]
                  ) -> Response:  # fmt: skip
    """One incident: each report's event and quote, why it was linked, the disagreements,
    and a reviewer's split and merge."""
    store = _store(request)
    return render(
        request, "incident.html", incident=incidents.incident(store, incident_id).as_dict()
    )


@router.post("/incidents/{incident_id}")
async def incident_form(
    request: Request, incident_id: Annotated[int, FastAPIPath(ge=1, le=2**62)]
) -> Response:
    """A reviewer's split (``action=split``, the ``event`` boxes ticked) or merge
    (``action=merge``, ``other``), then back to the incident."""
    form = await request.form()
    value = partial(_form_text, form)

    def apply() -> Response:
        user = request.app.state.auth.require_writer(request, value("csrf"))
        store = _store(request)
        note = value("note").strip() or None
        target = incident_id
        if value("action") == "merge":
            other = value("other").strip().lstrip("#")
            if not other.isdigit() or len(other) > 18:
                raise ReviewError("name the incident to merge by its number", field="other")
            store.merge_incidents(incident_id, int(other), user.name, note)
        elif value("action") == "split":
            chosen = [int(v) for v in form.getlist("event") if isinstance(v, str)
                      and v.isdigit() and len(v) < 19]  # fmt: skip
            target = store.split_incident(incident_id, chosen, user.name, note)
        else:
            raise ReviewError("the action is split or merge", field="action")
        return RedirectResponse(f"/incidents/{target}", status_code=303)

    return await run_in_threadpool(apply)


# -- signing in ------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    """Sign in with a token made by ``nkwatch token create``."""
    return render(request, "login.html", next=next, failed=False)


@router.post("/login")
def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the token and start a session (a signed cookie naming the token)."""
    auth = request.app.state.auth
    if not auth.csrf_ok(request, csrf):
        raise AccessError("the form's CSRF token is missing or stale; reload the page")
    found = _store(request).check_token(token.strip())
    if found is None:
        return render(request, "login.html", status=401, next=next, failed=True)
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, auth.session_value(found[0]), httponly=True,
                        samesite="strict", path="/")  # fmt: skip
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """End the session."""
    if not request.app.state.auth.csrf_ok(request, csrf):
        raise AccessError("the form's CSRF token is missing or stale; reload the page")
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


__all__ = ["NKWatchError", "NotFound", "error_page", "router"]
