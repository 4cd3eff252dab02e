"""The Typer app, its global options, and the helpers commands share."""

from __future__ import annotations

import getpass
import json
import sys
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from rich.console import Console

from nkwatch import __version__
from nkwatch import store as store_module
from nkwatch.sources.dates import parse_publication_date
from nkwatch.store.base import Store

app = typer.Typer(
    name="nkwatch",
    help="Sourced, dated, searchable records of North Korea's internal control.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


# The argument naming one stored report, as every per-report command takes it.
ReportId = Annotated[
    str, typer.Argument(metavar="ID", help="External id, URL, or internal id (#12).")
]


@dataclass
class Settings:
    """Options given before the command name."""

    db: str | None = None
    quiet: bool = False
    show_names: str | None = None  # why private persons' names are to be shown

    def open_store(self) -> Store:
        """Return the store these settings name (showing private names only when asked, with
        the request written to the store's audit log)."""
        store = store_module.open(self.db)
        if self.show_names:
            store.show_names(getpass.getuser(), f"{' '.join(sys.argv[1:])}: {self.show_names}")
        return store

    def progress_enabled(self) -> bool:
        """Return True when a progress bar helps: a terminal, and not ``--quiet``."""
        return not self.quiet and sys.stderr.isatty()


def _version(value: bool) -> None:
    if value:
        console.print(f"nkwatch {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar=store_module.ENV_VAR,
            help="Database: a SQLite file (or sqlite:///path), or postgresql://user@host/db."
            " Default: $NKWATCH_DB, else ~/.local/share/nkwatch/nkwatch.db.",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or notes.")
    ] = False,
    show_names: Annotated[
        str | None,
        typer.Option(
            "--show-names",
            metavar="WHY",
            help="Show private persons' names (redacted as [private person] by default);"
            " who asked, the command and WHY are written to the audit log.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """nkwatch: reports in, sourced events out."""
    if show_names is not None and not show_names.strip():
        raise typer.BadParameter("say why the names are needed", param_hint="--show-names")
    ctx.obj = Settings(db=db, quiet=quiet, show_names=show_names)


def settings(ctx: typer.Context) -> Settings:
    """Return the global settings of this invocation."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


def date_option(value: str | None, name: str) -> str | None:
    """Return a CLI date option as YYYY-MM-DD (raises a DateError naming the option)."""
    return parse_publication_date(value, location=f"--{name}", field=name)


def print_json(data: Any) -> None:
    """Write ``data`` as JSON on stdout (no colours, no wrapping)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
