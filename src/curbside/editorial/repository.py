"""Stored answers, their versions and their review trail, in ``<data_dir>/editorial.sqlite``.

One SQLite file in WAL mode. Every write is one ``BEGIN IMMEDIATE`` transaction that
re-reads the row it changes, so two writers (server threads, the CLI in another
process) never lose each other's update: a stale ``expected_version`` is refused with
``VersionConflictError`` and an action the current status does not allow with
``InvalidTransitionError``. Reads use one connection per thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from curbside.editorial.errors import ArticleNotFoundError, VersionConflictError
from curbside.editorial.models import ArticleSummary, ReviewEvent, StoredArticle, VersionInfo
from curbside.editorial.schema import SCHEMA, SCHEMA_VERSION, content_hash, utc_now
from curbside.editorial.slug import ID_CHARS, article_key, normalize, slugify
from curbside.editorial.workflow import Action, Status, clean_note, clean_reviewer, next_status
from curbside.errors import StoreError

FILE_NAME = "editorial.sqlite"
SYSTEM_ACTOR = "curbside"
_REVIEW_ACTIONS = (Action.START.value, Action.APPROVE.value, Action.REQUEST_CHANGES.value)

_ARTICLE_COLS = (
    "a.id, a.slug, a.question, a.audience, a.context, a.follows, a.status, a.version, a.created,"
    " a.updated, v.corpus_version, v.settings_hash, v.created, v.article_json"
)


class EditorialRepository:
    def __init__(self, path: Path, *, clock: Callable[[], str] = utc_now) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._connect()
            self._conn.execute("PRAGMA journal_mode=WAL")
            found = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if found > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has editorial schema {found}; this curbside reads up to {SCHEMA_VERSION}.",
                    fix="Upgrade curbside, or point --data-dir at another folder.",
                )
            self._conn.executescript(SCHEMA)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"Cannot open the editorial database at {self.path}: {e}.",
                fix="Check the data folder is writable; move a damaged editorial.sqlite aside.",
            ) from e

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> EditorialRepository:
        return cls(Path(data_dir) / FILE_NAME)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            with self._lock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise

    # ---- answers and versions --------------------------------------------------------
    def find(self, question: str, audience: str, context: str | None = None) -> StoredArticle | None:
        row = self._reader().execute(
            "SELECT id FROM articles WHERE key=?", (article_key(question, audience, context),)
        ).fetchone()
        return self.get(row[0]) if row else None

    def save_answer(
        self, question: str, audience: str, article: dict[str, Any], *, context: str | None = None,
        follows: str | None = None,
    ) -> tuple[StoredArticle, str]:
        """Store a freshly generated answer. Returns (article, outcome) where outcome is
        ``created``, ``new_version`` (the content changed: review restarts),
        ``revalidated`` (same content on a new corpus: review status kept) or
        ``unchanged`` (already stored for this corpus and settings)."""
        key = article_key(question, audience, context)
        cv, sh, chash = article["corpus_version"], article["settings_hash"], content_hash(article)
        now = self.clock()
        with self._write() as c:
            row = c.execute("SELECT id, version, status FROM articles WHERE key=?", (key,)).fetchone()
            if row is None:
                aid = self._new_id(c, key)
                c.execute(
                    "INSERT INTO articles(id, key, slug, question, question_norm, audience, context, follows,"
                    " status, version, created, updated) VALUES (?,?,?,?,?,?,?,?,?,1,?,?)",
                    (aid, key, slugify(article.get("question") or question), article.get("question") or question,
                     normalize(question), audience, context, follows, Status.SUBMITTED.value, now, now),
                )
                self._insert_version(c, aid, 1, article, chash, now, "first answer")
                self._event(c, aid, 1, SYSTEM_ACTOR, "submit", None, Status.SUBMITTED.value,
                            f"Generated from corpus {cv}.", now)
                outcome = "created"
            else:
                aid, ver, status = row
                cur = c.execute(
                    "SELECT content_hash, corpus_version, settings_hash FROM versions WHERE article_id=? AND version=?",
                    (aid, ver),
                ).fetchone()
                if (cur[1], cur[2]) == (cv, sh):
                    outcome = "unchanged"
                elif cur[0] == chash:
                    c.execute(
                        "UPDATE versions SET corpus_version=?, settings_hash=?, checked=?, article_json=?"
                        " WHERE article_id=? AND version=?",
                        (cv, sh, now, json.dumps(article, ensure_ascii=False), aid, ver),
                    )
                    self._event(c, aid, ver, SYSTEM_ACTOR, "revalidate", status, status,
                                f"Same content on corpus {cv}.", now)
                    outcome = "revalidated"
                else:
                    self._bump_version(c, aid, ver, status, article, chash, SYSTEM_ACTOR,
                                       f"Sources changed (corpus {cur[1]} -> {cv}).", now)
                    outcome = "new_version"
        return self.get(aid), outcome

    def add_version(
        self, article_id: str, article: dict[str, Any], *, expected_version: int, actor: str, reason: str
    ) -> StoredArticle:
        """A new version of an existing answer (an edit); refused if the caller saw an older one."""
        actor = clean_reviewer(actor)
        now = self.clock()
        with self._write() as c:
            ver, status = self._current(c, article_id)
            self._check_version(article_id, ver, expected_version)
            self._bump_version(c, article_id, ver, status, article, content_hash(article), actor, reason, now)
        return self.get(article_id)

    def _bump_version(self, c: sqlite3.Connection, aid: str, ver: int, status: str, article: dict[str, Any],
                      chash: str, actor: str, reason: str, now: str) -> None:
        new = ver + 1
        self._insert_version(c, aid, new, article, chash, now, reason)
        c.execute("UPDATE articles SET version=?, status=?, updated=? WHERE id=?",
                  (new, Status.SUBMITTED.value, now, aid))
        self._event(c, aid, new, actor, "new_version", status, Status.SUBMITTED.value, reason, now)

    def _insert_version(self, c: sqlite3.Connection, aid: str, ver: int, article: dict[str, Any], chash: str,
                        now: str, reason: str) -> None:
        c.execute(
            "INSERT INTO versions(article_id, version, article_json, content_hash, corpus_version,"
            " settings_hash, created, checked, reason) VALUES (?,?,?,?,?,?,?,?,?)",
            (aid, ver, json.dumps(article, ensure_ascii=False), chash, article["corpus_version"],
             article["settings_hash"], now, now, reason),
        )

    @staticmethod
    def _new_id(c: sqlite3.Connection, key: str) -> str:
        for n in range(ID_CHARS, len(key) + 1, 4):
            if c.execute("SELECT 1 FROM articles WHERE id=?", (key[:n],)).fetchone() is None:
                return key[:n]
        raise StoreError("Could not allocate an article id.", fix="Report this as a bug.")  # pragma: no cover

    # ---- review --------------------------------------------------------------------
    def transition(
        self, article_id: str, action: Action | str, reviewer: str, *, expected_version: int,
        note: str | None = None,
    ) -> StoredArticle:
        act = action if isinstance(action, Action) else Action.parse(action)
        name, text = clean_reviewer(reviewer), clean_note(note, act)
        now = self.clock()
        with self._write() as c:
            ver, status = self._current(c, article_id)
            self._check_version(article_id, ver, expected_version)
            new = next_status(Status(status), act)
            c.execute("UPDATE articles SET status=?, updated=? WHERE id=?", (new.value, now, article_id))
            self._event(c, article_id, ver, name, act.value, status, new.value, text, now)
        return self.get(article_id)

    @staticmethod
    def _current(c: sqlite3.Connection, article_id: str) -> tuple[int, str]:
        row = c.execute("SELECT version, status FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None:
            raise ArticleNotFoundError(f"No stored answer has the id {article_id!r}.",
                                       fix="List answers with `curbside review list`.")
        return int(row[0]), str(row[1])

    @staticmethod
    def _check_version(article_id: str, current: int, expected: int) -> None:
        if int(expected) != current:
            raise VersionConflictError(
                f"Answer {article_id} is at version {current}, not version {expected}: it changed since you read it.",
                fix=f"Reload the answer, review version {current}, and send expected_version={current}.",
                current_version=current,
            )

    @staticmethod
    def _event(c: sqlite3.Connection, aid: str, ver: int, actor: str, action: str, from_status: str | None,
               to_status: str, note: str | None, at: str) -> None:
        c.execute(
            "INSERT INTO events(article_id, version, actor, action, from_status, to_status, note, at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (aid, ver, actor, action, from_status, to_status, note, at),
        )

    # ---- reads ---------------------------------------------------------------------
    def get(self, article_id: str) -> StoredArticle:
        c = self._reader()
        row = c.execute(
            f"SELECT {_ARTICLE_COLS} FROM articles a JOIN versions v ON v.article_id=a.id AND v.version=a.version"
            " WHERE a.id=?",
            (article_id,),
        ).fetchone()
        if row is None:
            raise ArticleNotFoundError(f"No stored answer has the id {article_id!r}.",
                                       fix="Ask the question again, or list answers with `curbside review list`.")
        marks = ",".join("?" * len(_REVIEW_ACTIONS))
        reviewers: list[str] = []
        approved_at = None
        for actor, action, at in c.execute(
            f"SELECT actor, action, at FROM events WHERE article_id=? AND version=? AND action IN ({marks})"
            " ORDER BY seq", (article_id, row[7], *_REVIEW_ACTIONS),
        ):
            if actor not in reviewers:
                reviewers.append(actor)
            if action == Action.APPROVE.value:
                approved_at = at
        status = Status(row[6])
        return StoredArticle(
            id=row[0], slug=row[1], question=row[2], audience=row[3], context=row[4], follows=row[5],
            status=status, version=row[7], created=row[8], updated=row[9], corpus_version=row[10],
            settings_hash=row[11], version_created=row[12], article=json.loads(row[13]),
            reviewers=tuple(reviewers), approved_at=approved_at if status is Status.APPROVED else None,
        )

    def list_articles(self, status: Status | str | None = None, limit: int = 50, offset: int = 0) -> list[ArticleSummary]:
        sql = "SELECT id, slug, question, audience, status, version, updated FROM articles"
        args: list[Any] = []
        if status:
            sql += " WHERE status=?"
            args.append(Status(status).value)
        sql += " ORDER BY updated DESC, id LIMIT ? OFFSET ?"
        return [ArticleSummary(r[0], r[1], r[2], r[3], Status(r[4]), r[5], r[6])
                for r in self._reader().execute(sql, [*args, limit, offset])]

    def search(self, query: str, limit: int = 20) -> list[ArticleSummary]:
        """Stored answers whose question contains every word of ``query``."""
        words = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in normalize(query).split()]
        if not words:
            return []
        where = " AND ".join("question_norm LIKE ? ESCAPE '\\'" for _ in words)
        rows = self._reader().execute(
            "SELECT id, slug, question, audience, status, version, updated FROM articles"
            f" WHERE {where} ORDER BY updated DESC LIMIT ?", [*(f"%{w}%" for w in words), limit],
        )
        return [ArticleSummary(r[0], r[1], r[2], r[3], Status(r[4]), r[5], r[6]) for r in rows]

    def events(self, article_id: str) -> list[ReviewEvent]:
        return [ReviewEvent(*r) for r in self._reader().execute(
            "SELECT seq, article_id, version, actor, action, from_status, to_status, note, at FROM events"
            " WHERE article_id=? ORDER BY seq", (article_id,))]

    def versions(self, article_id: str) -> list[VersionInfo]:
        return [VersionInfo(*r) for r in self._reader().execute(
            "SELECT version, corpus_version, settings_hash, content_hash, created, checked, reason FROM versions"
            " WHERE article_id=? ORDER BY version", (article_id,))]

    def version_article(self, article_id: str, version: int) -> dict[str, Any]:
        row = self._reader().execute(
            "SELECT article_json FROM versions WHERE article_id=? AND version=?", (article_id, version)
        ).fetchone()
        if row is None:
            raise ArticleNotFoundError(f"Answer {article_id!r} has no version {version}.")
        return json.loads(row[0])

    def count(self) -> int:
        return int(self._reader().execute("SELECT count(*) FROM articles").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            for conn in [*self._readers, self._conn]:
                conn.close()
            self._readers.clear()
