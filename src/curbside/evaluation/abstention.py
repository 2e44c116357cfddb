"""abstention.jsonl (ours, shipped in ``evaluation/data``): questions the engine must
not answer (made-up drug names in many question forms, non-medical questions) and
controls it must answer (real drugs, brands, misspellings, conditions, lay wording).

A question counts as abstained when the article abstains or the question is refused
with an error (both tell the user there is no answer); the failures list every
must-abstain question that was answered and every control that was not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from curbside.evaluation.common import ask, common_metrics, common_record, integrity_targets, target
from curbside.evaluation.metrics import share
from curbside.evaluation.sets import AbstentionItem

DEFINITIONS = {
    "abstained": "The article abstained, or the question was refused with an error.",
    "must_abstain_rate": "Abstained questions among the must-abstain ones (made-up drugs, non-medical); "
                         "target 1.",
    "false_abstention_rate": "Abstained questions among the controls (real medical questions); target 0.",
    "kind": "What the question tests, as family: form (\"made-up drug: dose\"); the per-type table groups "
            "by family (made-up drug, non-medical, real drug, brand, misspelling, condition, lay wording, "
            "research).",
}


def family(kind: str) -> str:
    return kind.split(":", 1)[0].strip()


def evaluate(engine: Any, items: list[AbstentionItem], progress: Callable[[], None] = lambda: None) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    for item in items:
        asked = ask(engine, item.question)
        rec = common_record(asked)
        art = asked.article
        rec.update(
            question=item.question, expect=item.expect, kind=item.kind,
            abstained_or_refused=not asked.answered,
            summary=" ".join(s.text for s in art.summary)[:300] if art is not None and not art.abstained else "",
        )
        rec["ok"] = rec["abstained_or_refused"] == item.must_abstain
        records.append(rec)
        progress()
    return _summarise(records)


def _summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    must = [r for r in records if r["expect"] == "abstain"]
    ctrl = [r for r in records if r["expect"] == "answer"]
    eng = common_metrics(records)
    eng.update(
        must_abstain_questions=len(must),
        must_abstain_rate=share(r["abstained_or_refused"] for r in must),
        control_questions=len(ctrl),
        false_abstention_rate=share(r["abstained_or_refused"] for r in ctrl),
        by_type={  # by family: the kind before its colon ("made-up drug: dose" -> "made-up drug")
            k: {"expect": rs[0]["expect"], "questions": len(rs),
                "abstained": share(r["abstained_or_refused"] for r in rs)}
            for k in sorted({family(r["kind"]) for r in records})
            for rs in [[r for r in records if family(r["kind"]) == k]]
        },
    )
    targets = [
        target("must_abstain_rate", eng["must_abstain_rate"], 1.0),
        target("false_abstention_rate", eng["false_abstention_rate"], 0.0, higher=False),
        *integrity_targets(eng),
    ]
    failures = [
        {
            "question": r["question"],
            "reasons": ["answered a must-abstain question" if r["expect"] == "abstain"
                        else "abstained on a real medical question"],
            "kind": r["kind"], "abstain_reason": r["abstain_reason"], "error": r["error"],
            "recognised_drugs": r["drugs"], "question_type": r["question_type"], "summary": r["summary"],
        }
        for r in records if not r["ok"]
    ]
    return {"engine": eng, "baseline": {}, "targets": targets, "definitions": DEFINITIONS,
            "failures": failures, "items": records}
