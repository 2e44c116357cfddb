"""The article model (types.py): its JSON is the schema 1.2 document exactly as the
hand-written serializer wrote it, it reads 1.0 and 1.1 documents, and it round-trips."""

from __future__ import annotations

import dataclasses
import json

import pytest
from fakes import make_article
from pydantic import ValidationError
from support.previous_serializer import previous_article_to_dict

from curbside.types import (
    Article,
    Audience,
    ConditionMention,
    Cut,
    CutKind,
    DrugMention,
    EditorNote,
    Entities,
    QuestionType,
    Quote,
    Reference,
    Section,
    SourceType,
    Statement,
)

PASSAGE = "1 INDICATIONS Baclofen is indicated for spasticity [see Clinical Studies (14)]. Taper on stopping."


def small() -> Article:
    quote = Quote("label:a#0", ((14, 50), (79, 80)),
                  (Cut(0, 14, CutKind.HEADING), Cut(50, 79, CutKind.CROSS_REFERENCE)))
    st = Statement("Baclofen is indicated for spasticity.", (1,), quote)
    return Article(
        question="Lioresal for MS spasticity?", audience=Audience.NURSE, question_type=QuestionType.INDICATION,
        entities=Entities((DrugMention("Lioresal", "baclofen", "brand"),),
                          (ConditionMention("MS", "multiple sclerosis", "DOID:2377", "fuzzy"),)),
        title="Lioresal for MS spasticity?", summary=(st,),
        sections=(Section("indications", "Approved indications", (st, Statement("Taper on stopping.", (1, 2)))),),
        bottom_line=(),
        references=(Reference(1, SourceType.DRUG_LABEL, "Baclofen", "Acme", 2020, None, "label:a", "label:a#0",
                              "Indications and usage", PASSAGE),
                    Reference(2, SourceType.GUIDELINE, "MS care", "Society", None, "https://example.org/ms",
                              "ngc:1", "ngc:1#3", "Recommendations", "Taper on stopping.")),
        uncovered=("Dosing: not covered.",), abstained=False, abstain_reason=None, partial=True,
        partial_note="The sources found do not say X.", last_updated="2020", corpus_version="c", settings_hash="s",
        timings_ms={"understand": 0.123456, "total": 12.0},
    )


# the article JSON of ``small()``, written out: what article_to_dict wrote (schema 1.2)
SMALL_JSON = {
    "schema_version": "1.3",
    "question": "Lioresal for MS spasticity?",
    "audience": "nurse",
    "question_type": "indication",
    "entities": {
        "drugs": [{"text": "Lioresal", "generic": "baclofen", "matched_as": "brand"}],
        "conditions": [{"text": "MS", "name": "multiple sclerosis", "concept_id": "DOID:2377"}],
    },
    "title": "Lioresal for MS spasticity?",
    "summary": [{"text": "Baclofen is indicated for spasticity.", "citations": [1],
                 "quote": {"passage_id": "label:a#0", "spans": [[14, 50], [79, 80]],
                           "cuts": [{"start": 0, "end": 14, "kind": "heading"},
                                    {"start": 50, "end": 79, "kind": "cross_reference"}]}}],
    "sections": [{"key": "indications", "heading": "Approved indications", "statements": [
        {"text": "Baclofen is indicated for spasticity.", "citations": [1],
         "quote": {"passage_id": "label:a#0", "spans": [[14, 50], [79, 80]],
                   "cuts": [{"start": 0, "end": 14, "kind": "heading"},
                            {"start": 50, "end": 79, "kind": "cross_reference"}]}},
        {"text": "Taper on stopping.", "citations": [1, 2], "quote": None},
    ]}],
    "bottom_line": [],
    "references": [
        {"number": 1, "type": "drug_label", "type_label": "Drug label", "title": "Baclofen", "source": "Acme",
         "year": 2020, "url": None, "doc_id": "label:a", "passage_id": "label:a#0",
         "section": "Indications and usage", "passage": PASSAGE},
        {"number": 2, "type": "guideline", "type_label": "Guideline", "title": "MS care", "source": "Society",
         "year": None, "url": "https://example.org/ms", "doc_id": "ngc:1", "passage_id": "ngc:1#3",
         "section": "Recommendations", "passage": "Taper on stopping."},
    ],
    "uncovered": ["Dosing: not covered."],
    "abstained": False,
    "abstain_reason": None,
    "partial": True,
    "partial_note": "The sources found do not say X.",
    "last_updated": "2020",
    "corpus_version": "c",
    "settings_hash": "s",
    "timings_ms": {"understand": 0.12, "total": 12.0},
}


def test_the_json_is_the_schema_1_2_document_key_for_key_and_in_order() -> None:
    assert json.dumps(small().to_json()) == json.dumps(SMALL_JSON)


@pytest.mark.parametrize("article", [
    small(),
    make_article("What is baclofen for?", Audience.PHYSICIAN),
    make_article("Baclofen?", Audience.PATIENT, text_suffix=" More.", drug="", ref_url=None),
], ids=["small", "fake", "fake-unquoted"])
def test_the_json_is_what_the_previous_serializer_wrote(article: Article) -> None:
    assert json.dumps(article.to_json(), ensure_ascii=False) == json.dumps(previous_article_to_dict(article),
                                                                          ensure_ascii=False)


def test_model_json_model_round_trip() -> None:
    for a in (small(), make_article("What is baclofen for?", Audience.PHYSICIAN)):
        d = json.loads(json.dumps(a.to_json()))
        b = Article.from_json(d)
        assert b.to_json() == d
        # equal but for what the document does not carry: how a condition was matched
        assert b == dataclasses.replace(a, entities=Entities(a.drugs, tuple(
            dataclasses.replace(c, matched_as="term") for c in a.conditions)))
        assert b.references[0].source_type is a.references[0].source_type and b.drugs == a.drugs


def _older(version: str) -> dict:
    d = json.loads(json.dumps(SMALL_JSON))
    d["schema_version"] = version
    for st in (*d["summary"], *d["sections"][0]["statements"]):
        del st["quote"]  # before 1.2
    if version == "1.0":
        del d["partial"], d["partial_note"]
    return d


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_older_documents_read_with_the_defaults_of_what_they_lack(version: str) -> None:
    a = Article.from_json(_older(version))
    assert all(st.quote is None for st in a.statements())
    assert a.partial is (version == "1.1") and a.question_type is QuestionType.INDICATION
    assert a.references[1].source_type is SourceType.GUIDELINE and a.drugs[0].generic == "baclofen"
    out = a.to_json()  # written as what it now is: a 1.3 document
    assert out["schema_version"] == "1.3" and out["summary"][0]["quote"] is None
    assert list(out) == list(SMALL_JSON)


def test_a_document_of_another_major_version_is_refused() -> None:
    with pytest.raises(ValidationError, match="reads article schema 1.x"):
        Article.from_json({**SMALL_JSON, "schema_version": "2.0"})
    with pytest.raises(ValidationError, match="question"):
        Article.from_json({k: v for k, v in SMALL_JSON.items() if k != "question"})


def test_an_editor_note_is_written_only_when_there_is_one() -> None:
    assert "editor_note" not in small().to_json()
    note = {"text": "Checked against the 2020 label.", "author": "Dr A. Rivera, MD", "at": "2025-01-02T03:04:05Z"}
    a = Article.from_json({**SMALL_JSON, "editor_note": note})
    assert a.editor_note == EditorNote(note["text"], note["author"], note["at"])
    assert a.to_json() == {**SMALL_JSON, "editor_note": note}


def test_the_parts_stay_frozen_positional_dataclasses() -> None:
    st = Statement("x", [1, 2])  # validated: lists become tuples
    assert st.citations == (1, 2) and st.quote is None
    assert dataclasses.replace(st, citations=(3,)).citations == (3,)
    assert {st: 1}[Statement("x", (1, 2))] == 1  # hashable (the verifier keys verdicts by statement)
    with pytest.raises(dataclasses.FrozenInstanceError):
        st.text = "y"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Cut(0, 1, "not a kind")  # type: ignore[arg-type]
    # timings are not part of what an article is
    a = small()
    assert dataclasses.replace(a, timings_ms={"total": 99.0}) == a
