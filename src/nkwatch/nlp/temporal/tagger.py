"""Find temporal expressions in English text and normalize them to intervals.

Relative expressions are anchored on the publication date (codebook §4): weekday names go to
the most recent such day on or before publication, a month and day without a year to the
latest such date not after publication, unless the clause looks ahead ("will", "by", "after
October 20 would ...") — then to the nearest occurrence either way. References ("that day",
"the following week", "since then") take the time of the expression before them. Durations
and ages are recognized so that they are never read as dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from nkwatch.model import TimeExpression, TimeSpan
from nkwatch.nlp.temporal import calendar as cal
from nkwatch.nlp.temporal import grammar as g
from nkwatch.nlp.temporal.known import DatedEvent, KnownEvents, load_known_events

NEEDS_ANCHOR = "needs the publication date"
NO_ANTECEDENT = "no earlier date to refer to"

SINCE_PREPS = {"since", "from", "starting", "starting on", "starting from", "starting in",
               "beginning", "beginning on", "beginning in"}  # fmt: skip
DEADLINE_PREPS = {"until", "till", "by", "before", "ahead of", "no later than", "not until",
                  "through"}  # fmt: skip
# Prepositions that let a bare season, month or year be a time rather than an ordinary word.
TIME_PREPS = SINCE_PREPS | DEADLINE_PREPS | {"in", "during", "over", "throughout", "after",
                                             "around", "of", "as of", "as early as", "between",
                                             "on", "at", "within", "for"}  # fmt: skip
# The clause looks ahead: a date without a year may then be the next one, not the last, if
# that is nearer than the last and not too far ahead.
FUTURE_CUE = re.compile(
    r"\b(?:will|shall|would|'ll|is\s+to|are\s+to|was\s+to|were\s+to|going\s+to|plans?\s+to"
    r"|planned\s+to|scheduled|upcoming|due\s+to|must|should|deadline|intends?\s+to"
    r"|expected\s+to|hope)\b",
    re.IGNORECASE,
)
PAST_CUE = re.compile(r"\b(?:was|were|had|did)\b", re.IGNORECASE)
# An order looks ahead too, but often to soon after it was given.
ORDER_CUE = re.compile(
    r"\b(?:order(?:ed|s)?|instruct(?:ed|s)?|decided|called\s+(?:on|for)|demanded|urged"
    r"|told\s+\w+\s+to)\b",
    re.IGNORECASE,
)
FUTURE_WINDOW = 183  # days ahead a clearly future date may be
ORDER_WINDOW = 92
# A weekday is the next one only when the clause says so plainly: reported speech
# ("said on Monday that ... would") is about the past.
STRONG_FUTURE_CUE = re.compile(
    r"\b(?:will|shall|'ll|is\s+to\s+be|are\s+to\s+be|going\s+to|scheduled|upcoming)\b",
    re.IGNORECASE,
)
# Nouns of events a later "since the trial", "the day after the arrest" refers to, with the
# word stems that mention the same event earlier.
EVENT_NOUNS = {
    "trial": ("trial", "tried"), "trials": ("trial", "tried"),
    "arrest": ("arrest", "detain", "caught"), "arrests": ("arrest", "detain", "caught"),
    "meeting": ("meeting", "met "), "meetings": ("meeting", "met "),
    "execution": ("execut", "shot"), "executions": ("execut", "shot"),
    "crackdown": ("crackdown",), "campaign": ("campaign",), "inspection": ("inspect",),
    "inspections": ("inspect",), "raid": ("raid",), "raids": ("raid",), "lecture": ("lecture",),
    "lectures": ("lecture",), "order": ("order",), "decree": ("decree",),
    "announcement": ("announc",), "deadline": ("deadline",), "sweep": ("sweep",),
    "operation": ("operation",), "squads": ("squad",), "squad": ("squad",),
    "group": ("group",), "task force": ("task force",), "team": ("team",),
    "teams": ("team",), "sentencing": ("sentenc",), "verdict": ("sentenc", "verdict"),
    "banishment": ("banish",), "banishments": ("banish",), "notice": ("notice",),
    "escape": ("escape", "fled", "crossed"), "expulsions": ("expel",),
}  # fmt: skip
EVENT_REF = re.compile(
    r"(?:[A-Z]?[a-z]+\s+){0,2}?(?P<noun>"
    + "|".join(sorted(EVENT_NOUNS, key=len, reverse=True)).replace(" ", r"\s+")
    + r")\b"
)
EVENT_AFTER = re.compile(r"\s+the\s+" + EVENT_REF.pattern)
LAW_AFTER_YEAR = re.compile(
    r"\s+(?:(?:[A-Z][\w'’-]*|and|of|on|the)\s+){0,8}?(?:Act|Law|Code|Decree|Constitution)\b"
    r"|\s+(?:revision|amendment|version)\b"
)
# A date that dates what something is compared with, not the event: "up from 30 percent last
# autumn", "three times what they did last year", "a call that cost 20 yuan last autumn".
COMPARISON_BEFORE = re.compile(
    r"(?:\b(?:up|down|rising|falling|risen|fallen)\s+from\b|\bcompared\s+(?:with|to)\b"
    r"|\bthan\b|\bwhat\s+(?:they|it|he|she|we|people)\s+(?:did|charged|cost|paid|earned)"
    r"|\bthat\s+cost\b)[^,.;]{0,30}$",
    re.IGNORECASE,
)
# "…, a source told Korea Field Report on Wednesday", "the source said on Tuesday": the day a
# source spoke, right after the reporting verb and the outlet's name.
ATTRIBUTION_BEFORE = re.compile(
    r"\b(?:told|said|says|reported|added|explained|noted)"
    r"(?:\s+(?:[A-Z][\w'’-]*|the|a|an|reporters?|this\s+newspaper))*\s+(?:on|last|early|late)?\s*$"
)
CLAUSE_LEFT = re.compile(
    r"[.;:!?\n\"“”]|\b(?:that|which|who|when|while|because|but|after|although)\b", re.IGNORECASE
)
CLAUSE_RIGHT = re.compile(r"[.;!?\n]|\b(?:that|which|who|when|while|because|but)\b", re.IGNORECASE)
STRICT_PREPS = {"in", "since", "until", "by", "from", "during"}
# A four-digit number followed by one of these counts things, it is not a year.
COUNTED = re.compile(
    r"\s+(?:people|persons|residents|yuan|won|dollars|households|families|phones|handsets"
    r"|members|students|workers|soldiers|troops|cases|units|copies|tons|kilograms|km|metres"
    r"|meters|won's)\b",
    re.IGNORECASE,
)
QUANTITY_BEFORE = re.compile(
    r"(?:about|some|nearly|almost|approximately|roughly|more\s+than|than|over|\$|¥|₩)\s*$",
    re.IGNORECASE,
)
RANGE_JOIN = re.compile(r"\s*(?:to|until|till|through|and|-|–|—)\s*(?:the\s+)?", re.IGNORECASE)


@dataclass
class _Context:
    text: str
    anchor: date | None
    anchor_kind: str
    start: int
    end: int
    prep: str | None
    outer_start: int
    previous: TimeExpression | None
    # For references: what the antecedent is looked up from, only when a normalizer asks.
    kind: str
    inner: re.Match[str]
    history: list[TimeExpression]
    _future: int | None = field(default=None)
    _clause: str = ""

    @cached_property
    def antecedent(self) -> TimeExpression | None:
        """Return the earlier expression this one refers to (see :func:`_antecedent`)."""
        return _antecedent(self.text, self.kind, self.inner, self.end, self.history, self.anchor)

    @property
    def future(self) -> int:
        """Return how many days ahead of publication the clause lets a date be (0: none)."""
        if self._future is None:
            left = self.text[max(0, self.start - 120) : self.start]
            edges = [m.end() for m in CLAUSE_LEFT.finditer(left)]
            if edges:
                left = left[edges[-1] :]
            right = self.text[self.end : self.end + 120]
            stop = CLAUSE_RIGHT.search(right)
            if stop is not None:
                right = right[: stop.start()]
            self._clause = left + " " + right
            framing = self.prep in DEADLINE_PREPS or self.prep == "after"
            if FUTURE_CUE.search(self._clause) or (framing and not PAST_CUE.search(self._clause)):
                self._future = FUTURE_WINDOW
            elif ORDER_CUE.search(self._clause):
                self._future = ORDER_WINDOW
            else:
                self._future = 0
        return self._future

    @property
    def plainly_future(self) -> bool:
        """Return True when the clause around the expression is plainly in the future."""
        return self.future > 0 and bool(STRONG_FUTURE_CUE.search(self._clause))


class Unresolved(Exception):
    """The expression is a date, but the text does not allow resolving it."""


class NotATime(Exception):
    """The match is an ordinary word ("May", "spring water"), not a temporal expression."""


Result = tuple[str, TimeSpan | None, str]  # kind, span, anchor


class TimeTagger:
    """Finds and normalizes temporal expressions; one instance serves any number of texts."""

    def __init__(self, known: KnownEvents | None = None) -> None:
        self.known = known if known is not None else load_known_events()
        kinds = [("named", self.known.name_pattern()), *g.KINDS]
        self._scanner = g.compile_scanner(kinds)
        self._kinds = g.compile_kinds(kinds)
        self._normalizers: dict[str, Callable[[re.Match[str], _Context], Result]] = {
            name: getattr(self, f"_n_{name}") for name, _ in kinds
        }

    def tag(
        self, text: str, published: date | None, *, anchor_kind: str = "publication"
    ) -> list[TimeExpression]:
        """Return the temporal expressions of ``text`` in order, normalized against
        ``published`` (``anchor_kind`` names where that date came from)."""
        found: list[TimeExpression] = []
        # What later references may point at: dates as stated (X, not "since X"), laws excluded.
        history: list[TimeExpression] = []
        for m in self._scanner.finditer(text):
            kind = m.lastgroup
            assert kind is not None
            start, end = m.span(kind)
            prep = m.group("prep")
            prep = " ".join(prep.lower().split()) if prep else None
            inner = self._kinds[kind].fullmatch(text, start, end)
            assert inner is not None
            ctx = _Context(
                text, published, anchor_kind, start, end, prep, m.start(),
                found[-1] if found else None, kind, inner, history,
            )  # fmt: skip
            if kind == "ref_event":
                prep = " ".join(inner["eprep"].lower().split())
            try:
                what, span, anchor = self._normalizers[kind](inner, ctx)
            except NotATime:
                continue
            except Unresolved as exc:
                expr = TimeExpression(
                    text[start:end], start, end, "date", unresolved=str(exc), rule=kind
                )
                expr.role = _role(prep)
                found.append(expr)
                continue
            expr = TimeExpression(text[start:end], start, end, what, span, anchor=anchor, rule=kind)
            if what == "duration":
                expr.amount, expr.unit = _duration_value(inner)
            if what != "date":
                found.append(expr)
                continue
            expr.role = self._role(kind, inner, prep, text, end)
            if COMPARISON_BEFORE.search(text, max(0, start - 60), start):
                expr.role = "comparison"
            elif ATTRIBUTION_BEFORE.search(text, max(0, start - 60), start):
                expr.role = "reported"  # the day a source spoke: it dates no event
            merged = _merge_range(text, found, expr)
            if merged is not None:
                found[-1] = merged
                history.append(merged)
                continue
            if expr.span is not None:
                if expr.role not in ("attribute", "reported"):
                    history.append(
                        TimeExpression(
                            expr.text, start, end, "date", expr.span, anchor=anchor, rule=kind
                        )
                    )
                if expr.role == "since":
                    expr.span = _extend_to(expr.span, published)
            found.append(expr)
        return found

    def _role(self, kind: str, inner: re.Match[str], prep: str | None, text: str, end: int) -> str:
        if kind == "ref_then":
            first = inner.group(0).split()[0].lower()
            return {"since": "since", "by": "deadline", "until": "deadline"}.get(first, "point")
        if kind == "named":
            event = self.known.by_name(inner["name"])
            if event is not None and event.kind == "law":
                return "attribute"  # a law's adoption dates the law, not what is done under it
        if kind == "year" and LAW_AFTER_YEAR.match(text, end) and prep is None:
            return "attribute"  # "the 2020 Reactionary Ideology ... Act", "its 2015 revision"
        role = _role(prep)
        if role == "since" and kind in {"md_range", "dm_range"}:
            return "point"  # "from March 1 to March 15" ends where it says
        return role

    # --- absolute dates --------------------------------------------------------------------

    def _n_iso(self, m: re.Match[str], ctx: _Context) -> Result:
        return _day(int(m["year"]), int(m["month"]), int(m["day"]))

    def _n_mdy(self, m: re.Match[str], ctx: _Context) -> Result:
        return _day(int(m["year"]), g.month_number(m["month"]), g.day_number(m["day"]))

    _n_dmy = _n_mdy

    def _n_my(self, m: re.Match[str], ctx: _Context) -> Result:
        return "date", cal.month_span(int(m["year"]), g.month_number(m["month"])), "absolute"

    def _n_decade(self, m: re.Match[str], ctx: _Context) -> Result:
        first = int(m["decade"])
        lo, hi = {"early": (0, 3), "mid": (3, 6), "late": (6, 9)}.get(
            (m["part"] or "").lower(), (0, 9)
        )
        return (
            "date",
            cal.span(date(first + lo, 1, 1), date(first + hi, 12, 31), "year"),
            "absolute",
        )

    def _n_year(self, m: re.Match[str], ctx: _Context) -> Result:
        before = ctx.text[max(0, ctx.start - 24) : ctx.start]
        after = ctx.text[ctx.end : ctx.end + 24]
        if COUNTED.match(after) or QUANTITY_BEFORE.search(before):
            raise NotATime
        framed = (
            ctx.prep is not None
            or m["poss"]
            or re.search(
                r"(?:\b(?:the|its|his|her|their|this|that|a|year|and|or|to)|[(,]|[-–])\s*$",
                before,
                re.IGNORECASE,
            )
            or re.match(r"\s*[),]", after)
        )
        if not framed:
            raise NotATime
        return "date", cal.year_span(int(m["year"])), "absolute"

    # --- month and day without a year ------------------------------------------------------

    def _n_md(self, m: re.Match[str], ctx: _Context) -> Result:
        month, day = g.month_number(m["month"]), g.day_number(m["day"])
        weekday = g.WEEKDAYS[m["wd"].lower()] if m.groupdict().get("wd") else None
        return "date", _month_day(month, day, ctx, weekday), ctx.anchor_kind

    _n_dm = _n_md

    def _n_md_range(self, m: re.Match[str], ctx: _Context) -> Result:
        m1 = g.month_number(m["m1"]) if m["m1"] else g.month_number(m["m2"])
        m2 = g.month_number(m["m2"]) if m["m2"] else m1
        d1, d2 = g.day_number(m["d1"]), g.day_number(m["d2"])
        if m["year"]:
            year = int(m["year"])
            end_year = year
            if (m2, d2) < (m1, d1):
                year -= 1  # "December 28 – January 3, 2020": the year is the end's
            try:
                first, last = date(year, m1, d1), date(end_year, m2, d2)
            except ValueError as exc:
                raise NotATime from exc
            return "date", cal.span(first, last, "day"), "absolute"
        start = _as_date(_month_day(m1, d1, ctx))
        end_year = start.year + (1 if (m2, d2) < (m1, d1) else 0)
        try:
            last = date(end_year, m2, d2)
        except ValueError as exc:
            raise NotATime from exc
        return "date", cal.span(start, last, "day"), ctx.anchor_kind

    _n_dm_range = _n_md_range

    def _n_month_alone(self, m: re.Match[str], ctx: _Context) -> Result:
        which = _fold(m["which"])
        if not which and not ctx.prep and not m["poss"]:
            raise NotATime
        if m["month"] == "May" and not which and ctx.prep not in TIME_PREPS:
            raise NotATime
        bare_abbreviation = not m["month"].endswith(".") and len(m["month"]) <= 4
        if bare_abbreviation and m["month"] != "May" and not which and ctx.prep not in STRICT_PREPS:
            raise NotATime  # "Mar", "Jun" alone are too often part of a name
        month = g.month_number(m["month"])
        pub = _need(ctx.anchor)
        this_year = date(pub.year, month, 1)
        if which in {"last", "this past", "past"}:
            year = pub.year if month < pub.month else pub.year - 1
        elif which in {"next", "this coming"}:
            year = pub.year if month > pub.month else pub.year + 1
        elif which == "this":
            year = pub.year
        elif this_year <= pub:
            year = pub.year
            ahead = (date(pub.year + 1, month, 1) - pub).days
            if ctx.future and ahead <= ctx.future and ahead < (pub - this_year).days:
                year += 1
        else:
            year = pub.year - 1
            ahead = (this_year - pub).days
            if ctx.future and ahead <= ctx.future and ahead < (pub - date(year, month, 1)).days:
                year = pub.year
        return "date", cal.month_span(year, month), ctx.anchor_kind

    def _n_part_month(self, m: re.Match[str], ctx: _Context) -> Result:
        part = _part(m["part"])
        month = g.month_number(m["month"])
        if m["year"]:
            return "date", _month_part(int(m["year"]), month, part), "absolute"
        pub = _need(ctx.anchor)
        candidates = [_month_part(y, month, part) for y in (pub.year - 1, pub.year, pub.year + 1)]
        return "date", _pick(candidates, pub, ctx.future), ctx.anchor_kind

    # --- relative to the publication date ---------------------------------------------------

    def _n_dayword(self, m: re.Match[str], ctx: _Context) -> Result:
        pub = _need(ctx.anchor)
        word = _fold(m["word"])
        back = 2 if "before yesterday" in word else 1 if word in {"yesterday", "last night"} else 0
        day = pub - timedelta(days=back)
        return "date", cal.span(day, day, "day"), ctx.anchor_kind

    def _n_weekday(self, m: re.Match[str], ctx: _Context) -> Result:
        wd = g.WEEKDAYS[m["wd"].lower()]
        which, week = _fold(m["which"]), _fold(m["week"])
        if which in {"that", "the previous", "the following"}:
            base = _antecedent_span(ctx)
            ref = cal.as_date(base.start if which != "the following" else base.end)
            if which == "the following":
                day = ref + timedelta(days=(wd - ref.weekday() - 1) % 7 + 1)
            else:
                day = ref - timedelta(days=(ref.weekday() - wd) % 7 + (which != "that"))
            return "date", cal.span(day, day, "day"), "reference"
        pub = _need(ctx.anchor)
        if week:
            monday = cal.week_start(pub) + timedelta(weeks={"last": -1, "this": 0, "next": 1}[week])
            day = monday + timedelta(days=wd)
        elif which == "this":
            day = cal.week_start(pub) + timedelta(days=wd)
        elif which in {"last", "this past", "past"}:
            day = pub - timedelta(days=(pub.weekday() - wd - 1) % 7 + 1)
        elif which in {"next", "this coming", "coming"} or (ctx.plainly_future and not which):
            day = pub + timedelta(days=(wd - pub.weekday() - 1) % 7 + 1)
        else:
            day = pub - timedelta(days=(pub.weekday() - wd) % 7)
        return "date", cal.span(day, day, "day"), ctx.anchor_kind

    def _n_relperiod(self, m: re.Match[str], ctx: _Context) -> Result:
        pub = _need(ctx.anchor)
        which, unit = _fold(m["which"]).removeprefix("the "), _fold(m["unit"])
        step = {"last": -1, "previous": -1, "next": 1, "coming": 1}.get(which, 0)
        if unit == "weekend":  # "the weekend", "the past weekend": the last one
            last = -1 if pub.weekday() < 5 and which in ("past", "the") else 0
            saturday = cal.week_start(pub) + timedelta(days=5, weeks=step or last)
            return "date", cal.span(saturday, saturday + timedelta(days=1), "week"), ctx.anchor_kind
        if which == "past":
            back = {
                "week": timedelta(days=6),
                "month": pub - cal.shift_months(pub, -1),
                "year": pub - cal.shift_years(pub, -1),
            }[unit]
            return "date", cal.span(pub - back, pub, unit), ctx.anchor_kind
        return "date", _period(pub, unit, step), ctx.anchor_kind

    def _n_earlier_later(self, m: re.Match[str], ctx: _Context) -> Result:
        pub = _need(ctx.anchor)
        which, unit = _fold(m["which"]), _fold(m["unit"])
        step = {"last": -1, "next": 1}.get(which, 0)
        whole = _period(pub, unit, step)
        if step:
            return "date", whole, ctx.anchor_kind
        if _fold(m["el"]) == "earlier":
            return "date", TimeSpan(whole.start, pub.isoformat(), whole.precision), ctx.anchor_kind
        return "date", TimeSpan(pub.isoformat(), whole.end, whole.precision), ctx.anchor_kind

    def _n_so_far(self, m: re.Match[str], ctx: _Context) -> Result:
        pub = _need(ctx.anchor)
        whole = _period(pub, _fold(m["unit"]), 0)
        return "date", TimeSpan(whole.start, pub.isoformat(), whole.precision), ctx.anchor_kind

    def _n_part_year(self, m: re.Match[str], ctx: _Context) -> Result:
        part, which = _part(m["part"]), _fold(m["which"])
        if which.isdigit():
            return "date", _year_part(int(which), part), "absolute"
        if which in {"the previous year", "the following year", "the same year", "that year"}:
            base = cal.as_date(_antecedent_span(ctx).start).year
            year = base + {"the previous year": -1, "the following year": 1}.get(which, 0)
            return "date", _year_part(year, part), "reference"
        pub = _need(ctx.anchor)
        year = pub.year + {"last year": -1, "next year": 1}.get(which, 0)
        return "date", _year_part(year, part), ctx.anchor_kind

    def _n_part_relmonth(self, m: re.Match[str], ctx: _Context) -> Result:
        part, which = _part(m["part"]), _fold(m["which"])
        if which in {"that", "the same", "the previous", "the following"}:
            base = cal.as_date(_antecedent_span(ctx).start)
            step = {"the previous": -1, "the following": 1}.get(which, 0)
            year, month = cal.add_months(base.year, base.month, step)
            return "date", _month_part(year, month, part), "reference"
        pub = _need(ctx.anchor)
        year, month = cal.add_months(pub.year, pub.month, {"last": -1, "next": 1}.get(which, 0))
        return "date", _month_part(year, month, part), ctx.anchor_kind

    def _n_lastn(self, m: re.Match[str], ctx: _Context) -> Result:
        pub = _need(ctx.anchor)
        amount, unit = _amount(m), _unit(m["unit"])
        if _fold(m["which"]) in {"next", "coming"}:
            return (
                "date",
                cal.span(pub, _shift(pub, unit, amount[1]), _precision(unit)),
                ctx.anchor_kind,
            )
        return (
            "date",
            cal.span(_shift(pub, unit, -amount[1]), pub, _precision(unit)),
            ctx.anchor_kind,
        )

    def _n_recent(self, m: re.Match[str], ctx: _Context) -> Result:
        pub = _need(ctx.anchor)
        unit = _unit(m["unit"])
        back = {
            "day": ("day", 10),
            "week": ("day", 56),
            "month": ("month", 6),
            "year": ("year", 5),
        }[unit]
        precision = {"day": "week", "week": "week", "month": "month", "year": "year"}[unit]
        return "date", cal.span(_shift(pub, back[0], -back[1]), pub, precision), ctx.anchor_kind

    def _n_quantity(self, m: re.Match[str], ctx: _Context) -> Result:
        if m["old"]:
            return "age", None, ""
        direction = _fold(m["dir"])
        if m["unit"].lower().startswith(("minute", "hour")) or not direction or m["q"]:
            return "duration", None, ""
        if direction == "ago":
            return self._n_ago(m, ctx)
        if direction in {"after", "before"} and not EVENT_AFTER.match(ctx.text, ctx.end):
            # "sentenced to five years after a trial": a term, not "five years after the trial".
            return "duration", None, ""
        return self._n_ref_shift(m, ctx)

    def _n_ago(self, m: re.Match[str], ctx: _Context) -> Result:
        pub = _need(ctx.anchor)
        amount, unit = _amount(m), _unit(m["unit"])
        earliest, latest = _shift(pub, unit, -amount[1]), _shift(pub, unit, -amount[0])
        return "date", _widen(earliest, latest, unit), ctx.anchor_kind

    def _n_season(self, m: re.Match[str], ctx: _Context) -> Result:
        which, season = _fold(m["which"]), _fold(m["season"])
        if season == "fall":
            season = "autumn"
        if m["year"]:
            whole = cal.season_span(season, int(m["year"]))
            return "date", _season_part(whole, m["part"]), "absolute"
        if not which and ctx.prep not in TIME_PREPS and not m["part"]:
            raise NotATime
        if which in {"that", "the same"}:
            base = cal.as_date(_antecedent_span(ctx).start)
            return "date", _season_part(_season_around(season, base, "the"), m["part"]), "reference"
        pub = _need(ctx.anchor)
        which = which or ("nearest" if ctx.future else "the")
        return "date", _season_part(_season_around(season, pub, which), m["part"]), ctx.anchor_kind

    # --- named, dated events ----------------------------------------------------------------

    def _n_named(self, m: re.Match[str], ctx: _Context) -> Result:
        event = self.known.by_name(m["name"])
        if event is None:  # pragma: no cover - the pattern is built from the same names
            raise NotATime
        return self._dated(event, ctx, _fold(m["whose"]))

    def _n_congress(self, m: re.Match[str], ctx: _Context) -> Result:
        number = g.ordinal(m["congress"])
        event = self.known.congress(number) if number else None
        if event is None:
            raise Unresolved("not in the table of dated events")
        return self._dated(event, ctx, "")

    def _n_plenary(self, m: re.Match[str], ctx: _Context) -> Result:
        plenary, congress = g.ordinal(m["plenary"]), g.ordinal(m["congress"])
        event = self.known.plenary(congress, plenary) if plenary and congress else None
        if event is None:
            raise Unresolved("not in the table of dated events")
        return self._dated(event, ctx, "")

    def _dated(self, event: DatedEvent, ctx: _Context, whose: str) -> Result:
        if not event.recurring:
            assert event.start is not None and event.end is not None
            return "date", TimeSpan(event.start, event.end, "day"), "known_event"
        assert event.month_day is not None
        month, day = (int(x) for x in event.month_day.split("-"))
        end_month, end_day = (
            (int(x) for x in event.end_month_day.split("-"))
            if event.end_month_day
            else (month, day)
        )
        pub = _need(ctx.anchor)
        if whose:  # "this year's", "last year's": that year's occurrence only
            years = [pub.year + {"last": -1, "next": 1}.get(whose, 0)]
        else:
            years = [pub.year - 1, pub.year, pub.year + 1]
        candidates = [
            cal.span(date(y, month, day), date(y, end_month, end_day), "day") for y in years
        ]
        return "date", _pick(candidates, pub, ctx.future), "known_event"

    # --- references to an earlier time ------------------------------------------------------

    def _n_ref_same(self, m: re.Match[str], ctx: _Context) -> Result:
        base = _antecedent_span(ctx)
        unit = _fold(m["unit"])
        if (
            unit in {"week", "month", "year"}
            and cal.PRECISION_RANK[base.precision] < cal.PRECISION_RANK[unit]
        ):
            return "date", _period(cal.as_date(base.start), unit, 0), "reference"
        return "date", base, "reference"

    def _n_ref_next(self, m: re.Match[str], ctx: _Context) -> Result:
        base = _antecedent_span(ctx)
        step = 1 if _fold(m["dir"]) in {"following", "next"} else -1
        return "date", _step_from(base, _fold(m["unit"]), step), "reference"

    def _n_ref_dayafter(self, m: re.Match[str], ctx: _Context) -> Result:
        base = _antecedent_span(ctx)
        step = 1 if _fold(m["dir"]) == "after" else -1
        return "date", _step_from(base, _fold(m["unit"]), step), "reference"

    def _n_ref_within(self, m: re.Match[str], ctx: _Context) -> Result:
        base = _antecedent_span(ctx)
        unit = _fold(m["unit"])
        if (
            unit in {"day", "night"}
            or cal.PRECISION_RANK[base.precision] >= cal.PRECISION_RANK[unit]
        ):
            return "date", base, "reference"
        whole = _period(cal.as_date(base.start), unit, 0)
        if _fold(m["el"]) == "later":
            return "date", TimeSpan(base.start, whole.end, whole.precision), "reference"
        return "date", TimeSpan(whole.start, base.start, whole.precision), "reference"

    def _n_ref_event(self, m: re.Match[str], ctx: _Context) -> Result:
        return "date", _antecedent_span(ctx), "reference"

    _n_ref_then = _n_ref_event  # "since then", "at that time": the earlier date itself

    def _n_ref_shift(self, m: re.Match[str], ctx: _Context) -> Result:
        base = _antecedent_span(ctx)
        amount, unit = _amount(m), _unit(m["unit"])
        sign = -1 if _fold(m["dir"]) in {"earlier", "before that", "before"} else 1
        start = cal.as_date(base.start if sign > 0 else base.end)
        first = _shift(start, unit, sign * amount[0])
        last = _shift(start, unit, sign * amount[1])
        earliest, latest = min(first, last), max(first, last)
        if base.precision == "day" and unit in {"day", "week"}:
            # "a week later" than a day is a day.
            return "date", cal.span(earliest, latest, "day"), "reference"
        result = _widen(earliest, latest, unit)
        return (
            "date",
            TimeSpan(result.start, result.end, cal.coarser(result.precision, base.precision)),
            "reference",
        )

    # --- not dates --------------------------------------------------------------------------

    def _n_duration(self, m: re.Match[str], ctx: _Context) -> Result:
        return "duration", None, ""

    def _n_age(self, m: re.Match[str], ctx: _Context) -> Result:
        return "age", None, ""

    def _n_recurring(self, m: re.Match[str], ctx: _Context) -> Result:
        return "recurring", None, ""


# --- helpers ----------------------------------------------------------------------------------


def _fold(value: str | None) -> str:
    return " ".join(value.lower().split()) if value else ""


def _role(prep: str | None) -> str:
    if prep in SINCE_PREPS:
        return "since"
    if prep in DEADLINE_PREPS:
        return "deadline"
    if prep == "after":
        return "after"
    return "point"


def _need(anchor: date | None) -> date:
    if anchor is None:
        raise Unresolved(NEEDS_ANCHOR)
    return anchor


def _antecedent(
    text: str,
    kind: str,
    inner: re.Match[str],
    end: int,
    history: list[TimeExpression],
    published: date | None,
) -> TimeExpression | None:
    """Return the earlier expression a reference points at.

    "Since the trial", "two days after the arrest", "the same meeting": the date stated with
    the last earlier mention of that event. "That day", "that evening": the last date given
    to the day. Otherwise the last date stated.
    """
    if not history:
        return None
    groups = inner.groupdict()
    noun = groups.get("noun")
    if noun is None and kind in {"quantity", "ref_dayafter", "ref_same"}:
        if kind == "ref_same":
            noun = groups.get("unit")
        else:
            follow = EVENT_AFTER.match(text, end)
            noun = follow["noun"] if follow else None
    if noun is not None:
        stems = EVENT_NOUNS.get(" ".join(noun.lower().split()))
        if stems:
            limit = published.isoformat() if published else "9999"
            past = [h for h in history if h.span is not None and h.span.start <= limit]
            mentioned = _date_of_mention(text, inner.start(), stems, past, noun.lower() in PUNCTUAL)
            if mentioned is not None:
                return mentioned
    if kind == "ref_same" and (groups.get("unit") or "").lower() in DAY_UNITS:
        days = [h for h in history if h.span is not None and h.span.precision == "day"]
        if days:
            return days[-1]
    return history[-1]


DAY_UNITS = {"day", "night", "evening", "morning", "afternoon"}
# Events that happen on a day: their date is a day (or a week), not a month or a year.
PUNCTUAL = {"trial", "arrest", "meeting", "execution", "raid", "sentencing", "verdict",
            "announcement", "lecture", "deadline"}  # fmt: skip
SENTENCE_EDGE = re.compile(r"[.!?][\"”’']?\s+(?=[\"“‘']?[A-Z])|\n")


def _date_of_mention(
    text: str, before: int, stems: tuple[str, ...], history: list[TimeExpression], punctual: bool
) -> TimeExpression | None:
    """Return the date stated in the sentence of the last earlier mention of an event.

    Dates stated outright win over references ("three days later"); a punctual event (a
    trial, an arrest) takes a day or a week, not the month or year of a wider story.
    """
    lowered = text[:before].lower()
    fallback: TimeExpression | None = None
    for _ in range(8):
        at = max(lowered.rfind(stem) for stem in stems)
        if at < 0:
            return None
        edges = [m.end() for m in SENTENCE_EDGE.finditer(text, 0, at)]
        sentence_start = edges[-1] if edges else 0
        stop = SENTENCE_EDGE.search(text, at)
        sentence_end = stop.start() if stop else len(text)
        candidates = [h for h in history if sentence_start <= h.start < sentence_end]
        stated = [h for h in candidates if h.anchor != "reference"] or candidates
        fine = [h for h in stated if h.span is not None and h.span.precision in {"day", "week"}]
        if punctual and not fine and stated and fallback is None:
            fallback = min(stated, key=lambda h: abs(h.start - at))
        elif fine if punctual else stated:
            return min(fine if punctual else stated, key=lambda h: abs(h.start - at))
        lowered = lowered[:sentence_start]
    return fallback


def _antecedent_span(ctx: _Context) -> TimeSpan:
    if ctx.antecedent is None or ctx.antecedent.span is None:
        raise Unresolved(NO_ANTECEDENT)
    return ctx.antecedent.span


def _as_date(value: TimeSpan) -> date:
    return cal.as_date(value.start)


def _day(year: int, month: int, day: int) -> Result:
    try:
        value = date(year, month, day)
    except ValueError as exc:
        raise NotATime from exc
    return "date", cal.span(value, value, "day"), "absolute"


def _month_day(month: int, day: int, ctx: _Context, weekday: int | None = None) -> TimeSpan:
    restated = _restated_year(ctx)
    if restated is not None:
        try:
            value = date(restated, month, day)
        except ValueError as exc:
            raise NotATime from exc
        return cal.span(value, value, "day")
    pub = _need(ctx.anchor)
    candidates = []
    for year in (pub.year - 1, pub.year, pub.year + 1):
        try:
            value = date(year, month, day)
        except ValueError:  # 29 February outside a leap year
            continue
        candidates.append(value)
    if not candidates:
        raise NotATime
    if weekday is not None:
        matching = [c for c in candidates if c.weekday() == weekday]
        if matching:
            candidates = matching
    spans = [cal.span(c, c, "day") for c in candidates]
    if not any(cal.as_date(s.start) <= pub for s in spans):
        # 29 February and the nearest leap year is after publication: look further back.
        for year in range(pub.year - 2, pub.year - 9, -1):
            try:
                value = date(year, month, day)
            except ValueError:
                continue
            return cal.span(value, value, "day")
    return _pick(spans, pub, ctx.future)


def _restated_year(ctx: _Context) -> int | None:
    """Return the year of the expression just before, when this one restates it in
    parentheses ("this year's ... Month (June 25 – July 27)")."""
    before = ctx.previous
    if before is None or before.span is None:
        return None
    if not re.fullmatch(r"\s*\(\s*", ctx.text[before.end : ctx.outer_start]):
        return None
    return cal.as_date(before.span.start).year


def _pick(candidates: list[TimeSpan], pub: date, future: int) -> TimeSpan:
    """Return the latest candidate starting on or before ``pub``; when the clause looks
    ahead (``future`` days at most), the next one if it is nearer."""
    past = [c for c in candidates if cal.as_date(c.start) <= pub]
    ahead = [c for c in candidates if cal.as_date(c.start) > pub]
    latest = max(past, key=lambda c: c.start) if past else None
    if future and ahead:
        soonest = min(ahead, key=lambda c: c.start)
        wait = cal.as_date(soonest.start) - pub
        if wait.days <= future and (latest is None or wait <= pub - cal.as_date(latest.end)):
            return soonest
    if latest is None:
        return min(ahead, key=lambda c: c.start)
    return latest


def _part(value: str) -> str:
    word = _fold(value)
    if "first half" in word:
        return "first_half"
    if "second half" in word or "latter half" in word or "last half" in word:
        return "second_half"
    week = re.search(r"(first|second|third|fourth|last|final) week", word)
    if week:
        return f"week{week.group(1)}"
    if word.startswith("mid") or "middle" in word:
        return "mid"
    if word.startswith("early") or "beginning" in word or "start" in word:
        return "early"
    return "late"  # late, end, close, turn


WEEK_OF_MONTH = {"weekfirst": 0, "weeksecond": 1, "weekthird": 2, "weekfourth": 3}


def _month_part(year: int, month: int, part: str) -> TimeSpan:
    if part.startswith("week"):
        # "The first week of October": its days 1-7, 8-14 ...; the last week, its last 7 days.
        last_day = cal.month_end(year, month)
        if part in {"weeklast", "weekfinal"}:
            return cal.span(last_day - timedelta(days=6), last_day, "week")
        first = date(year, month, 1) + timedelta(days=7 * WEEK_OF_MONTH[part])
        return cal.span(first, min(first + timedelta(days=6), last_day), "week")
    if part == "first_half":
        return cal.span(date(year, month, 1), date(year, month, 15), "week")
    if part == "second_half":
        return cal.span(date(year, month, 16), cal.month_end(year, month), "week")
    return cal.part_of_month(year, month, part)


def _year_part(year: int, part: str) -> TimeSpan:
    if part.startswith("week"):
        first = date(year, 1, 1) if part != "weeklast" else date(year, 12, 25)
        return cal.span(first, first + timedelta(days=6), "week")
    if part in {"first_half", "second_half"}:
        return cal.half_of_year(year, part == "second_half")
    return cal.part_of_year(year, part)


def _season_part(whole: TimeSpan, part: str | None) -> TimeSpan:
    if not part:
        return whole
    first = cal.as_date(whole.start)
    index = (
        {"early": 0, "mid": 1, "late": 2}[_part(part)]
        if _part(part) in {"early", "mid", "late"}
        else 0
    )
    year, month = cal.add_months(first.year, first.month, index)
    return cal.span(date(year, month, 1), cal.month_end(year, month), "month")


def _season_around(season: str, day: date, which: str) -> TimeSpan:
    occurrences = [cal.season_span(season, y) for y in range(day.year - 2, day.year + 2)]
    iso = day.isoformat()
    if which in {"last", "past", "this past"}:
        return max((o for o in occurrences if o.end < iso), key=lambda o: o.start)
    if which == "next":
        return min((o for o in occurrences if o.start > iso), key=lambda o: o.start)
    if which == "this":
        current = [o for o in occurrences if o.start <= iso <= o.end]
        if current:
            return current[0]
        return cal.season_span(season, day.year)
    if which == "nearest":
        return _pick(occurrences, day, FUTURE_WINDOW)
    return max((o for o in occurrences if o.start <= iso), key=lambda o: o.start)


def _amount(m: re.Match[str]) -> tuple[float, float]:
    """Return the (least, most) the match's number allows."""
    amount = g.number(m["num"])
    if amount is None:
        raise NotATime
    return amount


def _unit(value: str) -> str:
    word = value.lower().rstrip("s")
    return "year10" if word == "decade" else word


def _precision(unit: str) -> str:
    return {"day": "day", "week": "week", "month": "month", "year": "year", "year10": "year"}[unit]


def _shift(day: date, unit: str, amount: float) -> date:
    if unit == "day":
        return day + timedelta(days=round(amount))
    if unit == "week":
        return day + timedelta(days=round(amount * 7))
    if unit == "month":
        return cal.shift_months(day, round(amount))
    if unit == "year10":
        return cal.shift_years(day, round(amount * 10))
    if amount != int(amount):
        return cal.shift_months(day, round(amount * 12))
    return cal.shift_years(day, int(amount))


def _widen(earliest: date, latest: date, unit: str) -> TimeSpan:
    """Return the days from ``earliest`` to ``latest``, widened to whole units."""
    if unit == "day":
        return cal.span(earliest, latest, "day")
    if unit == "week":
        return cal.span(
            cal.week_start(earliest), cal.week_start(latest) + timedelta(days=6), "week"
        )
    if unit == "month":
        return cal.span(earliest.replace(day=1), cal.month_end(latest.year, latest.month), "month")
    return cal.span(date(earliest.year, 1, 1), date(latest.year, 12, 31), "year")


def _period(day: date, unit: str, step: int) -> TimeSpan:
    """Return the week, month or year holding ``day``, moved by ``step`` of them."""
    if unit == "week":
        return cal.week_span(day + timedelta(weeks=step))
    if unit == "month":
        year, month = cal.add_months(day.year, day.month, step)
        return cal.month_span(year, month)
    if unit == "day":
        value = day + timedelta(days=step)
        return cal.span(value, value, "day")
    return cal.year_span(day.year + step)


def _step_from(base: TimeSpan, unit: str, step: int) -> TimeSpan:
    """Return the day, week, month or year after (or before) an earlier time."""
    unit = {"morning": "day", "evening": "day", "night": "day", "afternoon": "day"}.get(unit, unit)
    edge = cal.as_date(base.end if step > 0 else base.start)
    result = _period(edge, unit, step)
    return TimeSpan(result.start, result.end, cal.coarser(result.precision, base.precision))


def _extend_to(value: TimeSpan, published: date | None) -> TimeSpan:
    """Return "since X": from the start of X to publication."""
    if published is None or published.isoformat() < value.start:
        return value
    return TimeSpan(value.start, max(value.end, published.isoformat()), value.precision)


def _merge_range(
    text: str, found: list[TimeExpression], expr: TimeExpression
) -> TimeExpression | None:
    """Return "from X to Y" / "between X and Y" as one expression, if ``expr`` ends one."""
    if not found or expr.span is None:
        return None
    prev = found[-1]
    if prev.kind != "date" or prev.span is None or prev.role not in {"since", "point"}:
        return None
    join = RANGE_JOIN.fullmatch(text, prev.end, expr.start)
    if join is None:
        return None
    opener = text[max(0, prev.start - 9) : prev.start].lower()
    dash = any(c in text[prev.end : expr.start] for c in "-–—")
    if not dash and not re.search(r"\b(?:from|between)\s+(?:the\s+)?$", opener):
        return None
    start = prev.span.start  # "from X" was extended to publication: only its start counts
    end = expr.span.end
    if end < start:
        return None
    precision = cal.coarser(prev.span.precision, expr.span.precision)
    return TimeExpression(
        text[prev.start : expr.end], prev.start, expr.end, "date",
        TimeSpan(start, end, precision), role="point", anchor=expr.anchor or prev.anchor,
        rule=f"{prev.rule}+{expr.rule}",
    )  # fmt: skip


def _duration_value(m: re.Match[str]) -> tuple[float | None, str | None]:
    groups = m.groupdict()
    amount = g.number(groups.get("num2") or groups.get("num"))
    unit = groups.get("unit")
    if amount is None or unit is None:
        return None, None
    return amount[1], unit.lower().rstrip("s")


_TAGGER: TimeTagger | None = None


def tag_times(text: str, published: date | str | None) -> list[TimeExpression]:
    """Return the temporal expressions of ``text``, anchored on ``published``."""
    global _TAGGER
    if _TAGGER is None:
        _TAGGER = TimeTagger()
    if isinstance(published, str):
        published = date.fromisoformat(published)
    return _TAGGER.tag(text, published)
