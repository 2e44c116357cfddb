"""JSON API on a scripted engine: every endpoint, the stored-answer fast path, the
review workflow over HTTP and the offline API docs."""

from __future__ import annotations

import re

from fakes import FakeEngine, make_article
from fastapi.testclient import TestClient
from signin import add_user, api_token, review

Q = "What is the indication for Baclofen (Lioresal)?"


def ask(client: TestClient, question: str = Q, **body: object) -> dict:
    r = client.post("/api/v1/answers", json={"question": question, **body})
    assert r.status_code == 200, r.text
    return r.json()


def test_post_answer_returns_article_json_plus_id_url_review(client: TestClient) -> None:
    a = ask(client, audience="pharmacist")
    assert a["schema_version"] == "1.3" and a["question"] == Q and a["audience"] == "pharmacist"
    assert {"summary", "sections", "references", "corpus_version", "settings_hash"} <= a.keys()
    assert re.fullmatch(r"[0-9a-f]{8,}", a["id"])
    assert a["url"] == f"http://testserver/a/what-is-the-indication-for-baclofen-lioresal-{a['id']}"
    assert a["json_url"] == a["url"] + ".json"
    assert a["review"] == {
        "status": "submitted", "status_label": "Submitted", "step": 1, "version": 1, "reviewers": [],
        "reviewed_by": [], "approved_at": None, "pending_human_review": True, "needs_rereview": False,
        "updated": a["review"]["updated"],
    }
    assert a["cached"] is False and a["follows"] is None


def test_same_question_and_audience_is_served_from_the_store(client: TestClient, engine: FakeEngine) -> None:
    first = ask(client)
    again = ask(client, question="  what is the indication for baclofen (lioresal)?")
    assert again["id"] == first["id"] and again["cached"] is True
    assert len(engine.calls) == 1
    other = ask(client, audience="patient")
    assert other["id"] != first["id"] and len(engine.calls) == 2


def test_a_corpus_change_makes_a_new_version(make_client, tmp_path) -> None:
    c1 = make_client(FakeEngine(corpus_version="c1"))
    first = ask(c1)
    c2 = make_client(FakeEngine(corpus_version="c2", text_suffix=" Updated."))
    second = ask(c2)
    assert second["id"] == first["id"] and second["cached"] is False
    assert second["review"]["version"] == 2 and second["review"]["status"] == "submitted"
    assert second["corpus_version"] == "c2"
    # once the Board is on it, a new corpus no longer replaces it (living answers do)
    assert review(c2, first["id"], "start", 2, token=api_token(c2, add_user(c2))).status_code == 200
    third = ask(make_client(FakeEngine(corpus_version="c3", text_suffix=" Again.")))
    assert (third["review"]["version"], third["review"]["status"], third["cached"]) == (2, "under_review", True)


def test_get_answer_and_its_json_twins(client: TestClient) -> None:
    a = ask(client)
    got = client.get(f"/api/v1/answers/{a['id']}").json()
    assert got["id"] == a["id"] and got["summary"] == a["summary"] and "cached" not in got
    path = a["url"].removeprefix("http://testserver")
    twin = client.get(path + ".json")
    assert twin.status_code == 200 and twin.headers["content-type"].startswith("application/json")
    assert twin.json()["id"] == a["id"]
    by_accept = client.get(path, headers={"Accept": "application/json"})
    assert by_accept.json()["id"] == a["id"]
    assert client.get(path).headers["content-type"].startswith("text/html")


def _statement_texts(payload: dict) -> list[list[str]]:
    return [[s["text"] for s in sec["statements"]] for sec in payload["sections"]]


def test_post_with_explain_adds_why_each_statement_was_chosen(client: TestClient, engine: FakeEngine) -> None:
    r = client.post("/api/v1/answers?explain=1", json={"question": Q})
    assert r.status_code == 200, r.text
    a = r.json()
    why = a["explanation"]
    assert a["cached"] is False and why["recomputed"] is False and why["matches_answer"] is True
    assert why["note"] is None and len(engine.calls) == 1  # explained as it was made: one engine run
    assert _statement_texts(why) == _statement_texts(a)
    first = why["sections"][0]["statements"][0]
    assert (first["rank"], first["of"], first["step"]) == (1, 3, "scripted label sentences")
    assert first["score"] == 3.5 and first["points"] == {"question_words": 2.0, "section_cue": 1.5}
    left = why["sections"][0]["rejected"][0]
    assert left["reason"] == "outranked" and left["why"].startswith("scored lower than the statements chosen")
    assert why["summary"][0]["section"] == "labels" and why["weights"]["section_cue"] == 1.5
    # without the flag the answer is as before
    assert "explanation" not in ask(client)


def test_a_stored_answer_is_explained_by_asking_the_engine_again(client: TestClient, engine: FakeEngine) -> None:
    a = ask(client)
    again = client.post("/api/v1/answers?explain=true", json={"question": Q}).json()
    assert again["cached"] is True and again["explanation"]["recomputed"] is True
    assert again["explanation"]["matches_answer"] is True and len(engine.calls) == 2
    got = client.get(f"/api/v1/answers/{a['id']}", params={"explain": 1})
    assert got.status_code == 200 and got.json()["id"] == a["id"]
    assert _statement_texts(got.json()["explanation"]) == _statement_texts(a)
    assert "explanation" not in client.get(f"/api/v1/answers/{a['id']}").json()
    assert client.get(f"/api/v1/answers/{a['id']}/history").json()["versions"][0]["version"] == 1  # wrote nothing


def test_an_explanation_says_when_the_engine_no_longer_gives_the_stored_answer(make_client) -> None:
    a = ask(make_client(FakeEngine()))
    changed = make_client(FakeEngine(text_suffix=" Updated."))  # same corpus version: the answer is current
    why = changed.get(f"/api/v1/answers/{a['id']}?explain=1").json()["explanation"]
    assert why["recomputed"] is True and why["matches_answer"] is False
    assert "differs from the one the engine makes now" in why["note"]


def test_explaining_a_stored_answer_is_paced_like_a_new_question(make_client, engine: FakeEngine) -> None:
    client = make_client(engine, ask_rate_per_minute=2, ask_burst=2)
    a = ask(client)
    assert client.get(f"/api/v1/answers/{a['id']}?explain=1").status_code == 200
    assert client.get(f"/api/v1/answers/{a['id']}?explain=1").status_code == 429
    assert client.get(f"/api/v1/answers/{a['id']}").status_code == 200  # reading is never paced


def test_follow_up_passes_the_previous_question_as_context(client: TestClient, engine: FakeEngine) -> None:
    first = ask(client)
    follow = ask(client, question="What is the usual dose?", conversation_id=first["id"])
    assert engine.calls[-1] == ("What is the usual dose?", "physician", Q)
    assert follow["follows"] == first["id"] and follow["id"] != first["id"]
    # a follow-up of a follow-up still carries the drug
    ask(client, question="Any side effects?", conversation_id=follow["id"])
    assert engine.calls[-1][2] == "What is the usual dose? (baclofen)"
    # the context stays within the engine's question limit however long the first question was
    long_q = ask(client, question="What is baclofen for? " + "really " * 280)
    ask(client, question="And the dose?", conversation_id=long_q["id"])
    assert len(engine.calls[-1][2]) <= 2000


def test_review_workflow_over_http(client: TestClient) -> None:
    a = ask(client)
    rivera = api_token(client, add_user(client))
    chen = api_token(client, add_user(client, "bchen", name="Dr B. Chen", credentials="PharmD"))
    r = review(client, a["id"], "start", token=rivera)
    assert r.status_code == 200 and r.json()["review"]["status"] == "under_review"
    r = review(client, a["id"], "approve", token=chen)
    review_ = r.json()["review"]
    assert review_["status"] == "approved" and review_["step"] == 3 and review_["pending_human_review"] is False
    assert review_["reviewers"] == ["Dr A. Rivera", "Dr B. Chen"] and review_["approved_at"]
    assert review_["reviewed_by"] == [{"name": "Dr A. Rivera", "credentials": "MD, neurology"},
                                      {"name": "Dr B. Chen", "credentials": "PharmD"}]
    history = client.get(f"/api/v1/answers/{a['id']}/history").json()
    assert [e["action"] for e in history["events"]] == ["submit", "start", "approve"]
    assert history["versions"][0]["version"] == 1
    queue = client.get("/api/v1/answers", params={"status": "approved"}).json()["answers"]
    assert [x["id"] for x in queue] == [a["id"]]


def test_stale_expected_version_is_409_conflict(client: TestClient) -> None:
    a = ask(client)
    token = api_token(client, add_user(client))
    r = review(client, a["id"], "start", 7, token=token)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "version_conflict"
    assert "version 1" in r.json()["error"]["message"]
    r = review(client, a["id"], "approve", token=token)
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"


def test_list_answers(client: TestClient) -> None:
    ids = {ask(client, question=f"What is drug number {n} for?")["id"] for n in range(3)}
    listed = client.get("/api/v1/answers").json()["answers"]
    assert {x["id"] for x in listed} == ids
    assert all(x["url"].startswith("/a/") and x["status"] == "submitted" for x in listed)


def test_search_returns_stored_answers_and_sources(client: TestClient) -> None:
    a = ask(client)
    r = client.get("/api/v1/search", params={"q": "baclofen"})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "baclofen"
    assert [x["id"] for x in body["articles"]] == [a["id"]]
    assert body["sources"] == []  # the scripted engine has no index; see test_corpus.py


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "corpus_version": "corpus-1", "settings_hash": "settings-1",
                        "answers_stored": 0}


def test_openapi_json_and_offline_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/answers", "/api/v1/answers/{answer_id}", "/api/v1/answers/{answer_id}/review",
                 "/api/v1/search", "/healthz"):
        assert path in spec["paths"], path
    assert "/a/{ref}" not in spec["paths"]  # HTML pages are not API
    docs = client.get("/docs")
    assert docs.status_code == 200
    html = docs.text
    assert "POST /api/v1/answers" in html and "expected_version" in html
    # nothing loaded from another host: offline machines have no CDN
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", html)
    assert "swagger" not in html.lower()


def test_answer_bodies_are_the_article_json_plus_where_and_review(client: TestClient) -> None:
    # the body is the stored article JSON, unchanged, then the answer's fields, in this order
    from curbside.types import Audience
    from curbside.web.routes_api import AnswerResponse, AskResponse

    a = ask(client)
    article = make_article(Q, Audience.PHYSICIAN).to_json()
    extra = ["id", "url", "json_url", "follows", "review"]
    assert list(a) == [*article, *extra, "cached"]
    assert {k: v for k, v in a.items() if k in article} == article
    assert AskResponse.from_json(a).to_json() == a  # exactly what the response model describes
    for body in (client.get(f"/api/v1/answers/{a['id']}").json(), client.get(a["json_url"]).json()):
        assert list(body) == [*article, *extra] and AnswerResponse.from_json(body).to_json() == body
        assert body == {k: v for k, v in a.items() if k != "cached"}


def test_an_answer_stored_as_schema_1_1_is_served_as_1_2(client: TestClient) -> None:
    from curbside.types import Audience

    old = make_article(Q, Audience.PHYSICIAN).to_json()
    old["schema_version"] = "1.1"
    for st in (*old["summary"], *(s for sec in old["sections"] for s in sec["statements"])):
        del st["quote"]
    stored, _ = client.app.state.service.repo.save_answer(Q, "physician", old)
    body = client.get(f"/api/v1/answers/{stored.id}").json()
    assert body["schema_version"] == "1.3" and body["summary"][0]["quote"] is None
    assert body["summary"][0]["text"] == old["summary"][0]["text"] and body["references"] == old["references"]
    assert "What is the indication for Baclofen" in client.get(stored.url).text  # and its page renders


def test_openapi_lists_the_article_schema(client: TestClient) -> None:
    from curbside.types import Article

    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in ("Article", "Entities", "DrugMention", "ConditionMention", "Statement", "Quote", "Cut", "Section",
                 "Reference", "EditorNote", "AnswerResponse", "AskResponse", "Review", "Reviewer"):
        assert name in schemas, name
    art = schemas["Article"]
    assert list(art["properties"]) == [*Article.__dataclass_fields__]  # every field, in document order
    assert set(art["required"]) == set(art["properties"]) - {"editor_note"}  # written in every document
    assert art["properties"]["summary"]["items"] == {"$ref": "#/components/schemas/Statement"}
    assert {"type", "type_label", "passage"} <= schemas["Reference"]["properties"].keys()
    assert "source_type" not in schemas["Reference"]["properties"]
    assert "matched_as" not in schemas["ConditionMention"]["properties"]
    assert set(schemas["Quote"]["properties"]) == {"passage_id", "spans", "cuts"}
    # the answers' bodies are an Article and more
    assert schemas["AnswerResponse"]["allOf"][0] == {"$ref": "#/components/schemas/Article"}
    assert {"id", "url", "json_url", "follows", "review"} == set(schemas["AnswerResponse"]["allOf"][1]["properties"])
    assert schemas["AskResponse"]["allOf"][0] == {"$ref": "#/components/schemas/AnswerResponse"}

    def body(path: str, method: str) -> dict:
        return spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]

    assert body("/api/v1/answers", "post") == {"$ref": "#/components/schemas/AskResponse"}
    for path, method in (("/api/v1/answers/{answer_id}", "get"), ("/api/v1/answers/{answer_id}/review", "post"),
                         ("/api/v1/answers/{answer_id}/edit", "post")):
        assert body(path, method) == {"$ref": "#/components/schemas/AnswerResponse"}, path
