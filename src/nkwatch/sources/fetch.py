"""Fetching URLs politely and safely: robots.txt, per-host delay, conditional GET, size cap,
and a guard against requests to loopback, private and other non-public addresses (SSRF).
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.robotparser
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from nkwatch import __version__
from nkwatch.errors import AddressRefused, FetchError, RobotsDisallowed, TooLarge

USER_AGENT = f"nkwatch/{__version__} (+https://github.com/nkwatch/nkwatch)"
_DISALLOW_ALL = ["User-agent: *", "Disallow: /"]


class FetchCache(Protocol):
    """Where validators (ETag, Last-Modified) of earlier fetches are kept."""

    def get_validators(self, url: str) -> tuple[str | None, str | None] | None: ...

    def put_validators(
        self, url: str, etag: str | None, last_modified: str | None, status: int
    ) -> None: ...


@dataclass(slots=True)
class FetchResult:
    """A response: final URL, status, body (empty when not modified) and validators."""

    url: str
    status: int
    content: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """Return True when the server said the resource has not changed (304)."""
        return self.status == 304


def check_address(url: str, *, allow_private: bool = False) -> None:
    """Raise AddressRefused unless every address ``url``'s host resolves to is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise AddressRefused(
            f"only http and https URLs are fetched, not {parts.scheme!r}", location=url
        )
    host = parts.hostname
    if not host:
        raise AddressRefused("URL has no host", location=url)
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc.strerror}", location=url) from None
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if not addr.is_global:
            raise AddressRefused(
                f"host {host!r} resolves to non-public address {addr}; "
                "pass --allow-private to fetch from local or private networks",
                location=url,
            )


class Fetcher:
    """An HTTP client for ingestion. One instance keeps robots.txt and per-host timing state."""

    def __init__(
        self,
        *,
        cache: FetchCache | None = None,
        timeout: float = 20.0,
        max_bytes: int = 10_000_000,
        delay: float = 1.0,
        allow_private: bool = False,
        respect_robots: bool = True,
        user_agent: str = USER_AGENT,
        max_redirects: int = 5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.cache = cache
        self.max_bytes = max_bytes
        self.delay = delay
        self.allow_private = allow_private
        self.respect_robots = respect_robots
        self.user_agent = user_agent
        self.max_redirects = max_redirects
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": user_agent},
            follow_redirects=False,
            transport=transport,
        )
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._last_request: dict[str, float] = {}

    def close(self) -> None:
        """Close the underlying HTTP connections."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None:
            wait = self.delay - (time.monotonic() - last)
            if wait > 0:
                time.sleep(wait)
        self._last_request[host] = time.monotonic()

    def _get(self, url: str, headers: dict[str, str] | None = None) -> tuple[httpx.Response, bytes]:
        check_address(url, allow_private=self.allow_private)
        self._wait_turn(url)
        try:
            with self._client.stream("GET", url, headers=headers or {}) as resp:
                length = resp.headers.get("content-length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    raise TooLarge(
                        f"response of {int(length):,} bytes exceeds the cap of {self.max_bytes:,}",
                        location=url,
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise TooLarge(
                            f"response exceeds the cap of {self.max_bytes:,} bytes", location=url
                        )
                    chunks.append(chunk)
                return resp, b"".join(chunks)
        except httpx.TimeoutException:
            raise FetchError("timed out", location=url) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"request failed: {exc}", location=url) from None

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self._robots.get(origin)
        if parser is not None:
            return parser
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            resp, body = self._get(origin + "/robots.txt")
        except AddressRefused:
            raise
        except FetchError:  # TooLarge included
            parser.parse(_DISALLOW_ALL)  # RFC 9309 §2.3.1.4: unreachable means disallowed
        else:
            if resp.status_code >= 500:
                parser.parse(_DISALLOW_ALL)
            elif resp.status_code >= 400:
                parser.parse([])  # RFC 9309 §2.3.1.3: no robots.txt means all allowed
            else:
                parser.parse(body.decode("utf-8", "replace").splitlines())
        self._robots[origin] = parser
        return parser

    def fetch(self, url: str) -> FetchResult:
        """Return the resource at ``url``, following redirects; raise a FetchError subtype."""
        current = url
        for _ in range(self.max_redirects + 1):
            if self.respect_robots and not self._robots_for(current).can_fetch(
                self.user_agent, current
            ):
                raise RobotsDisallowed("robots.txt disallows fetching this URL", location=current)
            headers: dict[str, str] = {}
            validators = self.cache.get_validators(current) if self.cache else None
            if validators:
                etag, last_modified = validators
                if etag:
                    headers["If-None-Match"] = etag
                if last_modified:
                    headers["If-Modified-Since"] = last_modified
            resp, body = self._get(current, headers)
            if resp.status_code in (301, 302, 303, 307, 308) and "location" in resp.headers:
                current = urljoin(current, resp.headers["location"])
                continue
            if resp.status_code == 304:
                return FetchResult(current, 304, b"", "")
            if resp.status_code >= 400:
                raise FetchError(f"HTTP {resp.status_code}", location=current)
            result = FetchResult(
                url=current,
                status=resp.status_code,
                content=body,
                content_type=resp.headers.get("content-type", "").split(";")[0].strip().lower(),
                etag=resp.headers.get("etag"),
                last_modified=resp.headers.get("last-modified"),
            )
            return result
        raise FetchError(f"more than {self.max_redirects} redirects", location=url)

    def remember(self, url: str, result: FetchResult) -> None:
        """Save a fetched resource's validators, once what it held has been stored."""
        if self.cache and (result.etag or result.last_modified):
            self.cache.put_validators(url, result.etag, result.last_modified, result.status)
