"""Korean sentences and morphemes, and the ``nkwatch_kiwi`` spaCy component.

Kiwi (kiwipiepy; its model ships in the ``kiwipiepy_model`` package: nothing is downloaded)
analyses Korean into morphemes and sentences. Analysis is most of the cost of a Korean report,
so it runs where morphemes are read: on the sentences that may hold an event and may hold more
than one clause (``needs``: a trigger of the Korean lexicon and a connective ending's surface;
any sentence when none is given). Sentences are first cut
where Korean news sentences end (a final ending and a full stop, outside quotes; a line break);
a stretch Kiwi analyses is re-split where Kiwi finds a sentence end inside it. The component
marks spaCy's sentence starts there, so every later component reads sentences as it does for
English (``sentence_offsets``), and keeps the morphemes, with their offsets in the body, for the
Korean event extractor (clause boundaries).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from nkwatch.errors import LanguageError

_MORPHEMES = "nkwatch.morphemes"


# A full stop (or ? !) after a Hangul syllable, a closing quote or bracket, before white space.
_SENTENCE_END = re.compile(r"(?<=[가-힣\"”’')\]])[.?!](?=\s)|\n+")
_QUOTE = re.compile(r"[\"“”]")
# Where a connective ending may close a clause (the surface of 고, 며, 면서, 는데, 지만, 으나, 자
# before a space): a sentence with none has a single clause and needs no morphemes.
CONNECTIVE = re.compile(r"[가-힣](?:고|며|서|데|만|나|자)\s")


class Morpheme(NamedTuple):
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


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of the sentences of ``text`` by the rule of Korean news
    text: a sentence ends at a full stop after a syllable or a closing quote, outside quotes,
    or at a line break."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.group()[0] != "\n" and len(_QUOTE.findall(text, start, m.start())) % 2:
            continue  # inside a quote
        end = m.end() if m.group()[0] != "\n" else m.start()
        if text[start:end].strip():
            out.append(_trim(text, start, end))
        start = m.end()
    if text[start:].strip():
        out.append(_trim(text, start, len(text)))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def analyse(
    text: str, needs: Callable[[str], bool] | None = None
) -> tuple[list[tuple[int, int]], list[Morpheme]]:
    """Return the (start, end) offsets of the sentences of ``text`` and the morphemes of the
    sentences ``needs`` accepts (all when it is None)."""
    sentences: list[tuple[int, int]] = []
    morphemes: list[Morpheme] = []
    for start, end in split_sentences(text):
        if needs is not None and not needs(text[start:end]):
            sentences.append((start, end))
            continue
        for sentence in kiwi().split_into_sents(text[start:end], return_tokens=True):
            sentences.append((start + sentence.start, start + sentence.end))
            morphemes.extend(
                Morpheme(t.form, t.tag, start + t.start, start + t.start + t.len)
                for t in sentence.tokens or ()
            )
    return sentences, morphemes


def morphemes_of(doc: Doc) -> list[Morpheme]:
    """Return the morphemes the component stored on ``doc`` (empty when it did not run)."""
    return list(doc.user_data.get(_MORPHEMES, ()))


class KiwiComponent:
    """Sets sentence starts and keeps the morphemes on the Doc (see the module's text)."""

    def __init__(self, needs: Callable[[str], bool] | None) -> None:
        self.needs = needs

    def __call__(self, doc: Doc) -> Doc:
        from nkwatch.nlp.sentences import text_of

        text = text_of(doc)
        sentences, morphemes = analyse(text, self.needs)
        doc.user_data[_MORPHEMES] = morphemes
        if len(doc) == 0:
            return doc
        starts = doc.to_array(["IDX"]).astype(np.int64)
        flags = np.full(len(doc), -1, dtype=np.int64)
        for start, _ in sentences:
            i = int(np.searchsorted(starts, start))
            if i < len(doc):
                flags[i] = 1
        flags[0] = 1
        column: Any = flags.astype(np.uint64).reshape(-1, 1)
        doc.from_array(["SENT_START"], column)
        return doc


@Language.factory("nkwatch_kiwi", assigns=["token.is_sent_start"])
def make_kiwi_component(nlp: Language, name: str) -> KiwiComponent:
    """Return the Korean sentence and morpheme component (``morphology.kiwi.v1``): morphemes
    for the sentences that hold a trigger of the Korean lexicon."""
    from nkwatch.nlp.extraction.korean import load_korean

    candidates = load_korean().candidates
    return KiwiComponent(
        lambda sentence: candidates.search(sentence) is not None
        and CONNECTIVE.search(sentence) is not None
    )
