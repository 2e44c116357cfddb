"""The web app on a real engine over a small real slice of ../shared (integration)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration

Q = "What is the indication for Baclofen (Lioresal)?"


def test_baclofen_answer_over_the_api(real_client: TestClient) -> None:
    r = real_client.post("/api/v1/answers", json={"question": Q, "audience": "physician"})
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["abstained"] is False
    assert [d["generic"] for d in a["entities"]["drugs"]] == ["baclofen"]
    assert a["sections"] and a["references"]
    numbers = {ref["number"] for ref in a["references"]}
    for st in a["summary"] + [s for sec in a["sections"] for s in sec["statements"]]:
        assert st["citations"] and set(st["citations"]) <= numbers
    by_number = {ref["number"]: ref for ref in a["references"]}
    first = a["sections"][0]["statements"][0]
    assert first["text"][:40] in by_number[first["citations"][0]]["passage"]  # verbatim from the cited passage
    assert a["review"]["status"] == "submitted"
    again = real_client.post("/api/v1/answers", json={"question": Q}).json()
    assert again["id"] == a["id"] and again["cached"] is True


def test_article_page_on_real_answer(real_client: TestClient) -> None:
    from signin import ask_form

    r = ask_form(real_client, Q, "nurse")  # the ask form: a POST with the page's CSRF token
    assert r.status_code == 303 and "/a/what-is-the-indication-for-baclofen-lioresal-" in r.headers["location"]
    url = r.headers["location"].split("?", 1)[0]
    html = real_client.get(url).text
    assert "pending human review" in html and 'class="cite"' in html and 'id="ref-1"' in html
    assert real_client.get(url + ".json").json()["audience"] == "nurse"


def test_follow_up_keeps_the_drug(real_client: TestClient) -> None:
    first = real_client.post("/api/v1/answers", json={"question": Q}).json()
    follow = real_client.post("/api/v1/answers", json={"question": "What is the usual dose?",
                                                       "conversation_id": first["id"]}).json()
    assert [d["generic"] for d in follow["entities"]["drugs"]] == ["baclofen"]
    assert follow["follows"] == first["id"]


def test_unknown_drug_abstains_not_errors(real_client: TestClient) -> None:
    r = real_client.post("/api/v1/answers", json={"question": "What is the indication for zzqxvorin?"})
    assert r.status_code == 200
    assert r.json()["abstained"] is True and r.json()["abstain_reason"]


def test_search_sources_from_the_lexical_index(real_client: TestClient) -> None:
    r = real_client.get("/api/v1/search", params={"q": "baclofen spasticity", "limit": 5})
    assert r.status_code == 200
    sources = r.json()["sources"]
    assert 1 <= len(sources) <= 5
    s = sources[0]
    assert {"passage_id", "doc_id", "title", "type", "type_label", "source", "year", "url", "section",
            "snippet"} <= s.keys()
    assert "baclofen" in s["snippet"].lower() or "spastic" in s["snippet"].lower()
    assert len(s["snippet"]) <= 260


def test_healthz_reports_the_corpus(real_client: TestClient) -> None:
    h = real_client.get("/healthz").json()
    assert h["status"] == "ok" and len(h["corpus_version"]) >= 8
