"""The hand-written article serializer the model replaced (composition/serialize.py as
of schema 1.2, before the article became a pydantic model), kept as the oracle: the
model's JSON must be this, key for key and in this order, so stored answers and API
clients see no change. The version string is the current one: 1.3 only added keys
written when set (a follow-up's ``understood_as``, a statement's ``glosses``, the article's
``reader_notes``), so an article without them is the same document."""

from __future__ import annotations

from typing import Any

from curbside.types import SCHEMA_VERSION, Article, Quote, Statement


def _quote(q: Quote) -> dict[str, Any]:
    return {
        "passage_id": q.passage_id,
        "spans": [[s, e] for s, e in q.spans],
        "cuts": [{"start": c.start, "end": c.end, "kind": c.kind.value} for c in q.cuts],
    }


def _statement(s: Statement) -> dict[str, Any]:
    return {"text": s.text, "citations": list(s.citations),
            "quote": _quote(s.quote) if s.quote is not None else None}


def previous_article_to_dict(a: Article) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,  # 1.2 wrote "1.2"; 1.3 adds keys only when present
        "question": a.question,
        "audience": a.audience.value,
        "question_type": a.question_type.value,
        "entities": {
            "drugs": [{"text": d.text, "generic": d.generic, "matched_as": d.matched_as} for d in a.drugs],
            "conditions": [{"text": c.text, "name": c.name, "concept_id": c.concept_id} for c in a.conditions],
        },
        "title": a.title,
        "summary": [_statement(s) for s in a.summary],
        "sections": [
            {"key": sec.key, "heading": sec.heading, "statements": [_statement(s) for s in sec.statements]}
            for sec in a.sections
        ],
        "bottom_line": [_statement(s) for s in a.bottom_line],
        "references": [
            {
                "number": r.number, "type": r.source_type.value, "type_label": r.source_type.label,
                "title": r.title, "source": r.source, "year": r.year, "url": r.url, "doc_id": r.doc_id,
                "passage_id": r.passage_id, "section": r.section, "passage": r.passage,
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
