"""Which reader reads a file: decided by content (the first SNIFF_BYTES of the file,
of its decompressed content for gzip, or of its first data member for a zip), never
by the file name alone."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from curbside.sources.base import SNIFF_BYTES, Reader
from curbside.sources.guidelines import GuidelinesReader
from curbside.sources.medquad import MedQuADReader
from curbside.sources.openfda import OpenFDAReader
from curbside.sources.pubmed import PubMedJSONLReader, PubMedXMLReader
from curbside.sources.spl import SPLReader
from curbside.sources.text import read_head

# Raised whenever a reader changes what it makes of a file (2: PubMed records with a
# title and no abstract are kept; 3: MedQuAD synonyms are keywords). A store read by
# other readers reads its files again at the next ingest; documents that come out the
# same keep their passages and vectors.
READERS_VERSION = "3"


def default_readers() -> tuple[Reader, ...]:
    """One instance of every supported format's reader, in detection order."""
    return (
        OpenFDAReader(),
        SPLReader(),
        PubMedXMLReader(),
        PubMedJSONLReader(),
        GuidelinesReader(),
        MedQuADReader(),
    )


def detect(path: Path, readers: tuple[Reader, ...] | None = None) -> Reader | None:
    """The reader whose format the file's content matches, or None when no reader
    recognises it. Raises SourceFormatError when the file cannot be read at all
    (missing, unreadable, corrupt zip or gzip)."""
    head = read_head(path, SNIFF_BYTES)
    if not head.strip():
        return None
    for reader in readers if readers is not None else default_readers():
        if reader.sniff(path, head):
            return reader
    return None


# Told about a folder that cannot be listed, or an entry that cannot be examined.
OnError = Callable[[Path, OSError], None]


def iter_source_files(root: Path, on_error: OnError | None = None) -> Iterator[Path]:
    """``root`` itself when it is a file, else every non-hidden file below it, walked
    recursively in sorted order (hidden files and folders are skipped; symlinked
    folders are not followed). A folder that cannot be listed (or an entry that
    cannot be examined) is passed to ``on_error`` and skipped, so one unreadable
    folder does not hide the rest of the tree; without ``on_error`` the error is
    raised."""
    if root.is_file():
        yield root
    elif root.is_dir():
        yield from _walk(root, on_error)


def _walk(folder: Path, on_error: OnError | None) -> Iterator[Path]:
    try:
        with os.scandir(folder) as it:
            entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as e:
        _report(folder, e, on_error)
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = not is_dir and entry.is_file()
        except OSError as e:
            _report(Path(entry.path), e, on_error)
            continue
        if is_dir:
            yield from _walk(Path(entry.path), on_error)
        elif is_file:
            yield Path(entry.path)


def _report(path: Path, error: OSError, on_error: OnError | None) -> None:
    if on_error is None:
        raise error
    on_error(path, error)
