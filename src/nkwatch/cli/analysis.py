"""Commands on what the language pipeline finds: times, and evaluation against a corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from nkwatch.cli.app import app, console, print_json, settings
from nkwatch.model import TimeExpression
from nkwatch.nlp.pipeline import times_of
from nkwatch.nlp.temporal.assign import DateEstimate

eval_app = typer.Typer(help="Score the pipeline against an annotated corpus.", no_args_is_help=True)
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
    doc_id: Annotated[
        str, typer.Argument(metavar="ID", help="External id, URL, or internal id (#12).")
    ],
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
