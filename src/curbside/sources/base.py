"""The reader interface. A reader recognises its format from a file's content and
yields Documents, or RecordErrors for records it cannot read (never raising for one
bad record). A file it cannot read at all raises SourceFormatError."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from curbside.types import Document, RecordError

ReadItem = Document | RecordError

# How many bytes of a file readers may look at to recognise it.
SNIFF_BYTES = 4096


class Reader(Protocol):
    name: str  # short format name shown in reports, e.g. "openfda-json"

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when ``head`` (the first SNIFF_BYTES of the file, or of the first
        member of a zip) looks like this reader's format."""
        ...

    def read(self, path: Path) -> Iterator[ReadItem]:
        """Yield every record of the file as a Document or a RecordError."""
        ...
