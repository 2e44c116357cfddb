"""`curbside users`: accounts of the Medical Advisory Board, editors and admins.

    curbside users add arivera --name "Dr A. Rivera" --credentials "MD, neurology" --role reviewer
    curbside users list
    curbside users set-role arivera editor
    curbside users set-details arivera --credentials "MD, PhD, neurology"
    curbside users disable arivera          (enable to undo)
    curbside users reset-password arivera [--password-stdin]
    curbside users token create arivera "review script"     (prints the token once)
    curbside users token list arivera
    curbside users token revoke arivera 3

Whoever can run this command can read the data folder or the database URL, so it acts
as an admin; every change is recorded in the audit log as actor ``cli`` with the
operating-system user as the client.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from curbside.accounts import Accounts, Role
from curbside.cli.errors import handle_errors
from curbside.editorial.db import open_database
from curbside.editorial.models import Actor
from curbside.errors import InvalidTextError
from curbside.settings import Settings
from curbside.validate import MAX_INT, check_text

CLI = Actor("cli", "command line", role="admin")
ROLES = [r.value for r in Role]


def cli_client() -> str:
    """Who ran the command, for the audit log's client column."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        who = f"uid {os.getuid()}"
    return f"cli ({who})"


@contextmanager
def open_accounts(ctx: click.Context) -> Iterator[Accounts]:
    settings = Settings.from_env(**dict(ctx.obj or {}))
    db = open_database(settings.database_url, settings.data_dir)
    try:
        yield Accounts.open(db, session_hours=settings.session_hours,
                            login_max_failures=settings.login_max_failures)
    finally:
        db.close()


def _password(from_stdin: bool) -> str:
    try:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = str(click.prompt("Password (10 characters or more)", hide_input=True, confirmation_prompt=True))
    except UnicodeDecodeError:
        raise InvalidTextError("The password is not valid text: it holds bytes that are not UTF-8.",
                               fix="Type the password in plain characters, or send it encoded as UTF-8.") from None
    return check_text(password, "password")


def _texts(**values: str | None) -> None:
    """Arguments must be text: argv bytes that are not UTF-8 arrive as lone surrogates
    (exit 2, naming the argument)."""
    for what, value in values.items():
        check_text(value or "", what.replace("_", " "))


@click.group("users")
def command() -> None:
    """Accounts: reviewers (Medical Advisory Board), editors and admins."""


@command.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Name shown on approved answers, e.g. \"Dr A. Rivera\".")
@click.option("--credentials", default="", help="Shown after the name, e.g. \"MD, neurology\".")
@click.option("--role", type=click.Choice(ROLES), default=Role.REVIEWER.value, show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (no prompt).")
@click.pass_context
@handle_errors
def add(ctx: click.Context, username: str, display_name: str, credentials: str, role: str,
        password_stdin: bool) -> None:
    """Add an account (asks for its password)."""
    _texts(username=username, display_name=display_name, credentials=credentials)
    with open_accounts(ctx) as acc:
        password = _password(password_stdin)
        u = acc.users.add(username, password, display_name=display_name, credentials=credentials, role=role,
                          by=CLI, client=cli_client())
        click.echo(f"Added {u.username} ({u.role.value}): {u.label}")


@command.command("list")
@click.pass_context
@handle_errors
def list_cmd(ctx: click.Context) -> None:
    """Every account with its role and status."""
    with open_accounts(ctx) as acc:
        users = acc.users.list()
        if not users:
            click.echo("No accounts yet. Add one with `curbside users add USERNAME --name \"...\" --role admin`.")
        for u in users:
            state = "disabled" if u.disabled else "active"
            click.echo(f"{u.username:<20} {u.role.value:<9} {state:<8} {u.label}   (since {u.created[:10]})")


@command.command("disable")
@click.argument("username")
@click.pass_context
@handle_errors
def disable(ctx: click.Context, username: str) -> None:
    """Disable an account: it cannot sign in, its sessions end and its API tokens stop working."""
    _texts(username=username)
    with open_accounts(ctx) as acc:
        u = acc.users.disable(username, by=CLI, client=cli_client())
        click.echo(f"Disabled {u.username}.")


@command.command("enable")
@click.argument("username")
@click.pass_context
@handle_errors
def enable(ctx: click.Context, username: str) -> None:
    """Enable a disabled account again."""
    _texts(username=username)
    with open_accounts(ctx) as acc:
        u = acc.users.enable(username, by=CLI, client=cli_client())
        click.echo(f"Enabled {u.username}.")


@command.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@click.pass_context
@handle_errors
def set_role(ctx: click.Context, username: str, role: str) -> None:
    """Change an account's role (reader, reviewer, editor, admin)."""
    _texts(username=username)
    with open_accounts(ctx) as acc:
        u = acc.users.set_role(username, role, by=CLI, client=cli_client())
        click.echo(f"{u.username} is now {u.role.value}.")


@command.command("set-details")
@click.argument("username")
@click.option("--name", "display_name", help="Name shown on approved answers.")
@click.option("--credentials", help="Shown after the name (empty to remove).")
@click.pass_context
@handle_errors
def set_details(ctx: click.Context, username: str, display_name: str | None, credentials: str | None) -> None:
    """Change the name or credentials shown on approved answers."""
    _texts(username=username, display_name=display_name, credentials=credentials)
    with open_accounts(ctx) as acc:
        u = acc.users.set_details(username, display_name=display_name, credentials=credentials, by=CLI,
                                  client=cli_client())
        click.echo(f"{u.username}: {u.label}")


@command.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (no prompt).")
@click.pass_context
@handle_errors
def reset_password(ctx: click.Context, username: str, password_stdin: bool) -> None:
    """Set a new password (the account's sessions end and its API tokens are revoked)."""
    _texts(username=username)
    with open_accounts(ctx) as acc:
        acc.users.require(username)
        u = acc.users.reset_password(username, _password(password_stdin), by=CLI, client=cli_client())
        click.echo(f"New password set for {u.username}; their sessions were ended and their API tokens revoked.")


@command.group("token")
def token() -> None:
    """Personal API tokens (Authorization: Bearer cs_...)."""


@token.command("create")
@click.argument("username")
@click.argument("name")
@click.pass_context
@handle_errors
def token_create(ctx: click.Context, username: str, name: str) -> None:
    """Make a token for USERNAME named NAME; it is printed once and never again."""
    _texts(username=username, token_name=name)
    with open_accounts(ctx) as acc:
        plain, t = acc.tokens.create(acc.users.require(username), name, by=CLI, client=cli_client())
        click.echo(plain)
        click.echo(f"Token {t.id} ({t.prefix}…) for {username}. Copy it now: only its hash is kept.", err=True)


@token.command("list")
@click.argument("username")
@click.pass_context
@handle_errors
def token_list(ctx: click.Context, username: str) -> None:
    """USERNAME's tokens (prefix only), newest first."""
    _texts(username=username)
    with open_accounts(ctx) as acc:
        for t in acc.tokens.list(acc.users.require(username).id):
            state = f"revoked {t.revoked}" if t.revoked else f"last used {t.last_used or 'never'}"
            click.echo(f"{t.id:>4}  {t.prefix}…  {t.name:<24} created {t.created}  {state}")


@token.command("revoke")
@click.argument("username")
@click.argument("token_id", type=click.IntRange(1, MAX_INT))
@click.pass_context
@handle_errors
def token_revoke(ctx: click.Context, username: str, token_id: int) -> None:
    """Revoke one of USERNAME's tokens (by the id `token list` shows)."""
    _texts(username=username)
    with open_accounts(ctx) as acc:
        t = acc.tokens.revoke(token_id, owner_id=acc.users.require(username).id, by=CLI, client=cli_client())
        click.echo(f"Revoked token {t.id} ({t.prefix}…) at {t.revoked}.")
