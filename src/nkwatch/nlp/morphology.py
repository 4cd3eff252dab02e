"""Korean sentences and morphemes with kiwipiepy, and the ``nkwatch_kiwi`` spaCy component.

Kiwi (its model ships in the ``kiwipiepy_model`` package: nothing is downloaded) splits a
Korean body into sentences and morphemes in one pass. The component marks spaCy's sentence
starts where Kiwi's sentences start, so every later component reads sentences as it does for
English (``sentence_offsets``), and keeps the morphemes, with their offsets in the body, for the
Korean event extractor (clause boundaries, the particle after a name).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nkwatch.errors import LanguageError

_MORPHEMES = "nkwatch.morphemes"


@dataclass(frozen=True, slots=True)
class Morpheme:
    """One morpheme: its form (normalized, e.g. "하" in "했다"), Sejong tag and offsets."""

    form: str
    tag: str
    start: int
    end: int


@cache
def kiwi() -> Any:
    """Return the process's Kiwi analyser (loading the model takes about a second)."""
    try:
        from kiwipiepy import Kiwi  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the korean extra is not installed
        raise LanguageError(
            "Korean reports need kiwipiepy: pip install 'nkwatch[korean]'"
        ) from None
    # One thread: scale-out runs one process per core.
    return Kiwi(num_workers=1, model_type="cong")


def analyse(text: str) -> tuple[list[tuple[int, int]], list[Morpheme]]:
    """Return the (start, end) offsets of the sentences of ``text`` and its morphemes."""
    sentences: list[tuple[int, int]] = []
    morphemes: list[Morpheme] = []
    if not text.strip():
        return sentences, morphemes
    for sentence in kiwi().split_into_sents(text, return_tokens=True):
        sentences.append((sentence.start, sentence.end))
        morphemes.extend(
            Morpheme(t.form, t.tag, t.start, t.start + t.len) for t in sentence.tokens or ()
        )
    return sentences, morphemes


def morphemes_of(doc: Doc) -> list[Morpheme]:
    """Return the morphemes the component stored on ``doc`` (empty when it did not run)."""
    return list(doc.user_data.get(_MORPHEMES, ()))


class KiwiComponent:
    """Sets sentence starts from Kiwi's sentences and keeps the morphemes on the Doc."""

    def __call__(self, doc: Doc) -> Doc:
        sentences, morphemes = analyse(doc.text)
        doc.user_data[_MORPHEMES] = morphemes
        if len(doc) == 0:
            return doc
        starts = [t.idx for t in doc]
        first = {0}
        for start, _ in sentences:
            i = bisect.bisect_left(starts, start)
            if i < len(doc):
                first.add(i)
        for token in doc:
            token.is_sent_start = token.i in first
        return doc


@Language.factory("nkwatch_kiwi", assigns=["token.is_sent_start"])
def make_kiwi_component(nlp: Language, name: str) -> KiwiComponent:
    """Return the Korean sentence and morpheme component (``morphology.kiwi.v1``)."""
    return KiwiComponent()
