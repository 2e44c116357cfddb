"""`ingest --embed` with the vectors computed on Ray (index/distributed.py), on a local
Ray cluster (one per module: starting Ray takes seconds) and the real model, over a
small corpus made of the test fixtures: the same vectors as the local path, and a
failed task that leaves the vector files alone."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from curbside import paths
from curbside.errors import EmbeddingError
from curbside.index import sync
from curbside.index.dense import DenseIndex
from curbside.index.distributed import EmbedderSpec, RayEmbedder
from curbside.ingest import ingest
from curbside.settings import Settings
from curbside.store.sqlite import SQLiteStore

ray = pytest.importorskip("ray")

pytestmark = [pytest.mark.integration, pytest.mark.ray]

FIXTURES = ("pubmed_articles.xml", "guidelines_sample.jsonl", "medquad_answered.xml", "spl_baclofen.xml")
SOURCES = "research,guideline,patient_information"  # more passages than research alone: several chunks
MARKER = "lace plant"  # one passage of the extra file holds it


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    # the failing embedder below is defined in this module, which the workers cannot import
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 passages (one Ray task each), here and on Ray alike."""
    monkeypatch.setattr(sync, "EMBED_CHUNK", 3)


@pytest.fixture(scope="module")
def corpus(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("ray-corpus")
    for name in FIXTURES:
        shutil.copy(fixtures_dir / "sources" / name, dest / name)
    extra = dest / "more_pubmed.jsonl"
    extra.write_text("".join(
        json.dumps({"pmid": str(900 + i), "title": f"Study {i}", "abstract": text, "year": 2020, "mesh": []}) + "\n"
        for i, text in enumerate([
            "Baclofen lowered spasticity scores in adults with multiple sclerosis over twelve weeks.",
            "Perforations form in the leaves of the lace plant through programmed cell death.",
            "Metformin was associated with lower mortality in older adults with type 2 diabetes.",
            "Tizanidine and baclofen had similar effects on muscle tone after spinal cord injury.",
        ])
    ))
    return dest


def _settings(tmp_path: Path, name: str) -> Settings:
    return Settings(data_dir=tmp_path / name, embed_sources=SOURCES, threads=1, embed_batch=2)


def _ray_embedder(settings: Settings, spec: EmbedderSpec | None = None) -> RayEmbedder:
    made = RayEmbedder.for_settings("local", settings, actors=2)
    if spec is not None:
        made.spec = spec
    return made


class _Failing:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_id = inner.model_id

    def load(self) -> None:
        self.inner.load()

    def embed_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if any(MARKER in t for t in texts):
            raise RuntimeError("simulated failure of a worker")
        return self.inner.embed_passages(texts, batch_size=batch_size)  # type: ignore[no-any-return]


class FailingSpec(EmbedderSpec):
    def make(self) -> Any:
        return _Failing(super().make())


def _stored_vectors(data_dir: Path) -> int:
    store = SQLiteStore(paths.store_file(data_dir), readonly=True)
    try:
        return int(store.conn.execute("SELECT count(*) FROM embeddings").fetchone()[0])
    finally:
        store.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def test_vectors_computed_on_ray_equal_the_local_ones(cluster: None, corpus: Path, tmp_path: Path) -> None:
    local = _settings(tmp_path, "local")
    on_ray = _settings(tmp_path, "ray")
    here = ingest(local, [corpus], embed=True)
    with _ray_embedder(on_ray) as embedder:
        there = ingest(on_ray, [corpus], embed=True, embedder=embedder)
    assert here.passages_embedded == there.passages_embedded > 6  # several chunks of 3
    assert here.questions_embedded == there.questions_embedded > 0
    for folder in (paths.dense_dir, paths.questions_dir):
        a, b = DenseIndex.load(folder(local.data_dir)), DenseIndex.load(folder(on_ray.data_dir))
        assert a.model_id == b.model_id
        assert np.array_equal(a.rowids, b.rowids)
        va, vb = np.asarray(a.vectors, dtype=np.float32), np.asarray(b.vectors, dtype=np.float32)
        assert np.allclose(va, vb, atol=1e-3)  # the same chunks: the same vectors, to float16 rounding


def test_a_failed_task_is_a_clear_error_and_the_vector_files_stay(cluster: None, corpus: Path,
                                                                   tmp_path: Path) -> None:
    settings = _settings(tmp_path, "data")
    first = Path(corpus.parent / "first")
    first.mkdir(exist_ok=True)
    for name in FIXTURES:
        shutil.copy(corpus / name, first / name)
    ingest(settings, [first], embed=True)  # vectors for the fixtures, computed here
    dense_before = _files(paths.dense_dir(settings.data_dir))
    questions_before = _files(paths.questions_dir(settings.data_dir))
    stored_before = _stored_vectors(settings.data_dir)
    count_before = len(DenseIndex.load(paths.dense_dir(settings.data_dir)))

    spec = FailingSpec(**vars(_ray_embedder(settings).spec))
    with _ray_embedder(settings, spec) as embedder, pytest.raises(EmbeddingError) as failed:
        ingest(settings, [first, corpus / "more_pubmed.jsonl"], embed=True, embedder=embedder)
    assert "simulated failure of a worker" in failed.value.message
    assert "Embedding on Ray failed at chunk" in failed.value.message
    assert failed.value.fix and "vector files are unchanged" in failed.value.fix
    assert failed.value.exit_code == 11
    # nothing half-written: the vector files are those of before, the failed chunk is not stored
    assert _files(paths.dense_dir(settings.data_dir)) == dense_before
    assert _files(paths.questions_dir(settings.data_dir)) == questions_before
    assert stored_before <= _stored_vectors(settings.data_dir) < stored_before + 4

    with _ray_embedder(settings) as embedder:  # the cause fixed: the next run finishes
        again = ingest(settings, [first, corpus / "more_pubmed.jsonl"], embed=True, embedder=embedder)
    assert 0 < again.passages_embedded <= 4
    assert len(DenseIndex.load(paths.dense_dir(settings.data_dir))) == count_before + 4
