"""One error shape for every API error, pinned here; every bad input is a 4xx, never a 500."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from signin import add_user, api_token, bearer

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
    assert_error(post({"action": "request_changes", "expected_version": 1}), 400, "invalid_review")  # a note is required
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
