"""``Accounts``: users, sessions, tokens and the audit log on one editorial database,
and sign-in with its rate limit.

Sign-in is limited through the audit log (``count_refused``), not process memory, so
the limit holds across every app instance sharing the database: after
``login_max_failures`` refused sign-ins for one username, or from one client address,
within ``LOGIN_WINDOW``, sign-in answers 429 until the window has passed. A throttled
attempt is logged as ``login.throttled`` (not ``login``), so an attacker who keeps
trying does not push the window on for ever.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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

LOGIN_WINDOW = timedelta(minutes=15)
DEFAULT_MAX_FAILURES = 5
MAX_USERNAME_LOGGED = 100


@dataclass(frozen=True)
class Accounts:
    users: UserRepository
    sessions: SessionStore
    tokens: TokenStore
    audit: AuditLog
    login_max_failures: int = DEFAULT_MAX_FAILURES
    now: Now = utc_now

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
        name = " ".join((username or "").split()).lower()[:MAX_USERNAME_LOGGED]
        who = Actor(name or "(empty)", name or "(empty)")
        since = stamp(self.now() - LOGIN_WINDOW)
        failures = self.audit.count_refused("login", since=since, actor=who.username)
        if client:
            failures = max(failures, self.audit.count_refused("login", since=since, client=client))
        minutes = int(LOGIN_WINDOW.total_seconds() // 60)
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
