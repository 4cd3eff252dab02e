"""Events of a Korean report (codebook §2–§8), with the lexicon of ``data/events_ko.toml``.

The same procedure as for English, with what Korean needs of its own:

- **clauses** end where Kiwi finds a connective ending followed by a space ("체포하고 ",
  "열렸으며 ", not the auxiliary in "잡아내고 있다"), at a comma, and at the edges of a quote
  of speech (a short quoted name such as '간첩' is not one);
- **negation** follows the verb: "처형된 사람은 없다", "자수하지 않고";
- **who acts** is the subject, marked by its particle ("보위부가", "인민반장은"); a body
  followed by an object particle ("브로커를") is acted on; a passive ending ("선고됐다",
  "체포된") leaves the state as the actor (§8.7) unless "에 의해" names it;
- **speech**: "...추방될 것"이라고 경고했다" makes what the quote says a threat, told once (the
  frame "경고했다" is no second event); an order in the imperative ("...처하라") is planned;
- a **lede** that sums the report up is coded once, at the most specific later statement of
  the same event (its own date or count), and becomes an ``also`` quote of it.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from importlib import resources

from nkwatch.errors import DataFileError
from nkwatch.model import Event
from nkwatch.nlp.extraction.extract import (
    Hit,
    Report,
    _confidence,
    _coordinates,
    _fill_from_report,
    _merge,
    event_time,
    law_of,
    penalty_of,
)
from nkwatch.nlp.extraction.lexicon import TYPES
from nkwatch.nlp.geo.assign import PlaceAssignment, place_for_span
from nkwatch.nlp.morphology import Morpheme

_VERB_FORMS = {"{하}": "[하한할함했해합]", "{되}": "[되된될됨됐돼]"}
# Connective endings that close a clause when a space follows them.
_CLAUSE_ENDINGS = {
    "고",
    "며",
    "으며",
    "면서",
    "으면서",
    "는데",
    "은데",
    "ᆫ데",
    "지만",
    "으나",
    "나",
    "자",
}
_QUOTES = {'"': '"', "“": "”", "'": "'", "‘": "’"}
_SPEECH = 12  # shortest quoted speech, in characters: shorter quotes are names ('간첩')
_TRIM = " \t\n\"“”'‘’()[],.…·"
_NATIVE_COUNTS = {
    "두": 2,
    "세": 3,
    "네": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
    "열": 10,
}
_NATIVE_COUNT = re.compile(r"(?<![가-힣])(두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s*명")
_PEOPLE_TYPES = {
    "ARREST", "CONFISCATION", "PUNISHMENT", "DEFECTION", "AMNESTY", "INDOCTRINATION", "IMPACT",
    "MEETING",
}  # fmt: skip
_STATE_SUBJECTS = ("MSS", "MSoS", "TASK_FORCE", "BORDER_GUARD", "PARTY", "INMINBAN", "COURT")
_COURT_WORDS = re.compile(r"재판|선고|판결")
_PASSIVE_END = re.compile(r"(?:됐|되었|돼|되|된|될|당했|당한|당해|혔|힌|혀)$")  # "동원됐"
_MINIMUM = re.compile(r"\s*이상")  # "10년 이상의 노동교화형": at least ten years, no maximum
_THREAT_SPEECH = re.compile(r"경고|으름장|엄포|위협|협박")
_IMPERSONAL = re.compile(r"(?:값|가격|비용|수수료|시세|몫|요금|환율)(?:이|가|은|는|도)(?![가-힣])")


@dataclass(frozen=True)
class KoreanLexicon:
    """Compiled patterns of ``events_ko.toml`` (see that file for what each is)."""

    triggers: dict[str, re.Pattern[str]]
    candidates: re.Pattern[str]  # any trigger: a sentence without one needs no morphemes
    negation_after: re.Pattern[str]
    negation_before: re.Pattern[str]
    hypothetical: re.Pattern[str]
    commentary: re.Pattern[str]
    modality: dict[str, re.Pattern[str]]
    actors: re.Pattern[str]  # one group per actor id, named by it
    subject: re.Pattern[str]
    object: re.Pattern[str]
    passive: re.Pattern[str]
    agent: re.Pattern[str]
    anaphor: re.Pattern[str]
    anaphor_window: int
    implied: list[tuple[str, re.Pattern[str]]]
    refers: list[tuple[str, re.Pattern[str]]]
    national: re.Pattern[str]
    targets: list[tuple[str, re.Pattern[str]]]
    default_actor: dict[str, str]
    default_target: dict[str, str]
    allowed_actors: dict[str, frozenset[str]]
    residents_act: frozenset[str]
    own_date_only: frozenset[str]
    count: re.Pattern[str]
    penalties: list[tuple[str, re.Pattern[str]]]
    article: re.Pattern[str]
    law_year: re.Pattern[str]
    named_laws: list[tuple[re.Pattern[str], int]]
    law_ties: re.Pattern[str]
    inducement: re.Pattern[str]
    coercion: re.Pattern[str]


def _expand(pattern: str) -> str:
    for short, forms in _VERB_FORMS.items():
        pattern = pattern.replace(short, forms)
    return pattern


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_expand(p)})" for p in patterns))


@cache
def load_korean() -> KoreanLexicon:
    """Return the compiled Korean lexicon (once per process)."""
    where = "nkwatch/data/events_ko.toml"
    try:
        data = tomllib.loads(
            resources.files("nkwatch.data").joinpath("events_ko.toml").read_text("utf-8")
        )
        missing = [t for t in TYPES if t not in data["triggers"]]
        if missing:
            raise DataFileError(f"no triggers for {', '.join(missing)}", location=where)
        roles = data["actor_roles"]
        actor_alternatives = []
        for actor, patterns in data["actors"].items():
            actor_alternatives.append(f"(?P<{actor}>{'|'.join(patterns)})")
        return KoreanLexicon(
            triggers={t: _any(p) for t, p in data["triggers"].items()},
            candidates=_any([p for ps in data["triggers"].values() for p in ps]),
            negation_after=_any(data["negation"]["after"]),
            negation_before=_any(data["negation"]["before"]),
            hypothetical=_any(data["negation"]["hypothetical"]),
            commentary=_any(data["negation"]["commentary"]),
            modality={m: _any(p) for m, p in data["modality"].items()},
            actors=re.compile("|".join(actor_alternatives)),
            subject=re.compile(roles["subject"]),
            object=re.compile(roles["object"]),
            passive=re.compile(_expand(roles["passive"])),
            agent=re.compile(roles["agent"]),
            anaphor=re.compile(data["anaphors"]["pattern"]),
            anaphor_window=int(data["anaphors"]["window"]),
            implied=[(a, re.compile(p)) for a, p in roles["implied"].items()],
            refers=[(t, re.compile(p)) for t, p in data["time"]["refers"].items()],
            national=re.compile(data["places"]["national"]),
            targets=[(t, _any(p)) for t, p in data["targets"].items()],
            default_actor=dict(data["defaults"]["actor"]),
            default_target=dict(data["defaults"]["target"]),
            allowed_actors={t: frozenset(a) for t, a in data["allowed_actors"].items()},
            residents_act=frozenset(data["residents_act"]["types"]),
            own_date_only=frozenset(data["time"]["own_date_only"]),
            count=re.compile(data["counts"]["people"]),
            penalties=[(k, _any(data["penalties"][k])) for k in data["penalties"]["severity"]],
            article=re.compile(data["laws"]["article"]),
            law_year=re.compile(data["laws"]["year"]),
            named_laws=[(re.compile(p), int(y)) for p, y in data["laws"]["named"]],
            law_ties=re.compile(data["laws"]["ties"]),
            inducement=_any(data["tone"]["inducement"]),
            coercion=_any(data["tone"]["coercion"]),
        )
    except (OSError, KeyError, TypeError, ValueError, re.error) as exc:
        raise DataFileError(f"Korean event lexicon is malformed: {exc}", location=where) from None


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    actor: str
    role: str  # subject, object, other


def _mentions(text: str, lex: KoreanLexicon) -> list[_Mention]:
    """Return the bodies named in ``text``, in order, with their role in their clause; a
    pronoun ("그는") is the last body named as a subject before it."""
    found = [(m.start(), m.end(), m.lastgroup) for m in lex.actors.finditer(text)]
    found += [(m.start(), m.end(), None) for m in lex.anaphor.finditer(text)]
    out: list[_Mention] = []
    for start, end, actor in sorted(found, key=lambda f: f[0]):
        if end == start:
            continue
        if actor is None:
            actor = next(
                (
                    p.actor for p in reversed(out)
                    if p.role == "subject" and start - p.end <= lex.anaphor_window
                    and p.actor not in ("RESIDENTS", "AUTHORITIES")
                ),
                None,
            )  # fmt: skip
            if actor is None:
                continue
        if lex.object.match(text, end):
            role = "object"
        elif lex.subject.match(text, end):
            role = "subject"
        else:
            role = "other"
        out.append(_Mention(start, end, actor, role))
    return out


def clauses(
    text: str, start: int, end: int, morphemes: list[Morpheme]
) -> list[tuple[int, int, bool]]:
    """Return the clauses of ``text[start:end]`` as (start, end, quoted), trimmed."""
    cuts: set[int] = set()
    quoted: list[tuple[int, int]] = []
    i = start
    while i < end:  # quotes of speech: their edges are clause edges
        close = _QUOTES.get(text[i])
        if close is not None:
            j = text.find(close, i + 1, end)
            if j > i and j - i - 1 >= _SPEECH:
                quoted.append((i + 1, j))
                cuts.update((i, i + 1, j, j + 1))
                i = j + 1
                continue
            if j > i:
                i = j + 1
                continue
        i += 1
    lo = bisect_left([m.start for m in morphemes], start)
    for k in range(lo, len(morphemes)):
        m = morphemes[k]
        if m.start >= end:
            break
        if m.tag == "EC" and m.form in _CLAUSE_ENDINGS and m.end < end and text[m.end] == " ":
            nxt = morphemes[k + 1] if k + 1 < len(morphemes) else None
            if nxt is None or nxt.tag != "VX":
                cuts.add(m.end)
    for comma in re.finditer(r",\s", text[start:end]):
        cuts.add(start + comma.start() + 1)
    out = []
    edges = [start, *sorted(c for c in cuts if start < c < end), end]
    for s, e in itertools.pairwise(edges):
        while s < e and text[s] in _TRIM:
            s += 1
        while e > s and text[e - 1] in _TRIM:
            e -= 1
        if e - s >= 2:
            inside = any(q0 <= s and e <= q1 for q0, q1 in quoted)
            out.append((s, e, inside))
    return out


def extract_korean(
    report: Report, morphemes: list[Morpheme], lex: KoreanLexicon | None = None
) -> list[Event]:
    """Return the events of a Korean report, restatements merged, in text order."""
    lex = lex or load_korean()
    text = report.text
    mentions = _mentions(text, lex)
    events: list[Event] = []
    guessed: set[int] = set()
    for s_start, s_end in report.sentences:
        if lex.commentary.search(text, s_start, s_end):
            continue
        parts = clauses(text, s_start, s_end, morphemes)
        quote_events: list[Event] = []  # events told in the quotes before a speech frame
        for c_start, c_end, quoted in parts:
            found = _triggers(text, c_start, c_end, lex)
            frame = not quoted and c_start > s_start and text[c_start - 1] in "\"”'’"
            if frame and quote_events:
                if _THREAT_SPEECH.search(text, c_start, c_end):
                    for e in quote_events:
                        if e.type in ("PUNISHMENT", "WARNING") and e.modality == "asserted":
                            e.modality = "threatened"
                found.pop("WARNING", None)  # "…"이라고 경고했다: the quote is the threat
            hypothetical = lex.hypothetical.match(text, c_start) is not None
            for etype, hit in found.items():
                event, guess = _event(report, etype, hit, (c_start, c_end), (s_start, s_end),
                                      lex, mentions, quoted)  # fmt: skip
                if hypothetical and event.modality == "asserted":
                    continue  # "그러면 ... 잡혀 들어간다": a consequence, not an event
                if guess:
                    guessed.add(id(event))
                events.append(event)
                if quoted:
                    quote_events.append(event)
            if frame:
                quote_events = []
    _fill_from_report(events, guessed, lex)
    _date_by_reference(events, report, lex)
    _seized_from(events, report.sentences)
    events = _merge_in_sentence(events, report.sentences)
    return _merge(_absorb_summaries(events, report))


def _triggers(text: str, start: int, end: int, lex: KoreanLexicon) -> dict[str, Hit]:
    """Return the first trigger of each type in the clause that is not negated."""
    found: dict[str, Hit] = {}
    for etype, pattern in lex.triggers.items():
        for m in pattern.finditer(text, start, end):
            if m.end() == m.start():
                continue
            if lex.negation_after.search(text[m.end() : end]) or lex.negation_before.search(
                text[start : m.start()]
            ):
                continue
            found[etype] = Hit(m.start(), m.end(), m.group())
            break
    # One phrase triggers one type: a trigger inside a longer one of another type gives way.
    for etype, h in list(found.items()):
        if any(
            other != etype and o.start() <= h.start() and h.end() <= o.end()
            and (o.end() - o.start()) > (h.end() - h.start())
            for other, o in found.items()
        ):  # fmt: skip
            del found[etype]
    if "WARNING" in found and "PUNISHMENT" in found:
        del found["WARNING"]  # a threat naming a penalty is a PUNISHMENT (§8.2)
    if "LEGISLATION" in found:
        if "PUNISHMENT" in found and not re.search(r"선고|판결", text[start:end]):
            del found["PUNISHMENT"]  # a law's penalty is the law's (§8.3)
        found.pop("WARNING", None)
    if "AMNESTY" in found and "WARNING" in found:
        del found["AMNESTY"]  # "용서하지 않겠다": no forgiveness
    return found


def _event(
    report: Report,
    etype: str,
    hit: Hit,
    clause: tuple[int, int],
    sentence: tuple[int, int],
    lex: KoreanLexicon,
    mentions: list[_Mention],
    quoted: bool = False,
) -> tuple[Event, bool]:
    text = report.text
    c_start, c_end = clause
    assigned: PlaceAssignment = place_for_span(
        report.places, report.sentences, c_start, c_end, text=text, report=report.report_place
    )
    if assigned.source != "span" and (
        etype == "LEGISLATION" or lex.national.search(text, c_start, c_end)
    ):
        assigned = PlaceAssignment(None, None, "none")  # a national law or body (§4)
    modality = _modality(etype, text, clause, sentence, lex)
    timed = event_time(report, text, etype, modality, (c_start, c_end), hit, lex.own_date_only)
    actor, guessed = _actor(etype, modality, text, clause, sentence, hit, lex, mentions, quoted)
    target = _target(text, clause, hit, lex) or _target(text, sentence, hit, lex)
    if etype == "BRIBERY" and actor == "RESIDENTS":
        target = lex.default_target.get("BRIBERY", target)
    event = Event(
        type=etype,
        modality=modality,
        evidence=text[c_start:c_end],
        evidence_start=c_start,
        evidence_end=c_end,
        actor=actor,
        target=target,
        place=assigned.place,
        admin1=assigned.admin1,
        admin2=assigned.admin2,
        **_coordinates(assigned),
        when=timed.span,
        count=_count(etype, text, clause, sentence, lex),
        penalty=penalty_of(
            etype, report.times, text, clause, sentence, lex.penalties, minimum=_MINIMUM
        ),
        law=law_of(
            etype,
            text,
            clause,
            sentence,
            article=lex.article,
            named_laws=lex.named_laws,
            law_year=lex.law_year,
            ties=lex.law_ties,
            code="형법",
        ),
        trigger=hit.group(),
        when_source=timed.source,
        place_source=assigned.source,
    )
    event.confidence = _confidence(event, hit)
    return event, guessed


def _modality(
    etype: str, text: str, clause: tuple[int, int], sentence: tuple[int, int], lex: KoreanLexicon
) -> str:
    if etype == "LEGISLATION":
        return "background"
    # The clause and what closes it: a quote's last words ("…처하라"고) and its speech verb.
    c_start, c_end = clause
    chunk = text[c_start : min(c_end + 3, sentence[1])]
    background = lex.modality["background"].search(chunk) is not None
    if etype == "WARNING":
        return "background" if background else "threatened"
    if etype in ("PUNISHMENT", "AMNESTY", "CRACKDOWN", "SURVEILLANCE", "INDOCTRINATION", "ARREST"):
        if lex.modality["planned"].search(chunk):
            return "planned"  # an order, even one conditional on an offence ("적발되면 ...하라")
        if etype == "PUNISHMENT" and lex.modality["threatened"].search(chunk):
            return "threatened"
    if background:
        return "background"
    return "asserted"


def _allowed(etype: str, actor: str, lex: KoreanLexicon) -> bool:
    allowed = lex.allowed_actors.get(etype)
    if allowed is not None and actor not in allowed:
        return False
    return actor != "RESIDENTS" or etype in lex.residents_act


def _actor(
    etype: str,
    modality: str,
    text: str,
    clause: tuple[int, int],
    sentence: tuple[int, int],
    hit: Hit,
    lex: KoreanLexicon,
    mentions: list[_Mention],
    quoted: bool = False,
) -> tuple[str | None, bool]:
    """Return the event's actor and whether it is a guess. A threat or an order quoted is
    the speaker's ("인민반장들은 "...추방될 것"이라고 경고했다"): the subject before the quote,
    else the one after it."""
    c_start, c_end = clause
    default = lex.default_actor.get(etype)

    def pick(lo: int, hi: int, *, last: bool = False, subjects_only: bool = False) -> str | None:
        found = [
            m for m in mentions
            if lo <= m.start < hi and m.role != "object" and _allowed(etype, m.actor, lex)
            and (not subjects_only or m.role == "subject")
        ]  # fmt: skip
        if not found:
            return None
        subjects = [m for m in found if m.role == "subject"] or found
        return (subjects[-1] if last else subjects[0]).actor

    for actor, pattern in lex.implied:  # "인민반회의가 열렸다": the unit's head held it
        m = pattern.search(text, max(c_start, hit.start() - 20), min(c_end, hit.end() + 20))
        overlaps = m is not None and m.start() < hit.end() and m.end() > hit.start()
        if overlaps and _allowed(etype, actor, lex):
            return actor, False
    inside = [
        m for m in mentions
        if hit.start() <= m.start and m.end <= hit.end() and _allowed(etype, m.actor, lex)
    ]  # fmt: skip
    if inside and etype != "IMPACT":  # "파견된 비사회주의 그루빠": the trigger names its actor
        return inside[0].actor, False
    if quoted and modality in ("threatened", "planned"):
        speaker = pick(sentence[0], c_start, last=True, subjects_only=True) or pick(
            c_end, sentence[1], subjects_only=True
        )
        if speaker is not None:
            return speaker, speaker == "AUTHORITIES"
    if etype == "IMPACT":
        if _IMPERSONAL.search(text, c_start, hit.end()):
            return None, False  # an impersonal change (§8.6): "수수료가 ... 뛰었다"
        return pick(c_start, hit.end()) or pick(
            sentence[0], c_start, last=True
        ) or "RESIDENTS", False
    after = text[hit.end() : c_end]
    if lex.passive.match(after) or _PASSIVE_END.search(hit.group()):
        agent = lex.agent.search(text, c_start, hit.start())
        if agent is not None:
            named = pick(max(c_start, agent.start() - 20), agent.start(), last=True)
            if named:
                return named, False
        named = pick(c_start, hit.start(), subjects_only=True)
        if named and named in _STATE_SUBJECTS:
            return named, False  # "보위부에 체포된": the body it was done by
        if etype == "PUNISHMENT" and _COURT_WORDS.search(text, sentence[0], sentence[1]):
            return "COURT", False
        return default or "AUTHORITIES", False
    if (
        etype == "PUNISHMENT"
        and modality == "asserted"
        and _COURT_WORDS.search(text, c_start, c_end)
    ):
        return pick(c_start, hit.start(), subjects_only=True) or "COURT", False
    found = (
        pick(c_start, hit.end())
        or pick(sentence[0], c_start, last=True)
        or pick(hit.end(), sentence[1])
    )
    if found is None:
        return default, True
    return found, found == "AUTHORITIES"


def _target(text: str, span: tuple[int, int], hit: Hit, lex: KoreanLexicon) -> str | None:
    """Return the group named in ``text[span]``: Korean puts the head of a noun phrase last
    ("브로커를 비호하는 간부도": the officials), so of the specific groups named before the
    trigger, the one that ends last; else the first named after it; "residents" only when no
    specific group is named."""
    before: list[tuple[int, int, str]] = []
    after: list[tuple[int, int, str]] = []
    for rank, (name, pattern) in enumerate(lex.targets):
        if name == "RESIDENTS":
            continue
        for m in pattern.finditer(text, *span):
            (before if m.end() <= hit.end() else after).append((m.end(), -rank, name))
    if before:
        return max(before)[2]
    if after:
        return min(after, key=lambda t: (t[0], -t[1]))[2]
    residents = dict(lex.targets).get("RESIDENTS")
    return "RESIDENTS" if residents is not None and residents.search(text, *span) else None


def _count(
    etype: str, text: str, clause: tuple[int, int], sentence: tuple[int, int], lex: KoreanLexicon
) -> int | None:
    if etype not in _PEOPLE_TYPES:
        return None
    for start, end in (clause, sentence):
        m = lex.count.search(text, start, end)
        if m is not None:
            value = int(m.group(1).replace(",", ""))
            if value < 100_000:
                return value
        native = _NATIVE_COUNT.search(text, start, end)
        if native is not None:
            return _NATIVE_COUNTS[native.group(1)]
    return None


def _sentence_of(sentences: list[tuple[int, int]], offset: int) -> int:
    return max(0, bisect_left(sentences, offset + 1, key=_start) - 1)


def _start(sentence: tuple[int, int]) -> int:
    return sentence[0]


def _date_by_reference(events: list[Event], report: Report, lex: KoreanLexicon) -> None:
    """An event told in a sentence that refers back to an earlier event ("회의에서 도
    보위국장은 ... 지시했다": at the meeting) and dates nothing itself takes its date."""
    for i, e in enumerate(events):
        if e.when_source in ("clause", "sentence") or e.modality == "background":
            continue
        s_start, s_end = report.sentences[_sentence_of(report.sentences, e.evidence_start)]
        for etype, pattern in lex.refers:
            if etype == e.type or not pattern.search(report.text, s_start, s_end):
                continue
            earlier = next(
                (
                    x for x in reversed(events[:i])
                    if x.type == etype and x.when is not None and x.evidence_start < s_start
                ),
                None,
            )  # fmt: skip
            if earlier is not None:
                e.when, e.when_source = earlier.when, "reference"
                break


def _seized_from(events: list[Event], sentences: list[tuple[int, int]]) -> None:
    """What is seized is not a target (§6): a seizure takes the target of the arrest or
    search told just before it ("...브로커를 체포하고 손전화기를 압수했다")."""
    for i, e in enumerate(events):
        if e.type != "CONFISCATION":
            continue
        here = _sentence_of(sentences, e.evidence_start)
        before = next(
            (
                x for x in reversed(events[:i])
                if x.type in ("ARREST", "CRACKDOWN")
                and here - _sentence_of(sentences, x.evidence_start) <= 1
            ),
            None,
        )  # fmt: skip
        if before is not None and before.target is not None:
            e.target = before.target


def _merge_in_sentence(events: list[Event], sentences: list[tuple[int, int]]) -> list[Event]:
    """Clauses of one sentence that tell one event ("집집마다 돌며 검열을 벌이고 있다") give one
    event: a later clause of the same type, modality, target and penalty that dates nothing
    else becomes an ``also`` quote of the first."""
    out: list[Event] = []
    for e in events:
        here = _sentence_of(sentences, e.evidence_start)
        same = next(
            (
                x for x in out
                if _sentence_of(sentences, x.evidence_start) == here and x.type == e.type
                and x.modality == e.modality and _kind(x.penalty) == _kind(e.penalty)
                and (e.when_source != "clause" or x.when == e.when)
            ),
            None,
        )  # fmt: skip
        if same is None:
            out.append(e)
            continue
        same.also.append((e.evidence, e.evidence_start, e.evidence_end))
        same.count = same.count if same.count is not None else e.count
        same.target = same.target or e.target
        if e.penalty and same.penalty and (same.penalty.get("max_years") is None):
            same.penalty = e.penalty  # "노동교화형 8년": the statement that gives the term
    return out


def _kind(penalty: dict[str, object] | None) -> object:
    return penalty.get("kind") if penalty else None


def _specific(e: Event) -> bool:
    return e.when_source in ("clause", "sentence") or e.count is not None


def _absorb_summaries(events: list[Event], report: Report) -> list[Event]:
    """Code an event once, at its most specific statement (§2): a statement that dates and
    counts nothing (the lede's summary, "체포자가 나왔다", "붙잡힌 브로커 사건") followed, in the
    report or its next two sentences, by one of the same type, modality and group that has
    its own date or count becomes an ``also`` quote of that one."""
    lede_end = report.sentences[0][1] if report.sentences else 0
    out = list(events)
    for summary in [e for e in events if not _specific(e) and e.type not in ("LEGISLATION",)]:
        here = _sentence_of(report.sentences, summary.evidence_start)
        reach = len(report.sentences) if summary.evidence_start < lede_end else here + 3
        detail = next(
            (
                e for e in out
                if e is not summary and e.evidence_start > summary.evidence_start
                and _sentence_of(report.sentences, e.evidence_start) < reach
                and e.type == summary.type and e.modality == summary.modality and _specific(e)
                and (summary.target is None or e.target is None or summary.target == e.target
                     or summary.evidence_start < lede_end)
                and (summary.admin2 is None or e.admin2 in (None, summary.admin2))
            ),
            None,
        )  # fmt: skip
        if detail is None:
            continue
        detail.also.append((summary.evidence, summary.evidence_start, summary.evidence_end))
        if detail.actor in (None, "AUTHORITIES") and summary.actor not in (None, "AUTHORITIES"):
            detail.actor = summary.actor
        out.remove(summary)
    return out
