"""Commands that move events out of the store and back in: ``export``, ``import-events``."""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.table import Table

from nkwatch import export
from nkwatch.cli.app import app, console, err_console, settings
from nkwatch.cli.events import event_filter
from nkwatch.errors import ExportError, NotFound
from nkwatch.model import Event
from nkwatch.nlp.extraction.lexicon import load as load_lexicon
from nkwatch.nlp.geo.gazetteer import load as load_gazetteer


def _names(admin1: str | None, admin2: str | None) -> tuple[str, str]:
    """Return the English names of a province and a county (empty when unknown)."""
    units = load_gazetteer().units
    province = units.get(admin1 or "")
    county = units.get(f"{admin1}:{admin2}") if admin2 else None
    return (province.name if province else "", county.name if county else "")


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` that becomes ``path`` when the block succeeds:
    an export is written whole or not at all, and never replaces a good file with half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)  # as a file opened for writing would be, not mkstemp's 0600
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


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
        batches: Iterator[export.Batch] = store.export_rows(where)
        if profile == "acled":
            batches = export.acled(batches, _names, load_lexicon().actor_names)
            precisions = {str(export.GEO_PRECISION_CODES[p]) for p in precisions}
        n = _write(fmt, batches, output, cols, precisions)
    err_console.print(f"exported {n} events" + (f" to {output}" if output else ""))


def _write(
    fmt: str,
    batches: Iterator[export.Batch],
    output: Path | None,
    cols: tuple[export.Column, ...],
    precisions: set[str],
) -> int:
    if fmt == "parquet":
        assert output is not None
        with _atomic(output) as tmp:
            return export.write_parquet(batches, tmp, cols)
    if output is None:
        return _write_text(fmt, batches, sys.stdout, cols, precisions)
    with _atomic(output) as tmp, tmp.open("w", encoding="utf-8", newline="") as out:
        return _write_text(fmt, batches, out, cols, precisions)


def _write_text(
    fmt: str,
    batches: Iterator[export.Batch],
    out: IO[str],
    cols: tuple[export.Column, ...],
    precisions: set[str],
) -> int:
    if fmt == "csv":
        return export.write_csv(batches, out, cols)
    if fmt == "jsonl":
        return export.write_jsonl(batches, out, cols)
    if fmt == "json":
        return export.write_json(batches, out, cols)
    return export.write_geojson(batches, out, cols, precisions)


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
