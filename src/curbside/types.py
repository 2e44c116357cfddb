"""Typed, frozen data objects passed between the pipeline stages.

sources  -> Document (with Passage children)
store    -> StoredPassage (a Passage with its document's provenance)
index    -> Hit (a scored passage id)
understanding -> ParsedQuestion
composition   -> Article (Statement, Section, Reference)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum


class SourceType(str, Enum):
    """The kind of evidence a document is; its order is its evidence strength."""

    DRUG_LABEL = "drug_label"
    GUIDELINE = "guideline"
    RESEARCH = "research"
    PATIENT_INFO = "patient_information"

    @property
    def label(self) -> str:
        return _SOURCE_LABELS[self]

    @property
    def strength(self) -> int:
        """Higher is stronger evidence for a clinician."""
        return _SOURCE_STRENGTH[self]


_SOURCE_LABELS = {
    SourceType.DRUG_LABEL: "Drug label",
    SourceType.GUIDELINE: "Guideline",
    SourceType.RESEARCH: "Research",
    SourceType.PATIENT_INFO: "Patient information",
}
_SOURCE_STRENGTH = {
    SourceType.DRUG_LABEL: 4,
    SourceType.GUIDELINE: 3,
    SourceType.RESEARCH: 2,
    SourceType.PATIENT_INFO: 1,
}


def content_hash(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Passage:
    """A piece of a document cut along the document's own structure."""

    section: str  # human heading, e.g. "Indications and usage" or "Abstract: RESULTS"
    section_code: str  # canonical key, see sources.sections.SECTION_CODES
    text: str

    @property
    def hash(self) -> str:
        return content_hash(self.section_code, self.section, self.text)


@dataclass(frozen=True, slots=True)
class Document:
    """One source document with its provenance and its passages."""

    doc_id: str  # "label:<set_id>", "pmid:<pmid>", "ngc:<id>", "medquad:<id>", ...
    source_type: SourceType
    title: str
    publisher: str  # manufacturer, journal, guideline developer or agency
    year: int | None
    date: str | None  # as precise as the source gives (YYYY-MM-DD, YYYY-MM or YYYY)
    url: str | None
    drugs: tuple[str, ...] = ()  # generic names the document is about (lower case)
    brands: tuple[str, ...] = ()  # brand names the document uses (as written)
    passages: tuple[Passage, ...] = ()
    source_file: str = ""
    keywords: tuple[str, ...] = ()  # index terms the source assigns (MeSH headings)

    @property
    def hash(self) -> str:
        return content_hash(
            self.doc_id,
            self.source_type.value,
            self.title,
            self.publisher,
            str(self.year),
            self.date or "",
            self.url or "",
            "|".join(self.drugs),
            "|".join(self.brands),
            *(p.hash for p in self.passages),
            *(["keywords:" + "|".join(self.keywords)] if self.keywords else []),
        )


@dataclass(frozen=True, slots=True)
class RecordError:
    """A record a reader could not turn into a Document."""

    file: str
    record: str  # index, id or line number of the record within the file
    reason: str


@dataclass(frozen=True, slots=True)
class StoredPassage:
    """A passage as the store returns it: text plus its document's provenance."""

    rowid: int
    passage_id: str  # "<doc_id>#<ordinal>"
    doc_id: str
    ordinal: int
    section: str
    section_code: str
    text: str
    source_type: SourceType
    title: str
    publisher: str
    year: int | None
    date: str | None
    url: str | None
    drugs: tuple[str, ...]
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionMatch:
    """An answered question of the corpus similar to the user's (index/questions.py):
    the stored question, its cosine similarity to the user's, and the passages of its
    answer in order (a long answer spans several)."""

    question: str
    similarity: float
    passages: tuple[StoredPassage, ...]

    @property
    def rowid(self) -> int:
        """The rowid of the answer's first passage (the question index's row)."""
        return self.passages[0].rowid


@dataclass(frozen=True, slots=True)
class Hit:
    rowid: int
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None


@dataclass(frozen=True, slots=True)
class SourceHit:
    """A passage that a source search found (Engine.search_sources): its provenance,
    a snippet around the first search word it holds, and its BM25 score. ``url`` is
    the source's own; the web links only http(s) ones (validate.web_url)."""

    passage_id: str
    doc_id: str
    title: str
    source_type: SourceType
    publisher: str
    year: int | None
    url: str | None
    section: str
    snippet: str
    score: float


class QuestionType(str, Enum):
    INDICATION = "indication"
    DOSING = "dosing"
    CONTRAINDICATIONS = "contraindications"
    ADVERSE_EFFECTS = "adverse_effects"
    INTERACTIONS = "interactions"
    MECHANISM = "mechanism"
    PREGNANCY_LACTATION = "pregnancy_lactation"
    MONITORING = "monitoring"
    OVERDOSE = "overdose"
    PRODUCT = "product"  # ingredients, strengths, appearance, storage, how supplied
    COMPARISON = "comparison"  # "X vs Y", "how do A and B differ"
    # questions about a condition (answered from consumer pages and guidelines)
    CAUSES = "causes"  # causes and risk factors
    SYMPTOMS = "symptoms"  # symptoms, "is S a sign of C"
    TREATMENT = "treatment"  # treatment options for a condition
    PREVENTION = "prevention"  # prevention and contagion
    DIAGNOSIS = "diagnosis"  # tests and exams
    PROGNOSIS = "prognosis"  # outlook, how long it lasts
    GENERAL = "general"  # overview: "tell me about X", "what is X"


@dataclass(frozen=True, slots=True)
class DrugMention:
    text: str  # as written in the question
    generic: str  # canonical generic name, lower case
    matched_as: str  # "generic" | "brand" | "synonym" | "fuzzy"


@dataclass(frozen=True, slots=True)
class ConditionMention:
    text: str
    name: str  # preferred name
    concept_id: str | None = None  # e.g. DOID:2377
    matched_as: str = "term"  # "term" | "fuzzy" (a misspelt name: "chylamdia")


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    text: str
    qtype: QuestionType
    drugs: tuple[DrugMention, ...] = ()
    conditions: tuple[ConditionMention, ...] = ()
    secondary_types: tuple[QuestionType, ...] = ()
    language: str = "en"


class Audience(str, Enum):
    PHYSICIAN = "physician"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    STUDENT = "student"
    PATIENT = "patient"

    @property
    def label(self) -> str:
        return _AUDIENCE_LABELS[self]

    @property
    def is_clinician(self) -> bool:
        return self is not Audience.PATIENT


_AUDIENCE_LABELS = {
    Audience.PHYSICIAN: "Physician",
    Audience.NURSE: "Nurse / PA",
    Audience.PHARMACIST: "Pharmacist",
    Audience.STUDENT: "Student",
    Audience.PATIENT: "Patient / caregiver",
}


class CutKind(str, Enum):
    """What the sentence cleaner (composition/sentences.py) may leave out of a quoted
    sentence. composition/verify.py holds each kind to the text it may remove, so a cut
    can never drop a word such as "not" or a number."""

    HEADING = "heading"  # a label heading before the sentence: "1 INDICATIONS AND USAGE"
    SUBHEADING = "subheading"  # a numbered subsection title: "2.1 Recommended Dosage"
    SECTION_TITLE = "section_title"  # the passage's own subsection title (its reference's section)
    LIST_MARKER = "list_marker"  # a bullet or dash before a list item
    CROSS_REFERENCE = "cross_reference"  # "[see Warnings and Precautions (5.1)]"
    SPACE_BEFORE_PUNCTUATION = "space_before_punctuation"  # "pneumoniae , and" -> "pneumoniae, and"


@dataclass(frozen=True, slots=True)
class Cut:
    """A stretch ``passage[start:end]`` the statement leaves out, and why."""

    start: int
    end: int
    kind: CutKind


@dataclass(frozen=True, slots=True)
class Quote:
    """Where a statement's words are in the passage it cites: the statement's text is
    ``passage[start:end]`` of each span, in order, joined with nothing, under the
    whitespace rule (composition/quoting.py ``join_spans``: every run of whitespace
    becomes one space, none at either end). ``cuts`` are the stretches between, before
    and after the spans that the statement leaves out. Offsets count Unicode code
    points of the cited reference's ``passage`` text (the store's passage text)."""

    passage_id: str
    spans: tuple[tuple[int, int], ...]
    cuts: tuple[Cut, ...] = ()


@dataclass(frozen=True, slots=True)
class Statement:
    text: str
    citations: tuple[int, ...]  # reference numbers
    # where the text is in the passage of the first citation; None only for articles
    # stored before schema 1.2 (and statements an edit could not place)
    quote: Quote | None = None


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    heading: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class Reference:
    number: int
    source_type: SourceType
    title: str
    source: str
    year: int | None
    url: str | None
    doc_id: str
    passage_id: str
    section: str
    passage: str  # the exact cited passage text


@dataclass(frozen=True, slots=True)
class Article:
    question: str
    audience: Audience
    question_type: QuestionType
    drugs: tuple[DrugMention, ...]
    conditions: tuple[ConditionMention, ...]
    title: str
    summary: tuple[Statement, ...]
    sections: tuple[Section, ...]
    bottom_line: tuple[Statement, ...]
    references: tuple[Reference, ...]
    uncovered: tuple[str, ...]
    abstained: bool
    abstain_reason: str | None
    last_updated: str | None
    corpus_version: str
    settings_hash: str
    timings_ms: dict[str, float] = field(default_factory=dict, compare=False)
    # the asked aspect is not covered: the article says so first (``partial_note``) and
    # offers what the sources do cover as related information
    partial: bool = False
    partial_note: str | None = None
