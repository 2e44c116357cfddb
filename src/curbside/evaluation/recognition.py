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
"""

from __future__ import annotations

import json
import time
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


def run(parser: Any, eval_dir: Path | None = None) -> dict[str, Any]:
    """Measure ``parser`` (a QuestionParser) on the list. ``eval_dir`` is the shared
    eval folder (default: the settings' ``shared_dir``/eval)."""
    if eval_dir is None:
        from curbside.settings import Settings

        eval_dir = Settings.from_env().eval_dir
    items, skipped = load_items(eval_dir)
    d = {"tp": 0, "fp": 0, "fn": 0}
    c = {"tp": 0, "fp": 0, "fn": 0}
    words = became = 0
    failures: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for item in items:
        pq = parser.parse(item["question"])
        found = _ingredients([m.generic for m in pq.drugs], parser.lexicon)
        expected = _ingredients(item["drugs"], parser.lexicon)
        if item["kind"] == "word":
            words += 1
            if found:
                became += 1
                failures.append({"word": item["question"], "became": sorted(found)})
            continue
        tp, fp, fn = len(found & expected), len(found - expected), len(expected - found)
        d["tp"] += tp
        d["fp"] += fp
        d["fn"] += fn
        failure: dict[str, Any] = {}
        if fp or fn:
            failure.update(drugs_expected=sorted(expected), drugs_found=sorted(found))
        if "conditions" in item:
            names = [
                {_singular(term_key(n)) for n in (*parser.conditions.synonyms(m.concept_id or ""), m.name)}
                for m in pq.conditions
            ]
            want = [_singular(term_key(n)) for n in item["conditions"]]
            hit = [w for w in want if any(w in ns for ns in names)]
            extra = [m.name for m, ns in zip(pq.conditions, names) if not any(w in ns for w in want)]
            c["tp"] += len(hit)
            c["fn"] += len(want) - len(hit)
            c["fp"] += len(extra)
            if len(hit) < len(want) or extra:
                failure.update(conditions_expected=item["conditions"],
                               conditions_found=[m.name for m in pq.conditions])
        if failure:
            failures.append({"id": item.get("source", "") + (f":{item['line']}" if "line" in item else ""),
                             "question": item["question"], **failure})
    elapsed = (time.perf_counter() - t0) * 1000
    return {
        "questions": len(items) - words,
        "skipped": skipped,
        "drugs": _pr(d["tp"], d["fp"], d["fn"]),
        "conditions": _pr(c["tp"], c["fp"], c["fn"]),
        "words": {"checked": words, "became_drugs": became,
                  "false_drug_rate": round(became / words, 3) if words else 0.0},
        "ms_per_item": round(elapsed / max(1, len(items)), 2),
        "failures": failures,
    }
