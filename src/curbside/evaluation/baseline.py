"""The plain BM25 baseline: the question's content words against the lexical index, no
drug filter, no question understanding, no composition."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from curbside.index.lexical import query_terms
from curbside.ports import LexicalSearch, PassageStore
from curbside.types import StoredPassage


@dataclass(frozen=True)
class BaselineResult:
    passages: list[StoredPassage]
    latency_ms: float


class Bm25Baseline:
    def __init__(self, lexical: LexicalSearch, store: PassageStore) -> None:
        self.lexical = lexical
        self.store = store

    def search(self, question: str, k: int, *, sources: Sequence[str] = ()) -> BaselineResult:
        """The top ``k`` passages for ``lexical.build_query(query_terms(question))``
        (optionally restricted to source types, e.g. ``("research",)``)."""
        t0 = time.perf_counter()
        q = self.lexical.build_query(query_terms(question), sources=sources)
        hits = self.lexical.search(q, k)
        ps = self.store.passages([r for r, _ in hits])
        return BaselineResult(ps, (time.perf_counter() - t0) * 1000)


def pmids(passages: Sequence[StoredPassage]) -> list[str]:
    """PubMed ids of ``pmid:<id>`` passages, in rank order (repeats kept)."""
    return [p.doc_id.split(":", 1)[1] for p in passages if p.doc_id.startswith("pmid:")]
