"""The engine end to end on a real slice of ../shared."""

from __future__ import annotations

import json

import pytest
from support.previous_serializer import previous_article_to_dict
from support.quotes import assert_quoted

from curbside.composition.serialize import article_from_dict, article_to_dict
from curbside.errors import EmptyQuestionError, QuestionTooLongError, UserInputError
from curbside.types import Article, Audience, QuestionType

pytestmark = pytest.mark.integration

BACLOFEN = "What is the indication for Baclofen (Lioresal)?"


def all_statements(article):
    yield from article.summary
    for sec in article.sections:
        yield from sec.statements
    yield from article.bottom_line


def assert_citation_integrity(article):
    refs = {r.number: r for r in article.references}
    assert refs, "an answered article has references"
    assert sorted(refs) == list(range(1, len(refs) + 1))
    # every statement is exactly its recorded quote of the passage it cites first
    assert_quoted(all_statements(article), article.references)


def test_baclofen_article(engine):
    a = engine.ask(BACLOFEN)
    assert not a.abstained
    assert [d.generic for d in a.drugs] == ["baclofen"]
    assert a.question_type is QuestionType.INDICATION
    text = {s.key: " ".join(st.text for st in s.statements) for s in a.sections}
    assert "spasticity resulting from multiple sclerosis" in text["indications"]
    assert "spinal cord injuries" in text["indications"]
    assert "severe spasticity" in text["indications"]
    assert "rheumatic disorders" in text["limitations"]
    assert a.summary and "spasticity" in a.summary[0].text
    assert a.uncovered, "the slice has no baclofen dosing text, and the article must say so"
    assert a.last_updated
    assert_citation_integrity(a)
    types = {r.source_type.value for r in a.references}
    assert "drug_label" in types


def test_article_json_round_trip(engine):
    a = engine.ask("Lioresal dose for spasticity?")
    d = article_to_dict(a)
    assert d["schema_version"] == "1.3"
    assert d["entities"]["drugs"][0]["generic"] == "baclofen"
    assert d["question_type"] == "dosing"
    assert set(d["timings_ms"]) >= {"understand", "compose", "total"}
    b = article_from_dict(d)
    assert b.sections == a.sections and b.references == a.references and b.summary == a.summary
    assert all(st.quote is not None for sec in b.sections for st in sec.statements)
    # the model's JSON is what the hand-written serializer wrote, key for key and in order
    assert json.dumps(d, ensure_ascii=False) == json.dumps(previous_article_to_dict(a), ensure_ascii=False)
    assert Article.from_json(d).to_json() == d


def test_every_statement_is_supported_on_varied_questions(engine):
    for q in [
        "What are the contraindications of baclofen?",
        "What is Anectine used for?",
        "What are the side effects of succinylcholine?",
        "How is intrathecal baclofen withdrawal managed?",
    ]:
        a = engine.ask(q)
        # each is answered from the slice: an abstention would check nothing
        assert not a.abstained, (q, a.abstain_reason)
        assert sum(len(s.statements) for s in a.sections) >= 2, q
        assert len(a.summary) <= 2 and len(a.bottom_line) <= 1, q  # as docs/ARTICLE_SCHEMA.md says
        assert_citation_integrity(a)


def test_follow_up_keeps_the_drug(engine):
    a = engine.ask("And what about contraindications?", context=BACLOFEN)
    assert [d.generic for d in a.drugs] == ["baclofen"]
    assert a.question_type is QuestionType.CONTRAINDICATIONS


def test_patient_audience_changes_headings(engine):
    a = engine.ask(BACLOFEN, Audience.PATIENT)
    assert a.audience is Audience.PATIENT
    assert a.sections[0].heading == "What it is used for"


def test_unknown_drug_abstains(engine):
    a = engine.ask("What is the indication for Zorblatex?")
    assert a.abstained and "zorblatex" in a.abstain_reason.lower()
    assert a.sections == () and a.references == ()


def test_off_topic_and_foreign_questions_abstain(engine):
    assert engine.ask("Quelle est l'indication du baclofène chez l'enfant ?").abstained
    assert engine.ask("Who won the football world cup in 1998?").abstained


@pytest.mark.parametrize(
    "question, error",
    [("", EmptyQuestionError), ("   \n\t", EmptyQuestionError), ("x" * 20_000, QuestionTooLongError),
     ("\x00\x01\x02\x03\x04\x05", UserInputError), ("@@@@ #### 1234 %%%%", UserInputError)],
)
def test_bad_questions_raise_clear_errors(engine, question, error):
    with pytest.raises(error) as e:
        engine.ask(question)
    assert e.value.fix


def test_control_characters_are_cleaned(engine):
    a = engine.ask("What is the indication\x00 for baclofen?\x07")
    assert not a.abstained and "\x00" not in a.question
