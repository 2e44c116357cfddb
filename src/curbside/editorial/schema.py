"""The editorial database schema and the two helpers every write uses."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

SCHEMA_VERSION = 1  # PRAGMA user_version; bump with a migration when the tables change
_VOLATILE = ("timings_ms", "corpus_version", "settings_hash")

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, slug TEXT NOT NULL,
    question TEXT NOT NULL, question_norm TEXT NOT NULL, audience TEXT NOT NULL,
    context TEXT, follows TEXT, status TEXT NOT NULL, version INTEGER NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_status ON articles(status, updated);
CREATE TABLE IF NOT EXISTS versions (
    article_id TEXT NOT NULL, version INTEGER NOT NULL, article_json TEXT NOT NULL,
    content_hash TEXT NOT NULL, corpus_version TEXT NOT NULL, settings_hash TEXT NOT NULL,
    created TEXT NOT NULL, checked TEXT NOT NULL, reason TEXT NOT NULL,
    PRIMARY KEY (article_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, article_id TEXT NOT NULL, version INTEGER NOT NULL,
    actor TEXT NOT NULL, action TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL,
    note TEXT, at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_article ON events(article_id, seq);
"""


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_hash(article: dict[str, Any]) -> str:
    """What a reviewer approves: the article without timings and provenance stamps."""
    stable = {k: v for k, v in article.items() if k not in _VOLATILE}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
