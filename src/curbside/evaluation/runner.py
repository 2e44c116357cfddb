"""Run the engine and the BM25 baseline over the evaluation sets; return the report.

    report = run_eval(settings, ["indications"], limit=20)

The corpus sentence index behind the coverage ceilings (kqa, medicationqa) is built once
per run when a set needs it, cached in ``cache_dir`` (default ``<data dir>/eval-cache``)."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from curbside.evaluation import abstention, bioasq, followups, indications, kqa, medicationqa, readability, recognition
from curbside.evaluation.baseline import Bm25Baseline
from curbside.evaluation.ceiling import SentenceIndex, load_or_build
from curbside.evaluation.sets import (
    SET_NAMES,
    load_abstention,
    load_bioasq,
    load_indications,
    load_kqa,
    load_medicationqa,
    sample,
    set_path,
)
from curbside.settings import Settings

Tick = Callable[[str, int, int], None]
REPORT_VERSION = "1"


def _corpus_pmids(engine: Any) -> set[str]:
    rows = engine.store.conn.execute("SELECT doc_id FROM documents WHERE doc_id LIKE 'pmid:%'")
    return {r[0].split(":", 1)[1] for r in rows}


def run_eval(
    settings: Settings,
    sets: Sequence[str],
    *,
    limit: int | None = None,
    progress: Tick = lambda stage, done, total: None,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    from curbside.engine import Engine

    unknown = [s for s in sets if s not in SET_NAMES]
    if unknown:
        raise ValueError(f"unknown evaluation set(s): {unknown}")
    started = datetime.now(UTC)
    t_start = time.perf_counter()
    engine = Engine.open(settings)
    try:
        baseline = Bm25Baseline(engine.lexical, engine.store)
        ceiling = _Ceiling(engine, cache_dir or settings.data_dir / "eval-cache", progress)
        results: dict[str, Any] = {}
        for name in sets:
            t0 = time.perf_counter()
            path = set_path(settings.eval_dir, name)
            results[name] = _run_one(name, path, engine, baseline, ceiling, settings, limit, progress)
            results[name]["seconds"] = round(time.perf_counter() - t0, 1)
            results[name]["file"] = str(path)
        meta = {
            "report_version": REPORT_VERSION,
            "started": started.isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - t_start, 1),
            "sets": list(sets),
            "limit": limit,
            "data_dir": str(settings.data_dir),
            "corpus_version": engine.corpus_version,
            "settings_hash": engine.settings_hash,
            "dense": engine.has_dense,
            "rerank": settings.use_rerank,
            "passages": engine.counts().get("passages"),
            "corpus_sentences": ceiling.sentences,
            "corpus_index_seconds": ceiling.seconds,
            "python": platform.python_version(),
            "machine": platform.machine(),
        }
    finally:
        engine.close()
    return {"meta": meta, "sets": results}


class _Ceiling:
    """The corpus sentence index, loaded or built on first use."""

    def __init__(self, engine: Any, cache_dir: Path, progress: Tick) -> None:
        self.engine, self.cache_dir, self.progress = engine, cache_dir, progress
        self._index: SentenceIndex | None = None
        self.seconds: float | None = None

    @property
    def sentences(self) -> int | None:
        return self._index.sentences if self._index is not None else None

    def get(self) -> SentenceIndex:
        if self._index is None:
            t0 = time.perf_counter()
            self._index = load_or_build(self.engine.store, self.cache_dir,
                                        max_chars=self.engine.settings.max_sentence_chars, progress=self.progress)
            self.seconds = round(time.perf_counter() - t0, 1)
        return self._index


def _run_one(
    name: str, path: Any, engine: Any, baseline: Bm25Baseline, ceiling: _Ceiling, settings: Settings,
    limit: int | None, progress: Tick,
) -> dict[str, Any]:
    if name == "indications":
        from curbside.evaluation.matching import IndicationMatcher

        items_i = sample(load_indications(path), limit)
        matcher = IndicationMatcher.load(settings.vocab_dir)
        return indications.evaluate(engine, baseline, matcher, items_i, _ticker(name, len(items_i), progress))
    if name == "bioasq":
        items_b = sample(load_bioasq(path), limit)
        return bioasq.evaluate(engine, baseline, _corpus_pmids(engine), items_b,
                               _ticker(name, len(items_b), progress))
    if name == "kqa":
        items_k = sample(load_kqa(path), limit)
        return kqa.evaluate(engine, baseline, items_k, ceiling.get(), _ticker(name, len(items_k), progress))
    if name == "abstention":
        items_a = sample(load_abstention(path), limit)
        return abstention.evaluate(engine, items_a, _ticker(name, len(items_a), progress))
    if name == "recognition":  # question understanding only: the engine's parser, no retrieval
        rows, skipped = recognition.load_items(settings.eval_dir)
        items_r = recognition.sample_items(rows, limit)
        return recognition.evaluate(engine.parser, items_r, skipped, _ticker(name, len(items_r), progress))
    if name == "followups":  # follow-up resolution only: the engine's resolver and parser, no retrieval
        items_f = sample(followups.load_items(path), limit)
        return followups.evaluate(engine.resolve, items_f, _ticker(name, len(items_f), progress))
    if name == "readability":  # MedicationQA's and K-QA's questions, for every reader (a limit: in all)
        qs = [i.question for i in sample(load_medicationqa(path / "medicationqa.jsonl"),
                                         None if limit is None else (limit + 1) // 2)]
        if limit is None or limit > 1:
            qs += [i.question for i in sample(load_kqa(path / "kqa.jsonl"), None if limit is None else limit // 2)]
        return readability.evaluate(engine, qs, _ticker(name, len(qs), progress))
    items_m = sample(load_medicationqa(path), limit)
    return medicationqa.evaluate(engine, baseline, items_m, ceiling.get(), _ticker(name, len(items_m), progress))


def _ticker(name: str, total: int, progress: Tick) -> Callable[[], None]:
    done = 0
    progress(name, 0, total)

    def tick() -> None:
        nonlocal done
        done += 1
        progress(name, done, total)

    return tick
