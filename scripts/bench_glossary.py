"""Glossary benchmark (not a test): build, size, load, matching speed, and the glosses
of patient answers to real consumer questions.

    .venv/bin/python scripts/bench_glossary.py --data-dir var [--n 20] [--show 8]

Builds the glossary of the data folder's corpus and ../shared/vocab into a temporary
file (the data folder is only read), then asks ``--n`` MedicationQA questions for
patients with the data folder's own glossary and prints every gloss of the first
``--show`` answers, to be read by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--show", type=int, default=8)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()

    from curbside import paths
    from curbside.composition.glossing import Matcher
    from curbside.engine import Engine
    from curbside.index.sync import build_glossary_of
    from curbside.settings import Settings
    from curbside.store.sqlite import SQLiteStore
    from curbside.types import Audience
    from curbside.understanding.glossary import Glossary

    settings = Settings.from_env(data_dir=args.data_dir)
    store = SQLiteStore(paths.store_file(args.data_dir), readonly=True)
    t = time.perf_counter()
    glossary = build_glossary_of(store, args.data_dir, settings)
    build_s = time.perf_counter() - t
    store.close()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "glossary.json"
        glossary.save(path)
        size = path.stat().st_size
        loads = []
        for _ in range(5):
            t = time.perf_counter()
            Matcher(Glossary.load(path))
            loads.append(time.perf_counter() - t)
    sources: dict[str, int] = {}
    for e in glossary.entries():
        name = "a consumer page of the corpus" if e.meaning.url else e.meaning.source
        sources[name] = sources.get(name, 0) + 1
    print(f"glossary: {len(glossary):,} terms, {size / 1e6:.2f} MB, built in {build_s:.1f} s, "
          f"load + matcher {statistics.median(loads) * 1000:.0f} ms (median of 5)")
    print("  meanings from:", ", ".join(f"{k} {v:,}" for k, v in sorted(sources.items(), key=lambda kv: -kv[1])))

    with open(settings.eval_dir / "medicationqa.jsonl") as fh:
        qs = [json.loads(line)["question"] for line in fh if line.strip()]
    random.Random(args.seed).shuffle(qs)
    engine = Engine.open(settings)
    matcher = engine.glossary
    if matcher is None:
        raise SystemExit(f"no glossary in {args.data_dir}: run `curbside ingest` on it first")
    per_article: list[int] = []
    per_statement_ms: list[float] = []
    shown = 0
    for q in qs[: args.n]:
        a = engine.ask(q, Audience.PATIENT)
        if a.abstained:
            continue
        for st in a.statements():
            t = time.perf_counter()
            for _ in range(20):
                matcher.find(st.text)
            per_statement_ms.append((time.perf_counter() - t) / 20 * 1000)
        glosses = [g for st in a.statements() for g in st.glosses]
        per_article.append(len(glosses))
        if shown < args.show:
            shown += 1
            print(f"\n{q!r}: {len(glosses)} glosses ({a.timings_ms.get('gloss', 0):.2f} ms)")
            for g in glosses:
                print(f"  {g.term} — {g.meaning[:110]} [{g.source[:50]}]")
    engine.close()
    print(f"\n{len(per_article)} answered of {args.n}: glosses per article mean "
          f"{statistics.mean(per_article):.1f}, median {statistics.median(per_article):.0f}, "
          f"max {max(per_article)}; none in {sum(1 for n in per_article if n == 0)}")
    print(f"matching: {len(per_statement_ms)} statements, mean {statistics.mean(per_statement_ms):.3f} ms, "
          f"p95 {sorted(per_statement_ms)[int(0.95 * (len(per_statement_ms) - 1))]:.3f} ms per statement")


if __name__ == "__main__":
    main()
