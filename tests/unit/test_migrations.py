"""Schema migrations on an empty database and on one holding version-1 data, on SQLite
and on a real PostgreSQL; the append-only tables refuse changes on both."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from curbside.editorial import EditorialRepository, Status
from curbside.editorial.audit import AuditLog
from curbside.editorial.db import connect, open_database
from curbside.editorial.migrations import LATEST, MIGRATIONS, applied, migrate
from curbside.editorial.models import Actor
from curbside.errors import StoreError

V1_ARTICLE = {"question": "Q?", "title": "Q?", "summary": [{"text": "S.", "citations": [1]}], "sections": [],
              "references": [], "corpus_version": "c1", "settings_hash": "s1", "question_type": "indication",
              "entities": {"drugs": [{"text": "Lioresal", "generic": "baclofen", "matched_as": "brand"}],
                           "conditions": []}}


def test_empty_database_gets_every_migration(tmp_path: Path, database_url: str) -> None:
    db = connect(database_url, tmp_path)
    try:
        assert migrate(db) == [m.number for m in MIGRATIONS]
        assert applied(db) == list(range(1, LATEST + 1))
        assert migrate(db) == []  # idempotent: a second instance starting applies nothing
    finally:
        db.close()


def test_existing_version_1_database_keeps_its_answers(tmp_path: Path, database_url: str) -> None:
    db = connect(database_url, tmp_path)
    migrate(db, upto=1)
    with db.write() as tx:  # an answer stored by a curbside that knew only schema 1
        tx.execute("INSERT INTO articles(id, key, slug, question, question_norm, audience, context, follows, status,"
                   " version, created, updated) VALUES ('abcd1234','k','q','Q?','q?','physician',NULL,NULL,"
                   "'approved',1,'2025-01-01T00:00:00Z','2025-01-01T00:00:00Z')")
        tx.execute("INSERT INTO versions(article_id, version, article_json, content_hash, corpus_version,"
                   " settings_hash,"
                   " created, checked, reason) VALUES ('abcd1234',1,?,'h','c1','s1','2025-01-01T00:00:00Z',"
                   "'2025-01-01T00:00:00Z','first answer')", (json.dumps(V1_ARTICLE),))
        tx.execute("INSERT INTO events(article_id, version, actor, action, from_status, to_status, note, at) VALUES"
                   " ('abcd1234',1,'Dr Old','approve','under_review','approved',NULL,'2025-01-02T00:00:00Z')")
    db.close()
    repo = EditorialRepository.open(database_url, tmp_path)
    try:
        a = repo.get("abcd1234")
        assert a.status is Status.APPROVED and a.reviewers == ("Dr Old",) and a.version_author_id is None
        assert repo.versions("abcd1234")[0].author == "curbside"
        assert applied(repo.db) == list(range(1, LATEST + 1))
    finally:
        repo.close()


def test_pre_ledger_sqlite_file_is_recognised_as_version_1(tmp_path: Path) -> None:
    path = tmp_path / "editorial.sqlite"
    conn = sqlite3.connect(path)
    for stmt in MIGRATIONS[0].sqlite:
        conn.execute(stmt)
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    db = open_database("", tmp_path)
    try:
        assert applied(db) == list(range(1, LATEST + 1))
    finally:
        db.close()


def test_a_newer_schema_is_refused(tmp_path: Path, database_url: str) -> None:
    db = open_database(database_url, tmp_path)
    with db.write() as tx:
        tx.execute("INSERT INTO schema_migrations(number, name, applied) VALUES (?, 'future', 'now')", (LATEST + 5,))
    db.close()
    with pytest.raises(StoreError, match="Upgrade curbside|knows up to"):
        open_database(database_url, tmp_path)


def test_audit_log_and_review_trail_are_append_only(tmp_path: Path, database_url: str) -> None:
    db = open_database(database_url, tmp_path)
    try:
        log = AuditLog(db)
        log.record(Actor("ana", "Dr Ana", id=None), "login", outcome="refused", client="127.0.0.1")
        for sql in ("UPDATE audit_log SET outcome='ok'", "DELETE FROM audit_log"):
            with pytest.raises(Exception, match="append-only"):
                with db.write() as tx:
                    tx.execute(sql)
        if db.dialect == "postgresql":  # SQLite has no TRUNCATE
            for table in ("audit_log", "events"):
                with pytest.raises(Exception, match=f"{table} is append-only"):
                    with db.write() as tx:
                        tx.execute(f"TRUNCATE {table}")
        assert [e.outcome for e in log.entries()] == ["refused"]
    finally:
        db.close()


def test_unsupported_database_url_is_a_clear_error(tmp_path: Path) -> None:
    from curbside.errors import UserInputError

    with pytest.raises(UserInputError, match="Unsupported database URL"):
        connect("mysql://x/y", tmp_path)


def test_unreachable_postgres_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="CURBSIDE_DATABASE_URL"):
        connect("postgresql://nobody@127.0.0.1:1/none", tmp_path)


def test_a_database_at_migration_2_gets_the_truncate_guards(tmp_path: Path, database_url: str) -> None:
    db = connect(database_url, tmp_path)
    try:
        assert migrate(db, upto=2) == [1, 2]
        assert migrate(db, upto=3) == [3] and applied(db) == [1, 2, 3]
        if db.dialect == "postgresql":
            with pytest.raises(Exception, match="audit_log is append-only"):
                with db.write() as tx:
                    tx.execute("TRUNCATE audit_log")
    finally:
        db.close()


def test_a_database_at_migration_3_gets_conversations_and_keeps_its_answers(tmp_path: Path, database_url: str
                                                                           ) -> None:
    db = connect(database_url, tmp_path)
    migrate(db, upto=3)
    with db.write() as tx:  # an answer stored before conversations existed
        tx.execute("INSERT INTO articles(id, key, slug, question, question_norm, audience, context, follows, status,"
                   " version, created, updated) VALUES ('abcd1234','k','q','Q?','q?','physician',NULL,NULL,"
                   "'submitted',1,'2025-01-01T00:00:00Z','2025-01-01T00:00:00Z')")
        tx.execute("INSERT INTO versions(article_id, version, article_json, content_hash, corpus_version,"
                   " settings_hash, created, checked, reason) VALUES ('abcd1234',1,?,'h','c1','s1',"
                   "'2025-01-01T00:00:00Z','2025-01-01T00:00:00Z','first answer')", (json.dumps(V1_ARTICLE),))
    assert migrate(db) == [4] and applied(db) == [1, 2, 3, 4] and LATEST == 4
    db.close()
    repo = EditorialRepository.open(database_url, tmp_path)
    try:
        from curbside.editorial.conversations import NewTurn

        assert repo.get("abcd1234").question == "Q?"
        conv = repo.conversations.start(NewTurn("Q?", None, None, "abcd1234", "physician", "indication"))
        assert [t.article_url for t in conv.turns] == ["/a/q-abcd1234"]  # the turn links its answer's page
        repo.conversations.save_suggestions("abcd1234", "c1", "s1", "physician", [{"question": "X?",
                                                                                   "question_type": "dosing"}])
        assert repo.conversations.suggestions("abcd1234", "c1", "s1") == [{"question": "X?",
                                                                          "question_type": "dosing"}]
    finally:
        repo.close()
