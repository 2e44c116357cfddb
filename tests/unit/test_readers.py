"""Readers on hand-made fixtures in the real formats (tests/fixtures/sources)."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

from curbside.errors import SourceFormatError
from curbside.sources.base import ReadItem
from curbside.sources.guidelines import GuidelinesReader, developers, recommendation_blocks
from curbside.sources.medquad import MedQuADReader
from curbside.sources.openfda import OpenFDAReader
from curbside.sources.pubmed import PubMedJSONLReader, PubMedXMLReader
from curbside.sources.registry import default_readers, detect, iter_source_files
from curbside.sources.spl import SPLReader
from curbside.sources.text import clean_text
from curbside.types import Document, RecordError, SourceType


@pytest.fixture(scope="module")
def src(fixtures_dir: Path) -> Path:
    return fixtures_dir / "sources"


def _docs(items: Iterable[ReadItem]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def _errors(items: Iterable[ReadItem]) -> list[RecordError]:
    return [i for i in items if isinstance(i, RecordError)]


def _by_section(doc: Document) -> dict[str, str]:
    return {p.section: p.text for p in doc.passages}


# --- openFDA --------------------------------------------------------------------


def test_openfda_label_document(src: Path) -> None:
    items = list(OpenFDAReader().read(src / "openfda_labels.json"))
    docs, errors = _docs(items), _errors(items)
    assert [d.doc_id for d in docs] == ["label:fixture-label-0001", "label:fixture-label-0002"]
    label = docs[0]
    assert label.source_type is SourceType.DRUG_LABEL
    assert label.title == "Lioresal (baclofen) prescribing information"
    assert label.publisher == "Example Pharma Inc."
    assert (label.year, label.date) == (2023, "2023-01-26")
    assert label.url == "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid=fixture-set-0001"
    assert label.drugs == ("baclofen",)
    assert label.brands == ("LIORESAL",)
    assert label.source_file == str(src / "openfda_labels.json")
    # the label with no clinical text is reported, not dropped silently
    assert [(e.record, e.reason) for e in errors] == [("fixture-label-0003", "label has no clinical text sections")]


def test_openfda_passages_follow_label_structure(src: Path) -> None:
    label = _docs(OpenFDAReader().read(src / "openfda_labels.json"))[0]
    sections = _by_section(label)
    assert label.passages[0].section_code == "boxed_warning"
    assert "spasticity resulting from multiple sclerosis" in sections["Indications and usage: 1.1 Spasticity"]
    assert sections["Indications and usage: 1.2 Limitations of Use"].startswith("1.2 Limitations of Use")
    assert sections["Contraindications"] == "4 CONTRAINDICATIONS Hypersensitivity to baclofen."
    codes = [p.section_code for p in label.passages]
    assert "dosage" in codes and "contraindications" in codes
    # non-clinical fields are skipped
    all_text = " ".join(p.text for p in label.passages)
    assert "PRINCIPAL DISPLAY PANEL" not in all_text and "<table>" not in all_text
    assert "MICROCRYSTALLINE" not in all_text
    # clinical_pharmacology repeats its subsection fields: the text is kept once, under the specific code
    mechanism = [p for p in label.passages if "precise mechanism" in p.text]
    assert [p.section_code for p in mechanism] == ["mechanism"]


def test_openfda_passages_are_verbatim(src: Path) -> None:
    record = json.loads((src / "openfda_labels.json").read_text())["results"][0]
    source = " ".join(clean_text(v[0]) for v in record.values() if isinstance(v, list) and v)
    for passage in _docs(OpenFDAReader().read(src / "openfda_labels.json"))[0].passages:
        assert passage.text in source


def test_openfda_label_without_brand_or_manufacturer(src: Path) -> None:
    label = _docs(OpenFDAReader().read(src / "openfda_labels.json"))[1]
    assert label.title == "Tolazamide tablets label"  # the product name its indications open with
    assert label.publisher == "DailyMed"
    assert label.url is None
    assert label.brands == ()


def test_openfda_zip_reads_like_the_json(src: Path) -> None:
    plain = list(OpenFDAReader().read(src / "openfda_labels.json"))
    zipped = list(OpenFDAReader().read(src / "openfda_labels.zip"))
    strip = [(d.doc_id, d.passages) for d in _docs(plain)]
    assert [(d.doc_id, d.passages) for d in _docs(zipped)] == strip
    assert all(d.source_file == str(src / "openfda_labels.zip") for d in _docs(zipped))


def test_openfda_truncated_file_raises_source_format_error(src: Path) -> None:
    with pytest.raises(SourceFormatError, match="openfda_truncated.json.*truncated"):
        list(OpenFDAReader().read(src / "openfda_truncated.json"))


def test_openfda_records_before_damage_are_yielded(src: Path, tmp_path: Path) -> None:
    text = (src / "openfda_labels.json").read_text()
    cut = text.index('"id": "fixture-label-0002"')
    damaged = tmp_path / "damaged.json"
    damaged.write_text(text[:cut])
    seen: list[ReadItem] = []
    with pytest.raises(SourceFormatError, match="damaged.json"):
        for item in OpenFDAReader().read(damaged):
            seen.append(item)
    assert [d.doc_id for d in _docs(seen)] == ["label:fixture-label-0001"]


def test_openfda_bad_records_do_not_stop_the_file(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    good = {"id": "ok-1", "indications_and_usage": ["Used for testing the reader."]}
    path.write_text(json.dumps({"meta": {}, "results": [42, {"openfda": {}}, good]}))
    items = list(OpenFDAReader().read(path))
    assert [type(i).__name__ for i in items] == ["RecordError", "RecordError", "Document"]
    assert "not a JSON object" in items[0].reason  # type: ignore[union-attr]
    assert "no 'id'" in items[1].reason  # type: ignore[union-attr]


def test_openfda_sniff(src: Path) -> None:
    reader = OpenFDAReader()
    assert reader.sniff(src / "x", (src / "openfda_labels.json").read_bytes()[:4096])
    assert not reader.sniff(src / "x", b'{"lastModified": "Jan 15, 2024"}')
    assert not reader.sniff(src / "x", b'{"meta": {}, "results": [{"safetyreportid": "1"}]}')


# --- SPL XML --------------------------------------------------------------------


def test_spl_document(src: Path) -> None:
    (label,) = list(SPLReader().read(src / "spl_baclofen.xml"))
    assert isinstance(label, Document)
    assert label.doc_id == "label:5c1e7b9a-0000-4c1d-9a3e-000000000001"
    assert label.title == "Lioresal Intrathecal (baclofen) prescribing information"
    assert label.publisher == "Example Pharma Inc."
    assert (label.year, label.date) == (2024, "2024-03-15")
    assert label.url == "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid=0a1b2c3d-0000-4e5f-8a9b-000000000002"
    assert label.drugs == ("baclofen",)
    assert label.brands == ("LIORESAL INTRATHECAL",)


def test_spl_sections_and_nested_subsections(src: Path) -> None:
    (label,) = list(SPLReader().read(src / "spl_baclofen.xml"))
    assert isinstance(label, Document)
    codes = [(p.section_code, p.section) for p in label.passages]
    assert codes == [
        ("boxed_warning", "Boxed warning"),
        ("indications", "Indications and usage"),
        ("indications", "Indications and usage: 1.1 Spasticity"),
        ("dosage", "Dosage and administration"),
        ("contraindications", "Contraindications"),
        ("pregnancy", "Use in specific populations: 8.1 Pregnancy"),
    ]
    sections = _by_section(label)
    assert sections["Boxed warning"].startswith("WARNING: ABRUPT DISCONTINUATION Abrupt discontinuation")
    assert "patients unresponsive to oral baclofen therapy." in sections["Indications and usage: 1.1 Spasticity"]
    # table cells keep their order and spacing; a numeric superscript is marked
    assert "Table 1: Screening doses Phase Dose Initial 50 mcg Second 75 mcg" in sections["Dosage and administration"]
    assert "10^3 mcg" in sections["Dosage and administration"]
    assert "NDC 70257" not in " ".join(sections.values())  # package label skipped


def test_spl_malformed_xml(src: Path) -> None:
    with pytest.raises(SourceFormatError, match="spl_malformed.xml.*not well-formed"):
        list(SPLReader().read(src / "spl_malformed.xml"))


# --- PubMed ---------------------------------------------------------------------


def test_pubmed_xml_articles(src: Path) -> None:
    items = list(PubMedXMLReader().read(src / "pubmed_articles.xml"))
    docs = _docs(items)
    assert [d.doc_id for d in docs] == ["pmid:31000001", "pmid:31000002", "pmid:31000003"]
    assert not _errors(items)
    first, second, letter = docs
    # no abstract: the title is what there is to search
    assert [(p.section, p.section_code, p.text) for p in letter.passages] == [
        ("Title", "title", "A letter without an abstract.")
    ]
    assert first.source_type is SourceType.RESEARCH
    assert first.title == "Oral baclofen for spasticity in multiple sclerosis: a randomized trial."
    assert first.publisher == "Multiple sclerosis and related disorders"
    assert (first.year, first.date) == (2019, "2019-03-05")
    assert first.url == "https://pubmed.ncbi.nlm.nih.gov/31000001/"
    assert [p.section for p in first.passages] == [
        "Abstract: BACKGROUND",
        "Abstract: METHODS",
        "Abstract: RESULTS",
        "Abstract: CONCLUSIONS",
    ]
    assert {p.section_code for p in first.passages} == {"abstract"}
    assert _by_section(first)["Abstract: RESULTS"] == (
        "Baclofen reduced the Ashworth score by 1.2 points (95% CI, 0.8 to 1.6) compared with placebo."
    )
    assert (second.year, second.date) == (1998, "1998")  # MedlineDate "1998 Dec-1999 Jan"
    assert [(p.section, p.text) for p in second.passages] == [
        ("Abstract",
         "Intrathecal baclofen was given to 20 patients with severe spinal spasticity. All patients improved.")
    ]


def test_pubmed_xml_gzip(src: Path, tmp_path: Path) -> None:
    packed = tmp_path / "pubmed24n0001.xml.gz"
    packed.write_bytes(gzip.compress((src / "pubmed_articles.xml").read_bytes()))
    reader = detect(packed)
    assert reader is not None and reader.name == "pubmed-xml"
    assert len(_docs(reader.read(packed))) == 3


def test_xml_entity_declarations_are_rejected(src: Path) -> None:
    with pytest.raises(SourceFormatError, match="entity"):
        list(PubMedXMLReader().read(src / "entity_expansion.xml"))


def test_pubmed_jsonl_with_broken_line(src: Path) -> None:
    items = list(PubMedJSONLReader().read(src / "pubmed_broken_line.jsonl"))
    docs, errors = _docs(items), _errors(items)
    # an empty abstract: the title is the passage
    assert [d.doc_id for d in docs] == ["pmid:21645374", "pmid:15000002", "pmid:15000004"]
    assert [p.text for p in docs[2].passages] == ["Empty abstract"]
    assert [e.record for e in errors] == ["line 2", "line 4"]
    assert "invalid JSON" in errors[0].reason
    assert "pmid" in errors[1].reason
    untitled, titled, _ = docs
    assert untitled.title == "PubMed abstract 21645374"
    assert untitled.publisher == "PubMed"
    assert (untitled.year, untitled.date) == (None, None)
    assert [p.section for p in untitled.passages] == ["Abstract: BACKGROUND", "Abstract: RESULTS"]
    assert (titled.title, titled.year, titled.date) == ("Baclofen for alcohol withdrawal", 2011, "2011")
    assert [p.section for p in titled.passages] == ["Abstract"]


def test_jsonl_that_is_not_jsonl_raises(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text("just some text\nmore text\n")
    with pytest.raises(SourceFormatError, match="notes.jsonl.*not a JSON-lines file"):
        list(PubMedJSONLReader().read(path))


# --- guidelines -----------------------------------------------------------------


def test_guideline_document(src: Path) -> None:
    items = list(GuidelinesReader().read(src / "guidelines_sample.jsonl"))
    (doc,), (error,) = _docs(items), _errors(items)
    assert doc.doc_id == "ngc:ngc-90001"
    assert doc.source_type is SourceType.GUIDELINE
    assert doc.title == "Management of spasticity in adults"
    assert doc.publisher == "Example Society of Neurology; Example Rehabilitation Group"
    assert (doc.year, doc.date, doc.url) == (2013, "2013-08", None)
    assert [(p.section_code, p.section) for p in doc.passages] == [
        ("guideline_scope", "Scope"),
        ("recommendations", "Major recommendations"),
        ("recommendations", "Major recommendations: Recommendation 3"),
        ("recommendations", "Major recommendations: Definitions"),
        ("benefits", "Potential benefits"),  # harms "Not stated" carries nothing
    ]
    assert doc.passages[0].text == "Spasticity Adults with spasticity due to multiple sclerosis or spinal cord injury"
    assert (error.record, error.reason) == ("ngc-90002", "guideline is missing title")


def test_recommendation_blocks_cut_after_grade_markers() -> None:
    filler = "Clinicians should assess the patient carefully and document the findings in the record. " * 5
    text = f"{filler}Use drug A first line ( Grade 1B ). {filler}Use drug B second line ( Grade 2C ). {filler}"
    blocks = recommendation_blocks(text)
    assert [b.endswith(("( Grade 1B ).", "( Grade 2C ).")) for _, b in blocks[:2]] == [True, True]
    assert " ".join(b for _, b in blocks) == clean_text(text)


def test_developers() -> None:
    assert developers("American College of Radiology - Medical Specialty Society") == "American College of Radiology"
    assert (
        developers("American Academy of Otolaryngology - Head and Neck Surgery Foundation - Medical Specialty Society")
        == "American Academy of Otolaryngology - Head and Neck Surgery Foundation"
    )


# --- MedQuAD --------------------------------------------------------------------


def test_medquad_answered_pairs(src: Path) -> None:
    (doc,) = list(MedQuADReader().read(src / "medquad_answered.xml"))
    assert isinstance(doc, Document)
    assert doc.doc_id == "medquad:CancerGov:0000007_1"
    assert doc.source_type is SourceType.PATIENT_INFO
    assert (doc.title, doc.publisher) == ("Example Cancer", "National Cancer Institute")
    assert (doc.year, doc.date) == (None, None)
    assert doc.url == "https://www.cancer.gov/types/example/patient/example-pdq"
    assert [(p.section_code, p.section) for p in doc.passages] == [
        ("qa", "What is (are) Example Cancer ?"),
        ("qa", "What is the outlook for Example Cancer ?"),
    ]
    assert doc.passages[1].text == "Most patients do well & recover."


@pytest.mark.parametrize(
    ("url", "kept"),
    [("javascript:alert(document.cookie)", None), ("JAVASCRIPT:alert(1)", None), ("data:text/html,x", None),
     ("ftp://files.example.org/a", None), ("//cdn.example.org/a", None),
     ("http://www.ninds.nih.gov/a", "http://www.ninds.nih.gov/a"),
     (" https://www.cancer.gov/a ", "https://www.cancer.gov/a")],
)
def test_medquad_keeps_only_http_urls(src: Path, tmp_path: Path, url: str, kept: str | None) -> None:
    xml = (src / "medquad_answered.xml").read_text(encoding="utf-8")
    f = tmp_path / "medquad_url.xml"
    f.write_text(xml.replace("https://www.cancer.gov/types/example/patient/example-pdq", url), encoding="utf-8")
    (doc,) = list(MedQuADReader().read(f))
    assert isinstance(doc, Document) and doc.url == kept


def test_medquad_without_answers_yields_nothing(src: Path) -> None:
    assert list(MedQuADReader().read(src / "medquad_no_answers.xml")) == []


def test_medquad_ninds_variant_spelling(src: Path) -> None:
    (doc,) = list(MedQuADReader().read(src / "medquad_ninds_variant.xml"))
    assert isinstance(doc, Document)
    assert doc.doc_id == "medquad:NINDS:0000007"
    assert doc.title == "Holmes-Adie"
    assert doc.publisher == "National Institute of Neurological Disorders and Stroke"
    assert doc.passages[0].section == "what is holmes-adie syndrome ?"


# --- registry -------------------------------------------------------------------

EXPECTED_FORMATS = {
    "openfda_labels.json": "openfda-json",
    "openfda_labels.zip": "openfda-json",
    "openfda_truncated.json": "openfda-json",
    "spl_baclofen.xml": "spl-xml",
    "spl_malformed.xml": "spl-xml",
    "pubmed_articles.xml": "pubmed-xml",
    "pubmed_broken_line.jsonl": "pubmed-jsonl",
    "guidelines_sample.jsonl": "guidelines-jsonl",
    "medquad_answered.xml": "medquad-xml",
    "medquad_no_answers.xml": "medquad-xml",
    "medquad_ninds_variant.xml": "medquad-xml",
    "not_a_source.txt": None,
}


@pytest.mark.parametrize(("name", "fmt"), sorted(EXPECTED_FORMATS.items()))
def test_detect(src: Path, name: str, fmt: str | None) -> None:
    reader = detect(src / name)
    assert (reader.name if reader else None) == fmt


def test_detect_goes_by_content_not_suffix(src: Path, tmp_path: Path) -> None:
    for name, disguise in [("openfda_labels.json", "labels.txt"), ("pubmed_articles.xml", "articles.json")]:
        shutil.copy(src / name, tmp_path / disguise)
        reader = detect(tmp_path / disguise)
        assert reader is not None and reader.name == EXPECTED_FORMATS[name]


def test_detect_corrupt_zip(src: Path) -> None:
    with pytest.raises(SourceFormatError, match="corrupt.zip"):
        detect(src / "corrupt.zip")


def test_default_readers_have_unique_names() -> None:
    names = [r.name for r in default_readers()]
    assert len(names) == len(set(names)) == 6


def test_iter_source_files(tmp_path: Path) -> None:
    for rel in ["b/z.json", "b/a.xml", "a.jsonl", ".hidden.json", ".git/config", "c/.DS_Store", "c/d/e.xml"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_source_files(tmp_path)]
    assert found == ["a.jsonl", "b/a.xml", "b/z.json", "c/d/e.xml"]
    assert list(iter_source_files(tmp_path / "a.jsonl")) == [tmp_path / "a.jsonl"]
    assert list(iter_source_files(tmp_path / "missing")) == []


def _fixture_files() -> list[str]:
    return sorted(p.name for p in (Path(__file__).resolve().parents[1] / "fixtures" / "sources").iterdir())


@pytest.mark.parametrize("name", _fixture_files())
@pytest.mark.parametrize("reader", default_readers(), ids=lambda r: r.name)
def test_no_raw_exception_escapes_read(src: Path, name: str, reader: object) -> None:
    """Any reader on any fixture (even the wrong format) yields items or raises
    SourceFormatError; nothing else escapes."""
    try:
        for item in reader.read(src / name):  # type: ignore[attr-defined]
            assert isinstance(item, Document | RecordError)
    except SourceFormatError as e:
        assert name in str(e)


def test_product_name_from_the_indications_text():
    from curbside.sources.openfda import label_title, product_name

    text = "LIORESAL INTRATHECAL (baclofen injection) is indicated for use in the management of severe spasticity."
    assert product_name(text, ["baclofen"]) == "LIORESAL INTRATHECAL (baclofen injection)"
    assert product_name("KEMSTRO™ is useful for the alleviation of spasticity.", ["baclofen"]) == "KEMSTRO™"
    assert product_name("Patients should first respond to a screening dose.", ["baclofen"]) is None
    assert product_name("Some other drug is indicated for pain.", ["baclofen"]) is None
    assert label_title([], ["baclofen"], "Baclofen") == "Baclofen label"
    assert label_title(["Lioresal"], ["baclofen"], "KEMSTRO™") == "Lioresal (baclofen) prescribing information"


def test_pubmed_mesh_headings_become_keywords(tmp_path):
    import json as _json

    from curbside.sources.pubmed import PubMedJSONLReader

    f = tmp_path / "p.jsonl"
    f.write_text(
        _json.dumps({"pmid": "1", "title": "T", "abstract": "An abstract about apoptosis in leaves.",
                     "year": 2011, "mesh": ["Apoptosis", "Plant Leaves"]}) + "\n"
        + _json.dumps({"pmid": "2", "title": "U", "abstract": "Another abstract with no headings.",
                       "year": 2012, "mesh": "not a list"}) + "\n"
    )
    docs = list(PubMedJSONLReader().read(f))
    assert docs[0].keywords == ("Apoptosis", "Plant Leaves")
    assert docs[1].keywords == ()


def test_pubmed_xml_mesh_headings_become_keywords(fixtures_dir):
    from curbside.sources.pubmed import PubMedXMLReader
    from curbside.types import Document as _Doc

    docs = [d for d in PubMedXMLReader().read(fixtures_dir / "sources" / "pubmed_articles.xml") if isinstance(d, _Doc)]
    assert any(d.keywords[:2] == ("Baclofen", "Multiple Sclerosis") for d in docs)
