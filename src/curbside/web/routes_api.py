"""JSON API under /api/v1 (plus /healthz). Each route calls the same AnswerService the
HTML pages use; errors are mapped in errors.py. Reviews act as the authenticated user
(session cookie + X-CSRF-Token, or a bearer API token): the body names no reviewer, and
request bodies with unknown fields are refused (422 naming the field)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetJsonSchemaHandler, ValidationInfo
from pydantic.dataclasses import dataclass as json_dataclass
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError
from starlette.concurrency import run_in_threadpool

from curbside.accounts import Permission, User
from curbside.editorial import Action, ArticleNotFoundError, Status, StoredArticle
from curbside.editorial.conversations import Conversation
from curbside.editorial.models import Review
from curbside.editorial.slug import split_ref
from curbside.errors import InvalidTextError
from curbside.types import JSON_CONFIG, Article, Audience, JsonDocument
from curbside.validate import MAX_INT, check_text
from curbside.web import auth
from curbside.web.errors import INVALID_TEXT, WebError
from curbside.web.ratelimit import enforce_ask_limit
from curbside.web.service import Answered, AnswerService, parse_audience

router = APIRouter()
AUDIENCES = [a.value for a in Audience]
# a conversation is for whoever holds its id: no shared cache may keep it, no index list it
PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


class ErrorDetail(BaseModel):
    status: int
    code: str = Field(description="Stable machine-readable code, e.g. empty_question, version_conflict.")
    message: str = Field(description="What went wrong and how to fix it.")


class ErrorResponse(BaseModel):
    """The one error shape of the API."""

    error: ErrorDetail


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Bad input (empty question, unknown audience, text that is not UTF-8, invalid JSON)",
        401: "Not signed in (no session, or an unknown or revoked API token)",
        403: "Forbidden: the role may not, the user made this version, missing CSRF token, or a foreign Origin",
        404: "No such answer",
        409: "Stale expected_version, or the action is not allowed from the current status",
        413: "Request body too large", 422: "Missing, unknown or wrongly typed fields in the request",
        429: "Rate limited; see the Retry-After header",
        503: "The corpus is not ingested yet (not_ingested), or its store is damaged (corrupt_store)",
    }
    return {c: {"model": ErrorResponse, "description": text[c]} for c in codes}


ERROR_RESPONSES = _errors(400, 404, 413, 422, 503)


def _text(value: str, info: ValidationInfo) -> str:
    """Refuses a string that is not text (a lone surrogate such as \\udcff): 400 invalid_text."""
    try:
        return check_text(value, info.field_name or "text")
    except InvalidTextError as e:
        raise PydanticCustomError(INVALID_TEXT, str(e)) from None


Text = Annotated[str, AfterValidator(_text)]


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused (422), not ignored

    question: Text = Field(description="The clinical question.",
                           examples=["What is the indication for Baclofen (Lioresal)?"])
    audience: Text = Field("physician", description="Who is reading: " + ", ".join(AUDIENCES) + ".",
                           json_schema_extra={"enum": [a.value for a in Audience]})
    conversation_id: Text | None = Field(
        None, description="For a follow-up: the `conversation.id` of an earlier response, whose conversation it "
                          "continues (the engine reads it against the last turn: the drug or condition carries "
                          "unless a new one is named, the aspect unless it asks its own; see `understood_as`). "
                          "An answer's `id` is accepted too: a new conversation then starts with that answer.")


class ReviewRequest(BaseModel):
    """No reviewer field: the reviewer is whoever is signed in (a "reviewer" key is refused)."""

    model_config = ConfigDict(extra="forbid")

    action: Text = Field(description="One of: " + ", ".join(a.value for a in Action) + ".",
                         json_schema_extra={"enum": [a.value for a in Action]})
    expected_version: int = Field(ge=-MAX_INT, le=MAX_INT,
                                  description="The answer version the reviewer read (review.version). "
                                              "A stale version is refused with 409 version_conflict.")
    note: Text | None = Field(None, description="Required for request_changes.")


def service(request: Request) -> AnswerService:
    return request.app.state.service  # type: ignore[no-any-return]


class _ExtendsSchema:
    """The JSON schema of a response dataclass that extends another (the nearest
    dataclass it inherits from): ``allOf`` that one's schema, by reference, and its own
    fields. So /openapi.json names the Article an answer is (pydantic would otherwise
    copy the article's fields into the answer's schema and list no Article)."""

    __slots__ = ()

    @classmethod
    def __get_pydantic_json_schema__(cls, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        flat = handler.resolve_ref_schema(handler(core))
        base = next(b for b in cls.__mro__[1:] if is_dataclass(b))
        inherited = {f.name for f in fields(base)}
        own = {k: v for k, v in flat.get("properties", {}).items() if k not in inherited}
        return {
            "title": flat.get("title", cls.__name__), "description": flat.get("description", ""),
            "allOf": [handler(base.__pydantic_core_schema__),  # type: ignore[attr-defined]
                      {"type": "object", "properties": own,
                       "required": [k for k in flat.get("required", []) if k in own]}],
        }


@json_dataclass(frozen=True, slots=True, kw_only=True)
class AnswerResponse(_ExtendsSchema, Article):
    """A stored answer: the article (docs/ARTICLE_SCHEMA.md) with where it is and its review."""

    id: Annotated[str, Field(description="the answer's id")]
    url: Annotated[str, Field(description="the article page")]
    json_url: Annotated[str, Field(description="this JSON (the page's twin)")]
    follows: Annotated[str | None, Field(description="the id of the answer this one follows up")]
    review: Annotated[Review, Field(description="where the answer is in review")]
    suggested_follow_ups: Annotated[tuple[str, ...], Field(
        description="up to 3 follow-up questions about the same drug or condition that the corpus answers (each "
                    "was answered, not abstained nor partial, when the answer was made); empty when none "
                    "qualify")] = ()

    @classmethod
    def of(cls, stored: StoredArticle, request: Request, **more: Any) -> Self:
        base = str(request.base_url).rstrip("/")
        article = stored.article_model
        more.setdefault("suggested_follow_ups", tuple(s.question for s in service(request).suggestions(stored)))
        return cls(**{f.name: getattr(article, f.name) for f in fields(Article)}, id=stored.id,
                   url=base + stored.url, json_url=base + stored.url + ".json", follows=stored.follows,
                   review=stored.review, **more)


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class TurnResponse(JsonDocument):
    """One question of a conversation and its answer."""

    question: Annotated[str, Field(description="the question as asked")]
    understood_as: Annotated[str | None, Field(description="the standalone question it was answered as (null: "
                                                           "as asked)")]
    answer_id: Annotated[str, Field(description="the answer's id")]
    url: Annotated[str, Field(description="the answer's page, showing this conversation beside it")]
    audience: Annotated[str, Field(description="who the answer is written for")]


@json_dataclass(frozen=True, slots=True, config=JSON_CONFIG)
class ConversationResponse(JsonDocument):
    """A conversation: its questions in order. Readable by whoever has its id (and by
    reviewers); there is no public list."""

    id: Annotated[str, Field(description="the conversation's id (unguessable: keep it to yourself); send it as "
                                         "`conversation_id` to ask a follow-up")]
    url: Annotated[str, Field(description="the conversation's page")]
    audience: Annotated[str, Field(description="the audience of the latest turn")]
    created: Annotated[str, Field(description="when it started (UTC, ISO 8601)")]
    updated: Annotated[str, Field(description="when its latest turn was asked (UTC, ISO 8601)")]
    turns: Annotated[tuple[TurnResponse, ...], Field(description="the questions, first to latest")]

    @classmethod
    def of(cls, conv: Conversation, request: Request) -> ConversationResponse:
        base = str(request.base_url).rstrip("/")
        return cls(conv.id, base + conv.url, conv.audience, conv.created, conv.updated, tuple(
            TurnResponse(t.question, t.understood_as, t.article_id, f"{base}{t.article_url}?c={conv.id}", t.audience)
            for t in conv.turns))


@json_dataclass(frozen=True, slots=True, kw_only=True)
class AskResponse(AnswerResponse):
    """The answer to a question asked, whether it was stored already, and its conversation."""

    cached: Annotated[bool, Field(description="true when the stored answer was returned (nothing was made)")]
    conversation: Annotated[ConversationResponse, Field(
        description="the conversation this question is the latest turn of (a new one unless `conversation_id` "
                    "was sent)")]

    @classmethod
    def answered(cls, done: Answered, request: Request) -> Self:
        return cls.of(done.stored, request, cached=done.cached,
                      conversation=ConversationResponse.of(done.conversation, request),
                      suggested_follow_ups=tuple(s.question for s in done.suggestions))


def answer_payload(stored: StoredArticle, request: Request) -> dict[str, Any]:
    """The article JSON (docs/ARTICLE_SCHEMA.md) plus id, url, follows, review and the
    suggested follow-ups kept for it."""
    return AnswerResponse.of(stored, request).to_json()


def _article_id(raw: str) -> str:
    _, aid = split_ref(raw)
    if not aid:
        raise ArticleNotFoundError(f"{raw[:80]!r} is not an answer id.",
                                   fix="Use the id returned by POST /api/v1/answers.")
    return aid


@router.post("/api/v1/answers", tags=["answers"], summary="Answer a question", response_model=AskResponse,
             responses=_errors(400, 404, 413, 422, 429, 503))
def create_answer(body: AnswerRequest, request: Request, explain: bool = Query(
        False, description="Add an `explanation`: why each statement was chosen (features, weights, score, rank) "
                           "and why the best sentences left out were not (docs/WEB.md).")) -> JSONResponse:
    """Answers the question for the audience and stores the answer as *submitted* for review.
    The same question and audience asked again return the stored answer (`cached: true`);
    after a re-ingest only an answer nobody has edited or reviewed yet is made again. Each
    client address may ask `ask_rate_per_minute` questions a minute (429 with Retry-After
    beyond); signed-in Board members are not limited. With `?explain=1` the response has an
    `explanation` (for a stored answer the engine answers again to explain it: see
    `matches_answer`)."""
    enforce_ask_limit(request)
    done = service(request).answer(body.question, parse_audience(body.audience), body.conversation_id,
                                   explain=explain)
    payload = AskResponse.answered(done, request).to_json()
    if explain:
        payload["explanation"] = done.explanation
    return JSONResponse(payload)


@router.get("/api/v1/conversations/{conversation_id}", tags=["answers"], summary="Get a conversation",
            response_model=ConversationResponse, responses=_errors(404, 422))
def get_conversation(conversation_id: str, request: Request) -> JSONResponse:
    """A conversation's questions in order, each with what it was understood as and its
    answer. Only its id opens it (404 for an unknown or malformed id); it is not listed
    for the public."""
    conv = service(request).conversation(conversation_id)
    return JSONResponse(ConversationResponse.of(conv, request).to_json(), headers=PRIVATE)


@router.get("/api/v1/conversations", tags=["review"], summary="List conversations (reviewers)",
            responses=_errors(401, 403, 422))
def list_conversations(request: Request, limit: int = Query(50, ge=1, le=200),
                       offset: int = Query(0, ge=0, le=MAX_INT)) -> JSONResponse:
    """Conversations, most recently continued first, for the Medical Advisory Board
    (a signed-in account with the review permission): id, url, audience, times, number
    of turns and the first question."""
    auth.require(request, Permission.REVIEW, action="conversations.list")
    base = str(request.base_url).rstrip("/")
    items = service(request).repo.conversations.recent(limit, offset)
    return JSONResponse({"conversations": [
        {"id": c.id, "url": base + c.url, "audience": c.audience, "created": c.created, "updated": c.updated,
         "turns": c.turns, "first_question": c.first_question} for c in items]}, headers=PRIVATE)


@router.get("/api/v1/answers", tags=["answers"], summary="List stored answers", responses=_errors(400, 422))
def list_answers(request: Request, status: str | None = Query(None, description="submitted, under_review, "
                 "changes_requested or approved"), limit: int = Query(50, ge=1, le=200),
                 offset: int = Query(0, ge=0, le=MAX_INT)) -> dict[str, Any]:
    """Stored answers, most recently updated first; filter by review status for a review queue."""
    if status is not None and status not in {s.value for s in Status}:
        raise WebError(400, "unknown_status", f"Unknown status {status[:40]!r}; use one of: "
                       + ", ".join(s.value for s in Status) + ".")
    items = service(request).repo.list_articles(status, limit=limit, offset=offset)
    return {"answers": [a.to_dict() for a in items]}


@router.get("/api/v1/answers/{answer_id}", tags=["answers"], summary="Get a stored answer",
            response_model=AnswerResponse, responses=_errors(400, 404, 413, 422, 429, 503))
def get_answer(answer_id: str, request: Request, explain: bool = Query(
        False, description="Add an `explanation`, recomputed by the engine (stored answers keep none; "
                           "`matches_answer` says whether the engine still gives this answer).")) -> JSONResponse:
    """The current version of a stored answer with its review status. With `?explain=1` the
    engine answers the stored question again to explain it (it writes nothing; paced like a
    new question)."""
    svc = service(request)
    stored = svc.get(_article_id(answer_id))
    if not explain:
        return JSONResponse(answer_payload(stored, request))
    enforce_ask_limit(request)
    return JSONResponse({**answer_payload(stored, request), "explanation": svc.explain_stored(stored)})


@router.get("/api/v1/answers/{answer_id}/history", tags=["review"], summary="Versions and audit trail",
            responses=_errors(404))
def answer_history(answer_id: str, request: Request) -> dict[str, Any]:
    """Every version of the answer and every review event (who, what, when, note)."""
    svc = service(request)
    stored = svc.get(_article_id(answer_id))
    return {
        "id": stored.id,
        "review": stored.review_dict(),
        "versions": [_as_dict(v) for v in svc.repo.versions(stored.id)],
        "events": [_as_dict(e) for e in svc.repo.events(stored.id)],
    }


async def _reviewer(request: Request, answer_id: str) -> User:
    """The signed-in user with the review permission, checked before the body is
    validated: nobody's review, whatever it contains, is a 401 (logged)."""
    action = "review"
    try:
        act = (await request.json()).get("action")
        if isinstance(act, str) and act in {a.value for a in Action}:
            action = f"review.{act}"
    except (ValueError, AttributeError, UnicodeDecodeError):
        pass
    target = split_ref(answer_id)[1] or answer_id[:80]
    return await run_in_threadpool(auth.require, request, Permission.REVIEW, action=action, target=target)


@router.post("/api/v1/answers/{answer_id}/review", tags=["review"], summary="Record a review action",
             response_model=AnswerResponse, responses=_errors(400, 401, 403, 404, 409, 413, 422))
def review_answer(answer_id: str, body: ReviewRequest, request: Request,
                  user: User = Depends(_reviewer)) -> JSONResponse:
    """Moves the answer along Submitted → Under Review → Approved (or Changes requested) as
    the signed-in reviewer: a session cookie with its `X-CSRF-Token` header, or
    `Authorization: Bearer cs_...`. The page shows that account's name and credentials.
    The transition applies to `expected_version`; if the answer changed since, 409. Whoever
    made the current version cannot approve it (403)."""
    stored = service(request).review(_article_id(answer_id), body.action, user.actor(), body.expected_version,
                                     body.note, client=auth.client_address(request))
    return JSONResponse(answer_payload(stored, request))


@router.get("/api/v1/search", tags=["search"], summary="Search stored answers and sources",
            responses=_errors(400, 422))
def search(request: Request, q: str = Query("", description="Words to search for."),
           limit: int = Query(10, ge=1, le=50)) -> dict[str, Any]:
    """Stored answers whose question contains the words, and source passages from the
    lexical (BM25) index with title, type, source, year and a snippet."""
    return service(request).search(q, limit)


@router.get("/healthz", tags=["meta"], summary="Health check", responses=_errors(503))
def healthz(request: Request) -> dict[str, Any]:
    """200 with the corpus version when answers can be made; 503 (error shape) otherwise."""
    return service(request).health()


def _as_dict(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}
