"""The ``nkwatch`` command: a Typer app whose commands each call one library function."""

from __future__ import annotations

import gc
import sys

from nkwatch.cli.app import app, err_console
from nkwatch.errors import NKWatchError

# Importing the command modules registers their commands on ``app``.
from nkwatch.cli import analysis, documents, events, export, incidents, web  # noqa: F401  isort: skip


def main() -> None:
    """Run the CLI; a library error becomes one line on stderr and exit status 2."""
    # The objects created by imports (lxml, trafilatura, numpy, ...) live as long as the
    # process: moving them out of the collector's reach makes batch ingest ~10% faster.
    gc.freeze()
    try:
        app()
    except NKWatchError as exc:
        err_console.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)


__all__ = ["app", "main"]
