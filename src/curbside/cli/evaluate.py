"""`curbside eval`: run the engine and a plain BM25 baseline over the evaluation sets and
write a report (report.json, report.md, report.svg, <set>.items.jsonl)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from curbside.cli.errors import handle_errors
from curbside.evaluation.sets import SET_NAMES
from curbside.settings import Settings


@click.command("eval")
@click.option("--set", "set_name", type=click.Choice([*SET_NAMES, "all"]), default="all", show_default=True,
              help="Which evaluation set of <shared>/eval to run.")
@click.option("--limit", type=click.IntRange(min=1),
              help="At most N questions per set (an even spread); for smoke runs.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Report folder [default: <data_dir>/eval-reports/<timestamp>].")
@click.option("--failures", "max_failures", type=click.IntRange(min=0), default=25, show_default=True,
              help="Failures listed per set in report.md (report.json has all).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the corpus sentence index (coverage ceilings) is cached [default: <data_dir>/eval-cache].")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
@handle_errors
def command(ctx: click.Context, set_name: str, limit: int | None, out_dir: Path | None,
            max_failures: int, cache_dir: Path | None, quiet: bool) -> None:
    """Measure the engine against the evaluation sets, side by side with plain BM25."""
    from curbside.cli.progress import progress_bar
    from curbside.evaluation import report as rep
    from curbside.evaluation.runner import run_eval

    settings = Settings.from_env(**dict(ctx.obj or {}))
    sets = list(SET_NAMES) if set_name == "all" else [set_name]
    with progress_bar(disabled=quiet) as tick:
        result = run_eval(settings, sets, limit=limit, progress=tick, cache_dir=cache_dir)
    out = out_dir or settings.data_dir / "eval-reports" / datetime.now().strftime("%Y%m%d-%H%M%S")
    rep.write(result, out, max_failures)
    click.echo(rep.console_table(result))
    click.echo(f"\nReport: {out / 'report.md'} (JSON: {out / 'report.json'})")
