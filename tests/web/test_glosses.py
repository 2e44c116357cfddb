"""Glosses end to end: a real Engine over the fakes glosses patient answers from the
data folder's glossary (and only those), and the article page shows them apart from
the quotes."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fakes import PASSAGE_1, FakeEngine, FakeLexical, FakeStore
from fastapi.testclient import TestClient
from signin import ask_form

from curbside import paths
from curbside.composition.glossing import gloss_article
from curbside.engine import Engine
from curbside.settings import Settings
from curbside.types import Article, Audience, SourceType, StoredPassage
from curbside.understanding.conditions import ConditionMatcher
from curbside.understanding.glossary import Entry, Glossary, Meaning
from curbside.understanding.lexicon import DrugLexicon
from curbside.understanding.parser import QuestionParser

NCI = "NCI Dictionary of Cancer Terms"
GLOSSARY = Glossary.of([
    Entry("spasticity", Meaning("stiff, rigid muscles", NCI)),
    Entry("multiple sclerosis", Meaning("A disease of the brain and spinal cord.", "MedlinePlus: Multiple Sclerosis",
                                        "https://medlineplus.gov/multiplesclerosis.html")),
    Entry("baclofen", Meaning("A drug used to treat muscle spasms.", NCI), drug="baclofen"),
])


def _engine(data_dir: Path) -> Engine:
    passage = StoredPassage(1, "label:abc#0", "label:abc", 0, "Indications and usage", "indications", PASSAGE_1,
                            SourceType.DRUG_LABEL, "Baclofen tablets", "Acme Pharma", 2019, "2019-05-01", None,
                            ("baclofen",))
    parser = QuestionParser(DrugLexicon(["baclofen"], {"baclofen": 0}, ["baclofen"]),
                            ConditionMatcher([], [], {}, [], []))
    lexical = FakeLexical(hits=[(1, 3.0)], counts={"baclofen": 1, "spasticity": 1})
    return Engine(Settings(data_dir=data_dir), FakeStore([passage]), lexical, parser)


def _keys(d: object) -> set[str]:
    if isinstance(d, dict):
        return set(d) | {k for v in d.values() for k in _keys(v)}
    if isinstance(d, list):
        return {k for v in d for k in _keys(v)}
    return set()


def test_the_engine_glosses_patient_answers_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    q = "What is baclofen used for?"
    without = _engine(data)
    before = {a: without.ask(q, a).to_json() for a in (Audience.PHYSICIAN, Audience.PATIENT)}
    assert not any("glosses" in _keys(d) for d in before.values())  # no glossary file: no glosses, no error
    GLOSSARY.save(paths.glossary_file(data))
    engine = _engine(data)
    doctor = engine.ask(q, Audience.PHYSICIAN).to_json()
    drop = ("timings_ms",)
    assert json.dumps({k: v for k, v in doctor.items() if k not in drop}) == json.dumps(
        {k: v for k, v in before[Audience.PHYSICIAN].items() if k not in drop})  # byte for byte the same
    patient = engine.ask(q, Audience.PATIENT)
    glosses = [g for st in patient.statements() for g in st.glosses]
    assert [g.term for g in glosses] == ["spasticity", "multiple sclerosis"]  # never the asked drug
    assert "gloss" in patient.timings_ms
    # the statements are the same quotes as without a glossary
    plain = Article.from_json(before[Audience.PATIENT])
    assert [s.text for s in patient.statements()] == [s.text for s in plain.statements()]
    explained = engine.explain(q, Audience.PATIENT).article  # explain gives ask's article, glosses and all
    assert [g for st in explained.statements() for g in st.glosses] == glosses


class _Glossing(FakeEngine):
    def ask(self, question: str, audience: Audience = Audience.PHYSICIAN, context: str | None = None) -> Article:
        a = super().ask(question, audience, context)
        return gloss_article(a, GLOSSARY) if audience is Audience.PATIENT else a


class _Text(HTMLParser):
    """The text of each summary paragraph without its citation numbers: what a reader
    (or a screen reader) gets of the statement."""

    def __init__(self) -> None:
        super().__init__()
        self.in_summary = self.in_p = False
        self.in_sup = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section" and ("class", "summary") in attrs:
            self.in_summary = True
        elif self.in_summary and tag == "p":
            self.in_p = True
            self.texts.append("")
        elif tag == "sup":
            self.in_sup += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.in_summary = False
        elif tag == "p":
            self.in_p = False
        elif tag == "sup":
            self.in_sup -= 1

    def handle_data(self, data: str) -> None:
        if self.in_summary and self.in_p and not self.in_sup:
            self.texts[-1] += data


@pytest.fixture
def glossing_client(make_client) -> TestClient:  # type: ignore[no-untyped-def]
    return make_client(_Glossing())


def test_the_article_page_shows_glosses_apart_from_the_quote(glossing_client: TestClient) -> None:
    r = ask_form(glossing_client, "What is baclofen used for?", "patient")
    html = glossing_client.get(r.headers["location"]).text
    box = re.search(r'<aside class="glosses" aria-label="Words used here">(.*?)</aside>', html, re.S)
    assert box is not None and "<h3>Words used here</h3>" in box.group(1)
    assert '<dt id="gloss-1">spasticity</dt>' in box.group(1)
    assert "stiff, rigid muscles" in box.group(1) and NCI in box.group(1)
    assert '<a href="https://medlineplus.gov/multiplesclerosis.html" rel="noopener noreferrer">' in box.group(1)
    # the glossed word is marked where it stands; the quote's characters are unchanged
    assert '<span class="glossed" aria-describedby="gloss-1">spasticity</span>' in html
    parsed = _Text()
    parsed.feed(html)
    first = PASSAGE_1.split(". ")[0] + "."
    assert parsed.texts[0] == first
    assert html.count('id="gloss-') == 2  # each gloss listed once, in its block's box


def test_a_clinician_page_has_no_glosses(glossing_client: TestClient) -> None:
    r = ask_form(glossing_client, "What is baclofen used for?", "physician")
    html = glossing_client.get(r.headers["location"]).text
    assert "Words used here" not in html and "glossed" not in html
    js = glossing_client.get(r.headers["location"].split("?")[0] + ".json").json()
    assert "glosses" not in _keys(js)


def test_engine_glossary_is_read_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    GLOSSARY.save(paths.glossary_file(data))
    engine = _engine(data)
    first = engine.glossary
    assert first is not None and engine.glossary is first
    paths.glossary_file(data).write_text("not json")
    assert _engine(data).glossary is None  # unreadable: no glosses, not an error


def test_the_review_page_shows_the_glosses_the_board_approves(glossing_client: TestClient) -> None:
    from signin import add_user, sign_in

    r = ask_form(glossing_client, "What is baclofen used for?", "patient")
    aid = r.headers["location"].split("?")[0].rsplit("-", 1)[1]
    add_user(glossing_client)
    sign_in(glossing_client)
    page = glossing_client.get(f"/review/{aid}").text
    box = re.search(r'<dl class="glosses review-glosses"[^>]*>(.*?)</dl>', page, re.S)
    assert box is not None and "<dt>spasticity</dt>" in box.group(1) and "stiff, rigid muscles" in box.group(1)
