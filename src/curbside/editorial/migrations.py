"""Numbered schema migrations for the editorial database, one list for both dialects.

Each migration is a list of statements per dialect, applied in one transaction and
recorded in ``schema_migrations``; ``migrate(db)`` applies the pending ones in order
(under the write lock, so two instances starting together apply each once). A
database made by curbside before this table existed (SQLite ``user_version`` 1) is
recognised as having migration 1.

To change the schema: append a migration with the next number; never edit one that
has shipped. tests/unit/test_migrations.py runs every migration on an empty database
and on one holding version-1 data, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from curbside.editorial.db import Database, Tx
from curbside.errors import StoreError


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...]

    def statements(self, dialect: str) -> tuple[str, ...]:
        return self.sqlite if dialect == "sqlite" else self.postgresql


_V1_COMMON = (
    """CREATE TABLE IF NOT EXISTS articles (
        id TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, slug TEXT NOT NULL,
        question TEXT NOT NULL, question_norm TEXT NOT NULL, audience TEXT NOT NULL,
        context TEXT, follows TEXT, status TEXT NOT NULL, version INTEGER NOT NULL,
        created TEXT NOT NULL, updated TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS articles_status ON articles(status, updated)",
)

# a conversation (its id is a random token, editorial/conversations.py), its turns in
# order, and the follow-ups suggested under an answer for one corpus and settings
_V4_COMMON = (
    """CREATE TABLE conversations (
        id TEXT PRIMARY KEY, audience TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL)""",
    "CREATE INDEX conversations_updated ON conversations(updated)",
    """CREATE TABLE conversation_turns (
        conversation_id TEXT NOT NULL REFERENCES conversations(id), seq INTEGER NOT NULL,
        question TEXT NOT NULL, understood_as TEXT, context TEXT, article_id TEXT NOT NULL,
        audience TEXT NOT NULL, question_type TEXT NOT NULL DEFAULT '', created TEXT NOT NULL,
        PRIMARY KEY (conversation_id, seq))""",
    "CREATE INDEX conversation_turns_article ON conversation_turns(article_id)",
    """CREATE TABLE article_suggestions (
        article_id TEXT NOT NULL, corpus_version TEXT NOT NULL, settings_hash TEXT NOT NULL,
        audience TEXT NOT NULL, suggestions TEXT NOT NULL, created TEXT NOT NULL,
        PRIMARY KEY (article_id, corpus_version, settings_hash))""",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1, "answers, versions, review events",
        sqlite=(
            *_V1_COMMON,
            """CREATE TABLE IF NOT EXISTS versions (
                article_id TEXT NOT NULL, version INTEGER NOT NULL, article_json TEXT NOT NULL,
                content_hash TEXT NOT NULL, corpus_version TEXT NOT NULL, settings_hash TEXT NOT NULL,
                created TEXT NOT NULL, checked TEXT NOT NULL, reason TEXT NOT NULL,
                PRIMARY KEY (article_id, version)) WITHOUT ROWID""",
            """CREATE TABLE IF NOT EXISTS events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, article_id TEXT NOT NULL, version INTEGER NOT NULL,
                actor TEXT NOT NULL, action TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL,
                note TEXT, at TEXT NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS events_article ON events(article_id, seq)",
        ),
        postgresql=(
            *_V1_COMMON,
            """CREATE TABLE IF NOT EXISTS versions (
                article_id TEXT NOT NULL, version INTEGER NOT NULL, article_json TEXT NOT NULL,
                content_hash TEXT NOT NULL, corpus_version TEXT NOT NULL, settings_hash TEXT NOT NULL,
                created TEXT NOT NULL, checked TEXT NOT NULL, reason TEXT NOT NULL,
                PRIMARY KEY (article_id, version))""",
            """CREATE TABLE IF NOT EXISTS events (
                seq BIGSERIAL PRIMARY KEY, article_id TEXT NOT NULL, version INTEGER NOT NULL,
                actor TEXT NOT NULL, action TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL,
                note TEXT, at TEXT NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS events_article ON events(article_id, seq)",
        ),
    ),
    Migration(
        2, "accounts, sessions, API tokens, audit log, library terms, living answers",
        sqlite=(
            """CREATE TABLE users (
                id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL, credentials TEXT NOT NULL DEFAULT '', role TEXT NOT NULL,
                password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
                created TEXT NOT NULL, updated TEXT NOT NULL)""",
            """CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                csrf_token TEXT NOT NULL, created TEXT NOT NULL, expires TEXT NOT NULL)""",
            """CREATE TABLE api_tokens (
                id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id),
                name TEXT NOT NULL, prefix TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
                created TEXT NOT NULL, last_used TEXT, revoked TEXT)""",
            """CREATE TABLE audit_log (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
                actor_id INTEGER, action TEXT NOT NULL, target TEXT, outcome TEXT NOT NULL,
                detail TEXT, client TEXT)""",
            "CREATE INDEX audit_log_action ON audit_log(action, outcome, at)",
            """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
            """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
            """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END""",
            """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END""",
            "ALTER TABLE events ADD COLUMN actor_id INTEGER",
            "ALTER TABLE versions ADD COLUMN author TEXT NOT NULL DEFAULT 'curbside'",
            "ALTER TABLE versions ADD COLUMN author_id INTEGER",
            "ALTER TABLE articles ADD COLUMN question_type TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE articles ADD COLUMN reads INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE articles ADD COLUMN stale_sources TEXT",
            """CREATE TABLE article_terms (
                article_id TEXT NOT NULL, kind TEXT NOT NULL, term TEXT NOT NULL,
                PRIMARY KEY (article_id, kind, term)) WITHOUT ROWID""",
            "CREATE INDEX article_terms_term ON article_terms(kind, term)",
        ),
        postgresql=(
            """CREATE TABLE users (
                id BIGSERIAL PRIMARY KEY, username TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL, credentials TEXT NOT NULL DEFAULT '', role TEXT NOT NULL,
                password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
                created TEXT NOT NULL, updated TEXT NOT NULL)""",
            """CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id),
                csrf_token TEXT NOT NULL, created TEXT NOT NULL, expires TEXT NOT NULL)""",
            """CREATE TABLE api_tokens (
                id BIGSERIAL PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id),
                name TEXT NOT NULL, prefix TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
                created TEXT NOT NULL, last_used TEXT, revoked TEXT)""",
            """CREATE TABLE audit_log (
                seq BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,
                actor_id BIGINT, action TEXT NOT NULL, target TEXT, outcome TEXT NOT NULL,
                detail TEXT, client TEXT)""",
            "CREATE INDEX audit_log_action ON audit_log(action, outcome, at)",
            """CREATE FUNCTION curbside_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$""",
            """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION curbside_append_only()""",
            """CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
                FOR EACH ROW EXECUTE FUNCTION curbside_append_only()""",
            "ALTER TABLE events ADD COLUMN actor_id BIGINT",
            "ALTER TABLE versions ADD COLUMN author TEXT NOT NULL DEFAULT 'curbside'",
            "ALTER TABLE versions ADD COLUMN author_id BIGINT",
            "ALTER TABLE articles ADD COLUMN question_type TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE articles ADD COLUMN reads INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE articles ADD COLUMN stale_sources TEXT",
            """CREATE TABLE article_terms (
                article_id TEXT NOT NULL, kind TEXT NOT NULL, term TEXT NOT NULL,
                PRIMARY KEY (article_id, kind, term))""",
            "CREATE INDEX article_terms_term ON article_terms(kind, term)",
        ),
    ),
    Migration(
        3, "the append-only tables refuse TRUNCATE too",
        sqlite=(),  # SQLite has no TRUNCATE: DELETE is already refused (migration 2)
        postgresql=(
            """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION curbside_append_only()""",
            """CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
                FOR EACH STATEMENT EXECUTE FUNCTION curbside_append_only()""",
        ),
    ),
    Migration(
        4, "conversations, their turns, suggested follow-ups",
        sqlite=_V4_COMMON,
        postgresql=_V4_COMMON,
    ),
)
LATEST = MIGRATIONS[-1].number

_LEDGER = """CREATE TABLE IF NOT EXISTS schema_migrations (
    number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)"""


def applied(db: Database) -> list[int]:
    return [int(r[0]) for r in db.read("SELECT number FROM schema_migrations ORDER BY number")]


def migrate(db: Database, *, upto: int | None = None) -> list[int]:
    """Apply pending migrations (up to ``upto``, default all); returns the numbers applied."""
    from curbside.editorial.schema import utc_now

    target = LATEST if upto is None else upto
    done: list[int] = []
    with db.write() as tx:
        tx.execute(_LEDGER)
        have = {int(r[0]) for r in tx.all("SELECT number FROM schema_migrations")}
        if not have and db.dialect == "sqlite" and _legacy_v1(tx):
            tx.execute("INSERT INTO schema_migrations(number, name, applied) VALUES (1, ?, ?)",
                       (MIGRATIONS[0].name + " (found)", utc_now()))
            have.add(1)
        newest = max(have, default=0)
        if newest > LATEST:
            raise StoreError(
                f"The editorial database at {db.description} has schema {newest}; this curbside knows up to {LATEST}.",
                fix="Upgrade curbside, or point it at another database.",
            )
        for m in MIGRATIONS:
            if m.number in have or m.number > target:
                continue
            for stmt in m.statements(db.dialect):
                tx.execute(stmt)
            tx.execute("INSERT INTO schema_migrations(number, name, applied) VALUES (?, ?, ?)",
                       (m.number, m.name, utc_now()))
            done.append(m.number)
    return done


def _legacy_v1(tx: Tx) -> bool:
    """A SQLite file made before schema_migrations existed: PRAGMA user_version 1."""
    row = tx.one("PRAGMA user_version")
    if not row or int(row[0]) < 1:
        return False
    if int(row[0]) > 1:
        raise StoreError("The editorial database has an unknown schema version.", fix="Upgrade curbside.")
    return tx.one("SELECT 1 FROM sqlite_master WHERE type='table' AND name='articles'") is not None
