"""Exact (brute-force) cosine search over passage vectors.

A folder holds ``vectors.npy`` (float16, unit rows, ordered by rowid),
``rowids.npy`` (int64, ascending) and ``meta.json`` (model_id, dim, count), written
last so that a folder without it is an unfinished write.

Scoring float16 vectors: numpy has no fast float16 kernel (converting 150k x 384
to float32 costs 130-200 ms here), so the dot products run in a two-node onnxruntime
graph, Cast(float16 -> float32) then MatMul, over chunks of rows: ~15 ms for
150k x 384 on two cores, as fast as numpy on float32 with half the memory, and the
float16 file can be memory-mapped (no load time; pages shared between processes).

Beyond a few hundred thousand vectors, scanning them all costs more than a question
should (~100 ms at 1M): ``open_index`` then attaches the faiss IVF index built beside
them (index/ann.py, setting ``vector_index``), which proposes candidates that are
re-scored here with the exact vectors. A drug filter's allow list of up to
``exact_below`` rows is still scored exactly (a scan of those rows only); a longer one is
searched through the IVF index restricted to it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from curbside.errors import StoreError
from curbside.index.models import onnx_session

if TYPE_CHECKING:
    import onnxruntime as ort

    from curbside.index.ann import IvfIndex
    from curbside.settings import Settings

log = logging.getLogger("curbside.dense")

VECTORS = "vectors.npy"
ROWIDS = "rowids.npy"
META = "meta.json"
FORMAT = 1
CHUNK_ROWS = 4096  # 4096 x 384 as float32 = 6 MB: faster here than 2048 or 8192
_FULL_SCAN_SHARE = 5  # an allow-list over 1/5 of the rows scores every row instead
REFINE = 4  # the IVF index proposes REFINE x k candidates (at least MIN_CANDIDATES) ...
MIN_CANDIDATES = 100  # ... that are re-scored exactly: recall in BENCHMARKS.md

_BUILD_FIX = "Build the vectors with `curbside ingest --embed`."


class DenseIndex:
    """Passage vectors in memory or memory-mapped; ``search`` returns (rowid, cosine)."""

    def __init__(
        self, rowids: np.ndarray, vectors: np.ndarray, model_id: str, *, threads: int = 2
    ) -> None:
        """``rowids`` int64 ascending and unique, ``vectors`` float16 (n, dim) unit rows
        in the same order. Use ``write``/``load``; this does not check its input."""
        self.rowids = rowids
        self.vectors = vectors
        self.model_id = model_id
        self.threads = threads
        self._lock = threading.Lock()
        self._session: ort.InferenceSession | None = None
        self.digest = ""  # of rowids and vectors, from meta.json (names them for the IVF index)
        self.ann: IvfIndex | None = None
        self.nprobe = 0
        self.exact_below = 0

    def attach_ann(self, ann: IvfIndex, nprobe: int, exact_below: int) -> None:
        """Search through ``ann`` (built for these vectors) from now on: ``nprobe``
        lists per query; allow lists of up to ``exact_below`` rows are scored exactly."""
        self.ann, self.nprobe, self.exact_below = ann, nprobe, exact_below

    @property
    def method(self) -> str:
        """How ``search`` works, in words (``curbside status``)."""
        if self.ann is None:
            return "exact"
        return f"IVF ({self.ann.nlist} lists, {self.ann.meta.codec}, nprobe {min(self.nprobe, self.ann.nlist)})"

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return int(self.rowids.shape[0])

    # --- persistence -------------------------------------------------------------

    @staticmethod
    def exists(folder: Path) -> bool:
        return (Path(folder) / META).is_file()

    @classmethod
    def write(
        cls, folder: Path, rowids: np.ndarray, vectors: np.ndarray, model_id: str
    ) -> DenseIndex:
        """Write (replace) the index in ``folder`` and return it (in memory).

        Rows are sorted by rowid and re-normalised; rowids must be unique. Each file
        goes to a temporary name first and is renamed over the old one; meta.json is
        removed first and written last, so readers never pair new vectors with old
        metadata.
        """
        ids = np.asarray(rowids, dtype=np.int64).reshape(-1)
        vecs = np.asarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or vecs.shape[0] != ids.shape[0]:
            raise ValueError(f"vectors {vecs.shape} do not match {ids.shape[0]} rowids")
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
        if ids.size and np.any(ids[1:] == ids[:-1]):
            raise ValueError("rowids must be unique")
        vecs = vecs[order]
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        vecs16 = (vecs / np.maximum(norms, 1e-12)).astype(np.float16)

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": FORMAT,
            "model_id": model_id,
            "dim": int(vecs16.shape[1]),
            "count": int(ids.shape[0]),
            "dtype": "float16",
            "digest": vectors_digest(ids, vecs16),
        }
        tmp_vectors = _save_temp(folder, VECTORS, lambda f: np.save(f, vecs16))
        tmp_rowids = _save_temp(folder, ROWIDS, lambda f: np.save(f, ids))
        tmp_meta = _save_temp(folder, META, lambda f: f.write(json.dumps(meta).encode()))
        (folder / META).unlink(missing_ok=True)
        os.replace(tmp_vectors, folder / VECTORS)
        os.replace(tmp_rowids, folder / ROWIDS)
        os.replace(tmp_meta, folder / META)
        _fsync_dir(folder)
        written = cls(ids, vecs16, model_id)
        written.digest = str(meta["digest"])
        return written

    @classmethod
    def load(cls, folder: Path, mmap: bool = True, *, threads: int = 2) -> DenseIndex:
        """Open the index in ``folder``; ``mmap`` maps the files instead of reading
        them (instant, and the OS shares the pages between processes).

        Raises StoreError when the folder holds no finished index or its files
        disagree with meta.json.
        """
        folder = Path(folder)
        try:
            meta = json.loads((folder / META).read_text())
        except FileNotFoundError:
            raise StoreError(f"No dense index at {folder}.", fix=_BUILD_FIX) from None
        except (OSError, ValueError) as e:
            msg = f"The dense index at {folder} is unreadable: {e}"
            raise StoreError(msg, fix=_BUILD_FIX) from e
        mode: Any = "r" if mmap else None
        try:
            vectors = np.load(folder / VECTORS, mmap_mode=mode, allow_pickle=False)
            rowids = np.load(folder / ROWIDS, mmap_mode=mode, allow_pickle=False)
        except (OSError, ValueError) as e:
            msg = f"The dense index at {folder} is unreadable: {e}"
            raise StoreError(msg, fix=_BUILD_FIX) from e
        count, dim = meta.get("count"), meta.get("dim")
        if (
            meta.get("format") != FORMAT
            or vectors.dtype != np.float16
            or rowids.dtype != np.int64
            or vectors.shape != (count, dim)
            or rowids.shape != (count,)
        ):
            raise StoreError(
                f"The dense index at {folder} is inconsistent (written by another version, "
                "or being rewritten).",
                fix=_BUILD_FIX,
            )
        loaded = cls(rowids, vectors, str(meta["model_id"]), threads=threads)
        loaded.digest = str(meta.get("digest") or "")  # written before digests: none
        return loaded

    # --- search ------------------------------------------------------------------

    def search(
        self, qvec: np.ndarray, k: int, allow: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` rows most similar to ``qvec``, best first, as (rowid, cosine).

        ``allow``: only these rowids may be returned (any order; unknown ids are
        ignored). Ties go to the smaller rowid.
        """
        q = np.asarray(qvec, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.dim:
            raise ValueError(f"query has {q.shape[0]} dimensions, the index {self.dim}")
        n = len(self)
        if k <= 0 or n == 0:
            return []
        q = q / max(float(np.linalg.norm(q)), 1e-12)

        positions: np.ndarray | None = None
        if allow is not None:
            positions = _known_positions(self.rowids, _sorted_unique(allow))
            if positions.size == 0:
                return []

        if self.ann is not None and (positions is None or positions.size > self.exact_below):
            return self._search_ann(q, k, positions)
        if positions is None:
            scores = self._scores(self.vectors, q)
        elif positions.size * _FULL_SCAN_SHARE > n:
            scores = self._scores(self.vectors, q)[positions]
        else:
            scores = self._scores(self.vectors[positions], q)

        top = _top_k(scores, k)
        found = top if positions is None else positions[top]
        ids = self.rowids[found]
        return [(int(r), float(s)) for r, s in zip(ids, scores[top], strict=True)]

    def _search_ann(self, q: np.ndarray, k: int, positions: np.ndarray | None) -> list[tuple[int, float]]:
        """The IVF index's candidates, re-scored with the exact vectors."""
        assert self.ann is not None
        wanted = max(REFINE * k, MIN_CANDIDATES)
        cand = np.unique(self.ann.candidates(q, wanted, self.nprobe, positions))  # ascending = by rowid
        if cand.size == 0:
            return []
        scores = self.vectors[cand].astype(np.float32) @ q
        top = _top_k(scores, k)
        ids = self.rowids[cand[top]]
        return [(int(r), float(s)) for r, s in zip(ids, scores[top], strict=True)]

    def _scores(self, vectors: np.ndarray, q: np.ndarray) -> np.ndarray:
        """float32 (len(vectors),): vectors @ q, chunk by chunk."""
        session = self._scorer()
        qcol = np.ascontiguousarray(q.reshape(-1, 1))
        out = np.empty(vectors.shape[0], dtype=np.float32)
        for start, stop in _chunks(vectors.shape[0], CHUNK_ROWS):
            block = np.ascontiguousarray(vectors[start:stop])
            out[start:stop] = session.run(None, {"X": block, "q": qcol})[0][:, 0]
        return out

    def _scorer(self) -> ort.InferenceSession:
        with self._lock:
            if self._session is None:
                self._session = onnx_session(scoring_model(self.dim), self.threads)
            return self._session


def vectors_digest(rowids: np.ndarray, vectors: np.ndarray) -> str:
    """What names a set of vectors (SHA-256 of the rowids and the float16 rows)."""
    h = hashlib.sha256(np.ascontiguousarray(rowids, dtype=np.int64).tobytes())
    for start, stop in _chunks(vectors.shape[0], 65_536):
        h.update(np.ascontiguousarray(vectors[start:stop], dtype=np.float16).tobytes())
    return h.hexdigest()[:32]


def search_method(vector_index: str, count: int, ann_min_vectors: int) -> str:
    """"exact" or "ivf": what the setting ``vector_index`` means for ``count`` vectors."""
    if vector_index == "auto":
        return "ivf" if count >= ann_min_vectors else "exact"
    return vector_index


def open_index(folder: Path, settings: Settings) -> DenseIndex:
    """The vectors in ``folder`` (memory-mapped), searched as ``settings`` ask: exactly,
    or through the IVF index built beside them. When that index is wanted but missing,
    unreadable or built for other vectors, the search is exact and a warning says why."""
    from curbside.index import ann

    index = DenseIndex.load(folder, threads=settings.threads)
    if search_method(settings.vector_index, len(index), settings.ann_min_vectors) == "ivf" and len(index):
        try:
            found = ann.IvfIndex.load(folder, index.digest, len(index), index.dim)
        except ann.AnnUnavailable as e:
            log.warning("dense search is exact (%d vectors): %s; run `curbside ingest --embed` to build it",
                        len(index), e.reason)
        else:
            index.attach_ann(found, settings.ann_nprobe, settings.ann_min_vectors)
    return index


def _sorted_unique(ids: np.ndarray) -> np.ndarray:
    a = np.asarray(ids, dtype=np.int64).reshape(-1)
    if a.size < 2 or bool(np.all(a[1:] > a[:-1])):
        return a  # already sorted and unique, as callers normally pass it
    return np.unique(a)


def _known_positions(rowids: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Positions in ``rowids`` (ascending) of the ``allowed`` ids (ascending) present."""
    pos = np.searchsorted(rowids, allowed)
    inside = pos < rowids.shape[0]
    pos, allowed = pos[inside], allowed[inside]
    return pos[rowids[pos] == allowed]


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores, best first; ties by index."""
    if k < scores.shape[0]:
        cand = np.argpartition(-scores, k - 1)[:k]
    else:
        cand = np.arange(scores.shape[0])
    return cand[np.lexsort((cand, -scores[cand]))]


def _chunks(n: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n, size):
        yield start, min(start + size, n)


def _save_temp(folder: Path, name: str, write: Any) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- the scoring graph ---------------------------------------------------------------
# Y[n, m] = Cast<float32>(X[n, dim] float16) @ q[dim, m] float32, as ONNX protobuf bytes
# written by hand (the `onnx` package is not a dependency). Field numbers are from
# onnx/onnx.proto; the unit tests check the result against numpy.

_FLOAT, _FLOAT16, _ATTR_INT = 1, 10, 2


def _varint(v: int) -> bytes:
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _int(field: int, v: int) -> bytes:
    return _varint(field << 3) + _varint(v)


def _msg(field: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint((field << 3) | 2) + _varint(len(data)) + data


def _tensor_info(name: str, elem_type: int, dims: tuple[int | str, ...]) -> bytes:
    shape = b"".join(
        _msg(1, _int(1, d) if isinstance(d, int) else _msg(2, d)) for d in dims
    )  # TensorShapeProto.dim: Dimension{dim_value=1 | dim_param=2}
    tensor_type = _int(1, elem_type) + _msg(2, shape)  # TypeProto.Tensor
    return _msg(1, name) + _msg(2, _msg(1, tensor_type))  # ValueInfoProto{name, type}


def _node(op: str, inputs: list[str], outputs: list[str], attrs: bytes = b"") -> bytes:
    body = b"".join(_msg(1, i) for i in inputs) + b"".join(_msg(2, o) for o in outputs)
    return body + _msg(4, op) + attrs  # NodeProto{input=1, output=2, op_type=4, attribute=5}


def scoring_model(dim: int) -> bytes:
    """The ONNX model (bytes) computing float32 scores of float16 rows."""
    cast_to = _msg(1, "to") + _int(3, _FLOAT) + _int(20, _ATTR_INT)  # AttributeProto
    graph = (
        _msg(1, _node("Cast", ["X"], ["Xf"], _msg(5, cast_to)))
        + _msg(1, _node("MatMul", ["Xf", "q"], ["Y"]))
        + _msg(2, "dense_scores")
        + _msg(11, _tensor_info("X", _FLOAT16, ("n", dim)))
        + _msg(11, _tensor_info("q", _FLOAT, (dim, "m")))
        + _msg(12, _tensor_info("Y", _FLOAT, ("n", "m")))
    )
    opset = _msg(1, "") + _int(2, 17)  # OperatorSetIdProto{domain, version}
    return _int(1, 8) + _msg(2, "curbside") + _msg(7, graph) + _msg(8, opset)
