"""Conversations: a question and its follow-ups, in order, each turn with the answer it
got; and the follow-ups suggested under an answer (cached per corpus and settings).

    conv = repo.conversations.start(turn)              # a new id, the first turn
    conv = repo.conversations.add(conv.id, turn)       # the next turn
    conv = repo.conversations.get(conv_id)             # ConversationNotFoundError when unknown

A conversation's id is ``secrets.token_urlsafe(18)`` (144 random bits): it is the only
way to read the conversation (besides the Board's list), so it is never derived from
anything a visitor could know, and it never has the shape of an answer id (hex), so
the one API field that takes either (``conversation_id``) tells them apart. Writes are
serialized transactions like every editorial write (db.py).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from curbside.editorial.db import Database
from curbside.editorial.errors import ArticleNotFoundError
from curbside.editorial.schema import utc_now
from curbside.editorial.slug import split_ref

ID_BYTES = 18
_ID = re.compile(r"^[A-Za-z0-9_-]{24,64}$")


class ConversationNotFoundError(ArticleNotFoundError):
    """No conversation has that id (or the id is malformed): 404 like an unknown answer."""


def is_conversation_id(raw: str) -> bool:
    """The shape of a conversation id: never that of an answer's id or address
    (``<slug>-<hex id>``), which ``new_id`` never makes."""
    return bool(_ID.match(raw)) and not split_ref(raw)[1]


def new_id() -> str:
    while True:
        cid = secrets.token_urlsafe(ID_BYTES)
        if is_conversation_id(cid):
            return cid


@dataclass(frozen=True, slots=True)
class Turn:
    """One question of a conversation: as asked, the standalone question it was
    answered as (None when the same), the follow-up context it was answered with (the
    previous turn's standalone question), and its answer."""

    seq: int
    question: str
    understood_as: str | None
    context: str | None
    article_id: str
    audience: str
    question_type: str
    created: str
    slug: str = ""  # of its answer's page

    @property
    def article_url(self) -> str:
        """Its answer's page (``/a/<slug>-<id>``)."""
        return f"/a/{self.slug}-{self.article_id}" if self.slug else f"/a/{self.article_id}"

    @property
    def standalone(self) -> str:
        """What the next turn follows: the standalone question."""
        return self.understood_as or self.question


@dataclass(frozen=True, slots=True)
class NewTurn:
    """A turn to add: the question, what it was understood as, its context and answer."""

    question: str
    understood_as: str | None
    context: str | None
    article_id: str
    audience: str
    question_type: str = ""


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    audience: str  # the audience of the latest turn
    created: str
    updated: str
    turns: tuple[Turn, ...]

    @property
    def url(self) -> str:
        return f"/c/{self.id}"

    @property
    def last(self) -> Turn:
        return self.turns[-1]

    def asked_types(self) -> tuple[str, ...]:
        """The question types the turns asked, in order (for suggestions not to repeat)."""
        return tuple(t.question_type for t in self.turns if t.question_type)

    def turn_of(self, article_id: str, question: str, context: str | None) -> Turn | None:
        """The turn whose answer this is, or the same question and context for another
        reader (the answer's audience variant)."""
        for t in self.turns:
            if t.article_id == article_id:
                return t
        for t in self.turns:
            if (t.question, t.context) == (question, context):
                return t
        return None


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """A conversation in the Board's list."""

    id: str
    audience: str
    created: str
    updated: str
    turns: int
    first_question: str

    @property
    def url(self) -> str:
        return f"/c/{self.id}"


class Conversations:
    def __init__(self, db: Database, *, clock: Callable[[], str] = utc_now) -> None:
        self.db = db
        self.clock = clock

    def start(self, *turns: NewTurn) -> Conversation:
        """A new conversation whose turns are ``turns`` (at least one)."""
        if not turns:
            raise ValueError("a conversation starts with a turn")
        now = self.clock()
        cid = new_id()
        with self.db.write() as c:
            c.execute("INSERT INTO conversations(id, audience, created, updated) VALUES (?,?,?,?)",
                      (cid, turns[-1].audience, now, now))
            for seq, turn in enumerate(turns, start=1):
                self._insert(c, cid, seq, turn, now)
        return self.get(cid)

    def add(self, conversation_id: str, turn: NewTurn) -> Conversation:
        """``turn`` as the next turn of the conversation."""
        now = self.clock()
        with self.db.write() as c:
            if c.one("SELECT 1 FROM conversations WHERE id=?", (conversation_id,)) is None:
                raise _not_found(conversation_id)
            row = c.one("SELECT max(seq) FROM conversation_turns WHERE conversation_id=?", (conversation_id,))
            seq = int(row[0] or 0) + 1 if row else 1
            self._insert(c, conversation_id, seq, turn, now)
            c.execute("UPDATE conversations SET audience=?, updated=? WHERE id=?",
                      (turn.audience, now, conversation_id))
        return self.get(conversation_id)

    @staticmethod
    def _insert(c: Any, cid: str, seq: int, t: NewTurn, now: str) -> None:
        c.execute(
            "INSERT INTO conversation_turns(conversation_id, seq, question, understood_as, context, article_id,"
            " audience, question_type, created) VALUES (?,?,?,?,?,?,?,?,?)",
            (cid, seq, t.question, t.understood_as, t.context, t.article_id, t.audience, t.question_type, now),
        )

    def get(self, conversation_id: str) -> Conversation:
        """The conversation with its turns in order; ConversationNotFoundError (404) when
        the id is unknown or is no conversation id at all."""
        if not is_conversation_id(conversation_id or ""):
            raise _not_found(conversation_id)
        row = self.db.read_one("SELECT id, audience, created, updated FROM conversations WHERE id=?",
                               (conversation_id,))
        if row is None:
            raise _not_found(conversation_id)
        turns = tuple(Turn(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6] or "", r[7], r[8] or "")
                      for r in self.db.read(
            "SELECT t.seq, t.question, t.understood_as, t.context, t.article_id, t.audience, t.question_type,"
            " t.created, a.slug FROM conversation_turns t LEFT JOIN articles a ON a.id=t.article_id"
            " WHERE t.conversation_id=? ORDER BY t.seq", (conversation_id,)))
        return Conversation(row[0], row[1], row[2], row[3], turns)

    def recent(self, limit: int = 50, offset: int = 0) -> list[ConversationSummary]:
        """Conversations, most recently continued first (the Board's list: reviewers only)."""
        rows = self.db.read(
            "SELECT c.id, c.audience, c.created, c.updated,"
            " (SELECT count(*) FROM conversation_turns t WHERE t.conversation_id=c.id),"
            " (SELECT t.question FROM conversation_turns t WHERE t.conversation_id=c.id AND t.seq=1)"
            " FROM conversations c ORDER BY c.updated DESC, c.id LIMIT ? OFFSET ?", (limit, offset))
        return [ConversationSummary(r[0], r[1], r[2], r[3], int(r[4] or 0), r[5] or "") for r in rows]

    def count(self) -> int:
        row = self.db.read_one("SELECT count(*) FROM conversations")
        return int(row[0]) if row else 0

    # ---- suggested follow-ups, per answer, corpus and settings ------------------------
    def suggestions(self, article_id: str, corpus_version: str, settings_hash: str) -> list[dict[str, str]] | None:
        """The follow-ups stored for this answer on this corpus and settings, or None
        when none were worked out yet (an empty list: worked out, none qualified)."""
        row = self.db.read_one(
            "SELECT suggestions FROM article_suggestions WHERE article_id=? AND corpus_version=? AND settings_hash=?",
            (article_id, corpus_version, settings_hash))
        return None if row is None else list(json.loads(row[0]))

    def save_suggestions(self, article_id: str, corpus_version: str, settings_hash: str, audience: str,
                         suggestions: Sequence[dict[str, str]]) -> None:
        """Keep the follow-ups worked out for an answer (a POST's work: GET never writes)."""
        now = self.clock()
        text = json.dumps(list(suggestions), ensure_ascii=False)
        with self.db.write() as c:
            c.execute("DELETE FROM article_suggestions WHERE article_id=? AND corpus_version=? AND settings_hash=?",
                      (article_id, corpus_version, settings_hash))
            c.execute("INSERT INTO article_suggestions(article_id, corpus_version, settings_hash, audience,"
                      " suggestions, created) VALUES (?,?,?,?,?,?)",
                      (article_id, corpus_version, settings_hash, audience, text, now))


def _not_found(conversation_id: str | None) -> ConversationNotFoundError:
    shown = (conversation_id or "")[:80]
    return ConversationNotFoundError(f"There is no conversation {shown!r}.",
                                     fix="Use the conversation link you were given, or ask the question again.")
