"""What every reader shares: decoding bytes, applying metadata, naming documents."""

from __future__ import annotations

import codecs
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from nkwatch.errors import EncodingError, FieldError
from nkwatch.model import RawDocument
from nkwatch.sources.dates import parse_publication_date

# Field names users put in metadata, mapped to ours (meta.jsonl, JSONL, front matter).
FIELD_ALIASES = {
    "doc_id": "ext_id",
    "id": "ext_id",
    "title": "title",
    "headline": "title",
    "published": "published",
    "date": "published",
    "outlet": "outlet",
    "source": "outlet",
    "site": "outlet",
    "url": "url",
    "link": "url",
    "language": "language",
    "lang": "language",
}
STRING_FIELDS = ("ext_id", "title", "outlet", "url", "language")


def source_name(path: Path) -> str:
    """Return the absolute, resolved path of a file read, as its documents' ``source``.

    The same as ``str(path.resolve())`` at a fraction of the cost when a folder of reports is
    read: the folder is resolved once, and a file that is not a symbolic link is its name in
    the resolved folder (``resolve`` looks up every component of every file's path).
    """
    if path.name in ("", ".", "..") or path.is_symlink():
        return str(path.resolve())
    return os.path.join(_resolved_folder(os.path.abspath(path.parent)), path.name)


@lru_cache(maxsize=256)
def _resolved_folder(folder: str) -> str:  # absolute: the working folder may change
    return str(Path(folder).resolve())


def decode_bytes(data: bytes, *, location: str, encoding: str | None = None) -> str:
    """Return ``data`` decoded as text; raise EncodingError naming the first bad byte."""
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise EncodingError(f"unknown encoding {encoding!r}", location=location) from None
        except UnicodeDecodeError as exc:
            raise EncodingError(
                f"not {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                location=location,
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise EncodingError("binary data (NUL bytes), not a text document", location=location)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8 or pass --encoding (e.g. --encoding cp949)",
            location=location,
        ) from None


def normalize_metadata(meta: Mapping[str, Any], *, location: str) -> dict[str, Any]:
    """Return ``meta`` with our field names and checked values; raise on a bad field.

    Unknown keys are kept under their own names (they end up in the document's ``extra``).
    """
    out: dict[str, Any] = {}
    for key, value in meta.items():
        name = FIELD_ALIASES.get(key, key)
        if name in out and key not in FIELD_ALIASES.values():
            continue  # the canonical key wins over an alias
        if name == "published":
            out[name] = parse_publication_date(value, location=location, field=key)
        elif name in STRING_FIELDS:
            if value is None:
                out[name] = None
            elif isinstance(value, str | int) and not isinstance(value, bool):
                out[name] = str(value).strip() or None
            else:
                raise FieldError(
                    f"field {key!r} must be a string, not {type(value).__name__}",
                    location=location,
                )
        else:
            out[name] = value
    if out.get("language"):
        out["language"] = str(out["language"]).lower().split("-")[0]
    return out


def apply_metadata(doc: RawDocument, meta: Mapping[str, Any], *, override: bool = True) -> None:
    """Set the document's fields from normalized ``meta`` (only empty ones unless ``override``)."""
    for name, value in meta.items():
        if value is None:
            continue
        if name in ("ext_id", "title", "published", "outlet", "url", "language"):
            if override or getattr(doc, name) in (None, ""):
                setattr(doc, name, value)
        else:
            doc.extra.setdefault(name, value)
