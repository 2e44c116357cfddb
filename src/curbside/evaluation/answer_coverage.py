"""Reference statements against an answer, the BM25 baseline and the corpus ceiling,
with the one rule of ``coverage.py``; shared by the K-QA and MedicationQA evaluators.

    refs = cover(["Escitalopram is an SSRI"], answer_statements(article), base_sents, index, store)
    figures(per_question_refs, answered_statement_counts)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from curbside.evaluation.baseline import Bm25Baseline
from curbside.evaluation.ceiling import SentenceIndex, corpus_sentences
from curbside.evaluation.common import statements
from curbside.evaluation.coverage import match_all
from curbside.evaluation.metrics import mean, percentile, ratio, share
from curbside.types import Article

BASELINE_SENTENCES = 12  # the baseline's answer: this many sentences of the top BM25 passages
BASELINE_PASSAGES = 5


def answer_statements(article: Article | None) -> list[tuple[str, str]]:
    """(where, text) of an answer's distinct statements (summary, sections, bottom line;
    a statement repeated in two places counts once, where it first appears)."""
    if article is None or article.abstained:
        return []
    seen: dict[str, str] = {}
    for where, st in statements(article):
        seen.setdefault(st.text, where)
    return [(w, t) for t, w in seen.items()]


def baseline_sentences(baseline: Bm25Baseline, question: str, max_chars: int) -> tuple[list[str], float]:
    """The first ``BASELINE_SENTENCES`` distinct sentences of the top BM25 passages (the
    same statement budget the engine is held to), and the search time in ms."""
    res = baseline.search(question, BASELINE_PASSAGES)
    out: list[str] = []
    for p in res.passages:
        for _, s in corpus_sentences(p.text, max_chars):
            if s not in out:
                out.append(s)
    return out[:BASELINE_SENTENCES], res.latency_ms


def cover(references: Sequence[str], answer: Sequence[tuple[str, str]], base: Sequence[str],
          index: SentenceIndex, store: Any) -> list[dict[str, Any]]:
    """One record per reference statement: covered by the answer (by which statement),
    by the baseline, by some corpus sentence (and which)."""
    texts = [t for _, t in answer]
    eng = match_all(references, texts)
    bas = match_all(references, base)
    out = []
    for ref, e, b in zip(references, eng, bas):
        hit = index.best(ref)
        out.append({
            "statement": ref, "content_words": e.words,
            "covered": e.covered, "shared": e.shared,
            "by": ({"where": answer[e.best][0], "text": texts[e.best]} if e.covered and e.best is not None else None),
            "best_share": round(e.share, 3),
            "baseline_covered": b.covered,
            "corpus_covered": hit.covered,
            "corpus_sentence": index.sentence_text(store, hit.sentence) if hit.covered else None,
        })
    return out


def figures(refs_per_question: Sequence[Sequence[dict[str, Any]]], prefix: str) -> dict[str, Any]:
    """Coverage figures, named ``<prefix>_...``: over all statements, per question, the
    corpus ceiling, their ratio and the coverage of the statements the corpus can cover."""
    allr = [r for rs in refs_per_question for r in rs]
    cov = share(r["covered"] for r in allr)
    ceil = share(r["corpus_covered"] for r in allr)
    return {
        f"{prefix}_statements": len(allr),
        f"{prefix}_coverage": cov,
        f"{prefix}_coverage_per_question": mean(share(r["covered"] for r in rs) for rs in refs_per_question if rs),
        f"{prefix}_corpus_ceiling": ceil,
        f"{prefix}_coverage_to_ceiling": cov / ceil if ceil == ceil and ceil else float("nan"),
        f"{prefix}_coverage_of_coverable": ratio(sum(1 for r in allr if r["covered"] and r["corpus_covered"]),
                                                 sum(1 for r in allr if r["corpus_covered"])),
    }


def baseline_figures(refs_per_question: Sequence[Sequence[dict[str, Any]]], prefix: str) -> dict[str, Any]:
    allr = [r for rs in refs_per_question for r in rs]
    cov = share(r["baseline_covered"] for r in allr)
    ceil = share(r["corpus_covered"] for r in allr)
    return {
        f"{prefix}_coverage": cov,
        f"{prefix}_coverage_per_question": mean(
            share(r["baseline_covered"] for r in rs) for rs in refs_per_question if rs),
        f"{prefix}_coverage_to_ceiling": cov / ceil if ceil == ceil and ceil else float("nan"),
    }


def length_figures(counts: Sequence[int]) -> dict[str, Any]:
    """Distinct statements per answered question: mean, p90, max."""
    return {
        "statements_per_answer_mean": mean(counts),
        "statements_per_answer_p90": percentile(counts, 90),
        "statements_per_answer_max": max(counts) if counts else None,
    }
