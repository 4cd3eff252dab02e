"""The temporal tagger: a table of expressions (tests/data/time_cases.tsv), the spaCy
component, the assignment of a time to an event span, and the table of dated events."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from nkwatch.errors import DataFileError
from nkwatch.model import TimeExpression, TimeSpan
from nkwatch.nlp.pipeline import build, make_doc, pipe, sentence_offsets
from nkwatch.nlp.temporal import estimate_publication_date, tag_times, time_for_span
from nkwatch.nlp.temporal.known import load_known_events

CASES = Path(__file__).parent / "data" / "time_cases.tsv"
MARK = re.compile(r"\[\[(.+?)\]\]")


def read_cases() -> list[tuple[str, str, str]]:
    cases = []
    for line in CASES.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            published, expected, text = line.split("\t")
            cases.append((published, expected, text))
    return cases


def test_the_table_has_at_least_150_cases() -> None:
    assert len(read_cases()) >= 150


@pytest.mark.parametrize(("published", "expected", "marked"), read_cases(), ids=lambda v: v[:40])
def test_expression(published: str, expected: str, marked: str) -> None:
    found = MARK.search(marked)
    assert found, f"no [[expression]] in {marked!r}"
    text = marked[: found.start()] + found.group(1) + marked[found.end() :]
    lo, hi = found.start(), found.start() + len(found.group(1))
    times = tag_times(text, None if published == "-" else published)
    overlapping = [t for t in times if t.start < hi and t.end > lo]
    dates = [t for t in overlapping if t.kind == "date"]
    if expected == "none":
        assert not overlapping, [t.as_dict() for t in overlapping]
    elif expected in {"duration", "age", "recurring"}:
        assert not dates, [t.as_dict() for t in dates]
        assert [t.kind for t in overlapping] == [expected]
    elif expected == "unresolved":
        assert len(dates) == 1, [t.as_dict() for t in overlapping]
        assert dates[0].span is None and dates[0].unresolved
    else:
        start, end, precision = expected.split("/")
        assert dates, f"no date found in {text!r}: {[t.as_dict() for t in times]}"
        best = max(dates, key=lambda t: min(t.end, hi) - max(t.start, lo))
        assert best.span == TimeSpan(start, end, precision), best.as_dict()


def test_offsets_point_at_the_expression() -> None:
    text = "Agents arrested five users on Thursday, and in late January 2021 they came back."
    for t in tag_times(text, "2022-01-20"):
        assert text[t.start : t.end] == t.text
    assert [t.text for t in tag_times(text, "2022-01-20")] == ["Thursday", "late January 2021"]


def test_roles_say_how_the_expression_frames_its_clause() -> None:
    roles = {
        t.text: t.role
        for t in tag_times(
            "Since early March agents have raided homes; phones must be handed in by March 31, "
            "and anyone caught after April 1 will be sent away under the 2020 Reactionary "
            "Ideology and Culture Rejection Act. Agents came back on Monday, a source told Daily "
            "NK on Tuesday. Brokers take 50 percent, up from 30 percent last autumn.",
            "2022-03-17",
        )
    }
    assert roles == {
        "early March": "since",
        "March 31": "deadline",
        "April 1": "after",
        "2020": "attribute",
        "Reactionary Ideology and Culture Rejection Act": "attribute",
        "Monday": "point",
        "Tuesday": "reported",  # the day a source spoke dates no event
        "last autumn": "comparison",  # the time of what is compared with
    }


def test_the_weekend_is_the_last_one() -> None:
    tagged = tag_times("Prices have risen since the weekend. The week was quiet.", "2020-02-04")
    assert [(t.text, t.span) for t in tagged] == [
        ("the weekend", TimeSpan("2020-02-01", "2020-02-04", "week"))
    ]


def test_durations_carry_their_length() -> None:
    (term,) = tag_times("He faces up to ten years in a labour camp.", "2022-01-20")
    assert (term.kind, term.amount, term.unit) == ("duration", 10.0, "year")
    (span,) = tag_times("They got five to eight years.", None)
    assert (span.amount, span.unit) == (8.0, "year")


def test_component_sets_times_on_the_doc() -> None:
    nlp = build()
    assert nlp.pipe_names == ["sentencizer", "nkwatch_places", "nkwatch_times", "nkwatch_events"]
    doc = nlp(
        make_doc(
            nlp, "A lecture was held on Jan. 16. That day, 40 phones were seized.", "2022-01-20"
        )
    )
    assert [(t.text, t.span.start if t.span else None) for t in doc._.times] == [
        ("Jan. 16", "2022-01-16"),
        ("That day", "2022-01-16"),
    ]
    assert doc._.date_estimate is None


def test_pipe_keeps_input_order() -> None:
    nlp = build()
    texts = [(f"It happened in {year}.", "2022-01-20") for year in range(2000, 2020)]
    years = [doc._.times[0].span.start[:4] for doc in pipe(nlp, texts, batch_size=3)]
    assert years == [str(y) for y in range(2000, 2020)]


def test_a_report_without_a_date_gets_an_estimate_and_relative_dates_stay_unresolved() -> None:
    nlp = build()
    text = "In October 2018 the van was first used. On March 3, 2019, agents detained two people. On Friday they returned."
    doc = nlp(make_doc(nlp, text, None))
    assert doc._.date_estimate is not None
    assert (doc._.date_estimate.earliest, doc._.date_estimate.estimated) == ("2019-03-03", True)
    friday = next(t for t in doc._.times if t.text == "Friday")
    assert friday.span is None and friday.unresolved == "needs the publication date"


def test_anchoring_on_the_estimate_is_an_option_and_is_marked() -> None:
    nlp = build()
    nlp.remove_pipe("nkwatch_times")
    nlp.add_pipe("nkwatch_times", config={"anchor_on_estimate": True})
    doc = nlp(
        make_doc(
            nlp, "On March 3, 2019, agents detained two people. On Friday they returned.", None
        )
    )
    friday = next(t for t in doc._.times if t.text == "Friday")
    assert friday.span == TimeSpan("2019-03-01", "2019-03-01", "day")
    assert friday.anchor == "estimate"


def test_estimate_ignores_bare_years_and_relative_dates() -> None:
    assert (
        estimate_publication_date(
            tag_times("In 2015 it became a crime; last week more were caught.", None)
        )
        is None
    )


def assign(
    text: str, evidence: str, event_type: str | None = None, fallback: str | None = None
) -> tuple[TimeSpan | None, str]:
    nlp = build()
    doc = nlp(make_doc(nlp, text, "2022-01-20"))
    start = text.index(evidence)
    found = time_for_span(
        text,
        doc._.times,
        sentence_offsets(doc),
        start,
        start + len(evidence),
        event_type=event_type,
        published=fallback,
    )
    return found.span, found.source


def test_an_event_takes_the_time_of_its_clause_first() -> None:
    text = "Agents arrested five users on Monday, and the squads have searched homes since early January."
    assert assign(text, "Agents arrested five users on Monday") == (
        TimeSpan("2022-01-17", "2022-01-17", "day"),
        "clause",
    )
    assert assign(text, "the squads have searched homes since early January")[0] == TimeSpan(
        "2022-01-01", "2022-01-20", "week"
    )


def test_then_its_sentence_then_the_context_then_nothing() -> None:
    text = "A lecture was held on Monday in Hyesan, where officials warned residents.\n\nAgents then confiscated phones.\n\nNo one knows more."
    assert assign(text, "officials warned residents") == (
        TimeSpan("2022-01-17", "2022-01-17", "day"),
        "sentence",
    )
    assert assign(text, "Agents then confiscated phones") == (
        TimeSpan("2022-01-17", "2022-01-17", "day"),
        "context",
    )
    assert assign("Agents confiscated phones.", "Agents confiscated phones") == (None, "none")


def test_the_publication_date_is_a_fallback_that_says_so() -> None:
    span, source = assign(
        "Agents confiscated phones.", "Agents confiscated phones", fallback="2022-01-20"
    )
    assert (span, source) == (TimeSpan("2022-01-20", "2022-01-20", "day"), "publication")


def test_deadlines_conditions_and_laws_do_not_date_the_event() -> None:
    text = "At a meeting on Wednesday, officials said anyone found with a phone after Jan. 31 would be sent to a camp under the 2020 Reactionary Ideology and Culture Rejection Act."
    assert assign(text, "anyone found with a phone after Jan. 31 would be sent to a camp")[
        0
    ] == TimeSpan("2022-01-19", "2022-01-19", "day")
    assert assign(
        text, "the 2020 Reactionary Ideology and Culture Rejection Act", event_type="LEGISLATION"
    )[0] == TimeSpan("2020-01-01", "2020-12-31", "year")


def test_an_amnesty_runs_until_its_deadline() -> None:
    text = "On Saturday, inminban heads read out a notice: anyone who hands in a phone by Jan. 31 will be forgiven."
    span, _ = assign(
        text, "anyone who hands in a phone by Jan. 31 will be forgiven", event_type="AMNESTY"
    )
    assert span == TimeSpan("2022-01-15", "2022-01-31", "day")


def test_known_events_table_has_sources_and_is_validated(tmp_path: Path) -> None:
    known = load_known_events()
    assert known.events and all(e.source.startswith("https://") for e in known.events)
    assert known.plenary(8, 4) is not None and known.congress(7) is not None
    bad = tmp_path / "events.toml"
    bad.write_text('[[event]]\nkind = "holiday"\nnames = ["X"]\n', "utf-8")
    with pytest.raises(DataFileError, match="E040"):
        load_known_events(str(bad))


def test_no_date_is_ever_after_what_the_text_allows_for_past_tense_reports() -> None:
    # Every weekday and month-day in plain past tense resolves on or before publication.
    published = date(2022, 1, 20)
    text = (
        " ".join(
            f"Agents came on {d}."
            for d in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        )
        + " "
        + " ".join(f"They left on {m} 12." for m in ["January", "February", "March", "December"])
    )
    for t in tag_times(text, published):
        assert isinstance(t, TimeExpression) and t.span is not None
        assert t.span.end <= published.isoformat(), t.as_dict()
