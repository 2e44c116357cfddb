"""Accounts in web tests: add users straight into the app's database, sign in through the
real login form, read CSRF tokens from pages, make API tokens."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient

from curbside.accounts import User
from curbside.editorial.models import Actor

PW = "a long enough password"
TEST_ADMIN = Actor("cli", "tests", role="admin")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(client: TestClient, username: str = "arivera", *, role: str = "reviewer",
             name: str = "Dr A. Rivera", credentials: str = "MD, neurology") -> User:
    return client.app.state.accounts.users.add(  # type: ignore[attr-defined, no-any-return]
        username, PW, display_name=name, credentials=credentials, role=role, by=TEST_ADMIN)


def csrf_from(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def page_csrf(client: TestClient, path: str = "/") -> str:
    """The CSRF token a form on ``path`` carries (for nobody: sets the double-submit cookie)."""
    return csrf_from(client.get(path).text)


def sign_in(client: TestClient, username: str = "arivera", password: str = PW) -> str:
    """Signs in through the login form; returns the session's CSRF token."""
    form = {"username": username, "password": password, "csrf_token": page_csrf(client, "/login")}
    r = client.post("/login", data=form,
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return page_csrf(client, "/account")


def other_client(client: TestClient) -> TestClient:
    """Another browser on the same app (its own cookies)."""
    return TestClient(client.app, raise_server_exceptions=False)


def api_token(client: TestClient, user: User, name: str = "tests") -> str:
    token, _ = client.app.state.accounts.tokens.create(user, name)  # type: ignore[attr-defined]
    return token  # type: ignore[no-any-return]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def review(client: TestClient, aid: str, action: str, version: int = 1, *, token: str | None = None,
           csrf: str | None = None, **extra: Any) -> httpx.Response:
    headers = bearer(token) if token else {}
    if csrf:
        headers["X-CSRF-Token"] = csrf
    return client.post(f"/api/v1/answers/{aid}/review", headers=headers,
                       json={"action": action, "expected_version": version, **extra})


def ask_form(client: TestClient, q: str, audience: str = "physician", after: str = "",
             **kw: Any) -> httpx.Response:
    """The ask form as a browser sends it (CSRF field from the home page)."""
    data = {"q": q, "audience": audience, "csrf_token": page_csrf(client)}
    if after:
        data["after"] = after
    for field in ("c", "variant_of"):
        if field in kw:
            data[field] = kw.pop(field)
    return client.post("/ask", data=data, follow_redirects=False, **kw)


def article_url(r: httpx.Response) -> str:
    """The article a POST /ask redirected to, without its ``?c=<conversation id>``."""
    return r.headers["location"].split("?", 1)[0]


def conversation_of(r: httpx.Response) -> str:
    """The conversation id of the page a POST /ask redirected to (``?c=``)."""
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(r.headers["location"]).query)["c"][0]


def audit_lines(client: TestClient, outcome: str | None = None) -> list[tuple[str, str, str, str | None]]:
    """(actor, action, outcome, target), oldest first."""
    entries = client.app.state.accounts.audit.entries(outcome=outcome, limit=10_000)  # type: ignore[attr-defined]
    return [(e.actor, e.action, e.outcome, e.target) for e in entries][::-1]
