"""Engine benchmarks (not tests): ingest, re-ingest, warm and cold `ask`, memory.

    .venv/bin/python scripts/bench.py [--data-dir DIR] [--embed] [--skip-ingest] [--write]

Writes the "Engine" section of BENCHMARKS.md with --write; always prints the table.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def questions(eval_dir: Path, n: int, seed: int = 7) -> list[str]:
    qs: list[str] = []
    for name in ("indications.jsonl", "medicationqa.jsonl", "bioasq.jsonl"):
        with open(eval_dir / name) as f:
            qs.extend(json.loads(line)["question"] for line in f if line.strip())
    random.Random(seed).shuffle(qs)
    return qs[:n]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def run(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/curbside-bench"))
    ap.add_argument("--embed", action="store_true", help="also time ingest --embed")
    ap.add_argument("--skip-ingest", action="store_true")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = ap.parse_args()

    from curbside.settings import Settings

    settings = Settings.from_env(data_dir=args.data_dir)
    exe = str(Path(sys.executable).parent / "curbside")
    base = [exe, "--data-dir", str(args.data_dir)]
    rows: list[tuple[str, str, str]] = []
    if not args.skip_ingest:
        shutil.rmtree(args.data_dir, ignore_errors=True)
        t = run(base + ["ingest", "--quiet", str(settings.corpus_dir)])
        rows.append(("full ingest, lexical index", f"{t:.0f} s", "≤ 180 s"))
        t = run(base + ["ingest", "--quiet", str(settings.corpus_dir)])
        rows.append(("re-ingest, unchanged corpus", f"{t:.1f} s", "≤ 30 s"))
        if args.embed:
            t = run(base + ["ingest", "--quiet", "--embed", str(settings.corpus_dir)])
            rows.append((f"embeddings, source types `{settings.embed_sources}` (after the lexical ingest)",
                         f"{t / 60:.1f} min", "≤ 30 min"))

    from curbside.engine import Engine
    from curbside.types import Audience

    t0 = time.perf_counter()
    engine = Engine.open(settings)
    engine.ask("What is the indication for Baclofen (Lioresal)?")  # warm up (loads the model)
    open_s = time.perf_counter() - t0
    qs = questions(settings.eval_dir, args.n)
    lat: list[float] = []
    abstained = 0
    for q in qs:
        t = time.perf_counter()
        a = engine.ask(q, Audience.PHYSICIAN)
        lat.append((time.perf_counter() - t) * 1000)
        abstained += a.abstained
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    dense = "hybrid (BM25 + dense)" if engine.has_dense else "lexical only"
    rows.append((f"warm `ask` p50, {len(qs)} eval questions, {dense}", f"{statistics.median(lat):.0f} ms", "≤ 150 ms"))
    rows.append((f"warm `ask` p95, {dense}", f"{pct(lat, 95):.0f} ms", "≤ 400 ms"))
    rows.append(("engine open + first answer (in process)", f"{open_s:.2f} s", ""))
    rows.append(("serving memory (max RSS of this process)", f"{rss_mb:.0f} MB", "≤ 1,500 MB"))
    cold = [run(base + ["ask", "--json", "What is the indication for Baclofen (Lioresal)?"]) for _ in range(3)]
    rows.append(("cold `curbside ask` command (median of 3)", f"{statistics.median(cold):.2f} s", "≤ 3 s"))
    rows.append(("abstained on the sample", f"{abstained}/{len(qs)}", ""))

    table = ["| measure | value | target |", "|---|---|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    cmd = "`.venv/bin/python scripts/bench.py" + (" --embed" if args.embed else "") + " --write`"
    section = "\n".join(
        ["## Engine", "", f"Measured {time.strftime('%Y-%m-%d')} on this 2-core machine with {cmd}.", "", *table, ""]
    )
    print(section)
    if args.write:
        write_section(REPO / "BENCHMARKS.md", "## Engine", section)


def write_section(path: Path, heading: str, section: str) -> None:
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    if heading in text:
        start = text.index(heading)
        nxt = text.find("\n## ", start + len(heading))
        text = text[:start] + section + ("\n" + text[nxt + 1 :] if nxt != -1 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    main()
