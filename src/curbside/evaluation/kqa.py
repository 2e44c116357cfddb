"""kqa.jsonl: real patient questions with physician-written must-have statements (K-QA).

A must-have is covered when ONE statement of the answer holds 60 % of its content words
(``coverage.py``). Reported next to the corpus ceiling (the share some corpus sentence
covers, ``ceiling.py``), the statements per answer (coverage must not be bought with
length) and a BM25 baseline held to the same number of sentences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from curbside.evaluation.common import ask, common_metrics, common_record, integrity_targets, target
from curbside.evaluation.coverage import match_all
from curbside.evaluation.metrics import percentile, share
from curbside.evaluation.sets import KqaItem

MAX_STATEMENTS = 12  # the budget: coverage at no more than this many statements

DEFINITIONS = {
    "content_words": "Lower-cased alphanumeric tokens of 2+ characters (digits kept), English stop words out, "
                     "Snowball English stems (evaluation/coverage.py).",
    "covered": "A must-have is covered when ONE statement of the answer (summary, sections, bottom line) "
               "holds at least 60% of its distinct content words.",
    "must_have_coverage": "Covered must-haves / all must-haves (abstained questions cover none).",
    "must_have_coverage_per_question": "The mean over questions of the share of its must-haves covered.",
    "must_have_corpus_ceiling": "Share of must-haves that some sentence anywhere in the corpus covers by the "
                                "same rule (every passage split and cleaned as the composer does; "
                                "evaluation/ceiling.py).",
    "must_have_coverage_to_ceiling": "must_have_coverage / must_have_corpus_ceiling; the issue's target is "
                                     "≥ 0.5 at ≤ 12 statements per answer.",
    "must_have_coverage_of_coverable": "Covered must-haves among those the corpus can cover.",
    "statements_per_answer": "Distinct statements of an answered question's article (a summary statement "
                             "that also heads its section counts once).",
    "baseline": f"The first {BASELINE_SENTENCES} sentences of the top BM25 passages, scored by the same rule.",
}


def evaluate(
    engine: Any, baseline: Bm25Baseline, items: list[KqaItem], index: SentenceIndex,
    progress: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    max_chars = engine.settings.max_sentence_chars
    records: list[dict[str, Any]] = []
    base_lat: list[float] = []
    for item in items:
        asked = ask(engine, item.question)
        rec = common_record(asked)
        answer = answer_statements(asked.article)
        base, ms = baseline_sentences(baseline, item.question, max_chars)
        base_lat.append(ms)
        refs = cover(item.must_have, answer, base, index, engine.store)
        nice = match_all(item.nice_to_have, [t for _, t in answer])
        art = asked.article
        rec.update(
            question=item.question,
            summary=" ".join(s.text for s in art.summary) if art is not None and not art.abstained else "",
            statement_count=len(answer),
            statements=[{"where": w, "text": t} for w, t in answer],
            must_have=refs,
            must_have_covered=sum(r["covered"] for r in refs),
            must_have_corpus_covered=sum(r["corpus_covered"] for r in refs),
            nice_to_have_covered=sum(m.covered for m in nice),
            nice_to_have=len(item.nice_to_have),
            baseline_covered=sum(r["baseline_covered"] for r in refs),
            reference_answer=item.reference_answer,
        )
        records.append(rec)
        progress()
    return _summarise(records, base_lat)


def _summarise(records: list[dict[str, Any]], base_lat: list[float]) -> dict[str, Any]:
    per_q = [r["must_have"] for r in records]
    eng = common_metrics(records)
    eng.update(figures(per_q, "must_have"))
    eng.update(length_figures([r["statement_count"] for r in records if r["answered"]]))
    n_nice = sum(r["nice_to_have"] for r in records)
    eng["nice_to_have_coverage"] = sum(r["nice_to_have_covered"] for r in records) / n_nice if n_nice else None
    eng["questions_with_a_must_have_covered"] = share(r["must_have_covered"] > 0 for r in records)
    base = baseline_figures(per_q, "must_have") | {
        "statements_per_answer_mean": float(BASELINE_SENTENCES),
        "latency_ms_p50": percentile(base_lat, 50), "latency_ms_p95": percentile(base_lat, 95),
    }
    targets = [
        target("must_have_coverage_to_ceiling", eng["must_have_coverage_to_ceiling"], 0.5),
        target("statements_per_answer_mean", eng["statements_per_answer_mean"], MAX_STATEMENTS, higher=False),
        *integrity_targets(eng),
    ]
    failures = [
        {
            "question": r["question"],
            "reasons": [x for x, bad in (
                ("abstained", r["abstained"]), ("error", bool(r["error"])),
                ("no must-have covered, the corpus covers some",
                 r["must_have_covered"] == 0 and r["must_have_corpus_covered"] > 0),
                (f"more than {MAX_STATEMENTS} statements", r["statement_count"] > MAX_STATEMENTS),
                ("citation integrity", bool(r.get("integrity", {}).get("failures"))),
            ) if bad],
            "abstain_reason": r["abstain_reason"], "error": r["error"],
            "covered": f"{r['must_have_covered']} of {len(r['must_have'])} "
                       f"(corpus {r['must_have_corpus_covered']}, baseline {r['baseline_covered']})",
            "statements": r["statement_count"], "summary": r["summary"][:300],
            "missed_but_in_corpus": [
                {"must_have": m["statement"], "corpus_sentence": (m["corpus_sentence"] or "")[:200]}
                for m in r["must_have"] if not m["covered"] and m["corpus_covered"]
            ][:3],
            "integrity_failures": r.get("integrity", {}).get("failures", [])[:3],
        }
        for r in records
    ]
    failures = [f for f in failures if f["reasons"]]
    return {"engine": eng, "baseline": base, "targets": targets, "definitions": DEFINITIONS,
            "failures": failures, "items": records}
