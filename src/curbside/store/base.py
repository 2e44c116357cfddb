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
class FileChange:
    """What replacing one file's documents did."""

    added: int
    changed: int
    unchanged: int
    removed: int


class Store(Protocol):
    def file_state(self, path: str) -> FileState | None: ...

    def touch_file(self, state: FileState) -> None:
        """Record a file whose content is unchanged (new mtime only)."""
        ...

    def replace_file(
        self, state: FileState, docs: Sequence[Document], errors: Sequence[RecordError]
    ) -> FileChange:
        """Atomically make ``docs`` the documents of this file: new and changed
        documents are (re)written, unchanged ones are left alone, documents the
        file no longer has are removed, and the file's error list is replaced."""
        ...

    def forget_files(self, keep: Iterable[str], under: str) -> int:
        """Remove documents of files below ``under`` that are not in ``keep``."""
        ...

    def passages(self, rowids: Sequence[int]) -> list[StoredPassage]: ...

    def passages_of_docs(self, doc_ids: Sequence[str]) -> Iterator[StoredPassage]: ...

    def texts_by_passage_id(self, passage_ids: Sequence[str]) -> dict[str, str]: ...

    def rowids_for_drug(self, drug_key: str) -> list[int]: ...

    def corpus_version(self) -> str: ...

    def counts(self) -> dict[str, int]: ...

    def close(self) -> None: ...
