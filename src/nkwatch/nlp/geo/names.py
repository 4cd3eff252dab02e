"""Spelling rules for Korean place names: the folding key, suffixes, and the initial-sound law.

One place has many spellings in the press: Revised Romanization (Bocheon), McCune–Reischauer
with or without diacritics and apostrophes (P'ungsŏ, Pungso), DPRK-official spellings with
``ph/th/kh`` (Phungso), South Korean forms that drop an initial ``r``/``n`` (Yanggang for
Ryanggang), and hybrids (Bochon). :func:`fold` maps all of them to one key, so the gazetteer
lists forms and lookups compare keys. It is used by the gazetteer builder and at run time:
both must fold the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = re.compile(r"[-'’‘ʼ`´]")
_SPACES = re.compile(r"\s+")
# Order matters: vowel digraphs of Revised Romanization first, then DPRK aspirates.
_FOLDS = (("eo", "o"), ("eu", "u"), ("shi", "si"), ("ph", "p"), ("th", "t"), ("kh", "k"))


def strip_marks(text: str) -> str:
    """Return ``text`` without diacritics (ŏ → o, ŭ → u, é → e); Hangul is left whole."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or ord(c) >= 0x1100)
    return unicodedata.normalize("NFC", kept)


@lru_cache(maxsize=65536)
def fold(form: str) -> str:
    """Return the lookup key of a romanized (or Hangul) place name.

    Lower case, no diacritics, no apostrophes or hyphens, spaces kept as one space (so the
    person "Kim Jong Suk" and the county "Kimjongsuk" stay apart), RR vowel digraphs and
    DPRK aspirates reduced: ``fold("P'yŏngsŏng") == fold("Pyeongseong") == "pyongsong"``.
    """
    if _is_hangul(form):
        return _SPACES.sub("", form)
    key = _APOSTROPHES.sub("", strip_marks(form).lower())
    key = _SPACES.sub(" ", key).strip()
    for old, new in _FOLDS:
        key = key.replace(old, new)
    return key


def _is_hangul(text: str) -> bool:
    return any("가" <= c <= "힣" for c in text)


# --- Hangul ---------------------------------------------------------------------------------

_BASE = 0xAC00
_INITIAL_N, _INITIAL_R, _INITIAL_NONE = 2, 5, 11
_IOTIZED = {2, 6, 7, 12, 17, 20}  # ㅑ ㅕ ㅖ ㅛ ㅠ ㅣ


def south_form(hangul: str) -> str:
    """Return the South Korean spelling of a North Korean name (the initial-sound law).

    North Korea keeps an initial ㄹ or ㄴ (량강도, 룡천군, 녕변군, 락원군); South Korea writes
    ㅇ before i/y vowels and ㄴ for ㄹ elsewhere (양강도, 용천군, 영변군, 낙원군).
    """
    if not hangul:
        return hangul
    code = ord(hangul[0]) - _BASE
    if not 0 <= code < 11172:
        return hangul
    initial, rest = divmod(code, 588)
    medial, final = divmod(rest, 28)
    if initial == _INITIAL_R:
        initial = _INITIAL_NONE if medial in _IOTIZED else _INITIAL_N
    elif initial == _INITIAL_N and medial in _IOTIZED:
        initial = _INITIAL_NONE
    else:
        return hangul
    return chr(_BASE + initial * 588 + medial * 28 + final) + hangul[1:]


# Administrative suffixes of second-level names in Hangul, longest first, with their kind.
HANGUL_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("특급시", "special city"),
    ("특별시", "special city"),
    ("직할시", "special city"),
    ("구역", "district"),
    ("지구", "district"),
    ("시", "city"),
    ("군", "county"),
    ("구", "district"),
    ("도", "province"),
)


def split_hangul(name: str) -> tuple[str, str]:
    """Split a Hangul unit name into (stem, kind): ``혜산시`` → (``혜산``, ``city``)."""
    for suffix, kind in HANGUL_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], kind
    return name, "unit"


def mr_plain(form: str) -> str:
    """Return a McCune–Reischauer form without diacritics and apostrophes (P'ungsŏ → Pungso)."""
    return _APOSTROPHES.sub("", strip_marks(form))


def dprk_official(mr: str) -> str:
    """Return the DPRK-official spelling of an MR form, aspirates as ph/th/kh: Phungso."""
    text = re.sub(
        r"(ch|p|t|k)['’ʼ]",
        lambda m: m.group(1) if m.group(1).lower() == "ch" else m.group(1) + "h",
        mr,
        flags=re.IGNORECASE,
    )
    return _APOSTROPHES.sub("", strip_marks(text))
