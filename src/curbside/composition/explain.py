"""Why these sentences: what ``ask --explain`` (and the API's ``?explain=1``) shows.

While composing, a ``Trace`` (given in ``compose.Context.trace``; None for a normal
answer, which then records nothing) collects one ``SectionTrace`` per section the
composer tries, and in it one ``Step`` per selection (label sentences of a section, the
open fallback, a consumer page, the guidelines about a condition ...). A step records
every candidate it rejected with a ``filters.Reason`` (and the score it would have
had), and every candidate it chose with its rank.

``explain(article, trace)`` then reads the finished article against the trace: for
each statement, in the article's order, the step that chose it, its features, the
weights, the score and its rank; for each section the best rejected sentences and why.
Sections are matched to their traces by their statements' texts, so the renaming of a
comparison's sections and the verifier's drops do not lose the thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from curbside.composition.filters import DESCRIPTIONS, Reason
from curbside.composition.sentences import norm_key
from curbside.scoring import Features, Weights
from curbside.types import Article, Statement, StoredPassage

if TYPE_CHECKING:
    from curbside.composition.select import Candidate

# rejected sentences shown per section
SHOWN_REJECTED = 3


@dataclass(frozen=True)
class Rejected:
    """A sentence left out, and why. ``score`` is what it scored (or, for a sentence a
    filter removed before scoring, would have scored)."""

    text: str
    passage_id: str
    title: str
    source_type: str
    reason: Reason
    detail: str  # the particulars ("1,204 characters; the limit is 600")
    score: float | None
    features: dict[str, float]

    @property
    def why(self) -> str:
        return DESCRIPTIONS[self.reason] + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class Choice:
    candidate: Candidate
    rank: int  # 1 = the best of the step's distinct sentences
    of: int
    how: str  # how it was chosen, when not simply by rank


class Step:
    """One selection, recorded."""

    def __init__(self, section: SectionTrace, name: str) -> None:
        self.section = section
        self.name = name
        self.chosen: list[Choice] = []
        self._rejected: dict[str, Rejected] = {}

    def reject(self, text: str, passage: StoredPassage, reason: Reason, detail: str, features: Features | None,
               score: float | None) -> None:
        """Record a rejected sentence (a sentence rejected twice keeps its best score)."""
        key = norm_key(text)
        old = self._rejected.get(key)
        if old is not None and (score is None or (old.score is not None and old.score >= score)):
            return
        self._rejected[key] = Rejected(
            text, passage.passage_id, passage.title, passage.source_type.value, reason, detail, score,
            features.nonzero() if features is not None else {},
        )

    def reject_candidate(self, c: Candidate, reason: Reason, detail: str = "") -> None:
        self.reject(c.text, c.passage, reason, detail, c.features, c.score)

    def has_rejected(self, key: str) -> bool:
        return key in self._rejected

    def choose(self, c: Candidate, rank: int, of: int, how: str = "") -> None:
        self.chosen.append(Choice(c, rank, of, how))

    def inherit(self, other: Step, keep: Callable[[Rejected], bool]) -> None:
        """Take ``other``'s rejections that ``keep`` accepts (a shared pool's filters,
        shown in each section the pool feeds)."""
        for key, r in other._rejected.items():
            if keep(r) and key not in self._rejected:
                self._rejected[key] = r

    @property
    def rejected(self) -> list[Rejected]:
        return list(self._rejected.values())


class SectionTrace:
    """The steps that tried to fill one section, and the statements it got."""

    def __init__(self, key: str, heading: str, *, pool: bool = False) -> None:
        self.key = key
        self.heading = heading
        self.pool = pool  # a shared pool of candidates, not a section of its own
        self.steps: list[Step] = []
        self.texts: list[str] | None = None  # set when the section was made

    def step(self, name: str) -> Step:
        s = Step(self, name)
        self.steps.append(s)
        return s

    def done(self, statements: Sequence[Statement], heading: str | None = None) -> None:
        self.texts = [st.text for st in statements]
        if heading is not None:
            self.heading = heading


class Trace:
    """What one composition did, for ``explain``."""

    def __init__(self, weights: Weights) -> None:
        self.weights = weights
        self.route = ""
        self.sections: list[SectionTrace] = []
        self.dropped: list[tuple[Statement, str]] = []
        self.suffix = ""  # appended to section keys (a comparison's second drug)

    def section(self, key: str, heading: str = "", *, pool: bool = False) -> SectionTrace:
        st = SectionTrace(key + self.suffix, heading, pool=pool)
        self.sections.append(st)
        return st

    def drop(self, statement: Statement, reason: str) -> None:
        """The verifier dropped a chosen statement."""
        self.dropped.append((statement, reason))


# ---- the explanation ----------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """One feature's part of a score: value × weight."""

    feature: str
    value: float
    weight: float

    @property
    def points(self) -> float:
        return self.value * self.weight


@dataclass(frozen=True)
class StatementWhy:
    """Why one statement of the article is there."""

    text: str
    where: str  # "summary", "section" or "bottom_line"
    section: str  # the key of the section it is in (or was chosen for)
    step: str  # the selection that chose it
    citations: tuple[int, ...]
    passage_id: str
    source: str  # the cited document's title
    source_type: str
    score: float | None
    terms: tuple[Term, ...]
    rank: int | None
    of: int | None
    how: str


@dataclass(frozen=True)
class SectionWhy:
    key: str
    heading: str
    steps: tuple[str, ...]
    considered: int  # distinct sentences its steps chose or rejected
    statements: tuple[StatementWhy, ...]
    rejected: tuple[Rejected, ...]  # the best few, best first


@dataclass(frozen=True)
class Explanation:
    question: str
    route: str  # how the question was answered: drug, comparison, condition, answered, evidence
    weights: dict[str, float]
    summary: tuple[StatementWhy, ...]
    sections: tuple[SectionWhy, ...]
    bottom_line: tuple[StatementWhy, ...]
    # sections the plan tried that found nothing, with what they rejected
    uncovered: tuple[SectionWhy, ...]
    dropped: tuple[Rejected, ...]  # chosen, then dropped by the verifier

    def statements(self) -> list[StatementWhy]:
        """Every statement's explanation in the article's order."""
        return [*self.summary, *(s for sec in self.sections for s in sec.statements), *self.bottom_line]


@dataclass(frozen=True)
class Explained:
    """An article and why it says what it says (``Engine.explain``)."""

    article: Article
    explanation: Explanation


def explain(article: Article, trace: Trace | None, *, shown: int = SHOWN_REJECTED) -> Explanation:
    """The explanation of ``article`` from the ``trace`` of the composition that made it
    (an abstained article, or no trace, explains nothing but its route)."""
    weights = trace.weights if trace is not None else Weights()
    if trace is None:
        return Explanation(article.question, "", weights.of_features(), (), (), (), (), ())
    titles = {r.number: (r.title, r.passage_id, r.source_type.value) for r in article.references}
    used: set[int] = set()
    everywhere = [s for t in trace.sections for s in t.steps]
    sections: list[SectionWhy] = []
    for sec in article.sections:
        st = _trace_of(sec.key, [s.text for s in sec.statements], trace.sections, used)
        sections.append(_section_why(sec.key, sec.heading, sec.statements, [st] if st else [], titles, weights,
                                     shown, everywhere))
    by_text = {w.text: w for sec in sections for w in sec.statements}
    summary_trace = next((t for t in trace.sections if t.key == "summary"), None)
    summary = tuple(_placed(st, "summary", summary_trace, by_text, titles, weights) for st in article.summary)
    bottom = tuple(_placed(st, "bottom_line", None, by_text, titles, weights) for st in article.bottom_line)
    uncovered = tuple(
        _section_why(t.key, t.heading, (), [t], titles, weights, shown, everywhere)
        for i, t in enumerate(trace.sections)
        if i not in used and not t.pool and t.key != "summary" and t.texts is None and t.steps
    )
    dropped = tuple(
        Rejected(st.text, st.quote.passage_id if st.quote else "", "", "", Reason.UNVERIFIED, why, None, {})
        for st, why in trace.dropped
    )
    return Explanation(article.question, trace.route, weights.of_features(), summary, tuple(sections), bottom,
                       uncovered, dropped)


def _trace_of(key: str, texts: list[str], traces: list[SectionTrace], used: set[int]) -> SectionTrace | None:
    """The section trace that made a section: the one holding most of its statements
    (a made section's own texts first), else one of its key that made nothing."""
    want = set(texts)
    best, best_n = None, 0
    for i, t in enumerate(traces):
        if i in used or t.pool or t.key == "summary":
            continue
        chosen = set(t.texts or ()) | {c.candidate.text for s in t.steps for c in s.chosen}
        n = len(want & chosen)
        if n > best_n:
            best, best_n = i, n
    if best is None:
        best = next((i for i, t in enumerate(traces) if i not in used and t.key == key and not t.pool), None)
    if best is None:
        return None
    used.add(best)
    return traces[best]


def _section_why(key: str, heading: str, statements: Sequence[Statement], traces: list[SectionTrace],
                 titles: dict[int, tuple[str, str, str]], weights: Weights, shown: int,
                 everywhere: Sequence[Step]) -> SectionWhy:
    steps = [s for t in traces for s in t.steps]
    # a statement is looked for in its section's steps first, then in any
    whys = tuple(_statement_why(st, "section", key, [*steps, *everywhere], titles, weights) for st in statements)
    texts = {st.text for st in statements}
    rejected: dict[str, Rejected] = {}
    chosen_keys: set[str] = set()
    for s in steps:
        chosen_keys |= {norm_key(c.candidate.text) for c in s.chosen}
        for r in s.rejected:
            k = norm_key(r.text)
            if r.text in texts or (k in rejected and _order(rejected[k]) >= _order(r)):
                continue
            rejected[k] = r
    best = sorted(rejected.values(), key=_order, reverse=True)[:shown]
    return SectionWhy(key, heading, tuple(dict.fromkeys(s.name for s in steps)),
                      len(chosen_keys | set(rejected)), whys, tuple(best))


def _order(r: Rejected) -> float:
    return r.score if r.score is not None else float("-inf")


def _choice(text: str, steps: Sequence[Step]) -> tuple[Step, Choice] | None:
    for s in steps:
        for c in s.chosen:
            if c.candidate.text == text:
                return s, c
    return None


def _statement_why(st: Statement, where: str, section: str, steps: Sequence[Step],
                   titles: dict[int, tuple[str, str, str]], weights: Weights, how: str = "") -> StatementWhy:
    title, passage_id, source_type = titles.get(st.citations[0], ("", "", "")) if st.citations else ("", "", "")
    found = _choice(st.text, steps)
    if found is None:
        return StatementWhy(st.text, where, section, "", st.citations, passage_id, title, source_type,
                            None, (), None, None, how)
    step, c = found
    cand = c.candidate
    terms = tuple(Term(n, v, w) for n, v, w in weights.terms(cand.features))
    note = "; ".join(x for x in (c.how, how) if x)
    return StatementWhy(st.text, where, section, step.name, st.citations, passage_id or cand.passage.passage_id,
                        title or cand.passage.title, source_type or cand.passage.source_type.value,
                        cand.score, terms, c.rank, c.of, note)


def _placed(st: Statement, where: str, own: SectionTrace | None, by_text: dict[str, StatementWhy],
            titles: dict[int, tuple[str, str, str]], weights: Weights) -> StatementWhy:
    """A summary or bottom line statement: chosen by its own step (an evidence answer's
    summary), else the statement of a section it repeats."""
    if own is not None and _choice(st.text, own.steps) is not None:
        return _statement_why(st, where, "summary", own.steps, titles, weights)
    w = by_text.get(st.text)
    if w is None:
        return _statement_why(st, where, "", (), titles, weights)
    note = f"repeats a statement of section {w.section!r}"
    return StatementWhy(w.text, where, w.section, w.step, st.citations, w.passage_id, w.source, w.source_type,
                        w.score, w.terms, w.rank, w.of, "; ".join(x for x in (w.how, note) if x))


# ---- JSON ---------------------------------------------------------------------------

def _num(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _statement_dict(w: StatementWhy) -> dict[str, Any]:
    return {
        "text": w.text, "where": w.where, "section": w.section, "step": w.step,
        "citations": list(w.citations), "passage_id": w.passage_id, "source": w.source,
        "source_type": w.source_type, "score": _num(w.score), "rank": w.rank, "of": w.of, "how": w.how,
        "features": {t.feature: float(t.value) for t in w.terms},
        "points": {t.feature: _num(t.points) for t in w.terms},
    }


def _rejected_dict(r: Rejected) -> dict[str, Any]:
    return {"text": r.text, "passage_id": r.passage_id, "source": r.title, "source_type": r.source_type,
            "reason": r.reason.value, "why": r.why, "score": _num(r.score),
            "features": {k: float(v) for k, v in r.features.items()}}


def _section_dict(s: SectionWhy) -> dict[str, Any]:
    return {"key": s.key, "heading": s.heading, "steps": list(s.steps), "considered": s.considered,
            "statements": [_statement_dict(w) for w in s.statements],
            "rejected": [_rejected_dict(r) for r in s.rejected]}


def explanation_to_dict(e: Explanation) -> dict[str, Any]:
    """The explanation as JSON (docs/WEB.md describes it). Scores are rounded to 4 places."""
    return {
        "route": e.route,
        "weights": e.weights,
        "summary": [_statement_dict(w) for w in e.summary],
        "sections": [_section_dict(s) for s in e.sections],
        "bottom_line": [_statement_dict(w) for w in e.bottom_line],
        "uncovered": [_section_dict(s) for s in e.uncovered],
        "dropped": [_rejected_dict(r) for r in e.dropped],
    }
