"""The store: every stage downstream of the readers reaches the database through ``open``."""

from __future__ import annotations

import os
from pathlib import Path

from nkwatch.errors import StoreError
from nkwatch.store.base import Store
from nkwatch.store.sqlite import SQLiteStore

ENV_VAR = "NKWATCH_DB"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def default_location() -> str:
    """Return the database used when none is given: ``$NKWATCH_DB``, else the user data dir."""
    env = os.environ.get(ENV_VAR)
    if env:
        return env
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "nkwatch" / "nkwatch.db")


def open(url: str | None = None) -> Store:
    """Return the store at ``url``: a SQLite file (a path or ``sqlite:///path``) or a
    PostgreSQL database (``postgresql://user:password@host:port/dbname``, or any libpq
    connection URL); the default file when None."""
    location = url or default_location()
    if location.startswith(POSTGRES_SCHEMES):
        try:
            from nkwatch.store.postgres import PostgresStore
        except ImportError:
            raise StoreError(
                "PostgreSQL needs the driver: pip install 'nkwatch[postgres]'",
                location=location.split("@")[-1],
            ) from None
        return PostgresStore(location)
    if location.startswith("sqlite:///"):
        location = location[len("sqlite:///") :]
    elif "://" in location:
        raise StoreError(
            "unknown database URL; give a file path, sqlite:///path or postgresql://…",
            location=location,
        )
    return SQLiteStore(location)


__all__ = ["ENV_VAR", "SQLiteStore", "Store", "default_location", "open"]
