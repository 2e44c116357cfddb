"""What every set measures: asking the engine (timed, errors kept), citation integrity,
abstention and latency."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from curbside.composition.verify import verify
from curbside.errors import CurbsideError
from curbside.evaluation.metrics import percentile, ratio, share
from curbside.types import Article, Audience, Statement

# the article parts whose statements are checked (all of them)
ANSWER_PARTS = ("summary", "sections", "bottom_line")


@dataclass
class Asked:
    article: Article | None
    error: str | None
    latency_ms: float

    @property
    def answered(self) -> bool:
        return self.article is not None and not self.article.abstained


def ask(engine: Any, question: str, audience: Audience = Audience.PHYSICIAN) -> Asked:
    t0 = time.perf_counter()
    try:
        art = engine.ask(question, audience)
        err = None
    except CurbsideError as e:  # a refused question is a recorded failure, not a crash
        art, err = None, f"{type(e).__name__}: {e.message}"
    return Asked(art, err, (time.perf_counter() - t0) * 1000)


def statements(article: Article) -> list[tuple[str, Statement]]:
    """(where, statement) for every statement of an article."""
    out = [("summary", s) for s in article.summary]
    for sec in article.sections:
        out.extend((f"section:{sec.key}", s) for s in sec.statements)
    out.extend(("bottom_line", s) for s in article.bottom_line)
    return out


@dataclass
class Integrity:
    statements: int = 0
    verified: int = 0  # the statement is exactly its quote of its first cited passage
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verified == self.statements


def check_integrity(article: Article) -> Integrity:
    """Citation integrity is the composer's own check (``composition.verify.verify``):
    a statement passes when its text is exactly the spans it records of its first cited
    reference's passage, minus cuts each of a kind the cleaner may make, under the one
    whitespace rule. A statement without a citation, citing a reference the article does
    not list, or without a quote (an article stored before schema 1.2) fails."""
    refs = {r.number: r for r in article.references}
    res = Integrity()
    for where, st in statements(article):
        res.statements += 1
        ref = refs.get(st.citations[0]) if st.citations else None
        problem: str | None
        if not st.citations:
            problem = "no citation"
        elif ref is None or any(n not in refs for n in st.citations):
            problem = "cites a reference the article does not list"
        else:
            verdict = verify(st, ref.passage, passage_id=ref.passage_id, section=ref.section)
            problem = None if verdict.ok else verdict.reason
        if problem is None:
            res.verified += 1
            continue
        res.failures.append({
            "where": where, "statement": st.text, "citations": list(st.citations), "problem": problem,
            "first_cited_passage": ref.passage[:400] if ref is not None else None,
        })
    return res


def common_record(asked: Asked) -> dict[str, Any]:
    a = asked.article
    rec: dict[str, Any] = {
        "answered": asked.answered,
        "abstained": bool(a and a.abstained),
        "abstain_reason": a.abstain_reason if a else None,
        "error": asked.error,
        "latency_ms": round(asked.latency_ms, 1),
        "question_type": a.question_type.value if a else None,
        "drugs": [d.generic for d in a.drugs] if a else [],
        "section_keys": [s.key for s in a.sections] if a else [],
    }
    if a is not None:
        integ = check_integrity(a)
        rec["integrity"] = {"statements": integ.statements, "verified": integ.verified, "failures": integ.failures}
    return rec


def common_metrics(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    n = len(records)
    integ = [r["integrity"] for r in records if "integrity" in r]
    n_st = sum(i["statements"] for i in integ)
    return {
        "questions": n,
        "answered_rate": share(r["answered"] for r in records),
        "abstention_rate": share(r["abstained"] for r in records),
        "errors": sum(1 for r in records if r["error"]),
        "statements": n_st,
        "citation_integrity": ratio(sum(i["verified"] for i in integ), n_st),
        "statements_failing_integrity": n_st - sum(i["verified"] for i in integ),
        "articles_fully_verified": share(i["verified"] == i["statements"] for i in integ),
        "latency_ms_p50": percentile([r["latency_ms"] for r in records], 50),
        "latency_ms_p95": percentile([r["latency_ms"] for r in records], 95),
    }


def target(name: str, value: float, goal: float, *, higher: bool = True) -> dict[str, Any]:
    met = value == value and (value >= goal if higher else value <= goal)  # NaN never meets
    return {"metric": name, "target": ("≥ " if higher else "≤ ") + f"{goal:g}", "value": value, "met": met}


def integrity_targets(m: dict[str, Any]) -> list[dict[str, Any]]:
    return [target("citation_integrity", m["citation_integrity"], 1.0)]
