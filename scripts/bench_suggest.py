"""What suggested follow-ups cost (not a test): ``Engine.suggest`` on the answers to a
sample of the eval sets' questions, on a fresh engine (every candidate answered) and
again on the same engine (candidates remembered), next to the answer's own time; and
whether every suggestion offered is answered (not abstained, not partial).

    .venv/bin/python scripts/bench_suggest.py --data-dir var [--n 100] [--audience physician]

Prints a markdown table for BENCHMARKS.md. Reads the data folder only.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def questions(eval_dir: Path, n: int, seed: int = 11) -> list[str]:
    qs: list[str] = []
    for name in ("indications.jsonl", "medicationqa.jsonl", "kqa.jsonl"):
        with open(eval_dir / name, encoding="utf-8") as f:
            qs.extend(json.loads(line)["question"] for line in f if line.strip())
    random.Random(seed).shuffle(qs)
    return qs[:n]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def main() -> int:
    from curbside.engine import Engine
    from curbside.settings import Settings
    from curbside.types import Audience

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=REPO / "var")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--audience", default="physician", choices=[a.value for a in Audience])
    args = ap.parse_args()
    settings = Settings.from_env(data_dir=args.data_dir)
    audience = Audience(args.audience)
    engine = Engine.open(settings)
    engine.ask("What is the dose of baclofen?", audience)  # warm: models, caches
    engine._suggestion_checks.clear()  # noqa: SLF001 - a fresh engine's memory of candidates
    asks, cold, warm, offered = [], [], [], []
    bad = 0
    articles = []
    for q in questions(settings.eval_dir, args.n):
        t = time.perf_counter()
        a = engine.ask(q, audience)
        asks.append((time.perf_counter() - t) * 1000)
        if a.abstained:
            continue
        articles.append(a)
        t = time.perf_counter()
        found = engine.suggest(a, audience)
        cold.append((time.perf_counter() - t) * 1000)
        offered.append(len(found))
        for s in found:
            answer = engine.ask(s.question, audience)
            bad += answer.abstained or answer.partial
    for a in articles:
        t = time.perf_counter()
        engine.suggest(a, audience)
        warm.append((time.perf_counter() - t) * 1000)
    engine.close()
    counts = Counter(offered)
    print(f"| measure ({len(articles)} answered of {len(asks)} questions, {audience.value}) | value |")
    print("|---|---:|")
    print(f"| answer (`ask`) p50 / p95 | {pct(asks, 50):.0f} / {pct(asks, 95):.0f} ms |")
    print(f"| `suggest`, fresh engine, p50 / p95 / max | {pct(cold, 50):.0f} / {pct(cold, 95):.0f} / "
          f"{max(cold, default=float('nan')):.0f} ms |")
    print(f"| `suggest`, mean | {statistics.mean(cold) if cold else float('nan'):.0f} ms |")
    print(f"| `suggest` again (candidates remembered), p50 / max | {pct(warm, 50):.2f} / "
          f"{max(warm, default=float('nan')):.2f} ms |")
    print("| answers offering 0 / 1 / 2 / 3 follow-ups | "
          + " / ".join(str(counts.get(k, 0)) for k in range(4)) + " |")
    print(f"| follow-ups offered, all answered (not abstained, not partial) | {sum(offered)}, "
          f"{sum(offered) - bad} answered |")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
