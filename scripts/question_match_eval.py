"""Does question-to-question matching (index/questions.py) pay? Not a test: a
measurement over real consumer questions, for choosing question_match_threshold.

    PYTHONPATH=src .venv/bin/python scripts/question_match_eval.py [--data-dir DIR] [--out FILE]

For K-QA (must_have statements) and MedicationQA (the reference answer's sentences),
a statement is *covered* by a text when at least 60% of its content words (stop words
out, crude stemming) occur in one sentence of the text. Compared, per similarity
threshold, on the questions whose best match reaches it: the statements covered by the
top-1 / top-3 matched MedQuAD answers, and by the top-1 / top-3 passages of today's
retrieval (engine.retrieve(question).ranked()); also the share of the reference's
content words found, and the texts' lengths (a matched answer is longer than a
passage). Four ways of matching are measured: the query embedded with bge's retrieval
instruction ("instr", the default) or without ("plain"), each with or without the topic
check ("+topic", the default: the user names the stored question's topic). Per-question
details (matched questions, similarities) go to --out for reading matches by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from curbside.engine import Engine
from curbside.index.questions import topic_covered
from curbside.settings import Settings

STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    it its this that these those there their they them he she his her you your i my me we our
    not no can could may might will would should do does did done have has had having than then
    so such also into about over under more most other some any each which who whom what when
    where why how all both only very just because while during before after up out off too""".split()
)
THRESHOLDS = (0.0, 0.7, 0.75, 0.78, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9)
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
    ap.add_argument("--report-only", action="store_true", help="re-print the report from --out")
    args = ap.parse_args()
    if args.report_only:
        report(json.loads(args.out.read_text()))
        return 0
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
            ranked = engine.retrieve(q).ranked()[:3]
            rec = {
                "set": which,
                "question": q,
                "n": len(stmts),
                "ref": sorted(set().union(*(content(x) for x in stmts))),
                "ret": [_side(stmts, p.text) for p in ranked],
            }
            for mode, instruction in (("plain", False), ("instr", True)):
                matcher.instruction = instruction
                t0 = time.perf_counter()
                hits = matcher.match(q, 20)
                ms_embed.append((time.perf_counter() - t0) * 1000)
                answers = []
                n_ok = 0
                for i, (rowid, sim) in enumerate(hits):
                    ps = engine.store.answer_passages(rowid)
                    ok = topic_covered(q, ps[0].section)
                    n_ok += ok
                    if i >= 3 and not (ok and n_ok <= 3):
                        continue
                    side = _side(stmts, " ".join(p.text for p in ps))
                    answers.append(dict(side, sim=sim, question=ps[0].section, ok=ok, rank=i))
                rec[mode] = answers
            records.append(rec)
    args.out.write_text(json.dumps(records))
    print(f"{len(records)} questions; per-question details in {args.out}")
    ms_embed.sort()
    p50, p95 = ms_embed[len(ms_embed) // 2], ms_embed[int(len(ms_embed) * 0.95)]
    print(f"match (embed + score): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    report(records)
    return 0


def _side(stmts: list[str], text: str) -> dict:
    sents = sentences(text)
    return {
        "cov": [covered(x, sents) for x in stmts],
        "words": sorted(set().union(*sents)) if sents else [],
        "len": len(text.split()),
    }


def share(flags: list[list[bool]]) -> float:
    """Mean over questions of the share of their statements covered."""
    return sum(sum(f) / len(f) for f in flags) / len(flags) if flags else 0.0


def _answers(r: dict, mode: str) -> list[dict]:
    """The top-3 matches of a mode, "+topic": only those passing the topic check."""
    base, _, topic = mode.partition("+")
    ans = sorted(r[base], key=lambda a: a["rank"])
    return [a for a in ans if a["ok"]][:3] if topic else ans[:3]


def _combine(sides: list[dict], n: int) -> dict:
    """Statements covered by any of ``sides``, their words, their length."""
    return {
        "cov": [any(sd["cov"][i] for sd in sides) for i in range(n)],
        "words": set().union(*(sd["words"] for sd in sides)) if sides else set(),
        "len": sum(sd["len"] for sd in sides),
    }


def _row(rs: list[dict], sides: list[dict]) -> str:
    """covered statements | reference words recalled | words of text, means per question."""
    if not rs:
        return "    -     |    -    |   -"
    cov = share([sd["cov"] for sd in sides])
    rec = sum(len(set(r["ref"]) & set(sd["words"])) / max(1, len(r["ref"])) for r, sd in zip(rs, sides)) / len(rs)
    ln = sum(sd["len"] for sd in sides) / len(rs)
    return f"{cov:.3f} | {rec:.3f} | {ln:5.0f}"


def report(records: list[dict]) -> None:
    print("columns per text: statements covered (>=60% of a statement's words in one sentence) | "
          "reference words found | length in words; means per question")
    for which in ("kqa", "medicationqa"):
        rs = [r for r in records if r["set"] == which]
        print(f"\n## {which} ({len(rs)} questions)")
        print(f"all questions, retrieval top-1: {_row(rs, [_combine(r['ret'][:1], r['n']) for r in rs])}"
              f"; top-3: {_row(rs, [_combine(r['ret'][:3], r['n']) for r in rs])}")
        for mode in ("plain", "instr", "plain+topic", "instr+topic"):
            print(f"\n{mode} | threshold | matched | matched top-1 | matched top-3 (>= threshold) | "
                  "retrieval top-1 | retrieval top-3 | retrieval top-2 + matched top-1")
            for t in THRESHOLDS:
                sel, m1, m3, mix = [], [], [], []
                for r in rs:
                    ans = _answers(r, mode)
                    if not ans or ans[0]["sim"] < t:
                        continue
                    sel.append(r)
                    m1.append(_combine(ans[:1], r["n"]))
                    m3.append(_combine([a for a in ans if a["sim"] >= t], r["n"]))
                    mix.append(_combine(ans[:1] + r["ret"][:2], r["n"]))
                r1 = [_combine(r["ret"][:1], r["n"]) for r in sel]
                r3 = [_combine(r["ret"][:3], r["n"]) for r in sel]
                cells = " | ".join(_row(sel, x) for x in (m1, m3, r1, r3, mix))
                print(f"  {t:.2f} | {len(sel):3d} | {cells}")


if __name__ == "__main__":
    raise SystemExit(main())
