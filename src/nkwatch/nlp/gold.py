"""Gold events of an annotated corpus with the pipeline's view of their report: what the
stage evaluations (time, places) iterate over."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc

from nkwatch.corpus import AnnotatedDocument, locate
from nkwatch.nlp.pipeline import build, pipe
from nkwatch.nlp.sentences import sentence_offsets


@dataclass(slots=True)
class GoldEvidence:
    """One gold event, its report as annotated and as the pipeline saw it, and where its
    evidence lies in the body (``span`` is None when the quote is not found)."""

    document: AnnotatedDocument
    doc: Doc
    sentences: list[tuple[int, int]]
    event: dict[str, Any]
    span: tuple[int, int] | None

    @property
    def sentence(self) -> str:
        """Return the sentence holding the evidence ("" when it was not found)."""
        if self.span is None:
            return ""
        start = self.span[0]
        s, e = next(((s, e) for s, e in self.sentences if s <= start < e), self.span)
        return self.document.body[s:e]


def gold_evidence(docs: list[AnnotatedDocument], language: str = "en") -> Iterator[GoldEvidence]:
    """Yield every gold event of ``docs``, the reports run through the pipeline as a stream."""
    nlp = build(language)
    for annotated, doc in zip(docs, pipe(nlp, ((d.body, d.published) for d in docs)), strict=True):
        sentences = sentence_offsets(doc)
        for event in annotated.events:
            span = locate(annotated.body, event["evidence"])
            yield GoldEvidence(annotated, doc, sentences, event, span)
