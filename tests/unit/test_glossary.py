"""The glossary builder (understanding/glossary_build.py) on tiny vocabulary files
written here, and the saved file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curbside.understanding.glossary import Entry, Glossary, Meaning, gloss_key
from curbside.understanding.glossary_build import (
    DefinitionPage,
    build_glossary,
    definition_pages,
    fingerprint,
    page_meaning,
    page_names,
)

CDC = "CDC_Plain_Language_Thesaurus"
MINED = "NCI_Dictionary_inline_gloss_mined"
NCI = "NCI_Dictionary_of_Cancer_Terms"
PD = "US Government work, public domain (17 U.S.C. 105)"


def _vocab(folder: Path, lay: list[tuple[str, str, str, str]], definitions: list[dict],
           concepts: list[dict] = ()) -> Path:  # type: ignore[assignment]
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["technical_term\tlay_term\tsource\tlicense\tnote"]
    rows += [f"{t}\t{plain}\t{src}\t{PD}\t{note}" for t, plain, src, note in lay]
    (folder / "lay_terms.tsv").write_text("\n".join(rows) + "\n", "utf-8")
    (folder / "lay_definitions.jsonl").write_text(
        "".join(json.dumps({"also_called": [], "license": PD, **d}) + "\n" for d in definitions), "utf-8")
    (folder / "disease_concepts.jsonl").write_text("".join(json.dumps(c) + "\n" for c in concepts), "utf-8")
    return folder


CURATED = "confidence=curated"
HIGH = "confidence=high; occurrences=4; tech_span=dict_match"
MEDIUM = "confidence=medium; occurrences=1; tech_span=dict_match"

LAY = [
    ("hypersensitivity", "strong reaction", CDC, CURATED),
    ("contraindication", "dangerous to give", CDC, CURATED),
    ("contraindication", "not good for", CDC, CURATED),
    ("contraindication", "when a drug or procedure may be harmful", CDC, CURATED),
    ("contraindication", "harmful to use", CDC, CURATED),  # a fourth wording: three are shown
    ("ability", "skill", CDC, CURATED),  # everyday words: no gloss
    ("larynx", "voice box", MINED, HIGH),
    ("psa", "prostate-specific antigen", MINED, HIGH),  # no plainer than the term
    ("spasticity", "stiff, rigid muscles", MINED, MEDIUM),  # not trusted enough
]
DEFINITIONS = [
    {"term": "hypersensitivity", "source": NCI,
     "definition": "An exaggerated response by the immune system to a drug or other substance."},
    {"term": "intrathecal", "source": NCI,
     "definition": "Describes the fluid-filled space between the thin layers of tissue that cover the brain and "
                   "spinal cord. Drugs can be injected into the fluid."},
    {"term": "actinic keratosis", "source": NCI, "also_called": ["solar keratosis"],
     "definition": "A thick, scaly patch of skin that may become cancer. It usually forms on sun-exposed areas."},
    {"term": "lymphangioleiomyomatosis", "source": NCI, "definition": "A disease that " + "is long " * 40 + "."},
    {"term": "trigeminal neuralgia", "source": NCI,
     "definition": "A condition that causes sudden, severe pain in parts of the face."},
    {"term": "baclofen", "source": NCI, "definition": "A drug used to treat muscle spasms."},
]
CONCEPTS = [
    {"id": "DOID:1", "name": "trigeminal neuralgia",
     "synonyms": [{"term": "tic douloureux", "scope": "EXACT"}, {"term": "TGN", "scope": "EXACT"}],
     "def": "A cranial nerve disease that has_symptom pain."},
    {"id": "DOID:2", "name": "myopia", "synonyms": [],
     "def": "A refractive error characterized by the inability to see farther objects clearly."},
    {"id": "DOID:3", "name": "eclampsia", "synonyms": [],
     "def": "A pre-eclampsia characterized by the presence of seizures."},  # repeats its own name
    {"id": "DOID:5", "name": "myocardial infarction", "synonyms": [{"term": "heart attack", "scope": "EXACT"}],
     "def": "A coronary artery disease characterized by myocardial cell death due to prolonged ischaemia."},
    {"id": "DOID:4", "name": "agnosia", "synonyms": [], "def": "An agnosia that has_material_basis_in lesions."},
]
PAGE = DefinitionPage(
    "medquad:GHR:0000123", "Brugada syndrome", "Genetics Home Reference",
    "https://ghr.nlm.nih.gov/condition/brugada-syndrome", ("Brugada syndrome",), ("sudden unexplained death",),
    "Brugada syndrome is a condition that causes a disruption of the heart's normal rhythm. More follows.",
)
# a page whose first sentence defines one of the source's synonyms, not its title
SYNONYM_PAGE = DefinitionPage(
    "medquad:GARD:1", "Lyme disease", "Genetic and Rare Diseases Information Center", None,
    ("Lyme disease",), ("Borreliosis", "Erythema migrans"),
    "Borreliosis is an infection caused by bacteria spread by ticks.",
)


@pytest.fixture
def glossary(tmp_path: Path) -> Glossary:
    vocab = _vocab(tmp_path / "vocab", LAY, DEFINITIONS, CONCEPTS)
    return build_glossary(vocab, pages=[PAGE, SYNONYM_PAGE],
                          drug_of=lambda t: "baclofen" if t.lower() == "baclofen" else "")


def _meaning(g: Glossary, term: str) -> Meaning | None:
    e = g.get(gloss_key(term))
    return e.meaning if e else None


def test_technical_terms_are_kept_and_everyday_ones_dropped(glossary: Glossary) -> None:
    assert _meaning(glossary, "hypersensitivity") is not None and _meaning(glossary, "intrathecal") is not None
    assert "ability" not in glossary and "skill" not in glossary


def test_the_short_lay_wording_is_preferred_to_a_definition(glossary: Glossary) -> None:
    assert _meaning(glossary, "hypersensitivity") == Meaning("strong reaction", "CDC Plain Language Thesaurus")
    m = _meaning(glossary, "contraindication")
    assert m is not None and m.text == "dangerous to give, not good for, when a drug or procedure may be harmful"
    assert _meaning(glossary, "larynx") == Meaning("voice box", "NCI Dictionary of Cancer Terms")


def test_lay_words_must_be_plainer_and_trusted(glossary: Glossary) -> None:
    assert "psa" not in glossary  # "prostate-specific antigen" explains nothing
    assert "spasticity" not in glossary  # only a medium-confidence gloss, and no definition


def test_a_definition_gives_its_first_sentence_within_bounds(glossary: Glossary) -> None:
    m = _meaning(glossary, "intrathecal")
    assert m == Meaning("Describes the fluid-filled space between the thin layers of tissue that cover the brain "
                        "and spinal cord.", "NCI Dictionary of Cancer Terms")
    assert "lymphangioleiomyomatosis" not in glossary  # its first sentence is too long to be a gloss
    # an "also called" name shares the meaning
    assert _meaning(glossary, "solar keratosis") == _meaning(glossary, "actinic keratosis") is not None


def test_a_corpus_page_gives_its_plain_first_sentence_and_is_named(glossary: Glossary) -> None:
    m = _meaning(glossary, "Brugada syndrome")
    assert m == Meaning("A condition that causes a disruption of the heart's normal rhythm.",
                        "Genetics Home Reference: Brugada syndrome", "https://ghr.nlm.nih.gov/condition/brugada-syndrome")
    # a source's synonyms may be related topics: none gets the page's meaning, unless it
    # is the name the first sentence defines (then named with the page's id when it has no URL)
    assert "sudden unexplained death" not in glossary
    assert _meaning(glossary, "borreliosis") == _meaning(glossary, "Lyme disease") == Meaning(
        "An infection caused by bacteria spread by ticks.",
        "Genetic and Rare Diseases Information Center: Lyme disease (medquad:GARD:1)")
    assert "erythema migrans" not in glossary


def test_page_meaning_reads_only_a_definition_of_the_page_topic() -> None:
    names = page_names("What is (are) Adult Acute Myeloid Leukemia ?", "Adult Acute Myeloid Leukemia")
    assert names == ("Adult Acute Myeloid Leukemia",)
    text = ("Key Points - Adult acute myeloid leukemia (AML) is a type of cancer in which the bone marrow makes "
            "abnormal myeloblasts. - Leukemia may affect red blood cells.")
    assert page_meaning(names, text) == "A type of cancer in which the bone marrow makes abnormal myeloblasts."
    assert page_meaning(names, "The prostate is a gland in men.") is None  # about something else
    assert page_meaning(names, "Adult acute myeloid leukemia is treated with chemotherapy.") is None
    assert page_names("What is (are) Enlarged Prostate (BPH) ?", "Enlarged Prostate (BPH)") == ("Enlarged Prostate",)
    rows = [("medquad:x", "Brugada syndrome", "GHR", "", '["BrS"]', "What is (are) Brugada syndrome ?", "text")]
    page = next(iter(definition_pages(rows)))
    assert page.names == ("Brugada syndrome",) and page.synonyms == ("BrS",) and page.url is None


def test_disease_ontology_links_names_and_its_own_definition_comes_last(glossary: Glossary) -> None:
    # another name of a concept gets the meaning one of its names has
    assert _meaning(glossary, "tic douloureux") == _meaning(glossary, "trigeminal neuralgia") is not None
    assert "tgn" not in glossary  # an acronym links nothing
    # with nothing plainer, the ontology's definition; never one in relation names or
    # one that repeats the term
    assert _meaning(glossary, "myopia") == Meaning(
        "A refractive error characterized by the inability to see farther objects clearly.", "Disease Ontology")
    assert "agnosia" not in glossary and "eclampsia" not in glossary
    # a concept's everyday name explains its technical names
    assert _meaning(glossary, "myocardial infarction") == Meaning("heart attack", "Disease Ontology")
    assert "heart attack" not in glossary


def test_drug_names_are_marked(glossary: Glossary) -> None:
    e = glossary.get("baclofen")
    assert e is not None and e.drug == "baclofen"
    assert glossary.get("intrathecal").drug == ""  # type: ignore[union-attr]


def test_with_a_corpus_only_its_field_words_are_kept(tmp_path: Path) -> None:
    vocab = _vocab(tmp_path / "vocab", [("abolish", "end", CDC, CURATED), ("renal", "related to the kidney", CDC,
                                                                            CURATED)],
                   [{"term": "intrathecal", "source": NCI, "definition": "Describes a space around the spine."}])
    counts = {"abolish": 17, "renal": 4365}  # "intrathecal": in no passage

    g = build_glossary(vocab, corpus_count=lambda w: counts.get(w, 0), corpus_passages=96_686)
    assert list(g.keys()) == ["renal"]  # "abolish" is no likelier in the corpus than in English
    assert len(build_glossary(vocab)) == 3  # without a corpus every technical term stays


def test_save_load_and_fingerprint(tmp_path: Path, glossary: Glossary) -> None:
    vocab = tmp_path / "vocab"
    fp = fingerprint(vocab, "corpus-1")
    assert fp != fingerprint(vocab, "corpus-2")
    path = tmp_path / "glossary.json"
    Glossary.of(glossary.entries(), fp).save(path)
    back = Glossary.load(path)
    assert sorted(back.entries(), key=lambda e: e.key) == sorted(glossary.entries(), key=lambda e: e.key)
    assert Glossary.stored_fingerprint(path) == fp
    with (vocab / "lay_terms.tsv").open("a", encoding="utf-8") as fh:
        fh.write(f"renal\trelated to the kidney\t{CDC}\t{PD}\t{CURATED}\n")
    assert fingerprint(vocab, "corpus-1") != fp  # a changed vocabulary rebuilds the glossary
    assert Glossary.stored_fingerprint(tmp_path / "missing.json") is None
    path.write_text('{"format": "curbside.glossary", "version": 0}')
    assert Glossary.stored_fingerprint(path) is None


def test_entries_round_trip_through_of() -> None:
    e = Entry("renal", Meaning("related to the kidney", "CDC Plain Language Thesaurus"))
    g = Glossary.of([e, Entry("ets", Meaning("Smoke.", "NCI Dictionary of Cancer Terms"), cased="ETS")])
    assert g.get("renal") == e and g.get("ets").cased == "ETS" and len(g) == 2  # type: ignore[union-attr]
