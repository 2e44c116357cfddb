"""Conversations in the editorial database (editorial/conversations.py), on SQLite and on
a real PostgreSQL: unguessable ids, turns in order, the Board's list, suggested
follow-ups kept per answer, corpus and settings."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from curbside.editorial import EditorialRepository
from curbside.editorial.conversations import (
    ID_BYTES,
    ConversationNotFoundError,
    NewTurn,
    is_conversation_id,
    new_id,
)
from curbside.editorial.slug import split_ref
from curbside.errors import CurbsideError


@pytest.fixture
def repo(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    r = EditorialRepository.open(database_url, tmp_path)
    yield r
    r.close()


def _turn(q: str, aid: str, understood: str | None = None, context: str | None = None,
          audience: str = "physician", qtype: str = "dosing") -> NewTurn:
    return NewTurn(q, understood, context, aid, audience, qtype)


def test_ids_are_random_tokens_never_shaped_like_an_answer_id() -> None:
    ids = {new_id() for _ in range(2000)}
    assert len(ids) == 2000 and ID_BYTES * 8 >= 128
    for cid in ids:
        assert is_conversation_id(cid) and len(cid) == math.ceil(ID_BYTES * 4 / 3)
        assert split_ref(cid) == ("", "")  # never an answer id nor a "<slug>-<id>" address
    for other in ("7f3a9c12", "what-is-baclofen-7f3a9c12", "short", "", "x" * 65, "a b" * 10, "../../etc/passwd"):
        assert not is_conversation_id(other)


def test_a_conversation_keeps_its_turns_in_order(repo: EditorialRepository) -> None:
    conv = repo.conversations.start(_turn("What is the dose of baclofen?", "a1"))
    assert conv.url == f"/c/{conv.id}" and [t.seq for t in conv.turns] == [1]
    conv = repo.conversations.add(conv.id, _turn("And for children?", "a2", "What is the dose of baclofen for "
                                                 "children?", "What is the dose of baclofen?", audience="patient"))
    again = repo.conversations.get(conv.id)
    assert again == conv and again.audience == "patient"  # the latest turn's audience
    assert [(t.seq, t.question, t.article_id) for t in again.turns] == [
        (1, "What is the dose of baclofen?", "a1"), (2, "And for children?", "a2")]
    assert again.last.standalone == "What is the dose of baclofen for children?"
    assert again.turns[0].standalone == "What is the dose of baclofen?"  # answered as asked
    assert again.asked_types() == ("dosing", "dosing")
    # the answer's turn, or the same question and context for another reader
    assert again.turn_of("a2", "", None) == again.turns[1]
    assert again.turn_of("zz", "And for children?", "What is the dose of baclofen?") == again.turns[1]
    assert again.turn_of("zz", "And for children?", None) is None
    # a second conversation is another id; the first is unchanged
    other = repo.conversations.start(_turn("What causes gout?", "b1"), _turn("How is it treated?", "b2"))
    assert other.id != conv.id and len(other.turns) == 2 and len(repo.conversations.get(conv.id).turns) == 2


def test_unknown_or_malformed_ids_are_not_found(repo: EditorialRepository) -> None:
    repo.conversations.start(_turn("Q?", "a1"))
    for bad in (new_id(), "7f3a9c12", "nope", "", "' OR 1=1 --" + "x" * 20):
        with pytest.raises(ConversationNotFoundError) as e:
            repo.conversations.get(bad)
        assert isinstance(e.value, CurbsideError) and e.value.code == "not_found"
    with pytest.raises(ConversationNotFoundError):
        repo.conversations.add(new_id(), _turn("Q?", "a1"))
    with pytest.raises(ValueError):
        repo.conversations.start()


def test_the_boards_list_is_newest_first(repo: EditorialRepository) -> None:
    times = iter(f"2025-01-0{i}T00:00:00Z" for i in range(1, 10))
    repo.conversations.clock = lambda: next(times)
    a = repo.conversations.start(_turn("First?", "a1"))
    b = repo.conversations.start(_turn("Second?", "b1"))
    repo.conversations.add(a.id, _turn("And then?", "a2"))
    listed = repo.conversations.recent()
    assert [(c.id, c.turns, c.first_question) for c in listed] == [(a.id, 2, "First?"), (b.id, 1, "Second?")]
    assert [c.id for c in repo.conversations.recent(limit=1, offset=1)] == [b.id]
    assert repo.conversations.count() == 2


def test_suggestions_are_kept_per_answer_corpus_and_settings(repo: EditorialRepository) -> None:
    assert repo.conversations.suggestions("a1", "c1", "s1") is None  # never worked out
    repo.conversations.save_suggestions("a1", "c1", "s1", "physician", [])
    assert repo.conversations.suggestions("a1", "c1", "s1") == []  # worked out: none qualified
    found = [{"question": "What are the side effects of baclofen?", "question_type": "adverse_effects"}]
    repo.conversations.save_suggestions("a1", "c1", "s1", "physician", found)
    assert repo.conversations.suggestions("a1", "c1", "s1") == found
    assert repo.conversations.suggestions("a1", "c2", "s1") is None  # another corpus: to work out again
