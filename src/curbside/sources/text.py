"""Shared helpers for readers: text clean-up, sentence-aligned splitting of long
passages, date parsing, and opening plain / gzip / zip source files.

Passage text must stay the source's own words: the helpers here only remove
control characters and collapse whitespace; they never rewrite words or numbers."""

from __future__ import annotations

import gzip
import io
import json
import math
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

from curbside.errors import CurbsideError, SourceFormatError
from curbside.types import Passage, RecordError

T = TypeVar("T")

# How to fix a file a reader cannot read at all.
FIX_FILE = "Re-download or re-export the file, or move it out of the corpus folder."

MAX_PASSAGE = 1500  # passages longer than this are split ...
MIN_PASSAGE = 600  # ... into pieces of roughly MIN_PASSAGE..MAX_PASSAGE characters

# Control characters (C0 except tab/newline, DEL, C1) and invisible format characters
# are dropped; other odd whitespace becomes a space or a line break.
_CONTROL = re.compile("\r\n?|[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b\u200c\u2060\ufeff\u2028\u2029]")
_REPLACE = {"\t": " ", "\x0b": " ", "\x0c": " ", "\r": "\n", "\r\n": "\n", "\u2028": "\n", "\u2029": "\n\n"}


def _drop_controls(raw: str) -> str:
    if raw.isprintable() or _CONTROL.search(raw) is None:
        return raw
    return _CONTROL.sub(lambda m: _REPLACE.get(m.group(), ""), raw)


def clean_text(raw: str) -> str:
    """Drop control characters and collapse all whitespace to single spaces."""
    return " ".join(_drop_controls(raw).split())


def soft_clean(raw: str) -> str:
    """Like clean_text but keeps line structure: a line break stays "\n" and one or
    more blank lines become "\n\n"; all other whitespace collapses to one space."""
    text = _drop_controls(raw)
    if "\n" not in text:
        return " ".join(text.split())
    out: list[str] = []
    blank = False
    for line in text.split("\n"):
        words = line.split()
        if not words:
            blank = True
            continue
        if out:
            out.append("\n\n" if blank else "\n")
        out.append(" ".join(words))
        blank = False
    return "".join(out)


# --- splitting long text ---------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*[ \n]+(?=[\"'\u201c(\[]?[A-Z0-9\u2022])")
_CLAUSE_END = re.compile(r"[;:][ \n]+|[ \n]+(?=[\u2022\u25aa\u25e6\u25cf] )")
_SPACE = re.compile(r"[ \n]+")
_PARA = re.compile(r"\n\n")
_LINE = re.compile(r"\n")
_ABBREV = frozenset(
    "e.g. i.e. vs. dr. mr. mrs. ms. no. nos. fig. figs. approx. al. st. inc. ltd. co. "
    "ref. refs. vol. ed. eds. ca. cf. sr. jr. dept. univ. min. max. mt.".split()
)
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}$|[A-Z]\.$")


def _sentence_cuts(text: str, lo: int, hi: int) -> list[int]:
    cuts = []
    for m in _SENTENCE_END.finditer(text, max(lo - 4, 0), hi + 8):
        start = text.rfind(" ", 0, m.start()) + 1
        word = text[start : m.start() + 1]
        if word.lower() in _ABBREV or _DOTTED.search(word):
            continue
        cuts.append(m.end())
    return cuts


def _cuts(level: int, text: str, lo: int, hi: int) -> list[int]:
    if level == 2:
        return [c for c in _sentence_cuts(text, lo, hi) if lo <= c <= hi]
    pattern = (_PARA, _LINE, None, _CLAUSE_END, _SPACE)[level]
    assert pattern is not None
    return [m.end() for m in pattern.finditer(text, lo, hi + 2) if lo <= m.end() <= hi]


def split_long(text: str, max_len: int = MAX_PASSAGE, min_len: int = MIN_PASSAGE) -> list[str]:
    """Split soft-cleaned text longer than ``max_len`` into pieces of about
    min_len..max_len characters, cutting at the strongest boundary available:
    paragraph, line, sentence, clause, then (fallback) any space. Returns the pieces
    flattened to single-spaced text."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > max_len:
        n = math.ceil(len(rest) / max_len)
        ideal = len(rest) / n
        lo = min(min_len, int(ideal))
        hi = min(max_len, len(rest) - min_len) if len(rest) - min_len >= lo else max_len
        cut = 0
        for level in range(5):
            found = _cuts(level, rest, lo, hi)
            if found:
                cut = min(found, key=lambda c: abs(c - ideal))
                break
        if cut == 0:  # one unbroken token longer than max_len
            cut = max_len
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    flat = (" ".join(p.split()) if "\n" in p else p.strip() for p in pieces)
    return [p for p in flat if p]


def make_passages(section: str, code: str, raw: str, *, cleaned: bool = False) -> list[Passage]:
    """Passages for one structural unit of a document: one, or several
    sentence-aligned pieces when the text is long. Empty text gives none.
    ``cleaned``: ``raw`` is already soft_clean()ed."""
    soft = raw if cleaned else soft_clean(raw)
    if not soft:
        return []
    if len(soft) <= MAX_PASSAGE:
        return [Passage(section=section, section_code=code, text=" ".join(soft.split()))]
    return [Passage(section=section, section_code=code, text=t) for t in split_long(soft)]


# --- numbered label subsections ---------------------------------------------------

_SECTION_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s+")


def heading_only(text: str, *, fragment: bool = False) -> bool:
    """True for a bare heading such as "1 INDICATIONS AND USAGE" (all capitals, no
    sentence), and for a ``fragment`` left over from cutting text apart, also for
    any text of three words or fewer without a full stop ("12.4 Microbiology")."""
    number = _SECTION_NUMBER.match(text)
    rest = text[number.end() :] if number else text
    if len(rest) > 80 or any(c in ".!?" for c in rest):
        return False
    words = rest.split()
    if len(words) > 6:
        return False
    return (fragment and len(words) <= 3) or not any(c.islower() or c == ":" for c in rest)


_FIRST_SUB = re.compile(r"\.1[ \n]+(?=[A-Z])")
_MINOR = re.compile(r"(\d{1,2})[ \n]+(?=[A-Z])")
_LEADING_NUMBER = re.compile(r"(\d{1,2})[ \n]+[A-Z]")
_NOT_BEFORE_HEAD = frozenset("table figure section sections and or see to of in under".split())
_CONNECTORS = frozenset("of and in with the or for to a an on by at as from without vs per into not".split())


def section_number(text: str) -> str | None:
    """"1" for section text starting "1 INDICATIONS AND USAGE ..."."""
    lead = _LEADING_NUMBER.match(text)
    return lead.group(1) if lead else None


def _first_major(text: str) -> str | None:
    """Section number of the first "N.1 Title" heading in the text."""
    for m in _FIRST_SUB.finditer(text):
        k = m.start()
        while k > 0 and text[k - 1].isdigit():
            k -= 1
        if 1 <= m.start() - k <= 2 and (k == 0 or text[k - 1].isspace()):
            return text[k : m.start()]
    return None


def _subheads(text: str, major: str) -> Iterator[tuple[int, int, int]]:
    """(start, end of the number, minor) of each "major.minor Title" candidate."""
    needle = major + "."
    i = text.find(needle)
    while i >= 0:
        if i == 0 or text[i - 1].isspace():
            m = _MINOR.match(text, i + len(needle))
            if m:
                yield i, m.end(), int(m.group(1))
        i = text.find(needle, i + 1)


def split_numbered(text: str, major: str | None = None) -> list[tuple[str | None, str]]:
    """Cut label section text at its numbered subsection headings ("1.1 Title ...")
    of section ``major`` (default: the number the text starts with). Returns
    (subsection title such as "1.1 Spasticity", or None, text) pairs. Headings with
    no text of their own (a contents list, "indicated for: 1.1 X 1.2 Y") stay in
    the text around them."""
    major = major or section_number(text) or _first_major(text)
    if major is None:
        return [(None, text)]
    candidates: list[tuple[int, int, int]] = []
    for start, end, minor in _subheads(text, major):
        before = text[max(0, start - 20) : start].rstrip()
        if before.endswith(("(", "[", ",", ";", "-")):
            continue
        if before and before.split()[-1].lower() in _NOT_BEFORE_HEAD:
            continue
        candidates.append((start, end, minor))
    if not candidates:
        return [(None, text)]
    heads: list[tuple[int, int, int, str]] = []
    last_minor = 0
    for (start, end, minor), nxt in zip(candidates, [c[0] for c in candidates[1:]] + [len(text)], strict=True):
        title = subsection_title(text[end:nxt])
        body = text[end:nxt].lstrip()[len(title) :]
        if minor <= last_minor or not body.strip() or heading_only(body.strip()):
            continue
        last_minor = minor
        heads.append((start, end, minor, title))
    if not heads or (len(heads) == 1 and heads[0][0] == 0):
        return [(None, text)]  # no subsections, or the text is one subsection
    parts: list[tuple[str | None, str]] = []
    if heads[0][0] > 0:
        parts.append((None, text[: heads[0][0]]))
    for (a, _, minor, title), b in zip(heads, [h[0] for h in heads[1:]] + [len(text)], strict=True):
        parts.append((f"{major}.{minor} {title}".strip(), text[a:b]))
    return parts


def subsection_title(after: str) -> str:
    """The heading words at the start of a flattened subsection: its own line when
    the source kept line breaks, else the leading run of capitalised words up to
    the word that starts the first sentence ("Spasticity Baclofen is ..." ->
    "Spasticity")."""
    after = after.lstrip()
    newline = after.find("\n")
    if 0 < newline <= 120 and not any(c in ".;!?" for c in after[:newline]):
        return " ".join(after[:newline].split())
    run: list[str] = []
    for word in after[:400].split()[:24]:
        core = word.strip("()[]:;,.\"'")
        if not core:
            break
        if word.endswith(":"):
            run.append(word[:-1])
            break
        ends_sentence = word.endswith(".")
        if ends_sentence or not (core[0].isupper() or core[0].isdigit() or core in _CONNECTORS):
            while run and run[-1] in _CONNECTORS:
                run.pop()
            if not ends_sentence and len(run) > 1:
                run.pop()  # the capitalised first word of the sentence
            break
        run.append(word)
    while run and run[-1] in _CONNECTORS:
        run.pop()
    return " ".join(run[:20]).rstrip(",;")


# --- dates -----------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_DATE = re.compile(
    r"\b((?:1[89]|20)\d\d)(?:[ /-](?:(0?[1-9]|1[0-2])\b|([A-Za-z]{3})[a-z]*\.?)(?:[ /-](\d{1,2})\b)?)?"
)


def latest_date(text: str | None) -> tuple[int | None, str | None]:
    """The latest date mentioned in free text such as "2011 May (revised 2013 Aug)",
    as (year, "YYYY[-MM[-DD]]")."""
    best: tuple[int, int, int] | None = None
    for m in _DATE.finditer(text or ""):
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else _MONTHS.get((m.group(3) or "").lower(), 0)
        day = int(m.group(4)) if month and m.group(4) and 1 <= int(m.group(4)) <= 31 else 0
        if best is None or (year, month, day) > best:
            best = (year, month, day)
    if best is None:
        return None, None
    year, month, day = best
    date = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
    return year, date


def compact_date(value: str | None) -> tuple[int | None, str | None]:
    """"20230126" (openFDA / SPL effective time) -> (2023, "2023-01-26")."""
    digits = (value or "").strip()[:8]
    if len(digits) < 4 or not digits[:4].isdigit():
        return None, None
    year = int(digits[:4])
    if len(digits) == 8 and digits.isdigit() and 1 <= int(digits[4:6]) <= 12:
        return year, f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
    return year, digits[:4]


# --- opening files ---------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"
_MEMBER_SUFFIXES = (".json", ".jsonl", ".xml")


def _data_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = [
        i
        for i in zf.infolist()
        if not i.is_dir() and not any(p.startswith((".", "__MACOSX")) for p in i.filename.split("/"))
    ]
    preferred = [i for i in infos if i.filename.lower().endswith(_MEMBER_SUFFIXES)]
    return preferred or infos


_IO_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, RuntimeError)


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a file; of its first data member for a zip, and
    decompressed for gzip. Raises SourceFormatError for unreadable files."""
    try:
        with path.open("rb") as f:
            head = f.read(size)
        if head.startswith(ZIP_MAGIC):
            with zipfile.ZipFile(path) as zf:
                members = _data_members(zf)
                if not members:
                    return b""
                with zf.open(members[0]) as m:
                    return m.read(size)
        if head.startswith(GZIP_MAGIC):
            with gzip.open(path, "rb") as g:
                return g.read(size)
        return head
    except _IO_ERRORS as e:
        raise SourceFormatError(f"{path}: cannot read the file ({e}).", fix=FIX_FILE) from e


class _Guarded(io.RawIOBase):
    """A read-only stream that reports read failures (corrupt zip or gzip data,
    I/O errors) as SourceFormatError naming the file."""

    def __init__(self, inner: IO[bytes] | gzip.GzipFile, path: Path) -> None:
        self._inner, self._path = inner, path

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._inner.read(len(buffer))
        except _IO_ERRORS as e:
            raise SourceFormatError(f"{self._path}: cannot read the file ({e}).", fix=FIX_FILE) from e
        buffer[: len(data)] = data
        return len(data)


def iter_payloads(path: Path) -> Iterator[tuple[str, io.BufferedReader]]:
    """Yield (name, binary stream) for each data payload of a source file: the file
    itself, its decompressed content (gzip), or each data member (zip). Read errors
    surface as SourceFormatError."""
    try:
        with path.open("rb") as f:
            magic = f.read(4)
        if magic.startswith(ZIP_MAGIC):
            with zipfile.ZipFile(path) as zf:
                for info in _data_members(zf):
                    with zf.open(info) as member:
                        yield info.filename, io.BufferedReader(_Guarded(member, path), 1 << 16)
        elif magic.startswith(GZIP_MAGIC):
            with gzip.open(path, "rb") as g:
                yield path.name, io.BufferedReader(_Guarded(g, path), 1 << 16)
        else:
            with path.open("rb") as f:
                yield path.name, io.BufferedReader(_Guarded(f, path), 1 << 16)
    except _IO_ERRORS as e:
        raise SourceFormatError(f"{path}: cannot read the file ({e}).", fix=FIX_FILE) from e


def payload_label(path: Path, member: str) -> str:
    """How messages name a payload: the file, plus the member for an archive."""
    return str(path) if member == path.name else f"{path} ({member})"


def guarded_record(path: Path, record: str, build: Callable[[], T]) -> T | RecordError:
    """``build()``, or a RecordError when the record has a shape the reader did
    not foresee: one odd record never stops a file."""
    try:
        return build()
    except CurbsideError:
        raise
    except Exception as e:  # noqa: BLE001 - reported per record, reading continues
        return RecordError(str(path), record, f"unreadable record ({type(e).__name__}: {e})")


# --- XML safety ------------------------------------------------------------------

_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[)?", re.IGNORECASE)


def check_xml_prolog(head: bytes, path: Path) -> None:
    """Reject XML that declares entities or an internal DTD subset (entity-expansion
    attacks); an external DOCTYPE line, as PubMed files carry, is fine: it is never
    fetched."""
    doctype = _DOCTYPE.search(head)
    if b"<!ENTITY" in head.upper() or (doctype is not None and doctype.group(1)):
        raise SourceFormatError(
            f"{path}: XML with a DTD internal subset or entity declarations is not accepted.",
            fix="Remove the <!DOCTYPE [...]> block; the supported formats never need one.",
        )


def parse_xml(data: bytes, path: Path, member: str) -> ET.Element:
    """The root element of a whole (small) XML document, after the prolog check."""
    check_xml_prolog(data[:65536], path)
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise SourceFormatError(
            f"{payload_label(path, member)}: not well-formed XML ({e}).", fix=FIX_FILE
        ) from e


def xml_root_name(head: bytes) -> str | None:
    """Local name of the root element in an XML head, skipping the prolog."""
    m = re.search(rb"<([A-Za-z_][\w.:-]*)[\s/>]", head)
    if m is None:
        return None
    return m.group(1).decode("ascii", "replace").rsplit(":", 1)[-1]


# --- JSON lines ------------------------------------------------------------------

_MAX_LEADING_BAD = 1000


def iter_jsonl(path: Path) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """Yield (line label, parsed object or error text) for each non-blank line of a
    JSON-lines file (plain, gzip or zipped). Raises SourceFormatError when no line
    at all is a JSON object (the file is not JSON lines)."""
    pending: list[tuple[str, str]] = []  # errors held until one line parses
    parsed_any = False
    for member, stream in iter_payloads(path):
        prefix = "" if member == path.name else f"{member}:"
        for number, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            where = f"{prefix}line {number}"
            try:
                obj = json.loads(raw)
                error = None if isinstance(obj, dict) else "line is JSON but not an object"
            except (ValueError, UnicodeDecodeError) as e:
                obj, error = None, f"invalid JSON ({e})"
            if error is not None:
                if parsed_any:
                    yield where, error
                    continue
                pending.append((where, error))
                if len(pending) >= _MAX_LEADING_BAD:
                    break
                continue
            if not parsed_any:
                parsed_any = True
                yield from pending
                pending.clear()
            yield where, obj
    if pending:
        where, error = pending[0]
        raise SourceFormatError(f"{path}: not a JSON-lines file ({where}: {error}).", fix=FIX_FILE)
