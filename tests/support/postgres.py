"""A real PostgreSQL server for the editorial tests, started on loopback from the
Debian packages (no mocks): ``initdb`` into a temporary folder, ``pg_ctl start`` on a
free port, one fresh database per test.

CURBSIDE_TEST_DATABASE_URL (a server's URL whose user may create databases) is used
instead when set. Without PostgreSQL binaries the PostgreSQL variants are skipped,
unless CURBSIDE_REQUIRE_POSTGRES=1 (set by .ci/run), which makes that a failure.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

_counter = itertools.count()


def find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for cand in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return cand
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPostgres:
    """A throwaway cluster owned by the ``postgres`` user when run as root (initdb
    refuses root), else by the current user."""

    def __init__(self) -> None:
        initdb, self.pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if not initdb or not self.pg_ctl:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found; apt-get install postgresql")
        self.dir = Path(tempfile.mkdtemp(prefix="curbside-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run([initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                   "--locale=C.UTF-8", "--no-sync"])
        self._run([self.pg_ctl, "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60", "start",
                   "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                         "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"])
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, cmd: list[str]) -> None:
        subprocess.run([*self._as, *cmd], check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        try:
            self._run([str(self.pg_ctl), "-D", str(self.data), "-m", "immediate", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def admin_url() -> tuple[str, LocalPostgres | None]:
    """(URL of a server the tests may create databases on, the server if we started it)."""
    given = os.environ.get("CURBSIDE_TEST_DATABASE_URL", "").strip()
    if given:
        return given, None
    server = LocalPostgres()
    return server.url, server


def fresh_database(admin: str) -> str:
    """Create an empty database and return its URL."""
    import psycopg

    name = f"curbside_t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin.rpartition("/")
    return f"{base}/{name}"


def drop_database(admin: str, url: str) -> None:
    import psycopg

    name = url.rpartition("/")[2]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
