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


@lru_cache(maxsize=1)
def _langid() -> Any:
    import py3langid

    py3langid.set_languages(list(CANDIDATES))
    return py3langid


def detect_language(text: str, *, sample: int = 800) -> str | None:
    """Return an ISO 639-1 code for ``text``, or None when there is too little text to tell."""
    head = text[:sample]
    letters = len(_LETTER.findall(head))
    if letters < 20:
        return None
    if len(_HANGUL.findall(head)) / letters > 0.3:
        return "ko"
    lang, _score = _langid().classify(head)
    return str(lang)
