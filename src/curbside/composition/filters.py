"""Why a sentence is not a statement: every rule that removes a candidate has a name.

Filtering is the middle of selection (composition/extract.py finds the sentences,
scoring.py scores those that pass, select.py picks): each rule answers with a
``Reason`` or None, cheaply, in the order the rules are checked. The reason is what
``ask --explain`` shows for a rejected sentence; the wording of each is in
``DESCRIPTIONS`` so that the explanation, the tests and the docs say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from curbside.composition.plan import SectionSpec


class Reason(str, Enum):
    """Why a candidate sentence was left out (the value is the stable JSON name)."""

    # what the sentence is (extraction)
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_PROSE = "not_prose"
    LATER_IN_PAGE = "later_in_page"
    # the section's rules
    NO_SECTION_CUE = "no_section_cue"
    FAILS_SECTION_TEST = "fails_section_test"
    SECTION_REJECTS = "section_rejects"
    CUE_REQUIRED = "cue_required"
    CUE_ELSEWHERE = "cue_elsewhere"
    # the question
    DRUG_NOT_NAMED = "drug_not_named"
    CONDITION_NOT_NAMED = "condition_not_named"
    ASPECT_NOT_ADDRESSED = "aspect_not_addressed"
    OFF_TOPIC = "off_topic"
    LOW_WORD_WEIGHT = "low_word_weight"
    OTHER_POPULATION = "other_population"
    COMBINATION_PRODUCT = "combination_product"
    PARTNER_NOT_NAMED = "partner_not_named"
    # the reader
    DOSE_AMOUNT = "dose_amount"
    QUESTION_FORM = "question_form"
    # picking
    NEAR_DUPLICATE = "near_duplicate"
    OUTRANKED = "outranked"
    CONDITIONS_COVERED = "conditions_covered"
    OTHER_LIST = "other_list"
    LIST_FULL = "list_full"
    # after composition
    UNVERIFIED = "unverified"


DESCRIPTIONS: dict[Reason, str] = {
    Reason.TOO_SHORT: "too short to be a statement once its heading is cut",
    Reason.TOO_LONG: "longer than the sentence length limit",
    Reason.NOT_PROSE: "not prose (no lower-case word, or a broken link's text)",
    Reason.LATER_IN_PAGE: "past the page's leading sentences",
    Reason.NO_SECTION_CUE: "lacks the words this section requires",
    Reason.FAILS_SECTION_TEST: "is not what this section holds",
    Reason.SECTION_REJECTS: "is what this section leaves out",
    Reason.CUE_REQUIRED: "outside the drug label, lacks the section's cue",
    Reason.CUE_ELSEWHERE: "lacks the section's cue, which other sentences have",
    Reason.DRUG_NOT_NAMED: "does not name the asked drug",
    Reason.CONDITION_NOT_NAMED: "does not name the asked condition",
    Reason.ASPECT_NOT_ADDRESSED: "does not speak to the asked aspect",
    Reason.OFF_TOPIC: "shares too few of the question's words",
    Reason.LOW_WORD_WEIGHT: "holds too little of the question's word weight (rare words weigh more)",
    Reason.OTHER_POPULATION: "is about another population than the one asked about",
    Reason.COMBINATION_PRODUCT: "from a combination product's label, with drugs not asked about",
    Reason.PARTNER_NOT_NAMED: "does not name what the drug is asked to be taken with",
    Reason.DOSE_AMOUNT: "states a dose amount: a patient's article leaves the dose to the prescriber",
    Reason.QUESTION_FORM: "a question (a leaflet's heading), not a statement",
    Reason.NEAR_DUPLICATE: "says nearly the same as a statement already chosen",
    Reason.OUTRANKED: "scored lower than the statements chosen",
    Reason.CONDITIONS_COVERED: "names only conditions already stated, and there was no room left",
    Reason.OTHER_LIST: "an item of another document's list",
    Reason.LIST_FULL: "the list shown was already at its length limit",
    Reason.UNVERIFIED: "did not verify against its passage (dropped by the verifier)",
}


@dataclass(frozen=True)
class SentenceRules:
    """The rules a sentence of one selection step must pass, checked in this order: the
    section's own (``SectionSpec.cues``, ``test``, ``reject``), then ``require`` (a
    pattern the sentence must hold: the drug's name), then, with ``strict``, the
    section's preferred cue (for sources outside the label), then ``min_overlap`` shared
    question words (checked apart: it needs the sentence's words)."""

    spec: SectionSpec | None = None
    require: re.Pattern[str] | None = None
    strict: bool = False
    min_overlap: int = 0

    def text_rejection(self, s: str) -> Reason | None:
        spec = self.spec
        if spec is not None:
            if spec.cues is not None and not spec.cues.search(s):
                return Reason.NO_SECTION_CUE
            if spec.test is not None and not spec.test(s):
                return Reason.FAILS_SECTION_TEST
            if spec.reject is not None and spec.reject(s):
                return Reason.SECTION_REJECTS
        if self.require is not None and not self.require.search(s):
            return Reason.DRUG_NOT_NAMED
        if self.strict and spec is not None and spec.prefer is not None and not spec.prefer.search(s):
            return Reason.CUE_REQUIRED
        return None

    def overlap_rejection(self, overlap: int) -> Reason | None:
        return Reason.OFF_TOPIC if overlap < self.min_overlap else None

    def detail(self, reason: Reason, *, chars: int = 0, max_chars: int = 0) -> str:
        """The particulars of ``reason`` for this step (the section's own wording of its
        rules, the length limit, the words needed); empty when there are none."""
        spec = self.spec
        if reason is Reason.TOO_LONG:
            return f"{chars:,} characters; the limit is {max_chars:,}"
        if spec is not None and reason in (Reason.NO_SECTION_CUE, Reason.FAILS_SECTION_TEST) and spec.requires:
            return f"{spec.heading}: {spec.requires}"
        if spec is not None and reason is Reason.SECTION_REJECTS and spec.rejects:
            return f"{spec.heading}: {spec.rejects}"
        if spec is not None and reason in (Reason.NO_SECTION_CUE, Reason.FAILS_SECTION_TEST,
                                           Reason.SECTION_REJECTS, Reason.CUE_REQUIRED):
            return spec.heading
        if reason is Reason.OFF_TOPIC:
            return f"{self.min_overlap} needed"
        return ""
