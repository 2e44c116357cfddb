"""Reciprocal rank fusion and the evidence-strength / recency tie-break, as pure functions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from curbside.scoring import DEFAULT_WEIGHTS
from curbside.types import Hit, StoredPassage

# an undated passage counts as this many years old, and no passage as older
MAX_AGE = 30


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
    age_weight: float = DEFAULT_WEIGHTS.passage_age,
    newest_year: int | None = None,
) -> list[Hit]:
    """Relevance first, then evidence strength and recency, as small additive terms
    scaled to the relevance scores so that they decide between near-ties only.

    A passage's age is counted from ``newest_year``: the retriever passes the corpus's
    newest source year (so an answer does not change with the calendar, only with the
    corpus); without it, the newest year among ``passages``. The weights are the table's
    (scoring.py): ``strength_weight`` is negative for readers who want plain language first."""
    if newest_year is None:
        newest_year = max((p.year for p in passages.values() if p.year), default=0)
    top = max((h.score for h in hits), default=0.0) or 1.0

    def key(h: Hit) -> float:
        p = passages.get(h.rowid)
        if p is None:
            return h.score
        age = max(0, newest_year - (p.year or newest_year - MAX_AGE))
        return h.score + top * (strength_weight * p.source_type.strength + age_weight * min(age, MAX_AGE))

    return sorted(hits, key=key, reverse=True)
