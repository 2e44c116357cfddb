"""Stored answers, their versions and their review trail, in the editorial database
(db.py: SQLite by default, PostgreSQL when ``database_url`` names one).

Every write is one serialized transaction that re-reads the row it changes, so two
writers (server threads, instances, the CLI in another process) never lose each
other's update: a stale ``expected_version`` is refused with ``VersionConflictError``
and an action the current status does not allow with ``InvalidTransitionError``.
Every review action also lands in the audit log (audit.py) in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from curbside.editorial.audit import AuditLog
from curbside.editorial.conversations import Conversations
from curbside.editorial.db import Database, Tx, open_database
from curbside.editorial.edits import Edit, RefreshReference, apply_edit, norm_ws, unresolved_changes
from curbside.editorial.errors import ArticleNotFoundError, NotAllowedError, ReviewInputError, VersionConflictError
from curbside.editorial.library import LibraryPage, LibraryQuery, library_page
from curbside.editorial.models import SYSTEM, Actor, ArticleSummary, Reviewer, ReviewEvent, StoredArticle, VersionInfo
from curbside.editorial.schema import content_hash, utc_now
from curbside.editorial.slug import ID_CHARS, article_key, normalize, slugify
from curbside.editorial.workflow import Action, Status, clean_note, next_status, regenerable
from curbside.errors import StoreError

_REVIEW_ACTIONS = (Action.START.value, Action.APPROVE.value, Action.REQUEST_CHANGES.value, Action.REJECT.value)
_SUMMARY_COLS = "id, slug, question, audience, status, version, updated, question_type, reads, created"
_ARTICLE_COLS = (
    "a.id, a.slug, a.question, a.audience, a.context, a.follows, a.status, a.version, a.created,"
    " a.updated, v.corpus_version, v.settings_hash, v.created, v.article_json, v.author_id,"
    " a.question_type, a.reads, a.stale_sources"
)


# (version, author) of every version made by a person since the last approved version
# before the current one (or since version 1): none of them may approve the current one
_AUTHORS_SINCE_APPROVAL = (
    "SELECT version, author_id FROM versions WHERE article_id=? AND author_id IS NOT NULL AND version<=?"
    " AND version>COALESCE((SELECT max(version) FROM events WHERE article_id=? AND action='approve'"
    " AND version<?), 0)"
)


def article_terms(article: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, term) pairs the published library files an answer under."""
    ents = article.get("entities") or {}
    terms = {("drug", (d.get("generic") or d.get("text") or "").strip().lower()) for d in ents.get("drugs", [])}
    terms |= {("condition", (c.get("name") or c.get("text") or "").strip().lower()) for c in ents.get("conditions", [])}
    return sorted((k, t) for k, t in terms if t)


class EditorialRepository:
    def __init__(self, db: Database, *, clock: Callable[[], str] = utc_now) -> None:
        self.db = db
        self.clock = clock
        self.audit = AuditLog(db, clock=clock)
        self.conversations = Conversations(db, clock=clock)

    @classmethod
    def open(cls, database_url: str, data_dir: Path, *, clock: Callable[[], str] = utc_now) -> EditorialRepository:
        return cls(open_database(database_url, data_dir), clock=clock)

    @classmethod
    def for_data_dir(cls, data_dir: Path, *, clock: Callable[[], str] = utc_now) -> EditorialRepository:
        """The embedded default: SQLite in ``<data_dir>/editorial.sqlite``."""
        return cls.open("", data_dir, clock=clock)

    # ---- answers and versions --------------------------------------------------------
    def find(self, question: str, audience: str, context: str | None = None) -> StoredArticle | None:
        row = self.db.read_one("SELECT id FROM articles WHERE key=?", (article_key(question, audience, context),))
        return self.get(row[0]) if row else None

    def save_answer(
        self, question: str, audience: str, article: dict[str, Any], *, context: str | None = None,
        follows: str | None = None,
    ) -> tuple[StoredArticle, str]:
        """Store a freshly generated answer. Returns (article, outcome) where outcome is
        ``created``, ``unchanged`` (already stored for this corpus and settings),
        ``revalidated`` (same content on a new corpus: the check is recorded, review
        status kept), ``new_version`` (the content changed and the answer is still a
        generated one waiting for review: review restarts) or ``kept`` (the content
        changed but a person made the current version or the Board has acted on it:
        nothing is written; see ``regenerable``)."""
        key = article_key(question, audience, context)
        cv, sh, chash = article["corpus_version"], article["settings_hash"], content_hash(article)
        now = self.clock()
        with self.db.write() as c:
            row = c.one("SELECT id, version, status FROM articles WHERE key=?", (key,))
            if row is None:
                aid = self._new_id(c, key)
                c.execute(
                    "INSERT INTO articles(id, key, slug, question, question_norm, audience, context, follows,"
                    " status, version, created, updated, question_type) VALUES (?,?,?,?,?,?,?,?,?,1,?,?,?)",
                    (aid, key, slugify(article.get("question") or question), article.get("question") or question,
                     normalize(question), audience, context, follows, Status.SUBMITTED.value, now, now,
                     article.get("question_type") or ""),
                )
                self._insert_version(c, aid, 1, article, chash, now, "first answer", SYSTEM)
                self._set_terms(c, aid, article)
                self._event(c, aid, 1, SYSTEM, "submit", None, Status.SUBMITTED.value, f"Generated from corpus {cv}.",
                            now)
                outcome = "created"
            else:
                aid, ver, status = row
                cur = c.one(
                    "SELECT content_hash, corpus_version, settings_hash, author_id FROM versions"
                    " WHERE article_id=? AND version=?",
                    (aid, ver),
                )
                assert cur is not None
                if (cur[1], cur[2]) == (cv, sh):
                    outcome = "unchanged"
                elif cur[0] == chash:
                    c.execute(
                        "UPDATE versions SET corpus_version=?, settings_hash=?, checked=?, article_json=?"
                        " WHERE article_id=? AND version=?",
                        (cv, sh, now, json.dumps(article, ensure_ascii=False), aid, ver),
                    )
                    self._event(c, aid, ver, SYSTEM, "revalidate", status, status, f"Same content on corpus {cv}.", now)
                    outcome = "revalidated"
                elif regenerable(Status(status), cur[3]):
                    self._bump_version(c, aid, ver, status, article, chash, SYSTEM,
                                       f"Sources changed (corpus {cur[1]} -> {cv}).", now)
                    outcome = "new_version"
                else:
                    outcome = "kept"
        return self.get(aid), outcome

    def add_version(
        self, article_id: str, article: dict[str, Any], *, expected_version: int, actor: Actor, reason: str,
        action: str = "edit",
    ) -> StoredArticle:
        """A new version of an existing answer (an editor's edit); refused if the caller saw an
        older one. ``edit`` checks the reason first (edits.apply_edit: not empty, not too long)."""
        reason = norm_ws(reason)
        now = self.clock()
        with self.db.write() as c:
            ver, status = self._current(c, article_id)
            self._check_version(article_id, ver, expected_version)
            self._bump_version(c, article_id, ver, status, article, content_hash(article), actor, reason, now, action)
        return self.get(article_id)

    def _bump_version(self, c: Tx, aid: str, ver: int, status: str, article: dict[str, Any], chash: str,
                      actor: Actor, reason: str, now: str, action: str = "new_version") -> None:
        new = ver + 1
        self._insert_version(c, aid, new, article, chash, now, reason, actor)
        row = c.one("SELECT stale_sources FROM articles WHERE id=?", (aid,))
        stale = unresolved_changes(json.loads(row[0]) if row and row[0] else [], article)
        c.execute("UPDATE articles SET version=?, status=?, updated=?, stale_sources=? WHERE id=?",
                  (new, Status.SUBMITTED.value, now, json.dumps(stale, ensure_ascii=False) if stale else None, aid))
        self._set_terms(c, aid, article)
        self._event(c, aid, new, actor, action, status, Status.SUBMITTED.value, reason, now)

    @staticmethod
    def _insert_version(c: Tx, aid: str, ver: int, article: dict[str, Any], chash: str, now: str, reason: str,
                        actor: Actor) -> None:
        c.execute(
            "INSERT INTO versions(article_id, version, article_json, content_hash, corpus_version,"
            " settings_hash, created, checked, reason, author, author_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (aid, ver, json.dumps(article, ensure_ascii=False), chash, article["corpus_version"],
             article["settings_hash"], now, now, reason, actor.display_name, actor.id),
        )

    @staticmethod
    def _set_terms(c: Tx, aid: str, article: dict[str, Any]) -> None:
        c.execute("DELETE FROM article_terms WHERE article_id=?", (aid,))
        for kind, term in article_terms(article):
            c.execute("INSERT INTO article_terms(article_id, kind, term) VALUES (?,?,?)", (aid, kind, term))

    @staticmethod
    def _new_id(c: Tx, key: str) -> str:
        for n in range(ID_CHARS, len(key) + 1, 4):
            if c.one("SELECT 1 FROM articles WHERE id=?", (key[:n],)) is None:
                return key[:n]
        raise StoreError("Could not allocate an article id.", fix="Report this as a bug.")  # pragma: no cover

    # ---- review --------------------------------------------------------------------
    def transition(
        self, article_id: str, action: Action | str, actor: Actor, *, expected_version: int,
        note: str | None = None, client: str | None = None,
    ) -> StoredArticle:
        """Move the answer along the review track as ``actor`` (an authenticated user)."""
        act = action if isinstance(action, Action) else Action.parse(action)
        text = clean_note(note, act)
        now = self.clock()
        try:
            with self.db.write() as c:
                ver, status = self._current(c, article_id)
                self._check_version(article_id, ver, expected_version)
                new = next_status(Status(status), act)
                if act is Action.APPROVE:
                    self._check_approval(c, article_id, ver, actor, text)
                c.execute("UPDATE articles SET status=?, updated=? WHERE id=?", (new.value, now, article_id))
                self._event(c, article_id, ver, actor, act.value, status, new.value, text, now)
                self.audit.record(actor, f"review.{act.value}", target=f"{article_id}@v{ver}", detail=text,
                                  client=client, tx=c)
        except NotAllowedError as e:  # the refusal is logged after the transaction rolled back
            self.audit.record(actor, f"review.{act.value}", outcome="refused",
                              target=f"{article_id}@v{expected_version}",
                              detail=e.message, client=client)
            raise
        return self.get(article_id)

    @staticmethod
    def _check_approval(c: Tx, article_id: str, ver: int, actor: Actor, note: str | None) -> None:
        """Whoever made any version since the last approved one (or since the first, if
        none was approved) cannot approve: their change is part of what is approved, even
        when someone else made the newest version. A version that still quotes passages a
        re-ingest changed (``stale_sources``) is approved only with a comment saying why."""
        if actor.id is not None:
            made = [int(v) for v, author in c.all(_AUTHORS_SINCE_APPROVAL, (article_id, ver, article_id, ver))
                    if int(author) == actor.id]
            if made:
                raise NotAllowedError(
                    "You made this version, so you cannot be its approver." if ver in made else
                    f"You made a version of this answer (version {max(made)}) since it was last approved, so "
                    "you cannot approve it: your change is part of what would be approved.",
                    fix="Another member of the Medical Advisory Board must approve it.",
                )
        row = c.one("SELECT stale_sources FROM articles WHERE id=?", (article_id,))
        stale = json.loads(row[0]) if row and row[0] else []
        if stale and not note:
            raise ReviewInputError(
                f"This version still quotes {len(stale)} cited passage(s) that changed or were removed at "
                "re-ingest (the source diff on the review page); approving it as it is needs a comment.",
                fix="Say why the answer stands despite the changed sources (--note; API: \"note\"), or have an editor "
                    "take the sources' current text in or remove the statements first.",
            )

    def authors_since_approval(self, article_id: str, version: int) -> set[int]:
        """Accounts that made a version up to ``version`` (the current one) since the last
        approved one: none of them may approve it (``transition``)."""
        ver = int(version)
        return {int(a) for _, a in self.db.read(_AUTHORS_SINCE_APPROVAL, (article_id, ver, article_id, ver))}

    def mark_needs_rereview(self, article_id: str, changes: list[dict[str, Any]], *,
                            expected_version: int | None = None) -> bool:
        """An approved answer whose cited passages changed or vanished: flag it for the
        Board (status needs_rereview, the changes kept for the review page's diff).
        With ``expected_version``, only if that version is still the current one."""
        now = self.clock()
        with self.db.write() as c:
            ver, status = self._current(c, article_id)
            if status != Status.APPROVED.value or (expected_version is not None and ver != expected_version):
                return False
            c.execute("UPDATE articles SET status=?, updated=?, stale_sources=? WHERE id=?",
                      (Status.NEEDS_REREVIEW.value, now, json.dumps(changes, ensure_ascii=False), article_id))
            note = f"{len(changes)} cited passage(s) changed or removed at re-ingest."
            self._event(c, article_id, ver, SYSTEM, "stale", status, Status.NEEDS_REREVIEW.value, note, now)
            self.audit.record(SYSTEM, "review.stale", target=f"{article_id}@v{ver}", detail=note, tx=c)
        return True

    def edit(self, article_id: str, edit: Edit, actor: Actor, *, expected_version: int) -> StoredArticle:
        """An editor's edit (edits.py) of the version the editor read, stored as a new
        version by ``actor`` with the edit's reason; review restarts (submitted)."""
        stored = self.get(article_id)
        self._check_version(article_id, stored.version, expected_version)
        _check_refreshes(stored, edit)
        article = apply_edit(stored.article, edit, author=actor.label, at=self.clock())
        return self.add_version(article_id, article, expected_version=expected_version, actor=actor,
                                reason=edit.reason, action="edit")

    def add_reads(self, counts: Mapping[str, int]) -> None:
        """Add page reads counted in memory (web/reads.py) in one write."""
        items = [(int(n), aid) for aid, n in sorted(counts.items()) if n > 0]
        if not items:
            return
        with self.db.write() as c:
            for n, aid in items:
                c.execute("UPDATE articles SET reads=reads+? WHERE id=?", (n, aid))

    @staticmethod
    def _current(c: Tx, article_id: str) -> tuple[int, str]:
        row = c.one("SELECT version, status FROM articles WHERE id=?", (article_id,))
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
    def _event(c: Tx, aid: str, ver: int, actor: Actor, action: str, from_status: str | None,
               to_status: str, note: str | None, at: str) -> None:
        c.execute(
            "INSERT INTO events(article_id, version, actor, action, from_status, to_status, note, at, actor_id)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (aid, ver, actor.display_name, action, from_status, to_status, note, at, actor.id),
        )

    # ---- reads ---------------------------------------------------------------------
    def get(self, article_id: str) -> StoredArticle:
        row = self.db.read_one(
            f"SELECT {_ARTICLE_COLS} FROM articles a JOIN versions v ON v.article_id=a.id AND v.version=a.version"
            " WHERE a.id=?",
            (article_id,),
        )
        if row is None:
            raise ArticleNotFoundError(f"No stored answer has the id {article_id!r}.",
                                       fix="Ask the question again, or list answers with `curbside review list`.")
        marks = ",".join("?" * len(_REVIEW_ACTIONS))
        reviewers: list[Reviewer] = []
        approved_at = None
        for actor, credentials, action, at in self.db.read(
            "SELECT e.actor, u.credentials, e.action, e.at FROM events e LEFT JOIN users u ON u.id=e.actor_id"
            f" WHERE e.article_id=? AND e.version=? AND e.action IN ({marks}) ORDER BY e.seq",
            (article_id, row[7], *_REVIEW_ACTIONS),
        ):
            r = Reviewer(actor, credentials or "")
            if r not in reviewers:
                reviewers.append(r)
            if action == Action.APPROVE.value:
                approved_at = at
        status = Status(row[6])
        return StoredArticle(
            id=row[0], slug=row[1], question=row[2], audience=row[3], context=row[4], follows=row[5],
            status=status, version=row[7], created=row[8], updated=row[9], corpus_version=row[10],
            settings_hash=row[11], version_created=row[12], article=json.loads(row[13]),
            reviewed_by=tuple(reviewers), approved_at=approved_at if status is Status.APPROVED else None,
            version_author_id=row[14], question_type=row[15] or "", reads=int(row[16] or 0),
            stale_sources=tuple(json.loads(row[17])) if row[17] else (),
        )

    def list_articles(self, status: Status | str | Sequence[Status | str] | None = None, limit: int = 50,
                      offset: int = 0,
                      *, question_type: str | None = None, older_than: str | None = None,
                      order: str = "newest") -> list[ArticleSummary]:
        """Stored answers; the review queue filters by status, question type and age
        (``older_than``: created before this time) and sorts newest or most-read first.
        Answers that need re-review always come first."""
        sql = f"SELECT {_SUMMARY_COLS} FROM articles"
        where: list[str] = []
        args: list[Any] = []
        if isinstance(status, (list, tuple)):
            if status:
                where.append(f"status IN ({','.join('?' * len(status))})")
                args.extend(Status(x).value for x in status)
        elif status:
            where.append("status=?")
            args.append(Status(status).value)
        if question_type:
            where.append("question_type=?")
            args.append(question_type)
        if older_than:
            where.append("created<?")
            args.append(older_than)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rank = "CASE WHEN status='needs_rereview' THEN 0 ELSE 1 END"
        sql += f" ORDER BY {rank}, " + ("reads DESC, updated DESC, id" if order == "most_read" else "updated DESC, id")
        sql += " LIMIT ? OFFSET ?"
        return [self._summary(r) for r in self.db.read(sql, [*args, limit, offset])]

    @staticmethod
    def _summary(r: tuple[Any, ...]) -> ArticleSummary:
        return ArticleSummary(r[0], r[1], r[2], r[3], Status(r[4]), r[5], r[6], r[7] or "", int(r[8] or 0), r[9])

    def search(self, query: str, limit: int = 20, *, status: Status | str | None = None) -> list[ArticleSummary]:
        """Stored answers whose question contains every word of ``query``."""
        words = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in normalize(query).split()]
        if not words:
            return []
        where = " AND ".join("question_norm LIKE ? ESCAPE '\\'" for _ in words)
        args: list[Any] = [f"%{w}%" for w in words]
        if status:
            where += " AND status=?"
            args.append(Status(status).value)
        rows = self.db.read(f"SELECT {_SUMMARY_COLS} FROM articles WHERE {where} ORDER BY updated DESC LIMIT ?",
                            [*args, limit])
        return [self._summary(r) for r in rows]

    def events(self, article_id: str) -> list[ReviewEvent]:
        return [ReviewEvent(*r) for r in self.db.read(
            "SELECT seq, article_id, version, actor, action, from_status, to_status, note, at, actor_id FROM events"
            " WHERE article_id=? ORDER BY seq", (article_id,))]

    def versions(self, article_id: str) -> list[VersionInfo]:
        return [VersionInfo(*r) for r in self.db.read(
            "SELECT version, corpus_version, settings_hash, content_hash, created, checked, reason, author, author_id"
            " FROM versions WHERE article_id=? ORDER BY version", (article_id,))]

    def version_article(self, article_id: str, version: int) -> dict[str, Any]:
        row = self.db.read_one("SELECT article_json FROM versions WHERE article_id=? AND version=?",
                               (article_id, version))
        if row is None:
            raise ArticleNotFoundError(f"Answer {article_id!r} has no version {version}.")
        return json.loads(row[0])  # type: ignore[no-any-return]

    def approved_versions(self, *, after: str = "", limit: int = 100
                          ) -> list[tuple[str, int, dict[str, Any], tuple[dict[str, Any], ...]]]:
        """(id, version, article, stale_sources) of approved answers with id > ``after``,
        by id: the living-answers check (living.py) pages through them."""
        rows = self.db.read(
            "SELECT a.id, a.version, v.article_json, a.stale_sources FROM articles a"
            " JOIN versions v ON v.article_id=a.id AND v.version=a.version"
            " WHERE a.status=? AND a.id>? ORDER BY a.id LIMIT ?",
            (Status.APPROVED.value, after, limit),
        )
        return [(r[0], int(r[1]), json.loads(r[2]), tuple(json.loads(r[3])) if r[3] else ()) for r in rows]

    def library(self, query: LibraryQuery) -> LibraryPage:
        """The published library: approved answers by drug, condition, question type and
        words, with facet counts (library.py)."""
        return library_page(self.db, query)

    def count(self) -> int:
        row = self.db.read_one("SELECT count(*) FROM articles")
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.db.close()


def _check_refreshes(stored: StoredArticle, edit: Edit) -> None:
    """A reference's passage may only be replaced by the text a re-ingest recorded for it
    (``stale_sources``), never by text from a request: statements stay quoted from sources."""
    refs = {int(r["number"]): r for r in stored.article.get("references", [])}
    for op in edit.operations:
        if not isinstance(op, RefreshReference):
            continue
        pid = str((refs.get(op.reference) or {}).get("passage_id") or "")
        if not any(c.get("kind") == "changed" and str(c.get("passage_id")) == pid
                   and norm_ws(c.get("new") or "") == norm_ws(op.passage)
                   and op.passage_id in (None, c.get("new_passage_id"), pid)
                   for c in stored.stale_sources):
            raise ReviewInputError(
                f"Reference {op.reference} can only be refreshed to its source's current text, as recorded "
                "when the sources changed.",
                fix="Use the source diff of this answer (stale_sources); "
                    "run `curbside review recheck` after an ingest.",
            )
