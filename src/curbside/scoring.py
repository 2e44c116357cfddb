"""How curbside scores: named features and one weight table.

A candidate sentence's score is ``Σ weight × feature`` over ``Features``, with the
weights of ``Weights``: nothing else adds to it, so a score can be read back (``ask
--explain`` prints the table for every statement) and a weight can be tuned against
the evaluation knowing exactly what it moves. The composer's ways of finding sentences
fill different features:

- drug labels, and guideline or research sentences (composition/select.py): the
  question's words, the section's cue, the passage's rank and the sentence's place,
  a named condition or partner drug, a combination product's label, and, when the
  semantic shortlist is on, the meaning;
- a consumer page that answers the question (composition/condition.py) is read in its
  own order: ``page_lead``, ``page_rank``, ``page_position``;
- guideline and study sentences about a condition: ``topic_evidence``,
  ``topic_passage_rank``, ``sentence_position`` and ``recommendation``;

and picking adds ``consensus`` (other documents holding the very same sentence) and, for
the summary of an evidence answer, ``study_in_summary``. For a patient or caregiver,
every candidate also gets ``written_for_patients`` and ``reading_grade``
(composition/plain.py): the same facts, preferably in the words written for them. Candidates only ever compete
with candidates found the same way, so the large constants of the page and topic
orders (100, 10) never meet the label scores.

The terms are added in the order the fields are declared, the order the composer has
always added them in, so the scores (and with them the ties) are the same floats as
before the table existed.

The weights an operator may tune are settings (``weight_*`` and ``penalty_*``; a penalty
is a weight's size, subtracted: settings are never negative); the rest fix a reading
order (a page's sentences in the page's order) or are the unit everything else is
measured in (one shared question word weighs 1), and are constants here.

Retrieval's tie-break between near-equally relevant passages (index/fusion.py) takes its
two weights from this table too: ``source_strength`` and ``passage_age``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curbside.settings import Settings


@dataclass(frozen=True, slots=True)
class Features:
    """What a candidate sentence is, in numbers (0 when the way it was found does not
    measure it). The declaration order is the order the score adds the terms in."""

    # a consumer page that answers the question, read in its own order
    page_lead: float = 0.0
    # a guideline or study sentence that names the condition and speaks to the aspect
    topic_evidence: float = 0.0
    # the question's content words (stems) the sentence holds
    question_words: float = 0.0
    # the page's rank among the answering pages (0 = first)
    page_rank: float = 0.0
    # the passage's rank among those read (0 = best; at most 10)
    passage_rank: float = 0.0
    # the passage's rank among a condition's guideline or study passages (at most 20)
    topic_passage_rank: float = 0.0
    # the sentence's place in its page (0 = first)
    page_position: float = 0.0
    # the sentence's place in its passage (0 = first; at most 10)
    sentence_position: float = 0.0
    # 1: it has the section's cue ("indicated for", a dose) or is an item of a list
    # that such a sentence opened
    section_cue: float = 0.0
    # 1: from a guideline's recommendations
    recommendation: float = 0.0
    # 1: it names the asked condition or the other drug asked about
    topic_named: float = 0.0
    # 1: its label is a combination product with drugs that were not asked
    other_drugs: float = 0.0
    # cosine similarity to the question (bge-small; the semantic shortlist only)
    meaning: float = 0.0
    # below the semantic shortlist: what takes its score down to the shortlist's lowest
    below_shortlist: float = 0.0
    # 1: a study's sentence competing for an evidence answer's summary
    study_in_summary: float = 0.0
    # other documents that hold the very same sentence (at most 3)
    consensus: float = 0.0
    # for a patient or caregiver only (0 for clinicians): 1 when the sentence is from a
    # source written for them (a consumer page, a Medication Guide, patient package
    # insert or Drug Facts panel), and its Flesch-Kincaid grade above the plain-language
    # grade (composition/plain.py; at most 12)
    written_for_patients: float = 0.0
    reading_grade: float = 0.0

    def nonzero(self) -> dict[str, float]:
        """The features that count, by name, in the table's order."""
        return {n: v for n in FEATURES if (v := getattr(self, n))}


FEATURES: tuple[str, ...] = tuple(f.name for f in fields(Features))


@dataclass(frozen=True)
class Weights:
    """One weight per feature (the same names), plus retrieval's two tie-break weights.
    The defaults are the settings' defaults (``from_settings``)."""

    page_lead: float = 100.0  # constant: the page's order decides among its sentences
    topic_evidence: float = 10.0  # constant: likewise, for a condition's guidelines and studies
    question_words: float = 1.0  # constant: the unit
    page_rank: float = -10.0  # constant: the first page's sentences before the second's
    passage_rank: float = -0.05  # setting penalty_passage_rank
    topic_passage_rank: float = -0.3  # constant
    page_position: float = -1.0  # constant: a page's sentences in order
    sentence_position: float = -0.1  # setting penalty_sentence_position
    section_cue: float = 1.5  # setting weight_section_cue
    recommendation: float = 1.0  # setting weight_recommendation
    topic_named: float = 1.0  # setting weight_topic_named
    other_drugs: float = -1.0  # setting penalty_other_drugs
    meaning: float = 6.0  # setting semantic_weight
    below_shortlist: float = 1.0  # constant: the feature holds the cut itself
    study_in_summary: float = -1.0  # setting penalty_study_in_summary
    consensus: float = 0.3  # setting weight_consensus
    written_for_patients: float = 3.0  # setting weight_written_for_patients
    reading_grade: float = -0.5  # setting penalty_reading_grade
    # retrieval's tie-break (index/fusion.py), scaled to the best passage's relevance:
    # evidence strength (label > guideline > research > patient page; reversed for
    # patients) and years older than the corpus's newest source
    source_strength: float = 0.005  # setting weight_source_strength
    passage_age: float = -0.0005  # setting penalty_passage_age

    @classmethod
    def from_settings(cls, s: Settings) -> Weights:
        """The table with the operator's settings in it."""
        return cls(
            passage_rank=-s.penalty_passage_rank,
            sentence_position=-s.penalty_sentence_position,
            section_cue=s.weight_section_cue,
            recommendation=s.weight_recommendation,
            topic_named=s.weight_topic_named,
            other_drugs=-s.penalty_other_drugs,
            meaning=s.semantic_weight,
            study_in_summary=-s.penalty_study_in_summary,
            consensus=s.weight_consensus,
            written_for_patients=s.weight_written_for_patients,
            reading_grade=-s.penalty_reading_grade,
            source_strength=s.weight_source_strength,
            passage_age=-s.penalty_passage_age,
        )

    def score(self, f: Features) -> float:
        """Σ weight × feature, added in the declared order (a zero term adds nothing)."""
        total = 0.0
        for name in FEATURES:
            v = getattr(f, name)
            if v:
                total += getattr(self, name) * v
        return total

    def terms(self, f: Features) -> list[tuple[str, float, float]]:
        """(feature, value, weight) of each feature that counts, in the declared order."""
        return [(n, v, getattr(self, n)) for n, v in f.nonzero().items()]

    def of_features(self) -> dict[str, float]:
        """The sentence weights by feature name (what ``--explain`` shows as the table)."""
        return {n: getattr(self, n) for n in FEATURES}

    def replace(self, **changes: float) -> Weights:
        return replace(self, **changes)


DEFAULT_WEIGHTS = Weights()
