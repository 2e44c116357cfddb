"""What every set measures: asking the engine (timed, errors kept), citation integrity,
abstention and latency."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from curbside.composition.sentences import numbers, supported_by
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
    supported: int = 0  # first citation's passage supports the statement
    any_supported: int = 0  # some cited passage supports it
    number_violations: int = 0  # statements with a number absent from every cited passage
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.supported == self.statements and self.number_violations == 0


def check_integrity(article: Article) -> Integrity:
    """A statement passes when its first cited reference's passage contains every word
    (3+ letters) and number of it (``composition.sentences.supported_by``)."""
    refs = {r.number: r for r in article.references}
    res = Integrity()
    for where, st in statements(article):
        res.statements += 1
        cited = [refs[n].passage for n in st.citations if n in refs]
        first_ok = bool(cited) and len(cited) == len(st.citations) and supported_by(st.text, cited[0])
        any_ok = any(supported_by(st.text, p) for p in cited)
        nums = numbers(st.text)
        cited_nums = {x for p in cited for x in numbers(p)}
        missing_nums = [n for n in nums if n not in cited_nums]
        res.supported += first_ok
        res.any_supported += any_ok
        res.number_violations += bool(missing_nums)
        if not first_ok or missing_nums:
            problem = "no citation" if not st.citations else (
                "cites a reference the article does not list" if len(cited) != len(st.citations)
                else "first cited passage does not contain the statement's words/numbers"
            )
            res.failures.append({
                "where": where, "statement": st.text, "citations": list(st.citations),
                "problem": problem, "numbers_not_in_cited_passages": missing_nums,
                "any_citation_supports": any_ok,
                "first_cited_passage": cited[0][:400] if cited else None,
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
        rec["integrity"] = {
            "statements": integ.statements, "supported": integ.supported,
            "any_supported": integ.any_supported, "number_violations": integ.number_violations,
            "failures": integ.failures,
        }
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
        "citation_integrity": ratio(sum(i["supported"] for i in integ), n_st),
        "statements_failing_integrity": n_st - sum(i["supported"] for i in integ),
        "citation_integrity_any_citation": ratio(sum(i["any_supported"] for i in integ), n_st),
        "statements_with_unsupported_number": sum(i["number_violations"] for i in integ),
        "articles_fully_supported": share(
            i["supported"] == i["statements"] and i["number_violations"] == 0 for i in integ
        ),
        "latency_ms_p50": percentile([r["latency_ms"] for r in records], 50),
        "latency_ms_p95": percentile([r["latency_ms"] for r in records], 95),
    }


def target(name: str, value: float, goal: float, *, higher: bool = True) -> dict[str, Any]:
    met = value == value and (value >= goal if higher else value <= goal)  # NaN never meets
    return {"metric": name, "target": ("≥ " if higher else "≤ ") + f"{goal:g}", "value": value, "met": met}


def integrity_targets(m: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        target("citation_integrity", m["citation_integrity"], 1.0),
        target("statements_with_unsupported_number", m["statements_with_unsupported_number"], 0, higher=False),
    ]
