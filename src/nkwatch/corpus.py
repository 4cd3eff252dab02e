"""Annotated corpora in the codebook's format (§9): documents plus one ``gold.jsonl``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nkwatch.clean import clean_text
from nkwatch.errors import CorpusError, NKWatchError
from nkwatch.model import RawDocument
from nkwatch.sources import read_inputs
from nkwatch.sources.lang import detect_language


@dataclass(slots=True)
class AnnotatedDocument:
    """One report of an annotated corpus: its cleaned body and its gold annotation."""

    doc_id: str
    body: str
    published: str | None
    language: str | None
    gold: dict[str, Any]

    @property
    def events(self) -> list[dict[str, Any]]:
        """Return the gold events."""
        events: list[dict[str, Any]] = self.gold.get("events", [])
        return events


def locate(body: str, quote: str, start: int = 0) -> tuple[int, int] | None:
    """Return the (start, end) offsets of ``quote`` in ``body``, white space folded."""
    words = quote.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    found = re.compile(pattern).search(body, start)
    return found.span() if found else None


def load_gold(path: Path) -> dict[str, dict[str, Any]]:
    """Return the gold annotations of a ``gold.jsonl`` by ``doc_id``."""
    gold: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(f"cannot read: {exc.strerror}", location=str(path)) from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"not JSON: {exc.msg}", location=f"{path}:{number}") from exc
        if not isinstance(record, dict) or not isinstance(record.get("doc_id"), str):
            raise CorpusError("a record needs a doc_id", location=f"{path}:{number}")
        gold[record["doc_id"]] = record
    return gold


def load_corpus(folder: str | Path) -> list[AnnotatedDocument]:
    """Return the annotated documents of a corpus folder, cleaned as ingest cleans them."""
    folder = Path(folder)
    gold = load_gold(folder / "gold.jsonl")
    docs: list[AnnotatedDocument] = []
    for item in read_inputs([str(folder)]):
        if isinstance(item, NKWatchError):
            raise CorpusError(str(item), location=str(folder))
        if not isinstance(item, RawDocument) or item.ext_id not in gold:
            continue
        body = clean_text(item.text, title=item.title, outlet=item.outlet).body
        record = gold[item.ext_id]
        docs.append(
            AnnotatedDocument(
                doc_id=item.ext_id,
                body=body,
                published=record.get("published", item.published),
                language=record.get("language") or item.language or detect_language(body),
                gold=record,
            )
        )
    missing = sorted(set(gold) - {d.doc_id for d in docs})
    if missing:
        raise CorpusError(f"gold.jsonl names documents not in the folder: {', '.join(missing)}",
                          location=str(folder))  # fmt: skip
    docs.sort(key=lambda d: d.doc_id)
    return docs
