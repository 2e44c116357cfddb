"""What the store's writing side reports: file states, duplicate ids, the changes a
file made. The store (store/sqlite.py, SQLite) is written to by ingest directly; what the
engine reads of it is the PassageStore port (ports.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FileState:
    path: str
    size: int
    mtime_ns: int
    sha256: str
    reader: str
    n_docs: int
    n_errors: int


@dataclass(frozen=True, slots=True)
class DuplicateId:
    """A document id that several files hold. One version is stored: that of the file
    whose path sorts first, so the outcome depends on the files, never on the order
    they were ingested in."""

    doc_id: str
    used: str  # the file whose version is stored
    others: tuple[str, ...]  # the other files holding the id, sorted


@dataclass(frozen=True, slots=True)
class FileChange:
    """What replacing (or forgetting) files' documents did."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    # ids this file holds that other files hold too
    duplicates: tuple[DuplicateId, ...] = ()
    # files to read again: their version of a document is now the one to use, and the
    # stored version came from a file that no longer holds it
    reread: tuple[str, ...] = ()
