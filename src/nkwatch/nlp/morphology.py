"""Korean sentences and morphemes, and the ``nkwatch_kiwi`` spaCy component.

Kiwi (kiwipiepy; its model ships in the ``kiwipiepy_model`` package: nothing is downloaded)
analyses Korean into morphemes. Analysis is most of the cost of a Korean report, so it runs
only where morphemes are read: around the connective endings (고, 며, 면서, 는데, 지만 …) that
may close a clause, in the sentences that may hold an event (``needs``: a trigger of the Korean
lexicon; any sentence when none is given). Sentences are cut where Korean news sentences end (a
final ending and a full stop, outside quotes; a line break). The component marks spaCy's
sentence starts there, so every later component reads sentences as it does for English
(``sentence_offsets``), and keeps the morphemes, with their offsets in the body, for the Korean
event extractor (clause boundaries).
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
CONNECTIVE = re.compile(r"[가-힣\"”’'](?:고|며|서|데|만|나|자)\s")


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
    """Return the (start, end) offsets of the sentences of ``text`` and the morphemes around
    the connective endings of the sentences ``needs`` accepts (all when it is None).

    A connective ending is told from a word that merely ends in the same syllable (보고 "a
    report", 위반자 "offender") by its word and the words either side of it, so Kiwi analyses
    those three words, not the whole sentence: the morphemes cover each window, in order."""
    sentences = split_sentences(text)
    windows: list[tuple[int, int]] = []
    for start, end in sentences:
        sentence = text[start:end]
        if needs is not None and not needs(sentence):
            continue
        for m in CONNECTIVE.finditer(sentence):
            space = m.end() - 1
            before = sentence.rfind(" ", 0, sentence.rfind(" ", 0, space))
            after = sentence.find(" ", space + 1)
            lo = start + before + 1
            hi = start + (after if after >= 0 else len(sentence))
            if windows and lo <= windows[-1][1]:
                windows[-1] = (windows[-1][0], hi)
            else:
                windows.append((lo, hi))
    morphemes: list[Morpheme] = []
    if windows:
        analysed = kiwi().tokenize([text[lo:hi] for lo, hi in windows])
        for (lo, _), tokens in zip(windows, analysed, strict=True):
            morphemes.extend(
                Morpheme(t.form, t.tag, lo + t.start, lo + t.start + t.len) for t in tokens
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
    return KiwiComponent(lambda sentence: candidates.search(sentence) is not None)
