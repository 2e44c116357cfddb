"""Does question-to-question matching (index/questions.py) pay? Not a test: a
measurement over real consumer questions, for choosing question_match_threshold.

    PYTHONPATH=src .venv/bin/python scripts/question_match_eval.py [--data-dir DIR] [--out FILE]

For K-QA (must_have statements) and MedicationQA (the reference answer's sentences),
a statement is *covered* by a text when at least 60% of its content words (stop words
out, crude stemming) occur in one sentence of the text. Compared, per similarity
threshold, on the questions whose best match reaches it: the statements covered by the
top-1 / top-3 matched MedQuAD answers, and by the top-1 / top-3 passages of today's
retrieval (engine.retrieve(question).ranked()). Both query embeddings are measured:
with bge's retrieval instruction and without (symmetric question-question).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from curbside.engine import Engine
from curbside.settings import Settings

STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    it its this that these those there their they them he she his her you your i my me we our
    not no can could may might will would should do does did done have has had having than then
    so such also into about over under more most other some any each which who whom what when
    where why how all both only very just because while during before after up out off too""".split()
)
THRESHOLDS = (0.0, 0.75, 0.8, 0.82, 0.84, 0.85, 0.86, 0.88, 0.9, 0.92, 0.95)
_SENT = re.compile(r"(?<=[.!?;])\s+|\n+")


def stem(w: str) -> str:
    for suf in ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)] + ("y" if suf == "ies" else "")
    return w


def content(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 1}


def sentences(text: str) -> list[set[str]]:
    return [c for c in (content(s) for s in _SENT.split(text)) if c]


def covered(statement: str, sents: list[set[str]], share: float = 0.6) -> bool:
    words = content(statement)
    return bool(words) and any(len(words & s) >= share * len(words) for s in sents)


def statements_of(item: dict, which: str) -> list[str]:
    if which == "kqa":
        return list(item["must_have"])
    return [s for s in _SENT.split(item["reference_answer"]) if len(content(s)) >= 3]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path("/tmp/qm-eval.json"))
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    settings = Settings.from_env(data_dir=args.data_dir)
    engine = Engine.open(settings)
    matcher = engine.question_matcher()
    if matcher is None:
        print("no question index: run `curbside ingest --embed` first", file=sys.stderr)
        return 1
    records = []
    ms_embed: list[float] = []
    for which in ("kqa", "medicationqa"):
        items = [json.loads(ln) for ln in open(settings.eval_dir / f"{which}.jsonl")]
        if args.limit:
            items = items[: args.limit]
        for item in items:
            q = " ".join(item["question"].split())
            stmts = statements_of(item, which)
            if not stmts:
                continue
            ranked = engine.retrieve(q).ranked()
            ret = [sentences(p.text) for p in ranked[:3]]
            rec = {
                "set": which,
                "question": q,
                "n": len(stmts),
                "ret1": [covered(s, ret[0]) if ret else False for s in stmts],
                "ret3": [covered(s, [x for r in ret for x in r]) for s in stmts],
            }
            for mode, instruction in (("plain", False), ("instr", True)):
                matcher.instruction = instruction
                t0 = time.perf_counter()
                hits = matcher.match(q, 3)
                ms_embed.append((time.perf_counter() - t0) * 1000)
                answers = []
                for rowid, sim in hits:
                    ps = engine.store.answer_passages(rowid)
                    answers.append((sim, ps[0].section, ps[0].title, sentences(" ".join(p.text for p in ps))))
                rec[mode] = {
                    "sims": [a[0] for a in answers],
                    "questions": [a[1] for a in answers],
                    "m1": [covered(s, answers[0][3]) if answers else False for s in stmts],
                    "m3": [covered(s, [x for a in answers for x in a[3]]) for s in stmts],
                    "m1ret3": [covered(s, (answers[0][3] if answers else []) + [x for r in ret for x in r]) for s in stmts],
                }
            records.append(rec)
    args.out.write_text(json.dumps(records))
    ms_embed.sort()
    print(f"match (embed + score): p50 {ms_embed[len(ms_embed) // 2]:.1f} ms, p95 {ms_embed[int(len(ms_embed) * 0.95)]:.1f} ms")
    report(records)
    return 0


def share(flags: list[list[bool]]) -> float:
    """Mean over questions of the share of their statements covered."""
    return sum(sum(f) / len(f) for f in flags) / len(flags) if flags else 0.0


def report(records: list[dict]) -> None:
    for which in ("kqa", "medicationqa"):
        rs = [r for r in records if r["set"] == which]
        print(f"\n## {which} ({len(rs)} questions); statements covered, mean per question")
        print(f"all questions: retrieval top-1 {share([r['ret1'] for r in rs]):.3f}, top-3 {share([r['ret3'] for r in rs]):.3f}")
        for mode in ("plain", "instr"):
            print(f"\n{mode}: threshold | questions matched | matched top-1 | top-3 | retrieval top-1 | top-3 | retrieval top-3 + matched top-1")
            for t in THRESHOLDS:
                sel = [r for r in rs if r[mode]["sims"] and r[mode]["sims"][0] >= t]
                # matched top-3 counts only the matches at or above the threshold
                print(
                    f"  {t:.2f} | {len(sel):3d} | {share([r[mode]['m1'] for r in sel]):.3f} | "
                    f"{share([r[mode]['m3'] for r in sel]):.3f} | {share([r['ret1'] for r in sel]):.3f} | "
                    f"{share([r['ret3'] for r in sel]):.3f} | {share([r[mode]['m1ret3'] for r in sel]):.3f}"
                )


if __name__ == "__main__":
    raise SystemExit(main())
