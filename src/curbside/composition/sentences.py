"""Sentence splitting and light trimming that only ever removes text: every sentence
returned is a verbatim span of its passage (whitespace aside), so citations hold."""

from __future__ import annotations

import re

# A sentence ends at . ! ? followed by space and an upper-case letter, digit, bullet
# or quote; not after common abbreviations, initials or inside decimals.
_ABBREV = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|approx|ca|et al|Dr|Mr|Mrs|Ms|No|Fig|Figs|Ref|Vol|"
    r"U\.S|St|Inc|Co|Ltd|Jr|Sr|Eq|resp|incl|max|wk|wks|yr|yrs|mo|i\.v|p\.o|b\.i\.d|t\.i\.d|q\.i\.d)\.)$"
    r"|(?:\b[A-Z]\.)$"
    r"|(?::\s*\(?\d{1,2}\.)$"  # "in the following conditions: 1. Allergic states"
    # a list's Roman numeral ("... II. Less frequently responsive"), not "type II." or "phase III."
    r"|(?<!type )(?<!class )(?<!phase )(?<!stage )(?<!grade )(?<!factor )(?<!group )"
    r"(?-i:\b(?:II|III|IV|VI|VII|VIII|IX)\.)$",
    re.IGNORECASE,
)
# a label's section reference after the full stop ("... (COPD). ( 1.1 ) Next") stays with
# the sentence it belongs to
_REF = r"(?:\s*\(\s*[\d.,\s]+\))?"
_BOUNDARY = re.compile(r"(?<=[.!?])" + _REF + r"[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9•])")
_BOUNDARY_NO_BULLET = re.compile(r"(?<=[.!?])" + _REF + r"[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
# "Limitations of Use:" opens a new sentence even without a full stop before it
_LIMITS = re.compile(r"\s(?=Limitations? of Use\s?:)", re.I)
_BULLET = re.compile(r"\s(?=•\s)")
_WS = re.compile(r"\s+")

# leading label headings such as "1 INDICATIONS AND USAGE", "2.1 DOSAGE", "INDICATIONS:"
_HEADING_WORDS = (
    "INDICATIONS|USAGE|AND|DOSAGE|ADMINISTRATION|FORMS|STRENGTHS|CONTRAINDICATIONS|WARNINGS|"
    "WARNING|PRECAUTIONS|ADVERSE|REACTIONS|DRUG|INTERACTIONS|USE|IN|SPECIFIC|POPULATIONS|"
    "PREGNANCY|LACTATION|NURSING|MOTHERS|PEDIATRIC|GERIATRIC|OVERDOSAGE|DESCRIPTION|CLINICAL|"
    "PHARMACOLOGY|MECHANISM|OF|ACTION|PHARMACODYNAMICS|PHARMACOKINETICS|BOXED|HOW|SUPPLIED|"
    "ABUSE|DEPENDENCE|GENERAL|LABORATORY|TESTS|INFORMATION|FOR|PATIENTS|STUDIES|RECOMMENDED|DOSE|"
    "DOSING|IMPORTANT|LIMITATIONS|OTHER|MONITORING"
)
_HEADING = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*\s+)?(?:(?:" + _HEADING_WORDS + r")\b[\s:&/,\-]*)+(?=[A-Z•])"
)
_SUBHEADING = re.compile(r"^\d{1,2}\.\d{1,2}\s+(?:[A-Z][\w'’\-]*\s+){0,6}?(?=[A-Z][a-z])")
_XREF = re.compile(r"\s*\[\s*see [^\]]{1,120}\]")


def normalize_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def split_sentences(text: str, *, keep_lists: bool = False) -> list[str]:
    """Sentences of ``text``. With ``keep_lists`` a sentence that introduces a bulleted
    list ("X is indicated for: • A. • B.") keeps its bullets, so the list stays whole."""
    text = normalize_ws(text)
    if not text:
        return []
    boundary = _BOUNDARY_NO_BULLET if keep_lists else _BOUNDARY
    pieces: list[str] = []
    chunks = _LIMITS.split(text)
    if not keep_lists:
        chunks = [c for part in chunks for c in _BULLET.split(part)]
    for chunk in chunks:
        start = 0
        for m in boundary.finditer(chunk):
            cand = chunk[start : m.start() + 1].rstrip()
            if _ABBREV.search(cand.rstrip("\"')]")):
                continue
            pieces.append(chunk[start : m.end()].strip())
            start = m.end()
        tail = chunk[start:].strip()
        if tail:
            pieces.append(tail)
    return [p for p in pieces if p]


def strip_heading(sentence: str) -> str:
    """Drop a leading label heading ("1 INDICATIONS AND USAGE ...") from a sentence."""
    s = sentence
    m = _HEADING.match(s)
    if m and len(m.group(0)) < 80 and len(s) - m.end() > 20:
        s = s[m.end() :]
    m = _SUBHEADING.match(s)
    if m and len(s) - m.end() > 20:
        s = s[m.end() :]
    return s.lstrip("•-– ").strip()


def strip_xrefs(sentence: str) -> str:
    """Remove label cross references such as "[see Warnings and Precautions (5.1)]"."""
    return normalize_ws(_XREF.sub(" ", sentence)).replace(" .", ".").replace(" ,", ",")


# what a word processor leaves in a label when its links break
_ARTEFACT = re.compile(r"Error! (?:Hyperlink reference not valid|Bookmark not defined)|^Hyperlink reference not valid")


def clean(sentence: str, max_chars: int, min_chars: int = 25) -> str | None:
    s = strip_xrefs(strip_heading(sentence))
    if len(s) < min_chars or not re.search(r"[a-z]", s) or _ARTEFACT.search(s):
        return None
    if len(s) > max_chars:
        return None
    return s


_NORM = re.compile(r"[^a-z0-9]+")


def norm_key(text: str) -> str:
    """A key for exact-duplicate detection across documents."""
    return _NORM.sub(" ", text.lower()).strip()


def words(text: str) -> set[str]:
    return {w for w in _NORM.split(text.lower()) if len(w) > 2}


_NUM = re.compile(r"\d+(?:[.,]\d+)*")


def numbers(text: str) -> list[str]:
    return _NUM.findall(text)


def supported_by(statement: str, passage: str) -> bool:
    """Citation integrity: every word (3+ letters) and every number of the statement
    occurs in the passage."""
    pw = words(passage)
    if not words(statement) <= pw:
        return False
    pnums = set(numbers(passage))
    return all(n in pnums for n in numbers(statement))
