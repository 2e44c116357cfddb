"""The Board's pages on a scripted engine: the queue, the review page (each statement
beside its cited passage), decisions by form, an editor's edit as a new version, the
comparison of versions, and the JSON edit/compare API; who may see and do what."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fakes import PASSAGE_2, FakeEngine
from fastapi.testclient import TestClient
from signin import (
    add_user,
    api_token,
    ask_form,
    audit_lines,
    bearer,
    other_client,
    sign_in,
)


@pytest.fixture
def client(make_client: Callable[..., TestClient], engine: FakeEngine, database_url: str) -> TestClient:
    """This module runs on both editorial databases: SQLite and a real PostgreSQL."""
    return make_client(engine, database_url=database_url)

Q = "What is the indication for Baclofen (Lioresal)?"


def _ask(client: TestClient, q: str = Q) -> str:
    r = ask_form(client, q)
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("-", 1)[1]


def _form(client: TestClient, path: str, csrf: str, **data: str) -> object:
    return client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)


def test_queue_and_review_page_need_a_board_member(client: TestClient) -> None:
    aid = _ask(client)
    for path in ("/review", f"/review/{aid}", f"/review/{aid}/edit"):
        r = client.get(path, headers={"accept": "text/html"})
        assert r.status_code == 401 and "Sign in" in r.text
    add_user(client, "reader1", role="reader", name="A Reader", credentials="")
    sign_in(client, "reader1")
    assert client.get("/review").status_code == 403
    refused = [a for _, a, o, _ in audit_lines(client, "refused")]
    assert refused.count("review.queue") == 2 and "review.view" in refused


def test_queue_lists_open_answers_and_filters(client: TestClient) -> None:
    a = _ask(client)
    b = _ask(client, "What is the dose of baclofen?")
    add_user(client)
    sign_in(client)
    page = client.get("/review").text
    assert f"/review/{a}" in page and f"/review/{b}" in page and "Submitted" in page
    assert f"/review/{a}" not in client.get("/review?status=approved").text
    assert "queue-empty" in client.get("/review?age=30d").text  # nothing has waited 30 days
    assert f"/review/{a}" in client.get("/review?order=most_read&question_type=indication").text


def test_review_page_puts_each_statement_beside_its_passage(client: TestClient) -> None:
    aid = _ask(client)
    add_user(client)
    sign_in(client)
    page = client.get(f"/review/{aid}").text
    assert "More than 80% of patients show improvement in muscle tone." in page
    # the quoted words are marked inside the cited passage
    assert "<mark>More than 80% of patients show improvement" in page
    assert PASSAGE_2.split(".")[0] in page and "Quoted word for word" in page
    assert "Claim for review" in page and 'name="csrf_token"' in page


def test_claim_request_changes_edit_and_another_reviewer_approves(client: TestClient) -> None:
    aid = _ask(client)
    add_user(client)  # reviewer
    add_user(client, "eeditor", role="editor", name="Dr E. Editor", credentials="PharmD")
    csrf = sign_in(client)
    r = _form(client, f"/review/{aid}/action", csrf, action="start", expected_version="1")
    assert r.status_code == 303 and r.headers["location"] == f"/review/{aid}"
    assert "claimed by Dr A. Rivera" in client.get(f"/review/{aid}").text
    r = _form(client, f"/review/{aid}/action", csrf, action="request_changes", expected_version="1", note="")
    assert r.status_code == 400  # a request for changes must say what to change
    r = _form(client, f"/review/{aid}/action", csrf, action="request_changes", expected_version="1",
              note="Drop the research statement from the label section.")
    assert r.status_code == 303

    editor = other_client(client)
    ecsrf = sign_in(editor, "eeditor")
    form = editor.get(f"/review/{aid}/edit").text
    keys = re.findall(r'name="(keep-[^"]+)"', form)
    assert keys == ["keep-summary-0", "keep-section:labels-0", "keep-section:labels-1"]
    data = {"expected_version": "1", "reason": "Changes requested by Dr A. Rivera", "note": "Checked against the label.",
            "keep-summary-0": "1", "keep-section:labels-0": "1",
            "order-summary-0": "1", "order-section:labels-0": "1", "order-section:labels-1": "2"}
    r = _form(editor, f"/review/{aid}/edit", ecsrf, **data)
    assert r.status_code == 303, r.text
    doc = client.get(f"/api/v1/answers/{aid}").json()
    assert doc["review"]["version"] == 2 and doc["review"]["status"] == "submitted"
    assert [s["text"] for s in doc["sections"][0]["statements"]] == [doc["summary"][0]["text"]]
    assert doc["editor_note"]["text"] == "Checked against the label."
    # the editor cannot approve their own version
    _form(editor, f"/review/{aid}/action", ecsrf, action="start", expected_version="2")
    r = _form(editor, f"/review/{aid}/action", ecsrf, action="approve", expected_version="2")
    assert r.status_code == 403
    assert ("eeditor", "review.approve", "refused") in {(a, b, c) for a, b, c, _ in audit_lines(client)}
    # versions compare
    cmp = client.get(f"/review/{aid}/compare?from=1&to=2").text
    assert "1 removed" in cmp and "<del>More than 80% of patients" in cmp
    # another reviewer approves: the public page shows the reviewer and credentials
    r = _form(client, f"/review/{aid}/action", csrf, action="approve", expected_version="2")
    assert r.status_code == 303
    public = other_client(client).get(doc["url"].replace("http://testserver", "")).text
    reviewed = re.search(r"Reviewed by ([^<]*)", public)
    assert reviewed and "Dr A. Rivera, MD, neurology" in reviewed.group(1), reviewed
    assert "pending human review" not in public


def test_added_statement_must_quote_its_reference(client: TestClient) -> None:
    aid = _ask(client)
    add_user(client, "eeditor", role="editor", name="Dr E. Editor", credentials="PharmD")
    csrf = sign_in(client, "eeditor")
    base = {"expected_version": "1", "reason": "Add the reserve-use sentence",
            "keep-summary-0": "1", "keep-section:labels-0": "1", "keep-section:labels-1": "1",
            "add_reference": "2", "add_place": "section:labels"}
    r = _form(client, f"/review/{aid}/edit", csrf, **base, add_text="Baclofen is best reserved for severe cases.")
    assert r.status_code == 400 and "word for word" in r.text
    r = _form(client, f"/review/{aid}/edit", csrf, **base, add_text="Intrathecal baclofen is reserved for severe spasticity.")
    assert r.status_code == 303
    doc = client.get(f"/api/v1/answers/{aid}").json()
    assert doc["sections"][0]["statements"][-1]["text"] == "Intrathecal baclofen is reserved for severe spasticity."


def test_edit_and_compare_api(client: TestClient) -> None:
    aid = _ask(client)
    editor = add_user(client, "eeditor", role="editor", name="Dr E. Editor", credentials="PharmD")
    reviewer = add_user(client)
    body = {"expected_version": 1, "reason": "Order by strength of evidence",
            "operations": [{"op": "reorder", "place": "section:labels", "order": [1, 0]}]}
    assert client.post(f"/api/v1/answers/{aid}/edit", json=body).status_code == 401
    r = client.post(f"/api/v1/answers/{aid}/edit", json=body, headers=bearer(api_token(client, reviewer)))
    assert r.status_code == 403  # reviewers review; editors edit
    r = client.post(f"/api/v1/answers/{aid}/edit", json=body, headers=bearer(api_token(client, editor)))
    assert r.status_code == 200 and r.json()["review"]["version"] == 2
    r = client.post(f"/api/v1/answers/{aid}/edit", json=body, headers=bearer(api_token(client, editor)))
    assert r.status_code == 409  # a stale version
    c = client.get(f"/api/v1/answers/{aid}/compare?from=1").json()
    assert c["new_version"] == 2 and c["counts"]["moved"] >= 1


def test_forms_without_csrf_are_refused(client: TestClient) -> None:
    aid = _ask(client)
    add_user(client)
    sign_in(client)
    r = client.post(f"/review/{aid}/action", data={"action": "start", "expected_version": "1"})
    assert r.status_code == 403
    assert client.get(f"/api/v1/answers/{aid}").json()["review"]["status"] == "submitted"
