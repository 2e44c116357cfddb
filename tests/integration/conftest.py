"""A small real slice of ../shared/corpus, ingested once per test session."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from curbside.ingest import ingest
from curbside.settings import Settings

OPENFDA_SLICE = 12
JSONL_LINES = 400
MEDQUAD_FILES = 40


def make_slice(shared: Path, dest: Path) -> Path:
    corpus = shared / "corpus"
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(corpus / "dailymed-indications.json", dest / "dailymed-indications.json")
    (dest / "openfda").mkdir()
    for f in sorted((corpus / "openfda").glob("*.json"))[:OPENFDA_SLICE]:
        shutil.copy(f, dest / "openfda" / f.name)
    for name in ("guidelines.jsonl", "pubmed.jsonl"):
        with open(corpus / name) as src, open(dest / name, "w") as out:
            # the slice keeps every line that mentions baclofen plus the first lines
            lines = list(itertools.islice(src, JSONL_LINES))
            src.seek(0)
            lines += [ln for ln in src if "aclofen" in ln and ln not in lines]
            out.writelines(lines)
    (dest / "medquad").mkdir()
    for f in sorted((corpus / "medquad" / "6_NINDS_QA").glob("*.xml"))[:MEDQUAD_FILES]:
        shutil.copy(f, dest / "medquad" / f.name)
    return dest


@pytest.fixture(scope="session")
def corpus_slice(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_slice(shared_dir, tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def slice_settings(shared_dir: Path, corpus_slice: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings.from_env(shared_dir=shared_dir, data_dir=tmp_path_factory.mktemp("data"))
    report = ingest(settings, [corpus_slice])
    assert report.files_read > 0 and not report.failed
    return settings


@pytest.fixture(scope="session")
def engine(slice_settings: Settings):
    from curbside.engine import Engine

    e = Engine.open(slice_settings)
    yield e
    e.close()
