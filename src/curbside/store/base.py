"""The storage interface. SQLite (store/sqlite.py) is the embedded default; a server
database implements the same methods."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from curbside.types import Document, RecordError, StoredPassage


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


class Store(Protocol):
    def file_state(self, path: str) -> FileState | None: ...

    def touch_file(self, state: FileState) -> None:
        """Record a file whose content is unchanged (new mtime only)."""
        ...

    def replace_file(
        self, state: FileState, docs: Sequence[Document], errors: Sequence[RecordError]
    ) -> FileChange:
        """Atomically make ``docs`` the documents this file holds: new and changed
        documents are (re)written, unchanged ones are left alone, and the file's error
        list is replaced. A document id several files hold is stored in the version of
        the file whose path sorts first (see DuplicateId); a document the file no
        longer holds is removed only when no other file holds it."""
        ...

    def forget_files(self, keep: Iterable[str], under: str, *, spare: Iterable[str] = ()) -> FileChange:
        """Forget files below ``under`` that are not in ``keep`` (nor below a path in
        ``spare``: a folder that could not be listed), as if they held nothing."""
        ...

    def passages(self, rowids: Sequence[int]) -> list[StoredPassage]: ...

    def passages_of_docs(self, doc_ids: Sequence[str]) -> Iterator[StoredPassage]: ...

    def texts_by_passage_id(self, passage_ids: Sequence[str]) -> dict[str, str]: ...

    def rowids_for_drug(self, drug_key: str) -> list[int]: ...

    def corpus_version(self) -> str: ...

    def counts(self) -> dict[str, int]: ...

    def close(self) -> None: ...
