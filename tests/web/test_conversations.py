"""Conversations on the web (scripted engine): every question asked is a turn; the article
shows its thread with ?c=<id>, /c/<id> the conversation alone; only the id opens one (the
Board has a list); GET never writes; suggested follow-ups post into the conversation."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fakes import FakeEngine
from fastapi.testclient import TestClient
from signin import add_user, article_url, ask_form, audit_lines, conversation_of, page_csrf, sign_in

from curbside.editorial.conversations import new_id

Q = "What is the indication for Baclofen (Lioresal)?"


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine(typed=True)


@pytest.fixture
def client(make_client: Callable[..., TestClient], engine: FakeEngine, database_url: str) -> TestClient:
    """This module runs on both editorial databases: SQLite and a real PostgreSQL."""
    return make_client(engine, database_url=database_url)


def _post(client: TestClient, **data: str):  # type: ignore[no-untyped-def]
    return client.post("/ask", data={"csrf_token": page_csrf(client), "audience": "physician", **data},
                       follow_redirects=False)


def _private(r) -> bool:  # type: ignore[no-untyped-def]
    return "private" in r.headers.get("cache-control", "") and r.headers.get("x-robots-tag") == "noindex"


def test_a_follow_up_from_the_article_page_continues_the_conversation(client: TestClient, engine: FakeEngine
                                                                      ) -> None:
    first = ask_form(client, Q)
    cid = conversation_of(first)
    page = client.get(first.headers["location"])
    assert page.status_code == 200 and _private(page) and '<meta name="robots" content="noindex">' in page.text
    assert f'name="c" value="{cid}"' in page.text and 'id="thread"' not in page.text  # one turn: no thread yet
    second = ask_form(client, "What is the usual dose?", c=cid)
    assert conversation_of(second) == cid and engine.calls[-1][2] == Q
    html = client.get(second.headers["location"]).text
    thread = html.split('id="thread"')[1].split("</aside>")[0]
    links = re.findall(r'<a href="(/a/[^"?]+)\?c=([^"]+)">([^<]+)</a>', thread)
    assert [(c, text) for _, c, text in links] == [(cid, Q), (cid, "What is the usual dose?")]
    assert links[0][0] == article_url(first) and links[1][0] == article_url(second)
    assert re.search(r'class="turn current" aria-current="true">\s*<a href="[^"]+">What is the usual dose\?', thread)
    assert f"Understood as: <q>What is the usual dose? (after: {Q})</q>" in thread
    assert 'id="understood-as"' in html  # above the article too
    # the conversation page lists both turns and continues it
    conv = client.get(f"/c/{cid}")
    assert conv.status_code == 200 and _private(conv) and '<meta name="robots" content="noindex">' in conv.text
    assert conv.text.count('<li class="turn') == 2 and f'name="c" value="{cid}"' in conv.text
    api = client.get(f"/api/v1/conversations/{cid}")
    assert api.status_code == 200 and _private(api)
    body = api.json()
    assert body["id"] == cid and [t["question"] for t in body["turns"]] == [Q, "What is the usual dose?"]
    assert body["turns"][1]["url"].endswith(f"{article_url(second)}?c={cid}")


def test_switching_audience_keeps_the_conversation(client: TestClient, engine: FakeEngine) -> None:
    first = ask_form(client, Q)
    cid = conversation_of(first)
    second = ask_form(client, "And the dose?", c=cid)
    html = client.get(second.headers["location"]).text
    aid = article_url(second).rsplit("-", 1)[1]
    assert f'name="variant_of" value="{aid}"' in html  # the audience buttons post the answer, not its words
    switched = _post(client, variant_of=aid, audience="patient", c=cid)
    assert switched.status_code == 303 and conversation_of(switched) == cid
    assert engine.calls[-1] == ("And the dose?", "patient", Q)  # the same question and context, another reader
    page = client.get(switched.headers["location"]).text
    assert 'aria-current="true" class="selected">Patient / caregiver<' in page
    assert 'class="turn current"' in page and "And the dose?" in page.split('id="thread"')[1]  # its turn
    # the physician answer is now a link that keeps the conversation, and the follow-up box continues it
    assert f'href="{article_url(second)}?c={cid}" data-audience="physician"' in page
    followup = page.split('class="followup"')[1]
    assert f'name="c" value="{cid}"' in followup and 'name="audience" value="patient"' in followup
    third = ask_form(client, "Is it safe in pregnancy?", "patient", c=cid)
    conv = client.get(f"/api/v1/conversations/{conversation_of(third)}").json()
    assert conv["id"] == cid and conv["audience"] == "patient"
    assert [(t["question"], t["audience"]) for t in conv["turns"]] == [
        (Q, "physician"), ("And the dose?", "physician"), ("Is it safe in pregnancy?", "patient")]
    # ?audience= on a page with ?c= goes to the stored variant with the conversation kept
    r = client.get(article_url(second), params={"audience": "patient", "c": cid}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == switched.headers["location"]


@pytest.mark.parametrize("bad", ["nope", "7f3a9c12", "x" * 30, "what-is-it-7f3a9c12"])
def test_an_unknown_or_malformed_conversation_is_not_found(client: TestClient, bad: str) -> None:
    url = article_url(ask_form(client, Q))
    unknown = new_id()
    for cid in (bad, unknown):
        for r in (client.get(f"/c/{cid}"), client.get(f"/api/v1/conversations/{cid}"),
                  client.get(url, params={"c": cid}), _post(client, q="And the dose?", c=cid)):
            assert r.status_code == 404, (cid, r.request.url)
    api = client.post("/api/v1/answers", json={"question": "And the dose?", "conversation_id": unknown})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_an_article_outside_the_conversation_is_shown_on_its_own(client: TestClient) -> None:
    cid = conversation_of(ask_form(client, Q))
    other = article_url(ask_form(client, "What is baclofen?"))
    html = client.get(other, params={"c": cid}).text
    assert f'value="{cid}"' not in html and 'id="thread"' not in html


def test_there_is_no_public_list_but_the_board_has_one(client: TestClient) -> None:
    cid = conversation_of(ask_form(client, Q))
    assert client.get("/api/v1/conversations").status_code == 401
    assert client.get("/review/conversations", headers={"accept": "text/html"}).status_code == 401
    add_user(client, "reader1", role="reader", name="A Reader", credentials="")
    sign_in(client, "reader1")
    assert client.get("/api/v1/conversations").status_code == 403
    assert client.get("/review/conversations").status_code == 403
    refused = [a for _, a, o, _ in audit_lines(client, "refused")]
    assert refused.count("conversations.list") == 4
    add_user(client)
    sign_in(client)
    listed = client.get("/api/v1/conversations").json()["conversations"]
    assert [(c["id"], c["turns"], c["first_question"]) for c in listed] == [(cid, 1, Q)]
    page = client.get("/review/conversations")
    assert page.status_code == 200 and f'href="/c/{cid}"' in page.text and _private(page)
    assert client.get(f"/c/{cid}").status_code == 200  # a reviewer opens any conversation from the list


def test_get_never_writes_a_conversation_or_suggestions(client: TestClient, engine: FakeEngine) -> None:
    first = ask_form(client, Q)
    cid = conversation_of(first)
    repo = client.app.state.service.repo  # type: ignore[attr-defined]
    before = (repo.conversations.count(), repo.conversations.get(cid), len(engine.calls), len(engine.suggest_calls))
    for path in (first.headers["location"], f"/c/{cid}", f"/api/v1/conversations/{cid}",
                 article_url(first) + ".json", f"/ask?q=And+the+dose%3F&c={cid}"):
        assert client.get(path).status_code == 200, path
    assert (repo.conversations.count(), repo.conversations.get(cid), len(engine.calls),
            len(engine.suggest_calls)) == before
    # an answer stored without its follow-ups worked out (before this feature) shows none on GET
    from fakes import make_article

    from curbside.types import Audience

    stored, _ = repo.save_answer("Old?", "physician", make_article("Old?", Audience.PHYSICIAN).to_json())
    html = client.get(stored.url).text
    assert "Suggested follow-ups" not in html and client.get(stored.url + ".json").json()["suggested_follow_ups"] == []
    assert len(engine.suggest_calls) == before[3]


def test_suggested_follow_ups_post_into_the_conversation(client: TestClient, engine: FakeEngine) -> None:
    first = ask_form(client, Q)
    cid = conversation_of(first)
    html = client.get(first.headers["location"]).text
    section = html.split('id="suggested"')[1].split("</section>")[0]
    offered = re.findall(r'name="q" value="([^"]+)"', section)
    assert offered == ["What is the usual dose of baclofen?", "What are the side effects of baclofen?",
                       "Who should not take baclofen?"]
    assert section.count('name="csrf_token"') == 3 and section.count(f'name="c" value="{cid}"') == 3
    api = client.post("/api/v1/answers", json={"question": Q}).json()
    assert api["suggested_follow_ups"] == offered and api["cached"] is True
    assert len(engine.suggest_calls) == 1  # worked out once per answer (and kept), not per request
    # asking one continues the conversation; what it asked is not offered again
    r = _post(client, q=offered[0], c=cid)
    assert conversation_of(r) == cid
    page = client.get(r.headers["location"]).text
    again = re.findall(r'name="q" value="([^"]+)"', page.split('id="suggested"')[1].split("</section>")[0])
    assert offered[0] not in again and again[:2] == offered[1:]


def test_suggestions_are_worked_out_again_on_a_new_corpus(make_client: Callable[..., TestClient],
                                                           tmp_path) -> None:  # type: ignore[no-untyped-def]
    old = FakeEngine(typed=True)
    a = make_client(old).post("/api/v1/answers", json={"question": Q}).json()
    assert a["suggested_follow_ups"] and len(old.suggest_calls) == 1
    new = FakeEngine(typed=True, corpus_version="corpus-2", suggestions=())
    b = make_client(new).post("/api/v1/answers", json={"question": Q}).json()
    assert b["suggested_follow_ups"] == [] and len(new.suggest_calls) == 1  # none qualify now: none shown


def test_follow_up_suggestions_can_be_turned_off(make_client: Callable[..., TestClient]) -> None:
    engine = FakeEngine(typed=True)
    client = make_client(engine, follow_up_suggestions=0)
    a = client.post("/api/v1/answers", json={"question": Q}).json()
    assert a["suggested_follow_ups"] == [] and engine.suggest_calls == []
    assert "Suggested follow-ups" not in client.get(article_url(ask_form(client, Q))).text
    one = make_client(FakeEngine(typed=True), follow_up_suggestions=1)
    assert len(one.post("/api/v1/answers", json={"question": Q}).json()["suggested_follow_ups"]) == 1
