"""The embedded composer: no language model. It selects, orders and lightly trims
sentences from retrieved passages; every statement cites the passages it came from."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from curbside.composition.plan import ASKED_FOR, PLANS, SectionSpec
from curbside.composition.references import ReferenceBook
from curbside.composition.select import Candidate, Concepts, candidates, pick, pick_list, question_stems, stems
from curbside.types import (
    Article,
    Audience,
    ParsedQuestion,
    Section,
    SourceType,
    Statement,
    StoredPassage,
)

SectionSearch = Callable[[SectionSpec], list[StoredPassage]]

_SOURCE_SECTIONS = {
    SourceType.DRUG_LABEL: ("labels", "What the drug labels say", "What the drug label says"),
    SourceType.GUIDELINE: ("guidelines", "Clinical guidelines", "What doctors' guidelines say"),
    SourceType.RESEARCH: ("research", "Research evidence", "What research found"),
    SourceType.PATIENT_INFO: ("patient_info", "Patient information", "Information for patients"),
}


@dataclass(frozen=True)
class Context:
    """What the composer is given besides the question."""

    audience: Audience
    ranked: Sequence[StoredPassage]  # retrieved passages, best first
    labels: Sequence[StoredPassage]  # label passages of the asked drugs, best documents first
    section_search: SectionSearch
    max_statements: int
    max_chars: int
    concepts: Concepts | None = None  # the conditions a sentence names (for the main section)
    # the question's content words (stems) weighted by how rare they are in the corpus
    # (inverse document frequency): an evidence article's statement must carry at least
    # ``min_coverage`` of the total weight, so common words alone do not make an answer
    term_weights: Mapping[str, float] = field(default_factory=dict)
    min_coverage: float = 0.4


def _title(q: str) -> str:
    q = q.strip()
    return q if q.endswith("?") else q.rstrip(".!") + "?"


def _names_pattern(names: set[str], min_len: int, prefix: str = "") -> re.Pattern[str] | None:
    """A case-insensitive pattern for any of ``names`` (longest first) at a word start,
    after ``prefix``; None when there is no name of ``min_len`` characters or more."""
    kept = sorted((n for n in names if len(n) >= min_len), key=len, reverse=True)
    if not kept:
        return None
    return re.compile(prefix + r"\b(?:" + "|".join(re.escape(n) for n in kept) + r")", re.I)


def _drug_names(pq: ParsedQuestion) -> set[str]:
    return {d.generic for d in pq.drugs} | {d.text for d in pq.drugs}


def _drug_pattern(pq: ParsedQuestion) -> re.Pattern[str] | None:
    return _names_pattern(_drug_names(pq), 3)


def _subject_pattern(pq: ParsedQuestion) -> re.Pattern[str] | None:
    """The drug named near the start of a sentence (it is what the sentence is about)."""
    return _names_pattern(_drug_names(pq), 3, prefix=r"^.{0,30}")


def _condition_pattern(pq: ParsedQuestion) -> re.Pattern[str] | None:
    return _names_pattern({c.name for c in pq.conditions} | {c.text for c in pq.conditions}, 4)


class Composer:
    def compose(self, pq: ParsedQuestion, ctx: Context, *, drug_focus: bool = True) -> tuple[
        tuple[Statement, ...], tuple[Section, ...], tuple[Statement, ...], ReferenceBook, tuple[str, ...]
    ]:
        """(summary, sections, bottom line, references, uncovered parts)."""
        if pq.drugs and drug_focus:
            return self._drug_article(pq, ctx)
        return self._evidence_article(pq, ctx)

    # ---- drug questions ----------------------------------------------------------
    def _drug_article(self, pq: ParsedQuestion, ctx: Context):  # type: ignore[no-untyped-def]
        book = ReferenceBook()
        qstems = question_stems(pq.text) | {s for d in pq.drugs for s in stems(d.generic)}
        drug_re = _drug_pattern(pq)
        subject_re = _subject_pattern(pq)
        cond_re = _condition_pattern(pq)
        other_drugs = [d for d in pq.drugs[1:]]
        boost = cond_re
        if other_drugs:
            boost = re.compile("|".join(re.escape(d.generic) for d in other_drugs), re.I)
        seen: list[set[str]] = []
        sections: list[Section] = []
        uncovered: list[str] = []
        plan = PLANS[pq.qtype]
        drug_name = pq.drugs[0].generic
        asked = frozenset(d.generic for d in pq.drugs)
        for spec in plan:
            limit = min(spec.limit, ctx.max_statements)
            if spec is not plan[0]:
                limit = min(limit, 3)
            label_ps = [p for code in spec.codes for p in ctx.labels if p.section_code == code]
            cands = candidates(label_ps, spec, query_stems=qstems, boost=boost, max_chars=ctx.max_chars,
                               asked=asked)
            if spec.list_limit and spec is plan[0]:
                chosen = pick([c for c in cands if not c.item], limit, seen, concepts=ctx.concepts)
                items, at = pick_list(cands, chosen, spec.list_limit, seen)
                chosen = chosen[:at] + items + chosen[at:]
            else:
                chosen = pick(cands, limit, seen)
            if not chosen and drug_re is not None and spec.open_fallback:
                # the labels are silent here: a guideline or study that names the drug
                open_ps = [p for p in ctx.section_search(spec) if p.source_type is not SourceType.DRUG_LABEL]
                chosen = pick(
                    candidates(open_ps, spec, query_stems=qstems, boost=boost, max_chars=ctx.max_chars,
                               require=subject_re, min_overlap=1, strict=True),
                    min(limit, 2),
                    seen,
                )
            if not chosen:
                uncovered.append(f"{spec.heading}: the sources found do not cover this for {drug_name}.")
                continue
            sections.append(
                Section(spec.key, spec.heading_for(ctx.audience), tuple(self._statements(chosen, book)))
            )
        # guideline and research evidence that names the drug and speaks to the question
        if drug_re is not None:
            wanted = _EVIDENCE_SOURCES[ctx.audience.is_clinician]
            open_ps = [p for p in ctx.ranked if p.source_type in wanted][:25]
            chosen = pick(
                candidates(open_ps, plan[0], query_stems=qstems, boost=boost, max_chars=ctx.max_chars,
                           require=drug_re, min_overlap=1, strict=True),
                3,
                seen,
            )
            if chosen:
                heading = "What guidelines and research add" if ctx.audience.is_clinician else "What other sources say"
                sections.append(Section("evidence", heading, tuple(self._statements(chosen, book))))
        primary_missing = not sections or sections[0].key != plan[0].key
        if primary_missing:
            first = f"{plan[0].heading}:"
            uncovered = [u for u in uncovered if not u.startswith(first)]
            uncovered.insert(0, f"The sources found do not state the {ASKED_FOR[pq.qtype]} of {drug_name}.")
        summary = sections[0].statements[:1] if sections and not primary_missing else ()
        bottom = self._bottom_line(sections, summary)
        return summary, tuple(sections), bottom, book, tuple(uncovered)

    def _statements(self, chosen: list[tuple[Candidate, list[StoredPassage]]], book: ReferenceBook) -> list[Statement]:
        out = []
        for cand, others in chosen:
            nums = [book.cite(cand.passage)] + [book.cite(o) for o in others]
            out.append(Statement(cand.text, tuple(dict.fromkeys(nums))))
        return out

    def _bottom_line(self, sections: list[Section], summary: tuple[Statement, ...]) -> tuple[Statement, ...]:
        used = {s.text for s in summary}
        by_key = {s.key: s for s in sections}
        for key in ("safety", "limitations", "contraindications", "evidence"):
            sec = by_key.get(key)
            if sec is not None:
                for st in sec.statements:
                    if st.text not in used:
                        return (st,)
        return ()

    # ---- questions without a recognised drug ---------------------------------------
    def _evidence_article(self, pq: ParsedQuestion, ctx: Context):  # type: ignore[no-untyped-def]
        book = ReferenceBook()
        content = question_stems(pq.text)
        need = max(1, math.ceil(0.4 * len(content)))
        cond_re = _condition_pattern(pq)
        seen: list[set[str]] = []
        order = [SourceType.DRUG_LABEL, SourceType.GUIDELINE, SourceType.RESEARCH, SourceType.PATIENT_INFO]
        if not ctx.audience.is_clinician:
            order = [SourceType.PATIENT_INFO, SourceType.GUIDELINE, SourceType.DRUG_LABEL, SourceType.RESEARCH]
        ranked = list(ctx.ranked[:30])
        all_cands = candidates(ranked, None, query_stems=content, boost=cond_re, max_chars=ctx.max_chars,
                               min_overlap=need)
        total = sum(ctx.term_weights.values())
        if total > 0:
            all_cands = [
                c for c in all_cands
                if sum(ctx.term_weights.get(x, 0.0) for x in stems(c.text)) >= ctx.min_coverage * total
            ]
        if not all_cands:
            return (), (), (), book, ("The sources found do not answer this question.",)
        # the summary is the best two statements; each is stated again in its source's
        # section (as a drug article's summary is), so one good passage is an answer
        top = pick(all_cands, 2, [])
        by_source = []
        for st in order:
            chosen = pick([c for c in all_cands if c.passage.source_type is st], min(4, ctx.max_statements), seen)
            if chosen:
                by_source.append((st, chosen))
        summary = tuple(self._statements(top, book))  # cited first: it is read first
        sections: list[Section] = []
        for st, chosen in by_source:
            key, heading, lay = _SOURCE_SECTIONS[st]
            sections.append(Section(key, heading if ctx.audience.is_clinician else lay,
                                    tuple(self._statements(chosen, book))))
        return summary, tuple(sections), (), book, ()


_EVIDENCE_SOURCES = {
    True: (SourceType.GUIDELINE, SourceType.RESEARCH),
    False: (SourceType.PATIENT_INFO, SourceType.GUIDELINE),
}


def abstained_article(
    pq: ParsedQuestion, audience: Audience, reason: str, uncovered: tuple[str, ...], *,
    corpus_version: str, settings_hash: str, timings: dict[str, float],
) -> Article:
    return Article(
        question=pq.text, audience=audience, question_type=pq.qtype, drugs=pq.drugs,
        conditions=pq.conditions, title=_title(pq.text), summary=(), sections=(), bottom_line=(),
        references=(), uncovered=uncovered, abstained=True, abstain_reason=reason,
        last_updated=None, corpus_version=corpus_version, settings_hash=settings_hash,
        timings_ms=timings,
    )


def title_for(q: str) -> str:
    return _title(q)
