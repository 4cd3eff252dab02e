"""Build the language pipeline and run it over reports, in order, as a stream."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import nkwatch.nlp.events  # registers the component factory
import nkwatch.nlp.morphology  # registers the component factory
import nkwatch.nlp.places  # registers the component factory
import nkwatch.nlp.time  # noqa: F401  registers the component factory
from nkwatch.errors import LanguageError
from nkwatch.nlp.sentences import sentence_offsets, text_of

if TYPE_CHECKING:
    from nkwatch.model import PlaceMention, TimeExpression
    from nkwatch.nlp.geo.assign import PlaceAssignment
    from nkwatch.nlp.temporal.assign import DateEstimate

LANGUAGES = ("en", "ko")
__all__ = [
    "LANGUAGES", "annotate", "build", "make_doc", "pipe", "pipe_languages", "places_of",
    "sentence_offsets", "shared", "text_of", "times_of",
]  # fmt: skip


def build(lang: str = "en") -> Language:
    """Return a blank pipeline for ``lang`` with the project's components.

    English splits sentences with spaCy's sentencizer; Korean with Kiwi (``nkwatch_kiwi``,
    which also keeps the morphemes), on spaCy's rule-based tokenizer (spaCy's own Korean one
    needs MeCab)."""
    if lang not in LANGUAGES:
        raise LanguageError(f"no pipeline for language {lang!r}; available: {', '.join(LANGUAGES)}")
    if lang == "ko":
        nlp = spacy.blank(
            "ko", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}}
        )
        nlp.add_pipe("nkwatch_kiwi", name="sentencizer")
    else:
        nlp = spacy.blank(lang)
        nlp.add_pipe("sentencizer")
    nlp.add_pipe("nkwatch_places")
    nlp.add_pipe("nkwatch_times")
    nlp.add_pipe("nkwatch_events")
    return nlp


def make_doc(nlp: Language, text: str, published: str | None) -> Doc:
    """Return the tokenized Doc of a body, with its publication date attached."""
    doc = nlp.make_doc(text)
    doc.user_data["nkwatch.text"] = text  # see sentences.text_of
    doc._.published = published
    return doc


def pipe(
    nlp: Language, reports: Iterable[tuple[str, str | None]], *, batch_size: int = 64
) -> Iterator[Doc]:
    """Yield the annotated Doc of each (body, published) pair, in input order."""
    docs = (make_doc(nlp, text, published) for text, published in reports)
    yield from nlp.pipe(docs, batch_size=batch_size)


def pipe_languages(
    pipelines: dict[str, Language],
    reports: list[tuple[str, str, str | None]],
    *,
    batch_size: int = 64,
) -> list[Doc | LanguageError]:
    """Return the annotated Doc of each (language, body, published), in input order, each run
    through its language's pipeline (built into ``pipelines`` when first needed); a report
    whose language has no working pipeline gets the :class:`LanguageError` instead."""
    out: list[Doc | LanguageError | None] = [None] * len(reports)
    for lang in dict.fromkeys(r[0] for r in reports):
        where = [i for i, r in enumerate(reports) if r[0] == lang]
        try:
            if lang not in pipelines:
                pipelines[lang] = build(lang)
            docs = pipe(
                pipelines[lang], ((reports[i][1], reports[i][2]) for i in where),
                batch_size=batch_size,
            )  # fmt: skip
            for i, doc in zip(where, docs, strict=True):
                out[i] = doc
        except LanguageError as exc:
            for i in where:
                out[i] = exc
    return [d for d in out if d is not None]


@lru_cache(maxsize=2)
def shared(lang: str = "en") -> Language:
    """Return one pipeline per language for the whole process (building one takes ~0.1 s)."""
    return build(lang)


def annotate(
    text: str, published: str | None, lang: str = "en", *, only: tuple[str, ...] | None = None
) -> Doc:
    """Return the annotated Doc of one body (the single-document wrapper around ``pipe``);
    ``only`` runs just those components (and the sentencizer)."""
    nlp = shared(lang)
    if only is None:
        return next(pipe(nlp, [(text, published)]))
    with nlp.select_pipes(enable=["sentencizer", *only]):
        return next(pipe(nlp, [(text, published)]))


def times_of(
    text: str, published: str | None, lang: str = "en"
) -> tuple[list[TimeExpression], DateEstimate | None]:
    """Return the temporal expressions of a body and, when undated, its date estimate."""
    doc = annotate(text, published, lang if lang in LANGUAGES else "en", only=("nkwatch_times",))
    return doc._.times, doc._.date_estimate


def places_of(text: str, lang: str = "en") -> tuple[list[PlaceMention], PlaceAssignment]:
    """Return the resolved place mentions of a body and the report's main place."""
    doc = annotate(text, None, lang if lang in LANGUAGES else "en", only=("nkwatch_places",))
    return doc._.places, doc._.report_place
