"""Plain-text reports, with metadata from a sidecar ``meta.jsonl`` or YAML front matter."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from nkwatch.errors import FieldError, JSONLError, SourceError
from nkwatch.model import RawDocument
from nkwatch.sources.common import (
    apply_metadata,
    decode_bytes,
    normalize_metadata,
    source_name,
)

SIDECAR_NAME = "meta.jsonl"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?。]['\"”’)]*$")


def load_sidecar(path: Path) -> tuple[dict[str, dict[str, Any]], list[SourceError]]:
    """Return the records of a ``meta.jsonl`` keyed by ``doc_id``, and its bad lines as errors."""
    records: dict[str, dict[str, Any]] = {}
    errors: list[SourceError] = []
    data = decode_bytes(path.read_bytes(), location=str(path))
    for lineno, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        location = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(
                JSONLError(f"not JSON ({exc.msg} at column {exc.colno})", location=location)
            )
            continue
        if not isinstance(obj, dict):
            errors.append(JSONLError("a line must be a JSON object", location=location))
            continue
        try:
            meta = normalize_metadata(obj, location=location)
        except SourceError as exc:
            errors.append(exc)
            continue
        if not meta.get("ext_id"):
            errors.append(JSONLError("record has no 'doc_id'", location=location))
            continue
        records[meta["ext_id"]] = meta
    return records, errors


def split_front_matter(text: str, *, location: str) -> tuple[dict[str, Any], str]:
    """Return (metadata, text) where the front matter block is blanked out, offsets kept.

    The block is replaced by spaces (its newlines kept), so that offsets in the returned text
    are offsets in the file as ingested.
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise FieldError(f"front matter is not valid YAML: {exc}", location=location) from None
    if not isinstance(meta, dict):
        raise FieldError("front matter must be a mapping of fields", location=location)
    blank = re.sub(r"[^\r\n]", " ", text[: m.end()])
    return {str(k): v for k, v in meta.items()}, blank + text[m.end() :]


def guess_title(text: str) -> str | None:
    """Return the first line as a title when it looks like one (short, then a blank line)."""
    stripped = text.lstrip()
    first, _, rest = stripped.partition("\n")
    first = first.strip()
    if not first or len(first.split()) > 30:
        return None
    if rest.startswith(("\n", "\r\n")) or not _SENTENCE_END.search(first):
        return first
    return None


def read_text_file(
    path: Path,
    *,
    sidecar: dict[str, Any] | None = None,
    encoding: str | None = None,
) -> RawDocument:
    """Return the report in a ``.txt`` file, its metadata from front matter or the sidecar."""
    location = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror}", location=location) from None
    raw = decode_bytes(data, location=location, encoding=encoding)
    front, text = split_front_matter(raw, location=location)
    doc = RawDocument(ext_id=path.stem, source=source_name(path), format="txt", raw=raw, text=text)
    if front:
        meta = normalize_metadata(front, location=location)
        apply_metadata(doc, meta)
        doc.ext_id_given = bool(meta.get("ext_id"))
    if sidecar:
        apply_metadata(doc, sidecar, override=not front)
        doc.ext_id_given = True
    if doc.title is None:
        doc.title = guess_title(text)
    return doc


class Sidecars:
    """The ``meta.jsonl`` of each folder, loaded once, with the errors of its bad lines."""

    def __init__(self) -> None:
        self._folders: dict[Path, dict[str, dict[str, Any]]] = {}

    def lookup(self, path: Path) -> tuple[dict[str, Any] | None, list[SourceError]]:
        """Return the sidecar record for ``path`` (by file stem), and errors the first time."""
        folder = path.parent
        errors: list[SourceError] = []
        if folder not in self._folders:
            side = folder / SIDECAR_NAME
            records: dict[str, dict[str, Any]] = {}
            if side.is_file():
                try:
                    records, errors = load_sidecar(side)
                except SourceError as exc:
                    errors = [exc]
            self._folders[folder] = records
        return self._folders[folder].get(path.stem), errors
