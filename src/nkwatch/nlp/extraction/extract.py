"""Events of a report from its sentences, places and times (codebook §2–§8).

Per sentence: split into clauses; in each clause, find the triggers of each type (one event
per type per clause); drop negated and commentary clauses; give each event its modality,
actor, target, count, penalty and law from its clause (then its sentence, then the report),
its place and time from the place and time stages; then merge restatements of one event into
the first statement (the others become ``also`` quotes). All patterns are data
(``data/events.toml``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from nkwatch.model import Event, PlaceMention, TimeExpression
from nkwatch.nlp.extraction.actors import Mention, Mentions, find_mentions
from nkwatch.nlp.extraction.lexicon import Lexicon, ReportDefaults, load
from nkwatch.nlp.geo.assign import PlaceAssignment, place_for_span
from nkwatch.nlp.geo.gazetteer import load as gazetteer
from nkwatch.nlp.temporal.assign import TimeAssignment, time_for_span

if TYPE_CHECKING:
    from collections.abc import Callable

# Where a sentence splits into clauses: semicolons, and a comma or "and"/"but"/"while" that
# starts a new subject with its own verb.
_CLAUSE_BREAK = re.compile(
    r";\s+|,\s+(?:but|while|whereas|although|and)\s+(?=(?:[\w'’-]+\s+){0,6}?"
    r"(?:were|was|have|has|had|are|is|will|would|could|can|must)\b)"
    r"|\s+(?:and|but)\s+(?=(?:the\s+|their\s+|his\s+|her\s+)?[\w'’-]+\s+(?:were|was|have|has|had|"
    r"will|would)\s)"
    r"|,\s+(?:and\s+)?(?=(?:the\s+)?(?:rest|others?|the\s+second|\d+)\b[^,;]{0,40}?\b(?:were|was|had|have|followed)\b)"
)
_ADVERB = r"(?:\w+ly|also|then|later|all|both|since|soon|again|already)"
_PASSIVE = re.compile(
    rf"\b(?:was|were|been|being|be|get|got|gets)\s+(?:{_ADVERB}\s+)?(?:taken\s+into\s+)?\Z|"
    rf"\b(?:was|were|been|being|be)\s+(?:{_ADVERB}\s+)?$",
    re.IGNORECASE,
)
# "received terms of seven years": the subject is who was punished.
_RECEIVED = re.compile(r"(?:received|receive|got|were\s+given|was\s+given)\b", re.IGNORECASE)
# "meetings were held", "homes ... were searched": a trigger that holds its passive verb.
_PASSIVE_INSIDE = re.compile(
    rf"\b(?:was|were|been)\s+(?:{_ADVERB}\s+)?[a-z]+(?<!ing)\b", re.IGNORECASE
)
_PROGRESSIVE = re.compile(r"[a-z]+ing\b", re.IGNORECASE)
_IMPERSONAL = re.compile(
    r"\b(?:prices?|cost|fees?|commission|rates?|demand|impossible|rice|corn|flour|sugar|yuan|dollar|won)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"sentenc|terms?\b|tried|convicted|executed", re.IGNORECASE)
_SUBJECT_WINDOW = 80  # how far before a subject trigger its subject may be
_PHRASE = 50  # a trigger longer than this spans a clause, not one phrase
_RELATIVE_NEGATION = re.compile(
    r"\b(?:who|that|which)\s+(?:do|does|did|have|has|had|are|is|was|were)\s+not\s+[\w-]+",
    re.IGNORECASE,
)
_TAKEN_TO = re.compile(
    r"\b(?:taken|brought)\s+(?:away\s+)?to\s+(?:the\s+|a\s+|an\s+|its\s+)?", re.IGNORECASE
)
_NEAR = 40  # how far a phrase that names the actor may reach past the trigger
_ORDER_REACH = 80  # how far from "ordered" its object's "to" may be
_TO_DO = re.compile(r"\bto\s+(?!be\b)")  # "ordered X to check", not "to be sent"
_DOERS = ("agent", "told")  # who may do what they were ordered to
_NOT_AN_ORDER = re.compile(r"\bthat\b|[,;:\"“]")
_NEW_PREDICATE = re.compile(r";|,\s+and\s+(?!to\b)|,\s+(?:while|but|where|when)\b")
_COURT = re.compile(
    r"(?<!without\s)(?<!without\sa\s)\b(?:court|trial|judge|tribunal|ruling|verdict)s?\b",
    re.IGNORECASE,
)
# What ties an event to a law it names (§8.3: other events carry a law only when tied to it).
_LAW_TIES = re.compile(
    r"\b(?:under|citing|cited|violat\w+|breach\w*|according\s+to)\b", re.IGNORECASE
)
_BY_AGENT = re.compile(r"\bby\s+(?:the\s+|a\s+|an\s+|its\s+)?", re.IGNORECASE)
# Kinds of events that restate one another only when nothing new is said.
_UNIQUE_PER_REPORT = {"LEGISLATION"}
_CAMPAIGNS = {"AMNESTY"}
# Kinds of events of which a report tells several, each once: what people did in response.
_EFFECTS = {"IMPACT"}
_PEOPLE_TYPES = {
    "ARREST", "CONFISCATION", "PUNISHMENT", "DEFECTION", "AMNESTY", "INDOCTRINATION", "IMPACT",
}  # fmt: skip


@dataclass
class Report:
    """What the extractor reads: the body and what earlier stages found in it."""

    text: str
    sentences: list[tuple[int, int]]
    places: list[PlaceMention]
    report_place: PlaceAssignment | None
    times: list[TimeExpression]
    published: str | None = None

    @cached_property
    def event_times(self) -> list[TimeExpression]:
        """Return the time expressions that can date an event: not the day a source spoke
        ("…, a source told Daily NK on Wednesday")."""
        return [t for t in self.times if t.role != "reported"]


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of the clauses of ``text[start:end]``, trimmed."""
    out = []
    cut = start
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        out.append((cut, m.start()))
        cut = m.end()
    out.append((cut, end))
    trimmed = []
    for s, e in out:
        while s < e and text[s] in " \t\n\"“”'‘’(":
            s += 1
        while e > s and text[e - 1] in " \t\n.,;:\"“”'‘’)":
            e -= 1
        if e - s >= 3:
            trimmed.append((s, e))
    return trimmed


def extract(report: Report, lex: Lexicon | None = None) -> list[Event]:
    """Return the events of a report, restatements merged, in text order."""
    lex = lex or load()
    text = report.text
    low = lower_same_length(text)  # what the cue patterns (lower-cased) are matched on
    events: list[Event] = []
    guessed: set[int] = set()  # ids of events whose actor the text does not name
    mentions = Mentions(find_mentions(low, lex))
    for s_start, s_end in report.sentences:
        sentence = text[s_start:s_end]
        if lex.commentary.search(sentence):
            continue
        in_sentence: dict[Any, Any] = {}  # what every event of this sentence has in common
        for c_start, c_end in clauses(text, s_start, s_end):
            found = _triggers(text, c_start, c_end, lex, low=low)
            shared: dict[Any, Any] = {"sentence": in_sentence}  # ... and of this clause
            for etype, trigger in found.items():
                event, guess = _event(
                    report,
                    low,
                    etype,
                    trigger,
                    (c_start, c_end),
                    (s_start, s_end),
                    lex,
                    shared,
                    mentions,
                )
                if guess:
                    guessed.add(id(event))
                events.append(event)
    _fill_from_report(events, guessed, lex)
    _date_lede(events, report.sentences[0][1] if report.sentences else 0)
    return _merge(events)


class Hit:
    """A trigger found in the text: the part of ``re.Match`` the extractor reads."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self._start, self._end, self._text = start, end, text

    def start(self) -> int:
        """Return where the trigger starts in the body."""
        return self._start

    def end(self) -> int:
        """Return where it ends."""
        return self._end

    def group(self) -> str:
        """Return its text as written."""
        return self._text


def _hit(text: str, offset: int, m: re.Match[str]) -> Hit:
    """Return the hit of a match in the lower-cased clause starting at ``offset``."""
    return Hit(offset + m.start(), offset + m.end(), text[offset + m.start() : offset + m.end()])


def lower_same_length(text: str) -> str:
    """Return ``text`` lower-cased with every offset kept (a letter whose lower case is longer,
    like "İ", is left as it is)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered


def _triggers(
    text: str,
    start: int,
    end: int,
    lex: Lexicon,
    *,
    low: str | None = None,
    prefilter: bool = True,
) -> dict[str, Hit]:
    """Return the first trigger of each type in the clause that is not negated.

    Patterns run on the lower-cased clause (offsets kept), case-sensitive ones on the text."""
    found: dict[str, Hit] = {}
    if low is None:
        low = lower_same_length(text)
    lowered = low[start:end]
    present: set[str] = set() if prefilter else set(lex.triggers)
    for word in lex.keyword_scanner.findall(lowered) if prefilter else ():
        present |= lex.keyword_types[word]
    for etype, (folded, cased) in lex.triggers.items():
        if etype not in present:
            continue  # none of the type's words: its patterns cannot match
        hits: list[Hit] = []
        if folded is not None:
            hits += [_hit(text, start, m) for m in folded.finditer(lowered)]
        if cased is not None:
            hits += [Hit(m.start(), m.end(), m.group()) for m in cased.finditer(text, start, end)]
        if etype in lex.subject_triggers:
            subject, verbs = lex.subject_triggers[etype]
            hits += [
                _hit(text, start, m)
                for m in verbs.finditer(lowered)
                if subject.search(lowered, max(0, m.start() - _SUBJECT_WINDOW), m.start())
            ]
        hits.sort(key=lambda h: h.start())
        for hit in hits:
            if not _negated(low, start, hit, lex):
                found[etype] = hit
                break
    # One phrase triggers one type: a trigger inside another type's trigger gives way to it
    # ("sent more signal-detection squads" is the dispatch of squads, not surveillance).
    for etype, h in list(found.items()):
        if any(
            other != etype and o.start() <= h.start() and h.end() <= o.end()
            and (o.end() - o.start()) > (h.end() - h.start()) and o.end() - o.start() <= _PHRASE
            for other, o in found.items()
        ):  # fmt: skip
            del found[etype]
    # A threat that names a penalty is a PUNISHMENT, not a WARNING (§3, §8.2).
    if "WARNING" in found and "PUNISHMENT" in found:
        del found["WARNING"]
    # A law's penalty is the LEGISLATION's (§8.3), not a punishment of anyone.
    if "LEGISLATION" in found and "PUNISHMENT" in found:
        clause = text[start:end].lower()
        if not re.search(r"\b(?:sentenced|was\s+sent|were\s+sent|charged|prosecuted)\b", clause):
            del found["PUNISHMENT"]
    return found


def _negated(text: str, clause_start: int, trigger: Hit, lex: Lexicon) -> bool:
    """Return True when the clause denies the event, or names an event told before."""
    before = text[clause_start : trigger.start()]
    # A negation inside a relative clause ("those who do not come forward will face ...")
    # negates that clause, not the event.
    before = _RELATIVE_NEGATION.sub(" ", before)
    if lex.negation.search(before) is not None:
        return True
    return bool(lex.reference_forms.match(trigger.group()) and lex.reference.search(before[-30:]))


def _event(
    report: Report,
    low: str,
    etype: str,
    trigger: Hit,
    clause: tuple[int, int],
    sentence: tuple[int, int],
    lex: Lexicon,
    shared: dict[str, Any],
    mentions: Mentions,
) -> tuple[Event, bool]:
    """Return the event of a trigger and whether its actor is a guess."""
    text = report.text
    c_start, c_end = clause
    if "place" not in shared:
        shared["place"] = place_for_span(
            report.places, report.sentences, c_start, c_end, text=text, report=report.report_place
        )
        shared["target"] = _target(low, clause, lex) or _cached(
            shared["sentence"], "target", _target, low, sentence, lex
        )
    assigned: PlaceAssignment = shared["place"]
    modality = _modality(etype, low[c_start:c_end], low[sentence[0] : sentence[1]], lex)
    timed = event_time(report, text, etype, modality, (c_start, c_end), trigger,
                       lex.own_date_only)  # fmt: skip
    actor, guessed = _actor(etype, modality, low, clause, sentence, trigger, lex, mentions)
    event = Event(
        type=etype,
        modality=modality,
        evidence=text[c_start:c_end],
        evidence_start=c_start,
        evidence_end=c_end,
        actor=actor,
        target=_target_of(etype, actor, trigger, shared["target"], lex),
        place=assigned.place,
        admin1=assigned.admin1,
        admin2=assigned.admin2,
        **_coordinates(assigned),
        when=timed.span,
        count=_cached(
            shared, ("count", _count_scope(etype)), _count, etype, low, clause, sentence, lex
        ),
        penalty=penalty_of(etype, report.times, low, clause, sentence, lex.penalties),
        law=law_of(
            etype,
            text,
            clause,
            sentence,
            article=lex.article,
            named_laws=lex.named_laws,
            law_year=lex.law_year,
            ties=_LAW_TIES,
        ),
        trigger=trigger.group(),
        when_source=timed.source,
        place_source=assigned.source,
    )
    event.confidence = _confidence(event, trigger)
    return event, guessed


def _coordinates(assigned: PlaceAssignment) -> dict[str, Any]:
    """Return the point of an event's place: the mention's own when it is the place assigned,
    else the seat of the county, else the capital of the province (with what it stands for)."""
    m = assigned.mention
    if assigned.admin2 is not None:
        if m is not None and m.admin2 == assigned.admin2 and m.lat is not None:
            return {"lat": m.lat, "lon": m.lon, "geo_precision": m.precision}
        unit = gazetteer().units.get(f"{assigned.admin1}:{assigned.admin2}")
        precision = "county"
    elif assigned.admin1 is not None:
        unit = gazetteer().units.get(assigned.admin1)
        precision = "province"
    else:
        return {}
    if unit is None or unit.lat is None:
        return {}
    return {"lat": unit.lat, "lon": unit.lon, "geo_precision": precision}


def _cached(shared: dict[Any, Any], key: Any, f: Callable[..., Any], *args: Any) -> Any:
    """Return ``f(*args)``, computed once per clause for ``key``."""
    if key not in shared:
        shared[key] = f(*args)
    return shared[key]


def _confidence(event: Event, trigger: Hit) -> float:
    """Return how directly the text states the event: a trigger of several words, and a place
    and time found in its own clause or sentence, raise it; fields inferred from the context
    lower it. A ranking aid for review, not a probability."""
    score = 0.5
    score += 0.15 if len(trigger.group().split()) > 1 else 0.05
    score += 0.15 if event.place_source in ("span", "sentence") else 0.0
    score += 0.15 if event.when_source in ("clause", "sentence") else 0.0
    score -= 0.1 if event.actor is None else 0.0
    return round(max(0.1, min(score, 0.95)), 2)


def _modality(etype: str, clause: str, sentence: str, lex: Lexicon) -> str:
    if etype == "LEGISLATION":
        return "background"
    background = lex.modality["background"].search(clause) is not None
    if etype == "WARNING":
        return "background" if background else "threatened"
    if etype in ("PUNISHMENT", "CRACKDOWN", "SURVEILLANCE", "INDOCTRINATION"):
        if lex.modality["threatened"].search(clause) and etype == "PUNISHMENT":
            return "threatened"
        if lex.modality["planned"].search(clause):
            return "planned"
    if background:
        return "background"
    return "asserted"


def _actor(
    etype: str,
    modality: str,
    text: str,
    clause: tuple[int, int],
    sentence: tuple[int, int],
    trigger: Hit,
    lex: Lexicon,
    mentions: Mentions,
) -> tuple[str | None, bool]:
    """Return the event's actor and whether it is a guess (no body named, or only "agents"
    or "officials" in the active voice), which the report's main body may then fill."""
    allowed_ids = lex.allowed_actors.get(etype)

    def allowed(a: str) -> bool:
        return (allowed_ids is None or a in allowed_ids) and (
            a != "RESIDENTS" or etype in lex.residents_act
        )

    c_start, c_end = clause
    default = lex.default_actor.get(etype)
    for actor, implied in lex.implied_actors:
        # The phrase overlaps the trigger: "[inminban meetings] were held", "[expelled ...]".
        m = implied.search(
            text, max(c_start, trigger.start() - _NEAR), min(c_end, trigger.end() + _NEAR)
        )
        if (
            m is not None
            and m.end() > trigger.start()
            and m.start() < trigger.end()
            and allowed(actor)
        ):
            return actor, False
    if etype == "IMPACT":  # residents act, or the change is impersonal ("prices rose")
        if _IMPERSONAL.search(trigger.group()):
            return None, False
        return _named(mentions.first(c_start, trigger.end(), allowed), None)
    if etype not in ("DIRECTIVE", "MEETING"):
        is_ordered, doer = _ordered_by(text, clause, trigger, lex, mentions, allowed)
        if is_ordered:  # the ones ordered, named or not ("every school"), do it
            return (doer.actor, doer.generic) if doer is not None else (default, False)
    if etype == "BRIBERY" and lex.payer.search(trigger.group()):
        # "His wife tried to pay the agents": who pays acts; the agents took it.
        return _named(mentions.first(c_start, trigger.start(), allowed), default)
    if modality in ("threatened", "planned"):
        # The actor of a threat or an order is who made it: the subject of the sentence, or
        # the speaker named after it ("..., they told workers").
        found = (
            mentions.first(c_start, trigger.end(), allowed)
            or mentions.first(sentence[0], c_start, allowed)
            or mentions.first(trigger.end(), sentence[1], allowed)
        )
        if found is not None:
            return _named(found, default)
    elif _is_passive(text, c_start, trigger):
        # "were arrested by the MSS": the agent follows; without one, the authorities (§8.7),
        # or the court where the sentence is about a trial.
        agent = _BY_AGENT.search(text, trigger.end(), c_end)
        if agent is not None:
            found = mentions.first(agent.end(), min(c_end, agent.end() + 60), allowed)
            if found is not None:
                return found.actor, False
        if etype == "PUNISHMENT" and (
            _COURT.search(text, c_start, c_end) or _SENTENCE.search(trigger.group())
        ):
            return "COURT", False
        # "were taken to the city police station": the place they were taken names the agency.
        where = _TAKEN_TO.search(text, trigger.start(), c_end)
        if where is not None:
            found = mentions.first(where.end(), min(c_end, where.end() + 50), allowed)
            if found is not None and found.actor not in ("AUTHORITIES", "RESIDENTS"):
                return found.actor, False
        return lex.default_actor.get(etype, "AUTHORITIES"), False
    found = (
        mentions.first(c_start, trigger.end(), allowed)
        or mentions.first(trigger.end(), c_end, allowed)
        or mentions.last(sentence[0], c_start, allowed)
    )
    return _named(found, default)


def _named(found: Mention | None, default: str | None) -> tuple[str | None, bool]:
    if found is None:
        return default, True
    return found.actor, found.generic


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """Return the last match of ``pattern`` in ``text``."""
    found = None
    for found in pattern.finditer(text):  # noqa: B007  the loop keeps the last
        pass
    return found


def _ordered_by(
    text: str,
    clause: tuple[int, int],
    trigger: Hit,
    lex: Lexicon,
    mentions: Mentions,
    allowed: Callable[[str], bool],
) -> tuple[bool, Mention | None]:
    """Return whether the trigger names what someone was ordered to do, and who was ordered
    ("the committee instructed inminban heads to report ...": the inminban heads report;
    None when the order names no body: the factories, the schools)."""
    c_start = clause[0]
    before = text[c_start : trigger.start()]
    passive = _last(lex.ordered, before)
    if passive is not None:  # "Border guards have been ordered to open fire"
        return True, mentions.first(c_start, c_start + passive.start(), allowed, roles=_DOERS)
    verb = _last(lex.order, before)
    if verb is None:
        return False, None
    to = _TO_DO.search(before, verb.end())
    if (
        to is None
        or to.start() - verb.end() > _ORDER_REACH
        or _NOT_AN_ORDER.search(before, verb.end(), to.start())  # "told the crowd that ..."
        or _NEW_PREDICATE.search(before, to.end())  # "..., and called for anyone to be sent"
    ):
        return False, None
    obj_start = c_start + verb.end()
    return True, mentions.first(obj_start, c_start + to.start(), allowed, roles=_DOERS)


def _target_of(
    etype: str, actor: str | None, trigger: Hit, named: str | None, lex: Lexicon
) -> str | None:
    """Return an event's target: who pays a bribe acts on the officials paid (§6); an
    impersonal change ("prices rose") affects the population (§8.6); else the group named."""
    if etype == "BRIBERY" and actor == "RESIDENTS":
        return lex.default_target["BRIBERY"]
    if etype == "IMPACT" and actor is None and _IMPERSONAL.search(trigger.group()):
        return "RESIDENTS"
    return named


def _target(text: str, span: tuple[int, int], lex: Lexicon) -> str | None:
    """Return the first listed target named in ``text[span]``."""
    for name, pattern in lex.targets:
        if pattern.search(text, *span):
            return name
    return None


def _is_passive(text: str, clause_start: int, trigger: Hit) -> bool:
    if _PROGRESSIVE.match(trigger.group()):
        return False  # "have been searching homes": the agents search
    if re.match(r"(?:was|were|been|being|have\s+been|has\s+been)\b", trigger.group(), re.I):
        return True
    if _PASSIVE_INSIDE.search(trigger.group()) or _RECEIVED.match(trigger.group()):
        return True
    return _PASSIVE.search(text, clause_start, trigger.start()) is not None


def event_time(
    report: Report,
    text: str,
    etype: str,
    modality: str,
    span: tuple[int, int],
    trigger: Hit,
    own_date_only: frozenset[str],
) -> TimeAssignment:
    """Return the time of an event told at ``span`` (the same rules in every language).

    A threat or an order is dated when it was made (§4), not by the future it names (for a
    penalty that future is when the offence is committed: "anyone caught from January"),
    unless the future is told of the penalty itself ("the family are to be banished next
    month": after the trigger, in its clause); a planned event the text dates itself
    ("lectures in the first week of January") keeps it. An undated report, context told as
    background, and types that take only their own dates (a reaction) get no context date.
    """
    c_start, c_end = span
    times = report.event_times
    if modality == "threatened" or etype in ("DIRECTIVE", "PUNISHMENT"):
        dates_itself = etype != "DIRECTIVE"
        times = [
            t for t in times
            if not _future(t, report.published)
            or (dates_itself and trigger.end() <= t.start < c_end)
        ]  # fmt: skip
    timed = time_for_span(
        text, times, report.sentences, c_start, c_end, event_type=etype, anchor=trigger.start()
    )
    if timed.source == "context" and (
        report.published is None or modality == "background" or etype in own_date_only
    ):
        return TimeAssignment(None, "none")
    return timed


def _future(t: TimeExpression, published: str | None) -> bool:
    return bool(published and t.span is not None and t.span.start > published)


def _number(word: str, lex: Lexicon) -> int | None:
    word = word.lower().replace(",", "")
    if word.isdigit():
        return int(word)
    return lex.numbers.get(word)


def _count_scope(etype: str) -> str:
    """Return where an event's count may be stated: its sentence, its clause, nowhere."""
    if etype in _PEOPLE_TYPES:
        return "sentence"
    return "clause" if etype in ("MEETING", "BRIBERY") else "none"


def _count(
    etype: str, text: str, clause: tuple[int, int], sentence: tuple[int, int], lex: Lexicon
) -> int | None:
    scope = _count_scope(etype)
    if scope == "none":
        return None
    spans = [clause] + ([sentence] if scope == "sentence" else [])
    for start, end in spans:
        chunk = text[start:end]  # searched alone: "^" must match where the clause starts
        for pattern in (lex.count, lex.count_subject):
            m = pattern.search(chunk)
            if m is not None:
                value = _number(m.group(1), lex)
                if value is not None and value < 100_000:
                    return value
    return None


def penalty_of(
    etype: str,
    times: list[TimeExpression],
    text: str,
    clause: tuple[int, int],
    sentence: tuple[int, int],
    penalties: list[tuple[str, re.Pattern[str]]],
    *,
    minimum: re.Pattern[str] | None = None,
) -> dict[str, object] | None:
    """Return the penalty's kind (the most severe of ``penalties`` named in the clause, for a
    law in the sentence) and its maximum years from the durations there; a duration followed by
    ``minimum`` ("10년 이상": at least) is no maximum. Both languages use it."""
    if etype not in ("PUNISHMENT", "LEGISLATION"):
        return None
    span = clause if etype == "PUNISHMENT" else sentence
    kind = next((k for k, p in penalties if p.search(text, *span)), None)
    if kind is None:
        kind = next((k for k, p in penalties if p.search(text, *sentence)), None)
    if kind is None:
        return None if etype == "LEGISLATION" else {"kind": "OTHER", "max_years": None}
    years = [
        t.amount / 12 if t.unit == "month" else t.amount
        for t in times
        if t.kind == "duration" and t.amount and t.unit in ("year", "month")
        and span[0] <= t.start and t.end <= span[1]
        and (minimum is None or not minimum.match(text[t.end : t.end + 4]))
    ]  # fmt: skip
    max_years: float | None = max(years) if years else None
    if max_years is not None:
        max_years = round(max_years, 2)
        if max_years == int(max_years):
            max_years = int(max_years)
    return {"kind": kind, "max_years": max_years}


def law_of(
    etype: str,
    text: str,
    clause: tuple[int, int],
    sentence: tuple[int, int],
    *,
    article: re.Pattern[str],
    named_laws: list[tuple[re.Pattern[str], int]],
    law_year: re.Pattern[str],
    ties: re.Pattern[str],
    code: str | None = None,
) -> dict[str, object] | None:
    """Return the law an event names: its article and year (the year written, else the named
    law's). A law's own event reads its sentence; another event carries a law only when its
    clause ties it to one (``ties``: "under", "위반"). ``code`` is a word that names a law
    without article or name (형법)."""
    span = sentence if etype == "LEGISLATION" else clause
    chunk = text[span[0] : span[1]]
    found_article = article.search(chunk)
    named = next(((p, y) for p, y in named_laws if p.search(chunk)), None)
    if found_article is None and named is None and (code is None or code not in chunk):
        return None
    if etype != "LEGISLATION" and not ties.search(chunk):
        return None
    year: int | None = None
    found = law_year.search(chunk)
    if found is not None:
        year = int(next(g for g in found.groups() if g))
    elif named is not None and named[1]:
        year = named[1]
    return {"article": found_article.group(1) if found_article else None, "year": year}


def _fill_from_report(events: list[Event], guessed: set[int], lex: ReportDefaults) -> None:
    """A generic actor takes the report's most named specific one ("agents" in a report
    about the MSS); a missing target takes the report's most frequent one."""
    specific = Counter(
        e.actor for e in events if e.actor in ("MSS", "MSoS", "TASK_FORCE", "BORDER_GUARD")
    )
    main_actor = specific.most_common(1)[0][0] if specific else None
    targets = Counter(e.target for e in events if e.target and e.target != "RESIDENTS")
    main_target = targets.most_common(1)[0][0] if targets else None
    for e in events:
        if e.actor == "AUTHORITIES" and main_actor and id(e) in guessed and e.type in (
            "ARREST", "CONFISCATION", "SURVEILLANCE", "CRACKDOWN",
        ):  # fmt: skip
            allowed = lex.allowed_actors.get(e.type)
            if allowed is None or main_actor in allowed:
                e.actor = main_actor
        if e.target is None:
            e.target = lex.default_target.get(e.type) or main_target


def _date_lede(events: list[Event], lede_end: int) -> None:
    """Date the undated events of the lede (the first sentence, which sums the report up) by
    the first later event of the same type, modality and group that dates itself: the report
    tells there, in detail, what its lede summed up ("has arrested at least seven people" ...
    "On March 3, agents arrested ...")."""
    for i, lede in enumerate(events):
        if lede.evidence_start >= lede_end:
            break
        if lede.when is not None:
            continue
        detail = next(
            (
                e
                for e in events[i + 1 :]
                if e.type == lede.type
                and e.modality == lede.modality
                and e.when is not None
                and e.when_source in ("clause", "sentence")
                and _same_group(lede.target, e.target)
            ),
            None,
        )
        if detail is not None:
            lede.when, lede.when_source = detail.when, "detail"


def _merge(events: list[Event]) -> list[Event]:
    """Merge restatements: one LEGISLATION per law per report; for other types, a later event
    with the same type, modality, target, place and penalty that adds no count or date of its
    own restates the first (its actor may be named differently)."""
    out: list[Event] = []
    for e in events:
        same = None
        for earlier in out:
            if earlier.type != e.type:
                continue
            if e.type in _CAMPAIGNS and earlier.modality == e.modality:
                # An offer of leniency is one campaign however often it is retold (§2).
                same = earlier
                break
            if e.type in _UNIQUE_PER_REPORT:
                # One per law: a mention naming no law ("the law") is the report's law.
                keys = (_law_key(earlier), _law_key(e))
                if None in keys or keys[0] == keys[1]:
                    same = earlier
                    break
                continue
            if (
                e.type not in _EFFECTS
                and earlier.modality == e.modality
                and _same_group(earlier.target, e.target)
                and earlier.admin2 == e.admin2
                and e.count is None
                and e.when_source not in ("clause", "sentence")
                and e.penalty == earlier.penalty
            ):
                same = earlier
                break
        if same is None:
            out.append(e)
        else:
            if e.type in _UNIQUE_PER_REPORT and _specificity(e) > _specificity(same):
                # Coded once, at its most specific statement (§2): the article, the year.
                same.also.append((same.evidence, same.evidence_start, same.evidence_end))
                same.evidence, same.evidence_start, same.evidence_end = (
                    e.evidence, e.evidence_start, e.evidence_end,
                )  # fmt: skip
                same.law, same.penalty, same.when = e.law, e.penalty or same.penalty, e.when
            else:
                same.also.append((e.evidence, e.evidence_start, e.evidence_end))
            if same.law is None and e.law is not None:
                same.law = e.law
            if same.when is None and e.when is not None:  # the restatement dates it
                same.when, same.when_source = e.when, e.when_source
    return out


def _specificity(e: Event) -> int:
    law = e.law or {}
    return 2 * bool(law.get("article")) + bool(law.get("year")) + bool(e.penalty)


def _same_group(a: str | None, b: str | None) -> bool:
    """Targets of two statements agree: equal, or one is only "residents" or unnamed."""
    return a == b or a in (None, "RESIDENTS") or b in (None, "RESIDENTS")


def _law_key(e: Event) -> object:
    if e.law is None:
        return None
    return e.law.get("article") or e.law.get("year")
