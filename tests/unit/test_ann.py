"""The faiss IVF index beside the vectors (index/ann.py) and the dense index's search
through it: exact results at full nprobe, allow lists, rebuild when the vectors change,
a missing or damaged index file falling back to exact search with a warning."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from curbside.index import ann
from curbside.index.dense import DenseIndex, open_index, search_method
from curbside.index.sync import sync_ann
from curbside.settings import Settings

DIM = 16
N = 3000


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    rng = np.random.default_rng(11)
    rowids = rng.permutation(np.arange(10, 10 + 2 * N))[:N].astype(np.int64)  # unsorted, gappy
    DenseIndex.write(tmp_path, rowids, _unit(rng, N), "m")
    return tmp_path


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(data_dir=tmp_path, **kw)  # type: ignore[arg-type]


def _ivf(folder: Path, nprobe: int, exact_below: int = 0) -> DenseIndex:
    index = DenseIndex.load(folder)
    index.attach_ann(ann.IvfIndex.load(folder, index.digest, len(index), index.dim), nprobe, exact_below)
    return index


def test_full_nprobe_gives_the_exact_top_k(folder: Path) -> None:
    vectors = DenseIndex.load(folder)
    meta = ann.build(folder, vectors.vectors, vectors.digest, nlist=32)
    assert (meta.nlist, meta.count, meta.codec) == (32, N, "SQ8")
    exact, ivf = DenseIndex.load(folder), _ivf(folder, nprobe=32)
    assert ivf.method.startswith("IVF (32 lists") and exact.method == "exact"
    for q in _unit(np.random.default_rng(2), 20):
        want, got = exact.search(q, 10), ivf.search(q, 10)
        assert [r for r, _ in got] == [r for r, _ in want]
        assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-4)  # re-scored exactly


def test_few_lists_probed_still_find_most(folder: Path) -> None:
    vectors = DenseIndex.load(folder)
    ann.build(folder, vectors.vectors, vectors.digest, nlist=32)
    exact, ivf = DenseIndex.load(folder), _ivf(folder, nprobe=1)
    qs = _unit(np.random.default_rng(4), 20)
    found = [len({r for r, _ in ivf.search(q, 10)} & {r for r, _ in exact.search(q, 10)}) for q in qs]
    # one list of 32 holds a query's nearest only now and then: fewer, never more
    assert 0 < sum(found) < 200


def test_allow_lists_short_scored_exactly_long_through_the_index(folder: Path) -> None:
    vectors = DenseIndex.load(folder)
    ann.build(folder, vectors.vectors, vectors.digest, nlist=32)
    exact = DenseIndex.load(folder)
    rng = np.random.default_rng(5)
    short = rng.choice(exact.rowids, 40, replace=False)
    long = rng.choice(exact.rowids, 1500, replace=False)
    for exact_below in (0, 100):  # the short list through the index, then exactly
        ivf = _ivf(folder, nprobe=32, exact_below=exact_below)
        for q in _unit(rng, 5):
            for allow in (short, long):
                got = ivf.search(q, 8, allow)
                assert {r for r, _ in got} <= set(allow.tolist())
                assert [r for r, _ in got] == [r for r, _ in exact.search(q, 8, allow)]
    ivf = _ivf(folder, nprobe=32)
    assert ivf.search(_unit(rng, 1)[0], 5, np.array([1, 2, 3])) == []  # none of them indexed


def test_sync_builds_when_wanted_and_rebuilds_when_the_vectors_change(folder: Path, tmp_path: Path) -> None:
    tick = lambda *a: None  # noqa: E731
    assert not sync_ann(folder, _settings(tmp_path, vector_index="auto"), tick)  # 3,000 < 200,000
    assert not (folder / ann.FILE).exists()
    assert sync_ann(folder, _settings(tmp_path, vector_index="ivf"), tick)
    first = ann.read_meta(folder)
    assert first is not None and first.digest == DenseIndex.load(folder).digest
    assert not sync_ann(folder, _settings(tmp_path, vector_index="ivf"), tick)  # current: kept
    assert not sync_ann(folder, _settings(tmp_path, vector_index="exact"), tick)  # current: kept too
    assert (folder / ann.FILE).exists()

    old = DenseIndex.load(folder)
    DenseIndex.write(folder, old.rowids[:2000], np.asarray(old.vectors[:2000], dtype=np.float32), "m")
    changed = DenseIndex.load(folder)
    assert changed.digest != first.digest
    with pytest.raises(ann.AnnUnavailable, match="other vectors"):
        ann.IvfIndex.load(folder, changed.digest, len(changed), changed.dim)
    assert sync_ann(folder, _settings(tmp_path, vector_index="ivf"), tick)
    again = ann.read_meta(folder)
    assert again is not None and (again.digest, again.count) == (changed.digest, 2000)
    assert open_index(folder, _settings(tmp_path, vector_index="ivf")).ann is not None

    DenseIndex.write(folder, old.rowids, np.asarray(old.vectors, dtype=np.float32) * -1, "m")
    assert not sync_ann(folder, _settings(tmp_path, vector_index="exact"), tick)  # stale, not wanted: removed
    assert not (folder / ann.FILE).exists() and not (folder / ann.META).exists()


def test_missing_or_damaged_index_falls_back_to_exact_with_a_warning(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path, vector_index="ivf")
    q = _unit(np.random.default_rng(9), 1)[0]
    want = DenseIndex.load(folder).search(q, 5)
    with caplog.at_level(logging.WARNING, logger="curbside.dense"):
        index = open_index(folder, settings)
    assert index.ann is None and index.search(q, 5) == want
    assert "dense search is exact" in caplog.text and "no IVF index" in caplog.text

    vectors = DenseIndex.load(folder)
    ann.build(folder, vectors.vectors, vectors.digest, nlist=16)
    assert open_index(folder, settings).ann is not None
    (folder / ann.FILE).write_bytes(b"not a faiss index")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="curbside.dense"):
        index = open_index(folder, settings)
    assert index.ann is None and index.search(q, 5) == want
    assert "unreadable" in caplog.text

    (folder / ann.META).write_text("{broken")
    with pytest.raises(ann.AnnUnavailable, match="metadata"):
        ann.IvfIndex.load(folder, vectors.digest, len(vectors), vectors.dim)


def test_vectors_written_before_digests_are_rewritten_for_the_index(folder: Path) -> None:
    meta = json.loads((folder / "meta.json").read_text())
    del meta["digest"]
    (folder / "meta.json").write_text(json.dumps(meta))
    index = DenseIndex.load(folder)
    assert index.digest == ""
    with pytest.raises(ann.AnnUnavailable):
        ann.IvfIndex.load(folder, index.digest, len(index), index.dim)


def test_what_the_setting_means() -> None:
    assert search_method("auto", 199_999, 200_000) == "exact"
    assert search_method("auto", 200_000, 200_000) == "ivf"
    assert search_method("exact", 10**9, 1) == "exact"
    assert search_method("ivf", 5, 10**6) == "ivf"
    assert ann.nlist_for(16_900) == 128 and ann.nlist_for(1_000_000) == 1024
    assert ann.nlist_for(37_000_000) == 8192 and ann.nlist_for(10) == ann.MIN_LIST
