"""Server-rendered pages on a scripted engine: the article page's parts, the audience
selector, the review display, the editorial pages and HTML escaping (XSS)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fakes import FakeEngine, FakeLexical, FakeStore
from fastapi.testclient import TestClient
from signin import add_user, article_url, ask_form, conversation_of, other_client, review, sign_in

from curbside.types import SourceType, StoredPassage

Q = "What is the indication for Baclofen (Lioresal)?"


def open_article(client: TestClient, question: str = Q, audience: str = "physician"):
    r = ask_form(client, question, audience)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])  # the article beside its conversation (?c=)
    assert page.status_code == 200
    return article_url(r), page.text


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        if d.get("id"):
            self.ids.add(d["id"])
        if tag == "a" and d.get("href"):
            self.hrefs.append(d["href"])
        if tag == "script":
            self.scripts.append(d.get("src") or "inline")


def test_home_has_the_question_box(client: TestClient) -> None:
    html = client.get("/").text
    assert '<form class="ask" method="post" action="/ask"' in html
    assert 'name="q"' in html and 'name="audience"' in html and 'name="csrf_token"' in html
    assert '<html lang="en">' in html and 'name="viewport"' in html


def test_ask_redirects_to_a_stable_readable_url(client: TestClient) -> None:
    url, _ = open_article(client)
    assert re.fullmatch(r"/a/what-is-the-indication-for-baclofen-lioresal-[0-9a-f]{8}", url)
    again = client.get("/ask", params={"q": Q}, follow_redirects=False)
    assert again.headers["location"] == url
    slug_fixed = client.get("/a/wrong-slug-" + url.rsplit("-", 1)[1], follow_redirects=False)
    assert slug_fixed.status_code == 301 and slug_fixed.headers["location"] == url


def test_article_page_has_the_reference_shape(client: TestClient) -> None:
    url, _ = open_article(client)
    html = client.get(url).text  # the article on its own (no ?c=<conversation>)
    assert f"<h1 id=\"title\">{Q}</h1>" in html
    assert "Educational purpose only</strong> • Exercise caution as content is pending human review" in html
    assert re.search(r'<li class="step current" aria-current="step">.*?Submitted', html)
    assert "Under Review" in html and "Approved" in html
    assert "Last updated:" in html and 'href="/editorial-policy"' in html
    assert "Which best describes you?" in html
    # the page's own audience is a link; the others are not answered yet, so each is a POST button
    assert f'<a href="{url}" data-audience="physician" aria-current="true" class="selected">' in html
    for value in ("nurse", "pharmacist", "student", "patient"):
        assert f'<input type="hidden" name="audience" value="{value}">' in html
        assert f'href="{url}?audience={value}"' not in html
    assert "<h2 id=\"summary-h\">Summary</h2>" in html
    assert "What the drug labels say" in html
    assert 'class="badge type-drug_label">Drug label<' in html and 'class="badge type-research">Research<' in html
    assert "Professional Medical Disclaimer" in html
    assert "Have a follow-up question?" in html and 'name="after"' in html
    parsed = Ids()
    parsed.feed(html)
    cites = [h for h in parsed.hrefs if h.startswith("#ref-")]
    assert cites and all(h[1:] in parsed.ids for h in cites)  # every citation lands on a reference
    assert parsed.scripts == ["/static/cite.js"]


def test_audience_selector_changes_url_and_page(client: TestClient, engine: FakeEngine) -> None:
    url, _ = open_article(client)
    r = ask_form(client, Q, "patient")  # the audience button posts the question for that reader
    assert r.status_code == 303
    patient_url = article_url(r)
    assert patient_url != url and patient_url.startswith("/a/what-is-the-indication-for-baclofen-lioresal-")
    html = client.get(patient_url).text
    assert 'aria-current="true" class="selected">Patient / caregiver<' in html
    assert "Please note" in html and "Professional Medical Disclaimer" not in html
    assert engine.calls[-1][1] == "patient"
    # an answer that exists for another reader is a plain link, and ?audience= redirects to it
    assert f'<a href="{url}" data-audience="physician">Physician</a>' in html
    r = client.get(url, params={"audience": "patient"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == patient_url
    # choosing the audience the page already has stays put
    assert client.get(url, params={"audience": "physician"}, follow_redirects=False).status_code == 200


def test_follow_up_form_keeps_context(client: TestClient, engine: FakeEngine) -> None:
    first = ask_form(client, Q)
    cid = conversation_of(first)
    html = client.get(first.headers["location"]).text
    assert '<form method="post" action="/ask">' in html and f'name="c" value="{cid}"' in html
    r = ask_form(client, "What is the usual dose?", "physician", c=cid)
    assert r.status_code == 303 and r.headers["location"].startswith("/a/what-is-the-usual-dose-")
    assert conversation_of(r) == cid
    assert engine.calls[-1] == ("What is the usual dose?", "physician", Q)
    # an article page reached without a conversation starts one from that answer
    url, html = open_article(client, "What is baclofen?")
    aid = url.rsplit("-", 1)[1]
    plain = client.get(url).text
    assert f'name="after" value="{aid}"' in plain and 'name="c"' not in plain.split('class="followup"')[1]
    r = ask_form(client, "And the dose?", "physician", after=aid)
    assert engine.calls[-1] == ("And the dose?", "physician", "What is baclofen?") and conversation_of(r) != cid


def test_approved_answer_shows_reviewers_instead_of_banner(client: TestClient) -> None:
    url, _ = open_article(client)
    aid = url.rsplit("-", 1)[1]
    add_user(client)
    add_user(client, "bchen", name="Dr B. Chen", credentials="PharmD")
    rivera, chen = client, other_client(client)
    assert review(rivera, aid, "start", csrf=sign_in(rivera, "arivera")).status_code == 200
    assert review(chen, aid, "approve", csrf=sign_in(chen, "bchen")).status_code == 200
    html = client.get(url).text
    assert "pending human review" not in html
    assert re.search(r"Reviewed by Dr A\. Rivera, MD, neurology and Dr B\. Chen, PharmD on "
                     r"<time datetime=\"\d{4}-\d\d-\d\d\">", html)
    assert re.search(r'<li class="step current" aria-current="step">.*?Approved', html)
    assert "Review started by Dr A. Rivera" in html  # the audit trail is on the page


def test_editorial_policy_and_about_say_how_answers_are_made(client: TestClient) -> None:
    policy = client.get("/editorial-policy").text
    about = client.get("/about").text
    for text in (policy, about):
        assert "verbatim" in text and "language model" in text
        assert "openFDA" in text and "DailyMed" in text and "PubMed" in text and "MedQuAD" in text
        assert "Guideline Clearinghouse" in text
    assert "Submitted" in policy and "Under Review" in policy and "Approved" in policy
    assert "What curbside does not do" in about


def test_pages_send_a_strict_content_security_policy(client: TestClient) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "@import" not in css.text and "url(http" not in css.text


def test_script_in_question_or_source_renders_inert(make_client) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client = make_client(FakeEngine(text_suffix=evil))
    url, html = open_article(client, question=f"What is baclofen for? {evil}")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html
    # the evil text also reaches attributes (data-excerpt, aria-label) escaped
    assert 'onerror=alert(1)"' not in html
    assert "<script" not in re.sub(r'<script src="/static/cite.js" defer></script>', "", html)
    # search page and error page escape too
    search = client.get("/search", params={"q": evil}).text
    assert "<script>alert" not in search and "&lt;script&gt;" in search
    err = client.get("/ask", params={"q": evil, "audience": evil}).text
    assert "<script>alert" not in err


def test_head_requests_get_the_page_status(client: TestClient) -> None:
    assert client.head("/").status_code == 200
    assert client.head("/about").status_code == 200
    assert client.head("/a/nothing-deadbeef").status_code == 404


def _source(rowid: int, url: str | None) -> StoredPassage:
    return StoredPassage(rowid=rowid, passage_id=f"medquad:x{rowid}#0", doc_id=f"medquad:x{rowid}", ordinal=0,
                         section="What is spasticity?", section_code="", text="Baclofen relieves spasticity.",
                         source_type=SourceType.PATIENT_INFO, title=f"Spasticity {rowid}", publisher="NIH",
                         year=None, date=None, url=url, drugs=())


BAD_URLS = ["javascript:alert(1)", " JavaScript:alert(1)", "java\nscript:alert(1)", "data:text/html,<b>x</b>",
            "vbscript:x", "//evil.example/x", "https:"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_only_http_links_on_the_article_page(make_client, url: str) -> None:
    client = make_client(FakeEngine(ref_url=url))
    _, html = open_article(client)
    ids = Ids()
    ids.feed(html)
    assert all(not h.lower().lstrip().startswith(("javascript", "java", "data:", "vbscript", "//")) for h in ids.hrefs)
    assert 'class="ref-title">Baclofen tablets<' in html  # the title stays, without a link
    good = make_client(FakeEngine(ref_url="https://dailymed.nlm.nih.gov/dailymed/"))
    assert 'href="https://dailymed.nlm.nih.gov/dailymed/"' in open_article(good, "What is baclofen for?")[1]


@pytest.mark.parametrize("url", BAD_URLS)
def test_only_http_links_in_search_hits(make_client, url: str) -> None:
    ok = "http://www.ninds.nih.gov/disorders/spasticity"
    engine = FakeEngine(lexical=FakeLexical(hits=[(1, 2.0), (2, 1.0)]),
                        store=FakeStore(stored=[_source(1, url), _source(2, ok)]))
    client = make_client(engine)
    hits = client.get("/api/v1/search", params={"q": "spasticity"}).json()["sources"]
    assert [h["url"] for h in hits] == [None, ok]
    html = client.get("/search", params={"q": "spasticity"}).text
    ids = Ids()
    ids.feed(html)
    assert ok in ids.hrefs and not [h for h in ids.hrefs if "script" in h or h.startswith(("data:", "//"))]
    assert "Spasticity 1" in html


def test_a_reference_copied_by_other_labels_says_so_and_lists_them(make_client) -> None:
    from curbside.types import AlsoIn

    others = (AlsoIn("label:x", "label:x#0", "Baclofen tablets", "Other Pharma", 2021, "https://example.org/x"),
              AlsoIn("label:y", "label:y#0", "Baclofen tablets", "Third <Pharma>", None, "javascript:alert(1)"))
    client = make_client(FakeEngine(copies=(5, others)))
    url, html = open_article(client)
    refs = html.split('id="references"')[1]
    first, second = refs.split('id="ref-2"')
    assert '<details class="also-in">' in first and "Also in 5 other labels with the same text" in first
    assert '<a href="https://example.org/x" rel="noopener noreferrer">Baclofen tablets</a>' in first
    assert "Other Pharma, 2021" in first and "Third &lt;Pharma&gt;" in first
    assert "javascript:" not in first  # only http(s) URLs become links
    assert "and 3 more" in first
    assert "also-in" not in second  # a reference without copies shows nothing
    doc = client.get(url + ".json").json()
    assert doc["references"][0]["copies"] == 5 and len(doc["references"][0]["also_in"]) == 2
    assert "copies" not in doc["references"][1]
