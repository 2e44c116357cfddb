"""Articles about a condition: its treatment, causes, symptoms, prevention, tests,
outlook, or what it is.

The answer comes first from consumer pages whose own question asks the same aspect of
the same condition (MedQuAD: "What are the treatments for Pelvic Inflammatory Disease
?"), read in the page's order (a page answers first and details after), then from
guideline recommendations and studies whose sentences name the condition and speak to
the aspect. A sentence that merely shares a word with the question does not enter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from curbside.composition.aspects import ASPECT_CUES, ASPECT_WORDS, page_aspect
from curbside.composition.select import Candidate, pick
from curbside.composition.sentences import clean_snippet, norm_key, sentence_snippets
from curbside.types import ConditionMention, QuestionType, SourceType, StoredPassage

# passages about a condition: (condition names, aspect words) -> passages, best first
TopicSearch = Callable[[Sequence[str], str], list[StoredPassage]]
Concepts = Callable[[str], frozenset[str]]


@dataclass(frozen=True)
class AspectAnswer:
    """Chosen statements for one condition and aspect."""

    condition: ConditionMention
    aspect: QuestionType
    chosen: list[tuple[Candidate, list[StoredPassage]]]


def names_of(c: ConditionMention) -> list[str]:
    """The condition's names as the question and the vocabulary give them."""
    out = [c.text, c.name]
    short = re.sub(r"\s*\(.*?\)\s*", " ", c.name).strip()
    out.append(short)
    return [n for n in dict.fromkeys(x.strip() for x in out) if len(n) >= 3]


def name_pattern(c: ConditionMention) -> re.Pattern[str]:
    names = sorted(names_of(c), key=len, reverse=True)
    # a plural or possessive still names it ("migraines", "Crohn's")
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")(?:e?s|'s)?\b", re.I)


def about(p: StoredPassage, c: ConditionMention, concepts: Concepts | None, pat: re.Pattern[str]) -> bool:
    """The page is about the condition: its title or its question names it."""
    if pat.search(p.title) or pat.search(p.section):
        return True
    if concepts is not None and c.concept_id:
        return c.concept_id in concepts(p.title)
    return False


def page_candidates(ps: Sequence[StoredPassage], max_chars: int, per_page: int) -> list[Candidate]:
    """The leading sentences of each page, in order, scored so that earlier pages and
    earlier sentences come first."""
    out: list[Candidate] = []
    for pi, p in enumerate(ps):
        n = 0
        for si, raw in enumerate(sentence_snippets(p.text)):
            sn = clean_snippet(raw, max_chars)
            if sn is None:
                continue
            s = sn.text
            out.append(Candidate(text=s, passage=p, key=norm_key(s), score=100.0 - 10 * pi - si,
                                 preferred=True, order=(pi, si), snippet=sn))
            n += 1
            if n >= per_page:
                break
    return out


def _evidence_candidates(
    ps: Sequence[StoredPassage], pat: re.Pattern[str] | None, cue: re.Pattern[str] | None, max_chars: int,
) -> list[Candidate]:
    """Sentences that name the condition (``pat``) and speak to the aspect (``cue``)."""
    out: list[Candidate] = []
    for pi, p in enumerate(ps):
        for si, raw in enumerate(sentence_snippets(p.text)):
            sn = clean_snippet(raw, max_chars)
            s = sn.text if sn is not None else None
            if s is None or (pat is not None and not pat.search(s)) or (cue is not None and not cue.search(s)):
                continue
            score = 10.0 - 0.3 * min(pi, 20) - 0.1 * min(si, 10)
            if p.section_code == "recommendations":
                score += 1.0
            out.append(Candidate(text=s, passage=p, key=norm_key(s), score=score, order=(pi, si), snippet=sn))
    return out


def answer_aspect(
    condition: ConditionMention,
    aspect: QuestionType,
    *,
    search: TopicSearch,
    ranked: Sequence[StoredPassage],
    concepts: Concepts | None,
    max_chars: int,
    seen: list[set[str]],
    limit: int = 4,
    clinician: bool = True,
) -> AspectAnswer:
    """Statements that answer ``aspect`` of ``condition``: consumer pages of that aspect
    first, then guideline sentences (and studies: for clinicians up to two, for others
    only when nothing else spoke) naming the condition with a cue of the aspect."""
    pat = name_pattern(condition)
    found = search(names_of(condition), ASPECT_WORDS[aspect])
    own = [p for p in found if p.source_type is SourceType.PATIENT_INFO and about(p, condition, concepts, pat)]
    cue = ASPECT_CUES.get(aspect)
    # 1. a consumer page whose own question asks this aspect: its leading sentences
    chosen = pick(page_candidates(_first_of_docs(own, aspect), max_chars, per_page=3), limit, seen)
    # 2. else the condition's overview page, where it speaks to the aspect
    if not chosen and aspect is not QuestionType.GENERAL and cue is not None:
        overview = _first_of_docs(own, QuestionType.GENERAL, passages_per_doc=3)
        chosen = pick(_evidence_candidates(overview, None, cue, max_chars), min(limit, 3), seen)
    # 3. guidelines (and, when nothing else speaks to it, studies) naming the condition
    pool = [*ranked, *found]
    room = max(limit - len(chosen), 2 if clinician else 0)
    for kind in (SourceType.GUIDELINE, SourceType.RESEARCH):
        if kind is SourceType.RESEARCH:
            # studies add to a clinician's answer; a consumer's only when nothing else spoke
            room = max(room, 2) if clinician else (room if not chosen else 0)
        if room <= 0:
            break
        ps = list({p.rowid: p for p in pool if p.source_type is kind}.values())
        extra = pick(_evidence_candidates(ps, pat, cue, max_chars), room, seen)
        chosen += extra
        room -= len(extra)
    return AspectAnswer(condition, aspect, chosen)


def _first_of_docs(ps: Sequence[StoredPassage], aspect: QuestionType, *, docs: int = 2,
                   passages_per_doc: int = 1) -> list[StoredPassage]:
    """The first passages of up to ``docs`` pages whose question asks ``aspect``."""
    by_doc: dict[str, list[StoredPassage]] = {}
    for p in ps:
        if page_aspect(p.section) is aspect:
            by_doc.setdefault(p.doc_id, []).append(p)
    out: list[StoredPassage] = []
    for d in list(by_doc.values())[:docs]:
        out.extend(sorted(d, key=lambda x: x.ordinal)[:passages_per_doc])
    return out
