"""accounts: who may do what. Medical Advisory Board reviewers, editors and admins sign
in with a password (argon2) for a session, or use a personal API token; every change to
an account and every refused attempt lands in the editorial audit log.

    accounts = Accounts.open(repo.db, session_hours=12)
    user = accounts.users.add("arivera", pw, display_name="Dr A. Rivera",
                              credentials="MD, neurology", role=Role.REVIEWER, by=CLI)
    token, session = accounts.sign_in("arivera", pw, client="203.0.113.9")
    repo.transition(aid, "approve", session.user.actor(), expected_version=1)

roles.py: roles and permissions (one table); passwords.py: hashing and policy;
users.py, sessions.py, tokens.py: the three tables; service.py: the bundle and sign-in.
"""

from curbside.accounts.errors import (
    CsrfError,
    ForeignOriginError,
    InvalidAccountError,
    NotAllowedError,
    NotSignedInError,
    TokenNotFoundError,
    TooManyRequestsError,
    UserExistsError,
    UserNotFoundError,
    WeakPasswordError,
)
from curbside.accounts.passwords import Passwords
from curbside.accounts.roles import PERMISSIONS, Permission, Role
from curbside.accounts.service import Accounts
from curbside.accounts.sessions import Session, SessionStore
from curbside.accounts.tokens import ApiToken, TokenStore
from curbside.accounts.users import User, UserRepository

__all__ = [
    "PERMISSIONS",
    "Accounts",
    "ApiToken",
    "CsrfError",
    "ForeignOriginError",
    "InvalidAccountError",
    "NotAllowedError",
    "NotSignedInError",
    "Passwords",
    "Permission",
    "Role",
    "Session",
    "SessionStore",
    "TokenNotFoundError",
    "TokenStore",
    "TooManyRequestsError",
    "User",
    "UserExistsError",
    "UserNotFoundError",
    "UserRepository",
    "WeakPasswordError",
]
