"""Readers: turn paths, globs and URLs into ``RawDocument``s, one reader per format.

Every reader yields documents and errors in one stream, so that a bad file, line or item is
reported and skipped while the rest of the batch goes on.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nkwatch.errors import SourceError
from nkwatch.model import RawDocument
from nkwatch.sources.common import apply_metadata, decode_bytes, source_name
from nkwatch.sources.feeds import read_feed
from nkwatch.sources.fetch import Fetcher, FetchResult
from nkwatch.sources.html import read_html
from nkwatch.sources.jsonl import iter_jsonl
from nkwatch.sources.text import SIDECAR_NAME, Sidecars, guess_title, read_text_file

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".feed"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
ALL_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | JSONL_SUFFIXES
# In the corpus format, these name a folder's metadata and annotations, not reports: skipped
# when a folder is walked, read when named on their own.
RESERVED_NAMES = {SIDECAR_NAME, "gold.jsonl"}


@dataclass(slots=True)
class Fetched:
    """A URL that was fetched: the response, so that its validators are saved once stored."""

    url: str
    result: FetchResult


def is_url(value: str) -> bool:
    """Return True when ``value`` is an http(s) URL rather than a path."""
    return value.startswith(("http://", "https://"))


def expand_paths(inputs: Iterable[str]) -> Iterator[Path | str | SourceError]:
    """Yield files (folders walked, globs expanded) and URLs named by ``inputs``, in order."""
    for item in inputs:
        if is_url(item):
            yield item
            continue
        path = Path(item)
        if path.is_dir():
            for child in _walk(item):
                name = os.path.basename(child)
                if os.path.splitext(name)[1].lower() in ALL_SUFFIXES and name not in RESERVED_NAMES:
                    yield Path(child)
        elif path.is_file():
            yield path
        elif any(ch in item for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True))
            files = [m for m in matches if m.is_file() and m.name not in RESERVED_NAMES]
            if not files:
                yield SourceError("pattern matches no files", location=item)
            yield from files
        else:
            yield SourceError("no such file, folder or URL", location=item)


def _walk(folder: str) -> Iterator[str]:
    """Yield the files under ``folder``, in the order of ``sorted(Path(folder).rglob("*"))``
    (names compared part by part), without following links to folders, as rglob does. The
    directory entries say what is a file, where rglob's paths would each be looked up again.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path)
        elif entry.is_file():
            yield entry.path


def read_file(
    path: Path,
    *,
    encoding: str | None = None,
    fetcher: Fetcher | None = None,
    sidecars: Sidecars | None = None,
) -> Iterator[RawDocument | SourceError]:
    """Yield the reports in one file, chosen by its suffix (or an error).

    A report alone in its file (text, HTML) takes its metadata from the folder's
    ``meta.jsonl`` when that has a record whose ``doc_id`` is the file's stem.
    """
    suffix = path.suffix.lower()
    location = str(path)
    sidecars = sidecars or Sidecars()
    try:
        if suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES:
            meta, errors = sidecars.lookup(path)
            yield from errors
            if suffix in TEXT_SUFFIXES:
                yield read_text_file(path, sidecar=meta, encoding=encoding)
                return
            html = decode_bytes(_read_bytes(path), location=location, encoding=encoding)
            doc = read_html(html, source=source_name(path), ext_id=path.stem)
            if meta:
                apply_metadata(doc, meta)
                doc.ext_id_given = True
            yield doc
        elif suffix in FEED_SUFFIXES:
            yield from read_feed(_read_bytes(path), source=source_name(path), fetcher=fetcher)
        elif suffix in JSONL_SUFFIXES:
            text = decode_bytes(_read_bytes(path), location=location, encoding=encoding)
            yield from iter_jsonl(text, source=source_name(path))
        else:
            yield SourceError(
                f"unknown format {suffix or '(no suffix)'!r}; expected one of "
                + ", ".join(sorted(ALL_SUFFIXES)),
                location=location,
            )
    except SourceError as exc:
        yield exc


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror}", location=str(path)) from None


def read_url(
    url: str, fetcher: Fetcher, *, encoding: str | None = None
) -> Iterator[RawDocument | SourceError | Fetched]:
    """Yield the reports at a URL (a page or a feed), then a ``Fetched`` marker.

    Nothing but the marker is yielded when the server says the resource has not changed.
    """
    try:
        result = fetcher.fetch(url)
        if not result.not_modified:
            yield from _read_response(result, fetcher, encoding)
    except SourceError as exc:
        yield exc
        return
    yield Fetched(url, result)


def _read_response(
    result: FetchResult, fetcher: Fetcher, encoding: str | None
) -> Iterator[RawDocument | SourceError]:
    """Yield the reports in a fetched response, read by its content type (or its first bytes)."""
    ctype = result.content_type
    head = result.content[:512].lstrip().lower()
    feed_type = any(t in ctype for t in ("xml", "rss", "atom"))
    if (feed_type or head.startswith((b"<?xml", b"<rss", b"<feed"))) and b"<html" not in head:
        yield from read_feed(result.content, source=result.url, fetcher=fetcher)
        return
    text = decode_bytes(result.content, location=result.url, encoding=encoding)
    if "json" in ctype and "<html" not in text[:1000].lower():
        yield from iter_jsonl(text, source=result.url)
        return
    if "html" in ctype or "<html" in text[:1000].lower():
        doc = read_html(text, source=result.url, ext_id=result.url, url=result.url)
    else:
        doc = RawDocument(ext_id=result.url, source=result.url, format="txt", raw=text, text=text)
        doc.url = result.url
        doc.title = guess_title(text)
    doc.ext_id_given = True
    yield doc


def read_inputs(
    inputs: Iterable[str],
    *,
    fetcher: Fetcher | None = None,
    encoding: str | None = None,
) -> Iterator[RawDocument | SourceError | Fetched]:
    """Yield every report named by ``inputs`` (files, folders, globs, URLs), errors in line."""
    sidecars = Sidecars()
    for item in expand_paths(inputs):
        if isinstance(item, SourceError):
            yield item
        elif isinstance(item, str):
            if fetcher is None:
                yield SourceError("URL given but fetching is not enabled", location=item)
            else:
                yield from read_url(item, fetcher, encoding=encoding)
        else:
            yield from read_file(item, encoding=encoding, fetcher=fetcher, sidecars=sidecars)
