"""The Medical Advisory Board's pages and the edit/compare API.

    GET  /review                       the queue (filters: status, question type, age; newest or most read)
    GET  /review/conversations         every conversation (the public has no list)
    GET  /review/{id}                  the review page: each statement beside its cited passage
    POST /review/{id}/action           claim, approve, request changes, reject, resubmit (form)
    GET  /review/{id}/edit             the editor's form (remove, reorder, add quoted statements, note)
    POST /review/{id}/edit             makes a new version (form)
    GET  /review/{id}/compare          two versions side by side
    POST /api/v1/answers/{id}/edit     an edit as JSON (editors)
    GET  /api/v1/answers/{id}/compare  ?from=1&to=2: what changed between two versions

Every page needs a signed-in Board member (web/auth.py ``require``); every form POST
passes the app-wide CSRF and origin guard. Who acts is the signed-in user, always.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from curbside.accounts.roles import Permission
from curbside.accounts.users import User
from curbside.editorial.compare import compare_stored
from curbside.editorial.edits import (
    AddStatement,
    Edit,
    Operation,
    Place,
    RemoveStatement,
    ReorderStatements,
    places,
)
from curbside.editorial.living import refresh_operations
from curbside.editorial.workflow import Action
from curbside.errors import UserInputError
from curbside.validate import MAX_INT, check_text
from curbside.web.auth import client_address, require, requires
from curbside.web.render import page
from curbside.web.review_view import AGES, QueueFilter, queue, review_view
from curbside.web.routes_api import PRIVATE, AnswerResponse, Text, _article_id, _errors, answer_payload, service

pages = APIRouter(include_in_schema=False)
api = APIRouter()
PAGE_SIZE = 50


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _form(request: Request) -> dict[str, Any]:
    """The form's fields (a list where a name repeats); a field that is not text (a lone
    surrogate) is refused, 400 invalid_text."""
    form = await request.form()
    for key, value in form.multi_items():
        check_text(key, "form field name")
        if isinstance(value, str):
            check_text(value, f"form field {key[:40]!r}")
    return {k: form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k) for k in form.keys()}


def _int(raw: Any, what: str) -> int:
    """A form's whole number, at most MAX_INT either way (400 otherwise)."""
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise UserInputError(f"{what} is not a number.", fix="Reload the page and submit the form again.") from None
    if abs(value) > MAX_INT:
        raise UserInputError(f"{what} is too large a number.", fix="Reload the page and submit the form again.")
    return value


# ---- pages ---------------------------------------------------------------------------
@pages.get("/review", response_class=HTMLResponse)
def queuepage(request: Request, status: str = "", question_type: str = "", age: str = "", order: str = "",
               offset: int = Query(0, ge=0, le=MAX_INT)) -> HTMLResponse:
    user = require(request, Permission.REVIEW, action="review.queue")
    f = QueueFilter.clean(status, question_type, age, order)
    rows = queue(service(request).repo, f, limit=PAGE_SIZE + 1, offset=offset)

    def link(**changes: Any) -> str:
        params = {"status": f.status, "question_type": f.question_type, "age": f.age, "order": f.order, **changes}
        params = {k: v for k, v in params.items() if v not in ("", None, 0, "newest")}
        return "/review" + ("?" + urlencode(params) if params else "")

    return page(request, "review_queue.html", {
        "user": user, "f": f, "rows": rows[:PAGE_SIZE], "more": len(rows) > PAGE_SIZE, "offset": offset,
        "page_size": PAGE_SIZE, "link": link, "ages": [a for a in AGES if a],
    })


@pages.get("/review/conversations", response_class=HTMLResponse)
def conversations_page(request: Request, offset: int = Query(0, ge=0, le=MAX_INT)) -> HTMLResponse:
    """Every conversation, most recently continued first (reviewers: the public has no list)."""
    user = require(request, Permission.REVIEW, action="conversations.list")
    items = service(request).repo.conversations.recent(PAGE_SIZE + 1, offset)
    return page(request, "conversations.html", {
        "user": user, "items": items[:PAGE_SIZE], "offset": offset, "more": len(items) > PAGE_SIZE,
        "page_size": PAGE_SIZE,
    }, headers=PRIVATE)


@pages.get("/review/{answer_id}", response_class=HTMLResponse)
def reviewpage(request: Request, answer_id: str) -> HTMLResponse:
    aid = _article_id(answer_id)
    user = require(request, Permission.REVIEW, action="review.view", target=aid)
    repo = service(request).repo
    stored = repo.get(aid)
    view = review_view(stored, repo.events(aid), repo.versions(aid))
    return page(request, "review.html", {"user": user, "stored": stored, "v": view,
                                          "can_edit": user.can(Permission.EDIT),
                                          "own_version": user.id in repo.authors_since_approval(aid, stored.version)})


@pages.post("/review/{answer_id}/action")
async def review_action(request: Request, answer_id: str) -> RedirectResponse:
    aid = _article_id(answer_id)
    form = await _form(request)
    action = Action.parse(str(form.get("action") or ""))
    user = await run_in_threadpool(require, request, Permission.REVIEW, action=f"review.{action.value}", target=aid)
    version = _int(form.get("expected_version"), "The version")
    note = str(form.get("note") or "").strip() or None
    await run_in_threadpool(service(request).review, aid, action.value, user.actor(), version, note,
                            client=client_address(request))
    return _see(f"/review/{aid}")


@pages.get("/review/{answer_id}/edit", response_class=HTMLResponse)
def editpage(request: Request, answer_id: str) -> HTMLResponse:
    aid = _article_id(answer_id)
    user = require(request, Permission.EDIT, action="edit.view", target=aid)
    stored = service(request).repo.get(aid)
    parts = [{"place": str(p), "heading": h, "statements": sts} for p, h, sts in places(stored.article)]
    return page(request, "review_edit.html", {"user": user, "stored": stored, "parts": parts,
                                               "references": stored.article.get("references", [])})


@pages.post("/review/{answer_id}/edit")
async def edit_submit(request: Request, answer_id: str,
                      user: User = Depends(requires(Permission.EDIT, "edit"))) -> RedirectResponse:
    aid = _article_id(answer_id)
    form = await _form(request)
    svc = service(request)
    stored = await run_in_threadpool(svc.repo.get, aid)
    version = _int(form.get("expected_version"), "The version")
    edit = edit_from_form(stored.article, form, stale=stored.stale_sources)
    await run_in_threadpool(svc.edit, aid, edit, user.actor(), version)
    return _see(f"/review/{aid}")


@pages.get("/review/{answer_id}/compare", response_class=HTMLResponse)
def comparepage(request: Request, answer_id: str, from_: int = Query(0, alias="from", ge=0, le=MAX_INT),
                 to: int = Query(0, ge=0, le=MAX_INT)) -> HTMLResponse:
    aid = _article_id(answer_id)
    user = require(request, Permission.REVIEW, action="review.compare", target=aid)
    repo = service(request).repo
    stored = repo.get(aid)
    new = to or stored.version
    old = from_ or max(1, new - 1)
    return page(request, "review_compare.html", {"user": user, "stored": stored,
                                                  "c": compare_stored(repo, aid, old, new),
                                                  "versions": repo.versions(aid)})


def edit_from_form(article: dict[str, Any], form: dict[str, Any], *, stale: tuple[dict[str, Any], ...] = ()) -> Edit:
    """The edit form as operations. Per place, statements are first reordered (``order-<place>-<i>``
    numbers; ties keep the old order) then those unticked in ``keep-<place>-<i>`` removed
    (from the end, so positions stay valid); an added statement (``add_text``, quoted from
    ``add_reference``) goes at the end of ``add_place``; ``refresh`` takes the changed
    sources' current text recorded at re-ingest."""
    ops: list[Operation] = []
    for place, _, sts in places(article):
        key = str(place)
        n = len(sts)
        if n == 0:
            continue
        ranks = []
        for i in range(n):
            raw = form.get(f"order-{key}-{i}")
            try:
                ranks.append((float(str(raw)) if raw not in (None, "") else float(i + 1), i))
            except ValueError:
                raise UserInputError(f"The position of statement {i + 1} in {place.describe()} is not a number.",
                                     fix="Use 1, 2, 3… to order statements.") from None
        order = [i for _, i in sorted(ranks)]
        if order != list(range(n)):
            ops.append(ReorderStatements(place, tuple(order)))
        keep = [form.get(f"keep-{key}-{i}") is not None for i in range(n)]
        for new_pos in sorted((order.index(i) for i in range(n) if not keep[i]), reverse=True):
            ops.append(RemoveStatement(place, new_pos))
    text = str(form.get("add_text") or "").strip()
    if text:
        ops.append(AddStatement(Place.parse(str(form.get("add_place") or "summary")), text,
                                _int(form.get("add_reference"), "The reference of the added statement")))
    if form.get("refresh") and stale:
        ops.extend(refresh_operations(stale, article))
    note_raw = form.get("note")
    note = None if note_raw is None else str(note_raw)
    if note is not None and note.strip() == str((article.get("editor_note") or {}).get("text") or "").strip():
        note = None  # unchanged
    return Edit(tuple(ops), str(form.get("reason") or ""), note)


# ---- JSON ----------------------------------------------------------------------------
class EditRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected_version: int = Field(ge=-MAX_INT, le=MAX_INT,
                                  description="The version the editor read; a stale one is refused with 409.")
    reason: Text = Field(description="Why the answer changes (kept with the new version).")
    note: Text | None = Field(None, description="The editor's note shown on the page (\"\" removes it).")
    operations: list[dict[str, Any]] = Field(
        default_factory=list,
        description='Changes, in order: {"op": "remove", "place": "section:<key>", "index": 0}, '
                    '{"op": "reorder", "place", "order": [1, 0]}, {"op": "reorder_sections", "order": [keys]}, '
                    '{"op": "add", "place", "text" (quoted word for word from the reference\'s passage), '
                    '"reference", "index"?}, {"op": "refresh_reference", "reference", "passage"}.')


@api.post("/api/v1/answers/{answer_id}/edit", tags=["review"], summary="Edit an answer (a new version)",
          response_model=AnswerResponse, responses=_errors(400, 404, 409, 413, 422))
def edit_answer(answer_id: str, body: EditRequest, request: Request,
                user: User = Depends(requires(Permission.EDIT, "edit"))) -> JSONResponse:
    """Editors remove, reorder or add statements (added ones quote a cited passage word for
    word) and set the editor's note. The new version is Submitted for review; its author
    cannot approve it. Needs an editor's session (with X-CSRF-Token) or API token."""
    aid = _article_id(answer_id)
    edit = Edit.from_dict({"reason": body.reason, "note": body.note, "operations": body.operations})
    stored = service(request).edit(aid, edit, user.actor(), body.expected_version)
    return JSONResponse(answer_payload(stored, request))


@api.get("/api/v1/answers/{answer_id}/compare", tags=["review"], summary="Compare two versions",
         responses=_errors(404, 422))
def compare_answer(answer_id: str, request: Request,
                   from_: int = Query(..., alias="from", ge=1, le=MAX_INT, description="The older version."),
                   to: int | None = Query(None, ge=1, le=MAX_INT, description="The newer version (default: current).")
                   ) -> dict[str, Any]:
    """Statement by statement: kept, moved, changed (with a word diff), added, removed; and
    the references and editor's note. Public, like the answer's history."""
    return compare_stored(service(request).repo, _article_id(answer_id), from_, to).to_dict()

