"""Choosing sentences: candidates from passages, scored, de-duplicated."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from curbside.composition.plan import SectionSpec
from curbside.composition.quoting import Snippet
from curbside.composition.sentences import clean_snippet, norm_key, sentence_snippets, words
from curbside.index.lexical import query_terms
from curbside.understanding.normalize import drug_key
from curbside.types import CutKind, StoredPassage


@dataclass(frozen=True)
class Candidate:
    text: str
    passage: StoredPassage
    key: str
    score: float
    preferred: bool = False
    item: bool = False  # an item of a list that an earlier sentence of its section opened
    order: tuple[int, int] = (0, 0)  # (passage, sentence) position: document order
    foreign: bool = False  # a combination product's label, with drugs that were not asked
    # where ``text`` is in the passage (spans and cuts); the statement's quote
    snippet: Snippet | None = None


def _cut_section_title(sn: Snippet, p: StoredPassage) -> Snippet:
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


def stem(w: str) -> str:
    return w[:6] if len(w) > 6 else w


def stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}


def question_stems(text: str) -> set[str]:
    """Stems of the question's content words (question words and stop words dropped)."""
    return {stem(w) for w in query_terms(text) if len(w) > 2}


def candidates(
    passages: Iterable[StoredPassage],
    spec: SectionSpec | None,
    *,
    query_stems: set[str],
    boost: re.Pattern[str] | None,
    max_chars: int,
    require: re.Pattern[str] | None = None,
    min_overlap: int = 0,
    strict: bool = False,
    asked: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """Every usable sentence of ``passages`` with a score. Passages come best first;
    earlier passages and earlier sentences score a little higher. ``strict`` makes the
    section's preferred pattern a requirement (for sources outside the drug label).
    Labels of combination products score lower when they hold drugs not ``asked``."""
    if spec is not None and spec.max_chars:
        max_chars = spec.max_chars
    out: list[Candidate] = []
    lists = spec is not None and spec.keep_lists
    # (doc, section) -> how many more prose sentences an open list runs on through
    open_lists: dict[tuple[str, str], int] = {}
    for pi, p in enumerate(passages):
        extra_drugs = asked and any(drug_key(d) not in asked for d in p.drugs)
        where = (p.doc_id, p.section_code)
        whole = where not in open_lists  # the section's first passage: may be all of it
        for si, (raw_sn, inherited) in enumerate(_sentences(p.text, spec, max_chars, whole=whole)):
            raw = raw_sn.text
            item = False
            if lists:
                left = open_lists.get(where, -1)
                cue = spec is not None and spec.prefer is not None and bool(spec.prefer.search(raw[:300]))
                if left >= 0 and not cue and (inherited or is_list_item(raw)):
                    item = inherited = True
                    left = LIST_PROSE_GAP
                elif cue and opens_list(raw):
                    left = LIST_PROSE_GAP
                else:
                    left -= 1  # one remark inside a list does not end it; two do
                open_lists[where] = left
            sn = clean_snippet(_cut_section_title(raw_sn, p) if si == 0 else raw_sn, max_chars,
                               ITEM_MIN_CHARS if item else 8 if inherited else 25)
            if sn is None:
                continue
            s = sn.text
            if spec is not None:
                if spec.cues is not None and not spec.cues.search(s):
                    continue
                if spec.test is not None and not spec.test(s):
                    continue
                if spec.reject is not None and spec.reject(s):
                    continue
            if require is not None and not require.search(s):
                continue
            if strict and spec is not None and spec.prefer is not None and not spec.prefer.search(s):
                continue
            overlap = len(stems(s) & query_stems)
            if overlap < min_overlap:
                continue
            score = 1.0 * overlap - 0.05 * min(pi, 10) - 0.1 * min(si, 10)
            preferred = inherited or (
                spec is not None and spec.prefer is not None and bool(spec.prefer.search(s))
            )
            if preferred:
                score += 1.5
            if boost is not None and boost.search(s):
                score += 1.0
            if extra_drugs:
                score -= 1.0
            out.append(Candidate(text=s, passage=p, key=norm_key(s), score=score, preferred=preferred,
                                 item=item, order=(pi, si), foreign=bool(extra_drugs), snippet=sn))
    if spec is not None and spec.prefer_only and any(c.preferred for c in out):
        out = [c for c in out if c.preferred]
    return out


# shorter list items are stray headings ("Important")
ITEM_MIN_CHARS = 12
# prose sentences a list runs on through ("The response is poorer in patients with ...")
LIST_PROSE_GAP = 1
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


# A label section this short is a statement of its own ("Hypertension.").
SHORT_SECTION = 300


def _sentences(text: str, spec: SectionSpec | None, max_chars: int, *, whole: bool = True) -> list[tuple[Snippet, bool]]:
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
        head = bool(spec.prefer is not None and spec.prefer.search(st[:300]))
        out.extend((piece, head) for piece in sentence_snippets(s))
    return out


def _similar(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return False
    # Jaccard: a short sentence is not a duplicate of a long one that shares its words
    return len(a & b) / len(a | b) >= 0.6


# the conditions (concept ids) a sentence names
Concepts = Callable[[str], frozenset[str]]


def pick(
    cands: Sequence[Candidate], limit: int, seen: list[set[str]], *, concepts: Concepts | None = None,
) -> list[tuple[Candidate, list[StoredPassage]]]:
    """The best ``limit`` candidates that are not near-duplicates of each other or of
    ``seen`` (updated in place). Each comes with the other passages that contain the
    very same sentence (extra citations), so consensus across labels is visible.

    With ``concepts``, a sentence whose conditions were all named by sentences already
    chosen ("INDERAL XL is indicated for hypertension" after "... tablets are indicated in
    the management of hypertension") waits until every sentence naming a new one has had
    its place."""
    by_key: dict[str, list[Candidate]] = {}
    for c in cands:
        by_key.setdefault(c.key, []).append(c)
    ranked = sorted(
        by_key.values(),
        key=lambda group: -(max(c.score for c in group) + 0.3 * min(len({c.passage.doc_id for c in group}) - 1, 3)),
    )
    chosen: list[tuple[Candidate, list[StoredPassage]]] = []
    waiting: list[list[Candidate]] = []
    covered: set[str] = set()
    for rank_pass in (ranked, waiting):
        for group in rank_pass:
            if len(chosen) >= limit:
                return chosen
            best = max(group, key=lambda c: c.score)
            ws = words(best.text)
            if any(_similar(ws, s) for s in seen):
                continue
            if concepts is not None and rank_pass is ranked:
                named = concepts(best.text)
                if named and named <= covered:
                    waiting.append(group)
                    continue
                covered |= named
            seen.append(ws)
            chosen.append((best, _other_sources(group, best)))
    return chosen


def _other_sources(group: Sequence[Candidate], best: Candidate) -> list[StoredPassage]:
    """One other document's passage holding the very same sentence, when there is one."""
    for c in group:
        if c.passage.doc_id != best.passage.doc_id:
            return [c.passage]
    return []


def pick_list(
    cands: Sequence[Candidate], chosen: Sequence[tuple[Candidate, list[StoredPassage]]], limit: int,
    seen: list[set[str]],
) -> tuple[list[tuple[Candidate, list[StoredPassage]]], int]:
    """The items of one document's list, in the document's order, and where they go
    among ``chosen``: (items, index to insert them at).

    The list is that of the first chosen statement's document that has one (its opener
    was chosen), else the longest list of a label without drugs that were not asked.
    Near-duplicates of ``seen`` are skipped (``seen`` is updated); each item is also cited
    to another document holding the same text, as ``pick`` does."""
    if limit <= 0:
        return [], len(chosen)
    items: dict[str, list[Candidate]] = {}
    for c in cands:
        if c.item:
            items.setdefault(c.passage.doc_id, []).append(c)
    if not items:
        return [], len(chosen)
    same_text: dict[str, list[Candidate]] = {}
    for c in cands:
        same_text.setdefault(c.key, []).append(c)
    doc = None
    for cand, others in chosen:
        for p in (cand.passage, *others):
            if doc is None and p.doc_id in items:
                doc = p.doc_id
    if doc is None:
        doc = max(items, key=lambda d: (not items[d][0].foreign, len(items[d])))
    out: list[tuple[Candidate, list[StoredPassage]]] = []
    for c in sorted(items[doc], key=lambda c: c.order):
        if len(out) >= limit:
            break
        ws = words(c.text)
        if any(_similar(ws, s) for s in seen):
            continue
        seen.append(ws)
        others = [o.passage for o in same_text[c.key] if o.passage.doc_id != doc][:1]
        out.append((c, others))
    # right after the list's opener: the chosen statement that the list's document holds
    # last before its first item (statements may be cited to a twin document)
    in_doc = {c.key: c.order for c in cands if c.passage.doc_id == doc}
    first = min(c.order for c in items[doc])
    at, best = len(chosen), None
    for i, (cand, _) in enumerate(chosen):
        order = in_doc.get(cand.key)
        if order is not None and order < first and (best is None or order > best):
            at, best = i + 1, order
    return out, at
