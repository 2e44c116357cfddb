"""Passage and query embeddings with BAAI/bge-small-en-v1.5 (int8 ONNX, 384-d).

bge uses the [CLS] vector, L2-normalised; queries (not passages) get bge's retrieval
instruction. The model loads on first use (about 0.3 s) and is safe to share between
threads (onnxruntime sessions are; loading is guarded by a lock).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from curbside.index.models import LazyModel, file_digest, pad_batch

if TYPE_CHECKING:
    import onnxruntime as ort
    from tokenizers import Encoding

QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: "


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (all-zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


class Embedder:
    """``embed_passages`` for the index, ``embed_query`` for questions."""

    def __init__(self, model_dir: Path, threads: int = 2, max_tokens: int = 256) -> None:
        self._model = LazyModel(model_dir, threads, max_tokens, min_tokens=8)
        self.model_dir = self._model.model_dir
        self.threads = threads
        self.max_tokens = max_tokens
        config = self.model_dir / "config.json"
        hidden = json.loads(config.read_text())["hidden_size"] if config.is_file() else 384
        self._dim = int(hidden)

    @property
    def dim(self) -> int:
        return self._dim

    @cached_property
    def model_id(self) -> str:
        """Identifies the weights, tokenizer, pooling and truncation: vectors stored
        under another model_id must be re-embedded."""
        digest = file_digest(self.model_dir / "model.onnx", self.model_dir / "tokenizer.json")
        return f"{self.model_dir.name}@{digest}/cls/max{self.max_tokens}"

    def load(self) -> None:
        """Load the tokenizer and the ONNX session now rather than on first use."""
        self._model.parts()

    def embed_passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """float32 (len(texts), dim), unit rows, in the order given. Texts are sorted
        by token count within the call so each batch pads little."""
        if isinstance(texts, str):
            raise TypeError("embed_passages takes a sequence of strings, not one string")
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        if not texts:
            return out
        tokenizer, session = self._model.parts()
        encodings = tokenizer.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        step = max(1, batch_size)
        for start in range(0, len(order), step):
            idx = order[start : start + step]
            out[idx] = self._run(session, [encodings[i] for i in idx])
        return out

    def embed_query(self, text: str, *, instruction: bool = True) -> np.ndarray:
        """float32 (dim,), unit length; the text gets bge's retrieval instruction unless
        ``instruction`` is False (question-to-question similarity is symmetric: both
        sides are embedded the same way)."""
        tokenizer, session = self._model.parts()
        encoding = tokenizer.encode(QUERY_INSTRUCTION + text if instruction else text)
        return self._run(session, [encoding])[0]

    @staticmethod
    def _run(session: ort.InferenceSession, encodings: Sequence[Encoding]) -> np.ndarray:
        inputs = pad_batch(encodings)
        hidden = session.run(["last_hidden_state"], inputs)[0]
        return l2_normalise(hidden[:, 0, :])  # CLS pooling
