"""Who is asking, what they may do, and the checks every unsafe request passes.

    user = current_user(request)                       # User | None (session cookie or API token)
    user = require(request, Permission.REVIEW, action="review.approve", target=aid)
    <input type="hidden" name="csrf_token" value="{{ csrf_token(request) }}">   (any template)
    {% set me = current_user(request) %}                                        (any template)

Identity: ``Authorization: Bearer cs_...`` (a personal API token) wins; otherwise the
``curbside_session`` cookie (HttpOnly, SameSite=Lax, Path=/, Secure over https, expires
after ``session_hours``). An invalid bearer token is a 401 wherever identity matters; an
expired or unknown cookie is simply nobody.

Every POST/PUT/PATCH/DELETE passes ``guard`` (an app-wide dependency, so routes added
later are covered too), before the route's own dependencies and before its body is
validated:

1. Origin: a request whose ``Origin`` (or, without one, ``Referer``) names another host
   than the request's own is refused (403 ``foreign_origin``).
2. CSRF: a cookie session must send its session's CSRF token (form field ``csrf_token`` or
   header ``X-CSRF-Token``). Anonymous forms use a double-submit cookie
   (``curbside_csrf``, SameSite=Strict) that must match the form field. Bearer-token
   requests need no token (a browser never adds that header by itself), nor do API calls
   by nobody: they carry no one's authority, and the API reads only JSON bodies, which
   another site cannot make a browser send without a CORS preflight this app never grants
   (a cross-site text/plain post is a 422 and changes nothing).

Every refusal (401, 403, CSRF, origin, rate limit) is written to the audit log with the
client address, action and target; at most ``REFUSALS_LOGGED_PER_MINUTE`` a client, so a
flood of forged requests cannot flood the database (the rest go to the server log).
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from curbside.accounts import (
    Accounts,
    CsrfError,
    ForeignOriginError,
    NotAllowedError,
    NotSignedInError,
    Permission,
    Session,
    User,
)
from curbside.editorial.models import Actor
from curbside.errors import CurbsideError

log = logging.getLogger("curbside.web")

SESSION_COOKIE = "curbside_session"
CSRF_COOKIE = "curbside_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
REFUSALS_LOGGED_PER_MINUTE = 30
_AUTH_STATE = "curbside_auth"
_MINTED_STATE = "curbside_csrf_minted"
_SET_COOKIE_STATE = "curbside_set_cookie"
_PERSONAL_STATE = "curbside_personal"  # the response holds a CSRF token or the signed-in user
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,100}")
_WHAT = {
    Permission.REVIEW: "review answers", Permission.EDIT: "edit answers", Permission.USE_TOKENS: "have API tokens",
    Permission.ASK_UNLIMITED: "ask without a rate limit", Permission.MANAGE_USERS: "manage accounts",
    Permission.VIEW_AUDIT: "read the audit log",
}


@dataclass
class _Auth:
    """What this request is authenticated as (worked out once, kept on request.state)."""

    user: User | None = None
    session: Session | None = None
    via: str = ""  # "token", "session" or "" (nobody)
    error: NotSignedInError | None = None  # a bearer token that is unknown, revoked or of a disabled account
    stale_cookie: bool = False  # a session cookie was sent but is not (or no longer) valid


def accounts(request: Request) -> Accounts:
    return request.app.state.accounts  # type: ignore[no-any-return]


def _trust_proxy(request: Request) -> bool:
    return bool(request.app.state.settings.trust_proxy)


def client_address(request: Request) -> str:
    """The client's address: the socket's peer, or behind a trusted proxy (``trust_proxy``)
    the address that proxy appended to X-Forwarded-For."""
    if _trust_proxy(request):
        forwarded = request.headers.get("x-forwarded-for", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:100]
    return request.client.host if request.client else "unknown"


def is_https(request: Request) -> bool:
    if _trust_proxy(request):
        proto = request.headers.get("x-forwarded-proto", "")
        if proto:
            return proto.split(",")[0].strip().lower() == "https"
    return request.url.scheme == "https"


# ---- identity -----------------------------------------------------------------------
def _resolve(request: Request) -> _Auth:
    cached = getattr(request.state, _AUTH_STATE, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    auth = _Auth()
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":  # other schemes (Basic from a proxy) are not ours: ignored
        try:
            auth.user = accounts(request).tokens.authenticate(credential.strip(), client=client_address(request),
                                                              may_log=lambda: may_log_refusal(request))
            auth.via = "token"
        except NotSignedInError as e:
            auth.error = e
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            session = accounts(request).sessions.lookup(cookie)
            if session is None:
                auth.stale_cookie = True
            else:
                auth.user, auth.session, auth.via = session.user, session, "session"
    setattr(request.state, _AUTH_STATE, auth)
    return auth


def current_user(request: Request) -> User | None:
    """The signed-in user (session cookie or API token), or None. An invalid API token
    raises NotSignedInError (401): a client that sent credentials must learn they failed."""
    auth = _resolve(request)
    if auth.error is not None:
        raise auth.error
    return auth.user


def current_session(request: Request) -> Session | None:
    """The cookie session of this request (None for API tokens and nobody)."""
    current_user(request)  # an invalid API token raises
    return _resolve(request).session


def template_user(request: Request) -> User | None:
    """``current_user`` for templates: never raises (an error page must still render)."""
    try:
        user = current_user(request)
    except CurbsideError:
        return None
    if user is not None:
        setattr(request.state, _PERSONAL_STATE, True)
    return user


def require(request: Request, permission: Permission | None, *, action: str | None = None,
            target: str | None = None) -> User:
    """The signed-in user if their role has ``permission`` (None: anyone signed in).
    Refusals are logged (action, target, client) and raised: NotSignedInError (401) for
    nobody, NotAllowedError (403) for a role without the permission."""
    act = action or (permission.value if permission else "signed_in")
    where = target or request.url.path
    auth = _resolve(request)
    if auth.error is not None:
        raise auth.error  # the token store logged it
    user = auth.user
    if user is None:
        detail = "not signed in"
        if auth.stale_cookie:
            detail += " (the session cookie sent is expired, signed out, or of a disabled account)"
        log_refusal(request, act, target=where, detail=detail)
        raise NotSignedInError("Sign in first: this needs a Medical Advisory Board account.",
                               fix="Sign in at /login, or send 'Authorization: Bearer cs_...' with a personal "
                                   "API token from your account page.")
    if permission is not None and not user.can(permission):
        log_refusal(request, act, actor=user.actor(), target=where,
                    detail=f"role {user.role.value} lacks {permission.value}")
        raise NotAllowedError(f"Your role ({user.role.value}) may not {_WHAT[permission]}.",
                              fix="Ask an admin for a role that may (the roles are listed in docs/WEB.md).")
    return user


def requires(permission: Permission | None, action: str) -> Callable[[Request], Awaitable[User]]:
    """``require`` as a route dependency (runs before the body is validated)."""
    async def dependency(request: Request) -> User:
        return await run_in_threadpool(require, request, permission, action=action)

    return dependency


# ---- refusals in the audit log ----------------------------------------------------------
def may_log_refusal(request: Request) -> bool:
    limiter = getattr(request.app.state, "refusal_log_limiter", None)
    return limiter is None or limiter.take(client_address(request)) == 0.0


def log_refusal(request: Request, action: str, *, actor: Actor | None = None, target: str | None = None,
                detail: str | None = None) -> None:
    client = client_address(request)
    if may_log_refusal(request):
        accounts(request).audit.record(actor, action, outcome="refused", target=target, detail=detail, client=client)
    else:
        log.warning("refused %s from %s not written to the audit log (too many): %s", action, client, detail)


def log_invalid_request(request: Request, message: str) -> None:
    """A signed-in user's unsafe request with wrong fields (e.g. a "reviewer" name in a
    review) is a refused attempt too. Nobody's malformed requests are not logged: they
    carry no one's authority, and logging them would let anyone fill the database."""
    auth = getattr(request.state, _AUTH_STATE, None)
    if auth is not None and auth.user is not None:
        log_refusal(request, "invalid_request", actor=auth.user.actor(),
                    target=f"{request.method} {request.url.path}", detail=message)


# ---- CSRF and origin ----------------------------------------------------------------
def csrf_token(request: Request) -> str:
    """The token this request's forms must send back: the session's, or for nobody the
    double-submit cookie's value (a new one is minted, and set on the response, if the
    browser has none yet)."""
    auth = _resolve(request)
    setattr(request.state, _PERSONAL_STATE, True)
    if auth.session is not None:
        return auth.session.csrf_token
    existing = request.cookies.get(CSRF_COOKIE, "")
    if _TOKEN_SHAPE.fullmatch(existing):
        return existing
    minted = getattr(request.state, _MINTED_STATE, None)
    if minted is None:
        minted = secrets.token_urlsafe(32)
        setattr(request.state, _MINTED_STATE, minted)
        setattr(request.state, _SET_COOKIE_STATE,
                _cookie_header(CSRF_COOKIE, minted, samesite="strict", secure=is_https(request)))
    return minted  # type: ignore[no-any-return]


async def guard(request: Request) -> None:
    """App-wide dependency: unsafe requests pass the origin and CSRF checks (above)."""
    if request.method in SAFE_METHODS:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and _content_type(request) in ("application/x-www-form-urlencoded", "multipart/form-data"):
        value = (await request.form()).get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    await run_in_threadpool(check_unsafe_request, request, submitted)


def check_unsafe_request(request: Request, submitted: str | None) -> None:
    auth = _resolve(request)
    who = auth.user.actor() if auth.user else None
    _check_origin(request, who)
    if auth.error is not None:
        raise auth.error
    if auth.via == "token":
        return
    if auth.session is not None:
        expected, kind = auth.session.csrf_token, "the session's"
    elif request.url.path.startswith("/api/"):
        return  # nobody's API call: no one's authority to borrow (see the module docstring)
    else:
        expected, kind = request.cookies.get(CSRF_COOKIE, ""), "the curbside_csrf cookie's"
    if submitted and expected and hmac.compare_digest(submitted.encode(), expected.encode()):
        return
    if not submitted:
        reason = "no CSRF token sent"
    elif not expected:
        reason = "no CSRF cookie to match (a cross-site form, or cookies are off)"
    else:
        reason = f"the CSRF token sent is not {kind}"
    log_refusal(request, "csrf", actor=who, target=f"{request.method} {request.url.path}", detail=reason)
    raise CsrfError("The request did not carry this page's security token, so it was refused (CSRF check).",
                    fix="Reload the page and submit the form again. API clients signed in with a cookie send the "
                        "token in the X-CSRF-Token header; scripts should use an API token instead.")


def _check_origin(request: Request, who: Actor | None) -> None:
    origin = request.headers.get("origin")
    source, header = (origin, "Origin") if origin is not None else (request.headers.get("referer"), "Referer")
    if source is None:
        return  # not a browser, or one that sends neither: the CSRF token still decides
    ours = _own_host(request)
    if _host_of(source) == ours:
        return
    log_refusal(request, "origin", actor=who, target=f"{request.method} {request.url.path}",
                detail=f"{header} {source[:120]!r} is not this site ({ours})")
    raise ForeignOriginError("The request came from another site, so it was refused.",
                             fix=f"Use the form on this site ({ours}); API clients should not send a foreign Origin.")


def _strip_default_port(host: str) -> str:
    host = host.strip().lower()
    for port in (":80", ":443"):
        if host.endswith(port):
            return host[: -len(port)]
    return host


def _own_host(request: Request) -> str:
    host = request.headers.get("host", "")
    if _trust_proxy(request):
        host = request.headers.get("x-forwarded-host", "").split(",")[0].strip() or host
    return _strip_default_port(host)


def _host_of(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None  # "null" (sandboxed frames, file:), or garbage
    return _strip_default_port(parts.netloc.rsplit("@", 1)[-1])


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


# ---- cookies ------------------------------------------------------------------------
def _cookie_header(name: str, value: str, *, samesite: str, secure: bool, max_age: int | None = None) -> str:
    jar: SimpleCookie = SimpleCookie()
    jar[name] = value
    morsel = jar[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = samesite
    if secure:
        morsel["secure"] = True
    if max_age is not None:
        morsel["max-age"] = max_age
    return morsel.OutputString()


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    hours = float(request.app.state.settings.session_hours)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(hours * 3600), path="/", secure=is_https(request),
                        httponly=True, samesite="lax")


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=is_https(request), httponly=True, samesite="lax")


class CsrfCookieMiddleware:
    """Sets the double-submit cookie that ``csrf_token`` minted while the page rendered, and
    marks a page that holds a CSRF token or names the signed-in user ``Cache-Control:
    private`` (no shared cache may hand it to someone else). Outermost, so the request
    state it reads is the one every inner layer writes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if state.get(_SET_COOKIE_STATE):
                    headers.append((b"set-cookie", str(state[_SET_COOKIE_STATE]).encode("latin-1")))
                if state.get(_PERSONAL_STATE) and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"private"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def install_template_globals(env: object) -> None:
    """``csrf_token(request)``, ``current_user(request)`` and ``Permission`` in every template."""
    globals_ = env.globals  # type: ignore[attr-defined]
    globals_["csrf_token"] = csrf_token
    globals_["current_user"] = template_user
    globals_["Permission"] = Permission
