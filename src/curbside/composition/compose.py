"""The embedded composer: no language model. It selects, orders and lightly trims
sentences from retrieved passages; every statement cites the passages it came from."""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from curbside.composition.aspects import ASPECT_HEADINGS
from curbside.composition.condition import TopicSearch, answer_aspect, name_pattern, page_candidates
from curbside.composition.filters import Reason
from curbside.composition.plain import DOSE_NOTE, grade_above_plain, has_dose_amount, written_for_patients
from curbside.composition.plan import ASKED_FOR, SectionSpec, plan_for
from curbside.composition.plan import INDICATIONS as INDICATIONS_SPEC
from curbside.composition.population import asked_population, fits_population
from curbside.composition.references import ReferenceBook
from curbside.composition.select import (
    Candidate,
    Concepts,
    candidates,
    keep,
    pick,
    pick_list,
    question_stems,
    stems,
)
from curbside.composition.verify import verify
from curbside.scoring import DEFAULT_WEIGHTS, Weights
from curbside.types import (
    Article,
    Audience,
    ConditionMention,
    ParsedQuestion,
    QuestionMatch,
    QuestionType,
    Section,
    SourceType,
    Statement,
    StoredPassage,
)

if TYPE_CHECKING:
    from curbside.composition.explain import Rejected, SectionTrace, Step, Trace

SectionSearch = Callable[[SectionSpec], list[StoredPassage]]

log = logging.getLogger("curbside.composition")


@dataclass(frozen=True)
class Composed:
    """What the composer makes of a question: the article's parts."""

    summary: tuple[Statement, ...]
    sections: tuple[Section, ...]
    bottom_line: tuple[Statement, ...]
    book: ReferenceBook
    uncovered: tuple[str, ...]
    # set when the asked aspect is not covered and related information is offered
    partial_note: str | None = None
    # curbside's own words to the reader (not quotes): a patient's note on doses
    reader_notes: tuple[str, ...] = ()


# substances a question may ask a drug to be taken with ("Can I drink alcohol on X?")
_SUBSTANCES = re.compile(
    r"\b(?:alcohol|beer|wine|liquor|grapefruit|caffeine|coffee|tea|dairy|milk|food|foods|meals?|"
    r"antacids?|vitamins?|iron|calcium|magnesium|potassium|supplements?|nsaids?|opioids?|"
    r"marijuana|cannabis|nicotine|tobacco|smoking|birth control|contraceptives?)\b",
    re.I,
)

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
    # passages about a condition (consumer pages, guidelines), for condition questions
    topic_search: TopicSearch | None = None
    # answered questions of the corpus that ask the same thing (MedQuAD), best first
    answered: Sequence[QuestionMatch] = ()
    # meaning: cosine of each sentence to the question (a sentence embedding model);
    # the best ``shortlist`` candidates by words are re-scored with it
    meaning: Callable[[Sequence[str]], Sequence[float]] | None = None
    shortlist: int = 0
    # the weight table every candidate is scored with (scoring.py)
    weights: Weights = DEFAULT_WEIGHTS
    # records what each selection did, for an explanation (explain.py); None: nothing is
    # recorded, and a normal answer pays for nothing
    trace: Trace | None = None

    def section_trace(self, key: str, heading: str = "", *, pool: bool = False) -> SectionTrace | None:
        return self.trace.section(key, heading, pool=pool) if self.trace is not None else None


def _step(sec: SectionTrace | None, name: str) -> Step | None:
    return sec.step(name) if sec is not None else None


def _made(sec: SectionTrace | None, section: Section) -> Section:
    """``section``, recorded as what ``sec``'s steps made (when explaining)."""
    if sec is not None:
        sec.done(section.statements)
    return section


# what a pick returns: each chosen candidate with the other passages that hold it
Chosen = list[tuple[Candidate, list[StoredPassage]]]


@dataclass(frozen=True)
class _DrugAsk:
    """What a drug question asks, in the forms selection matches sentences with."""

    qtype: QuestionType
    qstems: set[str]  # the question's words, and the drugs' names
    drug_re: re.Pattern[str] | None  # any asked drug named
    subject_re: re.Pattern[str] | None  # an asked drug named near the start
    boost: re.Pattern[str] | None  # the other drug asked about, else the condition
    asked: frozenset[str]
    population: str | None
    partner: re.Pattern[str] | None  # what the drug is asked to be taken with
    own_labels: list[StoredPassage]  # the labels of a brand asked by name

    @classmethod
    def of(cls, pq: ParsedQuestion, ctx: Context) -> _DrugAsk:
        other_drugs = list(pq.drugs[1:])
        boost = _condition_pattern(pq)
        if other_drugs:
            boost = re.compile("|".join(re.escape(d.generic) for d in other_drugs), re.I)
        return cls(
            qtype=pq.qtype, qstems=question_stems(pq.text) | {s for d in pq.drugs for s in stems(d.generic)},
            drug_re=_drug_pattern(pq), subject_re=_subject_pattern(pq), boost=boost,
            asked=frozenset(d.generic for d in pq.drugs), population=asked_population(pq.text),
            partner=_partner_pattern(pq), own_labels=_asked_product(pq, ctx.labels),
        )


def for_reader(cands: list[Candidate], ctx: Context, step: Step | None = None) -> list[Candidate]:
    """For a patient or caregiver: the candidates without a leaflet's question headings
    ("What is the most important information I should know about ...?"), each scored
    for being written for patients and for its reading grade (composition/plain.py).
    Unchanged for everyone else."""
    if ctx.audience is not Audience.PATIENT:
        return cands
    cands = keep(cands, lambda c: not c.text.rstrip().endswith("?"), Reason.QUESTION_FORM, step)
    return [c.adjusted(ctx.weights, written_for_patients=1.0 if written_for_patients(c.passage) else 0.0,
                       reading_grade=grade_above_plain(c.text)) for c in cands]


def _route(ctx: Context, name: str) -> None:
    if ctx.trace is not None:
        ctx.trace.route = name


def by_meaning(cands: list[Candidate], ctx: Context) -> list[Candidate]:
    """The candidates with the shortlist's scores raised by how close each sentence is in
    meaning to the question (the ``meaning`` feature), so a sentence that answers beats
    one that shares a word; the others are cut to the shortlist's lowest score (the
    ``below_shortlist`` feature holds the cut)."""
    if ctx.meaning is None or ctx.shortlist <= 0 or len(cands) < 2:
        return cands
    best: dict[str, Candidate] = {}
    for c in cands:
        if c.key not in best or c.score > best[c.key].score:
            best[c.key] = c
    head = sorted(best.values(), key=lambda c: -c.score)[: ctx.shortlist]
    sims = dict(zip((c.key for c in head), ctx.meaning([c.text for c in head])))
    floor = min(c.score for c in head)
    out = []
    for c in cands:
        if c.key in sims:
            out.append(c.adjusted(ctx.weights, meaning=float(sims[c.key])))
        elif c.score > floor:  # below the shortlist: stays below it
            cut = dataclasses.replace(c.features, below_shortlist=floor - c.score)
            out.append(dataclasses.replace(c, score=floor, features=cut))
        else:
            out.append(c)
    return out


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


# list items a patient's article shows of a label's list (a clinician's: the section's list_limit)
PATIENT_LIST_ITEMS = 5
# sections after the asked one in a drug article (each of at most two statements)
SECONDARY_SECTIONS = 4

_CONDITION_FORMS = frozenset(ASPECT_HEADINGS) | {QuestionType.COMPARISON}


class Composer:
    def compose(self, pq: ParsedQuestion, ctx: Context, *, drug_focus: bool = True) -> Composed:
        """The article's parts for the question, routed by what it asks about: a drug's
        own sections, a condition's aspect, or the evidence that answers it. Every
        statement is checked against the passage it quotes before it is kept (``verified``)."""
        return verified(self._compose(pq, ctx, drug_focus=drug_focus), ctx.trace)

    def _compose(self, pq: ParsedQuestion, ctx: Context, *, drug_focus: bool) -> Composed:
        if pq.drugs and drug_focus:
            if pq.qtype is QuestionType.COMPARISON and len(pq.drugs) >= 2:
                _route(ctx, "comparison")
                return self._drug_comparison(pq, ctx)
            _route(ctx, "drug")
            return self._drug_article(pq, ctx)
        if ctx.answered:
            _route(ctx, "answered")
            return self._answered_article(pq, ctx)
        if pq.conditions and pq.qtype in _CONDITION_FORMS and ctx.topic_search is not None:
            _route(ctx, "condition")
            done = self._condition_article(pq, ctx)
            if done.sections:
                return done
        _route(ctx, "evidence")
        return self._evidence_article(pq, ctx)

    def _answered_article(self, pq: ParsedQuestion, ctx: Context) -> Composed:
        """The question was asked and answered before (a consumer page's own question is
        the same question): that answer leads, in its order; what the condition's pages
        and guidelines say about the asked aspect follows."""
        match = ctx.answered[0]
        book = ReferenceBook()
        seen: list[set[str]] = []
        title = re.sub(r"\s+\?$", "?", match.question)
        sec = ctx.section_trace("answered", title)
        step = _step(sec, f"the answer to the same question asked before: {title}")
        chosen = pick(page_candidates(list(match.passages), ctx.max_chars, per_page=4, weights=ctx.weights, step=step),
                      4, seen, weights=ctx.weights, step=step)
        if not chosen:
            _route(ctx, "evidence")
            return self._evidence_article(pq, dataclasses.replace(ctx, answered=()))
        statements = tuple(self._statements(chosen, book))
        sections = [_made(sec, Section("answered", title, statements))]
        if pq.conditions and pq.qtype in _CONDITION_FORMS and ctx.topic_search is not None:
            more = self._condition_article(pq, dataclasses.replace(ctx, answered=()), book=book, seen=seen)
            sections.extend(more.sections)
        return Composed(statements[:2], tuple(sections), (), book, ())

    # ---- drug questions ----------------------------------------------------------
    def _drug_article(self, pq: ParsedQuestion, ctx: Context, *, book: ReferenceBook | None = None,
                      seen: list[set[str]] | None = None) -> Composed:
        book = book if book is not None else ReferenceBook()
        ask = _DrugAsk.of(pq, ctx)
        seen = seen if seen is not None else []
        sections: list[Section] = []
        uncovered: list[str] = []
        plan = plan_for(pq.qtype, pq.text, ctx.audience)
        drug_name = pq.drugs[0].generic
        partner_missing = False
        for spec in plan:
            limit = min(spec.limit, ctx.max_statements)
            if spec is not plan[0]:
                # the asked section leads; the others are short, and at most
                # SECONDARY_SECTIONS of them, so the article stays readable
                if len(sections) > SECONDARY_SECTIONS:
                    break
                limit = min(limit, 2)
            sec = ctx.section_trace(spec.key, spec.heading_for(ctx.audience))
            chosen, missing = self._label_choice(spec, spec is plan[0], limit, ask, ctx, seen, sec)
            partner_missing = partner_missing or missing
            if not chosen and ask.drug_re is not None and spec.open_fallback:
                chosen = self._open_choice(spec, limit, ask, ctx, seen, sec)
            if not chosen:
                uncovered.append(f"{spec.heading}: the sources found do not cover this for {drug_name}.")
                continue
            sections.append(_made(sec, Section(spec.key, spec.heading_for(ctx.audience),
                                               tuple(self._statements(chosen, book)))))
        # guideline and research evidence that names the drug and speaks to the question
        evidence = self._evidence_section(plan[0], ask, ctx, seen, book)
        if evidence is not None:
            sections.append(evidence)
        partner = ask.partner
        primary_missing = not sections or sections[0].key != plan[0].key
        note = None
        if primary_missing and ctx.audience is Audience.PATIENT and plan[0].key == "dosing":
            # a patient asked about the dose: the note says who chooses it (and, when the
            # clinician's version has the label's doses, says so), which is not a gap
            uncovered = [u for u in uncovered if not u.startswith(f"{plan[0].heading}:")]
        elif primary_missing:
            first = f"{plan[0].heading}:"
            uncovered = [u for u in uncovered if not u.startswith(first)]
            asked_for = ASKED_FOR[pq.qtype] if pq.qtype is not QuestionType.GENERAL else "main uses"
            uncovered.insert(0, f"The sources found do not state the {asked_for} of {drug_name}.")
            note = f"The sources found do not state the {asked_for} of {drug_name}; related information follows."
        elif partner_missing and partner is not None:
            what = ", ".join(dict.fromkeys(m.group(0).lower() for m in partner.finditer(pq.text))) or "that"
            note = (f"The sources found do not say how {drug_name} interacts with {what}; "
                    "its other interactions follow.")
            uncovered.insert(0, f"{drug_name.capitalize()} with {what}: not described in the sources found.")
        summary: tuple[Statement, ...] = ()
        if sections:
            summary = sections[0].statements[:1]
            kinds = {sec.key: sec for sec in sections}
            if pq.qtype is QuestionType.GENERAL and "what_it_is" in kinds and sections[0].key != "what_it_is":
                summary = kinds["what_it_is"].statements[:1] + summary  # what it is, then what it is for
        bottom = self._bottom_line(sections, summary)
        notes: tuple[str, ...] = ()
        if ctx.audience is Audience.PATIENT and (plan[0].key == "dosing" or any(s.key == "dosing" for s in sections)):
            notes = (DOSE_NOTE,)
        return Composed(summary, tuple(sections), bottom, book, tuple(uncovered), note, notes)

    def _label_choice(self, spec: SectionSpec, lead: bool, limit: int, ask: _DrugAsk, ctx: Context,
                      seen: list[set[str]], sec: SectionTrace | None) -> tuple[Chosen, bool]:
        """The section's statements from the drug's labels, and whether an interaction
        question's partner went unnamed."""
        labels = ask.own_labels if ask.own_labels and spec.key in _PRODUCT_SPECIFIC else ctx.labels
        label_ps = [p for code in spec.codes for p in labels if p.section_code == code]
        step = _step(sec, f"label sentences of {spec.heading} (label sections: {', '.join(spec.codes)})")
        cands = candidates(label_ps, spec, query_stems=ask.qstems, boost=ask.boost, max_chars=ctx.max_chars,
                           asked=ask.asked, weights=ctx.weights, step=step)
        if ctx.audience is Audience.PATIENT:
            # the label's own words for patients (Medication Guide, patient package insert)
            # say what the section needs when they hold its cue
            have = {p.rowid for p in label_ps}
            leaflet = [p for p in labels if p.rowid not in have and written_for_patients(p)]
            cands += candidates(leaflet, spec, query_stems=ask.qstems, boost=ask.boost, max_chars=ctx.max_chars,
                                asked=ask.asked, strict=True, weights=ctx.weights, step=step)
            if spec.key == "dosing":
                cands = keep(cands, lambda c: not has_dose_amount(c.text), Reason.DOSE_AMOUNT, step)
            cands = for_reader(cands, ctx, step)
        if ask.population is not None:
            cands = keep(cands, _fits(ask.population), Reason.OTHER_POPULATION, step,
                         f"the question asks of: {ask.population}")
        if spec.key in _PRODUCT_SPECIFIC or (spec is not INDICATIONS_SPEC and any(not c.foreign for c in cands)):
            # a combination product's label (TREZIX for acetaminophen) speaks for the
            # combination: its dose, strengths and ingredients never stand for the
            # asked drug's, and elsewhere the drug's own labels come first
            cands = keep(cands, lambda c: not c.foreign, Reason.COMBINATION_PRODUCT, step)
        if lead and ask.qtype is not QuestionType.INDICATION:
            cands = by_meaning(cands, ctx)
        missing = False
        if spec.key == "interactions" and ask.partner is not None and cands:
            # "X with Y": the statements that name Y answer; the rest is related
            names = _names(ask.partner)
            missing = not any(names(c) for c in cands)
            if not missing:
                cands = keep(cands, names, Reason.PARTNER_NOT_NAMED, step)
        if spec.list_limit and lead:
            chosen = pick([c for c in cands if not c.item], limit, seen, concepts=ctx.concepts,
                          weights=ctx.weights, step=step)
            # a patient gets the list's first items, not the whole label's list
            most = spec.list_limit if ctx.audience is not Audience.PATIENT else PATIENT_LIST_ITEMS
            items, at = pick_list(cands, chosen, most, seen, step=step)
            return chosen[:at] + items + chosen[at:], missing
        return pick(cands, limit, seen, weights=ctx.weights, step=step), missing

    def _open_choice(self, spec: SectionSpec, limit: int, ask: _DrugAsk, ctx: Context, seen: list[set[str]],
                     sec: SectionTrace | None) -> Chosen:
        """The labels are silent here: a guideline or study sentence that names the drug."""
        step = _step(sec, "guideline, study and patient page sentences that name the drug (the labels are silent)")
        open_ps = [p for p in ctx.section_search(spec) if p.source_type is not SourceType.DRUG_LABEL]
        cands = candidates(open_ps, spec, query_stems=ask.qstems, boost=ask.boost, max_chars=ctx.max_chars,
                           require=ask.subject_re, min_overlap=1, strict=True, weights=ctx.weights, step=step)
        return pick(for_reader(cands, ctx, step), min(limit, 2), seen, weights=ctx.weights, step=step)

    def _evidence_section(self, lead: SectionSpec, ask: _DrugAsk, ctx: Context, seen: list[set[str]],
                          book: ReferenceBook) -> Section | None:
        """Guideline and research sentences (for patients: consumer pages)
        among the retrieved passages that name the drug and speak to the question."""
        if ask.drug_re is None:
            return None
        wanted = _EVIDENCE_SOURCES[ctx.audience.is_clinician]
        open_ps = [p for p in ctx.ranked if p.source_type in wanted][:25]
        heading = "What guidelines and research add" if ctx.audience.is_clinician else "What other sources say"
        sec = ctx.section_trace("evidence", heading)
        step = _step(sec, f"{' and '.join(t.value for t in wanted)} sentences of the retrieved passages that "
                          "name the drug")
        cands = candidates(open_ps, lead, query_stems=ask.qstems, boost=ask.boost, max_chars=ctx.max_chars,
                           require=ask.drug_re, min_overlap=1, strict=True, weights=ctx.weights, step=step)
        chosen = pick(for_reader(cands, ctx, step), 2, seen, weights=ctx.weights, step=step)
        if not chosen:
            return None
        return _made(sec, Section("evidence", heading, tuple(self._statements(chosen, book))))

    def _drug_comparison(self, pq: ParsedQuestion, ctx: Context) -> Composed:
        """Two drugs side by side: the same sections for each, each cited to its own labels."""
        book = ReferenceBook()
        seen: list[set[str]] = []
        aspect = next((t for t in pq.secondary_types if t is not QuestionType.COMPARISON), QuestionType.GENERAL)
        summary: list[Statement] = []
        sections: list[Section] = []
        uncovered: list[str] = []
        for d in pq.drugs[:2]:
            one = dataclasses.replace(pq, drugs=(d,), qtype=aspect, secondary_types=())
            labels = [p for p in ctx.labels if d.generic in p.drugs or _mentions(p, d.generic)]
            if ctx.trace is not None:  # each drug's sections are keyed "<key>-<drug>"
                ctx.trace.suffix = f"-{d.generic}"
            part = self._drug_article(one, dataclasses.replace(ctx, labels=labels), book=book, seen=seen)
            if ctx.trace is not None:
                ctx.trace.suffix = ""
            name = d.text if d.text.lower() != d.generic else d.generic.capitalize()
            for sec in part.sections[:3]:
                if sec.key == "evidence":
                    continue
                sections.append(Section(f"{sec.key}-{d.generic}", f"{name}: {sec.heading}", sec.statements))
            if part.sections:  # the same aspect for each: the first section's lead
                summary.extend(part.sections[0].statements[:1])
            uncovered.extend(u for u in part.uncovered if u.startswith("The sources"))
        note = None
        if len(summary) < 2:
            note = "The sources found cover only one of the two; what they say follows."
        return Composed(tuple(summary), tuple(sections), self._bottom_line(sections, tuple(summary)), book,
                        tuple(uncovered), note if sections else None)

    # ---- questions about a condition -------------------------------------------------
    def _condition_article(self, pq: ParsedQuestion, ctx: Context, *, book: ReferenceBook | None = None,
                           seen: list[set[str]] | None = None) -> Composed:
        assert ctx.topic_search is not None
        book = book if book is not None else ReferenceBook()
        seen = seen if seen is not None else []
        if pq.qtype is QuestionType.COMPARISON:
            aspect = next((t for t in pq.secondary_types if t in ASPECT_HEADINGS), QuestionType.GENERAL)
            conds: tuple[ConditionMention, ...] = pq.conditions[:2]
        else:
            aspect = pq.qtype if pq.qtype in ASPECT_HEADINGS else QuestionType.GENERAL
            conds = pq.conditions[:1]
        clinician = ctx.audience.is_clinician
        sections: list[Section] = []
        summary: list[Statement] = []
        uncovered: list[str] = []
        note = None
        for c in conds:
            args = dict(search=ctx.topic_search, ranked=ctx.ranked, concepts=ctx.concepts,
                        max_chars=ctx.max_chars, seen=seen, clinician=clinician, weights=ctx.weights,
                        trace=ctx.trace)
            ans = answer_aspect(c, aspect, **args)  # type: ignore[arg-type]
            if not ans.chosen and aspect is not QuestionType.GENERAL:
                uncovered.append(f"The sources found do not describe the {ASKED_FOR[aspect]} of {c.name}.")
                ans = answer_aspect(c, QuestionType.GENERAL, **args)  # type: ignore[arg-type]
                if ans.chosen and note is None:
                    note = f"The sources found do not describe the {ASKED_FOR[aspect]} of {c.name}; what it is follows."
            if not ans.chosen:
                continue
            heading = ASPECT_HEADINGS[ans.aspect][0 if clinician else 1]
            statements = tuple(self._statements(ans.chosen, book))
            sections.append(Section(ans.aspect.value, f"{heading}: {c.name}", statements))
            if ans.trace is not None:
                ans.trace.done(statements, heading=f"{heading}: {c.name}")
            summary.extend(statements[: 1 if len(conds) > 1 else 2])
        return Composed(tuple(summary), tuple(sections), (), book, tuple(uncovered), note if sections else None)

    def _statements(self, chosen: list[tuple[Candidate, list[StoredPassage]]], book: ReferenceBook) -> list[Statement]:
        out = []
        for cand, others in chosen:
            nums = [book.cite(cand.passage)] + [book.cite(o) for o in others]
            quote = cand.snippet.quote(cand.passage.passage_id) if cand.snippet is not None else None
            out.append(Statement(cand.text, tuple(dict.fromkeys(nums)), quote))
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
        pool = ctx.section_trace("evidence-pool", "sentences of the top 30 passages", pool=True)
        shared = _step(pool, f"sentences of the top {len(ranked)} retrieved passages")
        all_cands = candidates(ranked, None, query_stems=content, boost=cond_re, max_chars=ctx.max_chars,
                               min_overlap=need, weights=ctx.weights, step=shared)
        total = sum(ctx.term_weights.values())
        if total > 0:
            all_cands = keep(all_cands, _covers(ctx.term_weights, ctx.min_coverage * total), Reason.LOW_WORD_WEIGHT,
                             shared, f"{ctx.min_coverage:.0%} needed")
        drug_re = _drug_pattern(pq)
        if drug_re is not None:
            # a sentence about the asked drug, not about another one that shares a word
            all_cands = keep(all_cands, _named_in(drug_re), Reason.DRUG_NOT_NAMED, shared)
        if pq.conditions:
            # a sentence about the asked condition, not one that shares a word with it
            pats = [name_pattern(c) for c in pq.conditions]
            all_cands = keep(all_cands, _named_in(*pats), Reason.CONDITION_NOT_NAMED, shared)
        all_cands = for_reader(all_cands, ctx, shared)
        if not all_cands:
            return Composed((), (), (), book, ("The sources found do not answer this question.",))
        all_cands = by_meaning(all_cands, ctx)
        # the summary is the best two statements; each is stated again in its source's
        # section (as a drug article's summary is), so one good passage is an answer
        # a study's sentence reports a finding; a label's, guideline's or consumer page's
        # sentence that speaks to the question as well states the answer: it leads
        lead = [c.adjusted(ctx.weights, study_in_summary=1.0)
                if c.passage.source_type is SourceType.RESEARCH else c for c in all_cands]
        top_sec = ctx.section_trace("summary", "Summary")
        top_step = _step(top_sec, "the best two sentences of any source (a study's weighs less)")
        if top_step is not None and shared is not None:
            top_step.inherit(shared, lambda r: True)
        top = pick(lead, 2, [], weights=ctx.weights, step=top_step)
        by_source = []
        for st in order:
            key, heading, lay = _SOURCE_SECTIONS[st]
            sec = ctx.section_trace(key, heading if ctx.audience.is_clinician else lay)
            step = _step(sec, f"{st.value} sentences of the top {len(ranked)} retrieved passages")
            if step is not None and shared is not None:
                step.inherit(shared, _of_source(st))
            chosen = pick([c for c in all_cands if c.passage.source_type is st], min(4, ctx.max_statements), seen,
                          weights=ctx.weights, step=step)
            if chosen:
                by_source.append((st, chosen, sec))
        summary = tuple(self._statements(top, book))  # cited first: it is read first
        if top_sec is not None:
            top_sec.done(summary)
        sections: list[Section] = []
        for st, chosen, sec in by_source:
            key, heading, lay = _SOURCE_SECTIONS[st]
            sections.append(_made(sec, Section(key, heading if ctx.audience.is_clinician else lay,
                                               tuple(self._statements(chosen, book)))))
        return Composed(summary, tuple(sections), (), book, ())


def verified(done: Composed, trace: Trace | None = None) -> Composed:
    """``done`` with every statement checked against the passage its first citation
    quotes (verify.py). A statement that does not verify is logged and dropped, never
    shown; a section it empties goes, and so does a summary or bottom line statement.
    References nothing cites any more are dropped and the rest renumbered in order."""
    refs = {r.number: r for r in done.book.references()}
    verdicts: dict[Statement, bool] = {}

    def ok(st: Statement) -> bool:
        if st not in verdicts:
            ref = refs.get(st.citations[0]) if st.citations else None
            if ref is None:
                verdicts[st] = False
                log.warning("dropped a statement that cites no reference: %r", st.text[:200])
            else:
                v = verify(st, ref.passage, passage_id=ref.passage_id, section=ref.section)
                verdicts[st] = v.ok
                if not v.ok:
                    log.warning("dropped an unverifiable statement (%s): %r", v.reason, st.text[:200])
                    if trace is not None:
                        trace.drop(st, str(v.reason))
        return verdicts[st]

    sections = tuple(Section(sec.key, sec.heading, kept) for sec in done.sections
                     if (kept := tuple(st for st in sec.statements if ok(st))))
    summary = tuple(st for st in done.summary if ok(st))
    bottom = tuple(st for st in done.bottom_line if ok(st))
    if all(verdicts.values()):
        return done
    used = [n for st in (*summary, *(x for sec in sections for x in sec.statements), *bottom) for n in st.citations]
    book, number = done.book.only(used)

    def cite(sts: tuple[Statement, ...]) -> tuple[Statement, ...]:
        return tuple(dataclasses.replace(st, citations=tuple(number[n] for n in st.citations)) for st in sts)

    return dataclasses.replace(
        done, summary=cite(summary), bottom_line=cite(bottom), book=book,
        sections=tuple(Section(sec.key, sec.heading, cite(sec.statements)) for sec in sections),
    )


def _fits(population: str) -> Callable[[Candidate], bool]:
    return lambda c: fits_population(c.text, population)


def _names(pattern: re.Pattern[str]) -> Callable[[Candidate], bool]:
    return lambda c: bool(pattern.search(c.text))


def _named_in(*patterns: re.Pattern[str]) -> Callable[[Candidate], bool]:
    """The sentence or its document's title names one of ``patterns``."""
    return lambda c: any(p.search(c.text) or p.search(c.passage.title) for p in patterns)


def _covers(term_weights: Mapping[str, float], needed: float) -> Callable[[Candidate], bool]:
    """The sentence holds at least ``needed`` of the question's word weight."""
    return lambda c: sum(term_weights.get(x, 0.0) for x in stems(c.text)) >= needed


def _of_source(st: SourceType) -> Callable[[Rejected], bool]:
    return lambda r: r.source_type == st.value


def _partner_pattern(pq: ParsedQuestion) -> re.Pattern[str] | None:
    """What a drug is asked to be taken with: the other drugs named, or a substance."""
    names = {n for d in pq.drugs[1:] for n in (d.generic, d.text)}
    names |= {m.group(0) for m in _SUBSTANCES.finditer(pq.text)}
    return _names_pattern(names, 3)


def _mentions(p: StoredPassage, generic: str) -> bool:
    return generic.lower() in p.title.lower()


# sections whose statements hold for one product only (dose, strength, ingredients)
_PRODUCT_SPECIFIC = frozenset({"dosing", "supplied", "ingredients"})


def _asked_product(pq: ParsedQuestion, labels: Sequence[StoredPassage]) -> list[StoredPassage]:
    """The labels of a brand asked by name ("Saxenda", "Lioresal"): its dose, strengths
    and ingredients come from them only, never from another product of the same drug.
    Empty when no brand was named or the corpus has no label of it."""
    brands = [d.text for d in pq.drugs if d.matched_as == "brand" and len(d.text) >= 3]
    if not brands:
        return []
    pat = re.compile(r"\b(?:" + "|".join(re.escape(b) for b in brands) + r")\b", re.I)
    return [p for p in labels if pat.search(p.title)]


_EVIDENCE_SOURCES = {
    True: (SourceType.GUIDELINE, SourceType.RESEARCH),
    False: (SourceType.PATIENT_INFO,),
}


def abstained_article(
    pq: ParsedQuestion, audience: Audience, reason: str, uncovered: tuple[str, ...], *,
    corpus_version: str, settings_hash: str, timings: dict[str, float],
) -> Article:
    return Article(
        question=pq.text, audience=audience, question_type=pq.qtype, entities=pq.entities,
        title=_title(pq.text), summary=(), sections=(), bottom_line=(),
        references=(), uncovered=uncovered, abstained=True, abstain_reason=reason,
        last_updated=None, corpus_version=corpus_version, settings_hash=settings_hash,
        timings_ms=timings,
    )


def title_for(q: str) -> str:
    return _title(q)
