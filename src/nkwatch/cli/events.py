"""Commands on events: extract them from stored reports, list them, score them."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from nkwatch.analyse import AnalyseReport, analyse, gold_of, predictions
from nkwatch.cli.analysis import eval_app
from nkwatch.cli.app import app, console, date_option, err_console, print_json, settings
from nkwatch.errors import CorpusError
from nkwatch.eval import FIELDS, error_kinds, score, type_table
from nkwatch.ingest import ingest
from nkwatch.model import EventFilter
from nkwatch.nlp.extraction.lexicon import MODALITIES, TYPES
from nkwatch.scaleout import PARTITION_SIZE, DistributedReport, analyse_distributed, connect
from nkwatch.store import open as open_store
from nkwatch.store.base import Store


def events_table(events: list[dict[str, Any]], title: str, *, with_report: bool = True) -> Table:
    """Return a table of stored events: report, type, modality, who, where, when, quote."""
    table = Table(title=title, title_justify="left")
    names = ("report", "type", "modality", "actor → target", "where", "when", "quote")
    for name in names if with_report else names[1:]:
        table.add_column(name, overflow="fold", ratio=3 if name == "quote" else 1)
    for e in events:
        when = e["when"]
        span = (
            ""
            if when is None
            else (
                when["start"] if when["start"] == when["end"] else f"{when['start']}…{when['end']}"
            )
        )
        where = " ".join(x for x in (e["place"] or "", e["admin1"] or "") if x)
        cells = [
            e["type"], e["modality"], f"{e['actor'] or '–'} → {e['target'] or '–'}",
            escape(where), span, escape(e["evidence"]),
        ]  # fmt: skip
        table.add_row(*([escape(e["ext_id"])] if with_report else []), *cells)
    return table


def event_filter(
    store: Store,
    event_type: list[str] | None,
    modality: str | None,
    province: str | None,
    actor: str | None,
    since: str | None,
    until: str | None,
    report: str | None,
) -> EventFilter:
    """Return the filter the event options of a command ask for, checked."""
    types = tuple(t.upper() for t in event_type or [])
    unknown = [t for t in types if t not in TYPES]
    if unknown:
        raise typer.BadParameter(f"unknown type {', '.join(unknown)}", param_hint="--type")
    if modality is not None and modality not in MODALITIES:
        raise typer.BadParameter(f"unknown modality {modality!r}", param_hint="--modality")
    return EventFilter(
        doc_id=store.resolve_id(report) if report else None, types=types, modality=modality,
        admin1=province.upper() if province else None, actor=actor.upper() if actor else None,
        since=date_option(since, "since"), until=date_option(until, "until"),
    )  # fmt: skip


def print_analysis(report: AnalyseReport, quiet: bool) -> None:
    """Say on stderr which reports were not analysed and, unless quiet, what was done."""
    for ext_id, why in report.skipped:
        err_console.print(f"not analysed: {escape(ext_id)}: {why}", soft_wrap=True)
    if not quiet:
        err_console.print(
            f"analysed: {len(report.analysed)}, events: {report.events}, "
            f"not analysed: {len(report.skipped)}"
            + (
                f", linked to their other language: {report.translations}"
                if report.translations
                else ""
            )
            + (f", events another report tells too: {report.linked}" if report.linked else "")
        )


@app.command("extract")
def extract_command(
    ctx: typer.Context,
    reprocess: Annotated[
        bool, typer.Option("--reprocess", help="Analyse every report again, not only new ones.")
    ] = False,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask", help="Run on the Dask cluster of this scheduler address (tcp://host:8786)."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Run on a local Dask cluster of N worker processes."),
    ] = None,
    shards: Annotated[
        Path | None,
        typer.Option(
            "--shards",
            help="With --dask/--workers: keep the Parquet shards here "
            "(default: a temporary folder, removed once loaded).",
        ),
    ] = None,
    partition_size: Annotated[
        int, typer.Option(help="With --dask/--workers: reports per task.")
    ] = PARTITION_SIZE,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Extract places, events and tone from the stored reports that need it (on one core, or
    on a Dask cluster with --dask/--workers)."""
    cfg = settings(ctx)
    if workers is not None and workers < 1:
        raise typer.BadParameter("at least one worker", param_hint="--workers")
    with cfg.open_store() as store:
        if dask is None and workers is None:
            report: AnalyseReport = analyse(store, reprocess=reprocess)
        else:
            report = _extract_on_dask(store, dask, workers, shards, partition_size, reprocess)
    if as_json:
        print_json(report.summary())
    print_analysis(report, cfg.quiet and not as_json)


def _extract_on_dask(
    store: Store,
    address: str | None,
    workers: int | None,
    shards: Path | None,
    partition_size: int,
    reprocess: bool,
) -> DistributedReport:
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(connect(address, workers))
        if client.cluster is not None and address is None:
            stack.callback(client.cluster.close)
        folder = shards or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="nkwatch-shards-"))
        )
        report = analyse_distributed(
            store, client, folder, reprocess=reprocess, partition_size=partition_size
        )
    for number, why, ext_ids in report.failed:
        names = escape(", ".join(ext_ids))
        err_console.print(
            f"partition {number} failed ({escape(why)}); not analysed: {names}", soft_wrap=True
        )
    return report


@app.command("events")
def events_command(
    ctx: typer.Context,
    event_type: Annotated[
        list[str] | None,
        typer.Option("--type", help=f"Only these types (repeatable): {', '.join(TYPES)}."),
    ] = None,
    modality: Annotated[
        str | None, typer.Option(help=f"Only this modality: {', '.join(MODALITIES)}.")
    ] = None,
    province: Annotated[
        str | None, typer.Option(help="Only this province (ISO 3166-2:KP, e.g. KP-10).")
    ] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor (MSS, PARTY, ...).")] = None,
    since: Annotated[str | None, typer.Option(help="Events on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Events on or before (YYYY-MM-DD).")] = None,
    report: Annotated[str | None, typer.Option(help="Only this report (any of its ids).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List extracted events, newest first, with the quote each rests on."""
    with settings(ctx).open_store() as store:
        where = event_filter(store, event_type, modality, province, actor, since, until, report)
        found = store.events(where, limit=limit)
    if as_json:
        print_json({"events": found})
        return
    console.print(events_table(found, f"{len(found)} events"))


@eval_app.command("events")
def eval_events_command(
    corpus: Annotated[Path, typer.Argument(help="Folder with reports and gold.jsonl.")],
    db: Annotated[
        str | None,
        typer.Option("--db", help="Store to ingest into (default: a temporary one)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the predictions as gold.jsonl here.")
    ] = None,
    language: Annotated[str, typer.Option(help="Score the reports in this language.")] = "en",
    errors: Annotated[bool, typer.Option("--errors", help="List every error.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score event extraction on an annotated corpus (codebook §10): ingest its reports, extract,
    compare with gold.jsonl."""
    gold = {
        k: v for k, v in gold_of(str(corpus)).items() if (v.get("language") or "en") == language
    }
    with (
        tempfile.TemporaryDirectory(prefix="nkwatch-eval-") as tmp,
        open_store(db or str(Path(tmp) / "eval.db")) as store,
    ):
        # Scored against gold quotes, which hold the reports' text as written: not redacted.
        store.names_shown = True
        ingested = ingest(store, [str(corpus)])
        ids = [r.id for r in ingested.stored + ingested.revisions + ingested.unchanged
               + ingested.duplicates]  # fmt: skip
        by_ext = {d.ext_id: d for d in (store.get(i) for i in ids)}
        missing = sorted(set(gold) - set(by_ext))
        if missing:
            raise CorpusError(
                f"gold.jsonl names reports not in the folder: {', '.join(missing[:5])}",
                location=str(corpus / "gold.jsonl"),
            )
        wanted = [by_ext[k] for k in gold]
        analyse(store, ids=[d.id for d in wanted])
        predicted = predictions(store, wanted)
        bodies = {k: by_ext[k].body for k in gold}
    if out is not None:
        out.write_text(
            "".join(json.dumps(predicted[k], ensure_ascii=False) + "\n" for k in gold), "utf-8"
        )
    scores = score(gold, predicted, bodies)
    summary = scores.as_dict()
    if as_json:
        print_json(summary)
        return
    ev = summary["events"]
    console.print(
        f"{len(gold)} reports: event precision {ev['precision']:.3f}, recall {ev['recall']:.3f}, "
        f"[bold]F1 {ev['f1']:.3f}[/bold] ({ev['matched']} matched of {ev['predicted']} predicted, "
        f"{ev['gold']} gold)"
    )
    fields = Table(title="field accuracy over matched events", title_justify="left")
    for name in ("field", "correct", "scored", "accuracy"):
        fields.add_column(name)
    for name in FIELDS:
        f = summary["fields"][name]
        acc = "" if f["accuracy"] is None else f"{f['accuracy']:.3f}"
        fields.add_row(name, str(f["correct"]), str(f["scored"]), acc)
    tone = summary["tone"]
    tone_acc = "" if tone["accuracy"] is None else f"{tone['accuracy']:.3f}"
    fields.add_row("tone (documents)", str(tone["correct"]), str(tone["documents"]), tone_acc)
    console.print(fields)
    types = Table(title="per type", title_justify="left")
    for name in ("type", "matched", "predicted", "gold", "precision", "recall", "F1"):
        types.add_column(name)
    for row in type_table(scores):
        types.add_row(
            row["type"], str(row["matched"]), str(row["predicted"]), str(row["gold"]),
            f"{row['precision']:.2f}", f"{row['recall']:.2f}", f"{row['f1']:.2f}",
        )  # fmt: skip
    console.print(types)
    if errors:
        for kind, n in error_kinds(scores).most_common():
            console.print(f"{kind}: {n}")
        for m in scores.matches:
            if m.predicted is None and m.gold is not None:
                what, event = "[red]missed[/red]", m.gold
            elif m.gold is None and m.predicted is not None:
                what, event = "[yellow]spurious[/yellow]", m.predicted
            else:
                continue
            console.print(
                f"{m.doc_id} {what} {event['type']}: {escape(event['evidence'][:120])}",
                soft_wrap=True,
            )
        for name in FIELDS:
            for m in scores.errors(name):
                assert m.gold is not None and m.predicted is not None
                console.print(
                    f"{m.doc_id} {m.gold['type']} [red]{name}[/red]: "
                    f"{m.predicted.get(name.split('.')[0])} ≠ {m.gold.get(name.split('.')[0])} "
                    f"| {escape(m.predicted['evidence'][:100])}",
                    soft_wrap=True,
                )
