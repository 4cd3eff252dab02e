"""The URL fetcher against a loopback server: robots, conditional GET, size cap, SSRF guard."""

from __future__ import annotations

import time

import pytest

from nkwatch.errors import AddressRefused, FetchError, RobotsDisallowed, TooLarge
from nkwatch.ingest import ingest
from nkwatch.sources.fetch import Fetcher, check_address
from nkwatch.store.base import Store

from .conftest import LoopbackServer, Route
from .test_sources import ARTICLE_HTML, RSS

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


@pytest.fixture
def site(server: LoopbackServer) -> LoopbackServer:
    server.routes["/robots.txt"] = Route(ROBOTS, "text/plain")
    server.routes["/news/onsong"] = Route(ARTICLE_HTML.encode(), etag='"v1"')
    server.routes["/private/secret"] = Route(b"<html><body><p>secret</p></body></html>")
    server.routes["/big"] = Route(b"x" * 5000, "text/plain")
    server.routes["/moved"] = Route(b"", status=301, headers={"Location": "/news/onsong"})
    return server


def test_private_addresses_refused_by_default(site: LoopbackServer) -> None:
    with Fetcher(delay=0) as fetcher, pytest.raises(AddressRefused, match="--allow-private"):
        fetcher.fetch(site.url("/news/onsong"))
    assert site.log == []  # refused before any request was sent
    for url in (
        "http://localhost/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://169.254.169.254/",
    ):
        with pytest.raises(AddressRefused):
            check_address(url)
    with pytest.raises(AddressRefused, match="only http"):
        check_address("file:///etc/passwd")


def test_robots_txt_is_respected(site: LoopbackServer) -> None:
    with Fetcher(allow_private=True, delay=0) as fetcher:
        with pytest.raises(RobotsDisallowed):
            fetcher.fetch(site.url("/private/secret"))
        assert site.hits("/private/secret") == 0
        assert fetcher.fetch(site.url("/news/onsong")).status == 200
    assert site.hits("/robots.txt") == 1  # fetched once per host
    with Fetcher(allow_private=True, delay=0, respect_robots=False) as fetcher:
        assert fetcher.fetch(site.url("/private/secret")).status == 200


def test_robots_server_error_means_disallow(server: LoopbackServer) -> None:
    server.routes["/robots.txt"] = Route(b"oops", status=503)
    server.routes["/a"] = Route(b"<p>a</p>")
    with Fetcher(allow_private=True, delay=0) as fetcher, pytest.raises(RobotsDisallowed):
        fetcher.fetch(server.url("/a"))


def test_size_cap(site: LoopbackServer) -> None:
    with Fetcher(allow_private=True, delay=0, max_bytes=1000) as fetcher, pytest.raises(TooLarge):
        fetcher.fetch(site.url("/big"))


def test_http_errors_and_redirects(site: LoopbackServer) -> None:
    with Fetcher(allow_private=True, delay=0) as fetcher:
        with pytest.raises(FetchError, match="HTTP 404"):
            fetcher.fetch(site.url("/missing"))
        result = fetcher.fetch(site.url("/moved"))
        assert result.url == site.url("/news/onsong") and result.status == 200


def test_per_host_delay(site: LoopbackServer) -> None:
    with Fetcher(allow_private=True, delay=0.3) as fetcher:
        fetcher.fetch(site.url("/news/onsong"))
        start = time.monotonic()
        fetcher.fetch(site.url("/news/onsong"))
        assert time.monotonic() - start >= 0.29


def test_conditional_get_makes_repolling_cheap(site: LoopbackServer, store: Store) -> None:
    url = site.url("/news/onsong")
    with Fetcher(cache=store, allow_private=True, delay=0) as fetcher:
        first = ingest(store, [url], fetcher=fetcher)
        assert first.summary()["stored"] == 1
        second = ingest(store, [url], fetcher=fetcher)
    assert second.summary()["not_modified"] == 1 and second.summary()["stored"] == 0
    assert site.log[-1][2].get("If-None-Match") == '"v1"'
    doc = store.get(url)
    assert doc.format == "html" and doc.url == url and "detained two phone brokers" in doc.body
    # A changed page at the same URL is a new revision, not an overwrite.
    site.routes["/news/onsong"] = Route(
        ARTICLE_HTML.replace("two phone brokers", "three phone brokers").encode(), etag='"v2"'
    )
    with Fetcher(cache=store, allow_private=True, delay=0) as fetcher:
        third = ingest(store, [url], fetcher=fetcher)
    assert third.summary()["revisions"] == 1
    assert store.get(url).revision == 2 and "three phone brokers" in store.get(url).body


def test_feed_url_ingested_item_by_item(server: LoopbackServer, store: Store) -> None:
    server.routes["/robots.txt"] = Route(b"", "text/plain")
    server.routes["/musan"] = Route(ARTICLE_HTML.replace("Onsong", "Musan").encode())
    server.routes["/feed"] = Route(
        RSS.replace("{page}", server.url("/musan")).encode(), "application/rss+xml"
    )
    with Fetcher(cache=store, allow_private=True, delay=0) as fetcher:
        report = ingest(store, [server.url("/feed")], fetcher=fetcher)
    assert report.summary()["stored"] == 2
    assert store.get("urn:example:b").title == "Musan squads"
