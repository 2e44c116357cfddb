"""Server-rendered HTML pages. Reading needs no JavaScript; every article page has a
JSON twin (``/a/<slug>-<id>.json`` or ``Accept: application/json``).

GET never makes or changes an answer: asking is a POST form (``POST /ask``, with the
page's CSRF token); ``GET /ask?q=...`` and ``GET /a/<ref>?audience=...`` only show an
answer already stored, or a page with the button that asks. A cross-site link or a link prefetcher therefore
never adds to the review queue.

Conversations: every question asked through ``POST /ask`` is a turn of a conversation
(editorial/conversations.py) and the answer opens at ``/a/<ref>?c=<conversation id>``,
the thread beside it; ``/c/<id>`` is the conversation alone. Only the id opens one (the
Board also has ``/review/conversations``); these pages are ``noindex`` and private.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from curbside.editorial import ArticleNotFoundError, StoredArticle
from curbside.editorial.conversations import Conversation
from curbside.editorial.slug import split_ref
from curbside.types import Audience
from curbside.web.errors import wants_json
from curbside.web.ratelimit import enforce_ask_limit
from curbside.web.render import article_view, page
from curbside.web.routes_api import PRIVATE, answer_payload, service
from curbside.web.service import parse_audience

router = APIRouter(include_in_schema=False)
RECENT = 8


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    recent = service(request).repo.list_articles(limit=RECENT)
    return page(request, "home.html", {"recent": recent})


def _conversation(after: str) -> str | None:
    """An answer's id from a form's ``after`` (a follow-up of an answer outside a
    conversation), or None."""
    conversation = split_ref(after)[1] if after else None
    if after and not conversation:
        raise ArticleNotFoundError(f"{after[:80]!r} is not an answer id.",
                                   fix="Ask the question again from the home page.")
    return conversation


def _with_c(url: str, conversation: Conversation | str | None) -> str:
    """``url`` showing the conversation beside the article (``?c=<id>``)."""
    cid = conversation.id if isinstance(conversation, Conversation) else conversation
    return f"{url}?{urlencode({'c': cid})}" if cid else url


@router.get("/ask")
def askpage(request: Request, q: str = "", audience: str = "", after: str = "", c: str = "") -> Response:
    """A stored answer to the question, or a page whose button asks it (GET never makes one)."""
    aud = parse_audience(audience)
    svc = service(request)
    conversation = svc.conversation(c) if c else None
    after_id = None if conversation else _conversation(after)
    stored = svc.find_stored(q, aud, conversation.id if conversation else after_id)
    if stored is not None:
        return RedirectResponse(_with_c(stored.url, conversation), status_code=303)
    return page(request, "ask.html", {"q": q.strip(), "audience": aud.value, "after": after_id or "",
                                       "c": conversation.id if conversation else "", "variant_of": "",
                                       "reason": "new"})


@router.post("/ask")
def ask(request: Request, q: str = Form(""), audience: str = Form(""), after: str = Form(""), c: str = Form(""),
        variant_of: str = Form("")) -> Response:
    """The ask, follow-up, suggested follow-up and audience forms post here (with the
    page's CSRF token): ``c`` continues a conversation, ``after`` starts one from an
    answer, ``variant_of`` asks an answer's question again for another audience."""
    enforce_ask_limit(request)
    svc = service(request)
    aud = parse_audience(audience)
    if variant_of:
        aid = _conversation(variant_of)
        assert aid is not None
        done = svc.answer_variant(aid, aud, c or None)
    else:
        done = svc.answer(q, aud, c or _conversation(after))
    return RedirectResponse(_with_c(done.stored.url, done.conversation), status_code=303)


def _variants(request: Request, stored: StoredArticle) -> dict[str, str]:
    """audience -> URL of the answers to this question already stored for other readers."""
    svc = service(request)
    out = {}
    for aud in Audience:
        found = svc.variant(stored, aud)
        if found is not None:
            out[aud.value] = found.url
    return out


@router.get("/a/{ref}")
def article(request: Request, ref: str, audience: str = "", c: str = "") -> Response:
    as_json = ref.endswith(".json")
    suffix = ".json" if as_json else ""
    slug, aid = split_ref(ref[:-5] if as_json else ref)
    if not aid:
        raise ArticleNotFoundError(f"There is no answer at {request.url.path}.",
                                   fix="Ask the question from the home page.")
    svc = service(request)
    stored = svc.get(aid)
    conversation = svc.conversation(c) if c else None  # 404 for an unknown or malformed id
    if audience:
        aud = parse_audience(audience)
        if aud.value != stored.audience:
            other = svc.variant(stored, aud)
            if other is not None:
                return RedirectResponse(_with_c(other.url + suffix, conversation), status_code=303)
            if as_json or wants_json(request):
                raise ArticleNotFoundError(
                    f"This question has no stored answer for {aud.label.lower()} readers yet.",
                    fix="POST /api/v1/answers with the question, this audience and conversation_id (if it is a "
                        "follow-up) to make one.")
            return page(request, "ask.html", {"q": stored.question, "audience": aud.value, "after": "",
                                               "c": conversation.id if conversation else "",
                                               "variant_of": stored.id, "reason": "audience"},
                        headers=PRIVATE if conversation else None)
    if slug != stored.slug:
        return RedirectResponse(_with_c(stored.url + suffix, conversation), status_code=301)
    svc.record_read(stored)  # in memory; written in batches, never by this GET (reads.py)
    if as_json or wants_json(request):
        return JSONResponse(answer_payload(stored, request))
    view = article_view(stored, svc.repo.events(stored.id))
    turn = conversation.turn_of(stored.id, stored.question, stored.context) if conversation else None
    if turn is None:
        conversation = None  # an answer outside the conversation is shown on its own
    return page(request, "article.html", {
        "stored": stored, "v": view, "variants": _variants(request, stored),
        "conversation": conversation, "turn": turn,
        "suggestions": svc.suggestions(stored, conversation),
    }, headers=PRIVATE if conversation else None)




@router.get("/c/{conversation_id}", response_class=HTMLResponse)
def conversation_page(request: Request, conversation_id: str) -> HTMLResponse:
    """The conversation: each question, what it was understood as, a link to its answer;
    and the box that continues it."""
    conv = service(request).conversation(conversation_id)
    # only its id opens it: no shared cache may keep the page, no index list it
    return page(request, "conversation.html", {"conversation": conv}, headers=PRIVATE)


@router.get("/search", response_class=HTMLResponse)
def searchpage(request: Request, q: str = "") -> HTMLResponse:
    results = service(request).search(q, 10) if q.strip() else None
    return page(request, "search.html", {"q": q, "results": results})


@router.get("/about", response_class=HTMLResponse)
def about(request: Request) -> HTMLResponse:
    return page(request, "about.html")


@router.get("/editorial-policy", response_class=HTMLResponse)
def editorial_policy(request: Request) -> HTMLResponse:
    return page(request, "policy.html")
