"""The one place the CLI turns errors into messages and exit codes."""

from __future__ import annotations

import functools
import sqlite3
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from curbside.errors import CurbsideError

F = TypeVar("F", bound=Callable[..., Any])

INTERNAL_ERROR_EXIT = 70


def handle_errors(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CurbsideError as e:
            click.secho(f"Error: {e.message}", fg="red", err=True)
            if e.fix:
                click.echo(f"Fix: {e.fix}", err=True)
            sys.exit(e.exit_code)
        except sqlite3.DatabaseError as e:
            click.secho(f"Error: the store could not be read: {e}.", fg="red", err=True)
            click.echo("Fix: run `curbside ingest` again; if it persists, remove the data folder.", err=True)
            sys.exit(3)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing half-written was kept. Run the command again to resume.", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
