"""`curbside` command line: ingest, ask, status, settings (serve and eval live in
their own modules and register here)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from curbside.cli.errors import handle_errors
from curbside.settings import Settings, allowed, describe
from curbside.types import Audience

AUDIENCES = [a.value for a in Audience]


def _settings(ctx: click.Context, **overrides: object) -> Settings:
    base: dict[str, object] = dict(ctx.obj or {})
    base.update({k: v for k, v in overrides.items() if v is not None})
    return Settings.from_env(**base)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(path_type=Path),
              help="Where the store and indexes live [CURBSIDE_DATA_DIR].")
@click.option("--shared-dir", type=click.Path(path_type=Path),
              help="The shared folder with corpus/, vocab/, eval/ [CURBSIDE_SHARED_DIR].")
@click.version_option(package_name="curbside")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, shared_dir: Path | None) -> None:
    """curbside: cited, sectioned answers to clinical questions from public sources."""
    ctx.obj = {k: v for k, v in {"data_dir": data_dir, "shared_dir": shared_dir}.items() if v is not None}


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--embed/--no-embed", default=False, help="Also compute dense embeddings (slower; better retrieval).")
@click.option("--ray", "ray_address", metavar="ADDRESS",
              help="With --embed: compute the vectors on a Ray cluster (`local` starts one on this machine, `auto` "
                   "joins this machine's cluster, ray://HOST:10001 reaches one); needs the `scale` extra.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
@handle_errors
def ingest(ctx: click.Context, paths: tuple[Path, ...], embed: bool, ray_address: str | None, quiet: bool) -> None:
    """Read source files (default: the shared corpus) into the store and indexes.

    Unchanged files are skipped; an interrupted run is resumed by running it again."""
    from curbside.cli.progress import progress_bar
    from curbside.ingest import ingest as run_ingest

    settings = _settings(ctx)
    targets = list(paths) or [settings.corpus_dir]
    if ray_address is not None and not embed:
        raise click.UsageError("--ray computes vectors: use it with --embed.")
    embedder = None
    if ray_address:
        from curbside.index.distributed import RayEmbedder

        embedder = RayEmbedder.for_settings(ray_address, settings)
    try:
        if embedder is not None:
            embedder.connect()
        with progress_bar(disabled=quiet) as tick:
            report = run_ingest(settings, targets, embed=embed, progress=tick, embedder=embedder)
    finally:
        if embedder is not None:
            embedder.close()
    click.echo(
        f"Files: {report.files_seen} seen, {report.files_read} read, {report.files_unchanged} unchanged, "
        f"{len(report.unsupported)} skipped (unsupported), {len(report.failed)} failed."
    )
    click.echo(
        f"Documents: {report.docs_added} added, {report.docs_changed} changed, "
        f"{report.docs_unchanged} unchanged, {report.docs_removed} removed."
    )
    click.echo(
        f"Passages indexed: {report.passages_indexed}; embedded: {report.passages_embedded}; "
        f"questions embedded: {report.questions_embedded}."
    )
    click.echo(f"Malformed records skipped: {report.n_record_errors}.")
    for e in report.record_errors[:20]:
        click.echo(f"  {e.file} [{e.record}]: {e.reason}", err=True)
    if report.n_record_errors > 20:
        click.echo(f"  ... and {report.n_record_errors - 20} more (see `curbside status --errors`).", err=True)
    if report.n_duplicates:
        click.echo(
            f"Duplicate ids: {report.n_duplicates} held by several files "
            "(the version in the file whose path sorts first is used)."
        )
        for d in report.duplicates[:20]:
            click.echo(f"  {d.doc_id} is in {d.used} and {', '.join(d.others)}: using {d.used}", err=True)
        if report.n_duplicates > 20:
            click.echo(f"  ... and {report.n_duplicates - 20} more.", err=True)
    for f in report.failed:
        click.secho(f"  FAILED {f.file}: {f.reason}", fg="red", err=True)
    for u in report.unsupported[:10]:
        click.echo(f"  skipped {u}: not a supported format", err=True)
    click.echo(f"Corpus version: {report.corpus_version}. Seconds: {report.seconds}")
    _recheck_approved(settings)
    if report.failed:
        sys.exit(4)


def _recheck_approved(settings: Settings) -> None:
    """Living answers: approved answers whose cited passages this ingest changed or
    removed are marked "Needs re-review" (editorial/living.py)."""
    from curbside.editorial.living import recheck
    from curbside.errors import CurbsideError

    try:
        result = recheck(settings.database_url, settings.data_dir, only_if_present=True)
    except CurbsideError as e:
        click.secho(f"The ingest is done, but approved answers were not re-checked: {e.message}", fg="red", err=True)
        click.echo("Fix: " + (e.fix + " Then run" if e.fix else "Run") + " `curbside review recheck`.", err=True)
        sys.exit(e.exit_code)
    if result is not None:
        click.echo(f"{result.count} approved answers need re-review (of {result.checked} checked).")


@cli.command()
@click.argument("question", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON (schema in docs/ARTICLE_SCHEMA.md).")
@click.option("--audience", type=click.Choice(AUDIENCES), default="physician", show_default=True,
              help="Who is reading.")
@click.option("--context", help="The previous question, for a follow-up: the question is read against it (the "
              "drug or condition carries unless a new one is named) and answered as the standalone question shown "
              "as 'Understood as'.")
@click.option("--rerank/--no-rerank", default=None, help="Rerank with the cross-encoder [CURBSIDE_USE_RERANK].")
@click.option("--explain", is_flag=True, help="Also show why each statement was chosen (features, weights, score, "
              "rank) and why the best sentences left out were not; with --json, {\"article\", \"explanation\"}.")
@click.option("--suggest/--no-suggest", default=None,
              help="Work out up to 3 follow-up questions the corpus answers (each is answered to check; ~0.2 s) "
                   "[default: on, off with --json; with --json, {\"article\", \"suggested_follow_ups\"}].")
@click.pass_context
@handle_errors
def ask(ctx: click.Context, question: tuple[str, ...], as_json: bool, audience: str, context: str | None,
        rerank: bool | None, explain: bool, suggest: bool | None) -> None:
    """Answer a question with a cited article."""
    from curbside.engine import Engine

    settings = _settings(ctx, use_rerank=rerank)
    engine = Engine.open(settings)
    try:
        if explain:
            explained = engine.explain(" ".join(question), Audience(audience), context=context)
            article, why = explained.article, explained.explanation
        else:
            article, why = engine.ask(" ".join(question), Audience(audience), context=context), None
        wanted = (not as_json) if suggest is None else suggest
        follow_ups = [s.question for s in engine.suggest(article, Audience(audience))] if wanted else None
    finally:
        engine.close()
    if as_json:
        from curbside.composition.serialize import article_to_dict

        payload = article_to_dict(article)
        if why is not None or follow_ups is not None:
            payload = {"article": payload}
        if why is not None:
            from curbside.composition.explain import explanation_to_dict

            payload["explanation"] = explanation_to_dict(why)
        if follow_ups is not None:
            payload["suggested_follow_ups"] = follow_ups
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        from curbside.cli.render import PipeConsole, render_article, render_follow_ups

        console = PipeConsole()
        render_article(article, console)
        if follow_ups is not None:
            render_follow_ups(follow_ups, console)
        if why is not None:
            from curbside.cli.explain import render_explanation

            console.print()
            render_explanation(why, console)
    if article.abstained:
        sys.exit(6)


@cli.command()
@click.option("--errors", "show_errors", is_flag=True, help="List malformed records skipped at ingest.")
@click.pass_context
@handle_errors
def status(ctx: click.Context, show_errors: bool) -> None:
    """What is in the store."""
    from curbside.engine import Engine

    engine = Engine.open(_settings(ctx))
    try:
        for k, v in engine.counts().items():
            click.echo(f"{k}: {v}")
        click.echo(f"corpus_version: {engine.corpus_version}")
        if engine.dense is not None:
            method = getattr(engine.dense, "method", "exact")
            click.echo(f"dense vectors: yes ({len(engine.dense):,}, {method} search)")  # type: ignore[arg-type]
        else:
            click.echo("dense vectors: no (run `curbside ingest --embed`)")
        if show_errors:
            for e in engine.record_errors(limit=1000):
                click.echo(f"{e.file} [{e.record}]: {e.reason}")
    finally:
        engine.close()


@cli.command("settings")
@handle_errors
def settings_cmd() -> None:
    """List every setting with its environment variable, default, allowed values and help."""
    for name, env, default, help_text in describe():
        click.echo(f"{name}  ({env}, default {default}; {allowed(name)})\n    {help_text}")


def _register_optional() -> None:
    from curbside.cli import commands

    for cmd in commands.extra_commands():
        cli.add_command(cmd)


def main() -> None:
    _register_optional()
    cli(prog_name="curbside")


if __name__ == "__main__":
    main()
