"""The web app and JSON API: ``create_app`` builds it over one store.

Access (see ``docs/web.md``):

- On a loopback address, reading is open; writing (review, ingest) needs a token made by
  ``nkwatch token create``: ``Authorization: Bearer TOKEN`` for the API, or a session made by
  signing in with the token on the ``/login`` page (a signed, HttpOnly, SameSite=Strict cookie).
- With ``remote=True`` (``nkwatch serve --host ADDR --allow-remote``), everything needs a token.
- Forms carry a CSRF token (double-submit: a random cookie and the same value in the form);
  API writes with a session cookie carry it in ``X-CSRF-Token``.
- On loopback the Host header must name a loopback host (DNS rebinding), and every response
  forbids scripts and styles from anywhere but the app itself (Content-Security-Policy).

Each worker thread keeps its own connection to the store (SQLite connections are not shared
across threads).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from nkwatch import __version__
from nkwatch import store as store_module
from nkwatch.errors import (
    AccessError,
    NKWatchError,
    NotFound,
    QueryError,
    ReviewError,
    SourceError,
)
from nkwatch.store.base import Store
from nkwatch.store.event_index import EventIndex

SESSION_COOKIE = "nkwatch_session"
CSRF_COOKIE = "nkwatch_csrf"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class Stores:
    """One store connection per thread, opened on first use; all of them share the events
    held in memory (``index``), when kept."""

    def __init__(self, url: str | None, *, index: bool = True) -> None:
        self.url = url
        self._local = threading.local()
        self._all: list[Store] = []
        self._lock = threading.Lock()
        self.index = EventIndex(lambda: store_module.open(url)) if index else None

    def get(self) -> Store:
        """Return this thread's store."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = store_module.open(self.url)
            store.event_index = self.index
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        """Close every connection (at shutdown)."""
        with self._lock:
            for store in self._all:
                # Another thread's SQLite connection refuses to be closed here; the process
                # ends anyway.
                with suppress(store.DatabaseError):
                    store.close()
            self._all.clear()
        if self.index is not None:
            self.index.close()


def request_store(request: Request) -> Store:
    """Return the store of the thread serving ``request``, with private persons' names
    redacted, or shown when the request asks (``show_names=WHY``) with a token; the showing is
    written to the audit log, once per request."""
    store: Store = request.app.state.stores.get()
    why = request.query_params.get("show_names")
    if why is None:
        store.hide_names()  # a connection serves many requests: nothing carries over
        return store
    user = request.app.state.auth.user(request)
    if user is None:
        raise AccessError("showing private persons' names needs a token")
    if not why.strip():
        raise QueryError("show_names must say why the names are needed", location="show_names")
    if not getattr(request.state, "names_logged", False):
        store.show_names(user.name, f"{request.url.path}: {why.strip()}")
        request.state.names_logged = True
    else:
        store.names_shown = True
    return store


@dataclass(frozen=True, slots=True)
class User:
    """Who a request acts as: the token's name, and how it was shown."""

    name: str
    via: str  # bearer or session


class Auth:
    """Tokens, sessions and CSRF for one app (its secret lives as long as the process)."""

    def __init__(self, stores: Stores, *, remote: bool) -> None:
        self.stores = stores
        self.remote = remote
        self.secret = secrets.token_bytes(32)

    def _sign(self, value: str) -> str:
        return hmac.new(self.secret, value.encode(), hashlib.sha256).hexdigest()

    def session_value(self, token_id: int) -> str:
        """Return the cookie value of a session for a token."""
        return f"{token_id}.{self._sign(f'session:{token_id}')}"

    def user(self, request: Request) -> User | None:
        """Return who the request acts as, or None (no or an invalid token)."""
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            found = self.stores.get().check_token(header[7:].strip())
            return User(found[1], "bearer") if found else None
        cookie = request.cookies.get(SESSION_COOKIE, "")
        token_id, _, sig = cookie.partition(".")
        if token_id.isdigit() and hmac.compare_digest(sig, self._sign(f"session:{token_id}")):
            name = self.stores.get().token_name(int(token_id))
            return User(name, "session") if name else None
        return None

    def csrf_ok(self, request: Request, given: str | None) -> bool:
        """Return True when ``given`` matches the request's CSRF cookie."""
        cookie = request.cookies.get(CSRF_COOKIE, "")
        return bool(cookie) and bool(given) and hmac.compare_digest(cookie, given or "")

    def require_writer(self, request: Request, csrf: str | None = None) -> User:
        """Return the user allowed to write, or raise AccessError. A session (cookie) must
        also show the CSRF token, in the form or the X-CSRF-Token header."""
        user = self.user(request)
        if user is None:
            raise AccessError("writing needs a token: create one with `nkwatch token create`")
        if user.via == "session" and not self.csrf_ok(
            request, csrf or request.headers.get("x-csrf-token")
        ):
            raise AccessError("the form's CSRF token is missing or stale; reload the page")
        return user


def _error(
    status: int, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"ok": False, "error": message, "status": status, **extra}
    return JSONResponse(body, status, headers=headers)


def _status_of(exc: NKWatchError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, AccessError):
        return 401
    if isinstance(exc, QueryError | ReviewError | SourceError):
        return 400
    return 500


def create_app(
    db: str | None = None,
    *,
    remote: bool = False,
    allowed_hosts: tuple[str, ...] | None = None,
    event_index: bool = True,
) -> FastAPI:
    """Return the web app and API over the store at ``db`` (the default store when None).

    ``remote``: the app is reachable beyond loopback, so every request needs a token.
    ``allowed_hosts``: Host header names accepted on loopback (default: loopback names).
    ``event_index``: keep the events' fields in memory for counts, facets and pages
    (:mod:`nkwatch.store.event_index`); without it every answer is read from the database."""
    store_module.open(db).close()  # opened (and migrated) once now: a bad path fails at start
    stores = Stores(db, index=event_index)
    auth = Auth(stores, remote=remote)
    app = FastAPI(
        title="nkwatch",
        version=__version__,
        description="Sourced, dated, mapped events of North Korea's internal control. Every "
        "error answers {ok: false, error, status}. Reading is open on loopback; writing needs "
        "`Authorization: Bearer TOKEN` (`nkwatch token create`).",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_lifespan,
    )
    app.state.stores = stores
    app.state.auth = auth
    hosts = allowed_hosts if allowed_hosts is not None else LOOPBACK_HOSTS

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not remote:
            host = request.headers.get("host", "")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in hosts:
                return _error(400, f"unexpected Host header {host!r}; use a loopback address")
        elif not _public(request.url.path) and auth.user(request) is None:
            if request.url.path.startswith("/api/"):
                return _error(401, "this server needs a token for every request")
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        query = request.scope.get("query_string", b"")
        if query:
            # An empty parameter (a form's untouched field: "type=&since=") is no filter.
            pairs = [(k, v) for k, v in parse_qsl(query.decode("latin-1"), True) if v != ""]
            request.scope["query_string"] = urlencode(pairs).encode("latin-1")
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.exception_handler(NKWatchError)
    async def nkwatch_error(request: Request, exc: NKWatchError) -> Response:
        status = _status_of(exc)
        if not request.url.path.startswith("/api/"):
            from nkwatch.web.pages import error_page

            return error_page(request, status, exc.message)
        field = exc.field if isinstance(exc, ReviewError) else None
        if field:
            return _error(status, exc.message, code=exc.code, field=field)
        return _error(status, exc.message, code=exc.code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not request.url.path.startswith("/api/"):
            from nkwatch.web.pages import error_page

            return error_page(request, exc.status_code, str(exc.detail))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first route of the path; list them all (RFC 9110).
            methods = {
                m for route in app.routes
                if isinstance(route, APIRoute)
                and route.matches(request.scope)[0] in (Match.PARTIAL, Match.FULL)
                for m in route.methods or ()
            }  # fmt: skip
            headers["Allow"] = ", ".join(sorted(methods))
        return _error(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p not in ('query', 'body'))}: "
            f"{e.get('msg', 'invalid')}"
            for e in exc.errors()
        ]
        message = "; ".join(problems) or "invalid request"
        if not request.url.path.startswith("/api/"):
            from nkwatch.web.pages import error_page

            return error_page(request, 400, message)
        return _error(400, message)

    from nkwatch.web import api, pages

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    app.include_router(api.router)
    app.include_router(pages.router)
    static = Path(str(resources.files("nkwatch.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static), name="static")
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    if app.state.stores.index is not None:
        app.state.stores.index.current()  # starts reading the events in the background
    yield
    app.state.stores.close()


def _public(path: str) -> bool:
    """Return True for what a remote visitor may see without a token: the sign-in page."""
    return path in ("/login", "/static/app.css") or path.startswith("/static/")
