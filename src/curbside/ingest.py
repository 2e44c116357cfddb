"""Ingest: sources -> store -> indexes, incremental and crash-safe.

1. every file is hashed; an unchanged file costs one stat (or one hash) and no work;
2. a changed file's documents replace its old ones in one store transaction;
3. the lexical index, the vocabularies and (with ``embed``) the passage vectors and
   the answered questions' vectors (index/questions.py) catch up with
   the store from what it records (index_state, embeddings by content hash), so an
   ingest killed at any point is resumed by the next run.
"""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from curbside.errors import CorpusPathError, SourceFormatError, StoreError
from curbside.settings import Settings
from curbside.sources.registry import READERS_VERSION, detect, iter_source_files
from curbside.store.base import FileState
from curbside.store.sqlite import SQLiteStore
from curbside import paths as data_paths
from curbside.types import Document, RecordError

Progress = Callable[[str, int, int], None]  # (stage, done, total)

_UNSUPPORTED = (
    "not a supported format (openFDA JSON or zip, SPL XML, PubMed XML or JSON lines, "
    "MedQuAD XML, guideline JSON lines)"
)


@dataclass(frozen=True)
class FileProblem:
    file: str
    reason: str


@dataclass(frozen=True)
class IngestReport:
    files_seen: int = 0
    files_unchanged: int = 0
    files_read: int = 0
    unsupported: tuple[str, ...] = ()
    failed: tuple[FileProblem, ...] = ()
    docs_added: int = 0
    docs_changed: int = 0
    docs_unchanged: int = 0
    docs_removed: int = 0
    record_errors: tuple[RecordError, ...] = ()
    n_record_errors: int = 0
    passages_indexed: int = 0
    passages_embedded: int = 0
    questions_embedded: int = 0
    corpus_version: str = ""
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed and self.n_record_errors == 0


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextmanager
def ingest_lock(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".ingest.lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise StoreError(
                f"Another ingest is running on {data_dir}.",
                fix="Wait for it to finish, or use another --data-dir.",
            ) from e
        yield


def _collect(paths: Sequence[Path]) -> list[tuple[Path, Path, bool]]:
    """(file, root, explicitly named) for every file under the given paths."""
    if not paths:
        raise CorpusPathError("No corpus path given.", fix="Name a file or folder to ingest.")
    out: list[tuple[Path, Path, bool]] = []
    for p in paths:
        p = Path(p).expanduser()
        if not p.exists():
            raise CorpusPathError(
                f"Corpus path {p} does not exist.", fix="Check the path, or pass --shared-dir."
            )
        root = p.resolve()
        files = list(iter_source_files(root))
        out.extend((f, root, root.is_file()) for f in files)
    if not out:
        raise CorpusPathError(
            f"No files to ingest under {', '.join(str(p) for p in paths)}.",
            fix="Point ingest at a folder holding openFDA JSON, SPL XML, PubMed, MedQuAD or guideline files.",
        )
    return out


def ingest(
    settings: Settings,
    paths: Sequence[Path],
    *,
    embed: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    tick = progress or (lambda stage, done, total: None)
    files = _collect(paths)
    data_dir = settings.data_dir
    timings: dict[str, float] = {}
    with ingest_lock(data_dir):
        store = SQLiteStore(data_paths.store_file(data_dir))
        try:
            t0 = time.perf_counter()
            if store.meta_value("readers_version") != READERS_VERSION:
                # the readers changed: every file is read again (a run killed half-way
                # leaves the rest without a file state, so the next run reads them)
                store.forget_file_states(readers_version=READERS_VERSION)
            r = _ingest_files(store, files, tick)
            timings["read_and_store"] = time.perf_counter() - t0

            from curbside.index.sync import sync_dense, sync_lexical, sync_questions, sync_vocab

            t0 = time.perf_counter()
            indexed = sync_lexical(store, data_dir, settings, tick)
            timings["lexical_index"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            sync_vocab(store, data_dir, settings, force=indexed > 0)
            timings["vocabularies"] = time.perf_counter() - t0
            embedded = questions = 0
            if embed:
                t0 = time.perf_counter()
                embedded = sync_dense(store, data_dir, settings, tick)
                timings["embeddings"] = time.perf_counter() - t0
                t0 = time.perf_counter()
                questions = sync_questions(store, data_dir, settings, tick)
                timings["questions"] = time.perf_counter() - t0
            version = store.corpus_version()
        finally:
            store.close()
    return IngestReport(
        **r,
        passages_indexed=indexed,
        passages_embedded=embedded,
        questions_embedded=questions,
        corpus_version=version,
        seconds={k: round(v, 2) for k, v in timings.items()},
    )


def _ingest_files(
    store: SQLiteStore, files: list[tuple[Path, Path, bool]], tick: Progress
) -> dict:
    stats = dict(
        files_seen=len(files),
        files_unchanged=0,
        files_read=0,
        docs_added=0,
        docs_changed=0,
        docs_unchanged=0,
        docs_removed=0,
        n_record_errors=0,
    )
    unsupported: list[str] = []
    failed: list[FileProblem] = []
    errors: list[RecordError] = []
    seen_by_root: dict[Path, list[str]] = {}
    for i, (path, root, explicit) in enumerate(files):
        tick("read", i, len(files))
        key = str(path)
        seen_by_root.setdefault(root, []).append(key)
        st = path.stat()
        prev = store.file_state(key)
        if prev and prev.size == st.st_size and prev.mtime_ns == st.st_mtime_ns:
            stats["files_unchanged"] += 1
            continue
        digest = _sha256(path)
        if prev and prev.sha256 == digest:
            store.touch_file(
                FileState(key, st.st_size, st.st_mtime_ns, digest, prev.reader, prev.n_docs, prev.n_errors)
            )
            stats["files_unchanged"] += 1
            continue
        docs: list[Document] = []
        file_errors: list[RecordError] = []
        try:
            reader = detect(path)
            if reader is None:
                if explicit:
                    failed.append(FileProblem(key, _UNSUPPORTED))
                else:
                    unsupported.append(key)
                continue
            for item in reader.read(path):
                if isinstance(item, RecordError):
                    file_errors.append(item)
                else:
                    docs.append(item)
        except SourceFormatError as e:
            failed.append(FileProblem(key, e.message))
            continue
        except (OSError, UnicodeDecodeError, ValueError) as e:
            failed.append(FileProblem(key, f"unreadable: {e}"))
            continue
        change = store.replace_file(
            FileState(key, st.st_size, st.st_mtime_ns, digest, reader.name, len(docs), len(file_errors)),
            docs,
            file_errors,
        )
        stats["files_read"] += 1
        stats["docs_added"] += change.added
        stats["docs_changed"] += change.changed
        stats["docs_unchanged"] += change.unchanged
        stats["docs_removed"] += change.removed
        stats["n_record_errors"] += len(file_errors)
        errors.extend(file_errors[: max(0, 200 - len(errors))])
    tick("read", len(files), len(files))
    for root, keep in seen_by_root.items():
        if root.is_dir():
            stats["docs_removed"] += store.forget_files(keep, str(root))
    return dict(
        stats, unsupported=tuple(unsupported), failed=tuple(failed), record_errors=tuple(errors)
    )
