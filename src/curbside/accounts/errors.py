"""Account errors; the web app maps them in web/errors.py, the CLI in cli/errors.py.

CurbsideError
├── UserInputError
│   ├── WeakPasswordError       password shorter than the policy allows        (HTTP 400)
│   ├── InvalidAccountError     bad username, display name, role               (HTTP 400)
│   ├── UserNotFoundError       no account with that username                  (HTTP 404)
│   ├── TokenNotFoundError      no API token with that id for this account     (HTTP 404)
│   └── UserExistsError         the username is taken                          (HTTP 409)
├── NotSignedInError            no valid session or API token                  (HTTP 401)
├── TooManyRequestsError        rate limit; carries ``retry_after`` seconds    (HTTP 429)
└── EditorialError
    └── NotAllowedError         signed in, but the role does not allow it      (HTTP 403)
        ├── CsrfError           an unsafe request without its CSRF token       (HTTP 403)
        └── ForeignOriginError  an unsafe request sent from another site       (HTTP 403)
"""

from __future__ import annotations

from curbside.editorial.errors import NotAllowedError
from curbside.errors import CurbsideError, UserInputError


class WeakPasswordError(UserInputError):
    code = "weak_password"


class InvalidAccountError(UserInputError):
    code = "invalid_account"


class UserNotFoundError(UserInputError):
    code = "user_not_found"


class UserExistsError(UserInputError):
    code = "user_exists"


class TokenNotFoundError(UserInputError):
    code = "token_not_found"


class NotSignedInError(CurbsideError):
    """Nobody is signed in (or the API token is unknown or revoked)."""

    exit_code = 10
    code = "not_signed_in"


class TooManyRequestsError(CurbsideError):
    """A rate limit; ``retry_after`` (seconds) becomes the Retry-After header."""

    exit_code = 11
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, fix: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.retry_after = max(1, int(retry_after))


class CsrfError(NotAllowedError):
    code = "csrf_failed"


class ForeignOriginError(NotAllowedError):
    code = "foreign_origin"


__all__ = [
    "CsrfError",
    "ForeignOriginError",
    "InvalidAccountError",
    "NotAllowedError",
    "NotSignedInError",
    "TokenNotFoundError",
    "TooManyRequestsError",
    "UserExistsError",
    "UserNotFoundError",
    "WeakPasswordError",
]
