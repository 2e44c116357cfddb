"""The one place the CLI turns errors into messages and exit codes.

A closed output pipe (`curbside ask ... | head -1`) is not an error: the command stops
quietly with status 0, as other Unix tools do."""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from curbside.errors import CurbsideError

F = TypeVar("F", bound=Callable[..., Any])

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
        except BrokenPipeError:
            _stdout_to_devnull()
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing half-written was kept. Run the command again to resume.", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _stdout_to_devnull() -> None:
    """The reader of stdout is gone: point stdout at /dev/null so that flushing what is
    still buffered at exit does not fail again (docs.python.org, "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (tests' captured output)
        pass
