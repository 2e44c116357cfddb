"""Typed, frozen data objects passed between the pipeline stages.

sources  -> Document (with Passage children)
store    -> StoredPassage (a Passage with its document's provenance)
index    -> Hit (a scored passage id)
understanding -> ParsedQuestion
composition   -> Article (Statement, Section, Reference)

Most are plain frozen dataclasses. The article and its parts (Article down to Cut, and
the question's DrugMention and ConditionMention it carries) are pydantic dataclasses:
the same frozen, positional objects, that are also the article JSON's one definition.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, ClassVar, Final, Literal, Self

from pydantic import (
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    computed_field,
    field_serializer,
    field_validator,
    model_serializer,
)
from pydantic.dataclasses import dataclass as json_dataclass
from pydantic_core import SchemaSerializer, SchemaValidator


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


# ---- the article model ---------------------------------------------------------------
# The article and its parts are pydantic dataclasses: frozen and positional like the
# dataclasses around them (the composer builds them in its inner loops), and at the same
# time the one definition of the article JSON. ``to_json`` writes the document (schema
# SCHEMA_VERSION: JSON names such as a reference's ``type``, computed ``type_label``,
# timings rounded), ``from_json`` reads one of any 1.x version (fields a version did not
# have take their defaults), and the JSON schema the API publishes (/openapi.json) and
# docs/ARTICLE_SCHEMA.md (scripts/article_schema.py) are generated from the same classes.
# Python code keeps its own names (``Reference.source_type``, ``Article.drugs``): fields
# whose JSON name differs carry a validation and a serialization alias, never ``alias``,
# so that type checkers see the Python name in the constructor.

SCHEMA_VERSION: Final = "1.3"

JSON_CONFIG = ConfigDict(
    validate_by_name=True,  # constructors take Python names...
    validate_by_alias=True,  # ...documents their JSON names
    serialize_by_alias=True,
    # every field is in every document written (defaults included): the schema says so
    json_schema_serialization_defaults_required=True,
)


class JsonDocument:
    """``to_json`` / ``from_json`` for the article's pydantic dataclasses (pydantic puts
    a validator and a serializer on each class; these name the two uses)."""

    __slots__ = ()
    __pydantic_serializer__: ClassVar[SchemaSerializer]
    __pydantic_validator__: ClassVar[SchemaValidator]  # or pydantic's pluggable wrapper of one

    def to_json(self) -> dict[str, Any]:
        """The JSON document (plain dicts, lists, strings and numbers)."""
        return self.__pydantic_serializer__.to_python(self, mode="json", by_alias=True)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """The object a JSON document describes; pydantic.ValidationError names what is wrong."""
        return cls.__pydantic_validator__.validate_python(data)


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class DrugMention(JsonDocument):
    """A drug the question names."""

    text: Annotated[str, Field(description="as written in the question")]
    generic: Annotated[str, Field(description="canonical generic name, lower case")]
    matched_as: Annotated[str, Field(description="how it was recognised: generic, brand, synonym or fuzzy "
                                                 "(a misspelling)")]


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class ConditionMention(JsonDocument):
    """A condition the question names (Disease Ontology)."""

    text: Annotated[str, Field(description="as written in the question")]
    name: Annotated[str, Field(description="Disease Ontology preferred name")]
    concept_id: Annotated[str | None, Field(description="Disease Ontology id, e.g. DOID:2377")] = None
    # "term" | "fuzzy" (a misspelt name: "chylamdia"): the understanding's, not the article's
    matched_as: Annotated[str, Field(exclude=True)] = "term"


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    text: str
    qtype: QuestionType
    drugs: tuple[DrugMention, ...] = ()
    conditions: tuple[ConditionMention, ...] = ()
    secondary_types: tuple[QuestionType, ...] = ()
    language: str = "en"

    @property
    def entities(self) -> Entities:
        """What the question names, as the article records it."""
        return Entities(self.drugs, self.conditions)


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


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class Cut(JsonDocument):
    """A stretch ``passage[start:end]`` the statement leaves out, and why."""

    start: Annotated[int, Field(description="offset in the passage (Unicode code points)")]
    end: Annotated[int, Field(description="end offset, exclusive")]
    kind: Annotated[CutKind, Field(description=(
        "heading (a label heading: section number and upper-case heading words), subheading (a numbered "
        "subsection title, \"2.1 Recommended Dosage\"), section_title (the passage's own subsection title, "
        "from the reference's `section`), list_marker (bullets and dashes) — these four only before the first "
        "span —, cross_reference (\"[see Warnings and Precautions (5.1)]\"), space_before_punctuation "
        "(whitespace before a comma or full stop that is not followed by a letter or digit)"))]


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class Quote(JsonDocument):
    """Where a statement's words are in the passage it cites: the statement's text is
    ``passage[start:end]`` of each span, in order, joined with nothing, under the
    whitespace rule (composition/quoting.py ``join_spans``: every run of whitespace
    becomes one space, none at either end). ``cuts`` are the stretches between, before
    and after the spans that the statement leaves out. Offsets count Unicode code
    points of the cited reference's ``passage`` text (the store's passage text)."""

    passage_id: Annotated[str, Field(description="the `passage_id` of the statement's first cited reference")]
    spans: Annotated[tuple[tuple[int, int], ...], Field(description=(
        "[start, end] pairs: the stretches of that reference's `passage` the statement is made of, in passage "
        "order; offsets in Unicode code points (not UTF-16 units or bytes), end exclusive"))]
    cuts: Annotated[tuple[Cut, ...], Field(description="stretches of the passage before, between or after the "
                                                       "spans that the statement leaves out")] = ()


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class Gloss(JsonDocument):
    """A technical word of a statement explained in everyday words, for patients and
    caregivers (composition/glossing.py): shown beside the quote, never part of it (the
    statement's text stays its source's words); the meaning's own source is named."""

    term: Annotated[str, Field(description="the word or words as written in the statement's text")]
    meaning: Annotated[str, Field(description="what it means, in everyday words")]
    source: Annotated[str, Field(description="where the meaning's wording is from: a vocabulary (\"CDC Plain "
                                             "Language Thesaurus\", \"NCI Dictionary of Cancer Terms\", "
                                             "\"Disease Ontology\") or a consumer page of the corpus")]
    url: Annotated[str | None, Field(description="the source's URL, when it has one")] = None


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class Statement(JsonDocument):
    """One sentence of the answer, quoted from the sources it cites."""

    text: Annotated[str, Field(description="verbatim from the cited passage (see Quotes below)")]
    citations: Annotated[tuple[int, ...], Field(description="reference numbers; the first is the passage it quotes")]
    # where the text is in the passage of the first citation; None only for articles
    # stored before schema 1.2 (and statements an edit could not place)
    quote: Annotated[Quote | None, Field(description="where the text is in the passage of the first citation; "
                                                     "null in articles before 1.2 and for a statement an editor "
                                                     "added whose words could not be placed")] = None
    # patient answers only: technical words of the text explained, beside it (not in it)
    glosses: Annotated[tuple[Gloss, ...], Field(exclude_if=lambda glosses: not glosses,
                                                description="patient answers: technical words of `text` "
                                                            "explained in everyday words, each once per article "
                                                            "(at its first statement); absent when none")] = ()


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class Section(JsonDocument):
    """A part of the answer under one heading."""

    key: Annotated[str, Field(description="stable key, e.g. indications, dosing, labels, evidence, treatment")]
    heading: Annotated[str, Field(description="the heading shown, worded for the audience")]
    statements: Annotated[tuple[Statement, ...], Field(description="never empty")]


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class AlsoIn(JsonDocument):
    """Another document holding a copy of a cited passage: the same words in the same
    section of a document with the same title and drugs (store/sqlite.py ``copy_key``),
    from another publisher, date or id."""

    doc_id: Annotated[str, Field(description="the other document's id")]
    passage_id: Annotated[str, Field(description="its copy of the passage, `<doc_id>#<ordinal>`")]
    title: Annotated[str, Field(description="its title")]
    source: Annotated[str, Field(description="its manufacturer, guideline developer, journal or agency")]
    year: Annotated[int | None, Field(description="its year, when known")]
    url: Annotated[str | None, Field(description="its own URL (may be null)")]


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class Reference(JsonDocument):
    """A cited passage with its source; numbered in order of first use."""

    number: Annotated[int, Field(description="order of first use, from 1")]
    source_type: Annotated[SourceType, Field(validation_alias="type", serialization_alias="type",
                                             description="the kind of source")]
    title: Annotated[str, Field(description="the source's title")]
    source: Annotated[str, Field(description="manufacturer, guideline developer, journal or agency")]
    year: Annotated[int | None, Field(description="year of the source, when known")]
    url: Annotated[str | None, Field(description="the source's own URL (may be null)")]
    doc_id: Annotated[str, Field(description="`label:<set id>`, `pmid:<PMID>`, `ngc:<id>`, `medquad:<id>`, ...")]
    passage_id: Annotated[str, Field(description="`<doc_id>#<ordinal>`")]
    section: Annotated[str, Field(description="the source's section the passage is from")]
    passage: Annotated[str, Field(description="the exact cited passage text")]
    # other documents with the same text (the reference cites their representative);
    # written only when there are any, so an article without copies reads as before
    copies: Annotated[int, Field(exclude_if=lambda n: not n, description=(
        "how many other documents hold a copy of the passage (the same words in the same section of a document "
        "with the same title and drugs, from another publisher, date or id); absent when none"))] = 0
    also_in: Annotated[tuple[AlsoIn, ...], Field(exclude_if=lambda xs: not xs, description=(
        "the first of those documents (at most 50), fullest and newest first; absent when none"))] = ()

    @computed_field(description="the type as shown: Drug label, Guideline, Research, Patient information")  # type: ignore[prop-decorator]
    @property
    def type_label(self) -> str:
        return self.source_type.label

    @model_serializer(mode="wrap")
    def _type_label_after_type(self, handler: SerializerFunctionWrapHandler):
        """The document with ``type_label`` right after ``type``, where articles have
        always had it (pydantic writes computed fields last). Not annotated: a return
        type would replace the reference's JSON schema with that type's."""
        return _moved_after(handler(self), "type_label", "type")


def _moved_after(d: Any, key: str, after: str) -> Any:
    if not isinstance(d, dict) or key not in d or after not in d:
        return d
    value = d.pop(key)
    out = {}
    for k, v in d.items():
        out[k] = v
        if k == after:
            out[key] = value
    return out


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class Entities(JsonDocument):
    """What the question names."""

    drugs: Annotated[tuple[DrugMention, ...], Field(description="drugs, in the order named")] = ()
    conditions: Annotated[tuple[ConditionMention, ...], Field(description="conditions, in the order named")] = ()


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class EditorNote(JsonDocument):
    """An editor's note shown on the page above the answer (editorial/edits.py)."""

    text: Annotated[str, Field(description="the note")]
    author: Annotated[str, Field(description="the editor's name and credentials")] = ""
    at: Annotated[str, Field(description="when, UTC, ISO 8601")] = ""


_VERSIONS = (
    "1.3 added the statement's `glosses` (patient answers; absent when a statement has none), the article's "
    "`reader_notes` (present only when there are some), `understood_as` (a follow-up's standalone question; "
    "absent when not a follow-up) and a reference's `copies` and `also_in` (other documents with the same text; "
    "absent when none); 1.2 added the statement's `quote` (1.1 and 1.0 articles read with `quote` null); "
    "1.1 added "
    "`partial`, `partial_note` and the question types from product to prognosis (1.0 articles read with "
    "`partial` false). An older article is written back as 1.3; a breaking change bumps the major number")
_SUMMARY = (
    "the direct answer first: at most 2 statements as composed (an editor may add more). Empty when abstained, "
    "and in an answered article only if the verifier dropped the lead statement; an edit may not empty it")


@json_dataclass(frozen=True, slots=True, kw_only=True, config=JSON_CONFIG)
class Article(JsonDocument):
    """A cited, sectioned answer: what the engine returns, the API and `curbside ask --json`
    show and the editorial store keeps (as this JSON)."""

    schema_version: Annotated[Literal["1.3"], Field(description=_VERSIONS)] = SCHEMA_VERSION
    question: Annotated[str, Field(description="the question as asked (whitespace and control characters cleaned)")]
    # a follow-up answered as its standalone question (understanding/followup.py)
    understood_as: Annotated[str | None, Field(
        exclude_if=lambda text: text is None,
        description="a follow-up's standalone question, which the article answers (\"And for children?\" after "
                    "\"What is the dose of baclofen?\" is understood as \"What is the dose of baclofen for "
                    "children?\"); absent when the question was answered as asked")] = None
    audience: Annotated[Audience, Field(description="who the answer is written for")]
    question_type: Annotated[QuestionType, Field(description="what the question asks: product is ingredients, "
                                                             "strengths, appearance, storage; treatment is of a "
                                                             "condition; general is an overview")]
    entities: Annotated[Entities, Field(description="the drugs and conditions the question names")]
    title: Annotated[str, Field(description="the question as a title")]
    summary: Annotated[tuple[Statement, ...], Field(description=_SUMMARY)]
    sections: Annotated[tuple[Section, ...], Field(description="the answer's parts, the asked one first")]
    bottom_line: Annotated[tuple[Statement, ...], Field(description="0–1 statements as composed (an editor may "
                                                                    "add more): a caution or limitation")]
    references: Annotated[tuple[Reference, ...], Field(description="every cited passage, numbered in order of "
                                                                   "first use; every `citations` number names one")]
    uncovered: Annotated[tuple[str, ...], Field(description="parts of the question the sources did not cover")]
    abstained: Annotated[bool, Field(description="true when nothing is answered")]
    abstain_reason: Annotated[str | None, Field(description="why nothing is answered")]
    # the asked aspect is not covered: the article says so first (``partial_note``) and
    # offers what the sources do cover as related information
    partial: Annotated[bool, Field(description="true when the asked aspect is not covered and the article "
                                               "offers related information instead")] = False
    partial_note: Annotated[str | None, Field(description="what was asked and not covered, shown before the "
                                                          "summary when `partial`")] = None
    # curbside's own words to the reader, not quotes: a patient's article says who
    # chooses the dose instead of listing doses
    reader_notes: Annotated[tuple[str, ...], Field(exclude_if=lambda notes: not notes,
                                                   description="curbside's notes to the reader (not quotes of a "
                                                               "source), e.g. that the prescriber chooses the dose; "
                                                               "absent when there are none")] = ()
    last_updated: Annotated[str | None, Field(description="newest date (or year) of the cited sources")]
    corpus_version: Annotated[str, Field(description="hash of the ingested documents")]
    settings_hash: Annotated[str, Field(description="hash of the settings that change answers")]
    timings_ms: Annotated[dict[str, float], Field(description="milliseconds per stage (understand, retrieve_*, "
                                                              "compose, total), rounded to 0.01")
                          ] = dataclasses.field(default_factory=dict, compare=False)
    # an editorial addition: curbside never writes one, an editor's edit may
    editor_note: Annotated[EditorNote | None, Field(exclude_if=lambda note: note is None,
                                                    description="an editor's note shown above the answer; "
                                                                "absent when there is none")] = None

    @field_validator("schema_version", mode="before")
    @classmethod
    def _read_any_1x(cls, value: Any) -> str:
        """1.x versions only add fields, each with a default: any 1.x article reads as 1.3."""
        if isinstance(value, str) and value.split(".")[0] == "1":
            return SCHEMA_VERSION
        raise ValueError(f"this curbside reads article schema 1.x, not {str(value)[:20]!r}")

    @field_serializer("timings_ms")
    def _rounded(self, timings: dict[str, float]) -> dict[str, float]:
        return {k: round(v, 2) for k, v in timings.items()}

    @property
    def drugs(self) -> tuple[DrugMention, ...]:
        return self.entities.drugs

    @property
    def conditions(self) -> tuple[ConditionMention, ...]:
        return self.entities.conditions

    def statements(self) -> Iterator[Statement]:
        """Every statement in page order: summary, sections, bottom line."""
        yield from self.summary
        for sec in self.sections:
            yield from sec.statements
        yield from self.bottom_line
