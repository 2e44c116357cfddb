"""indications.jsonl: does the article state each gold indication of the drug?

- Stated by the engine: the gold indication matches (``matching.py``) a statement of the
  article's summary or of its section keyed ``indications``.
- Corpus-supported: the gold indication matches the indications section of one of the
  drug's labels in the store, or a guideline sentence that names the drug.
- Baseline: the gold indication matches one of the top 5 BM25 passages of the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from curbside.composition.sentences import split_sentences
from curbside.evaluation.baseline import Bm25Baseline
from curbside.evaluation.common import ask, common_metrics, common_record, integrity_targets, target
from curbside.evaluation.matching import IndicationMatcher
from curbside.evaluation.metrics import percentile, ratio, share
from curbside.evaluation.sets import IndicationItem
from curbside.types import Article, SourceType
from curbside.understanding.normalize import drug_key

ANSWER_SECTION_KEYS = ("indications",)
BASELINE_K = 5
GUIDELINE_K = 20
GUIDELINE_MAX_CHARS = 350  # longer "sentences" are flattened tables naming many drugs and diseases
# a guideline sentence with these cues names the drug and a disease but not as a use
_NOT_A_USE = re.compile(
    r"\b(?:avoid\w*|contraindicat\w*|not recommended|should not|do not|caution\w*|risks? of|adverse|"
    r"toxicit\w*|interact\w*|induced|withdraw\w*)\b",
    re.I,
)
RESOURCES = ("PharmacotherapyDB", "MEDI-HPS")
PRIMARY = "PharmacotherapyDB"

DEFINITIONS = {
    "stated": "A gold indication is stated when it matches a statement of the article's summary or of "
              "its section keyed 'indications' (same Disease Ontology/MeSH concept, a descendant up to "
              "4 levels down, or the direct parent; ICD-worded MEDI-HPS terms that are not vocabulary "
              "terms may also match by all their words within one clause).",
    "corpus_supported": "A gold indication is corpus-supported when the same matcher finds it in the "
                        "indications section of one of the drug's labels in the store, or in a guideline "
                        "sentence (at most 350 characters, without cues such as 'avoid', 'contraindicated', "
                        "'risk of', 'adverse') that names the drug, among the top 20 guideline passages for "
                        "the drug name.",
    "answered": "The engine returned an article and did not abstain.",
    "covered": "The store holds at least one passage indexed under the drug's key.",
    "baseline": "Plain BM25 over all passages for the question's content words (no drug filter, no "
                "question understanding); its 'answer' is the text of its top 5 passages.",
}


def _answer_texts(article: Article | None) -> list[str]:
    if article is None or article.abstained:
        return []
    texts = [s.text for s in article.summary]
    for sec in article.sections:
        if sec.key in ANSWER_SECTION_KEYS:
            texts.extend(s.text for s in sec.statements)
    return list(dict.fromkeys(texts))  # the summary repeats the first statement


def _support_texts(engine: Any, baseline: Bm25Baseline, drug: str) -> tuple[list[str], list[str], bool]:
    """(label indication passages, guideline sentences naming the drug, drug covered)."""
    rowids = engine.store.rowids_for_drug(drug_key(drug))
    ps = engine.store.passages(rowids) if rowids else []
    labels = [p.text for p in ps if p.source_type is SourceType.DRUG_LABEL and p.section_code == "indications"]
    name = re.compile(r"\b" + re.escape(drug) + r"\b", re.I)
    guide = baseline.search(drug, GUIDELINE_K, sources=(SourceType.GUIDELINE.value,)).passages
    sentences = [
        s for p in guide for s in split_sentences(p.text)
        if len(s) <= GUIDELINE_MAX_CHARS and name.search(s) and not _NOT_A_USE.search(s)
    ]
    return labels, sentences, bool(rowids)


def evaluate(
    engine: Any, baseline: Bm25Baseline, matcher: IndicationMatcher, items: list[IndicationItem],
    progress: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    base_lat: list[float] = []
    for item in items:
        asked = ask(engine, item.question)
        rec = common_record(asked)
        rec.update(drug=item.drug, question=item.question)
        answer = _answer_texts(asked.article)
        labels, guide, covered = _support_texts(engine, baseline, item.drug)
        b = baseline.search(item.question, BASELINE_K)
        base_lat.append(b.latency_ms)
        btexts = [p.text for p in b.passages]
        key = drug_key(item.drug)
        rec["covered"] = covered
        rec["drug_recognized"] = any(_same_drug(item.drug, key, g) for g in rec["drugs"])
        rec["has_indications_section"] = any(k in ANSWER_SECTION_KEYS for k in rec["section_keys"])
        rec["indication_statements"] = answer[:6]
        rec["gold"] = {}
        for resource in RESOURCES:
            rows = []
            for g in item.gold.get(resource, ()):
                term = matcher.resolve(g)
                m_eng = matcher.match(term, answer)
                m_label = matcher.match(term, labels)
                m_sup = m_label or matcher.match(term, guide)
                m_base = matcher.match(term, btexts)
                rows.append({
                    "gold": g, "resolved_by": term.resolved_by,
                    "concepts": sorted(matcher.vocab.name(n) for n in term.nodes)[:4],
                    "stated": m_eng is not None, "stated_how": m_eng.how if m_eng else None,
                    "stated_by": m_eng.mention if m_eng else None,
                    "supported": m_sup is not None,
                    "support_source": None if m_sup is None else ("label" if m_label else "guideline"),
                    "support_text": m_sup.text if m_sup else None,
                    "baseline_stated": m_base is not None,
                })
            if rows:
                rec["gold"][resource] = rows
        records.append(rec)
        progress()
    return _summarise(records, base_lat)


def _same_drug(asked: str, key: str, generic: str) -> bool:
    """The recognised generic is the asked drug (salt, species or combination wording aside)."""
    a, g = asked.lower(), generic.lower()
    return drug_key(g) == key or a in g or g in a


def _recall(records: list[dict[str, Any]], resource: str, field: str, supported_only: bool) -> float:
    rows = [g for r in records for g in r["gold"].get(resource, ()) if g["supported"] or not supported_only]
    return ratio(sum(1 for g in rows if g[field]), len(rows))


def _summarise(records: list[dict[str, Any]], base_lat: list[float]) -> dict[str, Any]:
    covered = [r for r in records if r["covered"]]
    eng = common_metrics(records)
    eng.update(
        drugs=len(records),
        drugs_covered=len(covered),
        answered_rate_covered=share(r["answered"] for r in covered),
        indications_section_rate=share(r["has_indications_section"] for r in records),
        drug_recognized_rate=share(r["drug_recognized"] for r in records),
    )
    base: dict[str, Any] = {"latency_ms_p50": percentile(base_lat, 50), "latency_ms_p95": percentile(base_lat, 95)}
    for res in RESOURCES:
        tag = "pharmacotherapydb" if res == PRIMARY else "medi_hps"
        golds = [g for r in records for g in r["gold"].get(res, ())]
        eng[f"{tag}_gold"] = len(golds)
        eng[f"{tag}_gold_supported"] = sum(1 for g in golds if g["supported"])
        eng[f"{tag}_recall_all"] = _recall(records, res, "stated", False)
        eng[f"{tag}_recall_supported"] = _recall(records, res, "stated", True)
        label = [g for g in golds if g["support_source"] == "label"]
        eng[f"{tag}_gold_label_supported"] = len(label)
        eng[f"{tag}_recall_label_supported"] = ratio(sum(1 for g in label if g["stated"]), len(label))
        eng[f"{tag}_drugs_all_supported_stated"] = share(
            all(g["stated"] for g in r["gold"][res] if g["supported"]) for r in records if res in r["gold"]
        )
        base[f"{tag}_recall_all"] = _recall(records, res, "baseline_stated", False)
        base[f"{tag}_recall_supported"] = _recall(records, res, "baseline_stated", True)
        base[f"{tag}_recall_label_supported"] = ratio(sum(1 for g in label if g["baseline_stated"]), len(label))
    targets = [
        target("pharmacotherapydb_recall_supported", eng["pharmacotherapydb_recall_supported"], 0.90),
        target("answered_rate_covered", eng["answered_rate_covered"], 0.95),
        *integrity_targets(eng),
    ]
    failures = [_failure(r) for r in records if _failed(r)]
    return {"engine": eng, "baseline": base, "targets": targets, "definitions": DEFINITIONS,
            "failures": failures, "items": records}


def _failed(r: dict[str, Any]) -> bool:
    missed = any(g["supported"] and not g["stated"] for rows in r["gold"].values() for g in rows)
    bad_integrity = "integrity" in r and r["integrity"]["failures"]
    return bool(not r["answered"] or not r["drug_recognized"] or missed or bad_integrity)


def _failure(r: dict[str, Any]) -> dict[str, Any]:
    reasons = []
    if r["error"]:
        reasons.append("error")
    elif not r["answered"]:
        reasons.append("abstained")
    if not r["drug_recognized"]:
        reasons.append("drug not recognised")
    if r["answered"] and not r["has_indications_section"]:
        reasons.append("no indications section")
    missed = [
        {"resource": res, "gold": g["gold"], "support_source": g["support_source"], "support_text": g["support_text"]}
        for res, rows in r["gold"].items() for g in rows if g["supported"] and not g["stated"]
    ]
    if missed:
        reasons.append("missed corpus-supported indication")
    if r.get("integrity", {}).get("failures"):
        reasons.append("citation integrity")
    return {
        "question": r["question"], "drug": r["drug"], "reasons": reasons, "recognised_drugs": r["drugs"],
        "abstain_reason": r["abstain_reason"], "error": r["error"], "section_keys": r["section_keys"],
        "indication_statements": r["indication_statements"], "missed": missed,
        "integrity_failures": r.get("integrity", {}).get("failures", [])[:3],
    }

