"""Choosing sentences: extraction (extract.py) → filtering (filters.py) → scoring
(scoring.py) → picking (here: the best, not near-duplicates, with consensus citations).

``candidates`` wires the first three for label-style selection; ``pick`` and
``pick_list`` choose among candidates however they were found. Each takes an optional
``step`` (composition/explain.py) that records what was rejected and why, and what was
chosen at which rank: only ``ask --explain`` passes one, so a normal answer pays for
none of it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from curbside.composition.extract import Extracted, label_sentences
from curbside.composition.extract import is_list_item as is_list_item  # re-exported: its old home
from curbside.composition.filters import Reason, SentenceRules
from curbside.composition.plan import SectionSpec
from curbside.composition.quoting import Snippet
from curbside.composition.sentences import norm_key, words
from curbside.index.lexical import query_terms
from curbside.scoring import DEFAULT_WEIGHTS, Features, Weights
from curbside.types import StoredPassage

if TYPE_CHECKING:
    from curbside.composition.explain import Step

# features are capped: past the tenth passage or sentence, rank no longer counts
RANK_CAP = 10
# other documents holding the same sentence that count towards consensus
CONSENSUS_CAP = 3
# Jaccard similarity of two sentences' words at which the later is a near-duplicate
NEAR_DUPLICATE = 0.6


@dataclass(frozen=True)
class Candidate:
    text: str
    passage: StoredPassage
    key: str
    score: float  # weights.score(features) for a candidate the composer made
    preferred: bool = False
    item: bool = False  # an item of a list that an earlier sentence of its section opened
    order: tuple[int, int] = (0, 0)  # (passage, sentence) position: document order
    foreign: bool = False  # a combination product's label, with drugs that were not asked
    # where ``text`` is in the passage (spans and cuts); the statement's quote
    snippet: Snippet | None = None
    features: Features = Features()

    @classmethod
    def made(cls, sentence: Extracted, features: Features, weights: Weights, *, preferred: bool = False
             ) -> Candidate:
        """The candidate for an extracted sentence, scored."""
        return cls(text=sentence.text, passage=sentence.passage, key=norm_key(sentence.text),
                   score=weights.score(features), preferred=preferred, item=sentence.item,
                   order=sentence.order, foreign=sentence.other_drugs, snippet=sentence.snippet,
                   features=features)

    def adjusted(self, weights: Weights, **changes: float) -> Candidate:
        """The candidate with features changed and its score moved by weight × change,
        each term added in the table's order (the same float as scoring afresh when
        the changed features come after those already set, as they do)."""
        score = self.score
        for name, value in changes.items():
            score += getattr(weights, name) * (value - getattr(self.features, name))
        return dataclasses.replace(self, score=score, features=dataclasses.replace(self.features, **changes))


def stem(w: str) -> str:
    return w[:6] if len(w) > 6 else w


def stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}


def question_stems(text: str) -> set[str]:
    """Stems of the question's content words (question words and stop words dropped)."""
    return {stem(w) for w in query_terms(text) if len(w) > 2}


def sentence_features(
    s: Extracted, overlap: int, spec: SectionSpec | None, boost: re.Pattern[str] | None,
) -> Features:
    """A label-style candidate's features: shared question words, where it is, the
    section's cue (or its list's), a named condition or partner drug, a combination
    product's label."""
    cue = s.inherited or (spec is not None and spec.prefer is not None and bool(spec.prefer.search(s.text)))
    pi, si = s.order
    return Features(
        question_words=overlap, passage_rank=min(pi, RANK_CAP), sentence_position=min(si, RANK_CAP),
        section_cue=1.0 if cue else 0.0,
        topic_named=1.0 if boost is not None and boost.search(s.text) else 0.0,
        other_drugs=1.0 if s.other_drugs else 0.0,
    )


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
    weights: Weights = DEFAULT_WEIGHTS,
    step: Step | None = None,
) -> list[Candidate]:
    """Every usable sentence of ``passages`` (best first), scored. ``require`` is a
    pattern a sentence must hold, ``min_overlap`` the question words it must share;
    ``strict`` makes the section's preferred pattern a requirement (for sources outside
    the drug label). Labels of combination products score lower when they hold drugs
    not ``asked``. A section that keeps only preferred sentences (``prefer_only``) drops
    the others when there are any."""
    if spec is not None and spec.max_chars:
        max_chars = spec.max_chars
    rules = SentenceRules(spec, require, strict, min_overlap)
    out: list[Candidate] = []
    for s in label_sentences(passages, spec, max_chars, asked=asked):
        why = s.rejection or rules.text_rejection(s.text)
        overlap = len(stems(s.text) & query_stems) if why is None or step is not None else 0
        why = why or rules.overlap_rejection(overlap)
        if why is None:
            f = sentence_features(s, overlap, spec, boost)
            out.append(Candidate.made(s, f, weights, preferred=bool(f.section_cue)))
        elif step is not None:
            f = sentence_features(s, overlap, spec, boost)
            step.reject(s.text, s.passage, why, rules.detail(why, chars=len(s.text), max_chars=max_chars),
                        f, weights.score(f))
    if spec is not None and spec.prefer_only and any(c.preferred for c in out):
        out = keep(out, lambda c: c.preferred, Reason.CUE_ELSEWHERE, step)
    return out


def keep(cands: Sequence[Candidate], ok: Callable[[Candidate], bool], reason: Reason, step: Step | None,
         detail: str = "") -> list[Candidate]:
    """The candidates ``ok`` keeps; with a ``step``, the others are recorded with ``reason``."""
    if step is None:
        return [c for c in cands if ok(c)]
    out = []
    for c in cands:
        if ok(c):
            out.append(c)
        else:
            step.reject_candidate(c, reason, detail)
    return out


def _similar(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return False
    # Jaccard: a short sentence is not a duplicate of a long one that shares its words
    return len(a & b) / len(a | b) >= NEAR_DUPLICATE


# the conditions (concept ids) a sentence names
Concepts = Callable[[str], frozenset[str]]


def pick(
    cands: Sequence[Candidate], limit: int, seen: list[set[str]], *, concepts: Concepts | None = None,
    weights: Weights = DEFAULT_WEIGHTS, step: Step | None = None,
) -> list[tuple[Candidate, list[StoredPassage]]]:
    """The best ``limit`` candidates that are not near-duplicates of each other or of
    ``seen`` (updated in place). Each comes with the other passages that contain the
    very same sentence (extra citations), so consensus across labels is visible; a
    sentence that several documents hold ranks higher by ``weights.consensus`` for each
    (the chosen candidate carries that ``consensus`` feature in its score).

    With ``concepts``, a sentence whose conditions were all named by sentences already
    chosen ("INDERAL XL is indicated for hypertension" after "... tablets are indicated in
    the management of hypertension") waits until every sentence naming a new one has had
    its place."""
    by_key: dict[str, list[Candidate]] = {}
    for c in cands:
        by_key.setdefault(c.key, []).append(c)

    def agreeing(group: list[Candidate]) -> int:
        return min(len({c.passage.doc_id for c in group}) - 1, CONSENSUS_CAP)

    ranked = sorted(by_key.values(), key=lambda group: -(max(c.score for c in group)
                                                        + weights.consensus * agreeing(group)))
    chosen: list[tuple[Candidate, list[StoredPassage]]] = []
    groups: list[list[Candidate]] = []  # the group of each chosen candidate
    waiting: list[list[Candidate]] = []
    covered: set[str] = set()
    dupes: list[tuple[Candidate, int]] = []  # near-duplicates, and how many were chosen before each
    for rank_pass in (ranked, waiting):
        for group in rank_pass:
            if len(chosen) >= limit:
                break
            best = max(group, key=lambda c: c.score)
            ws = words(best.text)
            if any(_similar(ws, s) for s in seen):
                dupes.append((best, len(chosen)))
                continue
            if concepts is not None and rank_pass is ranked:
                named = concepts(best.text)
                if named and named <= covered:
                    waiting.append(group)
                    continue
                covered |= named
            seen.append(ws)
            if (n := agreeing(group)) > 0:
                best = best.adjusted(weights, consensus=n)
            chosen.append((best, _other_sources(group, best)))
            groups.append(group)
    if step is not None:
        _record_pick(step, ranked, chosen, groups, waiting, dupes, limit)
    return chosen


def _record_pick(step: Step, ranked: list[list[Candidate]], chosen: list[tuple[Candidate, list[StoredPassage]]],
                 groups: list[list[Candidate]], waiting: list[list[Candidate]], dupes: list[tuple[Candidate, int]],
                 limit: int) -> None:
    """Record what a pick did: each chosen candidate with its rank, each near-duplicate
    with the statement it repeats, and the rest: below the chosen ones, or waiting for
    room (their conditions already stated)."""
    rank = {id(g): i for i, g in enumerate(ranked, start=1)}
    waited = {id(g) for g in waiting}
    for (c, _), g in zip(chosen, groups, strict=True):
        step.choose(c, rank[id(g)], len(ranked), "waited: it names only conditions already stated"
                    if id(g) in waited else "")
    for c, before in dupes:
        step.reject_candidate(c, Reason.NEAR_DUPLICATE, _duplicate_of(c, [x for x, _ in chosen[:before]]))
    taken = {c.key for c, _ in chosen}
    low = min((c.score for c, _ in chosen), default=None)
    lowest = f"; the lowest chosen scored {low:.2f}" if low is not None else ""
    for i, group in enumerate(ranked, start=1):
        best = max(group, key=lambda c: c.score)
        if best.key in taken or step.has_rejected(best.key):
            continue
        if id(group) in waited:
            step.reject_candidate(best, Reason.CONDITIONS_COVERED, f"ranked {i} of {len(ranked)}")
        else:
            step.reject_candidate(best, Reason.OUTRANKED, f"ranked {i} of {len(ranked)}; {limit} kept{lowest}")


def _duplicate_of(c: Candidate, earlier: list[Candidate]) -> str:
    """Which statement a near-duplicate repeats (one of this pick's, else an earlier section's)."""
    ws = words(c.text)
    for e in earlier:
        if _similar(ws, words(e.text)):
            return f"“{e.text[:100]}{'…' if len(e.text) > 100 else ''}”"
    return "one of an earlier section"


def _other_sources(group: Sequence[Candidate], best: Candidate) -> list[StoredPassage]:
    """One other document's passage holding the very same sentence, when there is one."""
    for c in group:
        if c.passage.doc_id != best.passage.doc_id:
            return [c.passage]
    return []


def _record_list(step: Step, items: dict[str, list[Candidate]], doc: str, in_order: list[Candidate],
                 out: list[tuple[Candidate, list[StoredPassage]]], limit: int) -> None:
    """Record what ``pick_list`` did: the items shown (ranked in the label's order), those
    skipped as near-duplicates, those past the length limit, and other documents' lists."""
    shown = {id(c) for c, _ in out}
    last = max((i for i, c in enumerate(in_order) if id(c) in shown), default=-1)
    full = len(out) >= limit
    for i, c in enumerate(in_order, start=1):
        if id(c) in shown:
            step.choose(c, i, len(in_order), "an item of the list its chosen opener introduced, in the label's order")
        elif full and i - 1 > last:
            step.reject_candidate(c, Reason.LIST_FULL, f"item {i} of {len(in_order)}; {limit} shown")
        else:
            step.reject_candidate(c, Reason.NEAR_DUPLICATE)
    for d, its in items.items():
        if d != doc:
            for c in its:
                step.reject_candidate(c, Reason.OTHER_LIST, f"the list shown is {doc}'s")


def pick_list(
    cands: Sequence[Candidate], chosen: Sequence[tuple[Candidate, list[StoredPassage]]], limit: int,
    seen: list[set[str]], *, step: Step | None = None,
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
    doc = _list_document(items, chosen)
    out: list[tuple[Candidate, list[StoredPassage]]] = []
    in_order = sorted(items[doc], key=lambda c: c.order)
    for c in in_order:
        if len(out) >= limit:
            break
        ws = words(c.text)
        if any(_similar(ws, s) for s in seen):
            continue
        seen.append(ws)
        others = [o.passage for o in same_text[c.key] if o.passage.doc_id != doc][:1]
        out.append((c, others))
    if step is not None:
        _record_list(step, items, doc, in_order, out, limit)
    return out, _list_place(cands, chosen, doc, min(c.order for c in items[doc]))


def _list_document(items: dict[str, list[Candidate]], chosen: Sequence[tuple[Candidate, list[StoredPassage]]]
                   ) -> str:
    """The document whose list is shown: the first chosen statement's (or its twin's)
    that has one, else the longest list of a label without drugs that were not asked."""
    for cand, others in chosen:
        for p in (cand.passage, *others):
            if p.doc_id in items:
                return p.doc_id
    return max(items, key=lambda d: (not items[d][0].foreign, len(items[d])))


def _list_place(cands: Sequence[Candidate], chosen: Sequence[tuple[Candidate, list[StoredPassage]]], doc: str,
                first: tuple[int, int]) -> int:
    """Where the list goes among ``chosen``: right after its opener, the chosen statement
    that the list's document holds last before its ``first`` item (statements may be
    cited to a twin document); at the end when there is none."""
    in_doc = {c.key: c.order for c in cands if c.passage.doc_id == doc}
    at, best = len(chosen), None
    for i, (cand, _) in enumerate(chosen):
        order = in_doc.get(cand.key)
        if order is not None and order < first and (best is None or order > best):
            at, best = i + 1, order
    return at
