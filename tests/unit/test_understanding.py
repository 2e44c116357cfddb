"""Question understanding on tiny hand-made vocabularies (no ../shared)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curbside.types import QuestionType as Q
from curbside.understanding.conditions import ConditionMatcher
from curbside.understanding.drugs import find_drugs
from curbside.understanding.fuzzy import osa_distance
from curbside.understanding.language import detect_language
from curbside.understanding.lexicon import DrugLexicon
from curbside.understanding.normalize import drug_key, token_spans, tokens
from curbside.understanding.parser import QuestionParser
from curbside.understanding.qtype import classify

FDA = "FDA_Orange_Book_2024-11"
DRUG_NAMES = [
    ("LIORESAL", "brand", "BACLOFEN", FDA),
    ("BACLOFEN", "generic_product_name", "BACLOFEN", FDA),
    ("ZOLOFT", "brand", "SERTRALINE HYDROCHLORIDE", FDA),
    ("GLUCOPHAGE", "brand", "METFORMIN HYDROCHLORIDE", FDA),
    ("TODAY", "brand", "NONOXYNOL-9", FDA),
    ("ANECTINE", "brand", "SUCCINYLCHOLINE CHLORIDE", FDA),
    ("LOTREL", "brand", "AMLODIPINE BESYLATE; BENAZEPRIL HYDROCHLORIDE", FDA),
    ("NORVASC", "brand", "AMLODIPINE BESYLATE", FDA),
    ("LOTENSIN", "brand", "BENAZEPRIL HYDROCHLORIDE", FDA),
    ("ALBUTEROL", "generic_product_name", "ALBUTEROL", FDA),
    ("PROVENTIL", "brand", "ALBUTEROL SULFATE", FDA),
    ("Albuterol", "synonym", "Salbutamol", "DrugBank_open_vocabulary"),
    ("Cascade", "synonym", "Flufenoxuron", "DrugBank_open_vocabulary"),
    ("Tylenol", "brand", "Acetaminophen", "MedlinePlus_drug_pages(via drug_named_entity_recognition)"),
    ("ACETAMINOPHEN", "generic_product_name", "ACETAMINOPHEN", FDA),
]
LEXICON = [
    {"canonical": "baclofen", "name": "Baclofen", "ids": {"medline_plus_id": "a1"},
     "brands": ["kemstro", "lioresal"], "synonyms": ["baclofeno"]},
    {"canonical": "metformin", "name": "Metformin", "ids": {"medline_plus_id": "a2"},
     "brands": ["glucophage", "riomet"], "synonyms": ["metformin hcl"]},
    {"canonical": "sertraline", "name": "Sertraline", "ids": {"medline_plus_id": "a3"},
     "brands": ["zoloft"], "synonyms": []},
    {"canonical": "insulin", "name": "Insulin", "ids": {"mesh_id": "D1"}, "brands": [],
     "synonyms": ["regular insulin"]},
]
DISEASES = [
    ("DOID:10763", "hypertension", "hypertension", "label"),
    ("DOID:10763", "hypertension", "High blood pressure", "EXACT"),
    ("DOID:10763", "hypertension", "HTN", "EXACT"),
    ("DOID:3083", "chronic obstructive pulmonary disease", "chronic obstructive pulmonary disease", "label"),
    ("DOID:3083", "chronic obstructive pulmonary disease", "COPD", "EXACT"),
    ("DOID:3083", "chronic obstructive pulmonary disease", "COLD", "EXACT"),
    ("DOID:2377", "multiple sclerosis", "multiple sclerosis", "label"),
    ("DOID:2377", "multiple sclerosis", "MS", "EXACT"),
    ("DOID:8469", "influenza", "influenza", "label"),
    ("DOID:8469", "influenza", "flu", "EXACT"),
    ("DOID:4", "disease", "disease", "label"),
    ("DOID:9351", "diabetes mellitus", "diabetes mellitus", "label"),
    ("DOID:9351", "diabetes mellitus", "diabetes", "EXACT"),
    ("DOID:0000001", "spasticity", "spasticity", "label"),
    ("DOID:0000002", "metformin poisoning", "metformin", "RELATED"),  # a drug name
]
LAY_TERMS = [
    ("abdomen", "stomach", "CDC_Plain_Language_Thesaurus", "pd", "confidence=curated"),
    ("diabetes mellitus", "high blood sugar disease", "CDC_Plain_Language_Thesaurus", "pd",
     "confidence=curated"),
]


@pytest.fixture(scope="module")
def vocab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("vocab")
    rows = ["name\tname_type\tgeneric_or_ingredient\tsource\tsource_id\tlicense\textra"]
    rows += ["\t".join((*r, "", "", "")) for r in DRUG_NAMES]
    (d / "drug_names.tsv").write_text("\n".join(rows) + "\n", "utf-8")
    (d / "drug_lexicon.jsonl").write_text("".join(json.dumps(r) + "\n" for r in LEXICON), "utf-8")
    rows = ["doid\tpreferred_name\tterm\tterm_type\tsource"]
    rows += ["\t".join((*r, "test")) for r in DISEASES]
    (d / "disease_synonyms.tsv").write_text("\n".join(rows) + "\n", "utf-8")
    rows = ["technical_term\tlay_term\tsource\tlicense\tnote"]
    rows += ["\t".join(r) for r in LAY_TERMS]
    (d / "lay_terms.tsv").write_text("\n".join(rows) + "\n", "utf-8")
    return d


CORPUS = ["baclofen", "metformin hydrochloride", "sertraline", "amlodipine and benazepril",
          "albuterol sulfate"]


@pytest.fixture(scope="module")
def lexicon(vocab: Path) -> DrugLexicon:
    extra = [("Baclofen", ["Lioresal", "Ozobax"]), ("Sertraline Hydrochloride", ["Zoloft"])]
    return DrugLexicon.build(vocab, extra, corpus_generics=CORPUS)


@pytest.fixture(scope="module")
def conditions(vocab: Path) -> ConditionMatcher:
    return ConditionMatcher.build(vocab)


def generics(text: str, lexicon: DrugLexicon) -> list[str]:
    return [m.generic for m in find_drugs(text, lexicon)]


# ------------------------------------------------------------------ normalize
@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Baclofen", "baclofen"),
        ("BACLOFEN", "baclofen"),
        ("baclofen hydrochloride", "baclofen"),
        ("Succinylcholine Chloride", "succinylcholine"),
        ("amlodipine and benazepril hydrochloride", "amlodipine and benazepril"),
        ("AMLODIPINE BESYLATE; BENAZEPRIL HYDROCHLORIDE", "amlodipine and benazepril"),
        ("hydrocodone bitartrate and acetaminophen", "acetaminophen and hydrocodone"),
        ("ACETAMINOPHEN, CAFFEINE, DIHYDROCODEINE BITARTRATE", "acetaminophen, caffeine and dihydrocodeine"),
        ("ESTROGENS, CONJUGATED", "conjugated estrogens"),
        ("Metformin HCl ER 500 mg tablets", "metformin"),
        ("sodium chloride 0.9% injection", "sodium chloride"),
        ("lithium carbonate", "lithium carbonate"),
        ("Interferon β-1a", "interferon beta-1a"),
        ("Baclofène", "baclofene"),
    ],
)
def test_drug_key(name: str, key: str) -> None:
    assert drug_key(name) == key
    assert drug_key(key) == key  # idempotent: keys can be keyed again


def test_tokens_fold_case_accents_possessives() -> None:
    text = "What's Crohn's disease? Baclofène (LIORESAL) 10mg, co-trimoxazole 中文"
    assert tokens(text) == ["what", "crohn", "disease", "baclofene", "lioresal", "10mg",
                            "co", "trimoxazole"]
    assert tokens(text) == [t for t, _, _ in token_spans(text)]
    tok, start, end = token_spans(text)[3]
    assert text[start:end] == "Baclofène"


def test_osa_distance() -> None:
    assert osa_distance("metforman", "metformin", 2) == 1
    assert osa_distance("baclofne", "baclofen", 2) == 1  # transposition
    assert osa_distance("abc", "xyz", 1) == 2  # more than the limit


# ------------------------------------------------------------------ drugs
def test_generic_brand_salt_and_case(lexicon: DrugLexicon) -> None:
    mentions = find_drugs("What is the indication for Baclofen (Lioresal)?", lexicon)
    assert [(m.text, m.generic, m.matched_as) for m in mentions] == [
        ("Baclofen", "baclofen", "generic")
    ]
    assert generics("lioresal", lexicon) == ["baclofen"]
    assert generics("KEMSTRO dose", lexicon) == ["baclofen"]
    assert generics("Zoloft and pregnancy", lexicon) == ["sertraline"]
    assert generics("Glucophage", lexicon) == ["metformin"]
    (m,) = find_drugs("Does SUCCINYLCHOLINE CHLORIDE cause hyperkalemia?", lexicon)
    assert (m.text, m.generic) == ("SUCCINYLCHOLINE CHLORIDE", "succinylcholine")
    assert find_drugs("Lioresal", lexicon)[0].matched_as == "brand"


def test_weak_generic_merges_into_the_fda_name(lexicon: DrugLexicon) -> None:
    assert generics("salbutamol inhaler", lexicon) == ["albuterol"]
    assert generics("Proventil", lexicon) == ["albuterol"]


def test_misspellings_of_corpus_drugs(lexicon: DrugLexicon) -> None:
    for text, generic in [("baclofin dose", "baclofen"), ("Lioresall", "baclofen"),
                          ("metforman and alcohol", "metformin"), ("sertralin", "sertraline")]:
        (m,) = find_drugs(text, lexicon)
        assert (m.generic, m.matched_as) == (generic, "fuzzy"), text
    assert find_drugs("tylenoll", lexicon) == ()  # acetaminophen is not in the corpus


@pytest.mark.parametrize(
    "text",
    [
        "What should I do today?",
        "Can I take all of my pills with ice water at night for sleep and pain?",
        "What is the cascade of events?",
        "How should I monitor my balance?",
        "",
    ],
)
def test_no_drugs_in_plain_english(lexicon: DrugLexicon, text: str) -> None:
    assert find_drugs(text, lexicon) == ()


def test_combination_in_corpus_is_one_mention(lexicon: DrugLexicon) -> None:
    assert generics("amlodipine and benazepril hydrochloride", lexicon) == [
        "amlodipine and benazepril"]
    assert generics("Lotrel", lexicon) == ["amlodipine and benazepril"]


def test_combination_not_in_corpus_is_two_drugs(vocab: Path) -> None:
    lexicon = DrugLexicon.build(vocab, corpus_generics=["baclofen"])
    assert generics("Can I take amlodipine and benazepril together?", lexicon) == [
        "amlodipine", "benazepril"]


def test_save_load_round_trip(lexicon: DrugLexicon, tmp_path: Path) -> None:
    path = tmp_path / "lexicon.json"
    lexicon.save(path)
    loaded = DrugLexicon.load(path)
    assert len(loaded) == len(lexicon)
    assert loaded.corpus_generics == lexicon.corpus_generics
    for text in ["Lioresal", "baclofin", "Glucophage", "What should I do today?"]:
        assert find_drugs(text, loaded) == find_drugs(text, lexicon)
    path.write_text('{"format": "something else"}', "utf-8")
    with pytest.raises(ValueError, match="rebuild"):
        DrugLexicon.load(path)


# ------------------------------------------------------------------ conditions
def test_conditions(conditions: ConditionMatcher) -> None:
    def found(text: str) -> list[tuple[str, str | None]]:
        return [(c.name, c.concept_id) for c in conditions.find(text)]

    assert found("Is it safe with high blood pressure?") == [("hypertension", "DOID:10763")]
    assert found("HTN and COPD") == [("hypertension", "DOID:10763"),
                                      ("chronic obstructive pulmonary disease", "DOID:3083")]
    assert found("copd") == [("chronic obstructive pulmonary disease", "DOID:3083")]
    assert found("MS relapse") == [("multiple sclerosis", "DOID:2377")]
    assert found("how many ms of delay") == []  # two-letter acronyms only in capitals
    assert found("I caught a cold and the flu") == [("influenza", "DOID:8469")]
    assert found("Is this disease contagious?") == []
    assert found("high blood sugar disease") == [("diabetes mellitus", "DOID:9351")]
    assert "High blood pressure" in conditions.synonyms("DOID:10763")
    assert conditions.synonyms("DOID:10763")[0] == "hypertension"
    assert conditions.synonyms("DOID:nope") == ()


def test_conditions_save_load(conditions: ConditionMatcher, tmp_path: Path) -> None:
    conditions.save(tmp_path / "c.json")
    loaded = ConditionMatcher.load(tmp_path / "c.json")
    assert loaded.find("HTN, flu") == conditions.find("HTN, flu")
    assert loaded.synonyms("DOID:10763") == conditions.synonyms("DOID:10763")


# ------------------------------------------------------------------ question type
@pytest.mark.parametrize(
    ("text", "qtype"),
    [
        ("What is the indication for Baclofen (Lioresal)?", Q.INDICATION),
        ("What is metformin used for?", Q.INDICATION),
        ("What is the maximum dose of pregabalin?", Q.DOSING),
        ("How often should I take amoxicillin?", Q.DOSING),
        ("How to wean off calan sr", Q.DOSING),
        ("How do I safely stop taking fluvoxamine?", Q.DOSING),
        ("What happens when I stop taking prednisone?", Q.ADVERSE_EFFECTS),
        ("Who should not take warfarin?", Q.CONTRAINDICATIONS),
        ("Is baclofen contraindicated in epilepsy?", Q.CONTRAINDICATIONS),
        ("What are the side effects of sertraline?", Q.ADVERSE_EFFECTS),
        ("Can I take ibuprofen with lisinopril?", Q.INTERACTIONS),
        ("Does grapefruit juice interact with simvastatin?", Q.INTERACTIONS),
        ("How does metformin work?", Q.MECHANISM),
        ("What is the mechanism of action of baclofen?", Q.MECHANISM),
        ("Is sertraline safe during pregnancy?", Q.PREGNANCY_LACTATION),
        ("Can I take codeine while breastfeeding?", Q.PREGNANCY_LACTATION),
        ("What labs should be monitored on lithium?", Q.MONITORING),
        ("What happens if you overdose on acetaminophen?", Q.OVERDOSE),
        ("What is the antidote for heparin?", Q.OVERDOSE),
        ("What is morphine?", Q.GENERAL),
        ("Tell me about baclofen", Q.GENERAL),
    ],
)
def test_classify(text: str, qtype: Q) -> None:
    assert classify(text, drug_count=1)[0] is qtype  # each names one drug


@pytest.mark.parametrize(
    ("text", "drugs", "qtype"),
    [
        ("How is PID treated?", 0, Q.TREATMENT),
        ("What is good for a stomach bug?", 0, Q.TREATMENT),
        ("What could be causing the white tongue?", 0, Q.CAUSES),
        ("Can sinus infections cause neck pain?", 0, Q.CAUSES),
        ("What are the symptoms of diabetes?", 0, Q.SYMPTOMS),
        ("Is herpes contagious?", 0, Q.PREVENTION),
        ("Can a migraine last for a whole week?", 0, Q.PROGNOSIS),
        ("To check for epididymitis, do they use a urine test?", 0, Q.DIAGNOSIS),
        ("How do genital herpes and HPV differ?", 0, Q.COMPARISON),
        ("Lexapro vs Zoloft", 2, Q.COMPARISON),
        ("Do 81 mg aspirin contain shellac?", 1, Q.PRODUCT),
        ("how to store insulin", 1, Q.PRODUCT),
        ("Does buspar make you sleepy?", 1, Q.ADVERSE_EFFECTS),  # a cause asked of a drug
        ("Can propranolol prevent migraines?", 1, Q.INDICATION),
        ("how long before a meal should I take lansoprazole", 1, Q.DOSING),
        ("I do not know much about Lexapro, could you tell me more about it?", 1, Q.GENERAL),
    ],
)
def test_classify_question_forms(text: str, drugs: int, qtype: Q) -> None:
    assert classify(text, drug_count=drugs)[0] is qtype


def test_classify_secondary_and_two_drugs() -> None:
    primary, secondary = classify("What dose of sertraline is safe in pregnancy, and side effects?", drug_count=1)
    assert primary is Q.PREGNANCY_LACTATION
    assert Q.ADVERSE_EFFECTS in secondary and Q.DOSING in secondary
    assert classify("tamsulosin and ciprofloxacin, can I take them?", drug_count=2)[0] is Q.INTERACTIONS
    assert classify("what is insulin and glucagon", drug_count=2)[0] is Q.GENERAL


# ------------------------------------------------------------------ language
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Quelle est l'indication du baclofène ?", "other"),
        ("¿Cuál es la dosis de metformina?", "other"),
        ("Was ist die Dosis von Metformin?", "other"),
        ("百忧解的剂量是多少？", "other"),
        ("Какая доза баклофена?", "other"),
        ("baclofen dose?", "en"),
        ("Lioresal dose for spasticity?", "en"),
        ("What is the indication for Baclofen (Lioresal)?", "en"),
        ("Inderal LA dose", "en"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


# ------------------------------------------------------------------ parser
def test_parser(lexicon: DrugLexicon, conditions: ConditionMatcher, tmp_path: Path) -> None:
    parser = QuestionParser(lexicon, conditions)
    parsed = parser.parse("What is the indication for Baclofen (Lioresal) in spasticity?")
    assert parsed.qtype is Q.INDICATION
    assert [m.generic for m in parsed.drugs] == ["baclofen"]
    assert [c.name for c in parsed.conditions] == ["spasticity"]
    assert parsed.language == "en"
    # "metformin" is also an ontology term here: a drug is not reported as a condition
    parsed = parser.parse("metformin dose with diabetes")
    assert [m.generic for m in parsed.drugs] == ["metformin"]
    assert [c.name for c in parsed.conditions] == ["diabetes mellitus"]
    assert parsed.qtype is Q.DOSING
    parser.save(tmp_path)
    assert QuestionParser.load(tmp_path).parse("Zoloft and HTN?") == parser.parse("Zoloft and HTN?")
