"""Issue #9: every forbidden action tried directly over HTTP (nobody, the wrong role, a
forged reviewer name, a missing or foreign CSRF token, a foreign Origin, a revoked
token, a disabled account, too many sign-ins or questions) is refused AND written to the
audit log as refused; GET never stores an answer; and the happy paths work."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable

import pytest
from fakes import FakeEngine
from fastapi.testclient import TestClient
from signin import (
    PW,
    add_user,
    api_token,
    article_url,
    ask_form,
    audit_lines,
    bearer,
    csrf_from,
    other_client,
    page_csrf,
    review,
    sign_in,
)


@pytest.fixture
def client(make_client: Callable[..., TestClient], engine: FakeEngine, database_url: str) -> TestClient:
    """This module runs on both editorial databases: SQLite and a real PostgreSQL."""
    return make_client(engine, database_url=database_url)

Q = "What is the indication for Baclofen (Lioresal)?"
EVIL = "https://evil.example"


def new_answer(client: TestClient, question: str = Q) -> str:
    r = client.post("/api/v1/answers", json={"question": question})
    assert r.status_code == 200, r.text
    return r.json()["id"]  # type: ignore[no-any-return]


def status_of(client: TestClient, aid: str) -> str:
    return client.get(f"/api/v1/answers/{aid}").json()["review"]["status"]  # type: ignore[no-any-return]


def refused(client: TestClient) -> list[tuple[str, str, str | None]]:
    return [(actor, action, target) for actor, action, _, target in audit_lines(client, "refused")]


def error_code(r) -> str:  # type: ignore[no-untyped-def]
    return r.json()["error"]["code"]  # type: ignore[no-any-return]


# ---- the review: who may, and as whom -------------------------------------------------
def test_nobody_cannot_review_and_is_logged(client: TestClient) -> None:
    aid = new_answer(client)
    r = review(client, aid, "start")
    assert r.status_code == 401 and error_code(r) == "not_signed_in"
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert "/login" in r.json()["error"]["message"]
    assert status_of(client, aid) == "submitted"
    assert refused(client) == [("anonymous", "review.start", aid)]
    assert audit_lines(client, "refused")[0][2] == "refused"
    entry = client.app.state.accounts.audit.entries(outcome="refused")[0]  # type: ignore[attr-defined]
    assert entry.client == "testclient" and "not signed in" in (entry.detail or "")


def test_the_issue_9_forgery_is_refused_and_names_nobody(client: TestClient) -> None:
    """Two POSTs naming "Chief Medical Officer", with and without a foreign Origin/Host."""
    aid = new_answer(client)
    for action in ("start", "approve"):
        r = review(client, aid, action, reviewer="Chief Medical Officer")
        assert r.status_code == 401  # who is asking is checked before the body is read
        r = client.post(f"/api/v1/answers/{aid}/review", headers={"Origin": EVIL, "Host": "evil.example"},
                        json={"action": action, "reviewer": "Chief Medical Officer", "expected_version": 1})
        assert r.status_code == 401
        r = client.post(f"/api/v1/answers/{aid}/review", headers={"Origin": EVIL},
                        json={"action": action, "reviewer": "Chief Medical Officer", "expected_version": 1})
        assert r.status_code == 403 and error_code(r) == "foreign_origin"
    page = client.get(f"/a/x-{aid}", follow_redirects=True).text
    assert "Chief Medical Officer" not in page and "pending human review" in page
    assert status_of(client, aid) == "submitted"
    actions = [a for _, a, _ in refused(client)]
    assert actions == ["review.start", "review.start", "origin", "review.approve", "review.approve", "origin"]


def test_a_reviewer_cannot_put_another_name_on_the_page(client: TestClient) -> None:
    aid = new_answer(client)
    reviewer = add_user(client)
    csrf = sign_in(client)
    r = review(client, aid, "start", csrf=csrf, reviewer="Chief Medical Officer")
    assert r.status_code == 422 and error_code(r) == "invalid_request"
    assert "reviewer" in r.json()["error"]["message"]  # the unknown field is named
    assert status_of(client, aid) == "submitted"
    assert refused(client) == [("arivera", "invalid_request", f"POST /api/v1/answers/{aid}/review")]
    # the same reviewer without the forged field: the page names the signed-in account
    assert review(client, aid, "start", csrf=csrf).status_code == 200
    r = review(client, aid, "approve", csrf=csrf)
    assert r.status_code == 200
    assert r.json()["review"]["reviewed_by"] == [{"name": reviewer.display_name, "credentials": "MD, neurology"}]


def test_a_reader_account_cannot_review_or_hold_tokens(client: TestClient) -> None:
    aid = new_answer(client)
    add_user(client, "reader1", role="reader", name="Some Reader", credentials="")
    csrf = sign_in(client, "reader1")
    r = review(client, aid, "start", csrf=csrf, reviewer="Dr Forged")
    assert r.status_code == 403 and error_code(r) == "forbidden"
    assert "may not review answers" in r.json()["error"]["message"]
    r = client.post("/account/tokens", data={"name": "x", "csrf_token": csrf})
    assert r.status_code == 403
    assert status_of(client, aid) == "submitted"
    assert refused(client) == [("reader1", "review.start", aid), ("reader1", "token.create", "/account/tokens")]


def test_a_reviewer_cannot_manage_users_or_read_the_audit_log(client: TestClient) -> None:
    add_user(client, "bchen", name="Dr B. Chen", credentials="PharmD")
    token = api_token(client, add_user(client))
    auth = bearer(token)
    attempts = [
        client.get("/api/v1/users", headers=auth),
        client.post("/api/v1/users", headers=auth, json={"username": "mallory", "display_name": "Chief Medical "
                    "Officer", "role": "admin", "password": PW}),
        client.patch("/api/v1/users/bchen", headers=auth, json={"disabled": True}),
        client.patch("/api/v1/users/arivera", headers=auth, json={"role": "admin"}),
        client.get("/api/v1/audit", headers=auth),
        client.get("/api/v1/audit?format=json", headers=auth),
    ]
    assert [(r.status_code, error_code(r)) for r in attempts] == [(403, "forbidden")] * 6
    sign_in(client)
    page = client.get("/admin/audit")
    assert page.status_code == 403 and "may not read the audit log" in page.text
    assert [u.username for u in client.app.state.accounts.users.list()] == ["arivera", "bchen"]  # type: ignore[attr-defined]
    assert not client.app.state.accounts.users.by_username("bchen").disabled  # type: ignore[attr-defined]
    assert [a for _, a, _ in refused(client)] == ["user.manage"] * 4 + ["audit.export"] * 2 + ["audit.view"]
    # nobody at all
    anon = other_client(client)
    assert anon.get("/api/v1/audit").status_code == 401 and anon.get("/api/v1/users").status_code == 401
    assert anon.get("/admin/audit").status_code == 401


def test_whoever_made_a_version_cannot_approve_it(client: TestClient) -> None:
    aid = new_answer(client)
    editor = add_user(client, "eds", role="editor", name="Dr E. Editor", credentials="MD")
    reviewer = add_user(client)
    repo = client.app.state.service.repo  # type: ignore[attr-defined]
    stored = repo.get(aid)
    repo.add_version(aid, {**stored.article, "title": "Edited title"}, expected_version=1, actor=editor.actor(),
                     reason="clearer title")
    editor_token, reviewer_token = api_token(client, editor), api_token(client, reviewer)
    assert review(client, aid, "start", 2, token=editor_token).status_code == 200  # an editor may review
    r = review(client, aid, "approve", 2, token=editor_token)
    assert r.status_code == 403 and error_code(r) == "forbidden" and "made this version" in r.json()["error"]["message"]
    assert status_of(client, aid) == "under_review"
    assert refused(client) == [("eds", "review.approve", f"{aid}@v2")]
    assert review(client, aid, "approve", 2, token=reviewer_token).status_code == 200


# ---- CSRF and origin ----------------------------------------------------------------
def test_forms_without_or_with_a_foreign_csrf_token_are_refused(client: TestClient, engine: FakeEngine) -> None:
    count = client.app.state.service.repo.count  # type: ignore[attr-defined]
    # nobody's ask form: missing token, a token that is not the cookie's, a token without its cookie
    r = client.post("/ask", data={"q": Q})
    assert r.status_code == 403 and "security token" in r.text
    page_csrf(client)  # now the browser holds a curbside_csrf cookie
    r = client.post("/ask", data={"q": Q, "csrf_token": "x" * 43})
    assert r.status_code == 403
    stranger = other_client(client)
    r = stranger.post("/ask", data={"q": Q, "csrf_token": page_csrf(client)})  # copied token, no cookie
    assert r.status_code == 403
    assert count() == 0 and engine.calls == []
    # a signed-in session: the API without X-CSRF-Token, with another session's token, forms without one
    aid = new_answer(client)
    add_user(client)
    add_user(client, "bchen", name="Dr B. Chen", credentials="PharmD")
    mine, theirs = sign_in(client), sign_in(stranger, "bchen")
    assert review(client, aid, "start").status_code == 403
    r = review(client, aid, "start", csrf=theirs)
    assert r.status_code == 403 and error_code(r) == "csrf_failed"
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 403
    assert client.post("/logout", data={"csrf_token": theirs}).status_code == 403
    assert client.get("/account").status_code == 200  # still signed in: the forged logout did nothing
    assert status_of(client, aid) == "submitted"
    details = [e.detail for e in client.app.state.accounts.audit.entries(action="csrf")][::-1]  # type: ignore[attr-defined]
    assert len(details) == 7
    assert details[0] == "no CSRF token sent" and "cookie" in details[2]
    assert [a for a, act, _ in refused(client) if act == "csrf"][3:] == ["arivera", "arivera", "arivera", "arivera"]
    assert review(client, aid, "start", csrf=mine).status_code == 200


def test_a_foreign_origin_or_referer_is_refused(client: TestClient) -> None:
    aid = new_answer(client)
    add_user(client)
    csrf = sign_in(client)
    for headers in ({"Origin": EVIL}, {"Origin": "null"}, {"Referer": EVIL + "/page"},
                    {"Origin": "http://testserver.evil.example"}):
        r = client.post(f"/api/v1/answers/{aid}/review", headers={"X-CSRF-Token": csrf, **headers},
                        json={"action": "start", "expected_version": 1})
        assert r.status_code == 403 and error_code(r) == "foreign_origin", headers
    r = client.post("/ask", headers={"Origin": EVIL}, data={"q": Q, "csrf_token": csrf})
    assert r.status_code == 403 and "another site" in r.text
    assert status_of(client, aid) == "submitted"
    assert [a for _, a, _ in refused(client)] == ["origin"] * 5
    # our own origin passes
    r = client.post(f"/api/v1/answers/{aid}/review", headers={"X-CSRF-Token": csrf, "Origin": "http://testserver"},
                    json={"action": "start", "expected_version": 1})
    assert r.status_code == 200


def test_every_unsafe_route_checks_csrf(client: TestClient) -> None:
    """Routes added later are covered too: the guard is app-wide."""
    from fastapi.routing import APIRoute

    try:
        from fastapi.routing import iter_route_contexts
        routes = [(c.path, c.methods or set()) for c in iter_route_contexts(client.app.routes)]
    except ImportError:  # older FastAPI: routes are flat
        routes = [(r.path, r.methods or set()) for r in client.app.routes if isinstance(r, APIRoute)]
    unsafe = [(m, p) for p, methods in routes for m in methods if m in ("POST", "PUT", "PATCH", "DELETE")]
    assert len(unsafe) >= 8
    add_user(client, "root", role="admin", name="Admin")
    sign_in(client, "root")
    for method, path in unsafe:
        url = re.sub(r"\{[^}]+\}", "1", path)
        r = client.request(method, url, json={})
        assert r.status_code == 403 and "security token" in r.text, (method, path, r.status_code)


# ---- tokens and sessions ----------------------------------------------------------------
def test_unknown_and_revoked_tokens_are_401_and_logged(client: TestClient) -> None:
    aid = new_answer(client)
    user = add_user(client)
    csrf = sign_in(client)
    made = client.post("/account/tokens", data={"name": "review script", "csrf_token": csrf})
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    token = re.search(r'id="new-token">(cs_[A-Za-z0-9_-]+)<', made.text).group(1)  # type: ignore[union-attr]
    again = client.get("/account").text
    assert token not in again and token[:11] in again  # shown once; afterwards only its prefix
    rows = client.app.state.accounts.users.db.read("SELECT token_hash, prefix FROM api_tokens")  # type: ignore[attr-defined]
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), token[:11])]
    api = other_client(client)  # a script: no cookies
    assert review(api, aid, "start", token="cs_" + "A" * 43).status_code == 401
    assert review(api, aid, "start", token="not-even-a-token").status_code == 401
    assert review(api, aid, "start", token=token).status_code == 200
    token_id = client.app.state.accounts.tokens.list(user.id)[0].id  # type: ignore[attr-defined]
    r = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    r = review(api, aid, "approve", token=token)
    assert r.status_code == 401 and "revoked" in r.json()["error"]["message"]
    assert status_of(client, aid) == "under_review"
    assert [(x, t) for _, x, t in refused(client)] == [("auth.token", None), ("auth.token", None),
                                                       ("auth.token", token[:11])]


def test_a_disabled_accounts_session_and_tokens_stop_working(client: TestClient) -> None:
    aid = new_answer(client)
    user = add_user(client)
    csrf = sign_in(client)
    token = api_token(client, user)
    client.app.state.accounts.users.disable("arivera", by=user.actor())  # type: ignore[attr-defined]
    r = review(client, aid, "start", csrf=csrf)
    assert r.status_code == 401 and error_code(r) == "not_signed_in"
    assert review(other_client(client), aid, "start", token=token).status_code == 401
    assert status_of(client, aid) == "submitted"
    lines = client.app.state.accounts.audit.entries(outcome="refused")[::-1]  # type: ignore[attr-defined]
    assert [e.action for e in lines] == ["review.start", "auth.token"]
    assert "session cookie" in (lines[0].detail or "") and "disabled" in (lines[1].detail or "")


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_the_session(client: TestClient) -> None:
    add_user(client)
    page = client.get("/login")
    csrf_cookie = page.headers["set-cookie"]
    assert csrf_cookie.startswith("curbside_csrf=") and "HttpOnly" in csrf_cookie and "SameSite=strict" in csrf_cookie
    r = client.post("/login", data={"username": "arivera", "password": PW, "csrf_token": csrf_from(page.text),
                                    "next": "/account"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/account"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("curbside_session=")
    for flag in ("HttpOnly", "SameSite=lax", "Path=/", "Max-Age=43200"):
        assert flag in cookie, flag
    assert "Secure" not in cookie  # plain http here; see the https test
    value = client.cookies.get("curbside_session")
    assert value and hashlib.sha256(value.encode()).hexdigest() in str(
        client.app.state.accounts.users.db.read("SELECT token_hash FROM sessions"))  # type: ignore[attr-defined]
    home = client.get("/")
    assert "Signed in as <a href=\"/account\">Dr A. Rivera</a>" in home.text and "Sign out" in home.text
    assert home.headers["cache-control"] == "private"  # no shared cache hands this page to another
    # signing in again (a POST /login with a session) ends the session the browser brought
    r = client.post("/login", data={"username": "arivera", "password": PW, "csrf_token": page_csrf(client, "/account")},
                    follow_redirects=False)
    assert r.status_code == 303
    second = client.cookies.get("curbside_session")
    assert second and second != value
    sessions = client.app.state.accounts.users.db.read("SELECT token_hash FROM sessions")  # type: ignore[attr-defined]
    assert sessions == [(hashlib.sha256(second.encode()).hexdigest(),)]
    csrf = page_csrf(client, "/account")
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and 'curbside_session=""' in r.headers["set-cookie"]
    assert client.app.state.accounts.users.db.read("SELECT token_hash FROM sessions") == []  # type: ignore[attr-defined]
    # either old cookie, replayed, is nobody now
    aid = new_answer(client)
    for old in (value, second):
        replay = other_client(client)
        replay.cookies.set("curbside_session", old)
        assert review(replay, aid, "start", csrf=csrf).status_code == 401
    assert [(a, x) for a, x, o, _ in audit_lines(client)] == [
        ("cli", "user.add"), ("arivera", "login"), ("arivera", "login"), ("arivera", "logout"),
        ("anonymous", "review.start"), ("anonymous", "review.start")]


@pytest.mark.parametrize("trust_proxy", [False, True])
def test_session_cookie_is_secure_over_https(make_client, trust_proxy: bool) -> None:  # type: ignore[no-untyped-def]
    client = make_client(trust_proxy=trust_proxy)
    add_user(client)
    if trust_proxy:  # TLS ends at the proxy: the app sees http, the proxy says https
        base, extra = "http://testserver", {"X-Forwarded-Proto": "https"}
    else:
        base, extra = "https://testserver", {}
    page = client.get(base + "/login", headers=extra)
    token = csrf_from(page.text)
    # (the test client keeps Secure cookies from plain http, as a browser would; send it by hand)
    r = client.post(base + "/login", headers={**extra, "Cookie": f"curbside_csrf={token}"}, follow_redirects=False,
                    data={"username": "arivera", "password": PW, "csrf_token": token})
    assert r.status_code == 303
    assert "Secure" in r.headers["set-cookie"] and "Secure" in page.headers["set-cookie"]


def test_forwarded_headers_are_ignored_unless_trusted(make_client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = make_client()
    add_user(client)
    page = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in page.headers["set-cookie"]
    client.post("/login", headers={"X-Forwarded-For": "203.0.113.50"},
                data={"username": "arivera", "password": "wrong password", "csrf_token": csrf_from(page.text)})
    entry = client.app.state.accounts.audit.entries(action="login")[0]
    assert entry.client == "testclient"
    trusted = make_client(trust_proxy=True, data_dir=tmp_path / "other")
    add_user(trusted)
    page = trusted.get("/login")
    trusted.post("/login", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.50"},
                 data={"username": "arivera", "password": "wrong password", "csrf_token": csrf_from(page.text)})
    assert trusted.app.state.accounts.audit.entries(action="login")[0].client == "203.0.113.50"


def test_login_failures_are_refused_logged_and_rate_limited(client: TestClient) -> None:
    add_user(client)
    csrf = page_csrf(client, "/login")
    for _ in range(5):
        r = client.post("/login", data={"username": "arivera", "password": "not the password", "csrf_token": csrf})
        assert r.status_code == 401 and "Wrong username or password" in r.text
        assert "curbside_session" not in r.headers.get("set-cookie", "")
    r = client.post("/login", data={"username": "arivera", "password": PW, "csrf_token": csrf})
    assert r.status_code == 429 and r.headers["retry-after"] == "900"
    assert "Too many failed sign-ins" in r.text and "15 minutes" in r.text
    assert client.get("/account", follow_redirects=False).status_code == 303  # not signed in
    assert [a for _, a, _ in refused(client)] == ["login"] * 5 + ["login.throttled"]
    # the address is throttled too, whatever username it tries next
    r = client.post("/login", data={"username": "someone.else", "password": PW, "csrf_token": csrf})
    assert r.status_code == 429


# ---- asking: rate limited, and never from a GET -------------------------------------------
def test_ask_rate_limit_is_429_with_retry_after(make_client, engine: FakeEngine) -> None:  # type: ignore[no-untyped-def]
    client = make_client(engine, ask_rate_per_minute=2, ask_burst=2)
    new_answer(client, "What is baclofen for?")
    new_answer(client, "What is metformin for?")
    r = client.post("/api/v1/answers", json={"question": "What is lisinopril for?"})
    assert r.status_code == 429 and error_code(r) == "too_many_requests"
    assert 1 <= int(r.headers["retry-after"]) <= 30
    assert "at most 2 a minute" in r.json()["error"]["message"]
    r = ask_form(client, "What is lisinopril for?")
    assert r.status_code == 429 and "retry-after" in r.headers and "Too many questions" in r.text
    assert len(engine.calls) == 2
    assert [a for _, a, _ in refused(client)] == ["ask", "ask"]
    # a Board member is not limited
    token = api_token(client, add_user(client))
    r = client.post("/api/v1/answers", headers=bearer(token), json={"question": "What is lisinopril for?"})
    assert r.status_code == 200


def test_get_never_stores_an_answer(client: TestClient, engine: FakeEngine) -> None:
    repo = client.app.state.service.repo  # type: ignore[attr-defined]
    r = client.get("/ask", params={"q": Q, "audience": "nurse"}, follow_redirects=False)
    assert r.status_code == 200 and "Get the answer" in r.text and 'method="post" action="/ask"' in r.text
    assert f'value="{Q}"' in r.text.replace("&#39;", "'") and 'value="nurse" selected' in r.text
    assert client.head("/ask", params={"q": Q}).status_code == 200
    assert repo.count() == 0 and engine.calls == []
    url = article_url(ask_form(client, Q))
    assert repo.count() == 1
    # GET /ask for a stored answer goes to it; another audience offers a button, makes nothing
    assert client.get("/ask", params={"q": Q}, follow_redirects=False).headers["location"] == url
    for audience in ("patient", "nurse"):
        page = client.get(url, params={"audience": audience})
        assert page.status_code == 200 and "has not been answered for this reader yet" in page.text
        assert f'<option value="{audience}" selected>' in page.text
    assert client.get(url + ".json", params={"audience": "patient"}).status_code == 404
    aid = url.rsplit("-", 1)[1]
    assert client.get("/ask", params={"q": "And the dose?", "after": aid}).status_code == 200
    assert repo.count() == 1 and len(engine.calls) == 1


def test_gets_write_only_the_documented_exceptions(client: TestClient) -> None:
    """docs/WEB.md: a GET never creates or changes an answer; it may write audit lines
    (exports, refusals) and a token's last_used, and read counts go through memory."""
    aid = new_answer(client)
    reviewer, admin = add_user(client), add_user(client, "root", role="admin", name="Admin", credentials="")
    tokens = {"reviewer": api_token(client, reviewer), "admin": api_token(client, admin)}
    db = client.app.state.service.repo.db  # type: ignore[attr-defined]
    tables = ("articles", "versions", "events", "article_terms", "users", "sessions")

    def snapshot() -> dict[str, list[tuple[object, ...]]]:
        rows = {t: sorted(db.read(f"SELECT * FROM {t}"), key=repr) for t in tables}
        rows["api_tokens"] = sorted(db.read("SELECT id, user_id, name, prefix, token_hash, created, revoked"
                                            " FROM api_tokens"), key=repr)
        return rows

    before, lines = snapshot(), len(audit_lines(client))
    stored = client.get(f"/api/v1/answers/{aid}").json()["url"].removeprefix("http://testserver")
    for path, who in ((stored, None), (stored + ".json", None), ("/library", None), ("/api/v1/library", None),
                      (f"/api/v1/answers/{aid}/history", None), ("/review", None), (f"/review/{aid}", None),
                      ("/review", "reviewer"), (f"/review/{aid}", "reviewer"), (f"/review/{aid}/compare", "reviewer"),
                      ("/admin/audit", "reviewer"), ("/api/v1/audit", "admin"), ("/review", "cs_" + "x" * 43)):
        token = tokens.get(who or "", who)
        client.get(path, headers=bearer(token) if token else {})
    assert snapshot() == before
    written = [(a, x, o) for a, x, o, _ in audit_lines(client)][lines:]
    assert written == [("anonymous", "review.queue", "refused"), ("anonymous", "review.view", "refused"),
                       ("arivera", "audit.view", "refused"), ("root", "audit.export", "ok"),
                       ("anonymous", "auth.token", "refused")]


# ---- admin ----------------------------------------------------------------------------
def test_admin_reads_and_exports_the_audit_log(client: TestClient) -> None:
    add_user(client, "root", role="admin", name="Admin", credentials="")
    client.post("/login", data={"username": "=cmd|' /C calc'!A0", "password": "x" * 12,
                                "csrf_token": page_csrf(client, "/login")})
    sign_in(client, "root")
    page = client.get("/admin/audit", params={"outcome": "refused"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "=cmd|&#39; /c calc&#39;!a0" in page.text and "user.add" not in page.text
    assert 'href="/api/v1/audit?format=csv"' in page.text
    assert "Audit log" in client.get("/").text  # the header links admins to it
    r = client.get("/api/v1/audit", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="curbside-audit-')
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["seq", "at", "actor", "actor_id", "action", "target", "outcome", "detail", "client"]
    assert ["'=cmd|' /c calc'!a0", "login", "refused"] == [rows[2][2], rows[2][4], rows[2][6]]
    j = client.get("/api/v1/audit", params={"format": "json"})
    assert j.headers["content-disposition"].endswith('.json"')
    entries = json.loads(j.text)["entries"]
    assert [e["action"] for e in entries][:3] == ["user.add", "login", "login"]
    assert entries[-1]["action"] == "audit.export"  # exports are logged too
    assert client.get("/api/v1/audit", params={"format": "xml"}).status_code == 400


def test_admin_manages_accounts_over_the_api(client: TestClient) -> None:
    admin = add_user(client, "root", role="admin", name="Admin", credentials="")
    auth = bearer(api_token(client, admin))
    r = client.post("/api/v1/users", headers=auth, json={"username": "bchen", "display_name": "Dr B. Chen",
                                                           "credentials": "PharmD", "role": "reviewer", "password": PW})
    assert r.status_code == 201 and r.json()["role"] == "reviewer" and "password" not in r.json()
    r = client.post("/api/v1/users", headers=auth, json={"username": "x", "display_name": "X", "password": "short"})
    assert r.status_code == 400
    r = client.post("/api/v1/users", headers=auth, json={"username": "bchen", "display_name": "X", "password": PW})
    assert r.status_code == 409 and error_code(r) == "user_exists"
    r = client.patch("/api/v1/users/bchen", headers=auth, json={"role": "editor", "credentials": "PharmD, BCPS"})
    assert r.status_code == 200 and r.json()["role"] == "editor" and r.json()["credentials"] == "PharmD, BCPS"
    assert client.patch("/api/v1/users/bchen", headers=auth, json={"disabled": True}).json()["disabled"] is True
    assert client.patch("/api/v1/users/root", headers=auth, json={"disabled": True}).status_code == 400
    assert client.patch("/api/v1/users/ghost", headers=auth, json={"role": "admin"}).status_code == 404
    assert client.patch("/api/v1/users/bchen", headers=auth, json={"password": "x"}).status_code == 422
    users = client.get("/api/v1/users", headers=auth).json()["users"]
    assert [(u["username"], u["role"], u["disabled"]) for u in users] == [("bchen", "editor", True),
                                                                          ("root", "admin", False)]
    assert [(x, o) for a, x, o, _ in audit_lines(client) if a == "root"] == [
        ("token.create", "ok"), ("user.add", "ok"), ("user.set_role", "ok"), ("user.set_details", "ok"),
        ("user.disable", "ok"), ("invalid_request", "refused")]


def test_a_second_editors_version_does_not_let_the_first_approve(client: TestClient) -> None:
    aid = new_answer(client)
    e1 = api_token(client, add_user(client, "e1", role="editor", name="Dr E. One"))
    e2 = api_token(client, add_user(client, "e2", role="editor", name="Dr E. Two"))
    for token, version, body in ((e1, 1, {"operations": [{"op": "remove", "place": "section:labels", "index": 1}]}),
                                 (e2, 2, {"note": "Checked."})):
        r = client.post(f"/api/v1/answers/{aid}/edit", headers=bearer(token),
                        json={"expected_version": version, "reason": "an edit", **body})
        assert r.status_code == 200, r.text
    assert review(client, aid, "start", 3, token=e1).status_code == 200
    r = review(client, aid, "approve", 3, token=e1)
    assert r.status_code == 403 and "made a version" in r.json()["error"]["message"]
    assert status_of(client, aid) == "under_review"
    assert refused(client) == [("e1", "review.approve", f"{aid}@v3")]
    page_user = add_user(client, "rv")
    assert review(client, aid, "approve", 3, token=api_token(client, page_user)).status_code == 200


@pytest.mark.parametrize("change", [{"role": "admin", "display_name": "   "},
                                    {"role": "admin", "credentials": "x" * 101},
                                    {"disabled": True, "role": "owner"},
                                    {"role": "admin", "display_name": "x" * 101}])
def test_changing_an_account_is_all_or_nothing(client: TestClient, change: dict[str, object]) -> None:
    admin = add_user(client, "root", role="admin", name="Admin", credentials="")
    add_user(client, "bchen", name="Dr B. Chen")
    r = client.patch("/api/v1/users/bchen", headers=bearer(api_token(client, admin)), json=change)
    assert r.status_code == 400, r.text
    user = client.app.state.accounts.users.require("bchen")  # type: ignore[attr-defined]
    assert (user.role.value, user.display_name, user.disabled) == ("reviewer", "Dr B. Chen", False)
    assert [a for _, a, _, t in audit_lines(client) if t == "bchen"] == ["user.add"]
