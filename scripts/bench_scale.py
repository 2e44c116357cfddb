"""Scale benchmark (not a test): the corpus copied k times, ingested, and asked.

    .venv/bin/python scripts/bench_scale.py --sizes 1,10,50 [--work /work/scale] [--hybrid] [--write]

A k× corpus is ../shared/corpus itself plus k-1 copies of every drug label (openFDA
files and DailyMed records), guideline and PubMed abstract, each under a new id and,
for labels, another manufacturer's name: what the full public dumps look like, where a
common drug has many labels with the same text. MedQuAD's pages are not copied (they
are one publisher's pages). The copies are written once under ``<work>/copies/cNN`` and
shared by every size; each size is ingested into its own ``<work>/data-<k>x`` folder
(lexical index; with ``--hybrid`` also the passage vectors, taken by content hash from
``--vectors-from``'s store so that no text is embedded twice: a copy's text is its
original's). For each size the script records ingest time, store and index size, peak
RSS of the ingest and of the serving process, and warm ``ask`` p50/p95/max over 200 dev
questions (scripts/bench.py's sample), lexical and, with ``--hybrid``, hybrid. Results
go to ``<work>/results.json`` as each size finishes; ``--write`` puts the table and a
plot (docs/scale.png, matplotlib from the ``bench`` extra) into BENCHMARKS.md.

Each size runs in child processes (ingest, then one process to ask), so the peak RSS of
each is its own; an ingest's CPU time (user + system) is recorded beside its wall time,
since on a shared machine only the former compares between sizes. ``--skip-ingest``
asks again on the data folders already ingested (keeping their ingest figures);
``--sizes '' --write`` only rewrites BENCHMARKS.md from ``results.json``; ``--label``
names a run (e.g. ``before``, with PYTHONPATH at the code before) in the table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
COPIED = ("openfda", "dailymed-indications.json", "guidelines.jsonl", "pubmed.jsonl")
NOT_COPIED = ("medquad",)


# ---- the copies ------------------------------------------------------------------------
def manufacturer(i: int) -> str:
    return f"Copy {i:02d} Pharmaceuticals, Inc."


def _label_copy(record: dict, i: int) -> dict:
    r = dict(record)
    for key in ("id", "set_id"):
        if isinstance(r.get(key), str):
            r[key] = f"{r[key]}-c{i:02d}"
    of = dict(r.get("openfda") or {})
    of["manufacturer_name"] = [manufacturer(i)]
    r["openfda"] = of
    return r


def write_copy(corpus: Path, out: Path, i: int) -> None:
    """Copy ``i`` of every label, guideline and abstract of ``corpus`` into ``out``."""
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "openfda").mkdir(parents=True)
    for f in sorted((corpus / "openfda").glob("*.json")):
        data = json.loads(f.read_text())
        if "results" not in data:  # timestamp.json: no labels
            continue
        data["results"] = [_label_copy(r, i) for r in data["results"]]
        (tmp / "openfda" / f"{f.stem}.c{i:02d}.json").write_text(json.dumps(data))
    data = json.loads((corpus / "dailymed-indications.json").read_text())
    data["results"] = [_label_copy(r, i) for r in data["results"]]
    (tmp / f"dailymed-indications.c{i:02d}.json").write_text(json.dumps(data))
    with open(corpus / "guidelines.jsonl") as src, open(tmp / f"guidelines.c{i:02d}.jsonl", "w") as dst:
        for line in src:
            if line.strip():
                r = json.loads(line)
                r["ngc_id"] = f"{r['ngc_id']}-c{i:02d}"
                dst.write(json.dumps(r) + "\n")
    with open(corpus / "pubmed.jsonl") as src, open(tmp / f"pubmed.c{i:02d}.jsonl", "w") as dst:
        for line in src:
            if line.strip():
                r = json.loads(line)
                r["pmid"] = str(i * 100_000_000 + int(r["pmid"]))  # PMIDs stay numbers
                dst.write(json.dumps(r) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def copies(work: Path, corpus: Path, k: int) -> list[Path]:
    """The folders of copies 1..k-1 (written when missing)."""
    out = []
    for i in range(1, k):
        folder = work / "copies" / f"c{i:02d}"
        if not folder.exists():
            write_copy(corpus, folder, i)
        out.append(folder)
    return out


def corpus_paths(work: Path, corpus: Path, k: int) -> list[Path]:
    return [corpus, *copies(work, corpus, k)]


# ---- measuring -------------------------------------------------------------------------
def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def child_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


BACLOFEN = "What is the indication for Baclofen (Lioresal)?"


def ask_child(data_dir: str, hybrid: bool, n: int) -> None:
    """Run in a child process: open the engine, warm it, ask the sample, print JSON."""
    sys.path.insert(0, str(REPO / "scripts"))
    from bench import pct, questions

    from curbside.engine import Engine
    from curbside.settings import Settings
    from curbside.types import Audience

    settings = Settings.from_env(data_dir=Path(data_dir), use_dense=hybrid)
    t0 = time.perf_counter()
    engine = Engine.open(settings)
    article = engine.ask(BACLOFEN)
    open_s = time.perf_counter() - t0
    qs = questions(settings.eval_dir, n)
    lat = []
    for q in qs:
        t = time.perf_counter()
        engine.ask(q, Audience.PHYSICIAN)
        lat.append((time.perf_counter() - t) * 1000)
    refs = article.to_json()["references"]
    texts = [" ".join(r["passage"].split()) for r in refs]
    print(json.dumps({
        "hybrid": engine.has_dense,
        "open_s": round(open_s, 2),
        "p50": round(pct(lat, 50), 1), "p95": round(pct(lat, 95), 1), "max": round(max(lat), 1),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "baclofen_refs": len(refs),
        "baclofen_repeated": len(texts) - len(set(texts)),
        "baclofen_copies": [r.get("copies", 0) for r in refs],
    }))


def run_ingest(exe: str, data: Path, paths: list[Path], embed: bool) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak RSS MB) of one `curbside ingest` in a child process.
    CPU seconds (user + system) are what to compare between sizes on a shared machine:
    wall time also counts what the other jobs take."""
    cmd = ["nice", "-n", "10", exe, "--data-dir", str(data), "ingest", "--quiet"]
    cmd += ["--embed"] if embed else []
    code = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
            "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(u.ru_utime + u.ru_stime, u.ru_maxrss); sys.exit(r.returncode)")
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *cmd, *map(str, paths)],
                         capture_output=True, text=True, env=os.environ)
    if out.returncode != 0:
        raise SystemExit(f"ingest failed ({out.returncode}): {out.stderr[-2000:]}\n{out.stdout[-2000:]}")
    cpu, rss = out.stdout.split()[-2:]
    return time.perf_counter() - t, float(cpu), int(rss) / 1024


def run_asks(data: Path, hybrid: bool, n: int) -> dict:
    out = subprocess.run(["nice", "-n", "10", sys.executable, __file__, "--ask-child", str(data),
                          *(["--hybrid"] if hybrid else []), "--n", str(n)],
                         check=True, capture_output=True, text=True, env=os.environ)
    return json.loads(out.stdout.strip().splitlines()[-1])


def seed_vectors(data: Path, source: Path) -> int:
    """Copy the passage vectors of ``source``'s store into ``data``'s (by content hash),
    so ingest --embed embeds nothing that was embedded before."""
    import sqlite3

    from curbside import paths

    (data).mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(paths.store_file(data))
    try:
        conn.executescript("CREATE TABLE IF NOT EXISTS embeddings (hash TEXT NOT NULL, model_id TEXT NOT NULL, "
                           "vec BLOB NOT NULL, PRIMARY KEY (model_id, hash)) WITHOUT ROWID;")
        conn.execute("ATTACH DATABASE ? AS src", (f"file:{paths.store_file(source)}?mode=ro",))
        conn.execute("INSERT OR IGNORE INTO embeddings SELECT * FROM src.embeddings")
        conn.commit()
        return conn.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    finally:
        conn.close()


def measure(k: int, args: argparse.Namespace) -> dict:
    from curbside import paths

    data = args.work / (f"data-{k}x-{args.label}" if args.label else f"data-{k}x")
    if not args.keep and not args.skip_ingest:
        shutil.rmtree(data, ignore_errors=True)
    exe = str(Path(sys.executable).parent / "curbside")
    src = corpus_paths(args.work, args.corpus, k)
    result: dict = {"k": k}
    if args.skip_ingest:  # measure the asks on what was ingested before, keep the old ingest figures
        old = [r for r in _results(args.work) if (r["k"], r.get("label", "")) == (k, args.label)]
        keys = ("ingest_s", "ingest_cpu_s", "ingest_rss_mb", "reingest_s")
        result.update({key: old[0][key] for key in keys if key in old[0]} if old else
                      {"ingest_s": 0.0, "ingest_rss_mb": 0, "reingest_s": 0.0})
    else:
        seconds, cpu, rss = run_ingest(exe, data, src, embed=False)
        result.update(ingest_s=round(seconds, 1), ingest_cpu_s=round(cpu, 1), ingest_rss_mb=round(rss))
        seconds, _, _ = run_ingest(exe, data, src, embed=False)
        result["reingest_s"] = round(seconds, 1)
    import sqlite3

    conn = sqlite3.connect(f"file:{paths.store_file(data)}?mode=ro", uri=True)
    result["documents"] = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    result["passages"] = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    try:
        result["indexed"] = conn.execute("SELECT count(*) FROM passages WHERE rep=1").fetchone()[0]
    except sqlite3.OperationalError:  # a store from before grouping
        result["indexed"] = result["passages"]
    conn.close()
    result["store_mb"] = round(du(paths.store_file(data)) / 2**20)
    result["lexical_mb"] = round(du(paths.lexical_dir(data)) / 2**20)
    result["lexical"] = run_asks(data, False, args.n)
    if args.hybrid:
        seed_vectors(data, args.vectors_from)
        seconds, _, rss = run_ingest(exe, data, src, embed=True)
        result.update(embed_s=round(seconds, 1), embed_rss_mb=round(rss))
        result["dense_mb"] = round(du(paths.dense_dir(data)) / 2**20)
        result["hybrid"] = run_asks(data, True, args.n)
    result["load"] = round(os.getloadavg()[1], 1)  # the machine's 5-minute load average as it finished
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,10,50")
    ap.add_argument("--work", type=Path, default=Path("/work/scale"))
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    ap.add_argument("--only-copies", action="store_true", help="write the copies and stop")
    ap.add_argument("--hybrid", action="store_true", help="also measure hybrid retrieval")
    ap.add_argument("--vectors-from", type=Path, default=REPO / "var", help="a data folder with vectors")
    ap.add_argument("--keep", action="store_true", help="ingest into the existing data folders")
    ap.add_argument("--skip-ingest", action="store_true", help="only ask, on the data folders ingested before")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--label", default="", help="a name for this run in results.json")
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md and docs/scale.png")
    ap.add_argument("--ask-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.ask_child:
        ask_child(args.ask_child, args.hybrid, args.n)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.only_copies:
        for k in sizes:
            t = time.perf_counter()
            copies(args.work, args.corpus, k)
            print(f"copies for {k}x in {time.perf_counter() - t:.0f} s", flush=True)
        return
    results_file = args.work / "results.json"
    for k in sizes:
        r = measure(k, args)
        r["label"] = args.label
        r["when"] = time.strftime("%Y-%m-%d %H:%M")
        print(json.dumps(r), flush=True)
        done = _results(args.work)
        done = [x for x in done if (x["k"], x.get("label", "")) != (k, args.label)] + [r]
        results_file.write_text(json.dumps(done, indent=1))
    if args.write:
        write(_results(args.work))


def _results(work: Path) -> list[dict]:
    f = work / "results.json"
    return json.loads(f.read_text()) if f.exists() else []


def _ms(a: dict | None) -> str:
    return f"{a['p50']:.0f} / {a['p95']:.0f} / {a['max']:,.0f}" if a else "–"


def _cpu(r: dict) -> str:
    if not r.get("ingest_cpu_s"):
        return "–"
    m, sec = divmod(int(round(r["ingest_cpu_s"])), 60)
    return f"{m} min {sec:02d} s"


def table(results: list[dict]) -> list[str]:
    rows = ["| corpus | code | documents | passages | indexed (one per text) | ingest | re-ingest | store | "
            "lexical index | ingest CPU | ingest peak RSS | ask p50 / p95 / max, lexical (ms) | hybrid (ms) | "
            "serving RSS | "
            "Baclofen: references, repeated texts, copies listed |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in sorted(results, key=lambda r: (r.get("label", ""), r["k"])):
        lex, hyb = r["lexical"], r.get("hybrid")
        rss = max(lex["rss_mb"], hyb["rss_mb"] if hyb else 0)
        m, sec = divmod(int(round(r["ingest_s"])), 60)
        copies = sum(1 for c in lex["baclofen_copies"] if c)
        rows.append(
            f"| {r['k']}× | {r.get('label') or 'grouped'} | {r['documents']:,} | {r['passages']:,} | "
            f"{r['indexed']:,} | "
            f"{m} min {sec:02d} s | {r['reingest_s']:.0f} s | {r['store_mb']:,} MB | {r['lexical_mb']:,} MB | "
            f"{_cpu(r)} | "
            f"{r['ingest_rss_mb']:,} MB | {_ms(lex)} | {_ms(hyb)} | {rss:,} MB | "
            f"{lex['baclofen_refs']}, {lex['baclofen_repeated']}, {copies} with copies |")
    return rows


def plot(results: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for label, style in (("", "-o"), ("before", "--s")):
        rs = sorted((r for r in results if r.get("label", "") == label), key=lambda r: r["passages"])
        if not rs:
            continue
        x = [r["passages"] / 1e6 for r in rs]
        name = "before grouping" if label else "grouped"
        left.plot(x, [r["lexical"]["p95"] for r in rs], style, label=f"lexical p95, {name}")
        left.plot(x, [r["lexical"]["p50"] for r in rs], style, alpha=.5, label=f"lexical p50, {name}")
        hy = [r for r in rs if r.get("hybrid")]
        if hy:
            left.plot([r["passages"] / 1e6 for r in hy], [r["hybrid"]["p95"] for r in hy], style,
                      label=f"hybrid p95, {name}")
        right.plot(x, [r["ingest_s"] / 60 for r in rs], style, alpha=.5, label=f"ingest wall time, {name}")
        cpu = [r for r in rs if r.get("ingest_cpu_s")]
        if cpu:
            right.plot([r["passages"] / 1e6 for r in cpu], [r["ingest_cpu_s"] / 60 for r in cpu], style,
                       label=f"ingest CPU time, {name}")
    left.axhline(400, color="grey", lw=.8, ls=":")
    left.set(xlabel="passages (millions)", ylabel="warm ask (ms)", title="Answer time")
    right.set(xlabel="passages (millions)", ylabel="minutes", title="Ingest time (lexical)")
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def write(results: list[dict]) -> None:
    sys.path.insert(0, str(REPO / "scripts"))
    from bench import write_section

    plot(results, REPO / "docs" / "scale.png")
    loads = [r["load"] for r in results if "load" in r]
    load = f"load average {min(loads):.0f}–{max(loads):.0f} as the sizes finished" if loads else "other jobs running"
    section = "\n".join([
        "## Scale (one fact, many copies)", "",
        f"Measured {time.strftime('%Y-%m-%d')} with `.venv/bin/python scripts/bench_scale.py --sizes 1,10,50 "
        "--hybrid --write`: the corpus and k-1 copies of every label, DailyMed record, guideline and abstract "
        "under new ids and other manufacturers' names (MedQuAD once), ingested (lexical, then the vectors, taken "
        "by content hash from `var`: a copy's text is its original's), then 200 dev questions asked warm "
        "(scripts/bench.py's sample), lexical and hybrid, each in its own process. \"code\" is what ran: "
        "grouped (this code) or before (the code before copies were grouped). On this 2-core machine shared "
        f"with other jobs ({load}) wall times carry the other jobs' "
        "share; ingest CPU time (user + system) is what compares between sizes.", "",
        *table(results), "",
        "![answer time and ingest time by corpus size](docs/scale.png)", "",
    ])
    print(section)
    write_section(REPO / "BENCHMARKS.md", "## Scale (one fact, many copies)", section)


if __name__ == "__main__":
    main()
