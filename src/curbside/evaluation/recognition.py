"""Precision and recall of question understanding's drug and condition recognition.

The list (``data/recognition.jsonl``, ours) has three kinds of rows:

- a real consumer question of ``../shared/eval`` (``source`` kqa or medicationqa, ``line``
  its 0-based line; the text is read from there, never copied here) with the drugs
  (generic names) and, where annotated, the conditions a reader finds in it;
- a question we wrote (``source`` "ours", ``question``): brands, OTC combinations,
  misspellings, lay names;
- a ``word`` (ordinary English or medical, or a misspelling of one) that must never be
  read as a drug.

Drugs compare by ingredient: a combination (found as "drospirenone and ethinyl
estradiol", or as one mention per ingredient) counts as its ingredients, and an expected
name is first resolved through the lexicon ("Coumadin" -> warfarin). A condition is
found when a recognised concept has the expected name among its names. Condition false
positives count only on rows that list conditions.

    from curbside.evaluation.recognition import run
    report = run(parser)        # parser: understanding.parser.QuestionParser

It is also the set ``recognition`` of ``curbside eval`` (:func:`evaluate`, with the
engine's parser): targets drug precision and recall ≥ 0.95, condition precision ≥ 0.85,
words read as drugs ≤ 3%.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from curbside.understanding.normalize import components, term_key


def load_items(eval_dir: Path | None) -> tuple[list[dict[str, Any]], int]:
    """The rows with their question text; rows whose shared file is missing are skipped
    (their count is returned)."""
    text = resources.files("curbside.evaluation").joinpath("data/recognition.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    cache: dict[str, list[str] | None] = {}
    out: list[dict[str, Any]] = []
    skipped = 0
    for row in rows:
        src = row.get("source")
        if row["kind"] == "word" or src == "ours":
            out.append(row)
            continue
        if src not in cache:
            path = eval_dir / f"{src}.jsonl" if eval_dir is not None else None
            cache[src] = (
                [json.loads(line)["question"] for line in path.read_text("utf-8").splitlines() if line.strip()]
                if path is not None and path.exists() else None
            )
        questions = cache[src]
        if questions is None or row["line"] >= len(questions):
            skipped += 1
            continue
        out.append({**row, "question": questions[row["line"]]})
    return out, skipped


def _ingredients(names: list[str], lexicon: Any) -> set[str]:
    out: set[str] = set()
    for name in names:
        found = lexicon.lookup(term_key(name))
        generic = found[0] if found is not None else name.lower()
        out.update(components(generic) or [generic])
    return out


def _singular(key: str) -> str:
    return key[:-1] if key.endswith("s") and not key.endswith(("ss", "is", "us")) else key


def _pr(tp: int, fp: int, fn: int) -> dict[str, Any]:
    return {
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "tp": tp, "fp": fp, "fn": fn,
    }


def _row_id(item: dict[str, Any]) -> str:
    return item.get("source", "") + (f":{item['line']}" if "line" in item else "")


def check(parser: Any, item: dict[str, Any]) -> dict[str, Any]:
    """One row read by ``parser``: what was expected, what was found, the counts."""
    t0 = time.perf_counter()
    pq = parser.parse(item["question"])
    ms = (time.perf_counter() - t0) * 1000
    found = _ingredients([m.generic for m in pq.drugs], parser.lexicon)
    expected = _ingredients(item["drugs"], parser.lexicon)
    rec: dict[str, Any] = {
        "id": _row_id(item) if item["kind"] != "word" else "word",
        "kind": item["kind"], "question": item["question"],
        "drugs_expected": sorted(expected), "drugs_found": sorted(found),
        "drug_tp": len(found & expected), "drug_fp": len(found - expected), "drug_fn": len(expected - found),
        "conditions_expected": None, "conditions_found": [m.name for m in pq.conditions],
        "condition_tp": 0, "condition_fp": 0, "condition_fn": 0, "ms": round(ms, 3),
    }
    if item["kind"] != "word" and "conditions" in item:
        names = [
            {_singular(term_key(n)) for n in (*parser.conditions.synonyms(m.concept_id or ""), m.name)}
            for m in pq.conditions
        ]
        want = [_singular(term_key(n)) for n in item["conditions"]]
        hit = [w for w in want if any(w in ns for ns in names)]
        extra = [m.name for m, ns in zip(pq.conditions, names) if not any(w in ns for w in want)]
        missed = [n for n, w in zip(item["conditions"], want) if w not in hit]
        rec.update(conditions_expected=list(item["conditions"]), condition_tp=len(hit),
                   condition_fn=len(want) - len(hit), condition_fp=len(extra), conditions_extra=extra,
                   conditions_missed=missed)
    rec["ok"] = not (rec["drug_fp"] or rec["drug_fn"] or rec["condition_fp"] or rec["condition_fn"])
    return rec


def run(parser: Any, eval_dir: Path | None = None) -> dict[str, Any]:
    """Measure ``parser`` (a QuestionParser) on the list. ``eval_dir`` is the shared
    eval folder (default: the settings' ``shared_dir``/eval)."""
    if eval_dir is None:
        from curbside.settings import Settings

        eval_dir = Settings.from_env().eval_dir
    items, skipped = load_items(eval_dir)
    t0 = time.perf_counter()
    records = [check(parser, item) for item in items]
    elapsed = (time.perf_counter() - t0) * 1000
    qs = [r for r in records if r["kind"] != "word"]
    ws = [r for r in records if r["kind"] == "word"]
    failures: list[dict[str, Any]] = [{"word": r["question"], "became": r["drugs_found"]}
                                      for r in ws if r["drugs_found"]]
    for r in qs:
        if r["ok"]:
            continue
        failure: dict[str, Any] = {"id": r["id"], "question": r["question"]}
        if r["drug_fp"] or r["drug_fn"]:
            failure.update(drugs_expected=r["drugs_expected"], drugs_found=r["drugs_found"])
        if r["condition_fp"] or r["condition_fn"]:
            failure.update(conditions_expected=r["conditions_expected"], conditions_found=r["conditions_found"])
        failures.append(failure)
    became = sum(1 for r in ws if r["drugs_found"])
    return {
        "questions": len(qs),
        "skipped": skipped,
        "drugs": _pr(*(sum(r[f"drug_{k}"] for r in qs) for k in ("tp", "fp", "fn"))),
        "conditions": _pr(*(sum(r[f"condition_{k}"] for r in qs) for k in ("tp", "fp", "fn"))),
        "words": {"checked": len(ws), "became_drugs": became,
                  "false_drug_rate": round(became / len(ws), 3) if ws else 0.0},
        "ms_per_item": round(elapsed / max(1, len(items)), 2),
        "failures": failures,
    }


# ---- as a set of `curbside eval` ------------------------------------------------------

DEFINITIONS = {
    "drug_precision": "Drug ingredients found that the row lists, among all found (questions only; a "
                      "combination counts as its ingredients, an expected brand is resolved first); target ≥ 0.95.",
    "drug_recall": "Drug ingredients the row lists that were found; target ≥ 0.95.",
    "condition_precision": "Conditions found that have an expected name among their names, among all found, on "
                           "the questions that list conditions; target ≥ 0.85.",
    "condition_recall": "Expected conditions found (a recognised concept has the name among its names); "
                        "reported, no target (the list annotates the conditions a reader finds, which is more "
                        "than the matcher's vocabulary holds).",
    "false_drug_rate": "Words (ordinary English or medical, or misspellings) read as a drug, among the words "
                       "checked; target ≤ 0.03.",
    "skipped": "Rows referring to a line of ../shared/eval that is missing (not measured).",
    "parse_ms": "Time to parse one row (question understanding only; no retrieval).",
}


def sample_items(items: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """With a limit, an even spread of ``limit`` questions and ``limit`` words (so a small
    sample measures both); every row without one."""
    from curbside.evaluation.sets import sample

    qs = [i for i in items if i["kind"] != "word"]
    ws = [i for i in items if i["kind"] == "word"]
    return sample(qs, limit) + sample(ws, limit)


def _ratio(num: int, den: int) -> float:
    return num / den if den else math.nan


def evaluate(parser: Any, items: list[dict[str, Any]], skipped: int = 0,
             progress: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """The set's result in the runner's shape (engine figures, targets, definitions,
    failures, items); ``items`` from :func:`load_items` (optionally :func:`sample_items`)."""
    from curbside.evaluation.common import target
    from curbside.evaluation.metrics import percentile

    records = []
    for item in items:
        records.append(check(parser, item))
        progress()
    qs = [r for r in records if r["kind"] != "word"]
    ws = [r for r in records if r["kind"] == "word"]
    cq = [r for r in qs if r["conditions_expected"] is not None]
    d = {k: sum(r[f"drug_{k}"] for r in qs) for k in ("tp", "fp", "fn")}
    c = {k: sum(r[f"condition_{k}"] for r in qs) for k in ("tp", "fp", "fn")}
    became = sum(1 for r in ws if r["drugs_found"])
    eng: dict[str, Any] = {
        "questions": len(qs),
        "skipped": skipped,
        "drug_precision": _ratio(d["tp"], d["tp"] + d["fp"]),
        "drug_recall": _ratio(d["tp"], d["tp"] + d["fn"]),
        "drugs_tp_fp_fn": f"{d['tp']} / {d['fp']} / {d['fn']}",
        "condition_questions": len(cq),
        "condition_precision": _ratio(c["tp"], c["tp"] + c["fp"]),
        "condition_recall": _ratio(c["tp"], c["tp"] + c["fn"]),
        "conditions_tp_fp_fn": f"{c['tp']} / {c['fp']} / {c['fn']}",
        "words": len(ws),
        "words_read_as_drugs": became,
        "false_drug_rate": _ratio(became, len(ws)),
        "parse_ms_p50": percentile([r["ms"] for r in records], 50),
        "parse_ms_p95": percentile([r["ms"] for r in records], 95),
        "by_type": {  # by source of the question (kqa, medicationqa, ours)
            src: {"questions": len(rs),
                  "drug_precision": _ratio(sum(r["drug_tp"] for r in rs),
                                           sum(r["drug_tp"] + r["drug_fp"] for r in rs)),
                  "drug_recall": _ratio(sum(r["drug_tp"] for r in rs), sum(r["drug_tp"] + r["drug_fn"] for r in rs)),
                  "all_right": sum(1 for r in rs if r["ok"]) / len(rs)}
            for src in sorted({r["id"].split(":", 1)[0] for r in qs})
            for rs in [[r for r in qs if r["id"].split(":", 1)[0] == src]]
        },
    }
    targets = [
        target("drug_precision", eng["drug_precision"], 0.95),
        target("drug_recall", eng["drug_recall"], 0.95),
        target("condition_precision", eng["condition_precision"], 0.85),
        target("false_drug_rate", eng["false_drug_rate"], 0.03, higher=False),
    ]
    return {"engine": eng, "baseline": {}, "targets": targets, "definitions": DEFINITIONS,
            "failures": [_failure(r) for r in records if not r["ok"]], "items": records}


def _failure(r: dict[str, Any]) -> dict[str, Any]:
    if r["kind"] == "word":
        return {"question": r["question"], "reasons": ["a word read as a drug"], "became": r["drugs_found"]}
    reasons = []
    missed = sorted(set(r["drugs_expected"]) - set(r["drugs_found"]))
    wrong = sorted(set(r["drugs_found"]) - set(r["drugs_expected"]))
    if missed:
        reasons.append("drug missed: " + ", ".join(missed))
    if wrong:
        reasons.append("drug wrongly found: " + ", ".join(wrong))
    if r["condition_fn"]:
        reasons.append("condition missed: " + ", ".join(r.get("conditions_missed", [])))
    if r["condition_fp"]:
        reasons.append("condition wrongly found: " + ", ".join(r.get("conditions_extra", [])))
    out = {"question": r["question"], "reasons": reasons, "id": r["id"],
           "drugs_expected": r["drugs_expected"], "drugs_found": r["drugs_found"]}
    if r["conditions_expected"] is not None:
        out.update(conditions_expected=r["conditions_expected"], conditions_found=r["conditions_found"])
    return out
