"""Follow-ups with the real engine on a slice of ../shared: the follow-up set's score
(the engine's own resolver and parser), and suggested follow-ups that are answered."""

from __future__ import annotations

import pytest

from curbside.evaluation import followups
from curbside.types import Audience
from curbside.understanding.followup import Resolution, resolve

pytestmark = pytest.mark.integration

# measured with these vocabularies: 52 of 53 (the miss: "How long does it take to work?"
# is read as a dosing question by qtype.py, where the set expects mechanism)
FLOOR = 0.95


def test_the_follow_up_set_scores_with_the_engine(engine) -> None:  # type: ignore[no-untyped-def]
    items = followups.load_items()
    assert len(items) >= 30 and {i.kind for i in items} >= {"pronoun", "ellipsis", "topic switch", "new drug",
                                                            "condition", "chain", "standalone"}
    assert any(len(i.turns) >= 3 for i in items)
    result = followups.evaluate(engine.resolve, items)
    eng = result["engine"]
    assert eng["accuracy"] >= FLOOR, result["failures"]
    assert result["targets"][0]["met"] and eng["drugs_accuracy"] == 1.0 and eng["population_accuracy"] == 1.0


def test_a_resolver_that_carries_nothing_fails_the_set(engine) -> None:  # type: ignore[no-untyped-def]
    def forgetful(asked: str, previous: str | None) -> Resolution:
        return resolve(asked, None, engine.parse)

    result = followups.evaluate(forgetful, followups.load_items())
    assert result["engine"]["accuracy"] < 0.5 and not result["targets"][0]["met"]
    standalone = result["engine"]["by_type"]["standalone"]["accuracy"]
    assert standalone == 1.0  # what must not inherit is the only part it gets right


QUESTIONS = ("What is the dose of gentamicin?", "What are the side effects of thioridazine?",
             "What is probenecid used for?", "What causes Alzheimer's disease?", "What are the symptoms of aphasia?")


@pytest.mark.parametrize("audience", [Audience.PHYSICIAN, Audience.PATIENT])
def test_every_suggested_follow_up_is_answered(engine, audience: Audience) -> None:  # type: ignore[no-untyped-def]
    offered = 0
    for q in QUESTIONS:
        article = engine.ask(q, audience)
        assert not article.abstained, q
        suggestions = engine.suggest(article, audience)
        assert len(suggestions) <= 3 and len({s.aspect for s in suggestions}) == len(suggestions)
        assert article.question_type not in {s.aspect for s in suggestions}
        for s in suggestions:
            offered += 1
            answer = engine.ask(s.question, audience)
            assert not answer.abstained and not answer.partial, s
            assert answer.question_type is s.aspect and answer.sections, s
            # posted into the conversation, it is answered as it is
            followed = engine.ask(s.question, audience, context=q)
            assert followed.understood_as is None and not followed.abstained and not followed.partial, s
    assert offered >= 6  # the slice answers enough of them for the check to mean something
