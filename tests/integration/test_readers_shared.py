"""Readers on slices of the real shared corpus (read in place from ../shared)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from curbside.sources.base import ReadItem
from curbside.sources.registry import detect, iter_source_files
from curbside.sources.text import MAX_PASSAGE, clean_text
from curbside.types import Document, RecordError, SourceType

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> Path:
    return shared_dir / "corpus"


def _read(path: Path) -> list[ReadItem]:
    reader = detect(path)
    assert reader is not None, f"no reader recognises {path}"
    return list(reader.read(path))


def _docs(items: Iterable[ReadItem]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def _head_copy(src: Path, dest: Path, lines: int) -> Path:
    with src.open("rb") as f:
        dest.write_bytes(b"".join(itertools.islice(f, lines)))
    return dest


def _check_passages(docs: Iterable[Document]) -> None:
    for doc in docs:
        assert doc.passages, doc.doc_id
        for p in doc.passages:
            assert p.text and p.text == p.text.strip() and "  " not in p.text and "\n" not in p.text
            assert len(p.text) <= MAX_PASSAGE, (doc.doc_id, p.section)


def test_openfda_label_files(corpus: Path) -> None:
    files = sorted(p for p in (corpus / "openfda").glob("*.json") if p.name != "timestamp.json")[:5]
    docs = [d for f in files for d in _docs(_read(f))]
    assert len(docs) == 5
    _check_passages(docs)
    for doc in docs:
        assert doc.doc_id.startswith("label:") and doc.source_type is SourceType.DRUG_LABEL
        assert doc.url and doc.url.startswith("https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid=")
        assert doc.year and doc.date and len(doc.date) == 10
        assert doc.drugs and all(d == d.lower() for d in doc.drugs)
        assert "indications" in {p.section_code for p in doc.passages}
    gentamicin = next(d for d in docs if "gentamicin sulfate" in d.drugs)
    assert gentamicin.publisher == "Baxter Healthcare Corporation"
    assert gentamicin.date == "2023-01-26"


def test_openfda_passages_are_verbatim_label_text(corpus: Path) -> None:
    path = corpus / "openfda" / "NDA019758.json"  # Clozaril, a long PLR-format label
    record = json.loads(path.read_text())["results"][0]
    source = " ".join(clean_text(t) for v in record.values() if isinstance(v, list) for t in v if isinstance(t, str))
    (doc,) = _docs(_read(path))
    assert doc.title == "Clozaril (clozapine) prescribing information"
    for p in doc.passages:
        assert p.text in source, p.section
    sections = {p.section for p in doc.passages}
    assert "Indications and usage: 1.1 Treatment-Resistant Schizophrenia" in sections
    assert "Warnings and precautions: 5.2 Clozapine REMS Program" in sections
    # subsection fields (12.1 ...) are not repeated inside clinical_pharmacology
    assert sum("The mechanism of action of clozapine is unknown" in p.text for p in doc.passages) == 1


def test_openfda_folder_detection(corpus: Path) -> None:
    assert detect(corpus / "openfda" / "timestamp.json") is None  # not a label file
    assert detect(corpus / "medquad" / "readme.txt") is None


def test_dailymed_indications(corpus: Path) -> None:
    items = _read(corpus / "dailymed-indications.json")
    docs = _docs(items)
    errors = [i for i in items if isinstance(i, RecordError)]
    assert len(docs) + len(errors) == 4815
    assert len(docs) >= 4800
    assert len({d.doc_id for d in docs}) == len(docs)
    assert all(e.reason == "label has no clinical text sections" for e in errors)
    baclofen = [d for d in docs if "baclofen" in d.drugs]
    assert baclofen
    assert any(
        p.section_code == "indications" and "spasticity resulting from multiple sclerosis" in p.text
        for d in baclofen
        for p in d.passages
    )
    assert all(d.publisher == "DailyMed" and d.title.endswith(" label") for d in baclofen)
    # titles carry the product name the label's own indications text opens with
    assert any(d.title == "LIORESAL INTRATHECAL (baclofen injection) label" for d in baclofen)
    assert any(d.title == "Baclofen label" for d in baclofen)
    with_set_id = [d for d in docs if d.url]
    assert with_set_id and all("setid=" in (d.url or "") for d in with_set_id)
    _check_passages(docs[:500])


def test_pubmed_first_lines(corpus: Path, tmp_path: Path) -> None:
    items = _read(_head_copy(corpus / "pubmed.jsonl", tmp_path / "pubmed.jsonl", 200))
    docs = _docs(items)
    assert not [i for i in items if isinstance(i, RecordError)]
    assert 150 <= len(docs) <= 200
    _check_passages(docs)
    lace = next(d for d in docs if d.doc_id == "pmid:21645374")
    assert lace.title == "PubMed abstract 21645374"
    assert lace.url == "https://pubmed.ncbi.nlm.nih.gov/21645374/"
    assert [p.section for p in lace.passages][:2] == ["Abstract: BACKGROUND", "Abstract: RESULTS"]
    assert all(p.section_code == "abstract" for d in docs for p in d.passages)


def test_guidelines_first_lines(corpus: Path, tmp_path: Path) -> None:
    items = _read(_head_copy(corpus / "guidelines.jsonl", tmp_path / "guidelines.jsonl", 200))
    docs = _docs(items)
    assert len(docs) == 200
    _check_passages(docs)
    first = next(d for d in docs if d.doc_id == "ngc:ngc-10000")
    assert first.publisher == "British Society for Haematology Guidelines"
    assert (first.year, first.date, first.url) == (2013, "2013-08", None)
    codes = [p.section_code for p in first.passages]
    assert codes[0] == "guideline_scope" and {"recommendations", "benefits", "harms"} <= set(codes)
    recs = [p.text for p in first.passages if p.section_code == "recommendations"]
    assert any("Intravenous alemtuzumab should be used as first line therapy for T-PLL ( Grade 1B )" in t for t in recs)
    assert all(d.year and d.year >= 2000 for d in docs)


def test_medquad_files(corpus: Path) -> None:
    folders = sorted(p for p in (corpus / "medquad").iterdir() if p.is_dir())
    files = [f for folder in folders for f in sorted(folder.glob("*.xml"))[:2]][:20]
    files.append(corpus / "medquad" / "6_NINDS_QA" / "0000007.xml")  # the <doc docid> variant
    by_file = {f: _docs(_read(f)) for f in files}
    docs = [d for ds in by_file.values() for d in ds]
    _check_passages(docs)
    for f, ds in by_file.items():
        if f.parent.name.startswith(("10_", "11_", "12_")):  # MedlinePlus sets ship without answers
            assert ds == [], f
    cancer = [d for f, ds in by_file.items() if f.parent.name == "1_CancerGov_QA" for d in ds]
    assert cancer and all(d.publisher == "National Cancer Institute" and d.url for d in cancer)
    (ninds,) = by_file[corpus / "medquad" / "6_NINDS_QA" / "0000007.xml"]
    assert ninds.title == "Holmes-Adie"
    assert ninds.doc_id == "medquad:NINDS:0000007"
    assert all(p.section_code == "qa" and p.section for d in docs for p in d.passages)


def test_iter_source_files_on_corpus(corpus: Path) -> None:
    files = list(itertools.islice(iter_source_files(corpus), 400))
    assert files[0] == corpus / "dailymed-indications.json"
    assert files == sorted(files, key=lambda p: p.relative_to(corpus).parts)
