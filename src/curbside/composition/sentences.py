"""Sentence splitting and light trimming that only ever removes text. A sentence is a
``Snippet`` of its passage (quoting.py) and everything the trimming drops (a label
heading, a list marker, a cross reference, a space before a comma) is a recorded cut of
a named kind, so each statement knows exactly where its words are in the passage and
composition/verify.py can check it against the passage."""

from __future__ import annotations

import re

from curbside.composition.filters import Reason
from curbside.composition.quoting import Snippet, Span, join_spans
from curbside.types import CutKind

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
# _ABBREV is anchored at the end and matches at most 8 characters (with 7 more of
# look-behind; the text is one-spaced), so searching the sentence's last 40 characters
# finds what searching all of it does, in half the time (the split is a fifth of
# an answer's time)
_ABBREV_TAIL = 40
# a label's section reference after the full stop ("... (COPD). ( 1.1 ) Next") stays with
# the sentence it belongs to
_REF = r"(?:\s*\(\s*[\d.,\s]+\))?"
_BOUNDARY = re.compile(r"(?<=[.!?])" + _REF + r"[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9•])")
_BOUNDARY_NO_BULLET = re.compile(r"(?<=[.!?])" + _REF + r"[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
# "Limitations of Use:" opens a new sentence even without a full stop before it
_LIMITS = re.compile(r"\s(?=Limitations? of Use\s?:)", re.I)
_BULLET = re.compile(r"\s(?=•\s)")

# leading label headings such as "1 INDICATIONS AND USAGE", "2.1 DOSAGE", "INDICATIONS:"
_HEADING_WORDS = (
    "INDICATIONS|USAGE|AND|DOSAGE|ADMINISTRATION|FORMS|STRENGTHS|CONTRAINDICATIONS|WARNINGS|"
    "WARNING|PRECAUTIONS|ADVERSE|REACTIONS|DRUG|INTERACTIONS|USE|IN|SPECIFIC|POPULATIONS|"
    "PREGNANCY|LACTATION|NURSING|MOTHERS|PEDIATRIC|GERIATRIC|OVERDOSAGE|DESCRIPTION|CLINICAL|"
    "PHARMACOLOGY|MECHANISM|OF|ACTION|PHARMACODYNAMICS|PHARMACOKINETICS|BOXED|HOW|SUPPLIED|"
    "ABUSE|DEPENDENCE|GENERAL|LABORATORY|TESTS|INFORMATION|FOR|PATIENTS|STUDIES|RECOMMENDED|DOSE|"
    "DOSING|IMPORTANT|LIMITATIONS|OTHER|MONITORING"
)
# What each kind of cut may remove (verify.py holds recorded cuts to these, whole):
# a heading is a section number and upper-case heading words only ...
HEADING_CUT = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*\s+)?(?:(?:" + _HEADING_WORDS + r")\b[\s:&/,\-]*)+")
# ... a subheading a numbered title of up to six capitalised words ("2.1 Recommended Dosage") ...
SUBHEADING_CUT = re.compile(r"\d{1,2}\.\d{1,2}\s+(?:[A-Z][\w'’\-]*\s+){0,6}?")
# ... a cross reference a bracketed "[see ...]" ...
XREF_CUT = re.compile(r"\s*\[\s*see [^\]]{1,120}\]")
# ... and a list marker bullets and dashes (a dash just before a digit is a minus sign).
LIST_MARKER_CUT = re.compile(r"[•\-–\s]+")
# A space before a comma or full stop that ends a clause goes ("pneumoniae , and", "sp .,");
# one before a decimal point or inside a word stays ("P = .03").
_SPACE_BEFORE_PUNCT = re.compile(r" (?=[.,](?!\w))")

_HEADING = re.compile("^" + HEADING_CUT.pattern + r"(?=[A-Z•])")
_SUBHEADING = re.compile("^" + SUBHEADING_CUT.pattern + r"(?=[A-Z][a-z])")
_MARKER_CHARS = "•-– "


def normalize_ws(text: str) -> str:
    return join_spans(text, ((0, len(text)),))


def _split_at(pattern: re.Pattern[str], text: str, span: Span) -> list[Span]:
    """``re.split`` of ``text[span]`` by a pattern that consumes one character, as spans."""
    a, b = span
    out: list[Span] = []
    prev = 0
    for m in pattern.finditer(text[a:b]):
        out.append((a + prev, a + m.start()))
        prev = m.end()
    out.append((a + prev, b))
    return out


def _stripped(text: str, a: int, b: int) -> Span:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _sentence_bounds(text: str, keep_lists: bool) -> list[Span]:
    """(start, end) of each sentence of ``text`` (one-spaced, see ``normalize_ws``)."""
    boundary = _BOUNDARY_NO_BULLET if keep_lists else _BOUNDARY
    chunks = _split_at(_LIMITS, text, (0, len(text)))
    if not keep_lists:
        chunks = [c for part in chunks for c in _split_at(_BULLET, text, part)]
    out: list[Span] = []
    for a, b in chunks:
        chunk = text[a:b]
        start = 0
        for m in boundary.finditer(chunk):
            cand = chunk[start : m.start() + 1].rstrip()
            if _ABBREV.search(cand.rstrip("\"')]")[-_ABBREV_TAIL:]):
                continue
            out.append(_stripped(text, a + start, a + m.end()))
            start = m.end()
        out.append(_stripped(text, a + start, b))
    return [(s, e) for s, e in out if s < e]


def split_sentences(text: str, *, keep_lists: bool = False) -> list[str]:
    """Sentences of ``text``. With ``keep_lists`` a sentence that introduces a bulleted
    list ("X is indicated for: • A. • B.") keeps its bullets, so the list stays whole."""
    text = normalize_ws(text)
    return [text[s:e] for s, e in _sentence_bounds(text, keep_lists)]


def sentence_snippets(passage: str | Snippet, *, keep_lists: bool = False) -> list[Snippet]:
    """``split_sentences`` as snippets of the passage (or of a longer snippet)."""
    sn = Snippet.whole(passage) if isinstance(passage, str) else passage
    return sn.parts(_sentence_bounds(sn.text, keep_lists))


def cut_heading(sn: Snippet) -> Snippet:
    """Cut a leading label heading ("1 INDICATIONS AND USAGE ...", "2.1 Recommended
    Dosage ...") and list marker from a sentence."""
    s = sn.text
    m = _HEADING.match(s)
    if m and len(m.group(0)) < 80 and len(s) - m.end() > 20:
        sn = sn.cut([(0, m.end())], CutKind.HEADING)
        s = sn.text
    m = _SUBHEADING.match(s)
    if m and len(s) - m.end() > 20:
        sn = sn.cut([(0, m.end())], CutKind.SUBHEADING)
        s = sn.text
    n = len(s) - len(s.lstrip(_MARKER_CHARS))
    if 0 < n < len(s) and s[n].isdigit() and s[n - 1] in "-–":
        n -= 1  # "-5 °C": a minus sign, not a bullet
    return sn.cut([(0, n)], CutKind.LIST_MARKER) if n else sn


def strip_heading(sentence: str) -> str:
    """Drop a leading label heading ("1 INDICATIONS AND USAGE ...") from a sentence."""
    return cut_heading(Snippet.whole(sentence)).text


def cut_xrefs(sn: Snippet) -> Snippet:
    """Cut label cross references such as "[see Warnings and Precautions (5.1)]", and a
    space left before a comma or full stop ("pneumoniae , and")."""
    s = sn.text
    if "[" in s:
        ranges: list[Span] = []
        for m in XREF_CUT.finditer(s):
            a, b = m.span()
            if s[b : b + 1] in ("", " ", ".", ","):
                ranges.append((a, b))  # with the space before it: "use [see (5.1)]." -> "use."
            elif s[a] == " ":
                ranges.append((a + 1, b))  # "hepatitis [see (5.2)])" -> "hepatitis )"
            # "word[see (5.1)]next" keeps it: cutting it would join two words
        if ranges:
            sn = sn.cut(ranges, CutKind.CROSS_REFERENCE)
            s = sn.text
    if " ." in s or " ," in s:
        sn = sn.cut([m.span() for m in _SPACE_BEFORE_PUNCT.finditer(s)], CutKind.SPACE_BEFORE_PUNCTUATION)
    return sn


def strip_xrefs(sentence: str) -> str:
    """Remove label cross references such as "[see Warnings and Precautions (5.1)]"."""
    return cut_xrefs(Snippet.whole(sentence)).text


# what a word processor leaves in a label when its links break
_ARTEFACT = re.compile(r"Error! (?:Hyperlink reference not valid|Bookmark not defined)|^Hyperlink reference not valid")


_LOWER = re.compile(r"[a-z]")


def cleaned(sn: Snippet, max_chars: int, min_chars: int = 25) -> tuple[Snippet, Reason | None]:
    """The sentence without its heading, list marker and cross references, and why what
    is left is no statement (None when it is one): too short, not prose, too long."""
    sn = cut_xrefs(cut_heading(sn))
    s = sn.text
    if len(s) < min_chars:
        return sn, Reason.TOO_SHORT
    if not _LOWER.search(s) or _ARTEFACT.search(s):
        return sn, Reason.NOT_PROSE
    if len(s) > max_chars:
        return sn, Reason.TOO_LONG
    return sn, None


def clean_snippet(sn: Snippet, max_chars: int, min_chars: int = 25) -> Snippet | None:
    """``cleaned``'s snippet, or None when it is no statement."""
    sn, why = cleaned(sn, max_chars, min_chars)
    return None if why is not None else sn


def clean(sentence: str, max_chars: int, min_chars: int = 25) -> str | None:
    sn = clean_snippet(Snippet.whole(sentence), max_chars, min_chars)
    return None if sn is None else sn.text


_NORM = re.compile(r"[^a-z0-9]+")


def norm_key(text: str) -> str:
    """A key for exact-duplicate detection across documents."""
    return _NORM.sub(" ", text.lower()).strip()


def words(text: str) -> set[str]:
    return {w for w in _NORM.split(text.lower()) if len(w) > 2}

