"""Choosing sentences: candidates from passages, scored, de-duplicated."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from curbside.composition.plan import SectionSpec
from curbside.composition.sentences import clean, norm_key, split_sentences, words
from curbside.index.lexical import query_terms
from curbside.types import StoredPassage


@dataclass(frozen=True)
class Candidate:
    text: str
    passage: StoredPassage
    key: str
    score: float


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
) -> list[Candidate]:
    """Every usable sentence of ``passages`` with a score. Passages come best first;
    earlier passages and earlier sentences score a little higher. ``strict`` makes the
    section's preferred pattern a requirement (for sources outside the drug label)."""
    out: list[Candidate] = []
    for pi, p in enumerate(passages):
        for si, raw in enumerate(split_sentences(p.text)):
            s = clean(raw, max_chars)
            if s is None:
                continue
            if spec is not None:
                if spec.cues is not None and not spec.cues.search(s):
                    continue
                if spec.exclude is not None and spec.exclude.search(s):
                    continue
            if require is not None and not require.search(s):
                continue
            if strict and spec is not None and spec.prefer is not None and not spec.prefer.search(s):
                continue
            overlap = len(stems(s) & query_stems)
            if overlap < min_overlap:
                continue
            score = 1.0 * overlap - 0.15 * pi - 0.1 * si
            if spec is not None and spec.prefer is not None and spec.prefer.search(s):
                score += 1.5
            if boost is not None and boost.search(s):
                score += 1.0
            out.append(Candidate(text=s, passage=p, key=norm_key(s), score=score))
    return out


def _similar(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= 0.75


def pick(
    cands: Sequence[Candidate], limit: int, seen: list[set[str]]
) -> list[tuple[Candidate, list[StoredPassage]]]:
    """The best ``limit`` candidates that are not near-duplicates of each other or of
    ``seen`` (updated in place). Each comes with the other passages that contain the
    very same sentence (extra citations), so consensus across labels is visible."""
    by_key: dict[str, list[Candidate]] = {}
    for c in cands:
        by_key.setdefault(c.key, []).append(c)
    ranked = sorted(
        by_key.values(),
        key=lambda group: -(max(c.score for c in group) + 0.3 * min(len({c.passage.doc_id for c in group}) - 1, 3)),
    )
    chosen: list[tuple[Candidate, list[StoredPassage]]] = []
    for group in ranked:
        if len(chosen) >= limit:
            break
        best = max(group, key=lambda c: c.score)
        ws = words(best.text)
        if any(_similar(ws, s) for s in seen):
            continue
        seen.append(ws)
        others: list[StoredPassage] = []
        for c in group:
            if c.passage.doc_id != best.passage.doc_id and all(
                o.doc_id != c.passage.doc_id for o in others
            ):
                others.append(c.passage)
        chosen.append((best, others[:1]))
    return chosen
