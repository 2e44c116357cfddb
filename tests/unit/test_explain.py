"""Engine.explain on a tiny real store (one Baclofen label ingested into tmp): the same
article as ask, and an explanation that follows it statement by statement: the step
that chose each, its features, score (Σ weight × feature) and rank; the sentences left
out, each with a named reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from curbside.composition.explain import explanation_to_dict
from curbside.composition.filters import DESCRIPTIONS, Reason
from curbside.composition.serialize import article_to_dict
from curbside.engine import Engine
from curbside.settings import Settings
from curbside.types import Article, Audience

QUESTIONS = ("What is baclofen used for?", "What is the dose of baclofen for children?",
             "Is baclofen safe in pregnancy?", "What are the side effects of baclofen?")


@pytest.fixture(scope="module")
def engine(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    from curbside.ingest import ingest

    root = tmp_path_factory.mktemp("explain")
    settings = Settings(data_dir=root / "data", shared_dir=root / "no-shared")
    report = ingest(settings, [fixtures_dir / "sources" / "spl_baclofen.xml"])
    assert not report.failed and report.docs_added == 1
    e = Engine.open(settings)
    yield e
    e.close()


def _texts(a: Article) -> list[str]:
    return ([s.text for s in a.summary] + [s.text for sec in a.sections for s in sec.statements]
            + [s.text for s in a.bottom_line])


def _content(a: Article) -> dict:
    d = article_to_dict(a)
    d.pop("timings_ms", None)
    return d


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_explanation_follows_the_article_statement_by_statement(engine: Engine, question: str) -> None:
    explained = engine.explain(question)
    a, e = explained.article, explained.explanation
    assert not a.abstained and e.route == "drug"
    assert _content(a) == _content(engine.ask(question))  # recording changes no choice
    assert [w.text for w in e.statements()] == _texts(a)
    assert [s.key for s in e.sections] == [s.key for s in a.sections]
    for sec, why in zip(a.sections, e.sections, strict=True):
        assert [w.text for w in why.statements] == [s.text for s in sec.statements]
    for w in e.statements():
        assert w.step.startswith("label sentences of") and w.passage_id.startswith("label:")
        assert w.score == pytest.approx(sum(t.points for t in w.terms))
        assert w.rank is not None and w.of is not None and 1 <= w.rank <= w.of
        assert w.terms and all(t.value for t in w.terms)  # the features that count, none that do not
    rejected = [r for sec in e.sections for r in sec.rejected]
    assert rejected and all(r.why.startswith(DESCRIPTIONS[r.reason]) for r in rejected)


def test_a_population_question_says_which_statements_it_left_out(engine: Engine) -> None:
    e = engine.explain("What is the dose of baclofen for children?").explanation
    left = [r for sec in e.sections for r in sec.rejected if r.reason is Reason.OTHER_POPULATION]
    assert left and all("child" in r.why for r in left)


def test_the_summary_and_bottom_line_say_which_section_they_repeat(engine: Engine) -> None:
    e = engine.explain(QUESTIONS[0]).explanation
    assert e.summary and e.summary[0].section == e.sections[0].key
    assert "repeats a statement of section" in e.summary[0].how
    assert e.summary[0].score == e.sections[0].statements[0].score


def test_the_explanation_as_json(engine: Engine) -> None:
    e = engine.explain(QUESTIONS[0], Audience.PATIENT).explanation
    d = json.loads(json.dumps(explanation_to_dict(e)))
    assert set(d) == {"route", "weights", "summary", "sections", "bottom_line", "uncovered", "dropped"}
    assert d["weights"]["section_cue"] == 1.5 and d["weights"]["question_words"] == 1.0
    st = d["sections"][0]["statements"][0]
    assert {"text", "step", "citations", "passage_id", "score", "rank", "of", "features", "points"} <= set(st)
    assert st["score"] == pytest.approx(sum(st["points"].values()))
    assert all(st["points"][k] == pytest.approx(v * d["weights"][k]) for k, v in st["features"].items())
    reasons = {r["reason"] for s in d["sections"] + d["uncovered"] for r in s["rejected"]}
    assert reasons and reasons <= {r.value for r in Reason}


def test_an_abstention_before_composing_explains_nothing(engine: Engine) -> None:
    explained = engine.explain("What is the best pizza topping?")
    assert explained.article.abstained
    assert explained.explanation.route == "" and not explained.explanation.statements()
