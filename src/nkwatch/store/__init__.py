"""The store: every stage downstream of the readers reaches the database through ``open``."""

from __future__ import annotations

import os
from pathlib import Path

from nkwatch.errors import StoreError
from nkwatch.store.sqlite import SQLiteStore

ENV_VAR = "NKWATCH_DB"


def default_location() -> str:
    """Return the database used when none is given: ``$NKWATCH_DB``, else the user data dir."""
    env = os.environ.get(ENV_VAR)
    if env:
        return env
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "nkwatch" / "nkwatch.db")


def open(url: str | None = None) -> SQLiteStore:
    """Return the store at ``url`` (a path or ``sqlite:///path``; the default when None)."""
    location = url or default_location()
    if location.startswith(("postgresql://", "postgres://")):
        raise StoreError(
            "the PostgreSQL backend is not available in this version; use a SQLite path",
            location=location,
        )
    if location.startswith("sqlite:///"):
        location = location[len("sqlite:///") :]
    elif "://" in location:
        raise StoreError(
            "unknown database URL; give a file path or sqlite:///path", location=location
        )
    return SQLiteStore(location)


__all__ = ["ENV_VAR", "SQLiteStore", "default_location", "open"]
