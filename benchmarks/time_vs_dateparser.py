"""nkwatch's temporal tagger and dateparser, side by side on the same expressions.

    python benchmarks/time_vs_dateparser.py [--cases tests/data/time_cases.tsv] [--failures]

Each case of the table gives a sentence with one expression marked, a publication date and
what the expression means (an interval and its precision, or that it is a duration, an age, a
recurring time, no temporal expression, or a date the text cannot resolve). dateparser gets
the marked expression alone (its best case: it does not look for expressions in text) with
the publication date as ``RELATIVE_BASE`` and ``PREFER_DATES_FROM='past'``; its answer is
read as the day, month or year its ``period`` says. nkwatch gets the whole sentence. An answer
is right when it overlaps the expected interval at the same or finer precision; for durations,
ages, recurring times, non-expressions and unresolvable dates, when no date is returned.
Prints a table by group of cases. nkwatch was written against this table, so its own score
here is a regression check, not a measure; the measure is ``--corpus``: for every gold event
with a time in an annotated corpus, dateparser's ``search_dates`` on the evidence sentence
(first date found, anchored on the publication date) against nkwatch's time for the event
from that sentence alone, and with its context (clause, sentence, then context).
"""

from __future__ import annotations

import argparse
import re
import warnings
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from nkwatch.model import TimeSpan
from nkwatch.nlp.temporal import calendar as cal
from nkwatch.nlp.temporal import tag_times

ROOT = Path(__file__).resolve().parents[1]
MARK = re.compile(r"\[\[(.+?)\]\]")
NOT_A_DATE = {"duration", "age", "recurring", "none", "unresolved"}


def expected_span(expected: str) -> TimeSpan | None:
    if expected in NOT_A_DATE:
        return None
    start, end, precision = expected.split("/")
    return TimeSpan(start, end, precision)


def right(predicted: TimeSpan | None, expected: str) -> bool:
    want = expected_span(expected)
    if want is None:
        return predicted is None
    if predicted is None or not predicted.overlaps(want):
        return False
    return cal.PRECISION_RANK[predicted.precision] <= cal.PRECISION_RANK[want.precision]


def dateparser_span(expression: str, published: str) -> TimeSpan | None:
    import dateparser

    base = datetime.fromisoformat(published) if published != "-" else None
    settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parser = dateparser.DateDataParser(languages=["en"], settings=settings)
        data = parser.get_date_data(expression)
    if data is None or data.date_obj is None:
        return None
    day = data.date_obj.date()
    period = data.period or "day"
    if period == "month":
        return cal.month_span(day.year, day.month)
    if period == "year":
        return cal.year_span(day.year)
    if period == "week":
        return cal.week_span(day)
    return cal.span(day, day, "day")


def nkwatch_span(text: str, lo: int, hi: int, published: str) -> TimeSpan | None:
    times = tag_times(text, None if published == "-" else published)
    dates = [t for t in times if t.kind == "date" and t.span and t.start < hi and t.end > lo]
    if not dates:
        return None
    return max(dates, key=lambda t: min(t.end, hi) - max(t.start, lo)).span


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=ROOT / "tests" / "data" / "time_cases.tsv")
    parser.add_argument("--failures", action="store_true", help="list dateparser's failures")
    parser.add_argument("--corpus", type=Path, help="also compare on an annotated corpus")
    args = parser.parse_args()
    if args.corpus:
        compare_on_corpus(args.corpus)

    import dateparser

    group = "cases"
    scores: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    failures = []
    for line in args.cases.read_text("utf-8").splitlines():
        if line.startswith("# ---"):
            group = line.removeprefix("# ---").strip().split(":")[0]
            continue
        if not line.strip() or line.startswith("#"):
            continue
        published, expected, marked = line.split("\t")
        found = MARK.search(marked)
        assert found is not None
        text = marked[: found.start()] + found.group(1) + marked[found.end() :]
        lo, hi = found.start(), found.start() + len(found.group(1))
        ours = right(nkwatch_span(text, lo, hi, published), expected)
        theirs_span = dateparser_span(found.group(1), published)
        theirs = right(theirs_span, expected)
        for key in (group, "all"):
            scores[key][0] += 1
            scores[key][1] += ours
            scores[key][2] += theirs
        if not theirs:
            failures.append((found.group(1), published, expected, theirs_span))

    table = Table(title=f"nkwatch vs dateparser {dateparser.__version__}: share right")
    for name in ("cases", "n", "nkwatch", "dateparser"):
        table.add_column(name, justify="left" if name == "cases" else "right")
    for key, (n, ours_n, theirs_n) in scores.items():
        table.add_row(key, str(n), f"{ours_n / n:.2f}", f"{theirs_n / n:.2f}")
    console = Console()
    console.print(table)
    if args.failures:
        for expression, published, expected, got in failures:
            console.print(f"dateparser: {expression!r} ({published}) → {got} ≠ {expected}")


def compare_on_corpus(folder: Path) -> None:
    import dateparser
    from dateparser.search import search_dates

    from nkwatch.nlp.temporal.evaluate import evaluate_time, judge

    cases = [c for c in evaluate_time(folder).cases if c.error != "evidence not found"]
    n = len(cases)
    ours = sum(c.error is None for c in cases)
    ours_sentence = sum(c.error is None and c.source in {"clause", "sentence"} for c in cases)
    theirs = 0
    for case in cases:
        settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
        if case.published:
            settings["RELATIVE_BASE"] = datetime.fromisoformat(case.published)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hits = search_dates(case.sentence, languages=["en"], settings=settings)
        span = None
        if hits:
            day = hits[0][1].date()
            span = cal.span(day, day, "day")
        theirs += judge(span, case.gold) is None
    table = Table(title=f"gold events with a time in {folder}: share right")
    for name in ("tagger", "events", "right"):
        table.add_column(name, justify="left" if name == "tagger" else "right")
    table.add_row(f"dateparser {dateparser.__version__} search_dates, evidence sentence", str(n),
                  f"{theirs / n:.3f}")  # fmt: skip
    table.add_row("nkwatch, evidence clause and sentence only", str(n), f"{ours_sentence / n:.3f}")
    table.add_row("nkwatch, clause, sentence, then context", str(n), f"{ours / n:.3f}")
    Console().print(table)


if __name__ == "__main__":
    main()
