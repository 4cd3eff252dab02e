"""Who is named in a report as able to act: actor mentions, found once per report.

Each mention is a span of the body with a codebook actor id (§5) and a role:

- ``agent``: the body named can act in its clause;
- ``audience``: the people a meeting or lecture was held for ("a meeting of inminban heads");
- ``told``: people told or warned something ("residents were told that ..."), who do not do
  what they were told of.

Names are the patterns of ``[actors]``, longest first where two overlap. A generic name
qualified by a body ("officials from the Hoeryong City State Security Department", "agents of
the squad") takes that body's id. A definite noun phrase or a pronoun that names no body
("the squad", "the committee", "They detained ...") takes the id of the last body of its kind
named before it (``[[anaphors]]``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from nkwatch.nlp.extraction.lexicon import Lexicon

_OF_BODY = re.compile(r"\s+(?:of|from)\s+")
_AUDIENCE_REACH = 40  # how far before a name "a meeting of" may start
_QUALIFIER_REACH = 40  # how far after "of"/"from" the qualifying body may start
_GENERIC = "AUTHORITIES"
# The head noun of an anaphor, singular: "the squads" → "squad".
_HEAD = re.compile(r"\b(squad|team|patrol|group|unit|committee|department|ministry|bureau|branch)")


@dataclass(slots=True)
class Mention:
    """One actor named in the body."""

    start: int
    end: int
    actor: str
    role: str = "agent"
    generic: bool = False  # a word for any official ("agents", "the officials")


def find_mentions(low: str, lex: Lexicon) -> list[Mention]:
    """Return the actor mentions of a lower-cased body, in text order."""
    # Each name or anaphor as (start, end, id or anaphor index): at the first place where
    # any matches, the longest there (the first listed on a tie), then on after its end.
    hits: list[tuple[int, int, str | int]] = []
    candidates: list[tuple[str | int, re.Pattern[str]]] = [
        *lex.actors,
        *enumerate(a.pattern for a in lex.anaphors),
    ]
    pos = 0
    while (found := lex.mention_scanner.search(low, pos)) is not None:
        start = found.start()
        best: tuple[int, str | int] | None = None
        for what, pattern in candidates:
            hit = pattern.match(low, start)
            if hit is not None and (best is None or hit.end() > best[0]):
                best = (hit.end(), what)
        if best is None or best[0] == start:  # an empty match: step over it
            pos = start + 1
            continue
        hits.append((start, best[0], best[1]))
        pos = best[0]
    mentions: list[Mention] = []
    for start, end, what in hits:
        if isinstance(what, int):
            anaphor = lex.anaphors[what]
            head = _HEAD.search(low, start, end)
            actor = _antecedent(
                mentions, low, start, anaphor.refers_to, anaphor.window,
                head.group(1) if head else None,
            )  # fmt: skip
            actor = actor or anaphor.default
            if actor is None:
                continue
            mentions.append(Mention(start, end, actor))
        else:
            mentions.append(Mention(start, end, what))
    mentions = _qualify(mentions, low)
    for m in mentions:
        m.generic = m.actor == _GENERIC and lex.generic.fullmatch(low, m.start, m.end) is not None
        before = max(0, m.start - _AUDIENCE_REACH)
        if m.actor in lex.audience_actors and lex.audience.search(low, before, m.start):
            m.role = "audience"
        elif lex.told.match(low, m.end):
            m.role = "told"
    return mentions


def _antecedent(
    mentions: list[Mention],
    low: str,
    start: int,
    kinds: frozenset[str],
    window: int,
    head: str | None,
) -> str | None:
    """Return the id of the last body of one of ``kinds`` named within ``window`` before
    ``start``: one named with the same head noun if any ("the squad" → "a joint inspection
    squad"), else the last."""
    near = [m for m in reversed(mentions) if start - m.end <= window and m.actor in kinds]
    if head is not None:
        for m in near:
            if head in low[m.start : m.end]:
                return m.actor
    for m in near:
        if m.role == "agent":
            return m.actor
    return None


def _qualify(mentions: list[Mention], low: str) -> list[Mention]:
    """Merge "officials from the city MSS" into one mention of the body that qualifies it."""
    out: list[Mention] = []
    skip = -1
    for i, m in enumerate(mentions):
        if i == skip:
            continue
        if m.actor == _GENERIC and i + 1 < len(mentions):
            of = _OF_BODY.match(low, m.end)
            after = mentions[i + 1]
            if of is not None and of.end() <= after.start <= of.end() + _QUALIFIER_REACH:
                out.append(Mention(m.start, after.end, after.actor))
                skip = i + 1
                continue
        out.append(m)
    return out


class Mentions:
    """The actor mentions of one report, looked up by span."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions = mentions
        self.starts = [m.start for m in mentions]

    def between(self, start: int, end: int) -> list[Mention]:
        """Return the mentions that start in [start, end)."""
        i = bisect_left(self.starts, start)
        j = bisect_left(self.starts, end, lo=i)
        return self.mentions[i:j]

    def first(
        self,
        start: int,
        end: int,
        allowed: Callable[[str], bool],
        *,
        roles: tuple[str, ...] = ("agent",),
    ) -> Mention | None:
        """Return the first allowed mention in one of ``roles`` that starts in [start, end)."""
        for m in self.between(start, end):
            if m.role in roles and allowed(m.actor):
                return m
        return None

    def last(self, start: int, end: int, allowed: Callable[[str], bool]) -> Mention | None:
        """Return the last allowed agent mention that starts in [start, end)."""
        for m in reversed(self.between(start, end)):
            if m.role == "agent" and allowed(m.actor):
                return m
        return None
