"""Suggested follow-ups' candidates (understanding/suggestions.py): every template asks
the aspect it stands for, candidates leave out what was asked, and a candidate counts as
answered only with its own section."""

from __future__ import annotations

import dataclasses

import pytest

from curbside.types import (
    Article,
    Audience,
    ConditionMention,
    DrugMention,
    Entities,
    QuestionType,
    Section,
    Statement,
)
from curbside.understanding.followup import resolve
from curbside.understanding.qtype import classify
from curbside.understanding.suggestions import (
    CONDITION_QUESTIONS,
    DRUG_QUESTIONS,
    Suggestion,
    answers_aspect,
    candidates,
    condition_name,
)

Q = QuestionType
BACLOFEN = Entities((DrugMention("Lioresal", "baclofen", "brand"),))
GOUT = Entities((), (ConditionMention("Gout", "gout", "DOID:13189"),))


@pytest.mark.parametrize("aspect, template", DRUG_QUESTIONS)
def test_each_drug_template_asks_its_aspect(aspect: QuestionType, template: str) -> None:
    assert classify(template.format("baclofen"), drug_count=1, condition_count=0)[0] is aspect


@pytest.mark.parametrize("aspect, template", CONDITION_QUESTIONS)
def test_each_condition_template_asks_its_aspect(aspect: QuestionType, template: str) -> None:
    assert classify(template.format("gout"), drug_count=0, condition_count=1)[0] is aspect


def test_candidates_name_the_subject_and_leave_out_what_was_asked() -> None:
    got = candidates(BACLOFEN, exclude={Q.DOSING})
    assert got[0] == Suggestion("What are the side effects of baclofen?", Q.ADVERSE_EFFECTS)
    assert Q.DOSING not in {c.aspect for c in got} and len(got) == len(DRUG_QUESTIONS) - 1
    # a condition aspect asked of a drug is the drug aspect that holds it
    assert Q.INDICATION not in {c.aspect for c in candidates(BACLOFEN, exclude={Q.TREATMENT})}
    cond = candidates(GOUT, exclude={Q.CAUSES})
    assert [c.question for c in cond][:2] == ["What are the symptoms of gout?", "How is gout treated?"]
    assert candidates(Entities()) == []


def test_a_condition_is_named_as_asked_unless_that_is_its_name() -> None:
    assert condition_name(ConditionMention("Migraines", "migraine")) == "migraine"
    assert condition_name(ConditionMention("shingles", "herpes zoster")) == "shingles"


def test_a_suggestion_is_a_standalone_question() -> None:
    """A suggested follow-up posted into a conversation is answered as it is: it names its
    subject and aspect, so the resolver carries nothing into it."""
    def parse(text: str):  # type: ignore[no-untyped-def]
        from curbside.types import ParsedQuestion

        drugs = (DrugMention("baclofen", "baclofen", "generic"),) if "baclofen" in text else ()
        return ParsedQuestion(text, classify(text, drug_count=len(drugs))[0], drugs)

    for c in candidates(BACLOFEN):
        assert resolve(c.question, "What is the dose of baclofen for children?", parse).text == c.question


def _article(qtype: QuestionType, keys: tuple[str, ...], entities: Entities = BACLOFEN, **more: object) -> Article:
    st = Statement("Baclofen is indicated for spasticity.", (1,))
    return Article(question="Q?", audience=Audience.PHYSICIAN, question_type=qtype, entities=entities, title="Q?",
                   summary=(st,), sections=tuple(Section(k, k, (st,)) for k in keys), bottom_line=(), references=(),
                   uncovered=(), abstained=False, abstain_reason=None, last_updated=None, corpus_version="c",
                   settings_hash="s", **more)  # type: ignore[arg-type]


def test_answered_means_its_own_section_not_partial_not_abstained() -> None:
    assert answers_aspect(_article(Q.DOSING, ("dosing", "populations")), Q.DOSING)
    assert not answers_aspect(_article(Q.DOSING, ("populations", "indications")), Q.DOSING)
    assert not answers_aspect(_article(Q.DOSING, ("dosing",), partial=True), Q.DOSING)
    assert not answers_aspect(dataclasses.replace(_article(Q.DOSING, ("dosing",)), abstained=True), Q.DOSING)
    assert not answers_aspect(_article(Q.GENERAL, ("dosing",)), Q.DOSING)  # asked as another aspect
    assert answers_aspect(_article(Q.CAUSES, ("answered", "causes"), GOUT), Q.CAUSES)
    assert not answers_aspect(_article(Q.CAUSES, ("answered",), GOUT), Q.CAUSES)
