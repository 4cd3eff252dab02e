"""Commands that move events out of the store and back in: ``export``, ``import-events``."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nkwatch import export
from nkwatch.cli.app import app, console, err_console, settings
from nkwatch.cli.events import event_filter
from nkwatch.errors import ExportError, NotFound
from nkwatch.model import Event


@app.command("export")
def export_command(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"One of: {', '.join(export.FORMATS)}.")
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write here (default: standard output; Parquet needs a file)."
        ),
    ] = None,
    profile: Annotated[
        str, typer.Option(help="Columns: full (every field) or acled (ACLED's column names).")
    ] = "full",
    event_type: Annotated[
        list[str] | None, typer.Option("--type", help="Only these types (repeatable).")
    ] = None,
    modality: Annotated[str | None, typer.Option(help="Only this modality.")] = None,
    province: Annotated[str | None, typer.Option(help="Only this province (KP-10).")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor (MSS, ...).")] = None,
    since: Annotated[str | None, typer.Option(help="Events on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Events on or before (YYYY-MM-DD).")] = None,
    report: Annotated[str | None, typer.Option(help="Only this report (any of its ids).")] = None,
    geo_precision: Annotated[
        list[str] | None,
        typer.Option(
            "--geo-precision",
            help="GeoJSON: the point precisions to map (repeatable; default point and county).",
        ),
    ] = None,
    list_columns: Annotated[
        bool, typer.Option("--columns", help="Print the column dictionary and exit.")
    ] = False,
) -> None:
    """Export events, one row each with every codebook field, its quote, and its report."""
    if profile not in export.PROFILES:
        raise typer.BadParameter(f"unknown profile {profile!r}", param_hint="--profile")
    cols = export.columns(profile)
    if list_columns:
        table = Table(title=f"columns of the {profile} export", title_justify="left")
        for name in ("column", "type", "meaning"):
            table.add_column(name, overflow="fold")
        for c in cols:
            table.add_row(c.name, c.type, c.description)
        console.print(table)
        return
    if fmt not in export.FORMATS:
        raise typer.BadParameter(f"unknown format {fmt!r}", param_hint="--format")
    if fmt == "parquet" and output is None:
        raise typer.BadParameter("Parquet is written to a file: give -o PATH", param_hint="-o")
    precisions = set(geo_precision or ("point", "county"))
    if precisions - set(export.GEO_PRECISION_CODES):
        raise typer.BadParameter(
            f"one of {', '.join(export.GEO_PRECISION_CODES)}", param_hint="--geo-precision"
        )
    with settings(ctx).open_store() as store:
        where = event_filter(store, event_type, modality, province, actor, since, until, report)
        batches = export.profile_batches(store.export_rows(where), profile)
        if output is None:
            n = export.write(fmt, batches, sys.stdout, profile=profile, precisions=precisions)
        else:
            n = export.write_file(fmt, batches, output, profile=profile, precisions=precisions)
    err_console.print(f"exported {n} events" + (f" to {output}" if output else ""))


@app.command("import-events")
def import_events_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A JSON Lines export (nkwatch export -f jsonl).")],
) -> None:
    """Replace the events of the reports in an exported JSON Lines file with its rows, all in
    one transaction (the reports must be in the store)."""
    if not path.is_file():
        raise ExportError("no such file", location=str(path))
    rows = export.read_jsonl(path)

    seen: set[str] = set()

    def groups() -> Iterator[tuple[str, list[Event], str | None, str | None]]:
        for report_id, items in itertools.groupby(rows, key=lambda x: x[1]["report_id"]):
            group = list(items)
            if report_id in seen:  # a second group would replace the first: refuse
                raise ExportError(
                    f"the rows of report {report_id!r} are not together", location=group[0][0]
                )
            seen.add(report_id)
            events = [export.event_of(r, where) for where, r in group]
            first = group[0][1]
            yield report_id, events, first.get("report_tone"), first.get("extractor")

    with settings(ctx).open_store() as store:
        try:
            reports, events = store.import_events(groups())
        except NotFound as exc:
            raise ExportError(
                f"{exc.message}: ingest the reports first", location=str(path)
            ) from None
    err_console.print(f"imported {events} events of {reports} reports")
