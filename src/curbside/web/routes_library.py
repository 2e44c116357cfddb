"""The published library: ``GET /library`` (HTML) and ``GET /api/v1/library`` (JSON).
Approved answers only, browsable by drug, condition and question type and searchable
by words (editorial/library.py); every entry links to the answer's stable URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from curbside.editorial.library import MAX_LIMIT, ORDERS, QUESTION_TYPE_LABELS, LibraryQuery
from curbside.validate import MAX_INT
from curbside.web.render import page as render_page
from curbside.web.routes_api import _errors, service

router = APIRouter()
PAGE_SIZE = 20

_DRUG = "An approved answer's drug (generic name), e.g. baclofen."
_CONDITION = "An approved answer's condition (preferred name), e.g. spasticity."
_TYPE = "Question type: " + ", ".join(QUESTION_TYPE_LABELS) + "."
_Q = "Words that must all occur in the question (or its drug and condition names)."
_ORDER = "newest (default), most_read or title."


@router.get("/library", response_class=HTMLResponse, include_in_schema=False)
def library_page(request: Request, drug: str = "", condition: str = "", question_type: str = "", q: str = "",
                 order: str = "", offset: int = Query(0, ge=0, le=MAX_INT)) -> HTMLResponse:
    query = LibraryQuery.clean(drug=drug, condition=condition, question_type=question_type, q=q, order=order,
                               limit=PAGE_SIZE, offset=offset)
    page = service(request).library(query)

    def link(**changes: Any) -> str:
        """This page's URL with some filters changed (back to the first page)."""
        params = query.params(**{"offset": 0, "limit": PAGE_SIZE, **changes})
        params.pop("limit", None)
        return "/library" + ("?" + urlencode(params) if params else "")

    return render_page(  # type: ignore[no-any-return]
        request, "library.html",
        {"page": page, "query": query, "link": link, "orders": ORDERS,
         "filtered": bool(query.drug or query.condition or query.question_type or query.q)},
    )


@router.get("/api/v1/library", tags=["library"], summary="Browse and search approved answers",
            responses=_errors(400, 422))
def library_api(request: Request, drug: str = Query("", description=_DRUG),
                condition: str = Query("", description=_CONDITION),
                question_type: str = Query("", description=_TYPE), q: str = Query("", description=_Q),
                order: str = Query("newest", description=_ORDER),
                limit: int = Query(PAGE_SIZE, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_INT)
                ) -> dict[str, Any]:
    """Approved answers (not ones pending review or needing re-review) matching every
    filter given, with `total`, and facet counts by drug, condition and question type
    over the matching answers. Each answer's `url` is its stable page."""
    query = LibraryQuery.clean(drug=drug, condition=condition, question_type=question_type, q=q, order=order,
                               limit=limit, offset=offset)
    return service(request).library(query).to_dict()
