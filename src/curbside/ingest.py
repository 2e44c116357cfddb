"""Ingest: sources -> store -> indexes, incremental and crash-safe.

1. every file is hashed; an unchanged file costs one stat (or one hash) and no work;
2. a changed file's documents replace its old ones in one store transaction;
3. a document id several files hold is stored in the version of the file whose path
   sorts first, reported as a duplicate, and kept while any file still holds it;
4. a file or folder that cannot be read (permissions, I/O) is reported in ``failed``
   and the others are ingested; documents it gave before are kept;
5. the lexical index, the vocabularies and (with ``embed``) the passage vectors and
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

from curbside import paths as data_paths
from curbside.errors import CorpusPathError, SourceFormatError, StoreError
from curbside.settings import Settings
from curbside.sources.registry import READERS_VERSION, detect, iter_source_files
from curbside.store.base import DuplicateId, FileChange, FileState
from curbside.store.sqlite import SQLiteStore
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
class SourceFile:
    path: Path
    root: Path  # the corpus path it was found under
    explicit: bool  # named itself, not found in a folder: an unsupported format is an error


@dataclass(frozen=True)
class Sources:
    """What the corpus paths hold: the files found, and the files and folders that
    could not be listed or examined (reported, never a crash)."""

    files: tuple[SourceFile, ...]
    problems: tuple[FileProblem, ...] = ()


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
    duplicates: tuple[DuplicateId, ...] = ()  # ids held by several files (first 200)
    n_duplicates: int = 0
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


def _os_reason(error: OSError, what: str) -> str:
    """Why a file or folder could not be read, worded for whoever can fix it."""
    if isinstance(error, PermissionError):
        reason = f"permission denied: cannot read this {what}"
    else:
        reason = f"cannot read this {what}: {error.strerror or error}"
    if what == "folder":
        reason += "; its files were skipped (documents already ingested from them are kept)"
    return reason


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _collect(paths: Sequence[Path]) -> Sources:
    """Every file under the given paths. A missing path is an error (nothing is
    ingested); a file or folder that cannot be listed or examined is a problem to
    report, so the rest is still ingested."""
    if not paths:
        raise CorpusPathError("No corpus path given.", fix="Name a file or folder to ingest.")
    files: list[SourceFile] = []
    problems: list[FileProblem] = []

    def unreadable(path: Path, error: OSError) -> None:
        problems.append(FileProblem(str(path), _os_reason(error, "folder" if _is_dir(path) else "file")))

    for p in paths:
        p = Path(p).expanduser()
        try:
            exists = p.exists()
        except OSError as e:  # a folder on the way cannot be searched
            unreadable(p, e)
            continue
        if not exists:
            raise CorpusPathError(
                f"Corpus path {p} does not exist.", fix="Check the path, or pass --shared-dir."
            )
        root = p.resolve()
        files.extend(SourceFile(f, root, f == root) for f in iter_source_files(root, on_error=unreadable))
    if not files and not problems:
        raise CorpusPathError(
            f"No files to ingest under {', '.join(str(p) for p in paths)}.",
            fix="Point ingest at a folder holding openFDA JSON, SPL XML, PubMed, MedQuAD or guideline files.",
        )
    return Sources(tuple(files), tuple(problems))


def ingest(
    settings: Settings,
    paths: Sequence[Path],
    *,
    embed: bool = False,
    progress: Progress | None = None,
    embedder: object | None = None,
) -> IngestReport:
    """Read ``paths`` into the store of ``settings.data_dir`` and bring the indexes up to
    date; with ``embed``, the vectors too, computed by ``embedder`` (default: the local
    model; index/distributed.RayEmbedder computes them on a Ray cluster)."""
    tick = progress or (lambda stage, done, total: None)
    sources = _collect(paths)
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
            r = _ingest_files(store, sources, tick)
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
                embedded = sync_dense(store, data_dir, settings, tick, embedder)
                timings["embeddings"] = time.perf_counter() - t0
                t0 = time.perf_counter()
                questions = sync_questions(store, data_dir, settings, tick, embedder)
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


@dataclass
class _Tally:
    """What reading the files has done so far (an accumulator for the IngestReport)."""

    files_unchanged: int = 0
    files_read: int = 0
    docs_added: int = 0
    docs_changed: int = 0
    docs_unchanged: int = 0
    docs_removed: int = 0
    n_record_errors: int = 0
    unsupported: list[str] = field(default_factory=list)
    failed: list[FileProblem] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    duplicates: dict[str, DuplicateId] = field(default_factory=dict)

    def add(self, change: FileChange) -> None:
        self.docs_added += change.added
        self.docs_changed += change.changed
        self.docs_unchanged += change.unchanged
        self.docs_removed += change.removed
        self.duplicates.update((d.doc_id, d) for d in change.duplicates)

    def report_fields(self, files_seen: int) -> dict:
        dups = [self.duplicates[k] for k in sorted(self.duplicates)]
        return dict(
            files_seen=files_seen,
            files_unchanged=self.files_unchanged,
            files_read=self.files_read,
            unsupported=tuple(self.unsupported),
            failed=tuple(self.failed),
            docs_added=self.docs_added,
            docs_changed=self.docs_changed,
            docs_unchanged=self.docs_unchanged,
            docs_removed=self.docs_removed,
            record_errors=tuple(self.errors),
            n_record_errors=self.n_record_errors,
            duplicates=tuple(dups[:200]),
            n_duplicates=len(dups),
        )


def _ingest_files(store: SQLiteStore, sources: Sources, tick: Progress) -> dict:
    """Read every file into the store, forget files gone from the folders ingested,
    then read again the files the store marked (their version of a document must now
    replace one from a file that dropped it). Returns the IngestReport's file and
    document fields."""
    files = sources.files
    tally = _Tally(failed=list(sources.problems))
    pending = {str(f.path) for f in files}  # not read yet in this run
    again: set[str] = set()  # to read again once every file was read
    seen_by_root: dict[Path, list[str]] = {}
    for i, f in enumerate(files):
        tick("read", i, len(files))
        key = str(f.path)
        seen_by_root.setdefault(f.root, []).append(key)
        pending.discard(key)
        again.update(p for p in _ingest_one(store, f.path, f.explicit, tally) if p not in pending)
    tick("read", len(files), len(files))
    # files and folders that could not be listed may still hold their documents
    spare = [p.file for p in sources.problems]
    for root, keep in seen_by_root.items():
        if root.is_dir():
            change = store.forget_files(keep, str(root), spare=spare)
            tally.add(change)
            again.update(change.reread)
    _read_again(store, again, tally)
    return tally.report_fields(len(files))


def _read_again(store: SQLiteStore, paths: set[str], tally: _Tally) -> None:
    """Read the files the store marked: a document's stored version came from a file
    that no longer holds it, and another file's version is now the one to use. They
    are read even when not under the paths being ingested (the store holds their
    documents), each once per run; a file marked again stays marked for the next run.
    A file that no longer exists is forgotten (its documents go unless held elsewhere)."""
    done: set[str] = set()
    todo = sorted(paths)
    while todo:
        key = todo.pop(0)
        if key in done:
            continue
        done.add(key)
        path = Path(key)
        try:
            exists = path.exists()
        except OSError as e:
            tally.failed.append(FileProblem(key, _os_reason(e, "file")))
            continue
        if exists:
            todo.extend(_ingest_one(store, path, False, tally))
        else:
            change = store.forget_files((), key)
            tally.add(change)
            todo.extend(change.reread)


def _ingest_one(store: SQLiteStore, path: Path, explicit: bool, tally: _Tally) -> tuple[str, ...]:
    """Bring one file's documents into the store (or count it unchanged, unsupported
    or failed). Returns the files the store marked to be read again."""
    key = str(path)
    try:
        st = path.stat()
        prev = store.file_state(key)
        if prev and prev.size == st.st_size and prev.mtime_ns == st.st_mtime_ns:
            tally.files_unchanged += 1
            return ()
        digest = _sha256(path)
    except OSError as e:
        tally.failed.append(FileProblem(key, _os_reason(e, "file")))
        return ()
    if prev and prev.sha256 == digest:
        store.touch_file(
            FileState(key, st.st_size, st.st_mtime_ns, digest, prev.reader, prev.n_docs, prev.n_errors)
        )
        tally.files_unchanged += 1
        return ()
    docs: list[Document] = []
    file_errors: list[RecordError] = []
    try:
        reader = detect(path)
        if reader is None:
            if explicit:
                tally.failed.append(FileProblem(key, _UNSUPPORTED))
            else:
                tally.unsupported.append(key)
            return ()
        for item in reader.read(path):
            if isinstance(item, RecordError):
                file_errors.append(item)
            else:
                docs.append(item)
    except SourceFormatError as e:
        cause = e.__cause__
        reason = _os_reason(cause, "file") if isinstance(cause, PermissionError) else e.message
        tally.failed.append(FileProblem(key, reason))
        return ()
    except OSError as e:
        tally.failed.append(FileProblem(key, _os_reason(e, "file")))
        return ()
    except (UnicodeDecodeError, ValueError) as e:
        tally.failed.append(FileProblem(key, f"unreadable: {e}"))
        return ()
    change = store.replace_file(
        FileState(key, st.st_size, st.st_mtime_ns, digest, reader.name, len(docs), len(file_errors)),
        docs,
        file_errors,
    )
    tally.files_read += 1
    tally.add(change)
    tally.n_record_errors += len(file_errors)
    tally.errors.extend(file_errors[: max(0, 200 - len(tally.errors))])
    return change.reread
