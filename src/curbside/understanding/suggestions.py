"""Follow-up questions to offer under an article: one question per aspect not asked
yet, from templates over the article's drug (dose, side effects, who should not take
it...) or condition (causes, symptoms, treatment...). Only candidates: ``Engine.suggest``
answers each and keeps those the corpus answers (``answers_aspect``), so nothing offered
is a guess.

    for c in candidates(article.entities, exclude={article.question_type}):
        c.question   # "What are the side effects of baclofen?"
        c.aspect     # QuestionType.ADVERSE_EFFECTS
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from curbside.types import Article, ConditionMention, Entities, QuestionType

Q = QuestionType

# in the order they are offered (the most asked first)
DRUG_QUESTIONS: tuple[tuple[QuestionType, str], ...] = (
    (Q.DOSING, "What is the usual dose of {}?"),
    (Q.ADVERSE_EFFECTS, "What are the side effects of {}?"),
    (Q.CONTRAINDICATIONS, "Who should not take {}?"),
    (Q.INTERACTIONS, "What drugs interact with {}?"),
    (Q.PREGNANCY_LACTATION, "Is {} safe in pregnancy?"),
    (Q.MECHANISM, "How does {} work?"),
    (Q.OVERDOSE, "What happens with an overdose of {}?"),
    (Q.MONITORING, "What monitoring does {} need?"),
    (Q.INDICATION, "What is {} used for?"),
)
CONDITION_QUESTIONS: tuple[tuple[QuestionType, str], ...] = (
    (Q.CAUSES, "What causes {}?"),
    (Q.SYMPTOMS, "What are the symptoms of {}?"),
    (Q.TREATMENT, "How is {} treated?"),
    (Q.PREVENTION, "How can {} be prevented?"),
    (Q.DIAGNOSIS, "How is {} diagnosed?"),
    (Q.PROGNOSIS, "What is the outlook for {}?"),
)
# the same aspect asked of a drug or of a condition (qtype.py's remapping)
_SAME = {Q.TREATMENT: Q.INDICATION, Q.PREVENTION: Q.INDICATION, Q.CAUSES: Q.ADVERSE_EFFECTS,
         Q.SYMPTOMS: Q.ADVERSE_EFFECTS, Q.DIAGNOSIS: Q.MONITORING}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A follow-up question and the aspect it asks."""

    question: str
    aspect: QuestionType

    def to_json(self) -> dict[str, str]:
        return {"question": self.question, "question_type": self.aspect.value}

    @classmethod
    def from_json(cls, d: dict[str, str]) -> Suggestion:
        return cls(str(d["question"]), QuestionType(d["question_type"]))


def condition_name(c: ConditionMention) -> str:
    """The condition as the question wrote it, or its vocabulary name when that is the
    same word ("Gout", "migraines" -> "gout", "migraine")."""
    text = c.text.lower()
    return c.name if text in (c.name.lower(), c.name.lower() + "s", c.name.lower() + "es") else c.text


def candidates(entities: Entities, exclude: Collection[QuestionType] = ()) -> list[Suggestion]:
    """The template questions over the first drug named (or else the first condition),
    in offering order, leaving out the aspects in ``exclude`` (asked already)."""
    asked = set(exclude) | {_SAME[t] for t in exclude if t in _SAME}
    if entities.drugs:
        subject, templates = entities.drugs[0].generic, DRUG_QUESTIONS
    elif entities.conditions:
        subject, templates = condition_name(entities.conditions[0]), CONDITION_QUESTIONS
    else:
        return []
    return [Suggestion(t.format(subject), aspect) for aspect, t in templates if aspect not in asked]


def answers_aspect(article: Article, aspect: QuestionType) -> bool:
    """The article answers ``aspect``: not abstained, not partial, asked as that aspect,
    with that aspect's own section (a drug's asked section: composition/plan.py; a
    condition's: the aspect's key)."""
    from curbside.composition.plan import plan_for

    if article.abstained or article.partial or article.question_type is not aspect or not article.sections:
        return False
    keys = {s.key for s in article.sections}
    if article.drugs:
        return plan_for(aspect, article.question)[0].key in keys
    return aspect.value in keys
