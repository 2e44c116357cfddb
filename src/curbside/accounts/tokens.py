"""Personal API tokens for reviewers, editors and admins (table ``api_tokens``).

A token is ``cs_`` + 43 random URL-safe characters, shown once when it is made; only
its SHA-256 is stored, with a short prefix (``cs_Ab3dE9xY``) so the owner can tell
their tokens apart. A request sends it as ``Authorization: Bearer cs_...``; it acts as
its owner, with the owner's current role, until it is revoked or the account is
disabled. Bearer requests need no CSRF token: a browser never adds this header by
itself, so another site cannot make one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from curbside.accounts.clock import Now, stamp, utc_now
from curbside.accounts.errors import InvalidAccountError, NotAllowedError, NotSignedInError, TokenNotFoundError
from curbside.accounts.roles import Permission
from curbside.accounts.users import User, UserRepository
from curbside.editorial.audit import AuditLog
from curbside.editorial.db import Database, Row
from curbside.editorial.models import Actor
from curbside.validate import check_text

PREFIX = "cs_"
SHOWN_CHARS = 11  # "cs_" + 8: enough to tell tokens apart, far too little to guess one
MAX_ACTIVE = 20
MAX_NAME_CHARS = 60
LAST_USED_EVERY = timedelta(minutes=1)  # last_used is written at most this often per token
_COLS = "id, user_id, name, prefix, created, last_used, revoked"


def token_hash(token: str) -> str:
    """What is stored for a random secret: its SHA-256 (API tokens here, session cookies in
    sessions.py), so a copy of the database signs nobody in."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_token(value: str) -> bool:
    return value.startswith(PREFIX) and 20 <= len(value) <= 200


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    user_id: int
    name: str
    prefix: str
    created: str
    last_used: str | None
    revoked: str | None

    @property
    def active(self) -> bool:
        return self.revoked is None

    @classmethod
    def from_row(cls, r: Row) -> ApiToken:
        return cls(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5], r[6])


class TokenStore:
    def __init__(self, db: Database, users: UserRepository, audit: AuditLog, *, now: Now = utc_now) -> None:
        self.db = db
        self.users = users
        self.audit = audit
        self.now = now

    def create(self, user: User, name: str, *, by: Actor | None = None,
               client: str | None = None) -> tuple[str, ApiToken]:
        """(the token, shown only now; its record) for ``user``, made by ``by`` (default: the
        user). Only roles with USE_TOKENS may have one."""
        label = " ".join(check_text(name or "", "token name").split())
        actor = by or user.actor()
        if not user.can(Permission.USE_TOKENS):
            self.audit.record(actor, "token.create", outcome="refused", target=user.username,
                              detail=f"role {user.role.value} may not have API tokens", client=client)
            raise NotAllowedError("Your role may not have API tokens.",
                                  fix="Ask an admin to make you a reviewer or editor.")
        if not label or len(label) > MAX_NAME_CHARS:
            raise InvalidAccountError(f"A token needs a name of 1-{MAX_NAME_CHARS} characters.",
                                      fix="Name it after where you will use it, e.g. \"review script\".")
        token = PREFIX + secrets.token_urlsafe(32)
        now = stamp(self.now())
        with self.db.write() as tx:
            row = tx.one("SELECT count(*) FROM api_tokens WHERE user_id=? AND revoked IS NULL", (user.id,))
            if row and int(row[0]) >= MAX_ACTIVE:
                raise InvalidAccountError(f"You already have {MAX_ACTIVE} active API tokens.",
                                          fix="Revoke tokens you no longer use.")
            tx.execute("INSERT INTO api_tokens(user_id, name, prefix, token_hash, created) VALUES (?,?,?,?,?)",
                       (user.id, label, token[:SHOWN_CHARS], token_hash(token), now))
            self.audit.record(actor, "token.create", target=f"{user.username}/{token[:SHOWN_CHARS]}",
                              detail=label, client=client, tx=tx)
            made = tx.one(f"SELECT {_COLS} FROM api_tokens WHERE token_hash=?", (token_hash(token),))
        assert made is not None
        return token, ApiToken.from_row(made)

    def list(self, user_id: int) -> list[ApiToken]:
        """The account's tokens, newest first (revoked ones too: they show when)."""
        return [ApiToken.from_row(r) for r in self.db.read(
            f"SELECT {_COLS} FROM api_tokens WHERE user_id=? ORDER BY id DESC", (user_id,))]

    def revoke(self, token_id: int, *, owner_id: int, by: Actor, client: str | None = None) -> ApiToken:
        """Revoke token ``token_id`` of account ``owner_id`` (the caller decides who may act
        for that account: its owner on the account page, an admin, the command line)."""
        now = stamp(self.now())
        with self.db.write() as tx:
            row = tx.one(f"SELECT {_COLS} FROM api_tokens WHERE id=? AND user_id=?", (int(token_id), int(owner_id)))
            if row is None:
                raise TokenNotFoundError(f"The account has no API token with the id {token_id}.",
                                         fix="List the tokens on the account page (/account) or with "
                                             "`curbside users token list USERNAME`.")
            if row[6] is None:
                tx.execute("UPDATE api_tokens SET revoked=? WHERE id=?", (now, row[0]))
                self.audit.record(by, "token.revoke", target=row[3], detail=row[2], client=client, tx=tx)
            done = tx.one(f"SELECT {_COLS} FROM api_tokens WHERE id=?", (row[0],))
        assert done is not None
        return ApiToken.from_row(done)

    def authenticate(self, token: str, *, client: str | None = None,
                     may_log: Callable[[], bool] | None = None) -> User:
        """The token's enabled owner; an unknown or revoked token, or a disabled owner, is
        refused (NotSignedInError) and the refusal logged (unless ``may_log()`` says no: the
        web app's limit on refusals logged per client)."""
        row = None
        if looks_like_token(token):
            row = self.db.read_one(f"SELECT {_COLS} FROM api_tokens WHERE token_hash=?", (token_hash(token),))
        owner = self.users.get(row[1]) if row else None
        reason = None
        if row is None:
            reason = "unknown API token"
        elif row[6] is not None:
            reason = f"API token {row[3]} was revoked"
        elif owner is None or owner.disabled:
            reason = f"API token {row[3]} belongs to a disabled account"
        if reason is not None or row is None or owner is None:
            if may_log is None or may_log():
                self.audit.record(owner.actor() if owner else None, "auth.token", outcome="refused",
                                  target=row[3] if row else None, detail=reason, client=client)
            raise NotSignedInError(f"The API token is not valid ({reason}).",
                                   fix="Make a new token on your account page (/account) and send it as "
                                       "'Authorization: Bearer cs_...'.")
        self._touch(row)
        return owner

    def _touch(self, row: Row) -> None:
        moment = self.now()
        if row[5] is not None and row[5] > stamp(moment - LAST_USED_EVERY):
            return
        with self.db.write() as tx:
            tx.execute("UPDATE api_tokens SET last_used=? WHERE id=?", (stamp(moment), row[0]))
