"""The pages mark exactly the words a statement quotes, from its recorded spans: the
article page's citation preview and the review page. The old search for the sentence's
first 60 characters would land on an earlier sentence that starts the same way."""

from __future__ import annotations

import dataclasses
import json
import re
from html import unescape

from fakes import FakeEngine, make_article
from fastapi.testclient import TestClient
from signin import add_user, article_url, ask_form, sign_in

from curbside.composition.sentences import clean_snippet, sentence_snippets
from curbside.types import Article, Audience, Section, Statement

PID = "label:abc#0"
# the quoted sentence is the second; the first starts with the same 60+ characters
PASSAGE = ("Baclofen is indicated for the relief of flexor spasms and concomitant pain in adults. It is not a "
           "first choice in children. Baclofen is indicated for the relief of flexor spasms and concomitant pain "
           "in adults with spinal cord injuries [see Clinical Studies (14)]. Taper the dose on stopping.")
STATEMENT = ("Baclofen is indicated for the relief of flexor spasms and concomitant pain in adults with spinal cord "
             "injuries.")


class TwiceEngine(FakeEngine):
    """Answers with the passage's third sentence, quoted as the composer quotes it."""

    def ask(self, question: str, audience: Audience = Audience.PHYSICIAN, context: str | None = None) -> Article:
        base = make_article(" ".join(question.split()), audience)
        sn = clean_snippet(sentence_snippets(PASSAGE)[2], 400)
        assert sn is not None and sn.text == STATEMENT
        st = Statement(sn.text, (1,), sn.quote(PID))
        ref = dataclasses.replace(base.references[0], passage=PASSAGE, passage_id=PID)
        return dataclasses.replace(base, summary=(st,), sections=(Section("labels", "Labels", (st,)),),
                                   references=(ref,))


def _segments(html: str) -> list[list[dict[str, str]]]:
    return [json.loads(unescape(m)) for m in re.findall(r"data-segments='([^']*)'", html)]


def test_the_preview_marks_exactly_the_quoted_span_and_shows_the_cut(make_client) -> None:
    client: TestClient = make_client(TwiceEngine())
    r = ask_form(client, "What is baclofen for?")
    html = client.get(r.headers["location"]).text
    segs = _segments(html)
    assert len(segs) == 2  # the summary's and the section's citation
    before, *quoted, after = segs[0]
    at = PASSAGE.index(STATEMENT[:60], 1)  # where the quoted sentence really is: the second time
    assert before == {"text": PASSAGE[:at], "kind": "", "cut": ""}
    assert quoted == [
        {"text": STATEMENT[:-1], "kind": "quote", "cut": ""},
        {"text": " [see Clinical Studies (14)]", "kind": "cut", "cut": "cross_reference"},
        {"text": ".", "kind": "quote", "cut": ""},
    ]
    assert after["kind"] == "" and after["text"] == " Taper the dose on stopping."
    # the plain excerpt (the tooltip's text without the script's marks) is the same window
    excerpt = re.search(r'data-excerpt="([^"]*)"', html)
    assert excerpt and unescape(excerpt.group(1)) == "".join(s["text"] for s in segs[0]) == PASSAGE


def test_the_review_page_marks_the_recorded_span(make_client) -> None:
    client: TestClient = make_client(TwiceEngine())
    aid = article_url(ask_form(client, "What is baclofen for?")).rsplit("-", 1)[1]
    add_user(client)
    sign_in(client)
    page = client.get(f"/review/{aid}").text
    first = PASSAGE[: PASSAGE.index(STATEMENT[:60], 1)]
    assert (f"<p>{first}<mark>{STATEMENT[:-1]}</mark><del class=\"cut\" title=\"Left out of the statement "
            f"(cross reference)\"> [see Clinical Studies (14)]</del><mark>.</mark> Taper the dose on stopping.</p>"
            ) in page
    assert "its recorded place in the passage checks out" in page


def test_a_statement_without_a_quote_falls_back_on_the_search(make_client) -> None:
    # a statement that records no quote (an article stored before schema 1.2): no marks
    client: TestClient = make_client(FakeEngine(text_suffix=" More."))
    html = client.get(ask_form(client, "What is baclofen for?").headers["location"]).text
    anchors = re.findall(r'<a class="cite"[^>]*>', html)
    first = [a for a in anchors if 'data-ref="1"' in a]
    assert first and all("data-segments" not in a and "data-excerpt=" in a for a in first)
    # the other statement still quotes its passage: marked
    assert any("data-segments" in a for a in anchors if 'data-ref="2"' in a)
