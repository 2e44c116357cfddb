"""Cross-encoder reranking with ms-marco-MiniLM-L-12-v2 (int8 ONNX).

It reads the question and a passage together, so it is far slower than the
embedder (tens of pairs a second on two cores): rescore a shortlist, not everything.
Scores are raw relevance logits (higher = more relevant; about -11..+11, roughly
>0 means relevant); they compare across passages of one question.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from curbside.index.models import (
    MAX_MODEL_TOKENS,
    check_model_dir,
    load_tokenizer,
    onnx_session,
    pad_batch,
)

if TYPE_CHECKING:
    import onnxruntime as ort
    from tokenizers import Tokenizer


class Reranker:
    """``score(question, passages)`` -> one relevance logit per passage."""

    def __init__(self, model_dir: Path, threads: int = 2, max_tokens: int = 320) -> None:
        if not 16 <= max_tokens <= MAX_MODEL_TOKENS:
            raise ValueError(f"max_tokens must be 16..{MAX_MODEL_TOKENS}, got {max_tokens}")
        model_dir = Path(model_dir)
        check_model_dir(model_dir)
        self.model_dir = model_dir
        self.threads = threads
        self.max_tokens = max_tokens
        self._lock = threading.Lock()
        self._session: ort.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None

    def load(self) -> None:
        """Load the tokenizer and the ONNX session now rather than on first use."""
        self._parts()

    def _parts(self) -> tuple[Tokenizer, ort.InferenceSession]:
        with self._lock:
            if self._session is None or self._tokenizer is None:
                self._tokenizer = load_tokenizer(self.model_dir / "tokenizer.json", self.max_tokens)
                self._session = onnx_session(self.model_dir / "model.onnx", self.threads)
            return self._tokenizer, self._session

    def score(self, query: str, passages: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """float32 (len(passages),): the relevance of each passage to ``query``, in the
        order given. Each pair is truncated to ``max_tokens`` (the longer side first,
        so the passage is cut, not the question); pairs run sorted by length."""
        if isinstance(passages, str):
            raise TypeError("score takes a sequence of passages, not one string")
        out = np.empty(len(passages), dtype=np.float32)
        if not passages:
            return out
        tokenizer, session = self._parts()
        encodings = tokenizer.encode_batch([(query, p) for p in passages])
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        step = max(1, batch_size)
        for start in range(0, len(order), step):
            idx = order[start : start + step]
            logits = session.run(["logits"], pad_batch([encodings[i] for i in idx]))[0]
            out[idx] = logits[:, 0]
        return out
