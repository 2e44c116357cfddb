"""Terminal rendering of an Article with rich."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from curbside.composition.references import copies_label
from curbside.types import Article, Statement


def _cites(st: Statement) -> str:
    return " " + "".join(f"[{n}]" for n in st.citations) if st.citations else ""


def _line(st: Statement, bullet: bool = True) -> Text:
    t = Text("  • " if bullet else "")
    t.append(st.text)
    t.append(_cites(st), style="cyan")
    return t


class PipeConsole(Console):
    """A console that lets a closed pipe (`curbside ask ... | head -1`) raise
    BrokenPipeError to cli/errors.py, which ends quietly with status 0 (rich's own
    handling exits with 1)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def render_article(article: Article, console: Console) -> None:
    console.print(Text(article.title, style="bold"))
    if article.understood_as:
        console.print(Text(f"Understood as: {article.understood_as}", style="italic"))
    status = "Pending human review · Educational purpose only"
    meta = f"{status} · Audience: {article.audience.label}"
    if article.last_updated:
        meta += f" · Last updated: {article.last_updated}"
    console.print(Text(meta, style="yellow"))
    if article.drugs:
        names = (f"{d.text} → {d.generic}" if d.text.lower() != d.generic else d.generic for d in article.drugs)
        console.print(Text("Drugs: " + ", ".join(names), style="dim"))
    console.print(Text(f"Question type: {article.question_type.value}", style="dim"))
    console.print()
    if article.abstained:
        console.print(Panel(escape(article.abstain_reason or "No answer."), title="No answer", style="red"))
        for u in article.uncovered:
            console.print(Text(f"  • Not covered: {u}", style="dim"))
        return
    if article.partial and article.partial_note:
        console.print(Panel(escape(article.partial_note), title="Partial answer", style="yellow"))
    for note in article.reader_notes:
        console.print(Panel(escape(note), title="Note from curbside (not a quote)", style="cyan"))
    if article.summary:
        console.print(Group(*(_line(s, bullet=False) for s in article.summary)))
        console.print()
    for sec in article.sections:
        console.print(Text(sec.heading, style="bold underline"))
        for st in sec.statements:
            console.print(_line(st))
        console.print()
    if article.bottom_line:
        console.print(Text("Bottom line", style="bold underline"))
        for st in article.bottom_line:
            console.print(_line(st, bullet=False))
        console.print()
    glosses = [g for st in article.statements() for g in st.glosses]
    if glosses:
        # explanations beside the quotes, never part of them (composition/glossing.py)
        console.print(Text("Words used here", style="bold underline"))
        for g in glosses:
            line = Text(f"  • {g.term}", style="bold")
            line.append(f" — {g.meaning}", style="")
            line.append(f" ({g.source}{', ' + g.url if g.url else ''})", style="dim")
            console.print(line)
        console.print()
    if article.uncovered:
        console.print(Text("Not covered by the sources", style="bold underline"))
        for u in article.uncovered:
            console.print(Text(f"  • {u}", style="dim"))
        console.print()
    console.print(Text("References", style="bold underline"))
    for r in article.references:
        year = f", {r.year}" if r.year else ""
        where = f" — {r.url}" if r.url else f" — {r.doc_id}"
        console.print(Text(f"  [{r.number}] {r.source_type.label}: {r.title} ({r.section}). {r.source}{year}{where}"))
        if r.copies:
            console.print(Text(f"      {copies_label(r)} with the same text (listed in --json)", style="dim"))
    console.print()
    console.print(Text(
        "Educational information drawn verbatim from the cited sources; not medical advice. "
        "Clinicians should verify against primary sources before use in patient care.", style="dim italic"))


def render_follow_ups(questions: list[str], console: Console) -> None:
    """The suggested follow-ups (Engine.suggest), to ask with --context."""
    if not questions:
        return
    console.print(Text("Suggested follow-ups", style="bold underline"))
    for q in questions:
        console.print(Text(f"  • {q}"))
    console.print()
