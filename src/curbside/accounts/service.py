"""``Accounts``: users, sessions, tokens and the audit log on one editorial database,
and sign-in with its rate limit.

Sign-in is limited through the audit log (``count_refused``), not process memory, so
the limit holds across every app instance sharing the database: after
``login_max_failures`` refused sign-ins for one username, or from one client address,
within ``LOGIN_WINDOW``, sign-in answers 429 until the window has passed. A throttled
attempt is logged as ``login.throttled`` (not ``login``), so an attacker who keeps
trying does not push the window on for ever.

Counting, checking the password and logging the outcome are one step per username and
per client address (``KeyedLocks``): parallel guesses wait for each other instead of
all reading the same count before any failure is logged, so within an instance no more
than ``login_max_failures`` guesses are ever checked. Instances sharing a PostgreSQL
database each hold their own locks: together they can check at most one more guess per
other instance. A guess that waits longer than ``LOCK_WAIT`` seconds is answered 429.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from curbside.accounts.clock import Now, stamp, utc_now
from curbside.accounts.errors import NotSignedInError, TooManyRequestsError
from curbside.accounts.passwords import Passwords
from curbside.accounts.sessions import DEFAULT_HOURS, Session, SessionStore
from curbside.accounts.tokens import TokenStore
from curbside.accounts.users import UserRepository
from curbside.editorial.audit import AuditLog
from curbside.editorial.db import Database
from curbside.editorial.models import Actor
from curbside.validate import check_text

LOGIN_WINDOW = timedelta(minutes=15)
DEFAULT_MAX_FAILURES = 5
MAX_USERNAME_LOGGED = 100
LOCK_WAIT = 10.0  # seconds a sign-in waits for others of the same username or client


class KeyedLocks:
    """One lock per key (a username, a client address), made on demand and dropped when
    nobody holds or waits for it, so keys an attacker invents do not pile up."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, list[int]]] = {}

    @contextmanager
    def hold(self, *keys: str, timeout: float = LOCK_WAIT) -> Iterator[bool]:
        """Holds every key's lock (taken in sorted order, so two callers never wait for
        each other in a circle); yields False, holding none, if they were not all free
        within ``timeout`` seconds."""
        wanted = sorted(set(keys))
        with self._guard:
            entries = [self._locks.setdefault(k, (threading.Lock(), [0])) for k in wanted]
            for _, users in entries:
                users[0] += 1
        taken: list[threading.Lock] = []
        try:
            for lock, _ in entries:
                if not lock.acquire(timeout=timeout):
                    break
                taken.append(lock)
            yield len(taken) == len(entries)
        finally:
            for lock in reversed(taken):
                lock.release()
            with self._guard:
                for key, (_, users) in zip(wanted, entries, strict=True):
                    users[0] -= 1
                    if users[0] == 0:
                        del self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)


@dataclass(frozen=True)
class Accounts:
    users: UserRepository
    sessions: SessionStore
    tokens: TokenStore
    audit: AuditLog
    login_max_failures: int = DEFAULT_MAX_FAILURES
    now: Now = utc_now
    sign_in_locks: KeyedLocks = field(default_factory=KeyedLocks, compare=False, repr=False)

    @classmethod
    def open(cls, db: Database, *, session_hours: float = DEFAULT_HOURS,
             login_max_failures: int = DEFAULT_MAX_FAILURES, passwords: Passwords | None = None,
             now: Now = utc_now) -> Accounts:
        def clock() -> str:
            return stamp(now())

        audit = AuditLog(db, clock=clock)
        users = UserRepository(db, passwords=passwords, audit=audit, clock=clock)
        return cls(users, SessionStore(db, users, hours=session_hours, now=now),
                   TokenStore(db, users, audit, now=now), audit, max(1, login_max_failures), now)

    def sign_in(self, username: str, password: str, *, client: str | None,
                may_log: Callable[[], bool] | None = None) -> tuple[str, Session]:
        """(session cookie value, session) for the right password; NotSignedInError for a
        wrong one, TooManyRequestsError while the username or client is throttled (logged
        as ``login.throttled`` unless ``may_log()`` says no: the web app's limit on refusals
        logged per client)."""
        check_text(username or "", "username")
        check_text(password or "", "password")
        name = " ".join((username or "").split()).lower()[:MAX_USERNAME_LOGGED]
        who = Actor(name or "(empty)", name or "(empty)")
        keys = [f"user {name}"] + ([f"client {client}"] if client else [])
        with self.sign_in_locks.hold(*keys) as free:
            return self._sign_in(name, who, password, client, may_log, busy=not free)

    def _sign_in(self, name: str, who: Actor, password: str, client: str | None,
                 may_log: Callable[[], bool] | None, *, busy: bool) -> tuple[str, Session]:
        since = stamp(self.now() - LOGIN_WINDOW)
        failures = self.audit.count_refused("login", since=since, actor=who.username)
        if client:
            failures = max(failures, self.audit.count_refused("login", since=since, client=client))
        minutes = int(LOGIN_WINDOW.total_seconds() // 60)
        if busy:
            if may_log is None or may_log():
                self.audit.record(who, "login.throttled", outcome="refused", client=client,
                                  detail="other sign-ins for this account or address are still being checked")
            raise TooManyRequestsError("Too many sign-ins for this account or from your address at once.",
                                       fix="Wait a few seconds and try again.", retry_after=int(LOCK_WAIT))
        if failures >= self.login_max_failures:
            if may_log is None or may_log():
                self.audit.record(who, "login.throttled", outcome="refused",
                                  detail=f"{failures} refused sign-ins", client=client)
            raise TooManyRequestsError(
                f"Too many failed sign-ins for this account or from your address in the last {minutes} minutes.",
                fix=f"Wait {minutes} minutes and try again, or ask an admin to reset your password.",
                retry_after=int(LOGIN_WINDOW.total_seconds()))
        user = self.users.authenticate(name, password)
        if user is None:
            self.audit.record(who, "login", outcome="refused", detail="wrong username or password, or disabled",
                              client=client)
            raise NotSignedInError("Wrong username or password.",
                                   fix="Check both and try again; an admin can reset a forgotten password.")
        token, session = self.sessions.create(user)
        self.audit.record(user.actor(), "login", client=client)
        return token, session

    def sign_out(self, token: str | None, session: Session | None, *, client: str | None) -> None:
        self.sessions.delete(token)
        if session is not None:
            self.audit.record(session.user.actor(), "logout", client=client)
