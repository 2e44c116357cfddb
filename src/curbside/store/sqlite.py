"""The embedded default store: one SQLite file in WAL mode, one writer at a time.

Every file's documents are replaced in one transaction, so a crash (even kill -9)
leaves either the old or the new version of that file, never half of it. Passage
rowids are never reused (AUTOINCREMENT), so an index entry can never point at the
wrong passage; the indexes catch up through ``index_state`` (see index/sync.py).

``doc_files`` records which files hold each document id (and the hash of each
file's version); ``documents.source_file`` is the one whose version is stored: the
file whose path sorts first. A document stays while any file holds it.

One fact, many copies: passages that are copies of each other (``copy_key``: the same
words, in the same section of documents with the same title, drugs, brands and
keywords, so that only who published them and when differ) form a group in
``copy_groups``, kept in the same transaction as the passages. One passage of each
group is its representative (``passages.rep`` = 1): the one of the fullest, then
newest document (``doc_rank``). The indexes hold only representatives, and a change of
representative marks both documents for re-indexing (``index_state``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from curbside.errors import CorruptStoreError, StoreError
from curbside.store.base import DuplicateId, FileChange, FileState
from curbside.types import (
    AlsoIn,
    Document,
    Passage,
    RecordError,
    SourceType,
    StoredPassage,
    content_hash,
)
from curbside.understanding.normalize import drug_key

SCHEMA_VERSION = 4
WRITE_CACHE_KB = 256 * 1024  # the writer's page cache (ingest); readers keep SQLite's default

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL, reader TEXT NOT NULL, n_docs INTEGER NOT NULL,
    n_errors INTEGER NOT NULL, ingested_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source_file TEXT NOT NULL, source_type TEXT NOT NULL,
    title TEXT NOT NULL, publisher TEXT NOT NULL, year INTEGER, date TEXT, url TEXT,
    drugs TEXT NOT NULL, brands TEXT NOT NULL, hash TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '[]', rank TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS documents_file ON documents(source_file);
CREATE TABLE IF NOT EXISTS doc_files (doc_id TEXT NOT NULL, file TEXT NOT NULL,
    hash TEXT NOT NULL, PRIMARY KEY (doc_id, file)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_files_file ON doc_files(file);
CREATE TABLE IF NOT EXISTS passages (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, passage_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL, section TEXT NOT NULL,
    section_code TEXT NOT NULL, text TEXT NOT NULL, hash TEXT NOT NULL,
    copy_key INTEGER NOT NULL DEFAULT 0, rep INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE TABLE IF NOT EXISTS doc_drugs (doc_id TEXT NOT NULL, drug_key TEXT NOT NULL,
    PRIMARY KEY (drug_key, doc_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_drugs_doc ON doc_drugs(doc_id);
CREATE TABLE IF NOT EXISTS record_errors (
    file TEXT NOT NULL, record TEXT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS record_errors_file ON record_errors(file);
CREATE TABLE IF NOT EXISTS index_state (
    name TEXT NOT NULL, doc_id TEXT NOT NULL, hash TEXT NOT NULL,
    PRIMARY KEY (name, doc_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS embeddings (
    hash TEXT NOT NULL, model_id TEXT NOT NULL, vec BLOB NOT NULL,
    PRIMARY KEY (model_id, hash)) WITHOUT ROWID;
"""

# on the columns of schema 4: made after an older store is migrated
_SCHEMA_4 = """
CREATE TABLE IF NOT EXISTS copy_groups (copy_key INTEGER PRIMARY KEY, rep INTEGER NOT NULL,
    rep_rank TEXT NOT NULL, size INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS passages_copy_key ON passages(copy_key);
CREATE INDEX IF NOT EXISTS passages_rep_doc ON passages(doc_id) WHERE rep = 1;
CREATE INDEX IF NOT EXISTS index_state_doc ON index_state(doc_id);
"""


def doc_rank(n_sections: int, year: int | None, doc_id: str) -> str:
    """A document's place among copies, as text that sorts best first: the fullest (most
    distinct sections), then the newest (year), then the smallest id. The engine reads
    a drug's labels in the same order."""
    return f"{max(0, 99999 - n_sections):05d}|{max(0, 9999 - (year or 0)):04d}|{doc_id}"


# a title a reader made up from the record's id ("PubMed abstract 123"): it names no subject
_ID_TITLE = re.compile(r"PubMed abstract \d+")


def subject(doc: Document) -> str:
    """What a document is about, as far as copies go: its title; for a record whose title
    is made from its id, all of its words (so only a copy of the whole record matches)."""
    if _ID_TITLE.fullmatch(doc.title):
        return "text:" + content_hash(*(" ".join(p.text.split()) for p in doc.passages))
    return doc.title


def copy_key(doc: Document, p: Passage, subject_: str | None = None) -> int:
    """The key passages that are copies of each other share: the words of the passage
    (whitespace aside) in the same section of a document of the same kind, subject
    (title), drugs, brands and keywords. Publisher, dates, URL and id are left out: they
    are what differs between copies. 60 bits of SHA-256. ``subject_``: the document's
    ``subject``, when already known."""
    h = content_hash(
        "copy-1", doc.source_type.value, subject(doc) if subject_ is None else subject_, p.section_code, p.section,
        "|".join(sorted(doc.drugs)), "|".join(sorted(b.casefold() for b in doc.brands)),
        "|".join(doc.keywords), " ".join(p.text.split()),
    )
    return int(h[:15], 16)

_PASSAGE_COLS = (
    "p.rowid, p.passage_id, p.doc_id, p.ordinal, p.section, p.section_code, p.text, "
    "d.source_type, d.title, d.publisher, d.year, d.date, d.url, d.drugs, d.keywords"
)


def _row_to_passage(r: tuple) -> StoredPassage:
    return StoredPassage(
        rowid=r[0],
        passage_id=r[1],
        doc_id=r[2],
        ordinal=r[3],
        section=r[4],
        section_code=r[5],
        text=r[6],
        source_type=SourceType(r[7]),
        title=r[8],
        publisher=r[9],
        year=r[10],
        date=r[11],
        url=r[12],
        drugs=tuple(json.loads(r[13])),
        keywords=tuple(json.loads(r[14])),
    )


def _open_error(path: Path, e: sqlite3.DatabaseError) -> StoreError:
    """A damaged file, or one without the store's tables, is named as such (the fix is
    to rebuild it); anything else (locked, unreadable) as a store that cannot be opened."""
    if not isinstance(e, sqlite3.OperationalError) or "no such table" in str(e):
        return CorruptStoreError(
            f"The store at {path} is damaged or is not a curbside store ({e}).",
            fix=f"Move {path.name} (and any {path.name}-wal, {path.name}-shm) out of {path.parent} and run "
                "`curbside ingest` again to rebuild it; stored answers (editorial.sqlite) are kept.",
        )
    return StoreError(
        f"Cannot open the store at {path}: {e}.",
        fix="Remove the data folder and run `curbside ingest` again.",
    )


def _immutable(path: Path) -> bool:
    """True when the store lies in a folder this process cannot write (a read-only mount
    shared by app instances) and holds no write-ahead log: SQLite then opens it as an
    unchanging file (no -shm or lock needed, which it could not create there). A store
    whose log still holds changes is opened as usual (its -shm file is there too)."""
    folder = path.parent
    if os.access(folder, os.W_OK):
        return False
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False


class SQLiteStore:
    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        try:
            if readonly:
                uri = f"file:{self.path}?mode=ro" + ("&immutable=1" if _immutable(self.path) else "")
                self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
                # SQLite reads the file on first use: read it now, so a damaged store
                # is named here rather than by the first question
                row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if row is not None and row[0] != str(SCHEMA_VERSION):
                    self.conn.close()
                    raise StoreError(
                        f"The store at {self.path} has schema {row[0]}, this curbside reads {SCHEMA_VERSION}.",
                        fix="Run `curbside ingest` once to bring it up to date (an older store is migrated "
                            "in place; files are not read again).",
                    )
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
                # a full dump's indexes (passage ids, documents, copy keys) outgrow SQLite's
                # default 2 MB page cache: each insert then reads its index pages again
                self.conn.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KB}")
                self.conn.executescript(_SCHEMA)
                self._check_version()
                self.conn.executescript(_SCHEMA_4)
        except sqlite3.DatabaseError as e:
            if getattr(self, "conn", None) is not None:
                self.conn.close()
            raise _open_error(self.path, e) from e

    def _check_version(self) -> None:
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self.conn.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            return
        version = int(row[0])
        if version == 1:
            self._migrate_1_to_2()
            version = 2
        if version == 2:
            self._migrate_2_to_3()
            version = 3
        if version == 3:
            self._migrate_3_to_4()
        elif version != SCHEMA_VERSION:
            raise StoreError(
                f"The store at {self.path} has schema {row[0]}, this curbside needs {SCHEMA_VERSION}.",
                fix="Remove the data folder and run `curbside ingest` again.",
            )

    def _migrate_1_to_2(self) -> None:
        """Version 2 keeps the keywords (MeSH) a source assigns. Files are forgotten so
        the next ingest reads them again; documents whose content is the same keep
        their passages and rowids."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            cols = {r[1] for r in c.execute("PRAGMA table_info(documents)")}
            if "keywords" not in cols:
                c.execute("ALTER TABLE documents ADD COLUMN keywords TEXT NOT NULL DEFAULT '[]'")
            c.execute("DELETE FROM files")
            c.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def _migrate_2_to_3(self) -> None:
        """Version 3 records every file holding a document id (doc_files; version 2
        knew only the file whose version was stored, and lost a document when that
        file dropped it). Each document starts as held by its stored file, and files
        are forgotten so the next ingest reads them again and learns the rest."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute(
                "INSERT OR IGNORE INTO doc_files(doc_id, file, hash)"
                " SELECT doc_id, source_file, hash FROM documents"
            )
            c.execute("DELETE FROM files")
            c.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def _migrate_3_to_4(self) -> None:
        """Version 4 groups passages that are copies of each other (copy_key, rep,
        copy_groups, documents.rank). Computed here from the stored documents, in one
        transaction; no file is read again. The lexical index is marked for a rebuild
        (it now holds representatives only)."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            pcols = {r[1] for r in c.execute("PRAGMA table_info(passages)")}
            if "copy_key" not in pcols:
                c.execute("ALTER TABLE passages ADD COLUMN copy_key INTEGER NOT NULL DEFAULT 0")
                c.execute("ALTER TABLE passages ADD COLUMN rep INTEGER NOT NULL DEFAULT 1")
            if "rank" not in {r[1] for r in c.execute("PRAGMA table_info(documents)")}:
                c.execute("ALTER TABLE documents ADD COLUMN rank TEXT NOT NULL DEFAULT ''")
            for stmt in _SCHEMA_4.split(";"):
                if stmt.strip():
                    c.execute(stmt)
            c.execute("DELETE FROM copy_groups")
            docs = c.execute(
                "SELECT doc_id, source_type, title, publisher, year, date, url, drugs, brands, keywords"
                " FROM documents ORDER BY doc_id"
            ).fetchall()
            for i in range(0, len(docs), 500):
                chunk = docs[i : i + 500]
                by_id = {r[0]: r for r in chunk}
                rows: dict[str, list[tuple[int, str, str, str]]] = {}
                marks = ",".join("?" * len(chunk))
                for rowid, doc_id, section, code, text in c.execute(
                    f"SELECT rowid, doc_id, section, section_code, text FROM passages WHERE doc_id IN ({marks})"
                    " ORDER BY rowid", list(by_id),
                ):
                    rows.setdefault(doc_id, []).append((rowid, section, code, text))
                keys: list[tuple[int, int]] = []
                ranks: list[tuple[str, str]] = []
                for doc_id, r in by_id.items():
                    ps = rows.get(doc_id, [])
                    doc = Document(doc_id, SourceType(r[1]), r[2], r[3], r[4], r[5], r[6],
                                   tuple(json.loads(r[7])), tuple(json.loads(r[8])),
                                   tuple(Passage(sec, code, text) for _, sec, code, text in ps), "",
                                   tuple(json.loads(r[9])))
                    about = subject(doc)
                    keys.extend((copy_key(doc, p, about), rowid) for (rowid, *_), p in zip(ps, doc.passages))
                    ranks.append((doc_rank(len({code for _, _, code, _ in ps}), r[4], doc_id), doc_id))
                c.executemany("UPDATE passages SET copy_key=? WHERE rowid=?", keys)
                c.executemany("UPDATE documents SET rank=? WHERE doc_id=?", ranks)
            c.execute("UPDATE passages SET rep=0")
            groups = c.execute(
                "SELECT copy_key, rowid, rank, size FROM (SELECT p.copy_key, p.rowid, d.rank,"
                " count(*) OVER (PARTITION BY p.copy_key) AS size,"
                " row_number() OVER (PARTITION BY p.copy_key ORDER BY d.rank, p.rowid) AS n"
                " FROM passages p JOIN documents d USING(doc_id)) WHERE n = 1"
            ).fetchall()
            c.executemany("INSERT INTO copy_groups(copy_key, rep, rep_rank, size) VALUES (?,?,?,?)", groups)
            c.executemany("UPDATE passages SET rep=1 WHERE rowid=?", [(g[1],) for g in groups])
            c.execute("DELETE FROM index_state")  # every index is rebuilt from representatives
            c.execute("UPDATE meta SET value='4' WHERE key='schema_version'")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    # ---- files -------------------------------------------------------------------
    def file_state(self, path: str) -> FileState | None:
        r = self.conn.execute(
            "SELECT path, size, mtime_ns, sha256, reader, n_docs, n_errors FROM files WHERE path=?",
            (path,),
        ).fetchone()
        return FileState(*r) if r else None

    def touch_file(self, state: FileState) -> None:
        """Record a file whose content is unchanged (new mtime only)."""
        self.conn.execute(
            "UPDATE files SET size=?, mtime_ns=? WHERE path=?",
            (state.size, state.mtime_ns, state.path),
        )

    def replace_file(
        self, state: FileState, docs: Sequence[Document], errors: Sequence[RecordError]
    ) -> FileChange:
        """Atomically make ``docs`` the documents this file holds: new and changed
        documents are (re)written, unchanged ones are left alone, and the file's error
        list is replaced. A document id several files hold is stored in the version of
        the file whose path sorts first (see DuplicateId); a document the file no
        longer holds is removed only when no other file holds it."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            held = {d for (d,) in c.execute("SELECT doc_id FROM doc_files WHERE file=?", (state.path,))}
            counts = {"added": 0, "changed": 0, "unchanged": 0, "removed": 0}
            duplicates: list[DuplicateId] = []
            reread: set[str] = set()
            seen: set[str] = set()
            for doc in docs:
                if doc.doc_id in seen:  # a repeated record within one file: first wins
                    continue
                seen.add(doc.doc_id)
                outcome, duplicate = self._hold(doc, state.path)
                if outcome:
                    counts[outcome] += 1
                if duplicate:
                    duplicates.append(duplicate)
            for doc_id in sorted(held - seen):
                removed, again = self._release(doc_id, state.path)
                counts["removed"] += removed
                reread.update(again)
            c.execute("DELETE FROM record_errors WHERE file=?", (state.path,))
            c.executemany(
                "INSERT INTO record_errors(file, record, reason) VALUES (?,?,?)",
                [(e.file, e.record, e.reason) for e in errors],
            )
            c.execute(
                "INSERT OR REPLACE INTO files(path, size, mtime_ns, sha256, reader, n_docs, n_errors)"
                " VALUES (?,?,?,?,?,?,?)",
                (
                    state.path,
                    state.size,
                    state.mtime_ns,
                    state.sha256,
                    state.reader,
                    len(seen),
                    len(errors),
                ),
            )
            c.execute("DELETE FROM meta WHERE key='corpus_version'")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return FileChange(**counts, duplicates=tuple(duplicates), reread=tuple(sorted(reread)))

    def _holders(self, doc_id: str) -> list[str]:
        """The files holding ``doc_id``, sorted: the first one's version is stored."""
        return [f for (f,) in self.conn.execute(
            "SELECT file FROM doc_files WHERE doc_id=? ORDER BY file", (doc_id,)
        )]

    def _hold(self, doc: Document, path: str) -> tuple[str | None, DuplicateId | None]:
        """Record that ``path`` holds ``doc`` and store this version when ``path`` is
        the first of its holders. Returns what happened to the stored document
        ("added", "changed", "unchanged", or None when another file's version is
        used) and the duplicate when other files hold the id too."""
        c = self.conn
        h = doc.hash
        c.execute(
            "INSERT OR REPLACE INTO doc_files(doc_id, file, hash) VALUES (?,?,?)", (doc.doc_id, path, h)
        )
        holders = self._holders(doc.doc_id)
        duplicate = DuplicateId(doc.doc_id, holders[0], tuple(holders[1:])) if len(holders) > 1 else None
        if holders[0] != path:
            return None, duplicate
        stored = c.execute("SELECT hash, source_file FROM documents WHERE doc_id=?", (doc.doc_id,)).fetchone()
        if stored is not None and stored[0] == h:
            if stored[1] != path:
                c.execute("UPDATE documents SET source_file=? WHERE doc_id=?", (path, doc.doc_id))
            return "unchanged", duplicate
        self._delete_doc(doc.doc_id)
        self._insert_doc(doc, path, h)
        return ("added" if stored is None else "changed"), duplicate

    def _release(self, doc_id: str, path: str) -> tuple[int, tuple[str, ...]]:
        """``path`` no longer holds ``doc_id``: the document goes when no other file
        holds it. When the stored version was this file's and another file holds the
        id, the stored version stays (nothing is lost meanwhile) and, unless it is the
        same as that file's, the file is marked to be read again so its version
        replaces it. Returns (documents removed, files to read again)."""
        c = self.conn
        c.execute("DELETE FROM doc_files WHERE doc_id=? AND file=?", (doc_id, path))
        stored = c.execute("SELECT hash, source_file FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        if stored is None or stored[1] != path:
            return 0, ()
        holders = self._holders(doc_id)
        if not holders:
            self._delete_doc(doc_id)
            return 1, ()
        heir = holders[0]
        c.execute("UPDATE documents SET source_file=? WHERE doc_id=?", (heir, doc_id))
        (heir_hash,) = c.execute(
            "SELECT hash FROM doc_files WHERE doc_id=? AND file=?", (doc_id, heir)
        ).fetchone()
        if heir_hash == stored[0]:
            return 0, ()
        # a size no file has: the next ingest hashes the file, finds no match, reads it
        c.execute("UPDATE files SET size=-1, sha256='' WHERE path=?", (heir,))
        return 0, (heir,)

    def _delete_doc(self, doc_id: str) -> None:
        c = self.conn
        self._leave_groups(doc_id)
        c.execute("DELETE FROM passages WHERE doc_id=?", (doc_id,))
        c.execute("DELETE FROM doc_drugs WHERE doc_id=?", (doc_id,))
        c.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))

    def _insert_doc(self, doc: Document, source_file: str, h: str) -> None:
        c = self.conn
        rank = doc_rank(len({p.section_code for p in doc.passages}), doc.year, doc.doc_id)
        c.execute(
            "INSERT INTO documents(doc_id, source_file, source_type, title, publisher, year,"
            " date, url, drugs, brands, hash, keywords, rank) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.doc_id,
                source_file,
                doc.source_type.value,
                doc.title,
                doc.publisher,
                doc.year,
                doc.date,
                doc.url,
                json.dumps(list(doc.drugs)),
                json.dumps(list(doc.brands)),
                h,
                json.dumps(list(doc.keywords)),
                rank,
            ),
        )
        keys = {k for k in (drug_key(d) for d in doc.drugs) if k}
        c.executemany(
            "INSERT OR IGNORE INTO doc_drugs(doc_id, drug_key) VALUES (?,?)",
            [(doc.doc_id, k) for k in sorted(keys)],
        )
        about = subject(doc)
        c.executemany(
            "INSERT INTO passages(passage_id, doc_id, ordinal, section, section_code, text, hash, copy_key, rep)"
            " VALUES (?,?,?,?,?,?,?,?,0)",
            [
                (f"{doc.doc_id}#{i}", doc.doc_id, i, p.section, p.section_code, p.text, p.hash, copy_key(doc, p, about))
                for i, p in enumerate(doc.passages)
            ],
        )
        self._join_groups(doc.doc_id, rank)

    # ---- copies ------------------------------------------------------------------
    def _groups(self, keys: Sequence[int]) -> dict[int, list]:
        """copy_key -> [rep rowid, rep's document rank, size] of the existing groups."""
        out: dict[int, list] = {}
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for key, rep, rank, size in self.conn.execute(
                f"SELECT copy_key, rep, rep_rank, size FROM copy_groups WHERE copy_key IN ({marks})", chunk
            ):
                out[key] = [rep, rank, size]
        return out

    def _reindex(self, rowids: Iterable[int]) -> None:
        """The documents of these passages changed representatives: their index entries
        are redone at the next index sync."""
        ids = list(rowids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            self.conn.execute(
                f"DELETE FROM index_state WHERE doc_id IN (SELECT doc_id FROM passages WHERE rowid IN ({marks}))",
                chunk,
            )

    def _join_groups(self, doc_id: str, rank: str) -> None:
        """The new document's passages join their copies' groups (or start their own);
        each becomes its group's representative when its document ranks before the
        current one's (doc_rank; within a document, the earlier passage)."""
        c = self.conn
        rows = c.execute("SELECT rowid, copy_key FROM passages WHERE doc_id=? ORDER BY rowid", (doc_id,)).fetchall()
        groups = self._groups(sorted({k for _, k in rows}))
        new: set[int] = set()
        lost: set[int] = set()
        for rowid, key in rows:
            g = groups.get(key)
            if g is None:
                groups[key] = [rowid, rank, 1]
                new.add(rowid)
                continue
            g[2] += 1
            if (rank, rowid) < (g[1], g[0]):
                if g[0] in new:
                    new.discard(g[0])
                else:
                    lost.add(g[0])
                g[0], g[1] = rowid, rank
                new.add(rowid)
        touched = {k for _, k in rows}
        c.executemany(
            "INSERT OR REPLACE INTO copy_groups(copy_key, rep, rep_rank, size) VALUES (?,?,?,?)",
            [(k, *groups[k]) for k in sorted(touched)],
        )
        c.executemany("UPDATE passages SET rep=1 WHERE rowid=?", [(r,) for r in sorted(new)])
        if lost:
            self._reindex(lost)
            c.executemany("UPDATE passages SET rep=0 WHERE rowid=?", [(r,) for r in sorted(lost)])

    def _leave_groups(self, doc_id: str) -> None:
        """The document's passages leave their groups (before they are deleted): an
        emptied group goes; a group whose representative leaves elects the best
        remaining copy (doc_rank), whose document is then re-indexed."""
        c = self.conn
        rows = c.execute("SELECT rowid, copy_key FROM passages WHERE doc_id=?", (doc_id,)).fetchall()
        leaving: dict[int, set[int]] = {}
        for rowid, key in rows:
            leaving.setdefault(key, set()).add(rowid)
        groups = self._groups(sorted(leaving))
        elected: list[int] = []
        for key, rowids in sorted(leaving.items()):
            g = groups.get(key)
            if g is None:
                continue
            size = g[2] - len(rowids)
            if size <= 0:
                c.execute("DELETE FROM copy_groups WHERE copy_key=?", (key,))
                continue
            rep, rank = g[0], g[1]
            if rep in rowids:
                best = c.execute(
                    "SELECT p.rowid, d.rank FROM passages p JOIN documents d USING(doc_id)"
                    " WHERE p.copy_key=? AND p.doc_id != ? ORDER BY d.rank, p.rowid LIMIT 1",
                    (key, doc_id),
                ).fetchone()
                if best is None:  # a group that counted more than it holds: nothing else to elect
                    c.execute("DELETE FROM copy_groups WHERE copy_key=?", (key,))
                    continue
                rep, rank = best
                elected.append(rep)
            c.execute("UPDATE copy_groups SET rep=?, rep_rank=?, size=? WHERE copy_key=?", (rep, rank, size, key))
        if elected:
            c.executemany("UPDATE passages SET rep=1 WHERE rowid=?", [(r,) for r in elected])
            self._reindex(elected)

    def forget_files(self, keep: Iterable[str], under: str, *, spare: Iterable[str] = ()) -> FileChange:
        """Forget the files below ``under`` that are not in ``keep`` nor below a path in
        ``spare`` (a folder that could not be listed: its files may still be there),
        one transaction each, as if they held nothing: their documents go unless
        another file holds them. Files are found both among file states and among
        document holders, so a file whose state was forgotten (readers changed) is
        still found. Returns the documents removed and the files to read again."""
        keep_set = set(keep)
        spared = list(spare)

        def below(p: str, folder: str) -> bool:
            return p == folder or p.startswith(folder.rstrip("/") + "/")

        gone = [
            p
            for (p,) in self.conn.execute("SELECT path FROM files UNION SELECT file FROM doc_files")
            if below(p, under) and p not in keep_set and not any(below(p, s) for s in spared)
        ]
        removed = 0
        reread: set[str] = set()
        for path in gone:
            c = self.conn
            c.execute("BEGIN IMMEDIATE")
            try:
                for (doc_id,) in c.execute(
                    "SELECT doc_id FROM doc_files WHERE file=? ORDER BY doc_id", (path,)
                ).fetchall():
                    n, again = self._release(doc_id, path)
                    removed += n
                    reread.update(again)
                c.execute("DELETE FROM record_errors WHERE file=?", (path,))
                c.execute("DELETE FROM files WHERE path=?", (path,))
                c.execute("DELETE FROM meta WHERE key='corpus_version'")
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return FileChange(removed=removed, reread=tuple(sorted(reread - set(gone))))

    # ---- reads -------------------------------------------------------------------
    def passages(self, rowids: Sequence[int]) -> list[StoredPassage]:
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        rows = self.conn.execute(
            f"SELECT {_PASSAGE_COLS} FROM passages p JOIN documents d USING(doc_id)"
            f" WHERE p.rowid IN ({marks})",
            list(rowids),
        ).fetchall()
        by_id = {r[0]: _row_to_passage(r) for r in rows}
        return [by_id[i] for i in rowids if i in by_id]

    def passages_of_docs(self, doc_ids: Sequence[str], *, reps_only: bool = False) -> Iterator[StoredPassage]:
        """The passages of these documents in storage order; with ``reps_only``, only
        those that represent their copies (what the indexes hold)."""
        rep = " AND p.rep = 1" if reps_only else ""
        for i in range(0, len(doc_ids), 500):
            chunk = list(doc_ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(
                f"SELECT {_PASSAGE_COLS} FROM passages p JOIN documents d USING(doc_id)"
                f" WHERE p.doc_id IN ({marks}){rep} ORDER BY p.rowid",
                chunk,
            ):
                yield _row_to_passage(r)

    def texts_by_passage_id(self, passage_ids: Sequence[str]) -> dict[str, str]:
        """passage_id -> current text, for the ids that still exist (living answers:
        editorial/living.py compares an approved answer's cited passages with these)."""
        out: dict[str, str] = {}
        ids = list(dict.fromkeys(passage_ids))
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            out.update(self.conn.execute(
                f"SELECT passage_id, text FROM passages WHERE passage_id IN ({marks})", chunk
            ).fetchall())
        return out

    def rowids_for_drug(self, key: str) -> list[int]:
        """Rowids of the representative passages of the documents about the drug
        ``key`` (a copy's rowid is in no index)."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT p.rowid FROM doc_drugs k JOIN passages p INDEXED BY passages_rep_doc"
                " ON p.doc_id = k.doc_id AND p.rep = 1 WHERE k.drug_key=? ORDER BY p.rowid",
                (key,),
            )
        ]

    def label_passages(self, keys: Sequence[str], max_documents: int) -> list[StoredPassage]:
        """The representative passages of the drug labels about any of the drugs
        ``keys``: of the ``max_documents`` fullest, then newest labels that have any
        (doc_rank), document by document in that order, each in its own order. Copies
        are left out, so the cost follows the distinct label texts, not the copies."""
        if not keys or max_documents <= 0:
            return []
        marks = ",".join("?" * len(keys))
        docs = [r[0] for r in self.conn.execute(
            "SELECT DISTINCT d.doc_id, d.rank FROM doc_drugs k JOIN documents d ON d.doc_id = k.doc_id"
            f" WHERE k.drug_key IN ({marks}) AND d.source_type = ? AND EXISTS (SELECT 1 FROM passages p"
            " INDEXED BY passages_rep_doc WHERE p.doc_id = d.doc_id AND p.rep = 1) ORDER BY d.rank LIMIT ?",
            (*keys, SourceType.DRUG_LABEL.value, max_documents),
        )]
        if not docs:
            return []
        order = {d: i for i, d in enumerate(docs)}
        ps = list(self.passages_of_docs(docs, reps_only=True))
        return sorted(ps, key=lambda p: (order[p.doc_id], p.ordinal))

    def copies_of(self, passage_ids: Sequence[str], limit: int) -> dict[str, tuple[int, tuple[AlsoIn, ...]]]:
        """passage_id -> (how many other documents hold a copy of the passage, the first
        ``limit`` of them: fullest, then newest first), for the passages that have
        copies in other documents."""
        out: dict[str, tuple[int, tuple[AlsoIn, ...]]] = {}
        for pid in dict.fromkeys(passage_ids):
            row = self.conn.execute("SELECT copy_key, doc_id FROM passages WHERE passage_id=?", (pid,)).fetchone()
            if row is None:
                continue
            key, own = row
            holders: dict[str, AlsoIn] = {}
            n = 0
            for doc_id, passage_id, title, publisher, year, url in self.conn.execute(
                "SELECT d.doc_id, min(p.passage_id), d.title, d.publisher, d.year, d.url FROM passages p"
                " JOIN documents d USING(doc_id) WHERE p.copy_key=? AND p.doc_id != ? GROUP BY d.doc_id"
                " ORDER BY d.rank",
                (key, own),
            ):
                n += 1
                if len(holders) < limit:
                    holders[doc_id] = AlsoIn(doc_id, passage_id, title, publisher, year, url)
            if n:
                out[pid] = (n, tuple(holders.values()))
        return out

    def label_drug_names(self, max_generics: int | None = None) -> Iterator[tuple[str, list[str]]]:
        """(generic, brands) pairs as the drug labels themselves state them; with
        ``max_generics``, only of labels naming at most that many generics."""
        for drugs, brands in self.conn.execute(
            "SELECT drugs, brands FROM documents WHERE source_type=?",
            (SourceType.DRUG_LABEL.value,),
        ):
            b = json.loads(brands)
            generics = json.loads(drugs)
            if max_generics is None or len(generics) <= max_generics:
                for g in generics:
                    yield g, b

    def label_texts_without_brand(self) -> Iterator[tuple[list[str], str]]:
        """(generics, passage text) of the indications and contraindications passages of
        labels that state no brand name (their text may: "OCELLA is contraindicated")."""
        for drugs, text in self.conn.execute(
            "SELECT d.drugs, p.text FROM documents d JOIN passages p ON p.doc_id = d.doc_id "
            "WHERE d.source_type=? AND d.brands='[]' "
            "AND p.section_code IN ('indications', 'contraindications')",
            (SourceType.DRUG_LABEL.value,),
        ):
            yield json.loads(drugs), text

    def patient_topic_names(self) -> Iterator[list[str]]:
        """[title, synonym, ...] of each patient-information document whose source names
        its topic's synonyms (MedQuAD: "Gastroenteritis", "Stomach flu")."""
        for title, keywords in self.conn.execute(
            "SELECT title, keywords FROM documents WHERE source_type=? AND keywords != '[]'",
            (SourceType.PATIENT_INFO.value,),
        ):
            yield [title, *json.loads(keywords)]

    def first_answers(self, source_type: SourceType, question_prefix: str) -> Iterator[tuple[str, ...]]:
        """(doc_id, title, publisher, url or "", keywords JSON, question, text) of the first passage of
        each answer of ``source_type`` documents whose question (a passage's section)
        starts with ``question_prefix``: MedQuAD's "What is (are) X ?" pages, whose
        first sentence says what X is (the glossary, understanding/glossary_build.py)."""
        for row in self.conn.execute(
            "SELECT d.doc_id, d.title, d.publisher, coalesce(d.url, ''), d.keywords, p.section, p.text"
            " FROM passages p"
            " JOIN documents d USING(doc_id) WHERE d.source_type=? AND p.section LIKE ? ESCAPE '\\'"
            " AND p.rowid = (SELECT min(q.rowid) FROM passages q WHERE q.doc_id = p.doc_id"
            " AND q.section = p.section) ORDER BY d.doc_id, p.rowid",
            (source_type.value, question_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"),
        ):
            yield tuple(row)

    def passage_texts(self) -> Iterator[str]:
        """The text of every representative passage (copies once), in storage order."""
        for (text,) in self.conn.execute("SELECT text FROM passages WHERE rep = 1"):
            yield text

    def drug_keys(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT DISTINCT drug_key FROM doc_drugs")}

    def meta_value(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta_value(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def forget_file_states(self, *, readers_version: str) -> None:
        """Make ingest read every file again (documents stay as they are), and record
        the readers version that will read them, in one transaction."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute("DELETE FROM files")
            self.set_meta_value("readers_version", readers_version)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def corpus_version(self) -> str:
        stored = self.meta_value("corpus_version")
        if stored is not None:
            return stored
        h = hashlib.sha256()
        for doc_id, dh in self.conn.execute("SELECT doc_id, hash FROM documents ORDER BY doc_id"):
            h.update(f"{doc_id}:{dh}\n".encode())
        version = h.hexdigest()[:12]
        if not self.readonly:
            self.set_meta_value("corpus_version", version)
        return version

    def newest_date(self, doc_ids: Sequence[str]) -> str | None:
        if not doc_ids:
            return None
        marks = ",".join("?" * len(doc_ids))
        row = self.conn.execute(
            f"SELECT max(coalesce(date, CAST(year AS TEXT))) FROM documents WHERE doc_id IN ({marks})",
            list(doc_ids),
        ).fetchone()
        return row[0] if row else None

    def newest_year(self) -> int | None:
        """The year of the corpus's newest dated document (None when none is dated)."""
        row = self.conn.execute("SELECT max(year) FROM documents").fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def counts(self) -> dict[str, int]:
        c = self.conn
        return {
            "files": c.execute("SELECT count(*) FROM files").fetchone()[0],
            "documents": c.execute("SELECT count(*) FROM documents").fetchone()[0],
            "passages": c.execute("SELECT count(*) FROM passages").fetchone()[0],
            "copies": c.execute("SELECT count(*) FROM passages WHERE rep = 0").fetchone()[0],
            "record_errors": c.execute("SELECT count(*) FROM record_errors").fetchone()[0],
        }

    def errors(self, limit: int = 50) -> list[RecordError]:
        return [
            RecordError(*r)
            for r in self.conn.execute(
                "SELECT file, record, reason FROM record_errors ORDER BY file LIMIT ?", (limit,)
            )
        ]

    # ---- index bookkeeping -------------------------------------------------------
    def index_diff(self, name: str) -> tuple[list[str], list[str]]:
        """(doc_ids to (re)index, doc_ids to delete) for the index called ``name``."""
        stale = [
            r[0]
            for r in self.conn.execute(
                "SELECT d.doc_id FROM documents d LEFT JOIN index_state s"
                " ON s.name=? AND s.doc_id=d.doc_id WHERE s.hash IS NULL OR s.hash != d.hash",
                (name,),
            )
        ]
        gone = [
            r[0]
            for r in self.conn.execute(
                "SELECT s.doc_id FROM index_state s LEFT JOIN documents d ON d.doc_id=s.doc_id"
                " WHERE s.name=? AND d.doc_id IS NULL",
                (name,),
            )
        ]
        return stale, gone

    def mark_indexed(self, name: str, doc_ids: Sequence[str], gone: Sequence[str]) -> None:
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.executemany(
                "DELETE FROM index_state WHERE name=? AND doc_id=?", [(name, d) for d in gone]
            )
            for i in range(0, len(doc_ids), 500):
                chunk = list(doc_ids[i : i + 500])
                marks = ",".join("?" * len(chunk))
                c.execute(
                    f"INSERT OR REPLACE INTO index_state(name, doc_id, hash) SELECT ?, doc_id, hash"
                    f" FROM documents WHERE doc_id IN ({marks})",
                    [name, *chunk],
                )
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    # ---- embeddings --------------------------------------------------------------
    def missing_embeddings(self, model_id: str, sources: Sequence[str]) -> list[tuple[str, str, str]]:
        """(hash, text, document title) of current representative passages of the given
        source types that have no vector for ``model_id`` (one row per distinct text)."""
        marks = ",".join("?" * len(sources))
        return self.conn.execute(
            "SELECT p.hash, min(p.text), min(d.title) FROM passages p JOIN documents d USING(doc_id)"
            " LEFT JOIN embeddings e ON e.model_id=? AND e.hash=p.hash"
            f" WHERE e.hash IS NULL AND p.rep = 1 AND d.source_type IN ({marks}) GROUP BY p.hash",
            (model_id, *sources),
        ).fetchall()

    def put_embeddings(self, model_id: str, items: Sequence[tuple[str, bytes]]) -> None:
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.executemany(
                "INSERT OR REPLACE INTO embeddings(hash, model_id, vec) VALUES (?,?,?)",
                [(h, model_id, v) for h, v in items],
            )
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def iter_embeddings(self, model_id: str, sources: Sequence[str]) -> Iterator[tuple[int, bytes]]:
        """(passage rowid, vector bytes) for every current representative passage of the
        given source types, in rowid order (a copy's vector is its representative's)."""
        marks = ",".join("?" * len(sources))
        yield from self.conn.execute(
            "SELECT p.rowid, e.vec FROM passages p JOIN documents d USING(doc_id)"
            " JOIN embeddings e ON e.model_id=? AND e.hash=p.hash"
            f" WHERE p.rep = 1 AND d.source_type IN ({marks}) ORDER BY p.rowid",
            (model_id, *sources),
        )

    def answered_questions(self, sources: Sequence[str]) -> list[tuple[int, str, str]]:
        """(rowid of the answer's first passage, question, document title) for every
        question of the given source types, where a passage's section is the question
        its text answers (a long answer spans several passages under one question)."""
        marks = ",".join("?" * len(sources))
        return self.conn.execute(
            "SELECT min(p.rowid), p.section, min(d.title) FROM passages p JOIN documents d"
            f" USING(doc_id) WHERE d.source_type IN ({marks}) GROUP BY p.doc_id, p.section"
            " ORDER BY 1",
            tuple(sources),
        ).fetchall()

    def embeddings_of(self, model_id: str, hashes: Sequence[str]) -> dict[str, bytes]:
        """The stored vectors of ``hashes`` (those that have one) for ``model_id``."""
        out: dict[str, bytes] = {}
        for i in range(0, len(hashes), 500):
            chunk = list(hashes[i : i + 500])
            marks = ",".join("?" * len(chunk))
            out.update(
                self.conn.execute(
                    f"SELECT hash, vec FROM embeddings WHERE model_id=? AND hash IN ({marks})",
                    [model_id, *chunk],
                ).fetchall()
            )
        return out

    def answer_passages(self, rowid: int) -> list[StoredPassage]:
        """Every passage of the answer ``rowid`` belongs to (same document, same
        section), in order; empty when the passage is gone."""
        row = self.conn.execute("SELECT doc_id, section FROM passages WHERE rowid=?", (rowid,)).fetchone()
        if row is None:
            return []
        return [
            _row_to_passage(r)
            for r in self.conn.execute(
                f"SELECT {_PASSAGE_COLS} FROM passages p JOIN documents d USING(doc_id)"
                " WHERE p.doc_id=? AND p.section=? ORDER BY p.ordinal",
                row,
            )
        ]

    def close(self) -> None:
        self.conn.close()
