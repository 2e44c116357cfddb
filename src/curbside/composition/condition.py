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
from typing import TYPE_CHECKING

from curbside.composition.aspects import ASPECT_CUES, ASPECT_WORDS, page_aspect
from curbside.composition.extract import Extracted, page_sentences, passage_sentences
from curbside.composition.filters import Reason
from curbside.composition.select import RANK_CAP, Candidate, pick
from curbside.scoring import DEFAULT_WEIGHTS, Features, Weights
from curbside.types import ConditionMention, QuestionType, SourceType, StoredPassage

if TYPE_CHECKING:
    from curbside.composition.explain import SectionTrace, Step, Trace

# passages about a condition: (condition names, aspect words) -> passages, best first
TopicSearch = Callable[[Sequence[str], str], list[StoredPassage]]
Concepts = Callable[[str], frozenset[str]]

# a condition's guideline and study passages: past the twentieth, rank no longer counts
TOPIC_RANK_CAP = 20


@dataclass(frozen=True)
class AspectAnswer:
    """Chosen statements for one condition and aspect."""

    condition: ConditionMention
    aspect: QuestionType
    chosen: list[tuple[Candidate, list[StoredPassage]]]
    trace: SectionTrace | None = None  # what the steps did (explain only)


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


def page_candidates(ps: Sequence[StoredPassage], max_chars: int, per_page: int, *,
                    weights: Weights = DEFAULT_WEIGHTS, step: Step | None = None) -> list[Candidate]:
    """The leading sentences of each page, in order, scored so that earlier pages and
    earlier sentences come first (``page_lead``, ``page_rank``, ``page_position``)."""
    out: list[Candidate] = []
    for s in page_sentences(ps, max_chars, per_page, rest=step is not None):
        pi, si = s.order
        f = Features(page_lead=1.0, page_rank=pi, page_position=si)
        if s.rejection is None:
            out.append(Candidate.made(s, f, weights, preferred=True))
        elif step is not None:
            step.reject(s.text, s.passage, s.rejection, _detail(s, max_chars, per_page), f, weights.score(f))
    return out


def _evidence_candidates(
    ps: Sequence[StoredPassage], pat: re.Pattern[str] | None, cue: re.Pattern[str] | None, max_chars: int, *,
    weights: Weights = DEFAULT_WEIGHTS, step: Step | None = None,
) -> list[Candidate]:
    """Sentences that name the condition (``pat``) and speak to the aspect (``cue``)."""
    out: list[Candidate] = []
    for s in passage_sentences(ps, max_chars):
        why = s.rejection
        if why is None and pat is not None and not pat.search(s.text):
            why = Reason.CONDITION_NOT_NAMED
        if why is None and cue is not None and not cue.search(s.text):
            why = Reason.ASPECT_NOT_ADDRESSED
        if why is not None and step is None:
            continue
        pi, si = s.order
        f = Features(topic_evidence=1.0, topic_passage_rank=min(pi, TOPIC_RANK_CAP),
                     sentence_position=min(si, RANK_CAP),
                     recommendation=1.0 if s.passage.section_code == "recommendations" else 0.0)
        if why is None:
            out.append(Candidate.made(s, f, weights))
        elif step is not None:
            step.reject(s.text, s.passage, why, _detail(s, max_chars), f, weights.score(f))
    return out


def _detail(s: Extracted, max_chars: int, per_page: int = 0) -> str:
    if s.rejection is Reason.TOO_LONG:
        return f"{len(s.text):,} characters; the limit is {max_chars:,}"
    if s.rejection is Reason.LATER_IN_PAGE:
        return f"{per_page} are read"
    return ""


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
    weights: Weights = DEFAULT_WEIGHTS,
    trace: Trace | None = None,
) -> AspectAnswer:
    """Statements that answer ``aspect`` of ``condition``: consumer pages of that aspect
    first, then guideline sentences (and studies: for clinicians up to two, for others
    only when nothing else spoke) naming the condition with a cue of the aspect."""
    pat = name_pattern(condition)
    found = search(names_of(condition), ASPECT_WORDS[aspect])
    own = [p for p in found if p.source_type is SourceType.PATIENT_INFO and about(p, condition, concepts, pat)]
    cue = ASPECT_CUES.get(aspect)
    sec = trace.section(aspect.value, f"{ASPECT_WORDS[aspect]}: {condition.name}") if trace is not None else None
    # 1. a consumer page whose own question asks this aspect: its leading sentences
    step = sec.step(f"consumer pages answering the {ASPECT_WORDS[aspect]} of {condition.name}") if sec else None
    chosen = pick(page_candidates(_first_of_docs(own, aspect), max_chars, per_page=3, weights=weights, step=step),
                  limit, seen, weights=weights, step=step)
    # 2. else the condition's overview page, where it speaks to the aspect
    if not chosen and aspect is not QuestionType.GENERAL and cue is not None:
        overview = _first_of_docs(own, QuestionType.GENERAL, passages_per_doc=3)
        step = sec.step(f"{condition.name}'s overview page, where it speaks to the {ASPECT_WORDS[aspect]}") \
            if sec else None
        chosen = pick(_evidence_candidates(overview, None, cue, max_chars, weights=weights, step=step),
                      min(limit, 3), seen, weights=weights, step=step)
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
        step = sec.step(f"{'guideline' if kind is SourceType.GUIDELINE else 'study'} sentences naming "
                        f"{condition.name}") if sec else None
        extra = pick(_evidence_candidates(ps, pat, cue, max_chars, weights=weights, step=step), room, seen,
                     weights=weights, step=step)
        chosen += extra
        room -= len(extra)
    return AspectAnswer(condition, aspect, chosen, sec)


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
