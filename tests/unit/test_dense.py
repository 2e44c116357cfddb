from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from curbside.errors import StoreError
from curbside.index import dense
from curbside.index.dense import DenseIndex

DIM = 16


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture()
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    rowids = rng.permutation(np.arange(100, 400))[:200].astype(np.int64)  # unsorted, gappy
    return rowids, _unit(rng, 200)


def _brute(rowids: np.ndarray, vectors: np.ndarray, q: np.ndarray, k: int) -> list[int]:
    scores = vectors.astype(np.float16).astype(np.float32) @ q
    order = np.lexsort((rowids, -scores))
    return [int(r) for r in rowids[order[:k]]]


def test_round_trip(tmp_path: Path, data: tuple[np.ndarray, np.ndarray]) -> None:
    rowids, vectors = data
    DenseIndex.write(tmp_path, rowids, vectors, "model-x/max256")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meta.json", "rowids.npy", "vectors.npy"]
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["model_id"] == "model-x/max256"
    assert (meta["dim"], meta["count"]) == (DIM, 200)
    for mmap in (True, False):
        ix = DenseIndex.load(tmp_path, mmap=mmap)
        assert len(ix) == 200 and ix.dim == DIM and ix.model_id == "model-x/max256"
        assert ix.vectors.dtype == np.float16 and ix.rowids.dtype == np.int64
        assert list(ix.rowids) == sorted(rowids.tolist())
        back = ix.vectors[np.searchsorted(ix.rowids, rowids)].astype(np.float32)
        assert np.allclose(back, vectors, atol=1e-3)


def test_search_matches_brute_force(tmp_path: Path, data: tuple[np.ndarray, np.ndarray]) -> None:
    rowids, vectors = data
    ix = DenseIndex.write(tmp_path, rowids, vectors, "m")
    loaded = DenseIndex.load(tmp_path)
    rng = np.random.default_rng(1)
    for q in _unit(rng, 5):
        expected = _brute(rowids, vectors, q, 10)
        for index in (ix, loaded):
            hits = index.search(q, 10)
            assert [r for r, _ in hits] == expected
            scores = [s for _, s in hits]
            assert scores == sorted(scores, reverse=True)
            assert all(-1.0 - 1e-3 <= s <= 1.0 + 1e-3 for s in scores)


def test_exact_vector_is_top_with_cosine_one(
    tmp_path: Path, data: tuple[np.ndarray, np.ndarray]
) -> None:
    rowids, vectors = data
    ix = DenseIndex.write(tmp_path, rowids, vectors, "m")
    rowid, score = ix.search(vectors[3] * 5.0, 1)[0]  # the query need not be unit length
    assert rowid == rowids[3]
    assert score == pytest.approx(1.0, abs=2e-3)


def test_k_edges(tmp_path: Path, data: tuple[np.ndarray, np.ndarray]) -> None:
    rowids, vectors = data
    ix = DenseIndex.write(tmp_path, rowids, vectors, "m")
    q = vectors[0]
    assert ix.search(q, 0) == []
    assert len(ix.search(q, 500)) == 200
    with pytest.raises(ValueError):
        ix.search(np.ones(DIM + 1, dtype=np.float32), 3)


def test_chunked_scoring(
    tmp_path: Path, data: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    rowids, vectors = data
    ix = DenseIndex.write(tmp_path, rowids, vectors, "m")
    q = vectors[11]
    whole = ix.search(q, 20)
    monkeypatch.setattr(dense, "CHUNK_ROWS", 7)  # many chunks, a ragged last one
    chunked = DenseIndex.load(tmp_path).search(q, 20)
    assert [r for r, _ in chunked] == [r for r, _ in whole]
    assert np.allclose([s for _, s in chunked], [s for _, s in whole], atol=1e-6)


def test_filter(tmp_path: Path, data: tuple[np.ndarray, np.ndarray]) -> None:
    rowids, vectors = data
    ix = DenseIndex.write(tmp_path, rowids, vectors, "m")
    rng = np.random.default_rng(3)
    q = _unit(rng, 1)[0]
    allow = np.sort(rng.choice(rowids, 25, replace=False))
    keep = np.isin(rowids, allow)
    expected = _brute(rowids[keep], vectors[keep], q, 5)
    assert [r for r, _ in ix.search(q, 5, allow)] == expected
    # unsorted, duplicated and unknown ids are tolerated
    messy = np.concatenate([allow[::-1], allow[:3], [1, 99_999]])
    assert [r for r, _ in ix.search(q, 5, messy)] == expected
    # fewer allowed than k
    assert {r for r, _ in ix.search(q, 50, allow[:4])} == set(allow[:4].tolist())
    # nothing allowed
    assert ix.search(q, 5, np.array([], dtype=np.int64)) == []
    assert ix.search(q, 5, np.array([1, 2, 3])) == []
    # a large allow-list takes the full-scan path and agrees with brute force
    big = np.sort(rowids[:180])
    keep = np.isin(rowids, big)
    assert [r for r, _ in ix.search(q, 7, big)] == _brute(rowids[keep], vectors[keep], q, 7)


def test_ties_go_to_smaller_rowid(tmp_path: Path) -> None:
    v = np.zeros((4, DIM), dtype=np.float32)
    v[:, 0] = 1.0
    ix = DenseIndex.write(tmp_path, np.array([40, 10, 30, 20]), v, "m")
    assert [r for r, _ in ix.search(v[0], 3)] == [10, 20, 30]


def test_empty_index(tmp_path: Path) -> None:
    DenseIndex.write(tmp_path, np.array([], dtype=np.int64), np.zeros((0, DIM)), "m")
    ix = DenseIndex.load(tmp_path)
    assert len(ix) == 0
    assert ix.search(np.ones(DIM), 5) == []


def test_rewrite_replaces_and_leaves_no_temp_files(
    tmp_path: Path, data: tuple[np.ndarray, np.ndarray]
) -> None:
    rowids, vectors = data
    DenseIndex.write(tmp_path, rowids, vectors, "old")
    DenseIndex.write(tmp_path, rowids[:10], vectors[:10], "new")
    ix = DenseIndex.load(tmp_path)
    assert (len(ix), ix.model_id) == (10, "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meta.json", "rowids.npy", "vectors.npy"]


def test_write_validates(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unique"):
        DenseIndex.write(tmp_path, np.array([1, 1]), np.ones((2, DIM)), "m")
    with pytest.raises(ValueError, match="match"):
        DenseIndex.write(tmp_path, np.array([1, 2, 3]), np.ones((2, DIM)), "m")
    assert not DenseIndex.exists(tmp_path)


def test_load_errors(tmp_path: Path, data: tuple[np.ndarray, np.ndarray]) -> None:
    with pytest.raises(StoreError, match="No dense index"):
        DenseIndex.load(tmp_path / "nowhere")
    rowids, vectors = data
    DenseIndex.write(tmp_path, rowids, vectors, "m")
    assert DenseIndex.exists(tmp_path)
    np.save(tmp_path / "rowids.npy", rowids[:5])  # vectors and rowids disagree
    with pytest.raises(StoreError, match="inconsistent"):
        DenseIndex.load(tmp_path)
    (tmp_path / "meta.json").write_text("{not json")
    with pytest.raises(StoreError, match="unreadable"):
        DenseIndex.load(tmp_path)


def test_scoring_model_matches_numpy() -> None:
    import onnxruntime as ort

    rng = np.random.default_rng(5)
    x = rng.standard_normal((33, DIM)).astype(np.float16)
    q = rng.standard_normal((DIM, 2)).astype(np.float32)
    session = ort.InferenceSession(dense.scoring_model(DIM), providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {"X": x, "q": q})
    assert y.shape == (33, 2)
    assert np.allclose(y, x.astype(np.float32) @ q, atol=1e-4)


def test_a_passage_is_embedded_with_its_documents_title():
    from curbside.index.sync import embed_input

    assert embed_input("Baclofen for spasticity.", "Spasms fell.") == "Baclofen for spasticity. Spasms fell."
    # placeholders and title-only records add nothing
    assert embed_input("PubMed abstract 123", "Spasms fell.") == "Spasms fell."
    assert embed_input("A letter.", "A letter.") == "A letter."
    assert embed_input(None, "Spasms fell.") == "Spasms fell."
