"""Hybrid retrieval: BM25 (drug-filtered and open) + dense vectors, fused with RRF,
optionally reranked, then ordered by relevance, evidence strength and recency. Works on
the engine's ports (ports.py), whatever implements them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from curbside.index.fusion import evidence_order, rrf
from curbside.index.lexical import query_terms
from curbside.ports import LexicalSearch, PassageReranker, PassageStore, TextEmbedder, VectorSearch
from curbside.scoring import Weights
from curbside.settings import Settings
from curbside.types import Audience, Hit, ParsedQuestion, SourceType, StoredPassage


@dataclass(frozen=True)
class Retrieved:
    hits: tuple[Hit, ...]
    passages: dict[int, StoredPassage]
    terms: tuple[str, ...]
    unknown_terms: tuple[str, ...]  # content words no passage contains (questions without a drug)
    doc_freqs: dict[str, int] = field(default_factory=dict)  # passages containing each term
    timings_ms: dict[str, float] = field(default_factory=dict)

    def ranked(self) -> list[StoredPassage]:
        return [self.passages[h.rowid] for h in self.hits if h.rowid in self.passages]


class Retriever:
    def __init__(
        self,
        store: PassageStore,
        lexical: LexicalSearch,
        settings: Settings,
        *,
        dense: VectorSearch | None = None,
        embedder: TextEmbedder | None = None,
        reranker: PassageReranker | None = None,
        newest_year: int | None = None,
    ) -> None:
        """``newest_year``: the corpus's newest source year, which passage ages are
        counted from (the engine reads it from the store once; None: the newest year
        among the passages being ordered)."""
        self.store = store
        self.lexical = lexical
        self.settings = settings
        self.dense = dense
        self.embedder = embedder
        self.reranker = reranker
        self.newest_year = newest_year
        self.weights = Weights.from_settings(settings)

    def retrieve(
        self, pq: ParsedQuestion, audience: Audience, k: int = 40, *, drug_focus: bool = True
    ) -> Retrieved:
        """Fused, ordered passages for the question. With ``drug_focus`` (a question about
        the asked drugs themselves) a drug-filtered BM25 run and a drug-filtered dense run
        join the open ones; otherwise the drug names are just search words."""
        s = self.settings
        t: dict[str, float] = {}
        t0 = time.perf_counter()
        terms = query_terms(pq.text)
        generics = [d.generic for d in pq.drugs]
        # brand -> generic expansion; a misspelt condition ("chylamdia") -> its name
        for g in generics + [c.name for c in pq.conditions if c.matched_as == "fuzzy"]:
            for w in query_terms(g):
                if w not in terms:
                    terms.append(w)
        drug_keys = sorted({g for g in generics}) if drug_focus else []
        runs: list[list[int]] = []
        weights: list[float] = []
        if drug_keys:
            q = self.lexical.build_query(terms, drug_keys=drug_keys, drug_filter=True)
            runs.append([r for r, _ in self.lexical.search(q, s.lexical_k)])
            weights.append(1.0)
        q = self.lexical.build_query(terms, drug_keys=drug_keys)
        open_run = [r for r, _ in self.lexical.search(q, s.lexical_k)]
        runs.append(open_run)
        weights.append(1.0)
        if not drug_keys:
            # a research question: the abstracts get a run of their own, so that labels and
            # consumer pages that share its words do not crowd them out
            q = self.lexical.build_query(terms, sources=[SourceType.RESEARCH.value])
            runs.append([r for r, _ in self.lexical.search(q, s.lexical_k)])
            weights.append(1.0)
        t["lexical"] = (time.perf_counter() - t0) * 1000

        if s.use_dense and self.dense is not None and self.embedder is not None:
            t0 = time.perf_counter()
            qv = self.embedder.embed_query(pq.text)
            t["embed_query"] = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            runs.append([r for r, _ in self.dense.search(qv, s.dense_k)])
            weights.append(s.dense_weight)
            if drug_keys:
                allow = np.asarray(
                    sorted({r for key in drug_keys for r in self.store.rowids_for_drug(key)}),
                    dtype=np.int64,
                )
                if allow.size:
                    runs.append([r for r, _ in self.dense.search(qv, s.dense_k, allow=allow)])
                    weights.append(1.0)
            t["dense"] = (time.perf_counter() - t0) * 1000

        t0 = time.perf_counter()
        fused = rrf(runs, k=s.rrf_k, weights=weights)
        order = sorted(fused.items(), key=lambda x: -x[1])[: max(k, s.rerank_k)]
        passages = {p.rowid: p for p in self.store.passages([r for r, _ in order])}
        hits = [Hit(rowid=r, score=sc) for r, sc in order]
        t["fetch"] = (time.perf_counter() - t0) * 1000

        if s.use_rerank and self.reranker is not None and hits:
            t0 = time.perf_counter()
            head = hits[: s.rerank_k]
            scores = self.reranker.score(pq.text, [passages[h.rowid].text for h in head])
            reranked = sorted(zip(head, scores), key=lambda x: -float(x[1]))
            n = len(head)
            hits = [Hit(rowid=h.rowid, score=(n - i) / n) for i, (h, _) in enumerate(reranked)] + [
                Hit(rowid=h.rowid, score=0.0) for h in hits[n:]
            ]
            t["rerank"] = (time.perf_counter() - t0) * 1000

        table = self.weights
        strength = table.source_strength if audience.is_clinician else -table.source_strength
        hits = evidence_order(hits, passages, strength_weight=strength, age_weight=table.passage_age,
                              newest_year=self.newest_year)[:k]
        freqs = {w: self.lexical.count(w) for w in terms}
        unknown = tuple(w for w in terms if freqs[w] == 0) if not pq.drugs else ()
        return Retrieved(
            hits=tuple(hits),
            passages={h.rowid: passages[h.rowid] for h in hits if h.rowid in passages},
            terms=tuple(terms),
            unknown_terms=unknown,
            doc_freqs=freqs,
            timings_ms=t,
        )
