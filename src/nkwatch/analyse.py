"""Run the language pipeline over stored reports and store what it finds.

``analyse(store)`` takes every latest revision the current extractor has not analysed (or all
with ``reprocess``), runs the pipeline as a stream in batches, and replaces each report's
places, events and tone in one transaction. A report the pipeline cannot take (a language it
has no pipeline for) is reported and left as it was; the rest go on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from spacy.language import Language

from nkwatch import __version__
from nkwatch.corpus import load_gold
from nkwatch.errors import LanguageError
from nkwatch.incidents import link_events
from nkwatch.model import Analysis, EventFilter, StoredDocument
from nkwatch.nlp.geo.gazetteer import load as load_gazetteer
from nkwatch.nlp.pipeline import LANGUAGES, pipe_languages
from nkwatch.store.base import Store
from nkwatch.translations import link_translations

_DATA = ("events.toml", "events_ko.toml", "place_cues.toml", "dated_events.toml")


@cache
def extractor_version() -> str:
    """Return the version of what extraction depends on: code, lexicons, gazetteer (the
    packaged data does not change while a process runs: computed once)."""
    digest = hashlib.sha256(__version__.encode())
    for name in _DATA:
        digest.update(resources.files("nkwatch.data").joinpath(name).read_bytes())
    digest.update(load_gazetteer().version.encode())
    return f"{__version__}+{digest.hexdigest()[:10]}"


@dataclass
class AnalyseReport:
    """What an analysis run did."""

    analysed: list[int] = field(default_factory=list)
    events: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (ext_id, why)
    translations: int = 0  # reports linked to the same report in another language
    linked: int = 0  # events put in an incident another report already tells

    def summary(self) -> dict[str, Any]:
        """Return the counts as JSON-ready data."""
        return {
            "analysed": len(self.analysed),
            "events": self.events,
            "translations": self.translations,
            "linked": self.linked,
            "skipped": [{"ext_id": e, "why": w} for e, w in self.skipped],
        }


def _language(doc: StoredDocument) -> str:
    return doc.language or "en"


def analyse(
    store: Store,
    *,
    reprocess: bool = False,
    ids: Iterable[int] | None = None,
    batch_size: int = 64,
    on_document: Callable[[], None] | None = None,
) -> AnalyseReport:
    """Analyse the reports that need it (or ``ids``) and store the results."""
    version = extractor_version()
    gazetteer = load_gazetteer().version
    todo = list(ids) if ids is not None else store.to_analyse(version, reprocess=reprocess)
    report = AnalyseReport()
    nlp: dict[str, Language] = {}

    def docs() -> Iterator[StoredDocument]:
        for doc_id in todo:
            with store.unredacted():  # the pipeline reads the report as stored
                doc = store.get(doc_id)
            if _language(doc) not in LANGUAGES:
                report.skipped.append((doc.ext_id, f"no pipeline for language {doc.language!r}"))
                if on_document:
                    on_document()
                continue
            yield doc

    stream = docs()
    while True:
        batch = [d for _, d in zip(range(batch_size), stream, strict=False)]
        if not batch:
            break
        done = pipe_languages(
            nlp, [(_language(d), d.body, d.published) for d in batch], batch_size=batch_size
        )
        for doc, annotated in zip(batch, done, strict=True):
            if isinstance(annotated, LanguageError):
                report.skipped.append((doc.ext_id, annotated.message))
                if on_document:
                    on_document()
                continue
            events = annotated._.events
            tone = annotated._.tone
            store.save_analysis(
                Analysis(
                    doc_id=doc.id,
                    places=annotated._.places,
                    events=events,
                    tone=tone.label,
                    tone_evidence={"inducement": tone.inducement, "coercion": tone.coercion},
                    gazetteer=gazetteer,
                    extractor=version,
                )
            )
            report.analysed.append(doc.id)
            report.events += len(events)
            if on_document:
                on_document()
    report.translations = link_translations(store, report.analysed)
    report.linked = link_events(store, report.analysed)
    return report


def predictions(store: Store, docs: Iterable[StoredDocument]) -> dict[str, dict[str, Any]]:
    """Return the stored analysis of reports in the codebook's file format, by external id."""
    out: dict[str, dict[str, Any]] = {}
    for doc in docs:
        doc_id = doc.id
        events = []
        for e in store.events(EventFilter(doc_id=doc_id), limit=100_000):
            record = {k: e[k] for k in (
                "type", "modality", "actor", "target", "place", "admin1", "admin2", "when",
                "count", "penalty", "law", "evidence",
            )}  # fmt: skip
            if e["also"]:
                record["also"] = [a["quote"] for a in e["also"]]
            events.append((e["evidence_start"], record))
        out[doc.ext_id] = {
            "doc_id": doc.ext_id,
            "published": doc.published,
            "language": doc.language,
            "tone": store.tone_of(doc_id),
            "events": [r for _, r in sorted(events, key=lambda x: x[0])],
        }
    return out


def gold_of(folder: str) -> dict[str, dict[str, Any]]:
    """Return the gold records of an annotated folder (its ``gold.jsonl``), by ``doc_id``."""
    return load_gold(Path(folder) / "gold.jsonl")
