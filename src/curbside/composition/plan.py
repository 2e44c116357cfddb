"""Which sections an article has, in which order, for each question type."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from curbside.types import Audience, QuestionType


@dataclass(frozen=True)
class SectionSpec:
    key: str
    heading: str
    patient_heading: str
    codes: tuple[str, ...]  # label section codes this section draws from
    cues: re.Pattern[str] | None = None  # a sentence must match (when set)
    test: Callable[[str], bool] | None = None  # a sentence must pass (when set)
    reject: Callable[[str], bool] | None = None  # a sentence must not pass (when set)
    prefer: re.Pattern[str] | None = None  # sentences matching rank first
    search_terms: str = ""  # words for the open (guideline / research) search
    limit: int = 4
    prefer_only: bool = False  # keep only ``prefer`` sentences when there are any
    max_chars: int | None = None  # overrides the setting (indication lists run long)
    keep_lists: bool = False  # a sentence introducing a bulleted list keeps its bullets
    # as the article's main section, one label's list ("indicated in the following
    # conditions: ...") is shown whole, up to this many items beyond ``limit``
    list_limit: int = 0
    # may a guideline, study or patient page fill in when the labels are silent? Not for
    # label-only matters (dosing, contraindications), where a passing mention misleads.
    open_fallback: bool = True
    # the section's rules in words, for the explanation of a rejected sentence: what
    # ``cues``/``test`` require, what ``reject`` leaves out
    requires: str = ""
    rejects: str = ""

    def heading_for(self, audience: Audience) -> str:
        return self.patient_heading if audience is Audience.PATIENT else self.heading


_NEG = re.compile(
    r"\bnot (?:been |be )?(?:indicated|recommended|established|approved)\b|limitations? of use|"
    r"\bshould not be used\b|\bnot for use\b|\bhas not been (?:shown|established)|"
    r"\bnot known (?:if|whether)\b[^.]*\bsafe and effective\b",
    re.I,
)
# "X is indicated for ... when Y is not indicated" states an indication, not a limitation:
# a sentence is a limitation only when its first indication word is negated.
_FIRST_VERB = re.compile(r"\b(not\s+(?:be\s+|been\s+)?)?(?:indicated|recommended|approved)\b", re.I)
_LIMITS_HEAD = re.compile(r"^\W*limitations? of use", re.I)


def is_limitation(sentence: str) -> bool:
    if not _NEG.search(sentence):
        return False
    if _LIMITS_HEAD.search(sentence):
        return True
    m = _FIRST_VERB.search(sentence)
    return m is None or m.group(1) is not None
_IND = re.compile(
    r"\bindicated\b|\buseful\b|\bused (?:for|to treat)\b|\btreatment of\b|\bmanagement of\b|"
    r"\brelief of\b|\bprevention of\b|\breduc\w+ the risk\b|\bapproved (?:for|to)\b|"
    r"\bof (?:some )?value\b|\beffective (?:in|for)\b|\bprescribed (?:for|to)\b|\bfirst[- ]line\b",
    re.I,
)
_DOSE = re.compile(r"\b\d[\d.,]*\s*(?:mg|mcg|µg|g|mL|units?|mg/kg|mg/m2|mg/day)\b|\bdos(?:e|es|age|ing)\b|\btitrat",
                   re.I)
_MONITOR = re.compile(r"\bmonitor\w*|\blaboratory\b|\bassess\w*\b|\bmeasure\w*\b", re.I)
_WITHDRAW = re.compile(r"withdraw|abrupt|discontinu|taper", re.I)
_MECH = re.compile(r"\bmechanism\b|\bagonist\b|\bantagonist\b|\binhibit\w*|\bbinds?\b|\breceptor\w*|\bblock\w*"
                   r"|\bacts?\b|\bexerts?\b", re.I)
_CONTRA = re.compile(
    r"\bcontraindicat\w* (?:in|for|with|during|to)\b|\bis contraindicated\b|\bhypersensitivity\b|"
    r"\bshould not be (?:used|given|administered|taken)\b|\bdo not (?:use|take|give|administer)\b",
    re.I,
)
_ADVERSE = re.compile(r"adverse|side effects?|reactions?|most common|incidence|\d+\s?%", re.I)
_INTERACT = re.compile(r"interact|concomitant|coadminist|co-administ|inhibitors?|inducers?"
                       r"|increase[sd]? (?:the )?(?:exposure|levels?|concentrations?)", re.I)
_PREG = re.compile(r"pregnan|lactat|breast|nursing|fetal|fetus|infant", re.I)
_POP = re.compile(
    r"pregnan|lactat|breast|nursing|pediatric|children|elderly|geriatric|older (?:adults|patients)|"
    r"renal|kidney|hepatic|liver|impairment", re.I)
_OVERDOSE = re.compile(r"overdos|toxicity|poisoning|hemodialysis|supportive", re.I)

INDICATIONS = SectionSpec(
    "indications", "Approved indications", "What it is used for", ("indications",),
    reject=is_limitation, prefer=_IND, prefer_only=True, search_terms="indicated treatment", limit=8,
    max_chars=900, keep_lists=True, list_limit=12, rejects="states a limitation of use",
)
LIMITATIONS = SectionSpec(
    "limitations", "Limitations of use and uses not recommended", "When it should not be used for",
    ("indications",), test=is_limitation, limit=4, open_fallback=False,
    requires="must state a limitation of use",
)
MECHANISM = SectionSpec(
    "mechanism", "Mechanism of action", "How it works",
    ("mechanism", "pharmacodynamics", "clinical_pharmacology"), prefer=_MECH,
    search_terms="mechanism of action", limit=3,
)
DOSING = SectionSpec(
    "dosing", "Dosing and administration", "How it is taken",
    ("dosage", "dosage_forms"), prefer=_DOSE, search_terms="dose dosage mg", limit=5,
    open_fallback=False,  # a study's dose is not the product's dose
)
CONTRAINDICATIONS = SectionSpec(
    "contraindications", "Contraindications", "Who should not take it",
    ("contraindications",), prefer=_CONTRA, search_terms="contraindicated", limit=4,
)
SAFETY = SectionSpec(
    "safety", "Safety: boxed warning, warnings and withdrawal", "Safety warnings",
    ("boxed_warning", "warnings", "abuse_dependence"), prefer=_WITHDRAW,
    search_terms="withdrawal abrupt discontinuation warning", limit=5,
)
# label boilerplate that names no reaction
_ADVERSE_BOILERPLATE = re.compile(
    r"reported voluntarily|population of uncertain size|clinical trials are conducted under widely varying|"
    r"cannot be directly compared|may not reflect the rates|(?:are|is) (?:discussed|described) in (?:more )?"
    r"(?:detail )?(?:in )?(?:other|the following)|following adverse reactions (?:have been|were|are) "
    r"(?:identified|reported|discussed)|^the following (?:serious )?adverse reactions|collected from \d+ patients",
    re.I,
)
_ADVERSE_NAMED = re.compile(r"most common|commonly|frequent|\(?[≥>]\s?\d+\s?%|\d+\s?%|include[sd]?\b", re.I)
ADVERSE = SectionSpec(
    "adverse_effects", "Adverse effects", "Side effects",
    ("adverse_reactions",), prefer=_ADVERSE_NAMED, reject=lambda s: bool(_ADVERSE_BOILERPLATE.search(s)),
    search_terms="adverse effects side effects", limit=5, rejects="label boilerplate that names no reaction",
)
# what a drug is: "Lexapro (escitalopram oxalate) is an orally administered selective
# serotonin reuptake inhibitor (SSRI)." (the label's description names its class)
_CLASS = re.compile(
    r"\b(?:is|are) (?:an?|the) (?:[\w,()/-]+ ){0,8}?(?:inhibitors?|agonists?|antagonists?|blockers?|analogu?e?s?|"
    r"antibiotics?|antibacterials?|agents?|derivatives?|antidepressants?|anticonvulsants?|antiepileptics?|"
    r"opioids?|analgesics?|steroids?|corticosteroids?|benzodiazepines?|hormones?|vaccines?|antibod(?:y|ies)|"
    r"antihistamines?|diuretics?|statins?|antipsychotics?|stimulants?|relaxants?|sulfonamides?|penicillins?|"
    r"cephalosporins?|macrolides?|quinolones?|fluoroquinolones?|antifungals?|antivirals?|modulators?|"
    r"anticoagulants?|immunosuppressants?|immunosuppressive|salts?|compounds?|proteins?|peptides?|enzymes?|"
    r"vitamins?|class)\b", re.I)
WHAT_IT_IS = SectionSpec(
    "what_it_is", "What it is", "What it is", ("description", "mechanism", "clinical_pharmacology"),
    cues=_CLASS, search_terms="class", limit=1, requires="must say what kind of drug it is (its class)",
)

# an overview's safety section: the boxed warning and the gravest warnings first
_GRAVE = re.compile(r"\bWARNING\b|boxed|serious|fatal|death|life[- ]threatening|suicid\w*"
                    r"|increased (?:risk|mortality)", re.I)
KEY_SAFETY = SectionSpec(
    "safety", "Boxed warning and key cautions", "Important safety warnings",
    ("boxed_warning", "warnings"), prefer=_GRAVE, search_terms="warning serious risk", limit=3,
)
INTERACTIONS = SectionSpec(
    "interactions", "Drug interactions", "Other medicines and interactions",
    ("interactions",), prefer=_INTERACT, search_terms="interaction concomitant", limit=5,
)
MONITORING = SectionSpec(
    "monitoring", "Monitoring", "Check-ups and tests",
    ("monitoring", "warnings"), cues=_MONITOR, search_terms="monitoring monitor", limit=4,
    requires="must speak of monitoring, laboratory tests or assessment",
)
POPULATIONS = SectionSpec(
    "populations", "Special populations", "Pregnancy, children, older adults and other groups",
    ("boxed_warning", "pregnancy", "lactation", "pediatric", "geriatric", "renal", "hepatic", "specific_populations"),
    prefer=_POP, search_terms="pregnancy pediatric elderly renal impairment", limit=4,
)
PREGNANCY = SectionSpec(
    "pregnancy", "Pregnancy and lactation", "Pregnancy and breastfeeding",
    ("pregnancy", "lactation", "specific_populations"), prefer=_PREG,
    search_terms="pregnancy lactation breastfeeding", limit=5,
)
OVERDOSE = SectionSpec(
    "overdose", "Overdose", "If too much is taken",
    ("overdosage",), prefer=_OVERDOSE, search_terms="overdose overdosage", limit=5,
)

_INGREDIENT = re.compile(
    r"\bingredients?\b|\bcontains?\b|\beach (?:tablet|capsule|mL|film|vial|dose)\b|\bexcipients?\b|"
    r"\bgluten\b|\blactose\b|\bshellac\b|\bdyes?\b|\bgelatin\b", re.I)
_SUPPLIED = re.compile(
    r"\bsupplied\b|\bavailable\b|\bstored?\b|\bstorage\b|\brefrigerat\w*|\b\d+\s*°|\bimprint\w*|"
    r"\bdebossed\b|\bengraved\b|\bcolou?r\w*|\bwhite\b|\byellow\b|\bblue\b|\bpink\b|\bround\b|\boval\b|"
    r"\bscored\b|\bbottles? of\b|\bdispos\w*|\bdiscard\b", re.I)
INGREDIENTS = SectionSpec(
    "ingredients", "Ingredients and description", "What is in it", ("description",),
    prefer=_INGREDIENT, search_terms="ingredients", limit=4, open_fallback=False,
)
SUPPLIED = SectionSpec(
    "supplied", "How supplied, strengths, appearance and storage", "What it looks like and how to store it",
    ("how_supplied", "dosage_forms"), prefer=_SUPPLIED, search_terms="supplied storage", limit=5,
    open_fallback=False,
)
_ASKS_INGREDIENTS = re.compile(r"ingredient|contain|made (?:of|from)|gluten|lactose|shellac|\bdyes?\b|gelatin|"
                               r"preservative|latex|excipient", re.I)

PLANS: dict[QuestionType, tuple[SectionSpec, ...]] = {
    QuestionType.INDICATION: (
        INDICATIONS, LIMITATIONS, MECHANISM, DOSING, CONTRAINDICATIONS, SAFETY, MONITORING, POPULATIONS,
    ),
    QuestionType.DOSING: (DOSING, POPULATIONS, SAFETY, CONTRAINDICATIONS, INDICATIONS, MONITORING),
    QuestionType.CONTRAINDICATIONS: (CONTRAINDICATIONS, SAFETY, INTERACTIONS, POPULATIONS, INDICATIONS),
    QuestionType.ADVERSE_EFFECTS: (ADVERSE, SAFETY, CONTRAINDICATIONS, MONITORING, INDICATIONS),
    QuestionType.INTERACTIONS: (INTERACTIONS, SAFETY, CONTRAINDICATIONS, INDICATIONS),
    QuestionType.MECHANISM: (MECHANISM, INDICATIONS, DOSING, SAFETY),
    QuestionType.PREGNANCY_LACTATION: (PREGNANCY, SAFETY, CONTRAINDICATIONS, INDICATIONS),
    QuestionType.MONITORING: (MONITORING, SAFETY, DOSING, INDICATIONS),
    QuestionType.OVERDOSE: (OVERDOSE, SAFETY, DOSING, INDICATIONS),
    QuestionType.PRODUCT: (SUPPLIED, INGREDIENTS, DOSING, INDICATIONS),
    # an overview: main uses, class and action, boxed warning, common side effects, cautions
    QuestionType.GENERAL: (INDICATIONS, WHAT_IT_IS, KEY_SAFETY, ADVERSE, CONTRAINDICATIONS, MECHANISM),
}
# a condition aspect asked in a drug's context ("and does it cause ...?") reads the
# drug's sections that hold it
PLANS[QuestionType.CAUSES] = PLANS[QuestionType.SYMPTOMS] = PLANS[QuestionType.ADVERSE_EFFECTS]
PLANS[QuestionType.TREATMENT] = PLANS[QuestionType.PREVENTION] = PLANS[QuestionType.INDICATION]
PLANS[QuestionType.DIAGNOSIS] = PLANS[QuestionType.MONITORING]
PLANS[QuestionType.PROGNOSIS] = PLANS[QuestionType.COMPARISON] = PLANS[QuestionType.GENERAL]


# how a patient takes it, in a leaflet's words (doses stay with the prescriber)
_HOW_TO_TAKE = re.compile(
    r"\btake\b[^.]{0,60}\b(?:exactly as|as (?:prescribed|directed|told)|with or without food|with (?:food|water|"
    r"a meal|milk)|on an empty stomach|at the same time|by mouth)\b|\b(?:swallow|chew|crush|dissolve)\b|"
    r"\bdo not (?:stop|change|take more|crush|chew)\b|\bif you (?:miss|forget|take too much)\b|\bmissed dose\b|"
    r"\bdos(?:e|es|age|ing)\b",
    re.I,
)
DOSING_FOR_PATIENTS = SectionSpec(
    "dosing", DOSING.heading, DOSING.patient_heading, ("dosage", "patient_counseling"), prefer=_HOW_TO_TAKE,
    search_terms="take exactly as prescribed", limit=4, open_fallback=False,
)

# "when to get help now": the warning signs a patient leaflet tells the reader to act on
_HELP = re.compile(
    r"\b(?:call|tell|contact|see) (?:your|a|the) (?:doctor|healthcare provider|health care provider|prescriber|"
    r"health care professional|healthcare professional)\b[^.]{0,80}\b(?:right away|immediately|at once)\b|"
    r"\b(?:right away|immediately)\b[^.]{0,60}\b(?:call|tell|contact) (?:your|a|the) "
    r"(?:doctor|healthcare provider|health care provider)\b|"
    r"\bget (?:emergency|medical|immediate) (?:help|care|attention|treatment)\b|"
    r"\bseek (?:emergency|immediate|urgent) (?:medical )?(?:help|care|attention|treatment)\b|"
    r"\bemergency room\b|\b911\b|\bpoison control\b",
    re.I,
)
GET_HELP = SectionSpec(
    "get_help", "When to get help now", "When to get help right away",
    ("patient_counseling", "boxed_warning", "warnings"), cues=_HELP,
    search_terms="call doctor right away emergency help", limit=3, open_fallback=False,
    requires="must say when to call a doctor or get emergency help",
)

# what each reader sees first after the asked section (the rest of the plan follows);
# a patient's article drops the sections written for prescribers unless asked
_READER_FIRST: dict[Audience, tuple[SectionSpec, ...]] = {
    Audience.PHARMACIST: (DOSING, INTERACTIONS, POPULATIONS),
    Audience.NURSE: (DOSING, MONITORING, SAFETY),
    Audience.STUDENT: (WHAT_IT_IS, MECHANISM),
    Audience.PATIENT: (INDICATIONS, DOSING, SAFETY, GET_HELP, CONTRAINDICATIONS, ADVERSE),
}


def plan_for(qtype: QuestionType, question: str, audience: Audience = Audience.PHYSICIAN
             ) -> tuple[SectionSpec, ...]:
    """The sections of a drug article for ``audience``, the asked one first: a physician
    gets the question type's plan; a pharmacist dosing, interactions and populations
    next, a nurse administration, monitoring and safety, a student what the drug is and
    how it works (``_READER_FIRST``), then the rest of the plan; a patient only what it is
    for, how it is taken, its warnings, when to get help and its side effects."""
    if qtype is QuestionType.PRODUCT and _ASKS_INGREDIENTS.search(question):
        base: tuple[SectionSpec, ...] = (INGREDIENTS, SUPPLIED, DOSING, INDICATIONS)
    else:
        base = PLANS[qtype]
    if audience is Audience.PHYSICIAN:
        return base
    lead = base[0]
    first = _READER_FIRST[audience]
    if audience is Audience.PATIENT and KEY_SAFETY in base:  # an overview's warnings: the gravest
        first = tuple(KEY_SAFETY if s is SAFETY else s for s in first)
    out = [lead]
    for spec in (*first, *base[1:]):
        if all(spec.key != o.key for o in out):
            out.append(spec)
    if audience is Audience.PATIENT:  # what a patient needs, and nothing written for prescribers
        keys = {s.key for s in first}
        out = [out[0], *(s for s in out[1:] if s.key in keys)]
        out = [DOSING_FOR_PATIENTS if s is DOSING else s for s in out]
    return tuple(out)

# What each question type asks for, in words, for "not covered" notes.
ASKED_FOR: dict[QuestionType, str] = {
    QuestionType.INDICATION: "indications",
    QuestionType.DOSING: "dosing",
    QuestionType.CONTRAINDICATIONS: "contraindications",
    QuestionType.ADVERSE_EFFECTS: "adverse effects",
    QuestionType.INTERACTIONS: "drug interactions",
    QuestionType.MECHANISM: "mechanism of action",
    QuestionType.PREGNANCY_LACTATION: "use in pregnancy and lactation",
    QuestionType.MONITORING: "monitoring",
    QuestionType.OVERDOSE: "overdose",
    QuestionType.PRODUCT: "ingredients, strengths, appearance and storage",
    QuestionType.COMPARISON: "comparison",
    QuestionType.CAUSES: "causes",
    QuestionType.SYMPTOMS: "symptoms",
    QuestionType.TREATMENT: "treatment",
    QuestionType.PREVENTION: "prevention",
    QuestionType.DIAGNOSIS: "tests and diagnosis",
    QuestionType.PROGNOSIS: "outlook",
    QuestionType.GENERAL: "general information",
}

# the headings a patient's article gives the warnings carried over from the clinician's
PATIENT_WARNING_HEADINGS: dict[str, str] = {
    SAFETY.key: SAFETY.patient_heading, CONTRAINDICATIONS.key: CONTRAINDICATIONS.patient_heading,
}
