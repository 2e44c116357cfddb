"""Turn a stored answer into what the article template shows: statements with their
citation previews, the review track, dates and the reference list."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.templating import Jinja2Templates

from curbside.composition.references import copies_label
from curbside.editorial import TRACK, Reviewer, ReviewEvent, Status, StoredArticle
from curbside.editorial.edits import quote_span
from curbside.types import Audience, EditorNote, Reference, Statement
from curbside.understanding.suggestions import condition_name
from curbside.validate import web_url
from curbside.web.auth import install_template_globals
from curbside.web.quotes import Segment, quote_segments, verified_quote

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
PASSAGE_SHOWN_CHARS = 6000
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_ACTION_LABELS = {
    "submit": "Submitted for review", "start": "Review started", "approve": "Approved",
    "request_changes": "Changes requested", "resubmit": "Resubmitted", "new_version": "New version (sources changed)",
    "revalidate": "Re-checked against updated sources",
    "reject": "Rejected", "edit": "Edited", "stale": "Sources changed: needs re-review",
}


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,  # every value is HTML-escaped unless a template says otherwise (none does)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["human_date"] = human_date
    env.globals["audiences"] = [(a.value, a.label) for a in Audience]
    install_template_globals(env)  # csrf_token(request), current_user(request), Permission
    return Jinja2Templates(env=env)


def page(request: Any, name: str, context: dict[str, Any] | None = None, *, status: int = 200,
         headers: dict[str, str] | None = None) -> Any:
    """The HTML page ``name`` rendered with the app's templates (every route's one way to a page)."""
    return request.app.state.templates.TemplateResponse(request, name, context or {}, status_code=status,
                                                         headers=headers)


def human_date(value: str | None) -> str:
    """2025-08-24T10:00:00Z -> August 24, 2025; 2019-05 -> May 2019; 2019 -> 2019."""
    if not value:
        return ""
    m = re.match(r"^(\d{4})(?:-?(\d{2}))?(?:-?(\d{2}))?", value)
    if not m:
        return value
    y, mo, d = m.groups()
    if mo and 1 <= int(mo) <= 12:
        month = _MONTHS[int(mo) - 1]
        return f"{month} {int(d)}, {y}" if d and 1 <= int(d) <= 31 else f"{month} {y}"
    return y


def iso_date(value: str) -> str:
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").date().isoformat()
    except ValueError:
        return value[:10]


def excerpt(passage: str, sentence: str, context_chars: int = 180) -> str:
    """The cited sentence with some of the passage around it, found by the review page's
    whole-word search (``edits.quote_span``): the preview of a citation without a recorded
    quote (``preview``)."""
    m = quote_span(sentence, passage)
    if m is None:
        shown = len(sentence) + 2 * context_chars
        return passage[:shown].rstrip() + ("…" if len(passage) > shown else "")
    start, end = _window(passage, m.start(), m.end(), context_chars)
    return ("…" if start else "") + passage[start:end].strip() + ("…" if end < len(passage) else "")


def _window(passage: str, start: int, end: int, context_chars: int) -> tuple[int, int]:
    """``start``–``end`` widened by about ``context_chars`` each side, to whole words."""
    lo, hi = max(0, start - context_chars), min(len(passage), end + context_chars)
    if lo:
        sp = passage.find(" ", lo, start)
        lo = sp + 1 if sp >= 0 else lo
    if hi < len(passage):
        sp = passage.rfind(" ", end, hi)
        hi = sp if sp > 0 else hi
    return lo, hi


def preview(passage: str, statement: Statement, reference: Reference,
            context_chars: int = 180) -> list[Segment]:
    """The hover preview of one citation as segments (web/quotes.py): a window of the
    passage around the statement's recorded spans, the spans marked and its cuts shown
    as left out. A citation without a verified quote of this passage (articles stored
    before schema 1.2, a statement's further citations) gets today's search, unmarked."""
    quote = verified_quote(statement, reference)
    if quote is None:
        return [{"text": excerpt(passage, statement.text, context_chars), "kind": "", "cut": ""}]
    start, end, segs = quote_segments(passage, quote)
    lo, hi = _window(passage, start, end, context_chars)
    before = ("…" if lo else "") + passage[lo:start].lstrip()
    after = passage[end:hi].rstrip() + ("…" if hi < len(passage) else "")
    return [*([{"text": before, "kind": "", "cut": ""}] if before else []), *segs,
            *([{"text": after, "kind": "", "cut": ""}] if after else [])]


def _statement(s: Statement, refs: dict[int, Reference], ids: Iterator[int] | None = None) -> dict[str, Any]:
    """A statement as the page shows it: its text (as ``parts``: the words a gloss
    explains marked, the characters unchanged), its citations with their previews, and
    its glosses (shown apart, in the block's "Words used here" box)."""
    cites = []
    for n in s.citations:
        r = refs.get(n)
        if r is None:
            continue
        segments = preview(r.passage, s, r)
        marked = any(seg["kind"] for seg in segments)  # else the plain excerpt says it all
        cites.append({"n": n, "excerpt": "".join(seg["text"] for seg in segments),
                      "segments": segments if marked else [],
                      "label": f"{r.type_label}: {r.title}"})
    glosses = [{"id": f"gloss-{next(ids) if ids is not None else i}", "term": g.term, "meaning": g.meaning,
                "source": g.source, "url": web_url(g.url)} for i, g in enumerate(s.glosses, start=1)]
    return {"text": s.text, "cites": cites, "parts": glossed_parts(s.text, glosses), "glosses": glosses}


def glossed_parts(text: str, glosses: list[dict[str, Any]]) -> list[dict[str, str]]:
    """``text`` cut into consecutive parts whose joined texts are ``text`` exactly: each
    glossed term (first whole-word occurrence, in order) is a part with its gloss's id,
    the rest parts without. The page marks the terms; no character is added to the quote."""
    parts: list[dict[str, str]] = []
    at = 0
    for g in glosses:
        m = re.compile(r"(?<!\w)" + re.escape(g["term"]) + r"(?!\w)").search(text, at)
        if m is None or not g["term"]:
            continue
        if m.start() > at:
            parts.append({"text": text[at:m.start()], "gloss": ""})
        parts.append({"text": m.group(), "gloss": g["id"]})
        at = m.end()
    if at < len(text) or not parts:
        parts.append({"text": text[at:], "gloss": ""})
    return parts


def _block_glosses(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [g for st in statements for g in st["glosses"]]


def _reference(r: Reference) -> dict[str, Any]:
    """A reference as the page lists it: its JSON fields, a link only to an http(s) URL,
    and the passage cut to what the page shows."""
    return {**r.to_json(), "url": web_url(r.url), "passage_shown": r.passage[:PASSAGE_SHOWN_CHARS],
            "passage_cut": len(r.passage) > PASSAGE_SHOWN_CHARS, "copies_label": copies_label(r),
            "also_in": [{**o.to_json(), "url": web_url(o.url)} for o in r.also_in]}



def track(status: Status) -> list[dict[str, str]]:
    out = []
    for i, (key, label) in enumerate(TRACK, start=1):
        state = "done" if i < status.step else "current" if i == status.step else "todo"
        out.append({"key": key, "label": label, "state": state})
    return out


def reviewer_names(reviewers: tuple[Reviewer, ...]) -> str:
    """"Dr A. Rivera, MD, neurology" or "Dr A. Rivera, MD, neurology and Dr B. Chen, PharmD":
    reviewers are joined with "and" / ";" since credentials hold commas."""
    names = [str(r) for r in reviewers]
    if len(names) <= 2:
        return " and ".join(names)
    return "; ".join(names[:-1]) + " and " + names[-1]


def article_view(stored: StoredArticle, events: list[ReviewEvent]) -> dict[str, Any]:
    a = stored.article_model
    refs = {r.number: r for r in a.references}
    ids = itertools.count(1)  # gloss ids, unique on the page
    summary = [_statement(s, refs, ids) for s in a.summary]
    sections = [(sec, [_statement(s, refs, ids) for s in sec.statements]) for sec in a.sections]
    bottom = [_statement(s, refs, ids) for s in a.bottom_line]
    return {
        "title": a.title or stored.question,
        "summary": summary,
        "summary_glosses": _block_glosses(summary),
        "sections": [
            {"key": sec.key, "heading": sec.heading, "statements": sts, "glosses": _block_glosses(sts)}
            for sec, sts in sections
        ],
        "bottom_line": bottom,
        "bottom_glosses": _block_glosses(bottom),
        "references": [_reference(r) for r in a.references],
        "uncovered": list(a.uncovered),
        "abstained": a.abstained,
        "abstain_reason": a.abstain_reason,
        "partial": a.partial,
        "partial_note": a.partial_note,
        "reader_notes": list(a.reader_notes),
        "sources_date": a.last_updated,
        "drugs": list(a.drugs),
        "understood_as": a.understood_as,
        # what the article is about, as follow-ups name it
        "subject": a.drugs[0].generic if a.drugs else condition_name(a.conditions[0]) if a.conditions else "",
        "track": track(stored.status),
        "status": stored.status,
        "approved": stored.status is Status.APPROVED,
        "needs_rereview": stored.status is Status.NEEDS_REREVIEW,
        "sources_changed": len(stored.stale_sources),
        "editor_note": _editor_note(a.editor_note),
        "reviewers": reviewer_names(stored.reviewed_by),
        "approved_at": stored.approved_at,
        "updated": stored.version_created,
        "updated_iso": iso_date(stored.version_created),
        "is_patient": stored.audience == Audience.PATIENT.value,
        "audience_label": Audience(stored.audience).label,
        "history": [
            {"at": e.at, "actor": e.actor, "action": _ACTION_LABELS.get(e.action, e.action), "version": e.version,
             "note": e.note}
            for e in events
        ],
    }


def _editor_note(note: EditorNote | None) -> EditorNote | None:
    """The editor's note (an editorial addition, docs/ARTICLE_SCHEMA.md), if it has text."""
    if note is None or not note.text.strip():
        return None
    return EditorNote(note.text.strip(), note.author, note.at)
