"""Vector search at scale (not a test): exact search against faiss IVF indexes, on the real
passage vectors of a data folder and on a synthetic set of 1M vectors made from them.

    .venv/bin/python scripts/bench_vectors.py [--data-dir var] [--synthetic 1000000]
        [--queries 300] [--codecs SQ8,Flat,PQ48] [--nprobe 8,16,32,64] [--write]

Queries are BioASQ questions (<shared>/eval/bioasq.jsonl) embedded as `ask` embeds them
(bge-small with its query instruction). The real vectors alone are too few to need an
index, so two synthetic sets of 1M are made from them (unit length, float16):
"tiled": a random real vector plus Gaussian noise (σ 0.025 per dimension: cosine ~0.9 to
it, ~0.8 between two copies, like the real vectors' nearest neighbours at 0.83);
"mix": a real vector plus U(0, 1) times another, plus noise (σ 0.01): denser, each
vector's nearest neighbours at ~0.93, and a query's top 10 spread over many lists (a
harder case for an inverted file).

For each set the exact search (DenseIndex, the default) gives the truth and its speed;
each IVF index is built in a child process (build time, peak RSS, file size) and
searched in another (RSS after opening and searching it, p50/p95 of the engine's call
`DenseIndex.search(q, 60)`, recall@10 and recall@60 against exact search, recall@10 of
drug-filter searches through the index with allow lists of 2% and 20% of the rows).
`--write` replaces the "Vector search at scale" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from curbside.index import ann
from curbside.index.dense import DenseIndex
from curbside.settings import Settings

K = 60  # what retrieval asks for (dense_k)
SECTION = "## Vector search at scale"
ALLOW_SHARES = (0.02, 0.2)


def _status_mb(key: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    return _status_mb("VmRSS:")


def peak_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not the parent's at fork)."""
    return _status_mb("VmHWM:")


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def embed_queries(shared: Path, n: int) -> np.ndarray:
    from curbside.index.embedder import Embedder
    from curbside.index.models import EMBEDDER, model_dir

    with open(shared / "eval" / "bioasq.jsonl", encoding="utf-8") as f:
        qs = [json.loads(line)["question"] for line in f if line.strip()]
    qs = qs[:: max(1, len(qs) // n)][:n]
    embedder = Embedder(model_dir(EMBEDDER), threads=2, max_tokens=128)
    return np.vstack([embedder.embed_query(q) for q in qs]).astype(np.float32)


def synthetic(real: np.ndarray, n: int, kind: str, seed: int = 0) -> np.ndarray:
    """float16 (n, dim), unit rows: "tiled" (a real row plus noise) or "mix" (a real row
    plus a random share of another, plus less noise)."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), dtype=np.float16)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        x = real[rng.integers(0, real.shape[0], m)].astype(np.float32)
        if kind == "mix":
            x += rng.uniform(0, 1, (m, 1)).astype(np.float32) * real[rng.integers(0, real.shape[0], m)]
        x += rng.standard_normal(x.shape, dtype=np.float32) * (0.025 if kind == "tiled" else 0.01)
        out[start : start + m] = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float16)
    return out


def allow_lists(rowids: np.ndarray, n_queries: int) -> dict[float, list[np.ndarray]]:
    rng = np.random.default_rng(1)
    return {
        share: [np.sort(rng.choice(rowids, max(1, int(share * rowids.size)), replace=False)) for _ in range(n_queries)]
        for share in ALLOW_SHARES
    }


def recall(got: list[list[int]], want: list[list[int]], k: int) -> float:
    hits = sum(len(set(g[:k]) & set(w[:k])) for g, w in zip(got, want))
    return hits / sum(min(k, len(w)) for w in want)


# ---- children: build one index, or search it, in a fresh process ----------------------------

def child_build(folder: Path, codec: str, nlist: int) -> dict:
    index = DenseIndex.load(folder)
    before = rss_mb()
    meta = ann.build(folder, index.vectors, index.digest, threads=2, nlist=nlist or None, codec=codec)
    return {"seconds": meta.build_seconds, "nlist": meta.nlist, "peak_mb": peak_mb() - before,
            "file_mb": (folder / ann.FILE).stat().st_size / 1e6}


def child_search(folder: Path, work: Path, nprobes: list[int]) -> dict:
    queries = np.load(work / "queries.npy")
    truth = json.loads((work / "truth.json").read_text())
    allows = {float(s): [np.asarray(a, dtype=np.int64) for a in lists]
              for s, lists in json.loads((work / "allow.json").read_text()).items()}
    base = rss_mb()
    index = DenseIndex.load(folder)
    ivf = ann.IvfIndex.load(folder, index.digest, len(index), index.dim)
    opened = rss_mb() - base
    out: dict = {"open_mb": opened, "runs": []}
    for nprobe in nprobes:
        index.attach_ann(ivf, nprobe, exact_below=0)
        for q in queries[:10]:
            index.search(q, K)  # warm
        times, got = [], []
        for q in queries:
            t0 = time.perf_counter()
            hits = index.search(q, K)
            times.append((time.perf_counter() - t0) * 1000)
            got.append([r for r, _ in hits])
        filtered = {}
        for share, lists in allows.items():
            res = [[r for r, _ in index.search(q, 10, allow)] for q, allow in zip(queries, lists)]
            filtered[str(share)] = recall(res, truth["allow"][str(share)], 10)
        out["runs"].append({
            "nprobe": nprobe, "r10": recall(got, truth["top"], 10), "r60": recall(got, truth["top"], K),
            "p50": statistics.median(times), "p95": pct(times, 95), "filtered": filtered, "rss_mb": rss_mb() - base,
        })
    return out


def child_hnsw(folder: Path, work: Path, rows: int, efs: list[int]) -> dict:
    """faiss HNSW (32 links, float32 vectors) over the first ``rows`` vectors, for comparison."""
    import faiss

    queries = np.load(work / "queries.npy")
    x = np.asarray(DenseIndex.load(folder).vectors[:rows], dtype=np.float32)
    truth = [list(np.lexsort((np.arange(rows), -(x @ q)))[:K]) for q in queries]
    before = rss_mb()
    faiss.omp_set_num_threads(2)
    index = faiss.index_factory(x.shape[1], "HNSW32", faiss.METRIC_INNER_PRODUCT)
    t0 = time.perf_counter()
    index.add(x)
    seconds = time.perf_counter() - t0
    faiss.omp_set_num_threads(1)
    out: dict = {"seconds": seconds, "peak_mb": peak_mb() - before, "runs": []}
    for ef in efs:
        index.hnsw.efSearch = ef
        times, got = [], []
        for q in queries:
            t1 = time.perf_counter()
            got.append(index.search(q.reshape(1, -1), K)[1][0].tolist())
            times.append((time.perf_counter() - t1) * 1000)
        out["runs"].append({"ef": ef, "r10": recall(got, truth, 10), "r60": recall(got, truth, K),
                            "p50": statistics.median(times), "p95": pct(times, 95)})
    return out


def run_child(args: list[str]) -> dict:
    cmd = [sys.executable, __file__, "--child", *args]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- one set of vectors ----------------------------------------------------------------------

def measure(name: str, folder: Path, queries: np.ndarray, codecs: list[str], nprobes: list[int],
            work: Path, hnsw_rows: int = 0) -> list[str]:
    base = rss_mb()
    exact = DenseIndex.load(folder)
    n = len(exact)
    for q in queries[:10]:
        exact.search(q, K)
    times, top = [], []
    for q in queries:
        t0 = time.perf_counter()
        hits = exact.search(q, K)
        times.append((time.perf_counter() - t0) * 1000)
        top.append([r for r, _ in hits])
    exact_rss = rss_mb() - base  # the map's pages, all read
    allows = allow_lists(exact.rowids, len(queries))
    truth = {"top": top, "allow": {str(s): [[r for r, _ in exact.search(q, 10, a)] for q, a in zip(queries, lists)]
                                   for s, lists in allows.items()}}
    np.save(work / "queries.npy", queries)
    (work / "truth.json").write_text(json.dumps(truth))
    (work / "allow.json").write_text(json.dumps({str(s): [a.tolist() for a in lists] for s, lists in allows.items()}))
    vec_mb = (folder / "vectors.npy").stat().st_size / 1e6
    rows = [f"| {name}: exact (float16, every row) | {vec_mb:,.0f} MB | 0 s | – | {exact_rss:,.0f} MB | "
            f"1.000 / 1.000 | 1.000 / 1.000 | {statistics.median(times):.1f} / {pct(times, 95):.1f} ms |"]
    print(f"{name}: {n:,} vectors; exact p50 {statistics.median(times):.1f} ms; rss +{exact_rss:.0f} MB",
          file=sys.stderr)
    for codec in codecs:
        built = run_child(["build", str(folder), codec, "0"])
        print(f"  {codec}: built {built}", file=sys.stderr)
        searched = run_child(["search", str(folder), str(work), ",".join(map(str, nprobes))])
        for run in searched["runs"]:
            print(f"    {run}", file=sys.stderr)
            f = [run["filtered"][str(share)] for share in ALLOW_SHARES]
            rows.append(
                f"| {name}: IVF{built['nlist']},{codec}, nprobe {run['nprobe']} | {built['file_mb']:,.0f} MB | "
                f"{built['seconds']:.0f} s | {built['peak_mb']:,.0f} MB | {run['rss_mb']:,.0f} MB | "
                f"{run['r10']:.4f} / {run['r60']:.4f} | {f[0]:.3f} / {f[1]:.3f} | "
                f"{run['p50']:.2f} / {run['p95']:.2f} ms |"
            )
        ann.remove(folder)
    if hnsw_rows:
        h = run_child(["hnsw", str(folder), str(work), str(hnsw_rows), "128,256,512,1024"])
        print(f"  HNSW: {h}", file=sys.stderr)
        for run in h["runs"]:
            rows.append(f"| {name}, first {hnsw_rows:,} rows: HNSW32 (float32), efSearch {run['ef']} | – | "
                        f"{h['seconds']:.0f} s | {h['peak_mb']:,.0f} MB | – | {run['r10']:.4f} / {run['r60']:.4f} | "
                        f"– | {run['p50']:.2f} / {run['p95']:.2f} ms |")
    return rows


def write_section(path: Path, body: str) -> None:
    """Replace the section of BENCHMARKS.md that ``body`` heads (its first line), or add it."""
    text = path.read_text()
    heading = body.splitlines()[0]
    start = text.find(heading + "\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + body + (text[end + 1 :] if end >= 0 else "")
    path.write_text(text if text.endswith("\n") else text + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--synthetic", type=int, default=1_000_000, help="vectors in the synthetic set (0: none)")
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--codecs", default="SQ8,Flat,PQ48", help="IVF codes for the tiled set (the mix: SQ8)")
    p.add_argument("--real-codecs", default="SQ8")
    p.add_argument("--kinds", default="tiled,mix", help="synthetic sets to measure")
    p.add_argument("--hnsw-rows", type=int, default=200_000, help="HNSW on this many tiled rows (0: none)")
    p.add_argument("--nprobe", default="32,64,128,256")
    p.add_argument("--write", action="store_true", help="replace the section in BENCHMARKS.md")
    args = p.parse_args()

    settings = Settings.from_env(**({"data_dir": args.data_dir} if args.data_dir else {}))
    nprobes = [int(x) for x in args.nprobe.split(",")]
    t0 = time.perf_counter()
    queries = embed_queries(settings.shared_dir, args.queries)
    real = DenseIndex.load(settings.data_dir / "dense")
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="curbside-bench-vectors-") as tmp:
        work = Path(tmp)
        real_dir = work / "real"
        DenseIndex.write(real_dir, real.rowids, np.asarray(real.vectors, dtype=np.float32), real.model_id)
        rows += measure(f"real {len(real):,}", real_dir, queries, args.real_codecs.split(","), nprobes, work)
        for kind in args.kinds.split(",") if args.synthetic else []:
            syn_dir = work / kind
            vectors = synthetic(np.asarray(real.vectors), args.synthetic, kind)
            DenseIndex.write(syn_dir, np.arange(1, args.synthetic + 1, dtype=np.int64), vectors, real.model_id)
            del vectors
            codecs = args.codecs.split(",") if kind == "tiled" else ["SQ8"]
            rows += measure(f"{kind} {args.synthetic:,}", syn_dir, queries, codecs, nprobes, work,
                            args.hnsw_rows if kind == "tiled" else 0)
            shutil.rmtree(syn_dir)
    load = os.getloadavg()[0]
    body = "\n".join([
        SECTION,
        "",
        f"Measured {time.strftime('%Y-%m-%d')} with `.venv/bin/python scripts/bench_vectors.py"
        f"{' --synthetic ' + str(args.synthetic) if args.synthetic != 1_000_000 else ''} --write` "
        f"({len(queries)} BioASQ questions as queries, 2 threads, load {load:.1f}, "
        f"{(time.perf_counter() - t0) / 60:.0f} min). Recall is against exact search on the same queries; "
        "the IVF rows include re-scoring 4 × k candidates (at least 100) with the float16 vectors. "
        "Build: time and peak memory of a process building the index from the memory-mapped vectors; "
        "serving RSS: what opening the index (memory-mapped) and searching it added to a process. "
        "Filtered: recall@10 of searches restricted to a random 2% / 20% of the rows through the index. "
        "The sets are described in the script's docstring.",
        "",
        "| index | file | build | build peak | serving RSS | recall@10 / @60 | filtered 2% / 20% | "
        "search(k=60) p50 / p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ])
    print(body)
    if args.write:
        write_section(Path(__file__).resolve().parents[1] / "BENCHMARKS.md", body)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, folder = sys.argv[2], Path(sys.argv[3])
        if kind == "build":
            result = child_build(folder, sys.argv[4], int(sys.argv[5]))
        elif kind == "hnsw":
            result = child_hnsw(folder, Path(sys.argv[4]), int(sys.argv[5]), [int(x) for x in sys.argv[6].split(",")])
        else:
            result = child_search(folder, Path(sys.argv[4]), [int(x) for x in sys.argv[5].split(",")])
        print(json.dumps(result))
    else:
        main()
