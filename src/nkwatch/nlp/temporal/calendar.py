"""Calendar arithmetic for time spans: months, ISO weeks, thirds, seasons, shifts."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from nkwatch.model import PRECISIONS, TimeSpan

PRECISION_RANK = {p: i for i, p in enumerate(PRECISIONS)}

# Korean seasons as the press uses them: spring March–May, summer June–August, autumn
# September–November, winter December–February (named by the year it starts in).
SEASON_MONTHS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}

# Codebook §4: "early / mid / late" a month are its days 1–10, 11–20, 21–end; a year, its thirds.
PART_OF_MONTH = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
PART_OF_YEAR = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}


def span(start: date, end: date, precision: str) -> TimeSpan:
    """Return a TimeSpan from two dates."""
    return TimeSpan(start.isoformat(), end.isoformat(), precision)


def month_end(year: int, month: int) -> date:
    """Return the last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def month_span(year: int, month: int) -> TimeSpan:
    """Return a whole month."""
    return span(date(year, month, 1), month_end(year, month), "month")


def year_span(year: int) -> TimeSpan:
    """Return a whole year."""
    return span(date(year, 1, 1), date(year, 12, 31), "year")


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    """Return (year, month) ``delta`` months after the given month."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def shift_years(day: date, years: int) -> date:
    """Return the same day ``years`` later (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def shift_months(day: date, months: int) -> date:
    """Return the same day ``months`` later, clamped to the month's last day."""
    year, month = add_months(day.year, day.month, months)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def week_start(day: date) -> date:
    """Return the Monday of the ISO week holding ``day``."""
    return day - timedelta(days=day.weekday())


def week_span(day: date) -> TimeSpan:
    """Return the Monday-to-Sunday week holding ``day``."""
    monday = week_start(day)
    return span(monday, monday + timedelta(days=6), "week")


def part_of_month(year: int, month: int, part: str) -> TimeSpan:
    """Return the early / mid / late part of a month (precision week)."""
    first, last = PART_OF_MONTH[part]
    end = min(last, calendar.monthrange(year, month)[1])
    return span(date(year, month, first), date(year, month, end), "week")


def part_of_year(year: int, part: str) -> TimeSpan:
    """Return the early / mid / late third of a year (precision season)."""
    first, last = PART_OF_YEAR[part]
    return span(date(year, first, 1), month_end(year, last), "season")


def half_of_year(year: int, second: bool) -> TimeSpan:
    """Return the first or second half of a year (precision season)."""
    if second:
        return span(date(year, 7, 1), date(year, 12, 31), "season")
    return span(date(year, 1, 1), date(year, 6, 30), "season")


def season_span(season: str, year: int) -> TimeSpan:
    """Return a season of the year it starts in (winter runs into the next year)."""
    first = SEASON_MONTHS[season]
    end_year, end_month = add_months(year, first, 2)
    return span(date(year, first, 1), month_end(end_year, end_month), "season")


def coarser(a: str, b: str) -> str:
    """Return the coarser of two precisions."""
    return a if PRECISION_RANK[a] >= PRECISION_RANK[b] else b


def as_date(value: str) -> date:
    """Return an ISO date string as a date."""
    return date.fromisoformat(value)
