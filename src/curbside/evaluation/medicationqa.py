"""medicationqa.jsonl: consumer medication questions. Answered rate, whether the article's
sections fit the question type, ROUGE-L F1 against the reference answer, and coverage of
the reference's first sentences by the K-QA rule (``coverage.py``) next to its corpus
ceiling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from curbside.composition.sentences import split_sentences
from curbside.evaluation.answer_coverage import (
    BASELINE_SENTENCES,
    answer_statements,
    baseline_figures,
    baseline_sentences,
    cover,
    figures,
    length_figures,
)
from curbside.evaluation.baseline import Bm25Baseline
from curbside.evaluation.ceiling import SentenceIndex
from curbside.evaluation.common import ask, common_metrics, common_record, integrity_targets
from curbside.evaluation.coverage import content_stems
from curbside.evaluation.metrics import mean, percentile, rouge_l, share
from curbside.evaluation.sets import MedicationQAItem
from curbside.types import Article, QuestionType

REFERENCE_SENTENCES = 6  # the reference answer's first sentences that an answer should cover

# MedicationQA question_type -> (our question type, article section keys that answer it).
# Types with no counterpart (appearance, storage, ingredients, manufacturer, ...) map to
# None and are left out of the section-match figures.
_Q = QuestionType
TYPE_MAP: dict[str, tuple[QuestionType, tuple[str, ...]]] = {
    "Indication": (_Q.INDICATION, ("indications",)),
    "Information": (_Q.GENERAL, ("indications", "mechanism")),
    "Action": (_Q.MECHANISM, ("mechanism",)),
    "Action/time": (_Q.MECHANISM, ("mechanism",)),
    "Action/effectiveness": (_Q.MECHANISM, ("mechanism", "indications")),
    "Dose": (_Q.DOSING, ("dosing",)),
    "Dose/Potency": (_Q.DOSING, ("dosing",)),
    "Dose/time": (_Q.DOSING, ("dosing",)),
    "Usage": (_Q.DOSING, ("dosing",)),
    "Usage/time": (_Q.DOSING, ("dosing",)),
    "Usage/duration": (_Q.DOSING, ("dosing",)),
    "Time/duration": (_Q.DOSING, ("dosing",)),
    "Side effects": (_Q.ADVERSE_EFFECTS, ("adverse_effects", "safety")),
    "Side effects/time": (_Q.ADVERSE_EFFECTS, ("adverse_effects", "safety")),
    "Stopping/side effects": (_Q.ADVERSE_EFFECTS, ("adverse_effects", "safety")),
    "Stopping/tapering": (_Q.DOSING, ("safety", "dosing")),
    "Interaction": (_Q.INTERACTIONS, ("interactions",)),
    "Contraindication": (_Q.CONTRAINDICATIONS, ("contraindications",)),
    "Overdose": (_Q.OVERDOSE, ("overdose",)),
    "Appearance": (_Q.PRODUCT, ("supplied",)),
    "Ingredient": (_Q.PRODUCT, ("ingredients",)),
    "Storage and disposal": (_Q.PRODUCT, ("supplied",)),
}

DEFINITIONS = {
    "answered": "The engine returned an article and did not abstain.",
    "type_mapping": "MedicationQA question_type is mapped to our question type and the section keys that "
                    "answer it (see TYPE_MAP in evaluation/medicationqa.py); unmapped types (alternatives, "
                    "availability, ...) are left out of the section figures.",
    "qtype_match": "The parsed question type equals the mapped type (Stopping/tapering accepts "
                   "dosing or adverse effects; Information accepts any).",
    "first_section_match": "The article's first section is one of the mapped section keys.",
    "section_present": "Some section of the article is one of the mapped section keys.",
    "rouge_l": "ROUGE-L F1 over lower-cased alphanumeric tokens between the reference answer and the "
               "article's answer text (summary + statements of its first section); unanswered "
               "questions score 0. Baseline: the top BM25 passage's text.",
    "reference_coverage": f"The reference answer's first {REFERENCE_SENTENCES} sentences (composition's "
                          "splitter; sentences without content words dropped) are covered when ONE statement "
                          "of the answer holds 60% of their content words, as in kqa; share over all of them. "
                          f"Baseline: the first {BASELINE_SENTENCES} sentences of the top BM25 passages.",
    "reference_corpus_ceiling": "Share of those reference sentences that some corpus sentence covers by the "
                                "same rule.",
}


def reference_sentences(reference: str) -> list[str]:
    """The reference answer's first sentences that state something (have content words)."""
    return [s for s in split_sentences(reference)[:REFERENCE_SENTENCES] if content_stems(s)]


def answer_text(article: Article | None) -> str:
    if article is None or article.abstained:
        return ""
    parts = [s.text for s in article.summary]
    if article.sections:
        parts += [s.text for s in article.sections[0].statements if s.text not in parts]
    return " ".join(parts)


def _qtype_ok(item_type: str, parsed: str | None) -> bool | None:
    mapped = TYPE_MAP.get(item_type)
    if mapped is None:
        return None
    if item_type == "Information":
        return True
    ok = {mapped[0].value}
    if item_type == "Stopping/tapering":
        ok |= {_Q.ADVERSE_EFFECTS.value}
    return parsed in ok


def evaluate(
    engine: Any, baseline: Bm25Baseline, items: list[MedicationQAItem], index: SentenceIndex,
    progress: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    base_lat: list[float] = []
    for item in items:
        asked = ask(engine, item.question)
        rec = common_record(asked)
        answer = answer_statements(asked.article)
        base_sents, _ = baseline_sentences(baseline, item.question, engine.settings.max_sentence_chars)
        refs = cover(reference_sentences(item.reference_answer), answer, base_sents, index, engine.store)
        text = answer_text(asked.article)
        b = baseline.search(item.question, 1)
        base_lat.append(b.latency_ms)
        btext = b.passages[0].text if b.passages else ""
        mapped = TYPE_MAP.get(item.question_type)
        keys = rec["section_keys"]
        rec.update(
            question=item.question, focus_drug=item.focus_drug, gold_type=item.question_type,
            mapped_type=mapped[0].value if mapped else None,
            qtype_match=_qtype_ok(item.question_type, rec["question_type"]),
            first_section_match=(bool(keys) and keys[0] in mapped[1]) if mapped else None,
            section_present=any(k in mapped[1] for k in keys) if mapped else None,
            rouge_l=rouge_l(text, item.reference_answer) if text else 0.0,
            baseline_rouge_l=rouge_l(btext, item.reference_answer) if btext else 0.0,
            answer=text[:500], reference=item.reference_answer[:500],
            statement_count=len(answer), reference_sentences=refs,
            reference_covered=sum(r["covered"] for r in refs),
        )
        records.append(rec)
        progress()
    return _summarise(records, base_lat)


def _summarise(records: list[dict[str, Any]], base_lat: list[float]) -> dict[str, Any]:
    mapped = [r for r in records if r["mapped_type"] is not None]
    eng = common_metrics(records)
    eng.update(
        mapped_questions=len(mapped),
        qtype_match=share(r["qtype_match"] for r in mapped),
        first_section_match=share(r["first_section_match"] for r in mapped),
        section_present=share(r["section_present"] for r in mapped),
        rouge_l=mean(r["rouge_l"] for r in records),
        rouge_l_answered=mean(r["rouge_l"] for r in records if r["answered"]),
        drug_recognised_rate=share(bool(r["drugs"]) for r in records),
    )
    per_q = [r["reference_sentences"] for r in records]
    eng.update(figures(per_q, "reference"))
    eng.update(length_figures([r["statement_count"] for r in records if r["answered"]]))
    by_type: dict[str, dict[str, Any]] = {}
    for t in sorted({r["gold_type"] for r in records}):
        rs = [r for r in records if r["gold_type"] == t]
        by_type[t] = {
            "questions": len(rs), "answered_rate": share(r["answered"] for r in rs),
            "first_section_match": share(bool(r["first_section_match"]) for r in rs) if rs[0]["mapped_type"] else None,
            "rouge_l": mean(r["rouge_l"] for r in rs), "baseline_rouge_l": mean(r["baseline_rouge_l"] for r in rs),
            "reference_coverage": share(x["covered"] for r in rs for x in r["reference_sentences"]),
            "reference_corpus_ceiling": share(x["corpus_covered"] for r in rs for x in r["reference_sentences"]),
        }
    eng["by_type"] = by_type
    base = baseline_figures(per_q, "reference") | {
        "rouge_l": mean(r["baseline_rouge_l"] for r in records),
        "latency_ms_p50": percentile(base_lat, 50),
        "latency_ms_p95": percentile(base_lat, 95),
    }
    failures = [
        {
            "question": r["question"], "focus_drug": r["focus_drug"], "gold_type": r["gold_type"],
            "parsed_type": r["question_type"], "recognised_drugs": r["drugs"], "answered": r["answered"],
            "abstain_reason": r["abstain_reason"], "error": r["error"], "section_keys": r["section_keys"],
            "rouge_l": round(r["rouge_l"], 3), "baseline_rouge_l": round(r["baseline_rouge_l"], 3),
            "reference_covered": f"{r['reference_covered']} of {len(r['reference_sentences'])}",
            "answer": r["answer"][:300], "reference": r["reference"][:300],
            "integrity_failures": r.get("integrity", {}).get("failures", [])[:3],
        }
        for r in records
        if not r["answered"] or r["first_section_match"] is False or r.get("integrity", {}).get("failures")
    ]
    return {"engine": eng, "baseline": base, "targets": integrity_targets(eng), "definitions": DEFINITIONS,
            "failures": failures, "items": records}
