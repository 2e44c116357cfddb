"""Sign-in sessions: a random cookie value whose SHA-256 is stored (table ``sessions``),
with the session's CSRF token and its expiry.

The database holds only hashes, so a leaked copy of it (a backup) signs nobody in. A
session counts only while it has not expired and its account is enabled; expired rows
are removed as new sessions are made. Signing out deletes the row.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from curbside.accounts.clock import Now, stamp, utc_now
from curbside.accounts.tokens import token_hash
from curbside.accounts.users import User, UserRepository
from curbside.editorial.db import Database

TOKEN_BYTES = 32
DEFAULT_HOURS = 12


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf_token: str
    created: str
    expires: str


class SessionStore:
    def __init__(self, db: Database, users: UserRepository, *, hours: float = DEFAULT_HOURS,
                 now: Now = utc_now) -> None:
        self.db = db
        self.users = users
        self.lifetime = timedelta(hours=hours)
        self.now = now

    def create(self, user: User) -> tuple[str, Session]:
        """A new session for ``user``: (the cookie value, shown only now; the session)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        csrf = secrets.token_urlsafe(TOKEN_BYTES)
        moment = self.now()
        created, expires = stamp(moment), stamp(moment + self.lifetime)
        with self.db.write() as tx:
            tx.execute("DELETE FROM sessions WHERE expires<=?", (created,))
            tx.execute("INSERT INTO sessions(token_hash, user_id, csrf_token, created, expires) VALUES (?,?,?,?,?)",
                       (token_hash(token), user.id, csrf, created, expires))
        return token, Session(user, csrf, created, expires)

    def lookup(self, token: str | None) -> Session | None:
        """The live session for a cookie value, or None (unknown, expired, account disabled)."""
        if not token or len(token) > 200:
            return None
        row = self.db.read_one("SELECT user_id, csrf_token, created, expires FROM sessions WHERE token_hash=?",
                               (token_hash(token),))
        if row is None or row[3] <= stamp(self.now()):
            return None
        user = self.users.get(row[0])
        if user is None or user.disabled:
            return None
        return Session(user, row[1], row[2], row[3])

    def delete(self, token: str | None) -> bool:
        if not token:
            return False
        with self.db.write() as tx:
            cur = tx.execute("DELETE FROM sessions WHERE token_hash=?", (token_hash(token),))
            return bool(getattr(cur, "rowcount", 0))
