"""Editorial errors; the web app maps them in web/errors.py, the CLI in cli/errors.py.

CurbsideError
├── UserInputError
│   └── ReviewInputError        missing note, unknown action
└── EditorialError
    ├── ArticleNotFoundError    no stored article with that id          (HTTP 404)
    ├── VersionConflictError    expected_version is not the current one (HTTP 409)
    ├── InvalidTransitionError  the action is not allowed from the status (HTTP 409)
    └── NotAllowedError         the user may not do this (HTTP 403)
"""

from __future__ import annotations

from curbside.errors import CurbsideError, UserInputError


class ReviewInputError(UserInputError):
    code = "invalid_review"


class EditorialError(CurbsideError):
    exit_code = 7
    code = "editorial"


class ArticleNotFoundError(EditorialError):
    exit_code = 8
    code = "not_found"


class VersionConflictError(EditorialError):
    exit_code = 9
    code = "version_conflict"

    def __init__(self, message: str, *, fix: str | None = None, current_version: int = 0) -> None:
        super().__init__(message, fix=fix)
        self.current_version = current_version


class InvalidTransitionError(EditorialError):
    exit_code = 9
    code = "invalid_transition"


class NotAllowedError(EditorialError):
    """The signed-in user may not do this (role, or their own version)."""

    exit_code = 10
    code = "forbidden"
