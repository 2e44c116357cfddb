"""Command groups kept in their own modules (serve, eval) register here, so
`cli/main.py` stays small and a missing optional part never breaks `ask`."""

from __future__ import annotations

import importlib

import click

_MODULES = ("curbside.cli.serve", "curbside.cli.evaluate", "curbside.cli.review", "curbside.cli.users")


def extra_commands() -> list[click.Command]:
    out: list[click.Command] = []
    for name in _MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:
                continue
            raise
        out.append(mod.command)
    return out
