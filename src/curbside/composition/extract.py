"""Extraction, the first step of selection: the sentences of passages, each with what
scoring and explaining need to know of its source.

A label's list is the subtle part. An indications section often reads "... is indicated
in the following conditions:" followed by items ("Allergic states ...", "Dermatologic
diseases ...") that are not sentences of their own, and may run across passages. For
sections that keep lists (``SectionSpec.keep_lists``) extraction follows each (document,
section)'s open list: an item inherits the cue of the sentence that opened it, so it
scores as that sentence does, and is marked ``item`` for the list picker
(select.pick_list). Every raw sentence moves that state, whether it is kept or not, so
the filters that come after never change which sentences are items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from curbside.composition.filters import Reason
from curbside.composition.plan import SectionSpec
from curbside.composition.quoting import Snippet
from curbside.composition.sentences import cleaned, sentence_snippets
from curbside.types import CutKind, StoredPassage
from curbside.understanding.normalize import drug_key

# shorter list items are stray headings ("Important")
ITEM_MIN_CHARS = 12
# an item's continuation, or a section's only words, may be this short ("Hypertension.")
INHERITED_MIN_CHARS = 8
# any other sentence
MIN_CHARS = 25
# prose sentences a list runs on through ("The response is poorer in patients with ...")
LIST_PROSE_GAP = 1
# A label section this short is a statement of its own ("Hypertension.").
SHORT_SECTION = 300
# a sentence introduces a list when its section's cue is within its first characters
CUE_WINDOW = 300


@dataclass(frozen=True, slots=True)
class Extracted:
    """One sentence of a passage, cleaned (sentences.cleaned), and where it is from.
    ``rejection`` is set when cleaning left no statement (too short, too long, not prose)."""

    snippet: Snippet
    passage: StoredPassage
    order: tuple[int, int]  # (passage, sentence) position: document order
    inherited: bool  # carries the cue of the sentence that opened its list
    item: bool  # an item of a list that an earlier sentence of its section opened
    other_drugs: bool  # a combination product's label, with drugs that were not asked
    rejection: Reason | None = None

    @property
    def text(self) -> str:
        return self.snippet.text


def label_sentences(
    passages: Iterable[StoredPassage], spec: SectionSpec | None, max_chars: int, *, asked: frozenset[str] = frozenset(),
) -> Iterator[Extracted]:
    """Every sentence of ``passages`` (best first) in order, cleaned, with its list state
    and whether its label holds drugs not ``asked``."""
    lists = spec is not None and spec.keep_lists
    # (doc, section) -> how many more prose sentences an open list runs on through
    open_lists: dict[tuple[str, str], int] = {}
    for pi, p in enumerate(passages):
        other_drugs = bool(asked) and any(drug_key(d) not in asked for d in p.drugs)
        where = (p.doc_id, p.section_code)
        whole = where not in open_lists  # the section's first passage: may be all of it
        for si, (raw_sn, inherited) in enumerate(_sentences(p.text, spec, max_chars, whole=whole)):
            item = False
            if lists:
                item, inherited, open_lists[where] = _list_state(raw_sn.text, spec, open_lists.get(where, -1),
                                                                 inherited)
            min_chars = ITEM_MIN_CHARS if item else INHERITED_MIN_CHARS if inherited else MIN_CHARS
            sn, why = cleaned(cut_section_title(raw_sn, p) if si == 0 else raw_sn, max_chars, min_chars)
            yield Extracted(sn, p, (pi, si), inherited, item, other_drugs, why)


def _list_state(raw: str, spec: SectionSpec | None, left: int, inherited: bool) -> tuple[bool, bool, int]:
    """(is an item, inherits the cue, prose sentences the list may still run on through;
    -1: no list is open) after the sentence ``raw``."""
    cue = spec is not None and spec.prefer is not None and bool(spec.prefer.search(raw[:CUE_WINDOW]))
    if left >= 0 and not cue and (inherited or is_list_item(raw)):
        return True, True, LIST_PROSE_GAP
    if cue and opens_list(raw):
        return False, inherited, LIST_PROSE_GAP
    return False, inherited, left - 1  # one remark inside a list does not end it; two do


def cut_section_title(sn: Snippet, p: StoredPassage) -> Snippet:
    """Cut the passage's own subsection title ("1.1 Pancreatic Cancer") when the first
    sentence starts with it."""
    if ": " not in p.section:
        return sn
    sentence = sn.text
    title = p.section.split(": ", 1)[1].strip()
    bare = re.sub(r"^\d{1,2}(?:\.\d{1,2})*\s+", "", title)
    for head in (title, bare):
        if head and sentence.startswith(head) and len(sentence) - len(head) > 25:
            rest = sentence[len(head):].lstrip(" :.-–")
            if rest[:1].isupper():
                return sn.cut([(0, len(sentence) - len(rest))], CutKind.SECTION_TITLE)
    return sn


# "... indicated for the treatment of patients with: Brain tumors ...", "... as follows:"
_OPENS_LIST = re.compile(r":(?:\s|$)")
_PARENS = re.compile(r"\([^()]*\)")
# a finite verb outside parentheses: the text is prose again, not a list item
_PROSE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|do|does|did|may|should|must|can|could|will|would|"
    r"include[sd]?|produces?|represents?|consists?|requires?|reveals?|shows?|shown|"
    r"demonstrated?|occurs?|contains?|provides?|appears?|suggests?|remains?|becomes?)\b",
    re.I,
)


def opens_list(sentence: str) -> bool:
    """The sentence introduces a list: a colon followed by the first item(s) or nothing."""
    return bool(_OPENS_LIST.search(sentence))


# instructions and conditions are not items either: "If rash persists ... do not ...",
# "When using ..., also refer to ...", "Avoid use in ..."
_INSTRUCTION = re.compile(r"^\W*(?:if|when|avoid|see|refer|consider|note)\b|\b(?:do not|refer to|avoid)\b", re.I)


def is_list_item(sentence: str) -> bool:
    """A list item is a run of condition names and qualifiers ("Dermatologic diseases
    Pemphigus, severe erythema multiforme."), with no finite verb outside parentheses
    and no instruction."""
    bare = _PARENS.sub(" ", sentence)
    return not _PROSE.search(bare) and not _INSTRUCTION.search(bare)


def _sentences(text: str, spec: SectionSpec | None, max_chars: int, *, whole: bool = True
               ) -> list[tuple[Snippet, bool]]:
    """(sentence, inherits the section's preferred cue). For list-keeping sections a list
    too long to keep whole is cut into its items, which inherit the cue of the sentence
    that introduced them ("... is indicated in the following conditions: • A • B"), and a
    ``whole`` section (not a later passage of one) of a few words counts as preferred too."""
    if spec is None or not spec.keep_lists:
        return [(s, False) for s in sentence_snippets(text)]
    if whole and len(text) <= SHORT_SECTION and spec.prefer_only:
        return [(s, True) for s in sentence_snippets(text, keep_lists=True)]
    out: list[tuple[Snippet, bool]] = []
    for s in sentence_snippets(text, keep_lists=True):
        st = s.text
        if len(st) <= max_chars:
            out.append((s, False))
            continue
        head = bool(spec.prefer is not None and spec.prefer.search(st[:CUE_WINDOW]))
        out.extend((piece, head) for piece in sentence_snippets(s))
    return out


def page_sentences(
    ps: Iterable[StoredPassage], max_chars: int, per_page: int, *, rest: bool = False,
) -> Iterator[Extracted]:
    """The leading sentences of consumer pages, in order: up to ``per_page`` statements
    of each page (and the sentences cleaning rejects among them). With ``rest`` (for an
    explanation) the page's later sentences follow, marked ``LATER_IN_PAGE``."""
    for pi, p in enumerate(ps):
        n = 0
        for si, raw in enumerate(sentence_snippets(p.text)):
            if n >= per_page and not rest:
                break
            sn, why = cleaned(raw, max_chars)
            if n >= per_page:
                why = why or Reason.LATER_IN_PAGE
            elif why is None:
                n += 1
            yield Extracted(sn, p, (pi, si), False, False, False, why)


def passage_sentences(ps: Iterable[StoredPassage], max_chars: int) -> Iterator[Extracted]:
    """The sentences of passages (guidelines, studies), in order, cleaned."""
    for pi, p in enumerate(ps):
        for si, raw in enumerate(sentence_snippets(p.text)):
            sn, why = cleaned(raw, max_chars)
            yield Extracted(sn, p, (pi, si), False, False, False, why)
