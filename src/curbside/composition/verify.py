"""Citation integrity, checked: a statement is exactly the spans of the passage it
quotes, minus cuts that are each of a kind the sentence cleaner may make.

    verdict = verify(statement, reference.passage, passage_id=reference.passage_id,
                     section=reference.section)
    if not verdict.ok: log and drop it (verdict.reason says why)

What is allowed, and nothing else (no case folding, no bag of words):

- the statement's text is ``quoting.join_spans`` of its quote's spans: the spans'
  text joined with nothing, every run of whitespace one space, none at either end;
- spans are in passage order and, with the cuts, tile one stretch of the passage that
  starts and ends between words (a quote cannot begin inside "unsafe");
- every cut is of a known kind and removes only what that kind may remove: a
  heading, numbered subheading, the passage's own section title or a list marker
  before the first span; a "[see ...]" cross reference; a space before a comma or a
  full stop that ends a clause. So no cut can drop "not", a word or a number.

The composer runs this on every statement it writes (compose.py ``verified``) and the
evaluation's citation integrity is this check (evaluation/common.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from curbside.composition.quoting import join_spans
from curbside.composition.sentences import (
    HEADING_CUT,
    LIST_MARKER_CUT,
    SUBHEADING_CUT,
    XREF_CUT,
    normalize_ws,
)
from curbside.types import Cut, CutKind, Statement

# kinds that only ever come before the quoted words (the start of a sentence)
_LEADING = frozenset({CutKind.HEADING, CutKind.SUBHEADING, CutKind.SECTION_TITLE, CutKind.LIST_MARKER})
_TITLE_SEPARATORS = frozenset(" :.-–")
# a comma or full stop not followed by a letter or digit (not a decimal point: ".03")
_CLAUSE_PUNCT = re.compile(r"[.,](?!\w)")


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str = ""  # why not, for the log and the evaluation report


OK = Verdict(True)


def verify(statement: Statement, passage: str, *, passage_id: str | None = None, section: str = "") -> Verdict:
    """Whether ``statement`` is exactly what its quote says it takes from ``passage``
    (the text of the reference it cites first). ``passage_id``, when given, must be the
    quote's; ``section`` is that reference's section (a section-title cut must be its
    title)."""
    q = statement.quote
    if q is None:
        return Verdict(False, "no quote recorded")
    if passage_id is not None and q.passage_id != passage_id:
        return Verdict(False, f"quotes passage {q.passage_id}, but its first citation is {passage_id}")
    if not q.spans:
        return Verdict(False, "the quote has no span")
    pieces: list[tuple[int, int, Cut | None]] = [(s, e, None) for s, e in q.spans]
    pieces += [(c.start, c.end, c) for c in q.cuts]
    for s, e, _ in pieces:
        if not 0 <= s < e <= len(passage):
            return Verdict(False, f"stretch {s}–{e} is empty or outside the passage ({len(passage)} characters)")
    if any(b[0] < a[1] for a, b in pairwise(q.spans)):
        return Verdict(False, "spans are out of order or overlap")
    pieces.sort(key=lambda x: x[0])
    for (_, e, _), (s, _, _) in pairwise(pieces):
        if s < e:
            return Verdict(False, f"stretches overlap at {s}")
        if s > e:
            return Verdict(False, f"{passage[e:s][:80]!r} at {e}–{s} is left out without a recorded cut")
    start, end = pieces[0][0], pieces[-1][1]
    if start > 0 and passage[start - 1].isalnum() and passage[start].isalnum():
        return Verdict(False, f"the quote starts inside a word at {start}")
    if end < len(passage) and passage[end - 1].isalnum() and passage[end].isalnum():
        return Verdict(False, f"the quote ends inside a word at {end}")
    first = q.spans[0][0]
    for c in q.cuts:
        why = _cut_refused(c, passage, section, first)
        if why:
            return Verdict(False, f"{c.kind.value} cut {passage[c.start:c.end][:80]!r} at {c.start}: {why}")
    text = join_spans(passage, q.spans)
    if text != statement.text:
        i = next((k for k, (a, b) in enumerate(zip(text, statement.text)) if a != b), min(len(text),
                                                                                          len(statement.text)))
        return Verdict(False, f"the text differs from its spans at character {i}: "
                              f"{statement.text[max(0, i - 20):i + 30]!r} vs {text[max(0, i - 20):i + 30]!r}")
    return OK


def _cut_refused(c: Cut, passage: str, section: str, first_span: int) -> str | None:
    """Why the cut is not one its kind may make, or None when it is."""
    if not isinstance(c.kind, CutKind):
        return "unknown kind"
    cut = passage[c.start:c.end]
    if c.kind in _LEADING and c.end > first_span:
        return "only the start of a sentence may be cut this way"
    if c.kind is CutKind.HEADING:
        return None if HEADING_CUT.fullmatch(cut) else "not a section number and upper-case heading words"
    if c.kind is CutKind.SUBHEADING:
        return None if SUBHEADING_CUT.fullmatch(cut) else "not a numbered subsection title"
    if c.kind is CutKind.SECTION_TITLE:
        return None if _is_section_title(cut, section) else f"not the passage's section title ({section!r})"
    if c.kind is CutKind.LIST_MARKER:
        if not LIST_MARKER_CUT.fullmatch(cut):
            return "not bullets or dashes"
        if cut[-1] in "-–" and passage[c.end : c.end + 1].isdigit():
            return "a minus sign, not a list marker"
        return None
    if c.kind is CutKind.CROSS_REFERENCE:
        return None if XREF_CUT.fullmatch(cut) else "not a bracketed [see ...] cross reference"
    if c.kind is CutKind.SPACE_BEFORE_PUNCTUATION:
        if not cut.isspace():
            return "not whitespace"
        if not _CLAUSE_PUNCT.match(passage, c.end):
            return "not before a comma or full stop that ends a clause"
        return None
    return "unknown kind"  # pragma: no cover - every CutKind is handled above


def _is_section_title(cut: str, section: str) -> bool:
    """The cut is the passage's own subsection title ("1.1 Pancreatic Cancer" of the
    section "Indications and usage: 1.1 Pancreatic Cancer"), with or without its number,
    and the separators after it."""
    if ": " not in section:
        return False
    title = section.split(": ", 1)[1].strip()
    bare = re.sub(r"^\d{1,2}(?:\.\d{1,2})*\s+", "", title)
    text = normalize_ws(cut)
    return any(h and text.startswith(h) and set(text[len(h):]) <= _TITLE_SEPARATORS for h in (title, bare))
