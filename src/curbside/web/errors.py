"""The one place the web app turns errors into responses.

Every API error (and every error of a ``.json`` URL or a request that accepts only
JSON) has one shape, pinned by tests/web/test_errors.py::

    {"error": {"status": 409, "code": "version_conflict", "message": "... (names the fix)"}}

HTML pages get the same status and message on a rendered error page.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from curbside.accounts.errors import (
    NotSignedInError,
    TokenNotFoundError,
    TooManyRequestsError,
    UserExistsError,
    UserNotFoundError,
)
from curbside.editorial.errors import (
    ArticleNotFoundError,
    InvalidTransitionError,
    NotAllowedError,
    VersionConflictError,
)
from curbside.errors import CurbsideError, ModelUnavailableError, StoreError, UserInputError

log = logging.getLogger("curbside.web")


class WebError(CurbsideError):
    """An error raised by the web layer itself (bad query parameter, body too large...)."""

    def __init__(self, status: int, code: str, message: str, *, fix: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.status = status
        self.code = code


class UnknownAudienceError(UserInputError):
    code = "unknown_audience"


# Most specific first: the first matching class gives the HTTP status.
_STATUS: tuple[tuple[type[CurbsideError], int], ...] = (
    (ArticleNotFoundError, 404),
    (UserNotFoundError, 404),
    (TokenNotFoundError, 404),
    (UserExistsError, 409),
    (VersionConflictError, 409),
    (InvalidTransitionError, 409),
    (NotSignedInError, 401),  # nobody signed in, or an unknown / revoked API token
    (NotAllowedError, 403),  # forbidden (role, own version), csrf_failed, foreign_origin
    (TooManyRequestsError, 429),
    (UserInputError, 400),
    (StoreError, 503),
    (ModelUnavailableError, 503),
)
INVALID_TEXT = "invalid_text"  # the pydantic error type routes_api.py raises for a lone surrogate
_INVALID_JSON = ("The request body is not valid JSON. Send a JSON object encoded as UTF-8, "
                 "e.g. {\"question\": \"...\"}.")
_HTTP_CODES = {
    400: "bad_request", 401: "not_signed_in", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_requests",
}


def status_for(exc: CurbsideError) -> int:
    if isinstance(exc, WebError):
        return exc.status
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json") or path == "/healthz":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message}}


def json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, code, message), status_code=status, headers=headers)


def _respond(request: Request, status: int, code: str, message: str,
             headers: dict[str, str] | None = None) -> Response:
    if wants_json(request):
        return json_error(status, code, message, headers)
    templates = getattr(request.app.state, "templates", None)
    if templates is None:  # pragma: no cover - only before the app is built
        return json_error(status, code, message, headers)
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "code": code, "message": message},
        status_code=status, headers=headers,
    )


def _validation_message(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "invalid_json", _INVALID_JSON
    not_text = [e for e in errors if e.get("type") == INVALID_TEXT]
    if not_text:
        return 400, INVALID_TEXT, str(not_text[0].get("msg"))
    if any(tuple(e.get("loc", ())) == ("body",) for e in errors):
        return 422, "invalid_request", ("The request body must be a JSON object sent with Content-Type: "
                                        "application/json, e.g. {\"question\": \"...\"}.")
    parts = []
    for e in errors[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
        if e.get("type") == "extra_forbidden":
            parts.append(f"{loc}: unknown field, not part of this request (remove it; see /docs)")
        else:
            parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    return 422, "invalid_request", "Invalid request: " + "; ".join(parts) + "."


def _body_not_json(exc: StarletteHTTPException) -> str | None:
    """The invalid_json message when FastAPI could not decode a JSON body (it raises a
    plain 400 for bytes that are not UTF-8 and for nesting deeper than the parser's limit)."""
    if exc.status_code != 400:
        return None
    if isinstance(exc.__cause__, RecursionError):
        return ("The request body is nested too deeply to be read. Send a flat JSON object, "
                "e.g. {\"question\": \"...\"}.")
    if isinstance(exc.__cause__, ValueError):  # UnicodeDecodeError and other decoding failures
        return _INVALID_JSON
    return None


def _allow_header(request: Request, headers: dict[str, str] | None) -> dict[str, str] | None:
    """For a 405: every method the API serves at this path (GET and POST on
    /api/v1/answers, from the OpenAPI paths), not only those of the first route that
    matched the path (which is all Starlette's own Allow header lists)."""
    methods = {m.strip() for m in (headers or {}).get("Allow", "").split(",") if m.strip()}
    for template, operations in request.app.openapi().get("paths", {}).items():
        if compile_path(template)[0].match(request.url.path):
            methods |= {m.upper() for m in operations}
    if "GET" in methods:
        methods.add("HEAD")  # middleware.HeadAsGetMiddleware serves HEAD as GET
    return {**(headers or {}), "Allow": ", ".join(sorted(methods))} if methods else headers


def _headers(exc: CurbsideError) -> dict[str, str] | None:
    if isinstance(exc, TooManyRequestsError):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, NotSignedInError):
        return {"WWW-Authenticate": 'Bearer realm="curbside"'}
    return None


def install(app: FastAPI) -> None:
    async def on_curbside(request: Request, exc: CurbsideError) -> Response:
        status = status_for(exc)
        if status >= 500:
            log.error("request failed: %s", exc)
        return _respond(request, status, exc.code, str(exc), _headers(exc))

    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        status, code, message = _validation_message(exc)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            from curbside.web.auth import log_invalid_request

            await run_in_threadpool(log_invalid_request, request, message)
        return _respond(request, status, code, message)

    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        not_json = _body_not_json(exc)
        if not_json:
            return _respond(request, 400, "invalid_json", not_json)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = f"Nothing is at {request.url.path}. The API lives under /api/v1 (see /docs)."
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            headers = _allow_header(request, headers)
            if headers and "Allow" in headers:
                message = f"{request.method} is not allowed on {request.url.path}; use {headers['Allow']}."
        return _respond(request, exc.status_code, code, message, headers)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _respond(request, 500, "internal_error", "An internal error occurred; it was logged. Try again.")

    app.add_exception_handler(CurbsideError, on_curbside)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, on_unexpected)
