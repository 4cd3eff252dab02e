"""Sentence offsets of a Doc, read once from its token arrays and shared by the components."""

from __future__ import annotations

import numpy as np
from spacy.tokens import Doc

_SENTENCES = "nkwatch.sentences"


def sentence_offsets(doc: Doc) -> list[tuple[int, int]]:
    """Return the (start, end) character offsets of the Doc's sentences (as ``doc.sents``
    gives them), read from token arrays once per Doc and cached: iterating ``doc.sents``
    builds a Python object per token, which costs more than the whole place stage."""
    cached = doc.user_data.get(_SENTENCES)
    if cached is not None:
        return list(cached)
    if len(doc) == 0:
        return []
    if not doc.has_annotation("SENT_START"):
        return [(0, len(doc.text))]
    arr = doc.to_array(["SENT_START", "IDX", "LENGTH"]).astype(np.int64)
    starts = np.flatnonzero(arr[:, 0] == 1)
    if len(starts) == 0 or starts[0] != 0:
        starts = np.concatenate(([0], starts))
    lasts = np.concatenate((starts[1:] - 1, [len(doc) - 1]))
    offsets = [
        (int(arr[a, 1]), int(arr[b, 1] + arr[b, 2])) for a, b in zip(starts, lasts, strict=True)
    ]
    doc.user_data[_SENTENCES] = offsets
    return list(offsets)


_TEXT = "nkwatch.text"


def text_of(doc: Doc) -> str:
    """Return ``doc.text``, cached: spaCy joins every token's text again on each access."""
    cached = doc.user_data.get(_TEXT)
    if cached is None:
        cached = doc.text
        doc.user_data[_TEXT] = cached
    return str(cached)
