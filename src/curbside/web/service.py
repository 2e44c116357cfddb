"""The service both the HTML pages and the JSON API call: answer (with the stored-answer
fast path), read, search and review. Built once per app in the lifespan handler.

Concurrency: the engine is not safe for concurrent use (one SQLite connection, lazily
built models), so answers go through an ``EnginePool``: ``size`` independent engines
(``curbside serve --engines``, default 2), each used by one request thread at a time. The editorial
repository is thread-safe (per-thread read connections, one locked writer).
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from curbside.composition.explain import Explained, explanation_to_dict
from curbside.composition.serialize import article_to_dict
from curbside.editorial import Action, Actor, EditorialRepository, StoredArticle
from curbside.editorial.conversations import Conversation, ConversationNotFoundError, NewTurn, is_conversation_id
from curbside.editorial.edits import Edit
from curbside.editorial.library import LibraryPage, LibraryQuery
from curbside.editorial.slug import split_ref
from curbside.errors import CurbsideError, NotIngestedError, UserInputError
from curbside.ports import AnswerEngine
from curbside.settings import Settings
from curbside.types import Audience, QuestionType, SourceHit
from curbside.understanding.suggestions import Suggestion
from curbside.validate import web_url
from curbside.web.errors import UnknownAudienceError
from curbside.web.reads import FLUSH_SECONDS, ReadCounter

MAX_SEARCH_CHARS = 500

# Engine.open, or a test's fake engine
EngineFactory = Callable[[Settings], AnswerEngine]


def _statement_texts(article: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, text) of every statement of an article's JSON, in order."""
    out = [("summary", s["text"]) for s in article.get("summary", [])]
    out += [(sec["key"], s["text"]) for sec in article.get("sections", []) for s in sec["statements"]]
    return out + [("bottom_line", s["text"]) for s in article.get("bottom_line", [])]


def _explanation_json(explained: Explained, *, recomputed: bool, matches: bool) -> dict[str, Any]:
    """The explanation's JSON (docs/WEB.md) with what it explains: ``recomputed`` (the
    engine answered a stored question again) and ``matches_answer``."""
    out = explanation_to_dict(explained.explanation)
    note = None
    if not matches:
        note = ("The stored answer differs from the one the engine makes now (a reviewer edited it, or it was "
                "made on another corpus or settings): this explains the engine's answer now.")
    return {**out, "recomputed": recomputed, "matches_answer": matches, "note": note}


def parse_audience(raw: str | None, default: Audience = Audience.PHYSICIAN) -> Audience:
    if raw is None or raw == "":
        return default
    try:
        return Audience(raw.strip().lower())
    except ValueError:
        allowed = ", ".join(a.value for a in Audience)
        raise UnknownAudienceError(f"Unknown audience {raw[:40]!r}.", fix=f"Use one of: {allowed}.") from None


class EnginePool:
    """``size`` engines; ``acquire()`` lends one to the calling thread."""

    def __init__(self, engines: list[AnswerEngine]) -> None:
        self._engines = engines
        self._free: queue.Queue[AnswerEngine] = queue.Queue()
        for e in engines:
            self._free.put(e)

    @property
    def corpus_version(self) -> str:
        return str(self._engines[0].corpus_version)

    @property
    def settings_hash(self) -> str:
        return str(self._engines[0].settings_hash)

    @contextmanager
    def acquire(self) -> Iterator[AnswerEngine]:
        engine = self._free.get()
        try:
            yield engine
        finally:
            self._free.put(engine)

    def close(self) -> None:
        for e in self._engines:
            e.close()


def followup_context(prev: StoredArticle, max_chars: int) -> str:
    """What the engine is told a follow-up follows when it names an answer (not a
    conversation): that answer's standalone question (``understood_as``), or for an
    answer stored before conversations its question plus the drug names it was answered
    about when they came from its own context (so a follow-up of a follow-up keeps the
    drug), within the engine's question length limit."""
    understood = prev.article_model.understood_as
    if understood:
        return understood[:max_chars]
    q = prev.question
    drugs = [d.text or d.generic for d in prev.article_model.drugs]
    missing = [d for d in drugs if d and d.lower() not in q.lower()]
    suffix = f" ({', '.join(missing)})" if missing else ""
    return q[: max(0, max_chars - len(suffix))] + suffix


@dataclass(frozen=True)
class Thread:
    """Where a question stands: the conversation it continues (None: a new one), the
    turns a new conversation starts with before it (an answer named by id), the
    context the engine is given (the previous turn's standalone question) and the
    previous answer's id (the new answer's ``follows``)."""

    conversation: Conversation | None
    before: tuple[NewTurn, ...]
    context: str | None
    follows: str | None


@dataclass(frozen=True)
class Answered:
    """An answer given in its conversation, with the follow-ups offered under it."""

    stored: StoredArticle
    cached: bool
    conversation: Conversation
    suggestions: tuple[Suggestion, ...]
    explanation: dict[str, Any] | None = None


class AnswerService:
    def __init__(self, settings: Settings, repo: EditorialRepository, pool: EnginePool | None,
                 engine_error: CurbsideError | None = None, *, read_flush_seconds: float = FLUSH_SECONDS) -> None:
        self.settings = settings
        self.repo = repo
        self.pool = pool
        self.engine_error = engine_error
        self.reads = ReadCounter(repo.add_reads, interval=read_flush_seconds)  # started by the app lifespan

    def _pool(self) -> EnginePool:
        if self.pool is None:
            raise self.engine_error or NotIngestedError(
                "The answer engine is not available.", fix="Run `curbside ingest` and restart `curbside serve`."
            )
        return self.pool

    def _current(self, stored: StoredArticle) -> bool:
        """Stored for the corpus and settings the engine runs on (or no engine to ask)."""
        p = self.pool
        return p is None or (stored.corpus_version, stored.settings_hash) == (p.corpus_version, p.settings_hash)

    @property
    def ready(self) -> bool:
        return self.pool is not None

    # ---- answers -------------------------------------------------------------------
    def answer(self, question: str | None, audience: Audience, conversation_id: str | None = None, *,
               explain: bool = False) -> Answered:
        """The answer, in its conversation, with its suggested follow-ups. Identical
        question + audience (+ follow-up context) on the same corpus and settings returns
        the stored answer without asking the engine. ``conversation_id`` continues that
        conversation (the context is its last turn's standalone question); an answer's
        id (the API's older meaning) starts a conversation whose first turn is that
        answer; none starts a new one. With ``explain`` the answer comes with its
        explanation (composition/explain.py): of the answer just made, or, for a stored
        answer, recomputed (``explain_stored``). This writes (the answer for review, the
        turn, the follow-ups): only POST requests call it."""
        q = self._clean(question)
        thread = self._thread(conversation_id)
        stored, cached, why = self._stored_or_new(q, audience, thread.context, thread.follows, explain=explain)
        if explain and why is None:
            why = self.explain_stored(stored)
        turn = _turn(stored, audience, thread.context)
        if thread.conversation is None:
            conversation = self.repo.conversations.start(*thread.before, turn)
        else:
            conversation = self.repo.conversations.add(thread.conversation.id, turn)
        return Answered(stored, cached, conversation, self._suggest(stored, audience, conversation), why)

    def answer_variant(self, article_id: str, audience: Audience, conversation_id: str | None = None) -> Answered:
        """The same question (and follow-up context) as answer ``article_id`` for
        another reader: the audience buttons of an article page. The conversation, when
        given, stays as it is (the turn is the same question)."""
        base = self.repo.get(article_id)
        conversation = self.repo.conversations.get(conversation_id) if conversation_id else None
        stored, cached, _ = self._stored_or_new(base.question, audience, base.context, base.follows)
        if conversation is None:
            conversation = self.repo.conversations.start(_turn(stored, audience, stored.context))
        return Answered(stored, cached, conversation, self._suggest(stored, audience, conversation))

    def explain_stored(self, stored: StoredArticle) -> dict[str, Any]:
        """Why a stored answer says what it says. Stored answers keep no explanation (it
        would go stale with every edit and weigh more than the answer), so the engine
        answers the stored question again, explaining, and ``matches_answer`` says whether
        that gives the stored statements; when not (a reviewer edited the answer, or it
        was made on another corpus or settings) the explanation is of today's answer and
        ``note`` says so. Never writes: a GET may call it."""
        with self._pool().acquire() as engine:
            explained = engine.explain(stored.question, parse_audience(stored.audience), context=stored.context)
        same = _statement_texts(article_to_dict(explained.article)) == _statement_texts(stored.article)
        return _explanation_json(explained, recomputed=True, matches=same)

    def find_stored(self, question: str | None, audience: Audience, conversation_id: str | None = None
                    ) -> StoredArticle | None:
        """The stored answer to this question, if any; never asks the engine nor writes
        (what GET requests use: a link or a prefetcher must not add to the review queue)."""
        q = self._clean(question)
        return self.repo.find(q, audience.value, self._thread(conversation_id).context)

    def _clean(self, question: str | None) -> str:
        from curbside.engine import clean_question

        return clean_question(question or "", self.settings.max_question_chars)

    def _thread(self, conversation_id: str | None) -> Thread:
        """The conversation a question continues: a conversation's id, an answer's id
        (its conversation starts with that answer), or nothing. An unknown or malformed
        id is a 404 (ArticleNotFoundError / ConversationNotFoundError)."""
        if not conversation_id:
            return Thread(None, (), None, None)
        if is_conversation_id(conversation_id):
            conv = self.repo.conversations.get(conversation_id)
            return Thread(conv, (), conv.last.standalone[: self.settings.max_question_chars], conv.last.article_id)
        aid = split_ref(conversation_id)[1]
        if not aid:
            raise ConversationNotFoundError(
                f"{conversation_id[:80]!r} is neither a conversation id nor an answer id.",
                fix="Use the conversation id (or the answer id) returned by POST /api/v1/answers.")
        prev = self.repo.get(aid)
        first = NewTurn(prev.question, prev.article_model.understood_as, prev.context, prev.id, prev.audience,
                        prev.question_type)
        return Thread(None, (first,), followup_context(prev, self.settings.max_question_chars), prev.id)

    def _stored_or_new(self, question: str, audience: Audience, context: str | None,
                       follows: str | None, *, explain: bool = False
                       ) -> tuple[StoredArticle, bool, dict[str, Any] | None]:
        """(answer, came from the store, explanation): the stored answer while corpus and
        settings are unchanged, or whenever it may not be regenerated (edited by a person,
        or acted on by the Board: ``StoredArticle.regenerable``); otherwise one from an
        engine, saved (revalidated when the content is the same, else a new version). With
        ``explain`` a new answer comes with its explanation (a stored one with None)."""
        stored = self.repo.find(question, audience.value, context)
        if stored and (self._current(stored) or not stored.regenerable):
            return stored, True, None
        why = None
        with self._pool().acquire() as engine:
            if explain:
                explained = engine.explain(question, audience, context=context)
                article, why = explained.article, _explanation_json(explained, recomputed=False, matches=True)
            else:
                article = engine.ask(question, audience, context=context)
        saved, _ = self.repo.save_answer(
            question, audience.value, article_to_dict(article), context=context, follows=follows
        )
        return saved, False, why

    # ---- suggested follow-ups ---------------------------------------------------------
    def _suggest(self, stored: StoredArticle, audience: Audience, conversation: Conversation | None
                 ) -> tuple[Suggestion, ...]:
        """The follow-ups offered under an answer: worked out once per answer, corpus and
        settings (each candidate answered by an engine: Engine.suggest) and kept, then
        those the conversation has not asked yet. Called on POST only (it may write)."""
        pool, k = self.pool, self.settings.follow_up_suggestions
        if pool is None or k == 0 or stored.article_model.abstained:
            return ()
        cached = self.repo.conversations.suggestions(stored.id, pool.corpus_version, pool.settings_hash)
        if cached is None:
            # enough that k remain after leaving out what the thread asked
            asked = _asked_types(conversation)
            with pool.acquire() as engine:
                found = engine.suggest(stored.article_model, audience, k=k + len(asked))
            cached = [s.to_json() for s in found]
            self.repo.conversations.save_suggestions(stored.id, pool.corpus_version, pool.settings_hash,
                                                     audience.value, cached)
        return _offered(cached, conversation, k)

    def suggestions(self, stored: StoredArticle, conversation: Conversation | None = None
                    ) -> tuple[Suggestion, ...]:
        """The follow-ups kept for an answer (none when none were worked out yet, on this
        corpus and settings); never writes: what GET pages and the API show."""
        pool = self.pool
        if pool is None or self.settings.follow_up_suggestions == 0:
            return ()
        cached = self.repo.conversations.suggestions(stored.id, pool.corpus_version, pool.settings_hash)
        return _offered(cached or [], conversation, self.settings.follow_up_suggestions)

    def conversation(self, conversation_id: str) -> Conversation:
        """A conversation by its id (404 when unknown or malformed); never writes."""
        return self.repo.conversations.get(conversation_id)

    def get(self, article_id: str) -> StoredArticle:
        return self.repo.get(article_id)

    def variant(self, stored: StoredArticle, audience: Audience) -> StoredArticle | None:
        """The same question (and follow-up context) already answered for another reader,
        or None; making it is a POST (``answer_variant``)."""
        if stored.audience == audience.value:
            return stored
        return self.repo.find(stored.question, audience.value, stored.context)

    def record_read(self, stored: StoredArticle) -> None:
        """A public article page was served: counted in memory, written in batches (reads.py)."""
        self.reads.hit(stored.id)

    def edit(self, article_id: str, edit: Edit, actor: Actor, expected_version: int) -> StoredArticle:
        return self.repo.edit(article_id, edit, actor, expected_version=expected_version)

    def library(self, query: LibraryQuery) -> LibraryPage:
        return self.repo.library(query)

    def review(self, article_id: str, action: str, actor: Actor, expected_version: int,
               note: str | None = None, client: str | None = None) -> StoredArticle:
        return self.repo.transition(article_id, Action.parse(action), actor,
                                    expected_version=expected_version, note=note, client=client)

    def health(self) -> dict[str, Any]:
        pool = self._pool()
        return {"status": "ok", "corpus_version": pool.corpus_version, "settings_hash": pool.settings_hash,
                "answers_stored": self.repo.count()}

    # ---- search --------------------------------------------------------------------
    def search(self, q: str | None, limit: int = 10) -> dict[str, Any]:
        text = " ".join((q or "").split())
        if not text:
            raise UserInputError("The search query is empty.", fix="Pass ?q=words, e.g. ?q=baclofen spasticity.")
        if len(text) > MAX_SEARCH_CHARS:
            raise UserInputError(f"The search query is longer than {MAX_SEARCH_CHARS} characters.",
                                 fix="Search with a few words.")
        limit = max(1, min(int(limit), 50))
        articles = [a.to_dict() for a in self.repo.search(text, limit)]
        sources: list[dict[str, Any]] = []
        if self.pool is not None:
            with self.pool.acquire() as engine:
                sources = [_source_hit(h) for h in engine.search_sources(text, limit)]
        return {"query": text, "articles": articles, "sources": sources}

    def close(self) -> None:
        self.reads.close()
        if self.pool is not None:
            self.pool.close()
        self.repo.close()


def _turn(stored: StoredArticle, audience: Audience, context: str | None) -> NewTurn:
    article = stored.article_model
    return NewTurn(article.question or stored.question, article.understood_as, context, stored.id, audience.value,
                   stored.question_type)


def _asked_types(conversation: Conversation | None) -> set[QuestionType]:
    out = set()
    for t in conversation.asked_types() if conversation is not None else ():
        try:
            out.add(QuestionType(t))
        except ValueError:
            continue
    return out


def _offered(cached: list[dict[str, str]], conversation: Conversation | None, k: int) -> tuple[Suggestion, ...]:
    """The kept follow-ups, less those whose aspect the conversation asked, at most
    ``k``, in their order."""
    asked = _asked_types(conversation)
    out = []
    for d in cached:
        try:
            s = Suggestion.from_json(d)
        except (KeyError, ValueError):
            continue
        if s.aspect not in asked:
            out.append(s)
    return tuple(out[:k])


def _source_hit(h: SourceHit) -> dict[str, Any]:
    return {
        "passage_id": h.passage_id, "doc_id": h.doc_id, "title": h.title, "type": h.source_type.value,
        "type_label": h.source_type.label, "source": h.publisher, "year": h.year, "url": web_url(h.url),
        "section": h.section, "snippet": h.snippet, "score": round(h.score, 3),
    }
