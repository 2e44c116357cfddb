"""Recognition and abstention rules on tiny hand-made vocabularies (no ../shared):
misspellings, ordinary words, lay names, brands stated in label text, OTC combination
products, unknown drug-like names and non-medical questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curbside.sources.medquad import medquad_document
from curbside.sources.text import parse_xml
from curbside.types import ParsedQuestion
from curbside.types import QuestionType as Q
from curbside.understanding.conditions import ConditionMatcher
from curbside.understanding.fuzzy import FuzzyIndex, near_words, skeleton
from curbside.understanding.label_brands import mine_brands, otc_products
from curbside.understanding.lexicon_build import corpus_words
from curbside.understanding.parser import QuestionParser
from curbside.understanding.scope import abstain_reason, looks_medical, unknown_drug_names

FDA = "FDA_Orange_Book_2024-11"
MEDLINE = "MedlinePlus_drug_pages(via drug_named_entity_recognition)"
DRUG_NAMES = [
    ("CLINDAMYCIN", "generic_product_name", "CLINDAMYCIN HYDROCHLORIDE", FDA),
    ("CLEOCIN", "brand", "CLINDAMYCIN HYDROCHLORIDE", FDA),
    ("DIPHENHYDRAMINE", "generic_product_name", "DIPHENHYDRAMINE HYDROCHLORIDE", FDA),
    ("Benadryl", "brand", "Diphenhydramine", MEDLINE),
    ("MEMANTINE", "generic_product_name", "MEMANTINE HYDROCHLORIDE", FDA),
    ("MIGRANAL", "brand", "DIHYDROERGOTAMINE MESYLATE", FDA),
    ("DIHYDROERGOTAMINE", "generic_product_name", "DIHYDROERGOTAMINE MESYLATE", FDA),
    ("ACETAMINOPHEN", "generic_product_name", "ACETAMINOPHEN", FDA),
    ("DEXTROMETHORPHAN", "generic_product_name", "DEXTROMETHORPHAN HYDROBROMIDE", FDA),
    ("DOXYLAMINE", "generic_product_name", "DOXYLAMINE SUCCINATE", FDA),
    ("IBUPROFEN", "generic_product_name", "IBUPROFEN", FDA),
    ("WARFARIN", "generic_product_name", "WARFARIN SODIUM", FDA),
    ("Dramamine", "brand", "Meclizine", MEDLINE),
    ("MECLIZINE", "generic_product_name", "MECLIZINE HYDROCHLORIDE", FDA),
]
CORPUS = ["clindamycin", "diphenhydramine", "memantine", "dihydroergotamine", "acetaminophen",
          "dextromethorphan", "doxylamine", "ibuprofen", "warfarin", "meclizine",
          "drospirenone and ethinyl estradiol"]
DISEASES = [
    ("DOID:11263", "chlamydia", "chlamydia", "label"),
    ("DOID:7551", "gonorrhea", "gonorrhea", "label"),
    ("DOID:9746", "hemorrhoid", "hemorrhoid", "label"),
    ("DOID:9746", "hemorrhoid", "Hemorrhoids", "MESH_HEADING_XREF"),
    ("DOID:6364", "migraine", "migraine", "label"),
    ("DOID:8850", "salivary gland disease", "salivary gland disease", "label"),
    ("DOID:9463", "otitis externa", "otitis externa", "label"),
    ("DOID:5729", "conjunctivitis", "conjunctivitis", "label"),
    ("DOID:8469", "influenza", "influenza", "label"),
    ("DOID:2326", "gastroenteritis", "gastroenteritis", "label"),
]
LAY_TERMS = [
    ("conjunctivitis", "pink eye", "CDC_Plain_Language_Thesaurus", "pd", "confidence=curated"),
]
LAY_DEFINITIONS = [
    {"term": "otitis externa", "definition": "An infection of the outer ear canal.",
     "also_called": ["swimmer's ear"], "source": "NCI_Dictionary_of_Cancer_Terms"},
    {"term": "chromosome", "definition": "Part of a cell that contains genes.", "also_called": [],
     "source": "NCI_Dictionary_of_Cancer_Terms"},
]
MESH = [
    ("D005123", "Eye", "", "A01.456.505.420", "Anatomy", "0"),
    ("D012585", "Sciatica", "", "C10.668.829.500", "Diseases", "1"),
    ("D010945", "Planets", "", "H01.158.201.700", "Natural Science Disciplines", "0"),
    ("D001315", "Australia", "", "Z01.678.100", "Geographicals", "0"),
]
LABEL_TEXTS = [
    (["drospirenone and ethinyl estradiol", "drospirenone", "ethinyl estradiol"],
     "OCELLA is contraindicated in females who are known to have renal impairment."),
    (["clindamycin"], "Clindamycin Capsules USP is indicated for serious infections."),
]


@pytest.fixture(scope="module")
def parser(tmp_path_factory: pytest.TempPathFactory) -> QuestionParser:
    d = tmp_path_factory.mktemp("vocab")
    rows = ["name\tname_type\tgeneric_or_ingredient\tsource\tsource_id\tlicense\textra"]
    rows += ["\t".join((*r, "", "", "")) for r in DRUG_NAMES]
    (d / "drug_names.tsv").write_text("\n".join(rows) + "\n", "utf-8")
    rows = ["doid\tpreferred_name\tterm\tterm_type\tsource"] + ["\t".join((*r, "t")) for r in DISEASES]
    (d / "disease_synonyms.tsv").write_text("\n".join(rows) + "\n", "utf-8")
    rows = ["technical_term\tlay_term\tsource\tlicense\tnote"] + ["\t".join(r) for r in LAY_TERMS]
    (d / "lay_terms.tsv").write_text("\n".join(rows) + "\n", "utf-8")
    (d / "lay_definitions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in LAY_DEFINITIONS), "utf-8")
    rows = ["mesh_id\tmesh_heading\theading_uninverted\ttree_numbers\tcategories\tis_sign_or_symptom"]
    rows += ["\t".join(r) for r in MESH]
    (d / "mesh_descriptors_2015.tsv").write_text("\n".join(rows) + "\n", "utf-8")
    words = corpus_words(["in the meantime we waited", "the meantime was long", "in the meantime"])
    parser = QuestionParser.build(d, corpus_generics=CORPUS, label_texts=LABEL_TEXTS, corpus_words=words)
    groups = [["Gastroenteritis", "Stomach flu"], ["Cholesterol", "Influenza", "Gastroenteritis", "Lipids high"]]
    return QuestionParser(parser.lexicon, ConditionMatcher.build(d, name_groups=groups))


def drugs(parser: QuestionParser, text: str) -> list[str]:
    return [d.generic for d in parser.parse(text).drugs]


def conditions(parser: QuestionParser, text: str) -> list[str]:
    return [c.name for c in parser.parse(text).conditions]


# ---------------------------------------------------------------- fuzzy building blocks
def test_skeleton_and_near_words() -> None:
    assert skeleton("ghonerrea") == skeleton("gonorrhea") == "gnr"
    assert skeleton("hemmroids") == skeleton("hemorrhoids")
    assert "chromosome" in near_words("chromosone")
    assert "chromosone" not in near_words("chromosone")


def test_loose_candidates_need_the_word_shape() -> None:
    index = FuzzyIndex.build(["clindamycin", "hemorrhoids", "gonorrhea"])
    assert index.loose_candidates("clindamyam") == [(3, "clindamycin")]  # shared prefix
    assert index.loose_candidates("hemmroids")[0][1] == "hemorrhoids"  # same skeleton
    assert index.loose_candidates("clinic") == []  # too short
    assert index.resembles("clindamicin") and not index.resembles("quintaplexor")


# ---------------------------------------------------------------- drugs
def test_misspelt_drugs_map(parser: QuestionParser) -> None:
    assert drugs(parser, "What is the benedryl dose?") == ["diphenhydramine"]
    assert drugs(parser, "Is Clindamyam good for a tooth infection?") == ["clindamycin"]


@pytest.mark.parametrize("text", [
    "Can migranes be prevented?",        # a misspelt condition, not Migranal
    "What happens with an extra chromosone?",  # one edit from a known word
    "Can you prescribe something in the meantime?",  # a word the corpus uses (memantine)
    "nasal congestion patch molar",
])
def test_ordinary_words_never_become_drugs(parser: QuestionParser, text: str) -> None:
    assert drugs(parser, text) == []


def test_brand_stated_in_label_text(parser: QuestionParser) -> None:
    assert drugs(parser, "Does Ocella cause weight gain?") == ["drospirenone and ethinyl estradiol"]


def test_mined_brands_skip_form_words_and_own_names() -> None:
    found = mine_brands(LABEL_TEXTS, lambda w: False, lambda k: False)
    assert found == [("drospirenone and ethinyl estradiol", ["ocella"])]


def test_otc_combination_is_one_mention_per_ingredient(parser: QuestionParser) -> None:
    pq = parser.parse("Is NyQuil safe during pregnancy?")
    assert [d.generic for d in pq.drugs] == ["acetaminophen", "dextromethorphan", "doxylamine"]
    assert {d.text for d in pq.drugs} == {"NyQuil"}
    assert pq.qtype is not Q.INTERACTIONS  # one product named, not three drugs together


def test_otc_list_overrides_an_ambiguous_brand(parser: QuestionParser) -> None:
    assert drugs(parser, "Dramamine for motion sickness") == ["dimenhydrinate"]
    assert drugs(parser, "Dramamine Less Drowsy at night") == ["meclizine"]
    assert ("NyQuil", ["acetaminophen", "dextromethorphan", "doxylamine"]) in otc_products()


# ---------------------------------------------------------------- conditions
@pytest.mark.parametrize("text,name", [
    ("How is chylamdia treated?", "chlamydia"),
    ("first signs of ghonerrea", "gonorrhea"),
    ("best cream for hemmroids", "hemorrhoid"),
    ("Can migranes be prevented?", "migraine"),
    ("Do migraines run in families?", "migraine"),  # plural
])
def test_misspelt_conditions(parser: QuestionParser, text: str, name: str) -> None:
    assert conditions(parser, text) == [name]


def test_lay_names(parser: QuestionParser) -> None:
    assert conditions(parser, "Is pink eye contagious?") == ["conjunctivitis"]
    assert conditions(parser, "How long does swimmer's ear last?") == ["otitis externa"]


def test_corpus_topic_synonyms(parser: QuestionParser, tmp_path: Path) -> None:
    assert conditions(parser, "How long does a stomach flu last?") == ["gastroenteritis"]
    assert conditions(parser, "Are my lipids high?") == []  # its group names two diseases
    xml = (b'<Document id="1" source="MPlusHealthTopics"><Focus>Gastroenteritis</Focus>'
           b"<FocusAnnotations><Synonyms><Synonym>Stomach flu</Synonym></Synonyms></FocusAnnotations>"
           b'<QAPairs><QAPair pid="1"><Question qid="1-1">What is it?</Question>'
           b"<Answer>An infection of the gut.</Answer></QAPair></QAPairs></Document>")
    doc = medquad_document(parse_xml(xml, tmp_path / "1.xml", ""), tmp_path / "1.xml", "1.xml")
    assert doc.keywords == ("Stomach flu",)


def test_ordinary_words_are_not_misspelt_conditions(parser: QuestionParser) -> None:
    assert conditions(parser, "What about congestion and the patch?") == []


# ---------------------------------------------------------------- scope
def _pq(text: str) -> ParsedQuestion:
    return ParsedQuestion(text=text, qtype=Q.GENERAL)


KNOWN = frozenset("dose adults recommended ibuprofen capital australia".split())


@pytest.mark.parametrize("text,name", [
    ("What is the recommended dose of Quintaplexor for adults?", "Quintaplexor"),
    ("Can I take Velmorentix with ibuprofen?", "Velmorentix"),
    ("zorblatin side effects", "zorblatin"),
    ("my doctor gave me norvaxitol what is it for", "norvaxitol"),
])
def test_unknown_drug_like_name_abstains(text: str, name: str) -> None:
    assert unknown_drug_names(text, _pq(text), KNOWN.__contains__) == (name,)
    reason = abstain_reason(text, _pq(text), knows=KNOWN.__contains__, medical_terms=())
    assert reason is not None and name in reason


def test_unknown_word_out_of_a_drug_slot_or_resembling_a_drug_does_not() -> None:
    text = "my zorblatin is broken"
    assert unknown_drug_names(text, _pq(text), KNOWN.__contains__) == ()
    text = "can i split a waefin pill"
    assert unknown_drug_names(text, _pq(text), KNOWN.__contains__, lambda w: w == "waefin") == ()


def test_names_of_people_and_places_are_not_drugs() -> None:
    for text in ("My doctor Smithson said my blood pressure is high",
                 "I saw Dr Quarrington about my rash", "I live in Tucson and have asthma",
                 "Should I go to the Brightwater Clinic for my knee?"):
        assert unknown_drug_names(text, _pq(text), KNOWN.__contains__) == (), text


def test_non_medical_question_abstains() -> None:
    text = "What is the capital of Australia?"
    assert not looks_medical(_pq(text), [])
    assert abstain_reason(text, _pq(text), knows=KNOWN.__contains__, medical_terms=()) is not None


def test_real_questions_do_not_abstain(parser: QuestionParser) -> None:
    for text in ("Can tight shoes cause problems?", "How should I measure my blood pressure?",
                 "Back pain could be because Im starting my cycle in 2 days",
                 "What is sciatica", "Is NyQuil safe?"):
        pq = parser.parse(text)
        assert abstain_reason(text, pq, knows=parser.knows, medical_terms=parser.medical_terms(text, pq),
                              medical_words=parser.medical_words(text)) is None, text


def test_rare_medical_name_word_is_not_enough() -> None:
    text = "How far is the moon?"
    counts = {"moon": 7, "herpes": 376}
    assert not looks_medical(_pq(text), [], ["moon"], corpus_count=lambda w: counts.get(w, 0))
    assert looks_medical(_pq("Is herpes forever?"), [], ["herpes"], corpus_count=lambda w: counts.get(w, 0))


def test_physical_phenomena_are_not_medical_terms(parser: QuestionParser) -> None:
    text = "Which planet is closest to the sun?"
    assert parser.medical_terms(text, parser.parse(text)) == []
    text = "What is sciatica"
    assert parser.medical_terms(text, parser.parse(text)) == ["sciatica"]


def test_everyday_words_are_no_evidence_of_a_medical_question():
    from curbside.understanding.commonness import everyday

    assert everyday("flat") and everyday("car") and everyday("moon")
    assert not everyday("herpes") and not everyday("nipple") and not everyday("migraine")


def test_field_words_are_far_likelier_in_the_corpus_than_in_english():
    from curbside.understanding.commonness import field_words, lift

    counts = {"enzymes": 2000, "ferroptosis": 6, "car": 170, "egg": 360, "moon": 14, "unseen": 0}
    words = list(counts)
    assert field_words(words, counts.__getitem__, 96_000) == ["enzymes", "ferroptosis"]
    assert lift("car", 170, 96_000) < 1 < lift("enzymes", 2000, 96_000)
