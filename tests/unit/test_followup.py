"""Follow-up resolution (understanding/followup.py) on a small fake parser: a handful of
drug and condition names, and the real question-type rules."""

from __future__ import annotations

import re

import pytest

from curbside.types import ConditionMention, DrugMention, ParsedQuestion, QuestionType
from curbside.understanding.followup import Resolution, population_of, population_spans, resolve
from curbside.understanding.qtype import classify

DRUGS = {"baclofen": "baclofen", "lioresal": "baclofen", "tizanidine": "tizanidine", "metformin": "metformin",
         "ibuprofen": "ibuprofen", "warfarin": "warfarin", "colchicine": "colchicine"}
CONDITIONS = {"gout": "gout", "migraines": "migraine", "migraine": "migraine", "kidney disease": "kidney disease",
              "asthma": "asthma"}


def parse(text: str) -> ParsedQuestion:
    drugs = tuple(DrugMention(m.group(0), DRUGS[m.group(0).lower()], "generic")
                  for m in re.finditer(r"\b(?:" + "|".join(DRUGS) + r")\b", text, re.I))
    conditions = tuple(ConditionMention(m.group(0), CONDITIONS[m.group(0).lower()])
                       for m in re.finditer(r"\b(?:" + "|".join(CONDITIONS) + r")\b", text, re.I))
    qtype, secondary = classify(text, drug_count=len(drugs), condition_count=len(conditions))
    return ParsedQuestion(text, qtype, drugs, conditions, secondary)


def follow(*turns: str) -> Resolution:
    previous = None
    res = None
    for t in turns:
        res = resolve(t, previous, parse)
        previous = res.text
    assert res is not None
    return res


def test_a_first_question_is_answered_as_asked() -> None:
    r = follow("What is the dose of baclofen?")
    assert r.text == r.asked == "What is the dose of baclofen?" and not r.changed
    assert r.rule == "first" and r.carried == () and r.qtype is QuestionType.DOSING


@pytest.mark.parametrize("asked, understood", [
    ("And for children?", "What is the dose of baclofen for children?"),
    ("What about in kidney disease?", "What is the dose of baclofen in kidney disease?"),
    ("And kids?", "What is the dose of baclofen for children?"),  # no preposition: the canonical phrase
    ("Does the same apply to older adults?", "What is the dose of baclofen for older adults?"),
])
def test_a_population_alone_asks_the_previous_question_of_it(asked: str, understood: str) -> None:
    r = follow("What is the dose of baclofen?", asked)
    assert r.text == understood and r.rule == "population" and r.carried == ("subject", "aspect")
    assert r.qtype is QuestionType.DOSING and [d.generic for d in r.drugs] == ["baclofen"]
    assert r.conditions == ()  # "kidney disease" names whom the dose is for, not a subject


def test_a_new_population_replaces_the_old_one() -> None:
    r = follow("What is the dose of baclofen for children?", "And for older adults?")
    assert r.text == "What is the dose of baclofen for older adults?" and r.population == "older_adults"


@pytest.mark.parametrize("asked, understood, qtype", [
    ("Is it safe in pregnancy?", "Is baclofen safe in pregnancy?", QuestionType.PREGNANCY_LACTATION),
    ("What are its side effects?", "What are baclofen's side effects?", QuestionType.ADVERSE_EFFECTS),
    ("How does this drug work?", "How does baclofen work?", QuestionType.MECHANISM),
    ("Can I take it with ibuprofen?", "Can I take baclofen with ibuprofen?", QuestionType.INTERACTIONS),
    ("Does that interact with alcohol?", "Does baclofen interact with alcohol?", QuestionType.INTERACTIONS),
])
def test_a_pronoun_stands_for_the_previous_subject(asked: str, understood: str, qtype: QuestionType) -> None:
    r = follow("What is baclofen used for?", asked)
    assert r.text == understood and r.rule == "pronoun" and r.carried == ("subject",) and r.qtype is qtype


def test_a_pronoun_keeps_a_brand_as_written() -> None:
    r = follow("What is Lioresal used for?", "Who should not take it?")
    assert r.text == "Who should not take Lioresal?" and [d.generic for d in r.drugs] == ["baclofen"]


def test_it_that_stands_for_nothing_stays() -> None:
    r = follow("What is baclofen used for?", "Is it safe to take tizanidine with alcohol?")
    assert r.text == r.asked and r.rule == "standalone" and [d.generic for d in r.drugs] == ["tizanidine"]
    r = follow("What is baclofen used for?", "Is it safe to take it with alcohol?")
    assert r.text == "Is it safe to take baclofen with alcohol?"  # the second "it" is the drug


def test_a_condition_thread() -> None:
    r = follow("What causes gout?", "How is it treated?")
    assert r.text == "How is gout treated?" and r.qtype is QuestionType.TREATMENT
    assert [c.name for c in r.conditions] == ["gout"] and r.drugs == ()


@pytest.mark.parametrize("asked, understood, qtype", [
    ("And the side effects?", "What about the side effects of baclofen?", QuestionType.ADVERSE_EFFECTS),
    ("What is the maximum dose?", "What is the maximum dose of baclofen?", QuestionType.DOSING),
    ("Can I drink alcohol?", "Can I drink alcohol with baclofen?", QuestionType.INTERACTIONS),
])
def test_an_aspect_without_a_subject_gets_the_previous_one(asked: str, understood: str, qtype: QuestionType) -> None:
    r = follow("What is baclofen used for?", asked)
    assert r.text == understood and r.rule == "aspect" and r.qtype is qtype and r.carried == ("subject",)


def test_an_aspect_word_for_a_condition_takes_its_preposition() -> None:
    assert follow("What causes migraines?", "What is the outlook?").text == "What is the outlook for migraines?"
    assert follow("What causes gout?", "Is there a cure?").text == "Is there a cure for gout?"


def test_a_new_drug_takes_the_previous_aspect_and_population() -> None:
    r = follow("Is baclofen safe in pregnancy?", "What about tizanidine instead?")
    assert r.text == "Is tizanidine safe in pregnancy?" and r.rule == "subject"
    assert [d.generic for d in r.drugs] == ["tizanidine"] and r.population == "pregnancy"
    assert r.carried == ("aspect", "population")
    # a brand in brackets after the generic goes with it
    r = follow("What is the indication for Baclofen (Lioresal)?", "And tizanidine?")
    assert r.text == "What is the indication for tizanidine?" and [d.generic for d in r.drugs] == ["tizanidine"]


def test_a_drug_after_a_condition_question_is_asked_of_the_condition() -> None:
    r = follow("How is gout treated?", "What about colchicine?")
    assert r.text == "Is colchicine used to treat gout?" and r.qtype is QuestionType.INDICATION
    r = follow("What causes gout?", "What about metformin?")
    assert r.text == "Can metformin cause gout?" and r.qtype is QuestionType.ADVERSE_EFFECTS


def test_why_asks_the_previous_question_again() -> None:
    r = follow("Is warfarin safe in pregnancy?", "Why?")
    assert r.text == "Is warfarin safe in pregnancy?" and r.rule == "why"
    assert r.carried == ("subject", "aspect", "population")


def test_a_standalone_question_inherits_nothing() -> None:
    for asked in ("What causes migraines?", "What are the side effects of metformin?", "How is asthma treated?"):
        r = follow("What is the dose of baclofen for children?", asked)
        assert r.text == asked and r.rule == "standalone" and r.carried == () and r.population is None


def test_a_chain_carries_through_every_turn() -> None:
    r = follow("What is the dose of baclofen?", "And for children?", "What about tizanidine instead?", "Why?")
    assert r.text == "What is the dose of tizanidine for children?"
    assert [d.generic for d in r.drugs] == ["tizanidine"] and r.population == "children"


def test_nothing_to_carry_leaves_the_question_alone() -> None:
    assert follow("Hello there", "And for children?").text == "And for children?"
    assert resolve("  And   for children? ", None, parse).text == "And for children?"  # spacing tidied


def test_populations_are_named_with_their_phrase() -> None:
    spans = population_spans("Dose for patients with kidney disease and in older adults?")
    assert [(s.name, s.text) for s in spans] == [("renal_impairment", "for patients with kidney disease"),
                                                 ("older_adults", "in older adults")]
    assert population_of("Is it safe if I am pregnant?") == "pregnancy"
    assert population_of("while breastfeeding") == "breastfeeding"
    assert population_of("for adults") == "adults" and population_of("for older adults") == "older_adults"
    assert population_of("What is the dose?") is None
