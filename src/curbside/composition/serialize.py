"""The article JSON schema (versioned). ``article_to_dict`` and ``article_from_dict``
are inverse; docs/ARTICLE_SCHEMA.md documents every field."""

from __future__ import annotations

from typing import Any

from curbside.types import (
    Article,
    Audience,
    ConditionMention,
    Cut,
    CutKind,
    DrugMention,
    QuestionType,
    Quote,
    Reference,
    Section,
    SourceType,
    Statement,
)

SCHEMA_VERSION = "1.2"


def quote_to_dict(q: Quote) -> dict[str, Any]:
    return {
        "passage_id": q.passage_id,
        "spans": [[s, e] for s, e in q.spans],
        "cuts": [{"start": c.start, "end": c.end, "kind": c.kind.value} for c in q.cuts],
    }


def quote_from_dict(d: dict[str, Any] | None) -> Quote | None:
    """The quote of a statement dict's ``quote`` (None when absent: schema 1.0 and 1.1)."""
    if not d:
        return None
    return Quote(
        passage_id=d["passage_id"],
        spans=tuple((int(s), int(e)) for s, e in d["spans"]),
        cuts=tuple(Cut(int(c["start"]), int(c["end"]), CutKind(c["kind"])) for c in d.get("cuts", ())),
    )


def _statement(s: Statement) -> dict[str, Any]:
    return {"text": s.text, "citations": list(s.citations),
            "quote": quote_to_dict(s.quote) if s.quote is not None else None}


def article_to_dict(a: Article) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "question": a.question,
        "audience": a.audience.value,
        "question_type": a.question_type.value,
        "entities": {
            "drugs": [
                {"text": d.text, "generic": d.generic, "matched_as": d.matched_as}
                for d in a.drugs
            ],
            "conditions": [
                {"text": c.text, "name": c.name, "concept_id": c.concept_id}
                for c in a.conditions
            ],
        },
        "title": a.title,
        "summary": [_statement(s) for s in a.summary],
        "sections": [
            {
                "key": sec.key,
                "heading": sec.heading,
                "statements": [_statement(s) for s in sec.statements],
            }
            for sec in a.sections
        ],
        "bottom_line": [_statement(s) for s in a.bottom_line],
        "references": [
            {
                "number": r.number,
                "type": r.source_type.value,
                "type_label": r.source_type.label,
                "title": r.title,
                "source": r.source,
                "year": r.year,
                "url": r.url,
                "doc_id": r.doc_id,
                "passage_id": r.passage_id,
                "section": r.section,
                "passage": r.passage,
            }
            for r in a.references
        ],
        "uncovered": list(a.uncovered),
        "abstained": a.abstained,
        "abstain_reason": a.abstain_reason,
        "partial": a.partial,
        "partial_note": a.partial_note,
        "last_updated": a.last_updated,
        "corpus_version": a.corpus_version,
        "settings_hash": a.settings_hash,
        "timings_ms": {k: round(v, 2) for k, v in a.timings_ms.items()},
    }


def _st(d: dict[str, Any]) -> Statement:
    return Statement(text=d["text"], citations=tuple(d["citations"]), quote=quote_from_dict(d.get("quote")))


def article_from_dict(d: dict[str, Any]) -> Article:
    return Article(
        question=d["question"],
        audience=Audience(d["audience"]),
        question_type=QuestionType(d["question_type"]),
        drugs=tuple(DrugMention(**x) for x in d["entities"]["drugs"]),
        conditions=tuple(ConditionMention(**x) for x in d["entities"]["conditions"]),
        title=d["title"],
        summary=tuple(_st(s) for s in d["summary"]),
        sections=tuple(
            Section(key=s["key"], heading=s["heading"], statements=tuple(_st(x) for x in s["statements"]))
            for s in d["sections"]
        ),
        bottom_line=tuple(_st(s) for s in d["bottom_line"]),
        references=tuple(
            Reference(
                number=r["number"],
                source_type=SourceType(r["type"]),
                title=r["title"],
                source=r["source"],
                year=r["year"],
                url=r["url"],
                doc_id=r["doc_id"],
                passage_id=r["passage_id"],
                section=r["section"],
                passage=r["passage"],
            )
            for r in d["references"]
        ),
        uncovered=tuple(d["uncovered"]),
        abstained=d["abstained"],
        abstain_reason=d["abstain_reason"],
        last_updated=d["last_updated"],
        corpus_version=d["corpus_version"],
        settings_hash=d["settings_hash"],
        timings_ms=dict(d.get("timings_ms", {})),
        partial=bool(d.get("partial", False)),  # absent in schema 1.0
        partial_note=d.get("partial_note"),
    )
