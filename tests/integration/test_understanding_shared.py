"""Question understanding on the real vocabularies and evaluation sets in ../shared."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from curbside.types import QuestionType as Q
from curbside.understanding.conditions import ConditionMatcher
from curbside.understanding.drugs import find_drugs
from curbside.understanding.language import detect_language
from curbside.understanding.lexicon import DrugLexicon
from curbside.understanding.normalize import drug_key
from curbside.understanding.parser import QuestionParser
from curbside.understanding.qtype import classify

pytestmark = pytest.mark.integration

# medicationqa's question types that correspond to ours (the rest: appearance, storage,
# tapering, comparison ... have no type of their own here and are left out).
MEDICATIONQA_TYPES = {
    "Indication": Q.INDICATION, "Dose": Q.DOSING, "Dose/Potency": Q.DOSING,
    "Dose/time": Q.DOSING, "Usage": Q.DOSING, "Usage/time": Q.DOSING,
    "Usage/duration": Q.DOSING, "Side effects": Q.ADVERSE_EFFECTS,
    "Side effects/time": Q.ADVERSE_EFFECTS, "Stopping/side effects": Q.ADVERSE_EFFECTS,
    "Interaction": Q.INTERACTIONS, "Contraindication": Q.CONTRAINDICATIONS,
    "Action": Q.MECHANISM, "Overdose": Q.OVERDOSE, "Information": Q.GENERAL,
}
QTYPE_ACCURACY_FLOOR = 0.78  # measured 0.828 on the 256 mapped questions


def _labels(corpus: Path) -> Iterator[dict]:
    for path in sorted((corpus / "openfda").glob("*.json")):
        yield from json.loads(path.read_text("utf-8")).get("results", [])
    yield from json.loads((corpus / "dailymed-indications.json").read_text("utf-8"))["results"]


@pytest.fixture(scope="module")
def corpus_names(shared_dir: Path) -> tuple[list[tuple[str, list[str]]], set[str]]:
    pairs: list[tuple[str, list[str]]] = []
    generics: set[str] = set()
    for label in _labels(shared_dir / "corpus"):
        openfda = label.get("openfda") or {}
        for generic in openfda.get("generic_name") or ():
            pairs.append((generic, list(openfda.get("brand_name") or ())))
            generics.add(drug_key(generic))
    return pairs, generics


@pytest.fixture(scope="module")
def lexicon(shared_dir: Path, corpus_names: tuple[list, set[str]]) -> DrugLexicon:
    pairs, generics = corpus_names
    return DrugLexicon.build(shared_dir / "vocab", pairs, corpus_generics=generics)


@pytest.fixture(scope="module")
def conditions(shared_dir: Path) -> ConditionMatcher:
    return ConditionMatcher.build(shared_dir / "vocab")


def _eval(shared_dir: Path, name: str) -> list[dict]:
    with (shared_dir / "eval" / f"{name}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_brands_generics_and_misspellings(lexicon: DrugLexicon) -> None:
    cases = [
        ("What is the indication for Baclofen (Lioresal)?", "baclofen", "generic"),
        ("Lioresal dose for spasticity?", "baclofen", "brand"),
        ("Zoloft and alcohol", "sertraline", "brand"),
        ("Glucophage XR 500 mg", "metformin", "brand"),
        ("metforman side effects", "metformin", "fuzzy"),
        ("baclofin overdose", "baclofen", "fuzzy"),
        ("Does SUCCINYLCHOLINE CHLORIDE cause hyperkalemia?", "succinylcholine", "synonym"),
        ("salbutamol inhaler", "albuterol", "synonym"),
        ("paracetamol with codeine", "acetaminophen", "synonym"),
    ]
    for text, generic, kind in cases:
        mentions = find_drugs(text, lexicon)
        assert [(m.generic, m.matched_as) for m in mentions][:1] == [(generic, kind)], text
    assert len(find_drugs("What is the indication for Baclofen (Lioresal)?", lexicon)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "What should I do today?",
        "Can I take all of my pills with ice water at night for sleep and pain?",
        "How should I monitor my balance after a fall?",
        "What is the best time to take it with food or milk?",
        "Why am I so cold and tired in the morning?",
    ],
)
def test_no_false_positives(lexicon: DrugLexicon, text: str) -> None:
    assert find_drugs(text, lexicon) == ()


def test_every_indication_question_finds_its_drug(shared_dir: Path, lexicon: DrugLexicon) -> None:
    rows = _eval(shared_dir, "indications")
    found = sum(
        any(m.generic == drug_key(r["drug"]) for m in find_drugs(r["question"], lexicon))
        for r in rows
    )
    assert found / len(rows) >= 0.98  # measured 495/495


def test_conditions(conditions: ConditionMatcher) -> None:
    (c,) = conditions.find("Can I take ibuprofen with high blood pressure?")
    assert (c.name, c.concept_id) == ("hypertension", "DOID:10763")
    assert "High blood pressure" in conditions.synonyms("DOID:10763")
    assert [c.name for c in conditions.find("heart attack and type 2 diabetes")] == [
        "myocardial infarction", "type 2 diabetes mellitus"]
    assert conditions.find("What should I do today? I have a cold.") == ()


def test_question_types_on_medicationqa(shared_dir: Path, lexicon: DrugLexicon,
                                       conditions: ConditionMatcher) -> None:
    rows = [r for r in _eval(shared_dir, "medicationqa") if r["question_type"] in MEDICATIONQA_TYPES]
    # as the parser classifies: with the drugs and the conditions the question names
    right = sum(
        classify(r["question"], drug_count=len(find_drugs(r["question"], lexicon)),
                 condition_count=len(conditions.find(r["question"])))[0]
        is MEDICATIONQA_TYPES[r["question_type"]]
        for r in rows
    )
    assert len(rows) > 200
    assert right / len(rows) >= QTYPE_ACCURACY_FLOOR


def test_eval_questions_are_english(shared_dir: Path) -> None:
    for name in ("medicationqa", "indications", "bioasq"):
        assert all(detect_language(r["question"]) == "en" for r in _eval(shared_dir, name))


def test_saved_files_load_fast_and_parse_fast(
    shared_dir: Path, lexicon: DrugLexicon, conditions: ConditionMatcher, tmp_path: Path
) -> None:
    QuestionParser(lexicon, conditions).save(tmp_path)
    start = time.perf_counter()
    parser = QuestionParser.load(tmp_path)
    load_s = time.perf_counter() - start
    assert load_s < 1.0  # ~0.1 s on an idle machine; generous for a busy CI box
    questions = [r["question"] for r in _eval(shared_dir, "medicationqa")]
    for q in questions:  # warm the fuzzy partitions
        find_drugs(q, parser.lexicon)
    start = time.perf_counter()
    for q in questions:
        find_drugs(q, parser.lexicon)
    per_question = (time.perf_counter() - start) / len(questions)
    assert per_question < 0.002
    parsed = parser.parse("Is Zoloft safe in pregnancy with high blood pressure?")
    assert parsed.qtype is Q.PREGNANCY_LACTATION
    assert [m.generic for m in parsed.drugs] == ["sertraline"]
    assert [c.concept_id for c in parsed.conditions] == ["DOID:10763"]
