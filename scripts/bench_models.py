"""Model and dense-index benchmarks (not tests): embedder throughput by truncation,
query latency, DenseIndex search, reranker throughput. Prints a markdown table.

    .venv/bin/python scripts/bench_models.py [--passages 500] [--max-tokens 128,256,512]
        [--rows 150000] [--threads 2] [--corpus-passages 100000] [--repeats 2]
        [--parts embed,query,dense,rerank]

Passages are PubMed abstracts from <shared>/corpus/pubmed.jsonl (most are longer than
256 tokens, so they fill the truncation length: a near worst case for the corpus).
The machine may be shared: timings take the best of a few runs where noted, and the
load average is printed with the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from curbside.index.dense import DenseIndex
from curbside.index.embedder import Embedder
from curbside.index.models import EMBEDDER, RERANKER, load_tokenizer, model_dir
from curbside.index.rerank import Reranker
from curbside.settings import Settings

Row = tuple[str, str, str]


def abstracts(path: Path, n: int) -> list[str]:
    out: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            text = (json.loads(line).get("abstract") or "").strip()
            if len(text) > 200:
                out.append(text)
                if len(out) >= n:
                    break
    return out


def questions(eval_dir: Path, n: int) -> list[str]:
    qs: list[str] = []
    for name in ("indications.jsonl", "medicationqa.jsonl"):
        with open(eval_dir / name, encoding="utf-8") as f:
            qs.extend(json.loads(line)["question"] for line in f if line.strip())
    return qs[:: max(1, len(qs) // n)][:n]


def timed(fn: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(ms: Sequence[float], p: float) -> float:
    return float(np.percentile(ms, p))


def bench_embedder(
    texts: list[str], lengths: list[int], threads: int, corpus: int, repeats: int
) -> list[Row]:
    """Texts are sorted by length and embedded 32 at a time; each batch runs
    ``repeats`` times and its fastest run counts (discounts other load)."""
    rows: list[Row] = []
    folder = model_dir(EMBEDDER)
    for max_tokens in lengths:
        emb = Embedder(folder, threads=threads, max_tokens=max_tokens)
        t = time.perf_counter()
        emb.load()
        load_s = time.perf_counter() - t
        tok = load_tokenizer(folder / "tokenizer.json", max_tokens)
        counts = [len(e.ids) for e in tok.encode_batch(texts)]
        mean_tokens = statistics.fmean(counts)
        ordered = [texts[i] for i in np.argsort(counts, kind="stable")]
        emb.embed_passages(ordered[:16])  # warm-up
        secs = 0.0
        for start in range(0, len(ordered), 32):
            batch = ordered[start : start + 32]
            run = emb.embed_passages
            secs += min(timed(lambda b=batch, r=run: r(b), repeats, warmup=0)) / 1000
        per_s = len(texts) / secs
        minutes = corpus / per_s / 60
        rows.append(
            (
                f"embed passages, max_tokens {max_tokens}",
                f"{per_s:.1f} passages/s ({per_s * mean_tokens:.0f} tokens/s)",
                f"{len(texts)} abstracts, mean {mean_tokens:.0f} tokens; {corpus:,} such "
                f"passages: {minutes:.0f} min; model load {load_s:.2f} s",
            )
        )
    return rows


def bench_query(qs: list[str], threads: int, max_tokens: int) -> Row:
    emb = Embedder(model_dir(EMBEDDER), threads=threads, max_tokens=max_tokens)
    emb.load()
    it = iter(qs * 3)
    ms = timed(lambda: emb.embed_query(next(it)), repeat=len(qs))
    return (
        "embed query",
        f"p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms",
        f"{len(qs)} eval questions, with bge's instruction prefix",
    )


def bench_dense(n: int, dim: int, threads: int) -> list[Row]:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((n, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rowids = np.arange(1, n + 1, dtype=np.int64)
    queries = rng.standard_normal((200, dim), dtype=np.float32)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        DenseIndex.write(Path(tmp), rowids, vectors, "bench")
        write_s = time.perf_counter() - t
        t = time.perf_counter()
        index = DenseIndex.load(Path(tmp), mmap=True, threads=threads)
        load_ms = (time.perf_counter() - t) * 1000
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        it = iter(np.tile(queries, (2, 1)))
        ms = timed(lambda: index.search(next(it), 60), repeat=200, warmup=5)
        rows.append(
            (
                f"dense search {n:,} x {dim}, top-60",
                f"p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms",
                f"float16 mmap ({size_mb:.0f} MB); write {write_s:.1f} s, load {load_ms:.1f} ms",
            )
        )
        for size in (2_000, n // 3):
            allow = np.sort(rng.choice(rowids, size, replace=False))
            it = iter(np.tile(queries, (2, 1)))
            ms = timed(lambda a=allow, q=it: index.search(next(q), 60, a), repeat=200, warmup=5)
            rows.append(
                (
                    f"dense search, filter {size:,} rowids",
                    f"p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms",
                    "gathers the allowed rows" if size * 5 <= n else "scores all, then filters",
                )
            )
    return rows


def bench_rerank(qs: list[str], passages: list[str], threads: int, max_tokens: int) -> Row:
    rr = Reranker(model_dir(RERANKER), threads=threads, max_tokens=max_tokens)
    rr.load()
    rr.score(qs[0], passages[:4])
    ms = [min(timed(lambda q=q: rr.score(q, passages[:20]), 2, warmup=0)) for q in qs[:5]]
    p50 = statistics.median(ms)
    return (
        f"rerank 20 passages, max_tokens {max_tokens}",
        f"{20 / (p50 / 1000):.1f} pairs/s ({p50:.0f} ms per question)",
        "abstracts; 5 questions, best of 2 each",
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=500)
    ap.add_argument("--max-tokens", default="128,256,512")
    ap.add_argument("--rows", type=int, default=150_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--corpus-passages", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=2, help="runs per embedding batch (best counts)")
    ap.add_argument("--parts", default="embed,query,dense,rerank", help="what to measure")
    args = ap.parse_args(argv)

    settings = Settings.from_env()
    texts = abstracts(settings.corpus_dir / "pubmed.jsonl", args.passages)
    qs = questions(settings.eval_dir, 50)
    lengths = [int(x) for x in args.max_tokens.split(",") if x]
    load_before = os.getloadavg()[0]

    parts = set(args.parts.split(","))
    rows: list[Row] = []
    if "embed" in parts:
        rows += bench_embedder(texts, lengths, args.threads, args.corpus_passages, args.repeats)
    if "query" in parts:
        rows.append(bench_query(qs, args.threads, settings.embed_max_tokens))
    if "dense" in parts:
        rows += bench_dense(args.rows, 384, args.threads)
    if "rerank" in parts:
        for max_tokens in (160, 256, 320):
            rows.append(bench_rerank(qs, texts, args.threads, max_tokens))

    print(
        f"\n{os.cpu_count()} CPUs, {args.threads} threads; load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after\n"
    )
    print("| measure | result | notes |")
    print("|---|---|---|")
    for measure, result, notes in rows:
        print(f"| {measure} | {result} | {notes} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
