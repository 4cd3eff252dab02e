"""Commands across reports: incidents, contradictions, campaigns, the tone series."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from nkwatch import incidents as incidents_module
from nkwatch.cli.app import app, console, print_json, settings
from nkwatch.series import tone_series


def _incident_table(found: list[incidents_module.Incident], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("id", "type", "reports", "sources", "provinces", "first date", "disagree on"):
        table.add_column(name)
    for inc in found:
        d = inc.as_dict()
        table.add_row(
            str(d["id"]), d["type"], escape(", ".join(d["reports"])),
            str(d["independent_sources"]), ", ".join(d["admin1"]), d["first_date"] or "—",
            ", ".join(c["field"] for c in d["contradictions"]) or "—",
        )  # fmt: skip
    return table


@app.command("incidents")
def incidents_command(
    ctx: typer.Context,
    min_reports: Annotated[int, typer.Option(help="Only incidents told by this many reports.")] = 2,
    event_type: Annotated[str | None, typer.Option("--type", help="Only this type.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List incidents (one real event told by several reports), most reports first."""
    with settings(ctx).open_store() as store:
        ids = store.incident_ids(min_reports=min_reports, type=event_type, limit=limit)
        found = [incidents_module.incident(store, i) for i in ids]
    if as_json:
        print_json([i.as_dict() for i in found])
    else:
        console.print(_incident_table(found, f"{len(found)} incidents"))


@app.command("incident")
def incident_command(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one incident: each report's event and quote, why it was linked, and where the
    reports disagree."""
    with settings(ctx).open_store() as store:
        inc = incidents_module.incident(store, incident_id)
    d = inc.as_dict()
    if as_json:
        print_json(d)
        return
    console.print(f"[bold]incident {d['id']}[/bold] {d['type']}: {len(d['reports'])} reports,"
                  f" {d['independent_sources']} independent sources"
                  + (" (a reviewer's)" if d["locked"] else ""))  # fmt: skip
    for e in d["events"]:
        console.print(f"- {escape(e['report'])} ({e['published']}, {escape(e['outlet'] or '?')},"
                      f" event {e['id']}): {escape(e['evidence'])}", soft_wrap=True)  # fmt: skip
        console.print(f"  [dim]{e['link_score']:.2f}: {escape('; '.join(e['why']))}[/dim]",
                      soft_wrap=True)  # fmt: skip
    for c in d["contradictions"]:
        values = "; ".join(f"{v['value']} ({', '.join(v['reports'])})" for v in c["values"])
        console.print(f"[yellow]disagree on {c['field']}[/yellow]: {escape(values)}")


@app.command("contradictions")
def contradictions_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List incidents whose reports disagree on a count, a date, a county or a penalty."""
    with settings(ctx).open_store() as store:
        found = incidents_module.open_contradictions(store)
    if as_json:
        print_json([i.as_dict() for i in found])
    else:
        console.print(_incident_table(found, f"{len(found)} incidents with disagreements"))


@app.command("incident-merge")
def merge_command(
    ctx: typer.Context,
    keep: Annotated[int, typer.Argument(metavar="KEEP")],
    other: Annotated[int, typer.Argument(metavar="OTHER")],
    note: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
) -> None:
    """Merge incident OTHER into KEEP (a reviewer's word: the linker leaves it so)."""
    with settings(ctx).open_store() as store:
        store.merge_incidents(keep, other, getpass.getuser(), note)
    console.print(f"incident {other} merged into {keep}")


@app.command("incident-split")
def split_command(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    events: Annotated[list[int], typer.Argument(metavar="EVENT...", help="Events to move out.")],
    note: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
) -> None:
    """Move events out of an incident into a new one (a reviewer's word)."""
    with settings(ctx).open_store() as store:
        new_id = store.split_incident(incident_id, events, getpass.getuser(), note)
    console.print(f"events {', '.join(map(str, events))} moved to new incident {new_id}")


@app.command("campaign")
def campaign_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The campaign's name (created if new).")],
    incident_ids: Annotated[
        list[int] | None, typer.Argument(metavar="INCIDENT...", help="Incidents to add.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="What the campaign is.")] = None,
) -> None:
    """Group incidents into a campaign (a directive and what followed it)."""
    who = getpass.getuser()
    with settings(ctx).open_store() as store:
        known = {c["name"]: c["id"] for c in store.campaigns()}
        campaign_id = known.get(name) or store.create_campaign(name, who, note)
        if incident_ids:
            store.add_to_campaign(campaign_id, incident_ids, who)
        found = next(c for c in store.campaigns() if c["id"] == campaign_id)
    console.print(f"campaign {campaign_id} {escape(name)}: incidents {found['incidents']}")


@app.command("campaigns")
def campaigns_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List campaigns and their incidents."""
    with settings(ctx).open_store() as store:
        found = store.campaigns()
    if as_json:
        print_json(found)
        return
    for c in found:
        console.print(f"{c['id']} {escape(c['name'])}: incidents {c['incidents']}"
                      f" ({escape(c['created_by'])}, {c['created_at']})")  # fmt: skip


@app.command("tone-series")
def tone_series_command(
    ctx: typer.Context,
    province: Annotated[str | None, typer.Option(help="Only this province (KP-10).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Inducement against coercion per province and month (balance +1: all inducement)."""
    with settings(ctx).open_store() as store:
        points = tone_series(store, admin1=province)
    if as_json:
        print_json([p.as_dict() for p in points])
        return
    table = Table(title="tone per province and month", title_justify="left")
    for name in ("province", "month", "reports", "inducement", "coercion", "balance"):
        table.add_column(name)
    for p in points:
        row: list[Any] = [p.admin1, p.month, p.reports, p.inducement, p.coercion,
                          "—" if p.balance is None else f"{p.balance:+.2f}"]  # fmt: skip
        table.add_row(*map(str, row))
    console.print(table)
