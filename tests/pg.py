"""A throwaway PostgreSQL server on loopback for the tests: initdb into a temporary folder,
started with pg_ctl on a free port, stopped and removed at the end of the session.

Debian's ``postgresql`` package puts the server's programs under
``/usr/lib/postgresql/VERSION/bin``; ``.ci/run`` installs it. PostgreSQL refuses to run as
root, so under root the server runs as the ``postgres`` user the package creates.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


def find_bin(name: str) -> str | None:
    """Return the path of a PostgreSQL server program, or None."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server; ``database()`` makes a fresh database and returns its URL."""

    port: int
    folder: Path
    user: str = "nkwatch"
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    template: str | None = None

    def url(self, dbname: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def admin(self) -> object:
        import psycopg

        return psycopg.connect(self.url("postgres"), autocommit=True)

    def database(self, template: str | None = None) -> str:
        """Create an empty database (or a copy of ``template``) and return its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        with self.admin() as conn:  # type: ignore[attr-defined]
            if template:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            else:
                conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self.admin() as conn:  # type: ignore[attr-defined]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_postgres(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *argv]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(argv)]


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    """Start a server on 127.0.0.1 for the duration of the block.

    Raises FileNotFoundError when PostgreSQL's programs are not installed."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise FileNotFoundError("PostgreSQL server programs (initdb, pg_ctl) not found")
    # Not under pytest's own temporary folder: it is private to the user running the tests.
    folder = Path(tempfile.mkdtemp(prefix="nkwatch-pg-"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    data, log = folder / "data", folder / "server.log"
    port = _free_port()
    try:
        subprocess.run(
            _as_postgres(
                [initdb, "-D", str(data), "-U", "nkwatch", "--auth=trust", "-E", "UTF8",
                 "--locale=C", "--no-sync"]
            ),
            check=True, capture_output=True, cwd=folder,
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-l", str(log), "-w", "-o", options, "start"]),
            check=True, capture_output=True, cwd=folder,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        text = (exc.stderr or b"").decode(errors="replace")
        if log.exists():
            text += log.read_text(errors="replace")
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {text}") from None
    try:
        yield PostgresServer(port, folder)
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True, cwd=folder,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
