"""Roles and what each may do: one table, read by the web app and the CLI.

A reader is anyone (signed in or not): they read and ask. A reviewer is a member of the
Medical Advisory Board: their name and credentials appear on the answers they approve.
An editor may also edit answers; an admin may also manage accounts and read the audit
log. Each role can do everything the one before it can.
"""

from __future__ import annotations

from enum import Enum

from curbside.accounts.errors import InvalidAccountError


class Role(str, Enum):
    READER = "reader"
    REVIEWER = "reviewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @classmethod
    def parse(cls, raw: str) -> Role:
        try:
            return cls((raw or "").strip().lower())
        except ValueError:
            raise InvalidAccountError(f"Unknown role {raw[:40]!r}.",
                                      fix="Use one of: " + ", ".join(r.value for r in cls) + ".") from None


class Permission(str, Enum):
    REVIEW = "review"  # start, approve, request changes, reject
    EDIT = "edit"  # make a new version of an answer
    USE_TOKENS = "use_tokens"  # personal API tokens
    ASK_UNLIMITED = "ask_unlimited"  # not held to the anonymous ask rate limit
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"


_REVIEWER = frozenset({Permission.REVIEW, Permission.USE_TOKENS, Permission.ASK_UNLIMITED})
_EDITOR = _REVIEWER | {Permission.EDIT}
_ADMIN = _EDITOR | {Permission.MANAGE_USERS, Permission.VIEW_AUDIT}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.READER: frozenset(),
    Role.REVIEWER: _REVIEWER,
    Role.EDITOR: _EDITOR,
    Role.ADMIN: _ADMIN,
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in PERMISSIONS[role]
