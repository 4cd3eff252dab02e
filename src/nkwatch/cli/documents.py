"""Commands on reports: ingest, run, docs, show, search."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from nkwatch.analyse import analyse, extractor_version
from nkwatch.cli.app import ReportId, app, console, date_option, err_console, print_json, settings
from nkwatch.cli.events import events_table, print_analysis
from nkwatch.ingest import (
    DEFAULT_BATCH_SIZE,
    IngestOptions,
    IngestReport,
    ingest,
    report_to_json,
)
from nkwatch.model import EventFilter, StoredDocument
from nkwatch.sources.fetch import Fetcher
from nkwatch.store.base import Store


def _run_ingest(
    ctx: typer.Context,
    store: Store,
    inputs: list[str],
    options: IngestOptions,
    fetcher: Fetcher,
) -> IngestReport:
    cfg = settings(ctx)
    if not cfg.progress_enabled():
        return ingest(store, inputs, options=options, fetcher=fetcher)
    with Progress(
        SpinnerColumn(),
        TextColumn("ingesting"),
        TextColumn("{task.completed} documents"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("ingest", total=None)
        return ingest(
            store,
            inputs,
            options=options,
            fetcher=fetcher,
            on_document=lambda: progress.advance(task),
        )


def _print_report(report: IngestReport, quiet: bool) -> None:
    for exc in report.failed:
        err_console.print(f"[yellow]skipped[/yellow] {escape(str(exc))}", soft_wrap=True)
    if not quiet:
        for location, warning in report.warnings:
            err_console.print(
                f"[yellow]warning[/yellow] {escape(location)}: {escape(warning)}", soft_wrap=True
            )
    parts = [
        f"{k.replace('_', ' ')}: {v}" for k, v in report.summary().items() if v or k == "stored"
    ]
    err_console.print(", ".join(parts))


def _exit_code(report: IngestReport) -> int:
    """0 when nothing failed, 1 when some documents were skipped, 2 when all were."""
    if not report.failed:
        return 0
    return 2 if len(report.failed) == report.seen else 1


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, globs or URLs.")],
    published: Annotated[
        str | None, typer.Option(help="Set the publication date (YYYY-MM-DD).")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Set the outlet.")] = None,
    language: Annotated[str | None, typer.Option(help="Set the language (en, ko, ...).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Decode files with this encoding.")] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Documents per transaction.")
    ] = DEFAULT_BATCH_SIZE,
    allow_private: Annotated[
        bool, typer.Option(help="Allow fetching from loopback and private addresses.")
    ] = False,
    robots: Annotated[bool, typer.Option(help="Respect robots.txt.")] = True,
    delay: Annotated[
        float, typer.Option(min=0, help="Seconds between requests to one host.")
    ] = 1.0,
    timeout: Annotated[float, typer.Option(min=0.1, help="HTTP timeout in seconds.")] = 20.0,
    max_bytes: Annotated[int, typer.Option(min=1, help="Largest response fetched.")] = 10_000_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Read reports (txt, html, rss/atom, jsonl, URLs), clean them and store them."""
    cfg = settings(ctx)
    options = IngestOptions(
        published=date_option(published, "published"),
        outlet=outlet,
        language=language,
        encoding=encoding,
        batch_size=batch_size,
    )
    with (
        cfg.open_store() as store,
        Fetcher(
            cache=store,
            allow_private=allow_private,
            respect_robots=robots,
            delay=delay,
            timeout=timeout,
            max_bytes=max_bytes,
        ) as fetcher,
    ):
        report = _run_ingest(ctx, store, inputs, options, fetcher)
    if as_json:
        print(report_to_json(report))
    _print_report(report, cfg.quiet)
    raise typer.Exit(_exit_code(report))


def _documents_table(docs: list[StoredDocument], title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False)
    for col in ("id", "ext id", "published", "outlet", "lang", "title"):
        table.add_column(col, overflow="fold" if col == "title" else "ellipsis")
    for d in docs:
        table.add_row(
            str(d.id),
            escape(d.ext_id),
            d.published or "—",
            escape(d.outlet or "—"),
            d.language or "—",
            escape(d.title or "(untitled)"),
        )
    return table


@app.command("run")
def run_command(
    ctx: typer.Context,
    inputs: Annotated[
        list[str], typer.Argument(help="Reports to ingest: files, folders, globs, URLs.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """The main job: ingest reports, extract their events, and show them with their quotes."""
    cfg = settings(ctx)
    with cfg.open_store() as store, Fetcher(cache=store) as fetcher:
        report = _run_ingest(ctx, store, inputs, IngestOptions(), fetcher)
        ids = [
            r.id for r in report.stored + report.revisions + report.unchanged + report.duplicates
        ]
        docs = [store.get(i) for i in dict.fromkeys(ids)]
        need = set(store.to_analyse(extractor_version()))
        analysed = analyse(store, ids=[d.id for d in docs if d.id in need])
        events = {d.id: store.events(EventFilter(doc_id=d.id), limit=100_000) for d in docs}
        tones = {d.id: store.tone_of(d.id) for d in docs}
        places = {d.id: store.places_of(d.id) for d in docs}
        for d in docs:  # linked once analysed
            d.translations = store.translations_of(d.id)
    if as_json:
        documents = []
        for d in docs:
            data = d.as_dict(with_text=False)
            data["tone"] = tones[d.id]
            data["events"] = events[d.id]
            data["places"] = [m.as_dict() for m in places[d.id]]
            documents.append(data)
        print_json({"ingest": report.summary(), "analysis": analysed.summary(),
                    "documents": documents})  # fmt: skip
    else:
        console.print(_documents_table(docs, title=f"{len(docs)} reports"))
        for d in docs:
            for other_id, other_ext, sim in d.near_duplicates:
                console.print(
                    f"near-duplicate: {escape(d.ext_id)} ~ {escape(other_ext)}"
                    f" (#{other_id}, {sim:.2f})"
                )
            for other_id, other_ext, lang, score, _ in d.translations:
                if d.language == "en" or lang != "en":  # each pair once
                    console.print(
                        f"same report in {lang or 'another language'}: {escape(d.ext_id)} ="
                        f" {escape(other_ext)} (#{other_id}, {score:.2f})"
                    )
        for d in docs:
            if tones[d.id] is None:
                continue
            where = sorted(
                {m.name for m in places[d.id] if m.in_north_korea and m.admin1 and m.name}
            )
            title = (
                f"{d.ext_id} (published {d.published or 'unknown'}): {len(events[d.id])} events, "
                f"tone {tones[d.id]}; places: {', '.join(where) or 'none'}"
            )
            console.print(events_table(events[d.id], title, with_report=False))
        print_analysis(analysed, cfg.quiet)
    _print_report(report, cfg.quiet)
    raise typer.Exit(_exit_code(report))


@app.command("docs")
def docs_command(
    ctx: typer.Context,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before (YYYY-MM-DD).")] = None,
    language: Annotated[str | None, typer.Option(help="Only this language.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    all_revisions: Annotated[bool, typer.Option(help="Include superseded revisions.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List stored reports, newest first."""
    start, end = date_option(since, "since"), date_option(until, "until")
    with settings(ctx).open_store() as store:
        docs = store.list_documents(
            outlet=outlet,
            since=start,
            until=end,
            language=language,
            limit=limit,
            offset=offset,
            all_revisions=all_revisions,
        )
        total = store.count(
            outlet=outlet, since=start, until=end, language=language, all_revisions=all_revisions
        )
    if as_json:
        print_json({"total": total, "documents": [d.as_dict(with_text=False) for d in docs]})
    else:
        console.print(_documents_table(docs, title=f"{len(docs)} of {total} reports"))


@app.command("show")
def show_command(
    ctx: typer.Context,
    doc_id: ReportId,
    raw: Annotated[bool, typer.Option("--raw", help="Show the report as ingested.")] = False,
    removed: Annotated[bool, typer.Option("--removed", help="Show what cleaning removed.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one report: metadata and cleaned body (or the raw document)."""
    with settings(ctx).open_store() as store:
        doc = store.get(doc_id, with_raw=raw)
        dropped = store.removed_lines(doc.id) if removed or as_json else []
    if as_json:
        data = doc.as_dict()
        data["removed"] = [{"rule": r, "line": line} for r, line in dropped]
        if raw:
            data["raw"] = doc.raw
        print_json(data)
        return
    console.print(f"[bold]{escape(doc.title or '(untitled)')}[/bold]")
    meta = [
        ("id", f"#{doc.id}"),
        ("ext id", doc.ext_id),
        ("published", doc.published or "unknown"),
        ("outlet", doc.outlet or "unknown"),
        ("language", doc.language or "unknown"),
        ("url", doc.url or "—"),
        ("source", doc.source),
        ("revision", f"{doc.revision} of {len(doc.revisions)}"),
    ]
    for k, v in meta:
        console.print(f"[dim]{k:>10}[/dim]  {escape(v)}", soft_wrap=True)
    for other_id, other_ext, sim in doc.near_duplicates:
        console.print(
            f"[dim]{'near-dup':>10}[/dim]  {escape(other_ext)} (#{other_id}, similarity {sim:.2f})"
        )
    for other_id, other_ext, lang, score, why in doc.translations:
        console.print(
            f"[dim]{'in ' + (lang or '?'):>10}[/dim]  {escape(other_ext)} (#{other_id},"
            f" score {score:.2f}: {escape('; '.join(why))})",
            soft_wrap=True,
        )
    console.print()
    console.print(escape(doc.raw if raw and doc.raw is not None else doc.body), soft_wrap=True)
    if removed:
        console.print()
        for rule, line in dropped:
            console.print(f"[dim]removed ({rule}):[/dim] {escape(line)}", soft_wrap=True)


@app.command("search")
def search_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="FTS5 query, e.g. '\"state security\" AND Hyesan'.")],
    outlet: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before (YYYY-MM-DD).")] = None,
    language: Annotated[str | None, typer.Option(help="Only this language.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 20,
    exhaustive: Annotated[
        bool, typer.Option(help="Rank every match, not only the 2,000 most recent (slower).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Full-text search over stored reports, best matches first, with snippets."""
    with settings(ctx).open_store() as store:
        hits = store.search(
            query,
            outlet=outlet,
            since=date_option(since, "since"),
            until=date_option(until, "until"),
            language=language,
            limit=limit,
            exhaustive=exhaustive,
        )
    if as_json:
        print_json({"query": query, "hits": [h.as_dict() for h in hits]})
        return
    if not hits:
        err_console.print("no matches")
        raise typer.Exit(1)
    table = Table(title=f"{len(hits)} matches for {escape(query)}")
    for col in ("id", "ext id", "published", "outlet", "snippet"):
        table.add_column(col, overflow="fold")
    for h in hits:
        table.add_row(
            str(h.id),
            escape(h.ext_id),
            h.published or "—",
            escape(h.outlet or "—"),
            escape(h.snippet),
        )
    console.print(table)
