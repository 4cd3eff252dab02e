"""JSON Lines: one report per line, the fields of ``meta.jsonl`` plus ``text`` (or ``html``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from nkwatch.errors import JSONLError, SourceError
from nkwatch.model import RawDocument
from nkwatch.sources.common import apply_metadata, normalize_metadata
from nkwatch.sources.html import read_html


def read_jsonl_line(line: str, *, source: str, lineno: int) -> RawDocument:
    """Return the report on one JSONL line; raise JSONLError naming the line and field."""
    location = f"{source}:{lineno}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise JSONLError(f"not JSON ({exc.msg} at column {exc.colno})", location=location) from None
    if not isinstance(obj, dict):
        raise JSONLError("a line must be a JSON object", location=location)
    text = obj.pop("text", None)
    html = obj.pop("html", None)
    if text is None and html is None:
        raise JSONLError("record has no 'text' (or 'html') field", location=location)
    if (text is not None and not isinstance(text, str)) or (
        html is not None and not isinstance(html, str)
    ):
        raise JSONLError("field 'text' must be a string", location=location)
    meta = normalize_metadata(obj, location=location)
    ext_id = meta.get("ext_id") or f"{Path(source).stem}-{lineno}"
    if html is not None and text is None:
        doc = read_html(html, source=location, ext_id=ext_id, url=meta.get("url"))
        doc.format = "jsonl"
    else:
        assert text is not None
        doc = RawDocument(ext_id=ext_id, source=location, format="jsonl", raw=line, text=text)
    apply_metadata(doc, meta)
    doc.ext_id_given = bool(meta.get("ext_id"))
    return doc


def iter_jsonl(text: str, *, source: str) -> Iterator[RawDocument | SourceError]:
    """Yield the report of each line of a JSONL file, or an error naming the bad line."""
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield read_jsonl_line(line, source=source, lineno=lineno)
        except SourceError as exc:
            yield exc
