"""Which reader reads a file: decided by content (the first SNIFF_BYTES of the file,
of its decompressed content for gzip, or of its first data member for a zip), never
by the file name alone."""

from __future__ import annotations

import os
from collections.abc import Iterator
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


def iter_source_files(root: Path) -> Iterator[Path]:
    """``root`` itself when it is a file, else every non-hidden file below it, walked
    recursively in sorted order (hidden files and folders are skipped; symlinked
    folders are not followed)."""
    if root.is_file():
        yield root
    elif root.is_dir():
        yield from _walk(root)


def _walk(folder: Path) -> Iterator[Path]:
    with os.scandir(folder) as it:
        entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file():
            yield Path(entry.path)
