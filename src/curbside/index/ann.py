"""Approximate nearest-neighbour search over the passage vectors: a faiss IVF index.

An inverted-file index (IVF) clusters the vectors around ``nlist`` centroids (k-means on
a sample) and keeps each vector's code in its centroid's list; a query is compared with
the centroids and then only with the vectors of the ``nprobe`` nearest lists. The codes
are 8-bit scalar-quantised (``SQ8``: one byte per dimension, a quarter of float32), and
the dense index re-scores the candidates with the exact float16 vectors, so the scores
it returns are exact and only the choice of candidates is approximate. The numbers
behind these choices are in BENCHMARKS.md ("Vector search at scale",
scripts/bench_vectors.py).

The index lives beside the vectors, in the dense folder: ``ivf.faiss`` and ``ivf.json``
(written last; it names the vectors' digest, so an index built for other vectors is
never used). Its ids are the vectors' positions (rows of vectors.npy), not rowids. It is
opened memory-mapped: nothing is read until a list is searched, and the pages are shared
between the processes serving the same folder.

faiss (PyPI ``faiss-cpu``) is imported only here, when an index is built or opened.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

FILE = "ivf.faiss"
META = "ivf.json"
FORMAT = 1
CODEC = "SQ8"
TRAIN_PER_LIST = 64  # k-means sample: 64 vectors per list (faiss asks for at least 39)
MIN_TRAIN = 20_000
ADD_ROWS = 65_536  # vectors converted to float32 and added at a time (~100 MB)
MIN_LIST, MAX_LIST = 16, 65_536

Progress = Callable[[str, int, int], None]


class AnnUnavailable(Exception):
    """The index is missing, unreadable or built for other vectors (``reason`` says
    which); the caller searches the vectors exactly instead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AnnMeta:
    format: int
    digest: str  # of the vectors it indexes (DenseIndex's meta.json)
    count: int
    dim: int
    nlist: int
    codec: str
    build_seconds: float


def nlist_for(count: int) -> int:
    """Lists for ``count`` vectors: about √count rounded to a power of two (128 at 17k,
    1,024 at 1M, 8,192 at 37M): fewer and larger than the usual 4·√count, so training
    costs a quarter; ``ann_nprobe`` then probes a quarter of them (BENCHMARKS.md)."""
    if count <= 0:
        return MIN_LIST
    return int(min(MAX_LIST, max(MIN_LIST, 2 ** round(math.log2(math.sqrt(count))))))


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as e:  # a dependency: only a broken install lacks it
        raise AnnUnavailable(f"faiss is not installed ({e}); `pip install faiss-cpu`") from e
    return faiss


def build(
    folder: Path,
    vectors: np.ndarray,
    digest: str,
    *,
    threads: int = 2,
    nlist: int | None = None,
    codec: str = CODEC,
    tick: Progress | None = None,
) -> AnnMeta:
    """Build the IVF index of ``vectors`` (float16 or float32, unit rows; may be a
    memory map) into ``folder``, replacing any other. ``digest`` identifies the vectors.
    Vectors are converted to float32 a block at a time, so memory stays near the size of
    the codes plus one block."""
    faiss = _faiss()
    folder = Path(folder)
    n, dim = int(vectors.shape[0]), int(vectors.shape[1])
    lists = nlist or nlist_for(n)
    t0 = time.perf_counter()
    faiss.omp_set_num_threads(max(1, threads))
    index = faiss.index_factory(dim, f"IVF{lists},{codec}", faiss.METRIC_INNER_PRODUCT)
    index.cp.min_points_per_centroid = 1  # small collections: train on what there is, quietly
    sample = min(n, max(MIN_TRAIN, lists * TRAIN_PER_LIST))
    rows = np.sort(np.random.default_rng(0).choice(n, size=sample, replace=False)) if sample < n else np.arange(n)
    index.train(np.ascontiguousarray(vectors[rows], dtype=np.float32))
    for start in range(0, n, ADD_ROWS):
        if tick is not None:
            tick("ivf", start, n)
        index.add(np.ascontiguousarray(vectors[start : start + ADD_ROWS], dtype=np.float32))
    if tick is not None:
        tick("ivf", n, n)
    meta = AnnMeta(FORMAT, digest, n, dim, lists, codec, round(time.perf_counter() - t0, 2))
    (folder / META).unlink(missing_ok=True)
    tmp = folder / f".{FILE}.tmp"
    faiss.write_index(index, str(tmp))
    _fsync(tmp)
    os.replace(tmp, folder / FILE)
    tmp_meta = folder / f".{META}.tmp"
    tmp_meta.write_text(json.dumps(asdict(meta)))
    _fsync(tmp_meta)
    os.replace(tmp_meta, folder / META)
    return meta


def read_meta(folder: Path) -> AnnMeta | None:
    """The finished index's metadata, or None (none, unfinished or unreadable)."""
    try:
        raw = json.loads((Path(folder) / META).read_text())
        return AnnMeta(**raw) if raw.get("format") == FORMAT else None
    except (OSError, ValueError, TypeError):
        return None


def is_current(folder: Path, digest: str) -> bool:
    """True when ``folder`` holds a finished index of the vectors with ``digest``."""
    meta = read_meta(folder)
    return meta is not None and bool(digest) and meta.digest == digest and (Path(folder) / FILE).is_file()


def remove(folder: Path) -> None:
    (Path(folder) / META).unlink(missing_ok=True)
    (Path(folder) / FILE).unlink(missing_ok=True)


class IvfIndex:
    """An opened IVF index; ``candidates`` returns positions of likely neighbours.
    Searching is thread-safe (the index is never changed; nprobe is passed per call)."""

    def __init__(self, index: Any, meta: AnnMeta) -> None:
        self._index = index
        self.meta = meta

    @classmethod
    def load(cls, folder: Path, digest: str, count: int, dim: int) -> IvfIndex:
        """Open the index in ``folder`` memory-mapped. AnnUnavailable names why it
        cannot be used: missing, unfinished, built for other vectors, unreadable."""
        folder = Path(folder)
        if not (folder / META).exists():
            raise AnnUnavailable(f"no IVF index in {folder} (built by `curbside ingest --embed`)")
        meta = read_meta(folder)
        if meta is None:
            raise AnnUnavailable(f"the IVF index metadata in {folder} is unreadable or from another version")
        if not digest or meta.digest != digest or meta.count != count or meta.dim != dim:
            raise AnnUnavailable(f"the IVF index in {folder} was built for other vectors")
        faiss = _faiss()
        # one query at a time per engine (engines serve in parallel): OpenMP threads would
        # only wait for work, competing with the embedder's threads on a small machine
        faiss.omp_set_num_threads(1)
        try:
            index = faiss.read_index(str(folder / FILE), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        except (RuntimeError, OSError) as e:  # faiss raises RuntimeError for a damaged file
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise AnnUnavailable(f"the IVF index {folder / FILE} is unreadable ({first[:200]})") from e
        if int(index.ntotal) != count or int(index.d) != dim:
            raise AnnUnavailable(f"the IVF index in {folder} holds {index.ntotal} vectors, the vectors {count}")
        return cls(index, meta)

    @property
    def nlist(self) -> int:
        return self.meta.nlist

    def candidates(self, q: np.ndarray, n: int, nprobe: int, positions: np.ndarray | None = None) -> np.ndarray:
        """Up to ``n`` positions near the unit query ``q`` (float32, (dim,)), from the
        ``nprobe`` nearest lists; with ``positions`` (ascending), only those."""
        faiss = _faiss()
        sel = faiss.IDSelectorBatch(positions) if positions is not None else None
        params = faiss.SearchParametersIVF(nprobe=max(1, min(nprobe, self.nlist)), sel=sel)
        _, ids = self._index.search(np.ascontiguousarray(q.reshape(1, -1), dtype=np.float32), n, params=params)
        found = ids[0]
        return found[found >= 0].astype(np.int64)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
