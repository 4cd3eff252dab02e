"""The benchmarks' input: the reports of a folder in one language, cleaned as ingest cleans them."""

from __future__ import annotations

from pathlib import Path

from nkwatch.clean import clean_text
from nkwatch.model import RawDocument
from nkwatch.sources import read_inputs

ROOT = Path(__file__).resolve().parents[1]


def english_reports(folder: Path) -> list[tuple[str, str | None]]:
    """Return (body, published) of the folder's English reports (Korean text left out)."""
    reports = []
    for item in read_inputs([str(folder)]):
        if isinstance(item, RawDocument) and (item.language or "en") == "en":
            body = clean_text(item.text, title=item.title, outlet=item.outlet).body
            if not any("\uac00" <= c <= "\ud7a3" for c in body[:200]):
                reports.append((body, item.published))
    return reports


def korean_reports(folder: Path) -> list[tuple[str, str | None]]:
    """Return (body, published) of the folder's Korean reports."""
    reports = []
    for item in read_inputs([str(folder)]):
        if isinstance(item, RawDocument) and item.language == "ko":
            body = clean_text(item.text, title=item.title, outlet=item.outlet).body
            reports.append((body, item.published))
    return reports
