"""Sign in, sign out and the account page (the user, their personal API tokens).

Every form here carries the page's CSRF token (checked by auth.guard before the route
runs). Pages that show account data or a new token are sent with Cache-Control:
no-store. A new token is shown once, in the response to the POST that made it (never
in a URL, never again).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from curbside.accounts import NotSignedInError, Permission, TooManyRequestsError, User
from curbside.validate import MAX_INT
from curbside.web import auth
from curbside.web.render import page

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200,
          headers: dict[str, str] | None = None) -> HTMLResponse:
    return page(request, name, context, status=status, headers={**NO_STORE, **(headers or {})})  # type: ignore[no-any-return]


def safe_next(raw: str | None, default: str = "/account") -> str:
    """Where to go after signing in: a path on this site only (never //host or a URL)."""
    nxt = (raw or "").strip()
    if not nxt.startswith("/") or nxt.startswith(("//", "/\\")) or any(c in nxt for c in "\r\n\t"):
        return default
    return nxt[:500]


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "") -> Response:  # noqa: A002 - the query parameter's name
    if auth.template_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _page(request, "login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""),
          next: str = Form("")) -> Response:  # noqa: A002
    """Signs in: a new session (a fresh cookie, never one the browser brought; a session it
    brought is ended), then back to ``next``. Wrong password: 401 and the form again;
    throttled: 429 with Retry-After."""
    target = safe_next(next)
    accounts = auth.accounts(request)
    try:
        token, _ = accounts.sign_in(username, password, client=auth.client_address(request),
                                    may_log=lambda: auth.may_log_refusal(request))
    except NotSignedInError as e:
        return _page(request, "login.html", {"next": target, "error": str(e), "username": username[:100]},
                     status=401)
    except TooManyRequestsError as e:
        return _page(request, "login.html", {"next": target, "error": str(e), "username": username[:100]},
                     status=429, headers={"Retry-After": str(e.retry_after)})
    accounts.sessions.delete(request.cookies.get(auth.SESSION_COOKIE))
    response = RedirectResponse(target, status_code=303)
    auth.set_session_cookie(response, request, token)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """Ends the session (its row is deleted: the cookie is worthless even if kept)."""
    session = auth.current_session(request)
    auth.accounts(request).sign_out(request.cookies.get(auth.SESSION_COOKIE), session,
                                    client=auth.client_address(request))
    response = RedirectResponse("/", status_code=303)
    auth.clear_session_cookie(response, request)
    return response


def _account(request: Request, user: User, *, new_token: str | None = None, status: int = 200) -> HTMLResponse:
    tokens = auth.accounts(request).tokens.list(user.id) if user.can(Permission.USE_TOKENS) else []
    return _page(request, "account.html", {"user": user, "tokens": tokens, "new_token": new_token,
                                           "may_tokens": user.can(Permission.USE_TOKENS)}, status=status)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request) -> Response:
    user = auth.current_user(request)
    if user is None:
        return RedirectResponse("/login?next=/account", status_code=303)
    return _account(request, user)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(request: Request, name: str = Form("")) -> HTMLResponse:
    """Makes a personal API token and shows it once."""
    user = auth.require(request, Permission.USE_TOKENS, action="token.create", target="/account/tokens")
    token, _ = auth.accounts(request).tokens.create(user, name, client=auth.client_address(request))
    return _account(request, user, new_token=token, status=201)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int = Path(ge=1, le=MAX_INT)) -> Response:
    """Revokes one of the signed-in user's tokens (any signed-in user may revoke their own,
    even after losing the role that made it)."""
    user = auth.require(request, None, action="token.revoke", target=f"token {token_id}")
    auth.accounts(request).tokens.revoke(token_id, owner_id=user.id, by=user.actor(),
                                         client=auth.client_address(request))
    return RedirectResponse("/account", status_code=303)
