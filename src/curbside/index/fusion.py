"""Reciprocal rank fusion and the evidence-strength / recency tie-break, as pure functions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from curbside.types import Hit, StoredPassage


def rrf(runs: Sequence[Sequence[int]], k: int = 60, weights: Sequence[float] | None = None) -> dict[int, float]:
    """Fuse ranked lists of rowids: score = sum(w / (k + rank))."""
    scores: dict[int, float] = {}
    for i, run in enumerate(runs):
        w = 1.0 if weights is None else weights[i]
        for rank, rowid in enumerate(run, start=1):
            scores[rowid] = scores.get(rowid, 0.0) + w / (k + rank)
    return scores


def evidence_order(
    hits: Sequence[Hit],
    passages: Mapping[int, StoredPassage],
    *,
    strength_weight: float,
    recency_weight: float = 0.0005,
    newest_year: int = 2025,
) -> list[Hit]:
    """Relevance first, then evidence strength and recency, as small additive terms
    scaled to the relevance scores so that they decide between near-ties only."""
    top = max((h.score for h in hits), default=0.0) or 1.0

    def key(h: Hit) -> float:
        p = passages.get(h.rowid)
        if p is None:
            return h.score
        age = max(0, newest_year - (p.year or newest_year - 30))
        return h.score + top * (
            strength_weight * p.source_type.strength - recency_weight * min(age, 30)
        )

    return sorted(hits, key=key, reverse=True)
