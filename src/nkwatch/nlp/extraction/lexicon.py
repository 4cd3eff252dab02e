"""The extractor's domain knowledge, read once from ``data/events.toml`` and compiled."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

from nkwatch.errors import DataFileError
from nkwatch.nlp.regex import trie_pattern

TYPES = (
    "DIRECTIVE", "MEETING", "INDOCTRINATION", "AMNESTY", "CRACKDOWN", "SURVEILLANCE", "ARREST",
    "PUNISHMENT", "CONFISCATION", "BRIBERY", "LEGISLATION", "WARNING", "IMPACT", "DEFECTION",
)  # fmt: skip
MODALITIES = ("asserted", "planned", "threatened", "background")
# ASCII: the cues are English words, and ASCII case folding runs half again as fast.
_FLAGS = re.IGNORECASE | re.ASCII


def _any(patterns: list[str], flags: int = _FLAGS) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


def lower_pattern(pattern: str) -> str:
    """Return ``pattern`` for lower-cased text: letters lowered, escapes (``\\S``, ``\\B``)
    kept as written. Matching lower-cased text without IGNORECASE runs twice as fast."""
    out = []
    escaped = False
    for c in pattern:
        out.append(c if escaped else c.lower())
        escaped = not escaped and c == "\\"
    return "".join(out)


def _low(patterns: list[str]) -> re.Pattern[str]:
    """Compile patterns for the report's lower-cased text (see :func:`lower_pattern`)."""
    return _any([lower_pattern(p) for p in patterns], re.ASCII)


def _split_cased(patterns: list[str]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """Return (patterns for lower-cased text, case-sensitive patterns for the text itself)."""
    cased = [p for p in patterns if "(?-i:" in p]
    folded = [lower_pattern(p) for p in patterns if "(?-i:" not in p]
    return (
        _any(folded, re.ASCII) if folded else None,
        _any(cased, 0) if cased else None,
    )


class ReportDefaults(Protocol):
    """What filling a report's missing actors and targets reads of a lexicon (any language)."""

    @property
    def allowed_actors(self) -> dict[str, frozenset[str]]: ...
    @property
    def default_target(self) -> dict[str, str]: ...


class ToneCues(Protocol):
    """What the tone scorer reads of a lexicon (any language)."""

    @property
    def inducement(self) -> re.Pattern[str]: ...
    @property
    def coercion(self) -> re.Pattern[str]: ...


@dataclass(frozen=True)
class Anaphor:
    """A phrase that refers back to a body named earlier (see ``[[anaphors]]``)."""

    pattern: re.Pattern[str]
    refers_to: frozenset[str]
    window: int
    default: str | None


@dataclass(frozen=True)
class Lexicon:
    """Compiled patterns of ``events.toml`` (see that file for what each is)."""

    # Per type: (patterns for the lower-cased text, case-sensitive patterns for the text).
    triggers: dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]
    subject_triggers: dict[str, tuple[re.Pattern[str], re.Pattern[str]]]  # (subject, verbs)
    keyword_scanner: re.Pattern[str]
    keyword_types: dict[str, frozenset[str]]
    negation: re.Pattern[str]
    reference: re.Pattern[str]
    reference_forms: re.Pattern[str]
    commentary: re.Pattern[str]
    modality: dict[str, re.Pattern[str]]
    actors: list[tuple[str, re.Pattern[str]]]
    actor_names: dict[str, str]
    anaphors: list[Anaphor]
    mention_scanner: re.Pattern[str]  # any actor name or anaphor
    audience: re.Pattern[str]
    audience_actors: frozenset[str]
    told: re.Pattern[str]
    order: re.Pattern[str]
    ordered: re.Pattern[str]
    payer: re.Pattern[str]
    generic: re.Pattern[str]
    implied_actors: list[tuple[str, re.Pattern[str]]]
    own_date_only: frozenset[str]
    targets: list[tuple[str, re.Pattern[str]]]
    default_actor: dict[str, str]
    default_target: dict[str, str]
    allowed_actors: dict[str, frozenset[str]]
    residents_act: frozenset[str]
    numbers: dict[str, int]
    count: re.Pattern[str]
    count_subject: re.Pattern[str]
    penalties: list[tuple[str, re.Pattern[str]]]
    article: re.Pattern[str]
    named_laws: list[tuple[re.Pattern[str], int]]
    law_year: re.Pattern[str]
    inducement: re.Pattern[str]
    coercion: re.Pattern[str]


@cache
def load() -> Lexicon:
    """Return the compiled lexicon (once per process)."""
    where = "nkwatch/data/events.toml"
    try:
        data = tomllib.loads(
            resources.files("nkwatch.data").joinpath("events.toml").read_text("utf-8")
        )
        missing = [t for t in TYPES if t not in data["triggers"] or t not in data["keywords"]]
        if missing:
            raise DataFileError(f"no triggers or keywords for {', '.join(missing)}", location=where)
        numbers = {k: int(v) for k, v in data["counts"]["numbers"].items()}
        # Digits with commas only between thousands: "2018, when" is a year and a comma.
        words = "|".join(sorted(numbers, key=len, reverse=True))
        number = rf"(\d{{1,3}}(?:,\d{{3}})+|\d+|{words})"
        people = data["counts"]["people"]
        qualifier = (
            r"(?:at\s+least|about|around|approximately|some|nearly|more\s+than|over|up\s+to|"
            r"as\s+many\s+as|all|another|a)\s+"
        )
        count = re.compile(
            lower_pattern(rf"\b(?:{qualifier})?{number}\s+(?:[a-z-]+\s+){{0,2}}?{people}\b"),
            re.ASCII,
        )
        count_subject = re.compile(
            rf"(?:^|[,;]\s+|\band\s+|\bof\s+those,?\s+)(?:{qualifier})?{number}\s+"
            r"(?:were|have\s+been|had\s+been|are)\b",
            re.ASCII,
        )
        severity = data["penalties"]["severity"]
        roles = data["actor_roles"]
        by_word: dict[str, set[str]] = {}
        for etype, words in data["keywords"].items():
            for word in words:
                by_word.setdefault(word.lower(), set()).add(etype)
        # A keyword inside a longer one of another type ("sent" in "sentenc") is found by the
        # scanner only as the longer one: give the longer one the shorter one's types too.
        for long in by_word:
            for short, types in by_word.items():
                if short != long and short in long:
                    by_word[long] |= types
        return Lexicon(
            triggers={t: _split_cased(p) for t, p in data["triggers"].items()},
            subject_triggers={
                t: (
                    re.compile(lower_pattern(v["subject"]), re.ASCII),
                    _any([lower_pattern(p) for p in v["triggers"]], re.ASCII),
                )
                for t, v in data.get("subject_triggers", {}).items()
            },
            keyword_scanner=re.compile(trie_pattern(by_word)),
            keyword_types={w: frozenset(ts) for w, ts in by_word.items()},
            negation=_low(data["negation"]["before"]),
            reference=_low(data["negation"]["reference"]),
            reference_forms=re.compile(data["negation"]["reference_forms"], _FLAGS),
            commentary=_any(data["negation"]["commentary"], 0),
            modality={m: _low(p) for m, p in data["modality"].items()},
            actors=[(a, _low(p)) for a, p in data["actors"].items()],
            actor_names=dict(data["actor_names"]),
            mention_scanner=_low(
                [p for _, ps in data["actors"].items() for p in ps]
                + [a["pattern"] for a in data["anaphors"]]
            ),
            anaphors=[
                Anaphor(
                    _low([a["pattern"]]),
                    frozenset(a["refers_to"]),
                    int(a["window"]),
                    a.get("default"),
                )
                for a in data["anaphors"]
            ],
            audience=_low([roles["audience"]]),
            audience_actors=frozenset(roles["audience_actors"]),
            told=_low([roles["told"]]),
            order=_low([roles["order"]]),
            ordered=_low([roles["ordered"]]),
            payer=_low([roles["payer"]]),
            generic=_low([roles["generic"]]),
            own_date_only=frozenset(data["time"]["own_date_only"]),
            implied_actors=[(a, _low([p])) for a, p in roles["implied"].items()],
            targets=[(t, _low(p)) for t, p in data["targets"].items()],
            default_actor=dict(data["defaults"]["actor"]),
            default_target=dict(data["defaults"]["target"]),
            allowed_actors={t: frozenset(a) for t, a in data["allowed_actors"].items()},
            residents_act=frozenset(data["residents_act"]["types"]),
            numbers=numbers,
            count=count,
            count_subject=count_subject,
            penalties=[(k, _low(data["penalties"][k])) for k in severity],
            article=re.compile(data["laws"]["article"]),
            named_laws=[(re.compile(p, _FLAGS), int(y)) for p, y in data["laws"]["named"]],
            law_year=re.compile(data["laws"]["year"]),
            inducement=_any(data["tone"]["inducement"]),
            coercion=_any(data["tone"]["coercion"]),
        )
    except (OSError, KeyError, TypeError, ValueError, re.error) as exc:
        raise DataFileError(f"event lexicon is malformed: {exc}", location=where) from None
