"""The editorial database: one small interface over SQLite (the embedded default) and
PostgreSQL (several app instances), selected by the ``database_url`` setting.

    db = open_database(settings)          # migrated to the newest schema on open
    with db.write() as tx:                # one serialized write transaction
        tx.execute("UPDATE articles SET status=? WHERE id=?", (s, aid))
    rows = db.read("SELECT id FROM articles WHERE status=?", (s,))

SQL is written once with ``?`` placeholders; the PostgreSQL connection rewrites them to
``%s``. Writes are serialized the same way on both: SQLite with ``BEGIN IMMEDIATE`` (one
writer per file), PostgreSQL with a transaction-scoped advisory lock (one writer across
every instance sharing the database), so a write re-reads the row it changes and never
loses another instance's update. Editorial writes are few (answers, reviews, logins);
reads never wait for them (SQLite WAL, PostgreSQL MVCC).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from curbside.errors import StoreError

SQLITE_FILE = "editorial.sqlite"
_WRITE_LOCK_KEY = 0x6375726273  # "curbs": the advisory lock every PostgreSQL write takes
Row = tuple[Any, ...]


class Tx(Protocol):
    """What a write transaction offers: execute, and fetch what it returns."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...


class Database:
    """Base: the dialect-independent half (reads through ``one``/``all``)."""

    dialect = ""
    description = ""

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        raise NotImplementedError

    def read_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = self.read(sql, params)
        return rows[0] if rows else None

    @contextmanager
    def write(self) -> Iterator[Tx]:
        raise NotImplementedError
        yield  # pragma: no cover

    def close(self) -> None:
        raise NotImplementedError


class _SQLiteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, tuple(params))

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return self.conn.execute(sql, tuple(params)).fetchone()  # type: ignore[no-any-return]

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self.conn.execute(sql, tuple(params)).fetchall()


class SQLiteDatabase(Database):
    """One file in WAL mode: per-thread read connections, one locked writer."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.description = str(self.path)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = self._connect()
            self._writer.execute("PRAGMA journal_mode=WAL")
        except (sqlite3.DatabaseError, OSError) as e:
            raise _cannot_open(self.description, e) from e

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=ON")
        self._conns.append(conn)
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            with self._lock:
                conn = self._local.conn = self._connect()
        return conn  # type: ignore[no-any-return]

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        try:
            return self._reader().execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as e:
            raise _failed(self.description, e) from e

    @contextmanager
    def write(self) -> Iterator[Tx]:
        with self._lock:
            c = self._writer
            try:
                c.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as e:
                raise _failed(self.description, e) from e
            try:
                yield _SQLiteTx(c)
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            for conn in self._conns:
                conn.close()
            self._conns.clear()


_TOKEN = re.compile(r"'(?:[^']|'')*'|\?|%")


def _pg_sql(sql: str) -> str:
    """``?`` placeholders become ``%s`` and a literal ``%`` becomes ``%%``, outside quoted strings
    (whose ``%`` still doubles: psycopg reads the whole text)."""
    def swap(m: re.Match[str]) -> str:
        tok = m.group(0)
        return "%s" if tok == "?" else "%%" if tok == "%" else tok.replace("%", "%%")

    return _TOKEN.sub(swap, sql)


class _PostgresTx:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(_pg_sql(sql), tuple(params))

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return self.conn.execute(_pg_sql(sql), tuple(params)).fetchone()  # type: ignore[no-any-return]

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self.conn.execute(_pg_sql(sql), tuple(params)).fetchall()  # type: ignore[no-any-return]


class PostgresDatabase(Database):
    """PostgreSQL through psycopg 3: one connection per thread (autocommit reads), writes
    in a transaction that first takes the editorial advisory lock."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as e:  # pragma: no cover - psycopg is a dependency
            raise StoreError("PostgreSQL support needs the psycopg package.",
                             fix="pip install 'psycopg[binary]'.") from e
        self._psycopg = psycopg
        self.url = url
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
        self.description = f"postgresql://{parts.hostname or 'localhost'}{port}{parts.path}"
        self._lock = threading.Lock()
        self._local = threading.local()
        self._conns: list[Any] = []
        self._conn()  # fail now, with a clear message, if the server cannot be reached

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            try:
                conn = self._psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            except self._psycopg.Error as e:
                raise _cannot_open(self.description, e) from e
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        try:
            return self._conn().execute(_pg_sql(sql), tuple(params)).fetchall()  # type: ignore[no-any-return]
        except self._psycopg.OperationalError as e:
            self._local.conn = None
            raise _failed(self.description, e) from e

    @contextmanager
    def write(self) -> Iterator[Tx]:
        conn = self._conn()
        try:
            tx_cm = conn.transaction()
            tx_cm.__enter__()
        except self._psycopg.OperationalError as e:
            self._local.conn = None
            raise _failed(self.description, e) from e
        try:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK_KEY,))
            yield _PostgresTx(conn)
        except BaseException as e:
            tx_cm.__exit__(type(e), e, e.__traceback__)
            raise
        else:
            tx_cm.__exit__(None, None, None)

    def close(self) -> None:
        with self._lock:
            for conn in self._conns:
                conn.close()
            self._conns.clear()


def _cannot_open(where: str, e: BaseException) -> StoreError:
    return StoreError(
        f"Cannot open the editorial database at {where}: {str(e).strip() or type(e).__name__}.",
        fix="Check the data folder is writable (SQLite) or the server is running and the database URL is right "
            "(CURBSIDE_DATABASE_URL); move a damaged editorial.sqlite aside.",
    )


def _failed(where: str, e: BaseException) -> StoreError:
    return StoreError(
        f"The editorial database at {where} failed: {str(e).strip() or type(e).__name__}.",
        fix="Try again; if it persists, check the database server or disk.",
    )


def connect(database_url: str, data_dir: Path) -> Database:
    """``""`` or ``sqlite:///path`` -> SQLite (default ``<data_dir>/editorial.sqlite``);
    ``postgresql://user:pass@host:port/db`` -> PostgreSQL. Not yet migrated."""
    url = (database_url or "").strip()
    if not url:
        return SQLiteDatabase(Path(data_dir) / SQLITE_FILE)
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        path = url.split(":", 1)[1].lstrip("/")
        return SQLiteDatabase(Path("/" + path) if url.startswith("sqlite:////") else Path(path))
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return PostgresDatabase("postgresql:" + url.split(":", 1)[1])
    from curbside.errors import UserInputError

    raise UserInputError(
        f"Unsupported database URL scheme {scheme!r}.",
        fix="Use postgresql://user:password@host:5432/dbname, or leave CURBSIDE_DATABASE_URL empty for SQLite.",
    )


def open_database(database_url: str, data_dir: Path) -> Database:
    """Connect and bring the schema up to date (migrations.py)."""
    from curbside.editorial.migrations import migrate

    db = connect(database_url, data_dir)
    try:
        migrate(db)
    except BaseException:
        db.close()
        raise
    return db
