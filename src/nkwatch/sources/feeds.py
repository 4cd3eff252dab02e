"""RSS and Atom feeds: each item a report; items that hold only a summary are followed to
their page when a fetcher is available.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from nkwatch.errors import FeedError, SourceError
from nkwatch.model import RawDocument
from nkwatch.sources.common import decode_bytes
from nkwatch.sources.dates import parse_publication_date
from nkwatch.sources.fetch import Fetcher
from nkwatch.sources.html import html_fragment_to_text, read_html

# A summary shorter than this is a teaser, not the report.
FULL_TEXT_MIN_WORDS = 120


def parse_feed(data: bytes, *, location: str) -> Any:
    """Return the feedparser result for ``data``; raise FeedError when it is not a feed."""
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        detail = f" ({reason})" if reason else ""
        raise FeedError(f"not an RSS or Atom feed{detail}", location=location)
    return parsed


def _entry_body(entry: Any) -> tuple[str, bool]:
    """Return the entry's text and whether it is the full report rather than a summary."""
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        text = html_fragment_to_text(value)
        if text:
            return text, True
    summary = html_fragment_to_text(entry.get("summary") or "")
    return summary, len(summary.split()) >= FULL_TEXT_MIN_WORDS


def read_feed(
    data: bytes,
    *,
    source: str,
    fetcher: Fetcher | None = None,
) -> Iterator[RawDocument | SourceError]:
    """Yield a report for each feed item (or an error for each item that cannot be read)."""
    parsed = parse_feed(data, location=source)
    feed_title = parsed.feed.get("title")
    feed_lang = parsed.feed.get("language")
    for index, entry in enumerate(parsed.entries, 1):
        location = f"{source}#item{index}"
        link = entry.get("link")
        ext_id = entry.get("id") or link or f"{source}#item{index}"
        try:
            published = None
            for key in ("published_parsed", "updated_parsed"):
                if entry.get(key):
                    published = parse_publication_date(entry[key], location=location)
                    break
            text, full = _entry_body(entry)
            doc: RawDocument | None = None
            warning = None
            if not full and link and fetcher is not None:
                try:
                    page = fetcher.fetch(link)
                    html = decode_bytes(page.content, location=link)
                    doc = read_html(html, source=link, ext_id=ext_id, url=page.url)
                    doc.format = "rss"
                except SourceError as exc:
                    warning = f"item holds only a summary and its page could not be read: {exc}"
            if doc is None:
                if not text:
                    raise SourceError("item has neither content nor summary", location=location)
                item = {k: entry.get(k) for k in ("id", "title", "link", "published", "summary")}
                item["content"] = [c.get("value") for c in entry.get("content") or []]
                doc = RawDocument(
                    ext_id=ext_id,
                    source=location,
                    format="rss",
                    raw=json.dumps(item, ensure_ascii=False),
                    text=text,
                )
                if not full:
                    doc.extra["summary_only"] = True
                    doc.extra.setdefault("warnings", []).append(
                        warning or "item holds only a summary; its page was not fetched"
                    )
            doc.ext_id_given = True
            doc.title = entry.get("title") or doc.title
            doc.published = published or doc.published
            doc.url = link or doc.url
            doc.outlet = feed_title or doc.outlet
            doc.language = doc.language or (feed_lang.split("-")[0].lower() if feed_lang else None)
            doc.extra["feed"] = source
            yield doc
        except SourceError as exc:
            yield exc
