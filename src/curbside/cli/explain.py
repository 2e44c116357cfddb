"""`curbside ask --explain`: the "Why these sentences" part printed after the article.

For each section, a table of its statements (score, rank among the sentences that
passed the filters, and the terms weight × feature that make the score) and a table of
the best sentences left out with the reason. Read with the weight table
(`curbside settings` lists the tunable weights) it answers "why this sentence?".
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from curbside.composition.explain import Explanation, Rejected, SectionWhy, StatementWhy, Term

ROUTES = {
    "drug": "a drug article: the asked drug's label sections, the asked one first",
    "comparison": "a comparison: the same sections for each drug",
    "condition": "a condition article: consumer pages, then guidelines and studies naming the condition",
    "answered": "a question answered before: that answer, then the condition's pages",
    "evidence": "an evidence answer: sentences of the top retrieved passages, by source type",
}
SHOWN_CHARS = 160


def _short(text: str, n: int = SHOWN_CHARS) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _num(x: float) -> str:
    return f"{x:g}" if x == int(x) else f"{x:.3g}"


def _terms(terms: tuple[Term, ...]) -> str:
    return "\n".join(f"{t.feature} {_num(t.value)}×{_num(t.weight)} = {t.points:+.2f}" for t in terms)


def _score(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _rank(w: StatementWhy) -> str:
    return f"{w.rank} of {w.of}" if w.rank is not None else "–"


def _statements(title: str, whys: tuple[StatementWhy, ...], *, steps: bool = True) -> Table:
    t = Table(title=title, title_justify="left", show_lines=True, expand=True)
    t.add_column("statement", ratio=5)
    t.add_column("score", justify="right", no_wrap=True)
    t.add_column("rank", no_wrap=True)
    t.add_column("weight × feature", ratio=3)
    for w in whys:
        cites = "".join(f"[{n}]" for n in w.citations)
        body = Text(_short(w.text))
        body.append(f" {cites}", style="cyan")
        if w.how:
            body.append(f"\n{w.how}", style="dim")
        if steps or not w.step:
            body.append(f"\nchosen by: {w.step}" if w.step else "\n(not traced)", style="dim")
        t.add_row(body, _score(w.score), _rank(w), _terms(w.terms))
    return t


def _rejected(rs: tuple[Rejected, ...]) -> Table:
    t = Table(title="Left out (best first)", title_justify="left", show_lines=True, expand=True)
    t.add_column("sentence", ratio=5)
    t.add_column("score", justify="right", no_wrap=True)
    t.add_column("why not", ratio=3)
    for r in rs:
        t.add_row(Text(_short(r.text)) + Text(f"\n{r.title}", style="dim"), _score(r.score), r.why)
    return t


def _section(console: Console, s: SectionWhy) -> None:
    console.print(Text(f"{s.heading} ({s.key}): {s.considered} sentences considered", style="bold"))
    for name in s.steps:
        console.print(Text(f"  step: {name}", style="dim"))
    if s.statements:
        console.print(_statements("Chosen", s.statements, steps=len(s.steps) > 1))
    if s.rejected:
        console.print(_rejected(s.rejected))
    console.print()


def _repeats(console: Console, title: str, whys: tuple[StatementWhy, ...]) -> None:
    """The summary or bottom line: a line for a statement that repeats a section's, a
    table for one chosen on its own (an evidence answer's summary)."""
    own = tuple(w for w in whys if w.section == "summary" or not w.section)
    for i, w in enumerate(whys, start=1):
        if w not in own:
            console.print(Text(f"{title} {i}: the statement of section {w.section!r} scored {_score(w.score)}, "
                               f"rank {_rank(w)}: {_short(w.text, 80)}", style="dim"))
    if own:
        console.print(_statements(title, own))
    if whys:
        console.print()


def render_explanation(e: Explanation, console: Console) -> None:
    console.print(Text("Why these sentences", style="bold underline"))
    if e.route:
        console.print(Text(f"Answered as {ROUTES.get(e.route, e.route)}.", style="dim"))
    console.print(Text("Each score is Σ weight × feature (the weights are in `curbside settings`, weight_* and "
                       "penalty_*); a sentence competes only with those found the same way.", style="dim"))
    console.print()
    if not e.route:
        console.print(Text("Nothing was composed (the question was not answered), so there is nothing to explain.",
                           style="dim"))
        return
    _repeats(console, "Summary", e.summary)
    for s in e.sections:
        _section(console, s)
    _repeats(console, "Bottom line", e.bottom_line)
    if e.uncovered:
        console.print(Text("Tried, and found nothing to say", style="bold underline"))
        for s in e.uncovered:
            _section(console, s)
    if e.dropped:
        console.print(Text("Chosen, then dropped by the verifier", style="bold underline"))
        console.print(_rejected(e.dropped))
