"""Accounts of the Medical Advisory Board and the editors and admins, in the editorial
database (table ``users``, schema migration 2).

Every change is written together with its audit-log line (one transaction), naming who
made it: an admin's Actor from the web, or the command line's. A disabled account keeps
its row (its name stays on the answers it reviewed) but cannot sign in, and its sessions
are deleted; its API tokens stop working (tokens.py checks the account on every use). A
password reset ends the account's sessions and revokes its API tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from curbside.accounts.errors import InvalidAccountError, UserExistsError, UserNotFoundError
from curbside.accounts.passwords import Passwords
from curbside.accounts.roles import Permission, Role, allows
from curbside.editorial.audit import AuditLog
from curbside.editorial.db import Database, Row
from curbside.editorial.models import Actor
from curbside.editorial.schema import utc_now
from curbside.validate import check_text

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
# names the audit log already uses for non-people; an account may not take them
RESERVED = frozenset({"anonymous", "cli", "curbside", "system", "admin-cli"})
MAX_NAME_CHARS = 100
_COLS = "id, username, display_name, credentials, role, disabled, created, updated"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    display_name: str
    credentials: str
    role: Role
    disabled: bool
    created: str
    updated: str

    def can(self, permission: Permission) -> bool:
        return not self.disabled and allows(self.role, permission)

    @property
    def label(self) -> str:
        """What the page shows: "Dr A. Rivera, MD, neurology"."""
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name

    def actor(self) -> Actor:
        """The user as the editorial repository records who did something."""
        return Actor(self.username, self.display_name, id=self.id, credentials=self.credentials, role=self.role.value)

    @classmethod
    def from_row(cls, r: Row) -> User:
        return cls(int(r[0]), r[1], r[2], r[3] or "", Role(r[4]), bool(r[5]), r[6], r[7])


def clean_username(raw: str) -> str:
    name = check_text(raw or "", "username").strip().lower()
    if not USERNAME.fullmatch(name):
        raise InvalidAccountError(
            f"{raw[:60]!r} is not a valid username.",
            fix="Use 2-40 lowercase letters, digits, dots, dashes or underscores, starting with a letter or digit "
                "(e.g. arivera).")
    if name in RESERVED:
        raise InvalidAccountError(f"The username {name!r} is reserved.", fix="Choose another username.")
    return name


def _clean_text(raw: str | None, what: str, *, required: bool) -> str:
    text = " ".join(check_text(raw or "", what).split())
    if required and not text:
        raise InvalidAccountError(f"The {what} is empty.", fix=f"Give a {what} (e.g. --name \"Dr A. Rivera\").")
    if len(text) > MAX_NAME_CHARS:
        raise InvalidAccountError(f"The {what} is longer than {MAX_NAME_CHARS} characters.", fix="Shorten it.")
    return text


class UserRepository:
    def __init__(self, db: Database, *, passwords: Passwords | None = None, audit: AuditLog | None = None,
                 clock: Callable[[], str] = utc_now) -> None:
        self.db = db
        self.passwords = passwords or Passwords()
        self.clock = clock
        self.audit = audit or AuditLog(db, clock=clock)

    # ---- reads ---------------------------------------------------------------------
    def get(self, user_id: int) -> User | None:
        row = self.db.read_one(f"SELECT {_COLS} FROM users WHERE id=?", (int(user_id),))
        return User.from_row(row) if row else None

    def by_username(self, username: str) -> User | None:
        row = self.db.read_one(f"SELECT {_COLS} FROM users WHERE username=?", ((username or "").strip().lower(),))
        return User.from_row(row) if row else None

    def require(self, username: str) -> User:
        user = self.by_username(username)
        if user is None:
            raise UserNotFoundError(f"No account has the username {username[:60]!r}.",
                                    fix="List accounts with `curbside users list`.")
        return user

    def list(self) -> list[User]:
        return [User.from_row(r) for r in self.db.read(f"SELECT {_COLS} FROM users ORDER BY username")]

    def count(self) -> int:
        row = self.db.read_one("SELECT count(*) FROM users")
        return int(row[0]) if row else 0

    # ---- changes (each audited in the same transaction) ------------------------------
    def add(self, username: str, password: str, *, display_name: str, credentials: str = "",
            role: Role | str = Role.REVIEWER, by: Actor, client: str | None = None) -> User:
        name = clean_username(username)
        shown = _clean_text(display_name, "display name", required=True)
        creds = _clean_text(credentials, "credentials", required=False)
        rank = role if isinstance(role, Role) else Role.parse(role)
        hashed = self.passwords.hash(password)
        now = self.clock()
        with self.db.write() as tx:
            if tx.one("SELECT 1 FROM users WHERE username=?", (name,)):
                raise UserExistsError(f"The username {name!r} is taken.", fix="Choose another username.")
            tx.execute(
                "INSERT INTO users(username, display_name, credentials, role, password_hash, disabled, created,"
                " updated)"
                " VALUES (?,?,?,?,?,0,?,?)", (name, shown, creds, rank.value, hashed, now, now))
            self.audit.record(by, "user.add", target=name, detail=f"role {rank.value}; {shown}", client=client, tx=tx)
        return self.require(name)

    def update(self, username: str, *, role: Role | str | None = None, display_name: str | None = None,
               credentials: str | None = None, disabled: bool | None = None, by: Actor,
               client: str | None = None) -> User:
        """Change any of role, name, credentials and disabled (None: unchanged), all or
        nothing: every value is checked first, then the changes are written in one
        transaction, each with its audit line (``user.set_role``, ``user.set_details``,
        ``user.disable``/``user.enable``). Disabling ends the account's sessions."""
        rank = None if role is None else role if isinstance(role, Role) else Role.parse(role)
        shown = None if display_name is None else _clean_text(display_name, "display name", required=True)
        creds = None if credentials is None else _clean_text(credentials, "credentials", required=False)
        name = (username or "").strip().lower()
        with self.db.write() as tx:
            row = tx.one("SELECT id, display_name, credentials FROM users WHERE username=?", (name,))
            if row is None:
                raise UserNotFoundError(f"No account has the username {username[:60]!r}.",
                                        fix="List accounts with `curbside users list`.")
            uid, now = row[0], self.clock()
            if rank is not None:
                tx.execute("UPDATE users SET role=?, updated=? WHERE id=?", (rank.value, now, uid))
                self.audit.record(by, "user.set_role", target=name, detail=f"role {rank.value}", client=client, tx=tx)
            if shown is not None or creds is not None:
                shown, creds = shown if shown is not None else row[1], creds if creds is not None else row[2]
                tx.execute("UPDATE users SET display_name=?, credentials=?, updated=? WHERE id=?",
                           (shown, creds, now, uid))
                self.audit.record(by, "user.set_details", target=name, detail=f"{shown}; {creds}", client=client,
                                  tx=tx)
            if disabled is not None:
                tx.execute("UPDATE users SET disabled=?, updated=? WHERE id=?", (1 if disabled else 0, now, uid))
                if disabled:
                    tx.execute("DELETE FROM sessions WHERE user_id=?", (uid,))
                self.audit.record(by, "user.disable" if disabled else "user.enable", target=name, client=client,
                                  tx=tx)
        return self.require(name)

    def set_role(self, username: str, role: Role | str, *, by: Actor, client: str | None = None) -> User:
        return self.update(username, role=role, by=by, client=client)

    def set_details(self, username: str, *, display_name: str | None = None, credentials: str | None = None,
                    by: Actor, client: str | None = None) -> User:
        return self.update(username, display_name=display_name, credentials=credentials, by=by, client=client)

    def disable(self, username: str, *, by: Actor, client: str | None = None) -> User:
        return self.update(username, disabled=True, by=by, client=client)

    def enable(self, username: str, *, by: Actor, client: str | None = None) -> User:
        return self.update(username, disabled=False, by=by, client=client)

    def reset_password(self, username: str, password: str, *, by: Actor, client: str | None = None) -> User:
        """A new password; the account's sessions end and its active API tokens are revoked
        (each revocation audited): whoever knew the old password may have made a token."""
        hashed = self.passwords.hash(password)
        name = (username or "").strip().lower()
        with self.db.write() as tx:
            row = tx.one("SELECT id FROM users WHERE username=?", (name,))
            if row is None:
                raise UserNotFoundError(f"No account has the username {username[:60]!r}.",
                                        fix="List accounts with `curbside users list`.")
            now = self.clock()
            tx.execute("UPDATE users SET password_hash=?, updated=? WHERE id=?", (hashed, now, row[0]))
            tx.execute("DELETE FROM sessions WHERE user_id=?", (row[0],))
            active = tx.all("SELECT id, prefix, name FROM api_tokens WHERE user_id=? AND revoked IS NULL ORDER BY id",
                            (row[0],))
            for tid, prefix, label in active:
                tx.execute("UPDATE api_tokens SET revoked=? WHERE id=?", (now, tid))
                self.audit.record(by, "token.revoke", target=prefix, detail=f"{label} (password reset)",
                                  client=client, tx=tx)
            self.audit.record(by, "user.reset_password", target=name, client=client, tx=tx)
        return self.require(name)

    # ---- sign-in -------------------------------------------------------------------
    def authenticate(self, username: str, password: str) -> User | None:
        """The enabled account with this username and password, else None. An unknown or
        disabled username costs one hash verification too, like a wrong password."""
        row = self.db.read_one(f"SELECT {_COLS}, password_hash FROM users WHERE username=?",
                               ((username or "").strip().lower(),))
        if row is None or row[5]:
            self.passwords.waste_time(password)
            return None
        stored = row[8]
        if not self.passwords.verify(stored, password):
            return None
        user = User.from_row(row)
        if self.passwords.needs_rehash(stored):
            self._rehash(user.id, stored, password)
        return user

    def _rehash(self, user_id: int, old: str, password: str) -> None:
        new = self.passwords.hasher.hash(password)  # the policy applied when it was set
        with self.db.write() as tx:
            tx.execute("UPDATE users SET password_hash=? WHERE id=? AND password_hash=?", (new, user_id, old))


