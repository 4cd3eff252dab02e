"""Language identification: Hangul share for Korean, py3langid for the rest."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LETTER = re.compile(r"[^\W\d_]")
# Languages a report in this field is realistically written in; a closed set keeps
# py3langid from guessing exotic languages on short English texts.
CANDIDATES = ("en", "ko", "zh", "ja", "ru", "fr", "de", "es")
# English function words. Running English prose has about one in four words among them
# (the, of, and, to, in ...); no other candidate language comes near, so a high share
# settles "en" without the statistical model, which is the slow path.
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to in a is that for on was with as by at from said it his her their were has "
    "have had be been are this which who not or an they he she its but".split()
)
_ASCII_WORD = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=1)
def _langid() -> Any:
    import py3langid

    py3langid.set_languages(list(CANDIDATES))
    return py3langid


def detect_language(text: str, *, sample: int = 800) -> str | None:
    """Return an ISO 639-1 code for ``text``, or None when there is too little text to tell."""
    head = text[:sample]
    letters: int | None = None
    if not head.isascii() and _HANGUL.search(head):
        letters = len(_LETTER.findall(head))
        if letters >= 20 and len(_HANGUL.findall(head)) / letters > 0.3:
            return "ko"
    words = _ASCII_WORD.findall(head.lower())
    if len(words) >= 20:
        function_words = sum(map(_ENGLISH_FUNCTION_WORDS.__contains__, words))
        if function_words / len(words) >= 0.2:
            return "en"
    if letters is None:
        letters = len(_LETTER.findall(head))
    if letters < 20:
        return None
    lang, _score = _langid().classify(head)
    return str(lang)
