"""`mono2lambda contracts check`: fail on a breaking change to a committed contract."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from .common import extraction_inputs, handle_errors
from .extraction import check_generated_contracts


@click.group("contracts")
def contracts() -> None:
    """Work with the event contracts of generated packages."""


@contracts.command("check")
@click.option("--generated", type=click.Path(path_type=Path, file_okay=False), default=Path("generated"),
              show_default=True, help="The output of `mono2lambda extract` whose contracts are committed.")
@extraction_inputs
@handle_errors
def check_command(generated: Path, plan_path: Path, graph_path: Path | None, source: Path | None) -> int:
    """Compare the committed contracts with the current source.

    Exit codes: 0 no change or only additive ones, 1 a breaking change (removed or retyped
    field, new required field, removed operation, changed invocation), 2 bad input.
    """
    console = Console()
    result = check_generated_contracts(generated, plan_path, graph_path, source)
    for change in result.changes:
        label = "BREAKING" if change.breaking else "ok"
        console.print(f"{label}: {change.operation}: {change.path}: {change.message} [{change.kind}]",
                      markup=False, highlight=False)
    console.print(f"{len(result.breaking)} breaking change(s), {len(result.changes) - len(result.breaking)} "
                  "compatible change(s)")
    return 1 if result.breaking else 0
