"""One error shape for every API error, pinned here; every bad input is a 4xx, never a 500."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from signin import add_user, api_token, bearer, sign_in

from curbside.errors import NotIngestedError

ERROR_KEYS = {"status", "code", "message"}


def assert_error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}, body  # the pinned shape: nothing else at the top level
    assert set(body["error"]) == ERROR_KEYS, body
    assert body["error"]["status"] == status and body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and len(body["error"]["message"]) > 10
    return body["error"]


def test_error_shape_is_pinned(client: TestClient) -> None:
    err = assert_error(client.get("/api/v1/answers/deadbeef"), 404, "not_found")
    assert err == {"status": 404, "code": "not_found", "message": err["message"]}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"question": ""}, 400, "empty_question"),
        ({"question": "   \n\t "}, 400, "empty_question"),
        ({"question": "x" * 2001}, 400, "question_too_long"),
        ({"question": "!!! ??? 123"}, 400, "invalid_input"),
        ({"question": "What is baclofen for?", "audience": "alien"}, 400, "unknown_audience"),
        ({"question": "What is baclofen for?", "audience": ""}, 200, None),
        ({"question": "What is baclofen for?", "audience": 3}, 422, "invalid_request"),
        ({"question": 42}, 422, "invalid_request"),
        ({"question": None}, 422, "invalid_request"),
        ({"audience": "physician"}, 422, "invalid_request"),
        ({"question": "What is baclofen for?", "conversation_id": "nope"}, 404, "not_found"),
        ([], 422, "invalid_request"),
        ("just a string", 422, "invalid_request"),
    ],
)
def test_bad_answer_requests(client: TestClient, body: object, status: int, code: str | None) -> None:
    r = client.post("/api/v1/answers", json=body)
    if code is None:
        assert r.status_code == status
    else:
        assert_error(r, status, code)


@pytest.mark.parametrize("raw", [b"{bad json", b'{"question": "x",}', b"\xff\xfe", b""])
def test_bad_json_is_400(client: TestClient, raw: bytes) -> None:
    r = client.post("/api/v1/answers", content=raw, headers={"content-type": "application/json"})
    assert r.status_code in (400, 422)
    assert_error(r, r.status_code, "invalid_json" if r.status_code == 400 else "invalid_request")


def test_oversized_body_is_413_declared_or_streamed(client: TestClient) -> None:
    big = json.dumps({"question": "x" * 100_000}).encode()
    assert_error(client.post("/api/v1/answers", content=big, headers={"content-type": "application/json"}),
                 413, "payload_too_large")

    def chunks():
        for _ in range(100):
            yield b" " * 1024

    r = client.post("/api/v1/answers", content=chunks(), headers={"content-type": "application/json"})
    assert_error(r, 413, "payload_too_large")


def test_review_bad_inputs(client: TestClient) -> None:
    aid = client.post("/api/v1/answers", json={"question": "What is baclofen for?"}).json()["id"]
    url = f"/api/v1/answers/{aid}/review"
    auth = bearer(api_token(client, add_user(client)))

    def post(body: object, path: str = url):
        return client.post(path, json=body, headers=auth)

    assert_error(post({"action": "publish", "expected_version": 1}), 400, "invalid_review")
    assert_error(post({"action": "start"}), 422, "invalid_request")
    assert_error(post({"action": "start", "expected_version": "one"}), 422, "invalid_request")
    err = assert_error(post({"action": "start", "reviewer": "A", "expected_version": 1}), 422, "invalid_request")
    assert "reviewer" in err["message"]  # an unknown field is named, never ignored
    assert_error(post({"action": "start", "expected_version": 2}), 409, "version_conflict")
    post({"action": "start", "expected_version": 1})
    assert_error(post({"action": "request_changes", "expected_version": 1}), 400,
                 "invalid_review")  # a note is required
    assert_error(post({"action": "start", "expected_version": 1}), 409, "invalid_transition")
    assert_error(post({"action": "start", "expected_version": 1}, "/api/v1/answers/deadbeef/review"), 404, "not_found")


def test_other_api_errors(client: TestClient) -> None:
    assert_error(client.get("/api/v1/answers/not-an-id"), 404, "not_found")
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.delete("/api/v1/answers"), 405, "method_not_allowed")
    assert_error(client.get("/api/v1/search"), 400, "invalid_input")
    assert_error(client.get("/api/v1/search", params={"q": "w " * 400}), 400, "invalid_input")
    assert_error(client.get("/api/v1/search", params={"q": "x", "limit": 0}), 422, "invalid_request")
    assert_error(client.get("/api/v1/answers", params={"status": "done"}), 400, "unknown_status")
    assert_error(client.get("/a/nothing-deadbeef.json"), 404, "not_found")
    assert_error(client.get("/a/nothing-deadbeef", headers={"Accept": "application/json"}), 404, "not_found")


def test_not_ingested_is_503_with_the_fix(make_client) -> None:
    def broken(settings):
        raise NotIngestedError("No ingested corpus in /x.", fix="Run `curbside ingest` first.")

    c = make_client(factory=broken)
    err = assert_error(c.post("/api/v1/answers", json={"question": "What is baclofen for?"}), 503, "not_ingested")
    assert "curbside ingest" in err["message"]
    assert_error(c.get("/healthz"), 503, "not_ingested")
    # validation still answers 400, and pages still render
    assert_error(c.post("/api/v1/answers", json={"question": ""}), 400, "empty_question")
    assert c.get("/").status_code == 200


def test_html_errors_are_pages_with_the_same_status(client: TestClient) -> None:
    r = client.get("/ask", params={"q": ""})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "The question is empty" in r.text and 'action="/ask"' in r.text
    r = client.get("/a/whatever-deadbeef")
    assert r.status_code == 404 and "Not found" in r.text
    r = client.get("/ask", params={"q": "What is baclofen for?", "audience": "alien"})
    assert r.status_code == 400 and "Unknown audience" in r.text
    assert client.get("/no/such/page").status_code == 404


def test_json_without_content_type_says_how_to_send_it(client: TestClient) -> None:
    r = client.post("/api/v1/answers", content=b'{"question": "What is baclofen for?"}',
                    headers={"content-type": "text/plain"})
    assert "Content-Type: application/json" in assert_error(r, 422, "invalid_request")["message"]


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("question", b'{"question": "What is baclofen \\udcff for?"}'),
        ("action", b'{"action": "sta\\udcffrt", "expected_version": 1}'),
        ("note", b'{"action": "start", "expected_version": 1, "note": "x \\ud800"}'),
    ],
)
def test_lone_surrogate_is_400_invalid_text(client: TestClient, field: str, body: bytes) -> None:
    aid = client.post("/api/v1/answers", json={"question": "What is baclofen for?"}).json()["id"]
    url = "/api/v1/answers" if field == "question" else f"/api/v1/answers/{aid}/review"
    headers = dict(JSON)
    if field != "question":  # reviews need a signed-in reviewer
        add_user(client)
        headers["X-CSRF-Token"] = sign_in(client)
    err = assert_error(client.post(url, content=body, headers=headers), 400, "invalid_text")
    assert field in err["message"] and "UTF-8" in err["message"]
    # nothing was stored or reviewed on the way
    assert client.get(f"/api/v1/answers/{aid}").json()["review"]["status"] == "submitted"


@pytest.mark.parametrize(
    "raw",
    [b'{"question": "What is \xff baclofen for?"}', b"\xff\xfe{}", b"[" * 10_000 + b"]" * 10_000,
     b'{"question": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"],
    ids=["invalid-utf8-in-string", "invalid-utf8-bom", "nested-arrays", "nested-in-field"],
)
def test_undecodable_or_too_deep_json_is_400_invalid_json(client: TestClient, raw: bytes) -> None:
    assert_error(client.post("/api/v1/answers", content=raw, headers=JSON), 400, "invalid_json")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_405_allow_header_lists_every_method_of_the_path(client: TestClient, method: str) -> None:
    r = client.request(method, "/api/v1/answers")
    assert_error(r, 405, "method_not_allowed")
    allowed = {m.strip() for m in r.headers["allow"].split(",")}
    assert {"GET", "POST"} <= allowed and method not in allowed


def test_unknown_json_fields_are_422_naming_them(client: TestClient) -> None:
    err = assert_error(client.post("/api/v1/answers", json={"question": "What is baclofen for?", "audince": "nurse"}),
                       422, "invalid_request")
    assert "audince" in err["message"] and "unknown field" in err["message"]
    aid = client.post("/api/v1/answers", json={"question": "What is baclofen for?"}).json()["id"]
    add_user(client)
    token = sign_in(client)
    err = assert_error(client.post(f"/api/v1/answers/{aid}/review", headers={"X-CSRF-Token": token},
                                   json={"action": "start", "expected_version": 1, "force": True}),
                       422, "invalid_request")
    assert "force" in err["message"]


def test_corrupt_store_is_503_corrupt_store_not_not_ingested(make_client, tmp_path) -> None:
    from curbside.engine import Engine

    data = tmp_path / "corrupt"
    (data / "lexical").mkdir(parents=True)
    (data / "lexical" / "meta.json").write_text("{}")
    (data / "curbside.sqlite").write_bytes(b"not a database at all " * 200)
    c = make_client(factory=Engine.open, data_dir=data)
    err = assert_error(c.get("/healthz"), 503, "corrupt_store")
    assert "No ingested corpus" not in err["message"]
    assert "curbside.sqlite" in err["message"] and "curbside ingest" in err["message"]
    assert_error(c.post("/api/v1/answers", json={"question": "What is baclofen for?"}), 503, "corrupt_store")


_PW = '"password": "a long enough password"'


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "field"),
    [
        ("editor", "POST", "/api/v1/answers/{aid}/edit", '{"expected_version": 1, "reason": "x \\ud800", "note": "n"}',
         "reason"),
        ("editor", "POST", "/api/v1/answers/{aid}/edit", '{"expected_version": 1, "reason": "ok", "note": "n \\udcff"}',
         "note"),
        ("editor", "POST", "/api/v1/answers/{aid}/edit",
         '{"expected_version": 1, "reason": "ok", "operations": [{"op": "add", "place": "summary", '
         '"text": "Baclofen \\ud800", "reference": 1}]}', "text"),
        ("admin", "POST", "/api/v1/users", '{"username": "zz", "display_name": "Dr \\ud800", ' + _PW + "}",
         "display_name"),
        ("admin", "POST", "/api/v1/users",
         '{"username": "zz", "display_name": "Dr Z", "password": "long enough \\ud800"}', "password"),
        ("admin", "POST", "/api/v1/users", '{"username": "z\\udcffz", "display_name": "Dr Z", ' + _PW + "}",
         "username"),
        ("admin", "POST", "/api/v1/users",
         '{"username": "zz", "display_name": "Dr Z", "credentials": "MD \\ud800", ' + _PW + "}", "credentials"),
        ("admin", "PATCH", "/api/v1/users/arivera", '{"display_name": "\\ud800"}', "display_name"),
        ("admin", "PATCH", "/api/v1/users/arivera", '{"credentials": "\\ud800", "role": "admin"}', "credentials"),
        ("admin", "PATCH", "/api/v1/users/arivera", '{"role": "adm\\ud800in"}', "role"),
    ],
    ids=["edit-reason", "edit-note", "edit-added-text", "add-name", "add-password", "add-username",
         "add-credentials", "patch-name", "patch-credentials", "patch-role"],
)
def test_lone_surrogates_in_edits_and_accounts_are_400_invalid_text(client: TestClient, role: str, method: str,
                                                                   path: str, body: str, field: str) -> None:
    aid = client.post("/api/v1/answers", json={"question": "What is baclofen for?"}).json()["id"]
    add_user(client)
    token = api_token(client, add_user(client, "actor", role=role, name="Dr Actor"))
    r = client.request(method, path.format(aid=aid), content=body.encode(), headers={**JSON, **bearer(token)})
    err = assert_error(r, 400, "invalid_text")
    assert field in err["message"]
    # nothing changed on the way
    assert client.get(f"/api/v1/answers/{aid}").json()["review"]["version"] == 1
    users = client.app.state.accounts.users  # type: ignore[attr-defined]
    assert [u.username for u in users.list()] == ["actor", "arivera"]
    assert (users.require("arivera").role.value, users.require("arivera").display_name) == ("reviewer", "Dr A. Rivera")


BIG = str(10**25)
MAX = str(2**31 - 1)


def test_huge_integers_are_4xx_never_500_on_either_database(  # type: ignore[no-untyped-def]
        make_client, database_url: str) -> None:
    client = make_client(database_url=database_url)
    aid = client.post("/api/v1/answers", json={"question": "What is baclofen for?"}).json()["id"]
    editor = add_user(client, "eds", role="editor", name="Dr E. Editor")
    auth = bearer(api_token(client, editor))
    gets = ["/library?offset={n}", "/api/v1/library?offset={n}", "/review?offset={n}", "/api/v1/answers?offset={n}",
            "/api/v1/answers/{aid}/compare?from={n}", "/api/v1/answers/{aid}/compare?from=1&to={n}",
            "/review/{aid}/compare?from={n}", "/review/{aid}/compare?to={n}", "/admin/audit?page={n}"]
    for path in gets:
        r = client.get(path.format(n=BIG, aid=aid), headers=auth)
        assert r.status_code in (400, 404, 422), (path, r.status_code)
    for path in gets[:4]:  # the largest allowed offset is fine: an empty page
        assert client.get(path.format(n=MAX, aid=aid), headers=auth).status_code == 200, path
    for body in ({"action": "start", "expected_version": 10**25}, {"action": "start", "expected_version": -10**25}):
        assert client.post(f"/api/v1/answers/{aid}/review", headers=auth, json=body).status_code in (400, 409, 422)
    r = client.post(f"/api/v1/answers/{aid}/edit", headers=auth,
                    json={"expected_version": 10**25, "reason": "x", "note": "n"})
    assert r.status_code in (400, 409, 422)
    csrf = sign_in(client, "eds")
    assert client.post(f"/account/tokens/{BIG}/revoke", data={"csrf_token": csrf}).status_code in (400, 404, 422)
    for path, data in ((f"/review/{aid}/action", {"action": "start", "expected_version": BIG}),
                       (f"/review/{aid}/edit", {"expected_version": BIG, "reason": "x", "note": "n"}),
                       (f"/review/{aid}/edit", {"expected_version": "1", "reason": "x", "add_text": "Baclofen",
                                               "add_reference": BIG, "keep-summary-0": "1"})):
        r = client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert r.status_code == 400, (path, data, r.status_code)
    review = client.get(f"/api/v1/answers/{aid}").json()["review"]
    assert (review["version"], review["status"]) == (1, "submitted")
