"""The append-only audit log: every editorial action, sign-in and account change, and
every refused attempt, with who, what, when and from where.

The tables refuse UPDATE and DELETE, and on PostgreSQL TRUNCATE (triggers in
migrations.py, 2 and 3), so an entry, once written, stays. ``record`` may join the
caller's write transaction (``tx``) so an action and its log line commit together.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from curbside.editorial.db import Database, Tx
from curbside.editorial.models import Actor
from curbside.editorial.schema import utc_now

ANONYMOUS = Actor("anonymous", "anonymous", role="reader")
MAX_DETAIL_CHARS = 500
_COLUMNS = ("seq", "at", "actor", "actor_id", "action", "target", "outcome", "detail", "client")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    actor_id: int | None
    action: str
    target: str | None
    outcome: str  # "ok" or "refused"
    detail: str | None
    client: str | None


class AuditLog:
    def __init__(self, db: Database, *, clock: Any = utc_now) -> None:
        self.db = db
        self.clock = clock

    def record(self, actor: Actor | None, action: str, *, outcome: str = "ok", target: str | None = None,
               detail: str | None = None, client: str | None = None, tx: Tx | None = None) -> None:
        who = actor or ANONYMOUS
        row = (self.clock(), who.username, who.id, action, target, outcome,
               (detail or "")[:MAX_DETAIL_CHARS] or None, client)
        sql = ("INSERT INTO audit_log(at, actor, actor_id, action, target, outcome, detail, client)"
               " VALUES (?,?,?,?,?,?,?,?)")
        if tx is not None:
            tx.execute(sql, row)
            return
        with self.db.write() as t:
            t.execute(sql, row)

    def entries(self, *, limit: int = 200, offset: int = 0, outcome: str | None = None,
                actor: str | None = None, action: str | None = None) -> list[AuditEntry]:
        """Newest first, optionally filtered."""
        where, args = [], []  # type: ignore[var-annotated]
        for col, val in (("outcome", outcome), ("actor", actor), ("action", action)):
            if val:
                where.append(f"{col}=?")
                args.append(val)
        sql = f"SELECT {', '.join(_COLUMNS)} FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq DESC LIMIT ? OFFSET ?"
        return [AuditEntry(*r) for r in self.db.read(sql, (*args, limit, offset))]

    def all(self) -> Iterable[AuditEntry]:
        """Every entry, oldest first, in pages (for export)."""
        last = 0
        while True:
            rows = self.db.read(f"SELECT {', '.join(_COLUMNS)} FROM audit_log WHERE seq>? ORDER BY seq LIMIT 1000",
                                (last,))
            if not rows:
                return
            for r in rows:
                yield AuditEntry(*r)
            last = rows[-1][0]

    def count_refused(self, action: str, *, since: str, actor: str | None = None, client: str | None = None) -> int:
        """Refused attempts of ``action`` since a time, by username and/or client (rate limits)."""
        sql = "SELECT count(*) FROM audit_log WHERE action=? AND outcome='refused' AND at>=?"
        args: list[Any] = [action, since]
        if actor is not None:
            sql += " AND actor=?"
            args.append(actor)
        if client is not None:
            sql += " AND client=?"
            args.append(client)
        row = self.db.read_one(sql, args)
        return int(row[0]) if row else 0


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run: text starting with = + - @ (or a tab or
    carriage return) is prefixed with a single quote (OWASP "CSV injection")."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The header line, then one line per entry (for streaming an export)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(_COLUMNS)
    yield out.getvalue()
    for e in entries:
        out.seek(0)
        out.truncate()
        w.writerow([_cell(getattr(e, c)) for c in _COLUMNS])
        yield out.getvalue()


def json_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """``{"entries": [...]}``, one entry a line (for streaming an export)."""
    yield '{"entries": ['
    first = True
    for e in entries:
        yield ("\n" if first else ",\n") + json.dumps(asdict(e), ensure_ascii=False)
        first = False
    yield "\n]}\n"
