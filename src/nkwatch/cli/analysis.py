"""Commands on what the language pipeline finds: times, and evaluation against a corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from nkwatch.cli.app import ReportId, app, console, print_json, settings
from nkwatch.model import PlaceMention, TimeExpression
from nkwatch.nlp.geo.assign import PlaceAssignment
from nkwatch.nlp.geo.gazetteer import load as load_gazetteer
from nkwatch.nlp.pipeline import places_of, times_of
from nkwatch.nlp.temporal.assign import DateEstimate


class _DefaultToEvents(TyperGroup):
    """``nkwatch eval CORPUS`` is ``nkwatch eval events CORPUS``; ``eval time``/``eval places``
    score one stage."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["events", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    cls=_DefaultToEvents,
    help="Score the pipeline against an annotated corpus: `nkwatch eval CORPUS` scores events "
    "(codebook §10); `eval time` and `eval places` score one stage.",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")


def times_table(times: list[TimeExpression], title: str) -> Table:
    """Return a table of temporal expressions: what the text says and what it means."""
    table = Table(title=title, title_justify="left")
    table.add_column("expression", overflow="fold", ratio=2)
    table.add_column("kind", no_wrap=True)
    table.add_column("interval", no_wrap=True)
    table.add_column("precision", no_wrap=True)
    table.add_column("resolved by", overflow="fold", ratio=1)
    for t in times:
        kind = f"{t.kind} ({t.role})" if t.kind == "date" and t.role != "point" else t.kind
        interval = ""
        if t.span:
            interval = (
                t.span.start if t.span.start == t.span.end else f"{t.span.start}…{t.span.end}"
            )
        resolved = (t.anchor or t.unresolved or "") if t.kind == "date" else ""
        precision = t.span.precision if t.span else ""
        table.add_row(escape(t.text), kind, interval, precision, escape(resolved))
    return table


def times_json(times: list[TimeExpression], estimate: DateEstimate | None) -> dict[str, Any]:
    """Return the times of a report as JSON-ready data."""
    return {
        "times": [t.as_dict() for t in times],
        "date_estimate": (
            {"earliest": estimate.earliest, "evidence": estimate.evidence, "estimated": True}
            if estimate
            else None
        ),
    }


@app.command("times")
def times_command(
    ctx: typer.Context,
    doc_id: ReportId,
    dates_only: Annotated[
        bool, typer.Option("--dates-only", help="Leave out durations, ages, recurring times.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a report's temporal expressions as intervals, anchored on its publication date."""
    with settings(ctx).open_store() as store:
        doc = store.get(doc_id)
    times, estimate = times_of(doc.body, doc.published, doc.language or "en")
    if dates_only:
        times = [t for t in times if t.kind == "date"]
    if as_json:
        print_json({"id": doc.id, "ext_id": doc.ext_id, "published": doc.published,
                    **times_json(times, estimate)})  # fmt: skip
        return
    anchor = doc.published or "unknown: relative expressions stay unresolved"
    console.print(f"[bold]{escape(doc.ext_id)}[/bold] published {escape(anchor)}")
    if estimate:
        console.print(
            f"estimated: written on or after {estimate.earliest} "
            f"(from {escape(repr(estimate.evidence))})"
        )
    console.print(times_table(times, f"{len(times)} temporal expressions"))


@eval_app.command("time")
def eval_time_command(
    corpus: Annotated[Path, typer.Argument(help="Folder with reports and gold.jsonl.")],
    language: Annotated[str, typer.Option(help="Evaluate the reports in this language.")] = "en",
    errors: Annotated[bool, typer.Option("--errors", help="List every wrong case.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with every case.")] = False,
) -> None:
    """Score event times: overlap with the gold interval at the same or finer precision."""
    from nkwatch.nlp.temporal.evaluate import evaluate_time

    result = evaluate_time(corpus, language=language)
    if as_json:
        print_json(result.as_dict())
        return
    console.print(
        f"{result.documents} reports, {result.total} gold events with a time: "
        f"{result.correct} correct, accuracy [bold]{result.accuracy:.3f}[/bold]"
    )
    table = Table(title="by where the time came from", title_justify="left")
    for name in ("source", "correct", "total"):
        table.add_column(name)
    for source, (ok, n) in sorted(result.by_source().items()):
        table.add_row(source, str(ok), str(n))
    console.print(table)
    for kind, n in result.errors().most_common():
        console.print(f"error: {kind}: {n}")
    if errors:
        for case in result.cases:
            if case.error:
                console.print(
                    f"{case.doc_id} [red]{case.error}[/red] via {case.source} "
                    f"{escape(repr(case.expression))}: {case.predicted} ≠ {case.gold} "
                    f"| {escape(case.evidence[:100])}",
                    soft_wrap=True,
                )


def places_table(mentions: list[PlaceMention], title: str) -> Table:
    """Return a table of place mentions: what the text says and where it resolves."""
    table = Table(title=title, title_justify="left")
    table.add_column("mention", overflow="fold", ratio=2)
    table.add_column("role")
    table.add_column("resolves to", overflow="fold", ratio=2)
    table.add_column("admin1", no_wrap=True)
    table.add_column("admin2", no_wrap=True)
    table.add_column("precision")
    table.add_column("how")
    for m in mentions:
        if m.unit is None:
            target = "ambiguous: " + ", ".join(m.candidates)
        else:
            target = f"{m.name} ({m.country})" if m.country != "KP" else (m.name or m.unit)
        table.add_row(
            escape(m.text), m.role, escape(target), m.admin1 or "", m.admin2 or "",
            m.precision or "", f"{m.how} {m.confidence:.2f}",
        )  # fmt: skip
    return table


def report_place_text(place: PlaceAssignment) -> str:
    """Return a line saying what the report is mostly about, place-wise."""
    if place.admin1 is None:
        return "report's main place: none (no province dominates)"
    gaz = load_gazetteer()
    where = gaz.units[place.admin1].name
    if place.admin2:
        county = gaz.units.get(f"{place.admin1}:{place.admin2}")
        where = f"{county.name if county else place.admin2} ({place.admin2}), {where}"
    return f"report's main place: {where} [{place.admin1}]"


@app.command("places")
def places_command(
    ctx: typer.Context,
    doc_id: ReportId,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a report's places resolved to province and county, and store them."""
    with settings(ctx).open_store() as store:
        doc = store.get(doc_id)
        mentions, main = places_of(doc.body, doc.language or "en")
        store.save_places(doc.id, mentions, load_gazetteer().version)
    if as_json:
        print_json({
            "id": doc.id, "ext_id": doc.ext_id,
            "places": [m.as_dict() for m in mentions],
            "report_place": {"admin1": main.admin1, "admin2": main.admin2},
        })  # fmt: skip
        return
    console.print(f"[bold]{escape(doc.ext_id)}[/bold]: {escape(report_place_text(main))}")
    console.print(places_table(mentions, f"{len(mentions)} place mentions"))


@eval_app.command("places")
def eval_places_command(
    corpus: Annotated[Path, typer.Argument(help="Folder with reports and gold.jsonl.")],
    language: Annotated[str, typer.Option(help="Evaluate the reports in this language.")] = "en",
    errors: Annotated[bool, typer.Option("--errors", help="List every wrong case.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with every case.")] = False,
) -> None:
    """Score event places: does each gold event's quote resolve to its admin1 and admin2?"""
    from nkwatch.nlp.geo.evaluate import evaluate_places

    result = evaluate_places(corpus, language=language)
    if as_json:
        print_json(result.as_dict())
        return
    summary = result.as_dict()
    console.print(f"{result.documents} reports, {len(result.cases)} gold events")
    table = Table(title="accuracy over gold events that have the field", title_justify="left")
    for name in ("field", "correct", "events", "accuracy"):
        table.add_column(name)
    for name in ("admin1", "admin2"):
        part = summary[name]
        table.add_row(name, str(part["correct"]), str(part["events"]), f"{part['accuracy']:.3f}")
    console.print(table)
    for name in ("admin1", "admin2"):
        for kind, n in result.errors(name).most_common():
            console.print(f"{name} error: {kind}: {n}")
    console.print(
        f"gold events with no place: {summary['unplaced_events']}, "
        f"given a province: {summary['false_placements']}"
    )
    if errors:
        for case in result.cases:
            wrong = case.error("admin2") or case.error("admin1")
            if wrong:
                console.print(
                    f"{case.doc_id} [red]{wrong}[/red] via {case.source} "
                    f"{escape(repr(case.mention))}: {case.predicted} ≠ {case.gold} "
                    f"| {escape(case.evidence[:100])}",
                    soft_wrap=True,
                )
