"""`curbside review`: the Medical Advisory Board workflow from the command line.

    curbside review list [--status submitted]
    curbside review show ID
    curbside review start ID --as arivera
    curbside review approve ID --as arivera [--expected-version N]
    curbside review request-changes ID --as bchen --note "Cite the label for dosing."
    curbside review reject ID --as bchen --note "Out of scope."
    curbside review recheck        # approved answers whose cited passages changed -> needs re-review

``--as`` names an account (`curbside users add`) with the review permission; the page
shows that account's name and credentials. The name never comes from the command line.
"""

from __future__ import annotations

import click

from curbside.accounts import NotAllowedError, Permission, UserRepository
from curbside.accounts.users import User
from curbside.cli.errors import handle_errors
from curbside.editorial import Action, EditorialRepository, Status
from curbside.editorial.slug import split_ref
from curbside.settings import Settings
from curbside.validate import MAX_INT, check_text

STATUSES = [s.value for s in Status]


def _repo(ctx: click.Context) -> EditorialRepository:
    settings = Settings.from_env(**dict(ctx.obj or {}))
    return EditorialRepository.open(settings.database_url, settings.data_dir)


def _id(raw: str) -> str:
    return split_ref(raw.rstrip("/").rsplit("/", 1)[-1])[1] or raw


@click.group("review")
def command() -> None:
    """Review stored answers: Submitted -> Under Review -> Approved (or changes requested)."""


@command.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only answers with this status.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.pass_context
@handle_errors
def list_cmd(ctx: click.Context, status: str | None, limit: int) -> None:
    """Stored answers, most recently updated first."""
    repo = _repo(ctx)
    try:
        items = repo.list_articles(status, limit=limit)
        if not items:
            click.echo("No stored answers" + (f" with status {status}." if status else "."))
        for a in items:
            click.echo(f"{a.id}  v{a.version}  {a.status.value:<17}  {a.audience:<10}  {a.question}")
    finally:
        repo.close()


@command.command("show")
@click.argument("article_id")
@click.pass_context
@handle_errors
def show(ctx: click.Context, article_id: str) -> None:
    """An answer's status, version, reviewers and audit trail."""
    repo = _repo(ctx)
    try:
        a = repo.get(_id(article_id))
        article = a.article_model
        click.echo(f"{article.title or a.question}")
        click.echo(f"id: {a.id}   url: {a.url}   audience: {a.audience}")
        click.echo(f"status: {a.status.value}   version: {a.version}   corpus: {a.corpus_version}")
        if a.reviewers:
            approved = f"   approved: {a.approved_at}" if a.approved_at else ""
            click.echo(f"reviewers: {', '.join(a.reviewers)}{approved}")
        n = sum(len(s.statements) for s in article.sections)
        click.echo(f"sections: {len(article.sections)}, statements: {n}, references: {len(article.references)}")
        click.echo("history:")
        for e in repo.events(a.id):
            note = f" — {e.note}" if e.note else ""
            moved = f"{e.from_status or '-'} -> {e.to_status}"
            click.echo(f"  {e.at}  v{e.version}  {e.action:<15} {moved}  by {e.actor}{note}")
    finally:
        repo.close()


def _reviewer(repo: EditorialRepository, username: str, action: Action, target: str) -> User:
    """The enabled account ``--as`` names, if its role may review; a refusal is logged."""
    from curbside.cli.users import cli_client

    user = UserRepository(repo.db, audit=repo.audit).require(username)
    if not user.can(Permission.REVIEW):
        why = "the account is disabled" if user.disabled else f"the role {user.role.value} may not review"
        repo.audit.record(user.actor(), f"review.{action.value}", outcome="refused", target=target,
                          detail=f"{why} (command line)", client=cli_client())
        raise NotAllowedError(f"{user.username} may not review answers: {why}.",
                              fix="Use a reviewer's account, or ask an admin: `curbside users set-role`.")
    return user


def _transition(action: Action, help_text: str, note_required: bool = False) -> click.Command:
    @click.command(action.value.replace("_", "-"), help=help_text)
    @click.argument("article_id")
    @click.option("--as", "username", required=True, metavar="USERNAME",
                  help="Your account (see `curbside users list`); its name and credentials go on the page.")
    @click.option("--note", required=note_required,
                  help="A note for the audit trail" + (" (required)." if note_required else "."))
    @click.option("--expected-version", type=click.IntRange(1, MAX_INT),
                  help="The version you reviewed; refused if the answer changed since "
                  "(default: the current version).")
    @click.pass_context
    @handle_errors
    def run(ctx: click.Context, article_id: str, username: str, note: str | None, expected_version: int | None) -> None:
        from curbside.cli.users import cli_client

        check_text(username, "account name")
        check_text(note or "", "note")
        repo = _repo(ctx)
        try:
            aid = _id(article_id)
            user = _reviewer(repo, username, action, aid)
            version = expected_version if expected_version is not None else repo.get(aid).version
            a = repo.transition(aid, action, user.actor(), expected_version=version, note=note, client=cli_client())
            click.echo(f"{a.id} v{a.version}: {a.status.value} ({action.value} by {user.label})")
        finally:
            repo.close()

    return run


command.add_command(_transition(Action.START,
                                "Start reviewing an answer (submitted or changes requested -> under review)."))
command.add_command(_transition(Action.APPROVE, "Approve the reviewed version (under review -> approved)."))
command.add_command(_transition(Action.REQUEST_CHANGES, "Request changes (under review -> changes requested).",
                                note_required=True))
command.add_command(_transition(Action.RESUBMIT, "Send an answer with requested changes back to submitted."))
command.add_command(_transition(Action.REJECT, "Reject the answer (under review -> rejected).", note_required=True))


@command.command("recheck")
@click.pass_context
@handle_errors
def recheck_cmd(ctx: click.Context) -> None:
    """Mark approved answers whose cited passages changed or vanished as needing re-review
    (`curbside ingest` does this after every ingest)."""
    from curbside.editorial.living import recheck

    settings = Settings.from_env(**dict(ctx.obj or {}))
    report = recheck(settings.database_url, settings.data_dir)
    assert report is not None
    for f in report.flagged:
        kinds = ", ".join(f"reference {c.reference} {c.kind}" for c in f.changes)
        click.echo(f"{f.article_id}  v{f.version}  {f.question}  ({kinds})")
    click.echo(f"{report.count} approved answers need re-review (of {report.checked} checked).")
