"""Find temporal expressions in Korean text and normalize them like English ones.

The same conventions as the English tagger (codebook §4, §8): relative expressions ("지난달",
"올해 초", "지난해 말", "이달 중순") are anchored on the publication date; a bare day of the
month ("지난 9일", "11일") is the latest such day on or before publication, or the next one when
the text looks ahead ("오는 20일", "20일까지"); "초 / 중순 / 말" of a month are its days 1–10,
11–20, 21–end (precision ``week``), of a year its thirds (``season``); "그날" and "다음 날" take
the time of the expression before them. The particle after an expression gives its role:
"부터" ``since`` (from then until publication), "까지" ``deadline``, "이후" ``after``; the day a
source spoke ("소식통은 11일 본지에") is ``reported``; the time of what something is compared with
("지난해 가을 40% 수준에서") is ``comparison``. Lengths of time ("15년 노동교화형", "석 달째") are
durations, never dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from nkwatch.model import TimeExpression, TimeSpan
from nkwatch.nlp.temporal import calendar as cal

# Native Korean numbers as they count months and years ("석 달", "두 해").
_NATIVE = {
    "한": 1, "두": 2, "세": 3, "석": 3, "네": 4, "넉": 4, "다섯": 5, "여섯": 6, "일곱": 7,
    "여덟": 8, "아홉": 9, "열": 10,
}  # fmt: skip
_PART_OF_MONTH = {
    "초": "early", "초순": "early", "상순": "early", "중순": "mid", "하순": "late", "말": "late",
    "말경": "late",
}  # fmt: skip
_PART_OF_YEAR = {"초": "early", "중반": "mid", "말": "late", "연말": "late", "연초": "early"}
_HALF = {"상반기": False, "하반기": True}
_SEASON = {"봄": "spring", "여름": "summer", "가을": "autumn", "겨울": "winter"}
_REL_MONTH = {"지난달": -1, "지난 달": -1, "이달": 0, "이번 달": 0, "이번달": 0,
              "다음 달": 1, "다음달": 1, "내달": 1, "오는 달": 1}  # fmt: skip
_REL_YEAR = {"지난해": -1, "작년": -1, "전년": -1, "올해": 0, "금년": 0, "내년": 1,
             "재작년": -2}  # fmt: skip
_REL_WEEK = {"지난주": -1, "지난 주": -1, "이번 주": 0, "이번주": 0, "금주": 0, "다음 주": 1,
             "다음주": 1}  # fmt: skip
_REL_DAY = {"오늘": 0, "어제": -1, "그저께": -2, "그제": -2, "내일": 1, "모레": 2}
_REFERENCE = {"그날": 0, "당일": 0, "이날": 0, "그 날": 0, "다음 날": 1, "다음날": 1, "이튿날": 1,
              "전날": -1, "그 다음 날": 1}  # fmt: skip


def _alt(words: Iterable[str]) -> str:
    """Return an alternation of ``words``, longest first, a space matching any white space."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s*") for w in ordered)


# Where a time word ends: not inside a longer word, but before a particle ("지난해에는").
_END = r"(?=$|[^가-힣]|에|엔|부터|까지|의|이|가|은|는|과|와|도|께|경|쯤|들어|만|을|를)"
_PART_M = _alt(_PART_OF_MONTH)
_PART_Y = _alt([*_PART_OF_YEAR, *_HALF, *_SEASON])
_NUM = r"\d{1,2}"
_YEAR = r"(?:19|20)\d\d"
_SCANNER = re.compile(
    "|".join(
        (
            rf"(?P<ymd>(?P<y1>{_YEAR})\s*년\s*(?P<m1>{_NUM})\s*월\s*(?P<d1>{_NUM})\s*일)",
            rf"(?P<ym>(?P<y2>{_YEAR})\s*년\s*(?P<m2>{_NUM})\s*월(?:\s*(?P<p2>{_PART_M}){_END})?)",
            rf"(?P<y>(?P<y3>{_YEAR})\s*년(?!\s*(?:간|동안|째|만))(?:\s*(?P<p3>{_PART_Y}){_END})?)",
            rf"(?P<rym>(?P<ry4>{_alt(_REL_YEAR)})\s*(?P<m4>{_NUM})\s*월"
            rf"(?:\s*(?P<d4>{_NUM})\s*일|\s*(?P<p4>{_PART_M}){_END})?)",
            rf"(?P<ry>(?P<ry5>{_alt(_REL_YEAR)})(?:\s*(?P<p5>{_PART_Y}))?{_END})",
            rf"(?P<md>(?P<m7>{_NUM})\s*월\s*(?P<d7>{_NUM})\s*일)",
            rf"(?P<rmd>(?P<rm8>{_alt(_REL_MONTH)})\s*(?P<d8>{_NUM})\s*일)",
            rf"(?P<rm>(?P<rm9>{_alt(_REL_MONTH)})(?:\s*(?P<p9>{_PART_M}))?{_END})",
            rf"(?P<m>(?P<m10>{_NUM})\s*월(?:\s*(?P<p10>{_PART_M}))?{_END})",
            rf"(?P<rw>{_alt(_REL_WEEK)}){_END}",
            rf"(?P<rd>{_alt(_REL_DAY)}){_END}",
            rf"(?P<ref>{_alt(_REFERENCE)}){_END}",
            r"(?P<dur>(?P<n12>\d+|" + _alt(_NATIVE) + r")\s*(?P<u12>년|개월|달|주일|주|해)"
            r"(?:간|동안|째|이상|만에|가량|여|이내)?(?=$|[^가-힣]|의|을|를|이|가|은|는|에|형|도))",
            rf"(?P<d>(?:(?P<pre13>지난|오는|이번)\s*)?(?P<d13>{_NUM})\s*일)(?!\s*(?:간|동안|째|만에))",
        )
    )
)
_NOT_AFTER_NUMBER = re.compile(r"[\d.,]")
_COMPARISON_AFTER = re.compile(
    r"(?:에는|에|엔|의|만\s*해도)?\s*(?:[\d,.]+\s*(?:%|퍼센트|위안|원|달러|만\s*원)|[\d,.]+\s*(?:배))"
)
_REPORTED_BEFORE = re.compile(r"(?:소식통(?:은|이|도|들은)|기자(?:는|에게))\s*$")
_REPORTED_AFTER = re.compile(r"\s*(?:본지|본사|기자|데일리\s*NK|자유아시아방송|RFA|전화\s*통화)")
_FUTURE_CUE = re.compile(r"오는|까지|예정|(?:ㄹ|을|할|될)\s*것|겠|하라|으라|도록")
_SINCE = re.compile(r"\s*(?:부터|이래|들어)")
_DEADLINE = re.compile(r"\s*(?:까지|이내)")
_AFTER = re.compile(r"\s*(?:이후|후에|후|뒤에|뒤|부터는)(?![가-힣])")
_UNIT = {"년": "year", "해": "year", "개월": "month", "달": "month", "주": "week", "주일": "week"}


class NotATime(Exception):
    """The match is an ordinary word here."""


@dataclass(slots=True)
class _Ctx:
    text: str
    published: date | None
    start: int
    end: int
    previous: TimeExpression | None


class KoreanTimeTagger:
    """Tags and normalizes the temporal expressions of Korean text."""

    def tag(
        self, text: str, published: date | None, *, anchor_kind: str = "publication"
    ) -> list[TimeExpression]:
        """Return the temporal expressions of ``text`` in order, normalized against
        ``published``."""
        found: list[TimeExpression] = []
        last_date: TimeExpression | None = None
        for m in _SCANNER.finditer(text):
            kind = m.lastgroup
            if kind is None:
                continue
            start, end = m.span()
            if kind in ("d", "dur", "m") and _NOT_AFTER_NUMBER.search(
                text, max(0, start - 1), start
            ):
                continue  # "2,000일", "1.5년": part of a number
            if kind == "dur":
                found.append(self._duration(m, text, start, end))
                continue
            ctx = _Ctx(text, published, start, end, last_date)
            try:
                span, anchor = self._normalize(kind, m, ctx)
            except NotATime:
                continue
            expr = TimeExpression(text[start:end].strip(), start, end, "date", rule=f"ko_{kind}")
            if span is None:
                expr.unresolved = anchor
            else:
                expr.span, expr.anchor = span, anchor
            expr.role = self._role(text, start, end)
            if (
                expr.role == "since" and expr.span is not None and published is not None
                and published.isoformat() >= expr.span.start
            ):  # fmt: skip
                expr.span = TimeSpan(
                        expr.span.start, max(expr.span.end, published.isoformat()),
                        expr.span.precision,
                    )  # fmt: skip
            if expr.role not in ("reported", "comparison") and expr.span is not None:
                last_date = expr
            found.append(expr)
        if anchor_kind != "publication":
            for t in found:
                if t.anchor == "publication":
                    t.anchor = anchor_kind
        return found

    # --- roles -----------------------------------------------------------------------------

    @staticmethod
    def _role(text: str, start: int, end: int) -> str:
        if _REPORTED_BEFORE.search(text, max(0, start - 12), start) or _REPORTED_AFTER.match(
            text, end
        ):
            return "reported"
        if _COMPARISON_AFTER.match(text, end):
            return "comparison"
        if _SINCE.match(text, end):
            return "since"
        if _DEADLINE.match(text, end):
            return "deadline"
        if _AFTER.match(text, end):
            return "after"
        return "point"

    # --- values ----------------------------------------------------------------------------

    @staticmethod
    def _duration(m: re.Match[str], text: str, start: int, end: int) -> TimeExpression:
        raw = m["n12"]
        amount = float(raw) if raw.isdigit() else float(_NATIVE[raw])
        return TimeExpression(
            text[start:end].strip(), start, end, "duration", amount=amount,
            unit=_UNIT[m["u12"]], rule="ko_duration",
        )  # fmt: skip

    def _normalize(self, kind: str, m: re.Match[str], ctx: _Ctx) -> tuple[TimeSpan | None, str]:
        pub = ctx.published
        if kind == "ymd":
            return _day(int(m["y1"]), int(m["m1"]), int(m["d1"])), "absolute"
        if kind == "ym":
            return _month(int(m["y2"]), int(m["m2"]), m["p2"]), "absolute"
        if kind == "y":
            return _year(int(m["y3"]), m["p3"]), "absolute"
        if kind == "md":
            month, day = int(m["m7"]), int(m["d7"])
            if pub is None:
                return None, "needs the publication date"
            year = pub.year
            if (month, day) > (pub.month, pub.day) and not self._ahead(ctx):
                year -= 1
            return _day(year, month, day), "publication"
        if pub is None:
            return None, "needs the publication date"
        if kind in ("ry", "rym"):
            year = pub.year + _REL_YEAR[_key(m["ry4"] or m["ry5"])]
            if kind == "rym":
                if m["d4"]:
                    return _day(year, int(m["m4"]), int(m["d4"])), "publication"
                return _month(year, int(m["m4"]), m["p4"]), "publication"
            span = _year(year, m["p5"])
            if year == pub.year and span.end > pub.isoformat() and m["p5"] is None:
                # "올해": the year so far
                return TimeSpan(span.start, pub.isoformat(), "year"), "publication"
            return span, "publication"
        if kind in ("rm", "rmd"):
            delta = _REL_MONTH[_key(m["rm9"] or m["rm8"])]
            year, month = cal.add_months(pub.year, pub.month, delta)
            if kind == "rmd":
                return _day(year, month, int(m["d8"])), "publication"
            span = _month(year, month, m["p9"])
            if delta == 0 and m["p9"] is None and span.end > pub.isoformat():
                return TimeSpan(span.start, pub.isoformat(), "month"), "publication"
            return span, "publication"
        if kind == "m":
            month = int(m["m10"])
            if not 1 <= month <= 12:
                raise NotATime
            year = pub.year
            if month > pub.month and not self._ahead(ctx):
                year -= 1
            return _month(year, month, m["p10"]), "publication"
        if kind == "rw":
            monday = cal.week_start(pub) + timedelta(weeks=_REL_WEEK[_key(m["rw"])])
            return cal.span(monday, monday + timedelta(days=6), "week"), "publication"
        if kind == "rd":
            today = pub + timedelta(days=_REL_DAY[_key(m["rd"])])
            return cal.span(today, today, "day"), "publication"
        if kind == "ref":
            prev = ctx.previous
            if prev is None or prev.span is None:
                return None, "no earlier date to refer to"
            step = _REFERENCE[_key(m["ref"])]
            if step == 0:
                return prev.span, "reference"
            edge = cal.as_date(prev.span.end if step > 0 else prev.span.start)
            then = edge + timedelta(days=step)
            return cal.span(then, then, "day"), "reference"
        if kind == "d":
            day = int(m["d13"])
            if not 1 <= day <= 31:
                raise NotATime
            ahead = m["pre13"] == "오는" or (m["pre13"] != "지난" and self._ahead(ctx))
            return _day_of_month(pub, day, ahead), "publication"
        raise NotATime

    @staticmethod
    def _ahead(ctx: _Ctx) -> bool:
        """Return True when the text looks ahead from the expression ("20일까지", "오는")."""
        before = ctx.text[max(0, ctx.start - 4) : ctx.start]
        after = ctx.text[ctx.end : ctx.end + 4]
        return "오는" in before or bool(_DEADLINE.match(after)) or "예정" in after


def _key(word: str) -> str:
    return re.sub(r"\s+", " ", word)


def _day(year: int, month: int, day: int) -> TimeSpan:
    try:
        value = date(year, month, day)
    except ValueError:
        raise NotATime from None
    return cal.span(value, value, "day")


def _month(year: int, month: int, part: str | None) -> TimeSpan:
    if not 1 <= month <= 12:
        raise NotATime
    if part:
        return cal.part_of_month(year, month, _PART_OF_MONTH[part])
    return cal.month_span(year, month)


def _year(year: int, part: str | None) -> TimeSpan:
    if part is None:
        return cal.year_span(year)
    if part in _HALF:
        return cal.half_of_year(year, _HALF[part])
    if part in _SEASON:
        return cal.season_span(_SEASON[part], year)
    return cal.part_of_year(year, _PART_OF_YEAR[part])


def _day_of_month(published: date, day: int, ahead: bool) -> TimeSpan:
    """Return the latest ``day`` of a month on or before publication (or the next one)."""
    year, month = published.year, published.month
    if ahead:
        if day < published.day:
            year, month = cal.add_months(year, month, 1)
    elif day > published.day:
        year, month = cal.add_months(year, month, -1)
    return _day(year, month, day)
