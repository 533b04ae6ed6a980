"""A click group whose commands are imported only when they run or show their help.

Importing every command module up front would import what they use (boto3,
samtranslator, libcst, jinja2) on every start, `--help` included: most of a second. The
group keeps, for each lazy command, where it lives and its one-line help, so the list of
commands prints without importing any of them (tests/cli/test_lazy.py keeps those lines
equal to the commands' own).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class LazyCommand:
    target: str  # "package.module:attribute"
    short_help: str  # the first sentence of the command's help, as `--help` lists it


class LazyGroup(click.Group):
    """A `click.Group` that also has `lazy` commands, imported on first use."""

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy:
            command = self.load(cmd_name)
        return command

    def load(self, name: str) -> click.Command:
        """Import the command `name` and keep it (it is imported once)."""
        module_name, _, attribute = self.lazy[name].target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy[name].target} is not a click command")
        self.add_command(command, name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands with their one-line help; lazy ones from the table, not imported."""
        rows = []
        limit = formatter.width - 6 - max((len(name) for name in self.list_commands(ctx)), default=0)
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is not None:
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, click.Command(name, help=self.lazy[name].short_help).get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
