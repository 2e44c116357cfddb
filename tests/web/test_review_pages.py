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
    article_url,
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
    return article_url(r).rsplit("-", 1)[1]


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
    data = {"expected_version": "1", "reason": "Changes requested by Dr A. Rivera",
            "note": "Checked against the label.",
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
    r = _form(client, f"/review/{aid}/edit", csrf, **base,
              add_text="Intrathecal baclofen is reserved for severe spasticity.")
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


def _edit(client: TestClient, aid: str, token: str, version: int, **body: object) -> dict:  # type: ignore[type-arg]
    r = client.post(f"/api/v1/answers/{aid}/edit", headers=bearer(token),
                    json={"expected_version": version, "reason": "an edit", **body})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _review(client: TestClient, aid: str, token: str, *steps: tuple[str, int]) -> None:
    for action, version in steps:
        r = client.post(f"/api/v1/answers/{aid}/review", headers=bearer(token),
                        json={"action": action, "expected_version": version})
        assert r.status_code == 200, r.text


def _reask(client: TestClient, engine: FakeEngine, corpus: str, suffix: str = "") -> dict:  # type: ignore[type-arg]
    """A re-ingest (new corpus, maybe different words), then anybody asks the question again."""
    engine.corpus_version, engine.text_suffix = corpus, suffix
    r = client.post("/api/v1/answers", json={"question": Q})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_asking_again_after_a_reingest_never_overwrites_an_edit_or_a_review(client: TestClient,
                                                                             engine: FakeEngine) -> None:
    aid = _ask(client)
    etok = api_token(client, add_user(client, "eeditor", role="editor", name="Dr E. Editor"))
    rtok = api_token(client, add_user(client))
    _edit(client, aid, etok, 1, note="Checked by the editor.",
          operations=[{"op": "remove", "place": "section:labels", "index": 1}])
    _review(client, aid, rtok, ("start", 2), ("approve", 2))
    events = len(client.get(f"/api/v1/answers/{aid}/history").json()["events"])
    calls = len(engine.calls)
    for corpus, suffix in (("corpus-2", ""), ("corpus-3", " Changed words.")):
        doc = _reask(client, engine, corpus, suffix)
        assert doc["cached"] is True and doc["review"]["status"] == "approved" and doc["review"]["version"] == 2
        assert doc["editor_note"]["text"] == "Checked by the editor."
        assert len(doc["sections"][0]["statements"]) == 1  # the removed statement did not come back
    assert len(engine.calls) == calls  # the engine was not asked
    assert len(client.get(f"/api/v1/answers/{aid}/history").json()["events"]) == events

    # a "Needs re-review" flag and its source diff stay too
    repo = client.app.state.service.repo  # type: ignore[attr-defined]
    change = {"reference": 1, "passage_id": "label:abc#0", "doc_id": "label:abc", "title": "t", "kind": "removed",
              "old": "x", "new": None, "new_passage_id": None}
    assert repo.mark_needs_rereview(aid, [change])
    doc = _reask(client, engine, "corpus-4", " Other words.")
    assert doc["review"]["status"] == "needs_rereview" and doc["review"]["version"] == 2
    assert repo.get(aid).stale_sources == (change,)


@pytest.mark.parametrize("steps", [[("start", 1)], [("start", 1), ("approve", 1)],
                                   [("start", 1), ("request_changes", 1)], [("start", 1), ("reject", 1)]])
def test_a_generated_answer_the_board_is_on_is_not_regenerated(client: TestClient, engine: FakeEngine,
                                                                steps: list[tuple[str, int]]) -> None:
    aid = _ask(client)
    rtok = api_token(client, add_user(client))
    for action, version in steps:
        r = client.post(f"/api/v1/answers/{aid}/review", headers=bearer(rtok),
                        json={"action": action, "expected_version": version,
                              "note": "Not from the sources." if action in ("request_changes", "reject") else None})
        assert r.status_code == 200, r.text
    status = client.get(f"/api/v1/answers/{aid}").json()["review"]["status"]
    doc = _reask(client, engine, "corpus-2", " Changed words.")
    assert (doc["review"]["status"], doc["review"]["version"], doc["cached"]) == (status, 1, True)


def test_a_generated_answer_still_submitted_is_revalidated_or_regenerated(client: TestClient,
                                                                           engine: FakeEngine) -> None:
    aid = _ask(client)
    doc = _reask(client, engine, "corpus-2")  # the same content on a new corpus: the check is recorded
    assert (doc["review"]["version"], doc["cached"], doc["corpus_version"]) == (1, False, "corpus-2")
    events = client.get(f"/api/v1/answers/{aid}/history").json()["events"]
    assert events[-1]["action"] == "revalidate" and events[-1]["note"] == "Same content on corpus corpus-2."
    doc = _reask(client, engine, "corpus-3", " Changed words.")  # different content: a new version
    assert (doc["review"]["version"], doc["review"]["status"], doc["cached"]) == (2, "submitted", False)
    assert client.get(f"/api/v1/answers/{aid}/history").json()["events"][-1]["action"] == "new_version"


def test_an_unrelated_edit_keeps_the_source_diff_on_the_review_page(client: TestClient) -> None:
    from fakes import PASSAGE_1

    aid = _ask(client)
    etok = api_token(client, add_user(client, "eeditor", role="editor", name="Dr E. Editor"))
    rtok = api_token(client, add_user(client))
    _review(client, aid, rtok, ("start", 1), ("approve", 1))
    repo = client.app.state.service.repo  # type: ignore[attr-defined]
    change = {"reference": 1, "passage_id": "label:abc#0", "doc_id": "label:abc", "title": "Baclofen tablets",
              "kind": "changed", "old": PASSAGE_1, "new": "Baclofen is no longer indicated.", "new_passage_id": None}
    assert repo.mark_needs_rereview(aid, [change])
    _edit(client, aid, etok, 1, note="Reviewed 2025.")
    page = client.get(f"/review/{aid}", headers=bearer(rtok)).text
    assert "Sources changed" in page and "<ins>" in page and "no longer" in page
    _review(client, aid, rtok, ("start", 2))
    r = client.post(f"/api/v1/answers/{aid}/review", headers=bearer(rtok),
                    json={"action": "approve", "expected_version": 2})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_review"
    assert client.get("/api/v1/library").json()["total"] == 0


def test_the_review_page_tells_an_earlier_editor_they_cannot_approve(client: TestClient) -> None:
    aid = _ask(client)
    e1 = add_user(client, "e1", role="editor", name="Dr E. One")
    e2 = api_token(client, add_user(client, "e2", role="editor", name="Dr E. Two"))
    _edit(client, aid, api_token(client, e1), 1, operations=[{"op": "remove", "place": "section:labels", "index": 1}])
    _edit(client, aid, e2, 2, note="Checked.")
    _review(client, aid, e2, ("start", 3))
    sign_in(client, "e1")
    assert "You made a version of this answer since it was last approved" in client.get(f"/review/{aid}").text


def test_quoted_marks_only_whole_words() -> None:
    from curbside.types import Statement
    from curbside.web.review_view import quoted

    def st(text: str) -> Statement:
        return Statement(text, (1,))  # no recorded quote: the whole-word search

    passage = "Baclofen is contraindicated in patients with X. Use under 12 years of age is not studied."
    assert not quoted(passage, st("indicated in patients with X."))["verbatim"]
    assert not quoted(passage, st("Use under 1"))["verbatim"]
    q = quoted(passage, st("contraindicated in  patients with X."))
    assert q["verbatim"] and q["before"] == "Baclofen is "
    assert [s["text"] for s in q["segments"]] == ["contraindicated in patients with X."]
    q = quoted("ba b a b.", st("a b"))
    assert q["verbatim"] and (q["before"], q["after"]) == ("ba b ", ".")
