"""Cross-encoder reranking with ms-marco-MiniLM-L-12-v2 (int8 ONNX).

It reads the question and a passage together, so it is far slower than the
embedder (tens of pairs a second on two cores): rescore a shortlist, not everything.
Scores are raw relevance logits (higher = more relevant; about -11..+11, roughly
>0 means relevant); they compare across passages of one question.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from curbside.index.models import LazyModel, pad_batch


class Reranker:
    """``score(question, passages)`` -> one relevance logit per passage."""

    def __init__(self, model_dir: Path, threads: int = 2, max_tokens: int = 320) -> None:
        self._model = LazyModel(model_dir, threads, max_tokens, min_tokens=16)
        self.model_dir = self._model.model_dir
        self.threads = threads
        self.max_tokens = max_tokens

    def load(self) -> None:
        """Load the tokenizer and the ONNX session now rather than on first use."""
        self._model.parts()

    def score(self, query: str, passages: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """float32 (len(passages),): the relevance of each passage to ``query``, in the
        order given. Each pair is truncated to ``max_tokens`` (the longer side first,
        so the passage is cut, not the question); pairs run sorted by length."""
        if isinstance(passages, str):
            raise TypeError("score takes a sequence of passages, not one string")
        out = np.empty(len(passages), dtype=np.float32)
        if not passages:
            return out
        tokenizer, session = self._model.parts()
        encodings = tokenizer.encode_batch([(query, p) for p in passages])
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        step = max(1, batch_size)
        for start in range(0, len(order), step):
            idx = order[start : start + step]
            logits = session.run(["logits"], pad_batch([encodings[i] for i in idx]))[0]
            out[idx] = logits[:, 0]
        return out
