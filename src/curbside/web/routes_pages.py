"""Server-rendered HTML pages. Reading needs no JavaScript; every article page has a
JSON twin (``/a/<slug>-<id>.json`` or ``Accept: application/json``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from curbside.editorial import ArticleNotFoundError
from curbside.editorial.slug import split_ref
from curbside.web.errors import wants_json
from curbside.web.render import article_view
from curbside.web.routes_api import answer_payload, service
from curbside.web.service import parse_audience

router = APIRouter(include_in_schema=False)
RECENT = 8


def _page(request: Request, name: str, context: dict[str, object] | None = None, status: int = 200) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, context or {}, status_code=status)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    recent = service(request).repo.list_articles(limit=RECENT)
    return _page(request, "home.html", {"recent": recent})


@router.get("/ask")
def ask(request: Request, q: str = "", audience: str = "", after: str = "") -> Response:
    """The ask and follow-up forms submit here (GET: bookmarkable, no form library)."""
    aud = parse_audience(audience)
    conversation = split_ref(after)[1] if after else None
    if after and not conversation:
        raise ArticleNotFoundError(f"{after[:80]!r} is not an answer id.", fix="Ask the question again from the home page.")
    stored, _ = service(request).answer(q, aud, conversation)
    return RedirectResponse(stored.url, status_code=303)


@router.get("/a/{ref}")
def article(request: Request, ref: str, audience: str = "") -> Response:
    as_json = ref.endswith(".json")
    suffix = ".json" if as_json else ""
    slug, aid = split_ref(ref[:-5] if as_json else ref)
    if not aid:
        raise ArticleNotFoundError(f"There is no answer at {request.url.path}.", fix="Ask the question from the home page.")
    svc = service(request)
    stored = svc.get(aid)
    if audience:
        aud = parse_audience(audience)
        if aud.value != stored.audience:
            return RedirectResponse(svc.for_audience(stored, aud).url + suffix, status_code=303)
    if slug != stored.slug:
        return RedirectResponse(stored.url + suffix, status_code=301)
    svc.record_read(stored)  # in memory; written in batches, never by this GET (reads.py)
    if as_json or wants_json(request):
        return JSONResponse(answer_payload(stored, request))
    view = article_view(stored, svc.repo.events(stored.id))
    return _page(request, "article.html", {"stored": stored, "v": view})


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "") -> HTMLResponse:
    results = service(request).search(q, 10) if q.strip() else None
    return _page(request, "search.html", {"q": q, "results": results})


@router.get("/about", response_class=HTMLResponse)
def about(request: Request) -> HTMLResponse:
    return _page(request, "about.html")


@router.get("/editorial-policy", response_class=HTMLResponse)
def editorial_policy(request: Request) -> HTMLResponse:
    return _page(request, "policy.html")
