"""What the Board's pages show: the review queue's rows and the review page, where each
statement sits beside the passage it cites with the quoted words marked, so a reviewer
checks "is this what the source says?" without leaving the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from curbside.editorial import ReviewEvent, Status, StoredArticle
from curbside.editorial.edits import Place, quote_span
from curbside.editorial.living import source_diff
from curbside.editorial.workflow import Action, allowed_actions
from curbside.types import Article, Reference, Statement
from curbside.web.quotes import quote_segments, verified_quote

QUEUE_STATUSES = ("needs_rereview", "submitted", "under_review", "changes_requested")
AGES = {"": None, "1d": 1, "7d": 7, "30d": 30}
ACTION_LABELS = {
    Action.START: "Claim for review", Action.APPROVE: "Approve", Action.REQUEST_CHANGES: "Request changes",
    Action.REJECT: "Reject", Action.RESUBMIT: "Send back to submitted",
}
NOTE_REQUIRED = frozenset({Action.REQUEST_CHANGES, Action.REJECT})


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters, cleaned from query parameters (unknown values fall back)."""

    status: str = ""  # "" = every open status
    question_type: str = ""
    age: str = ""  # created more than 1d / 7d / 30d ago
    order: str = "newest"

    @classmethod
    def clean(cls, status: str = "", question_type: str = "", age: str = "", order: str = "") -> QueueFilter:
        valid = {s.value for s in Status}
        return cls(status if status in valid else "", re.sub(r"[^a-z_]", "", question_type.lower())[:40],
                   age if age in AGES else "", order if order in ("newest", "most_read") else "newest")

    def older_than(self, now: datetime | None = None) -> str | None:
        days = AGES.get(self.age)
        if not days:
            return None
        when = (now or datetime.now(UTC)) - timedelta(days=days)
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def queue(repo: Any, f: QueueFilter, limit: int = 50, offset: int = 0) -> list[Any]:
    """Open answers (or one status): needs-re-review first, then newest or most-read first."""
    statuses = [f.status] if f.status else list(QUEUE_STATUSES)
    return repo.list_articles(statuses, limit=limit, offset=offset,  # type: ignore[no-any-return]
                              question_type=f.question_type or None, older_than=f.older_than(), order=f.order)


# ---- the review page ---------------------------------------------------------------
def quoted(passage: str, statement: Statement, reference: Reference | None = None) -> dict[str, Any]:
    """The passage split around the statement's words: ``before``, ``segments`` (the
    words, marked, and what the statement leaves out between them) and ``after``.

    The words are the statement's recorded quote when it is of this passage and verifies
    (``verified``); otherwise (articles stored before schema 1.2, further citations) a
    whitespace-insensitive search for whole words finds them. ``verbatim``: the words were found."""
    quote = verified_quote(statement, reference) if reference is not None else None
    if quote is not None:
        start, end, segs = quote_segments(passage, quote)
        return {"before": passage[:start], "segments": segs, "after": passage[end:], "verbatim": True,
                "verified": True}
    m = quote_span(statement.text, passage)  # whole words only (edits.quote_span)
    if m is None:
        return {"before": passage, "segments": [], "after": "", "verbatim": False, "verified": False}
    return {"before": passage[: m.start()], "segments": [{"text": m.group(0), "kind": "quote", "cut": ""}],
            "after": passage[m.end():], "verbatim": True, "verified": False}


def _trim(before: str, after: str, chars: int = 400) -> tuple[str, str]:
    if len(before) > chars:
        cut = before[-chars:]
        before = "…" + cut[cut.find(" ") + 1:] if " " in cut else "…" + cut
    if len(after) > chars:
        cut = after[:chars]
        after = (cut[: cut.rfind(" ")] if " " in cut else cut) + "…"
    return before, after


def _places(a: Article) -> Iterator[tuple[Place, str, tuple[Statement, ...]]]:
    """(place, heading, statements) in page order, as edits.places walks the dict."""
    yield Place.summary(), "Summary", a.summary
    for sec in a.sections:
        yield Place.of_section(sec.key), sec.heading, sec.statements
    yield Place.bottom_line(), "Bottom line", a.bottom_line


def review_view(stored: StoredArticle, events: list[ReviewEvent], versions: list[Any]) -> dict[str, Any]:
    a = stored.article_model
    refs = {r.number: r for r in a.references}
    parts = []
    unverified = 0
    for place, heading, statements in _places(a):
        rows = []
        for i, st in enumerate(statements):
            cited = []
            for n in st.citations:
                r = refs.get(n)
                if r is None:
                    continue
                q = quoted(r.passage, st, r)
                before, after = _trim(q["before"], q["after"])
                cited.append({"n": n, "title": r.title, "type_label": r.type_label, "source": r.source,
                              "year": r.year, "section": r.section, "before": before, "segments": q["segments"],
                              "after": after, "verbatim": q["verbatim"], "verified": q["verified"]})
            if not any(c["verbatim"] for c in cited):
                unverified += 1
            rows.append({"index": i, "text": st.text, "cited": cited,
                         # the glosses a patient sees beside this statement: the Board approves them too
                         "glosses": [{"term": g.term, "meaning": g.meaning, "source": g.source} for g in st.glosses],
                         "verbatim": any(c["verbatim"] for c in cited), "verified": any(c["verified"] for c in cited)})
        parts.append({"place": str(place), "heading": heading, "statements": rows})
    stale = [{**c, "diff": [{"kind": s.kind, "text": s.text} for s in source_diff(c.get("old") or "", c.get("new"))]}
             for c in stored.stale_sources]
    claimed = next((e.actor for e in reversed(events) if e.version == stored.version and e.action == "start"), None)
    return {
        "title": a.title or stored.question,
        "parts": parts,
        "unverified": unverified,
        "references": [r.to_json() for r in a.references],
        "stale": stale,
        "actions": [{"value": act.value, "label": ACTION_LABELS[act],
                     "note_required": act in NOTE_REQUIRED or (act is Action.APPROVE and bool(stale))}
                    for act in allowed_actions(stored.status)],
        "claimed_by": claimed if stored.status is Status.UNDER_REVIEW else None,
        "editor_note": a.editor_note,
        "history": events,
        "versions": versions,
        "abstained": a.abstained,
    }
