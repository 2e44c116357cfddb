"""The published library pages and API, the public "Needs re-review" notice, the editor's
note on the article page, and page reads counted in memory and flushed at shutdown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fakes import PASSAGE_1, FakeEngine
from fastapi.testclient import TestClient

from curbside.editorial import Actor, EditorialRepository, Status, StoredArticle
from curbside.editorial.edits import AddStatement, Edit, Place
from curbside.settings import Settings
from curbside.web.app import create_app


@pytest.fixture
def client(make_client: Callable[..., TestClient], engine: FakeEngine, database_url: str) -> TestClient:
    """This module runs on both editorial databases: SQLite and a real PostgreSQL."""
    return make_client(engine, database_url=database_url)

REVIEWER = Actor("rivera", "Dr A. Rivera", id=None)


def ask(client: TestClient, question: str, audience: str = "physician") -> StoredArticle:
    r = client.post("/api/v1/answers", json={"question": question, "audience": audience})
    assert r.status_code == 200, r.text
    return client.app.state.service.repo.get(r.json()["id"])  # type: ignore[attr-defined, no-any-return]


def approve(client: TestClient, stored: StoredArticle) -> StoredArticle:
    repo = client.app.state.service.repo  # type: ignore[attr-defined]
    for action in ("start", "approve"):
        stored = repo.transition(stored.id, action, REVIEWER, expected_version=stored.version)
    return stored


def test_library_lists_only_approved_answers(client: TestClient) -> None:
    empty = client.get("/library")
    assert empty.status_code == 200 and "No answer has been approved yet" in empty.text
    approved = approve(client, ask(client, "What is baclofen used for?"))
    pending = ask(client, "What is the dose of baclofen?")
    html = client.get("/library").text
    assert f'<a href="{approved.url}">What is baclofen used for?</a>' in html
    assert pending.url not in html
    assert "1 approved answer<" in html
    assert 'href="/library?drug=baclofen"' in html and 'href="/library?question_type=indication"' in html

    data = client.get("/api/v1/library").json()
    assert data["total"] == 1 and data["answers"][0]["url"] == approved.url
    assert data["answers"][0]["drugs"] == ["baclofen"] and data["answers"][0]["question_type"] == "indication"
    assert data["facets"]["drug"] == [{"value": "baclofen", "label": "baclofen", "count": 1, "selected": False}]


def test_library_filters_search_and_errors(client: TestClient) -> None:
    approve(client, ask(client, "What is baclofen used for?"))
    assert client.get("/api/v1/library", params={"drug": "baclofen",
                                                 "question_type": "indication"}).json()["total"] == 1
    assert client.get("/api/v1/library", params={"drug": "warfarin"}).json()["total"] == 0
    assert client.get("/api/v1/library", params={"q": "used baclofen"}).json()["total"] == 1
    filtered = client.get("/library", params={"drug": "baclofen"}).text
    assert 'aria-current="true" class="selected">baclofen' in filtered and 'href="/library">Show all' in filtered
    bad = client.get("/api/v1/library", params={"question_type": "astrology"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_input"
    assert client.get("/api/v1/library", params={"limit": 0}).status_code == 422
    assert client.get("/library", params={"order": "random"}).status_code == 400


def test_library_search_words_are_escaped(client: TestClient) -> None:
    html = client.get("/library", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_library_is_linked_from_the_home_page(client: TestClient) -> None:
    html = client.get("/").text
    assert 'href="/library"' in html


def test_needs_rereview_is_shown_publicly(client: TestClient) -> None:
    stored = approve(client, ask(client, "What is baclofen used for?"))
    repo = client.app.state.service.repo  # type: ignore[attr-defined]
    assert "Reviewed by Dr A. Rivera" in client.get(stored.url).text
    assert repo.mark_needs_rereview(stored.id, [{"reference": 1, "passage_id": "label:abc#0", "kind": "removed",
                                                 "old": PASSAGE_1, "new": None}])
    html = client.get(stored.url).text
    assert "<strong>Needs re-review</strong>" in html and "A source this answer quotes has changed" in html
    assert "Reviewed by" not in html and "pending human review" not in html
    assert 'id="rereview-status"' in html
    review = client.get(stored.url + ".json").json()["review"]
    assert review["status"] == "needs_rereview" and review["needs_rereview"] and review["pending_human_review"]
    assert client.get("/api/v1/library").json()["total"] == 0  # not approved any more


def test_editor_note_is_shown_on_the_page(client: TestClient) -> None:
    stored = ask(client, "What is baclofen used for?")
    svc = client.app.state.service  # type: ignore[attr-defined]
    editor = Actor("chen", "Dr B. Chen", id=None, credentials="PharmD")
    text = "Baclofen may also be of some value in patients with spinal cord injuries and other spinal cord diseases."
    edited = svc.edit(stored.id, Edit((AddStatement(Place.of_section("labels"), text, 1),), reason="Add the other use.",
                                      note="Spinal cord <b>injury</b> use is from the label."), editor, 1)
    html = client.get(edited.url).text
    assert 'id="editor-note"' in html and "Spinal cord &lt;b&gt;injury&lt;/b&gt; use is from the label." in html
    assert "— Dr B. Chen, PharmD" in html and f"{text}<sup" in html
    assert "Edited by Dr B. Chen (version 2): Add the other use." in html


def test_page_reads_are_counted_in_memory_and_written_at_shutdown(tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = create_app(Settings(data_dir=data), engine_factory=lambda s: FakeEngine())
    with TestClient(app) as client:
        stored = ask(client, "What is baclofen used for?")
        for path in (stored.url, stored.url, stored.url + ".json"):
            assert client.get(path).status_code == 200
        assert client.get("/a/wrong-slug-" + stored.id, follow_redirects=False).status_code == 301  # not a read
        svc = client.app.state.service  # type: ignore[attr-defined]
        assert svc.reads.pending == {stored.id: 3}
        assert svc.repo.get(stored.id).reads == 0  # GET never wrote
    repo = EditorialRepository.for_data_dir(data)
    try:
        got = repo.get(stored.id)
        assert got.reads == 3 and got.status is Status.SUBMITTED
    finally:
        repo.close()
