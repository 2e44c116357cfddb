"""bioasq.jsonl: retrieval of the gold PubMed documents, citing them, and yes/no agreement.

Rankings are of distinct PubMed ids in the order their first passage was retrieved
(passages of other sources are skipped; a passage's copies under other PubMed ids, which
the index holds once, count as retrieved with it, and as cited with it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from curbside.composition.references import MAX_ALSO_IN
from curbside.evaluation.baseline import Bm25Baseline, pmids
from curbside.evaluation.common import ask, common_metrics, common_record, integrity_targets, target
from curbside.evaluation.metrics import dedupe, mean, percentile, recall_at_k, reciprocal_rank, share
from curbside.evaluation.sets import BioasqItem
from curbside.types import Article, Audience, SourceType

K = 10
RETRIEVE_K = 40  # passages the engine's retriever returns (its default) and the baseline takes

_NEGATION = re.compile(
    r"\b(?:no|not|none|neither|nor|never|cannot|can't|won't|isn't|aren't|doesn't|didn't|failed to|"
    r"fails to|unable to|lack(?:s|ed)? of|absence of|unlikely|no longer)\b",
    re.I,
)

DEFINITIONS = {
    "retrieval": "The engine's retrieval is its Retriever (the one Engine.ask uses) run on the parsed "
                 "question; pmids are taken from doc ids 'pmid:<id>' in rank order, repeats dropped.",
    "recall_at_10": "Share of a question's gold pmids among the first 10 distinct retrieved pmids, "
                    "averaged over questions ('_in_corpus': only gold pmids present in the corpus count).",
    "recall_at_10_ceiling": "Perfect-ranking recall@10: per question min(10, |gold pmids in the corpus|) / "
                            "|gold pmids|, the most any ranking of the corpus could reach (0 for a question "
                            "with no gold pmids); averaged over questions.",
    "recall_at_10_to_ceiling": "recall_at_10 / recall_at_10_ceiling as a RATIO OF MEANS (mean recall@10 over "
                               "questions divided by the mean ceiling over the same questions), not a mean of "
                               "per-question ratios; the baseline's uses the same ceiling.",
    "mrr": "Mean over questions of 1/rank of the first gold pmid among distinct retrieved pmids (0 if none).",
    "cites_gold": "Share of questions whose article cites at least one gold pmid.",
    "yesno_agreement": "HEURISTIC: for yes/no questions, the answer is read as 'no' when its first "
                       "summary statement contains a negation cue (no, not, never, failed to, lack of, "
                       "...), else 'yes'; agreement with the gold exact answer over all yes/no questions "
                       "(unanswered counts as disagreement). 'always_yes' shows the majority-class rate.",
    "baseline": "Plain BM25 over all passages (and, separately, over research abstracts only) for the "
                "question's content words; no drug filter, no question understanding.",
}


def perfect_recall_at_k(gold: list[str], corpus_pmids: set[str], k: int = K) -> float:
    """The recall@k of a perfect ranking: min(k, |gold in the corpus|) / |gold| (0 when no gold)."""
    g = set(gold)
    return min(k, len(g & corpus_pmids)) / len(g) if g else 0.0


def _ratio(num: float, den: float) -> float:
    return num / den if den == den and num == num and den else float("nan")


def _retrieve(engine: Any, question: str) -> list[str]:
    """The pmids the engine's retriever ranks for the question, best first. A passage
    stands for its copies (the same record under other PubMed ids, which the index
    holds once: store/sqlite.py), so their ids follow its own."""
    ranked = engine.retrieve(question, Audience.PHYSICIAN, k=RETRIEVE_K).ranked()
    copies = engine.store.copies_of([p.passage_id for p in ranked], MAX_ALSO_IN)
    out: list[str] = []
    for p in ranked:
        out.extend(pmids([p]))
        out.extend(_pmid(o.doc_id) for o in copies.get(p.passage_id, (0, ()))[1] if o.doc_id.startswith("pmid:"))
    return out


def _pmid(doc_id: str) -> str:
    return doc_id.split(":", 1)[1]


def yes_no(text: str) -> str | None:
    if not text.strip():
        return None
    return "no" if _NEGATION.search(text) else "yes"


def _summary_text(article: Article | None) -> str:
    if article is None or article.abstained:
        return ""
    if article.summary:
        return article.summary[0].text
    for sec in article.sections:
        if sec.statements:
            return sec.statements[0].text
    return ""


def evaluate(
    engine: Any, baseline: Bm25Baseline, corpus_pmids: set[str], items: list[BioasqItem],
    progress: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    base_lat: list[float] = []
    for item in items:
        asked = ask(engine, item.question)
        rec = common_record(asked)
        gold = list(item.gold_pmids)
        gold_in = [p for p in gold if p in corpus_pmids]
        try:
            ranked = dedupe(_retrieve(engine, item.question))
        except Exception as e:  # noqa: BLE001 - recorded; the clean_question refusals land here
            ranked, rec["retrieve_error"] = [], f"{type(e).__name__}: {e}"
        b_all = baseline.search(item.question, RETRIEVE_K)
        b_res = baseline.search(item.question, RETRIEVE_K, sources=(SourceType.RESEARCH.value,))
        base_lat.append(b_all.latency_ms)
        b_ranked = dedupe(pmids(b_all.passages))
        r_ranked = dedupe(pmids(b_res.passages))
        cited = {_pmid(d) for r in asked.article.references for d in (r.doc_id, *(o.doc_id for o in r.also_in))
                 if d.startswith("pmid:")} if asked.article else set()
        answer = _summary_text(asked.article)
        rec.update(
            id=item.qid, type=item.qtype, question=item.question, gold_pmids=gold, gold_in_corpus=len(gold_in),
            retrieved_top10=ranked[:K],
            recall10=recall_at_k(ranked, gold, K), recall10_in_corpus=recall_at_k(ranked, gold_in,
                                                                                  K) if gold_in else None,
            recall10_ceiling=perfect_recall_at_k(gold, corpus_pmids, K),
            rr=reciprocal_rank(ranked, gold), cites_gold=bool(cited & set(gold)),
            baseline_recall10=recall_at_k(b_ranked, gold, K),
            baseline_recall10_in_corpus=recall_at_k(b_ranked, gold_in, K) if gold_in else None,
            baseline_rr=reciprocal_rank(b_ranked, gold),
            baseline_research_recall10=recall_at_k(r_ranked, gold, K),
            baseline_research_recall10_in_corpus=recall_at_k(r_ranked, gold_in, K) if gold_in else None,
            baseline_research_rr=reciprocal_rank(r_ranked, gold),
            answer=answer[:400],
        )
        if item.qtype == "yesno":
            gold_yn = str(item.exact_answer).strip().lower()
            rec["gold_yesno"] = gold_yn
            rec["answer_yesno"] = yes_no(answer)
            top = b_all.passages[0].text[:600] if b_all.passages else ""
            rec["baseline_yesno"] = yes_no(top)
        records.append(rec)
        progress()
    return _summarise(records, base_lat)


def _mean_of(records: list[dict[str, Any]], key: str) -> float:
    return mean(r[key] for r in records if r.get(key) is not None)


def _summarise(records: list[dict[str, Any]], base_lat: list[float]) -> dict[str, Any]:
    yn = [r for r in records if "gold_yesno" in r]
    eng = common_metrics(records)
    eng.update(
        recall_at_10=_mean_of(records, "recall10"),
        recall_at_10_in_corpus=_mean_of(records, "recall10_in_corpus"),
        recall_at_10_ceiling=_mean_of(records, "recall10_ceiling"),
        mrr=_mean_of(records, "rr"),
        cites_gold=share(r["cites_gold"] for r in records),
        yesno_questions=len(yn),
        yesno_agreement=share(r["answer_yesno"] == r["gold_yesno"] for r in yn),
        yesno_always_yes=share(r["gold_yesno"] == "yes" for r in yn),
    )
    eng["recall_at_10_to_ceiling"] = _ratio(eng["recall_at_10"], eng["recall_at_10_ceiling"])
    by_type: dict[str, dict[str, float]] = {}
    for t in sorted({r["type"] for r in records}):
        rs = [r for r in records if r["type"] == t]
        by_type[t] = {"questions": len(rs), "recall_at_10": _mean_of(rs, "recall10"), "mrr": _mean_of(rs, "rr"),
                      "baseline_recall_at_10": _mean_of(rs, "baseline_recall10")}
    eng["by_type"] = by_type
    base = {
        "recall_at_10": _mean_of(records, "baseline_recall10"),
        "recall_at_10_in_corpus": _mean_of(records, "baseline_recall10_in_corpus"),
        "recall_at_10_to_ceiling": _ratio(_mean_of(records, "baseline_recall10"), eng["recall_at_10_ceiling"]),
        "mrr": _mean_of(records, "baseline_rr"),
        "research_only_recall_at_10": _mean_of(records, "baseline_research_recall10"),
        "research_only_recall_at_10_in_corpus": _mean_of(records, "baseline_research_recall10_in_corpus"),
        "research_only_mrr": _mean_of(records, "baseline_research_rr"),
        "yesno_agreement": share(r["baseline_yesno"] == r["gold_yesno"] for r in yn),
        "latency_ms_p50": percentile(base_lat, 50),
        "latency_ms_p95": percentile(base_lat, 95),
    }
    targets = [
        target("recall_at_10", eng["recall_at_10"], 0.85),
        target("recall_at_10_in_corpus", eng["recall_at_10_in_corpus"], 0.85),
        *integrity_targets(eng),
    ]
    failures = [
        {
            "id": r["id"], "type": r["type"], "question": r["question"], "recall10": r["recall10"],
            "baseline_recall10": r["baseline_recall10"], "gold_pmids": r["gold_pmids"][:12],
            "retrieved_top10": r["retrieved_top10"], "recognised_drugs": r["drugs"],
            "answered": r["answered"], "abstain_reason": r["abstain_reason"], "answer": r["answer"],
            "gold_yesno": r.get("gold_yesno"), "answer_yesno": r.get("answer_yesno"),
            "integrity_failures": r.get("integrity", {}).get("failures", [])[:3],
        }
        for r in sorted(records, key=lambda r: (r["recall10"] - r["baseline_recall10"], r["recall10"]))
        if r["recall10"] < 0.5 or r.get("integrity", {}).get("failures") or not r["answered"]
    ]
    return {"engine": eng, "baseline": base, "targets": targets, "definitions": DEFINITIONS,
            "failures": failures, "items": records}
