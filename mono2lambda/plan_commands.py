"""`mono2lambda plan ...`: show and edit the plan file (boundaries.yaml) from the command line.

Every edit reads the plan, checks it against the graph (errors stop with exit 2 and
file:line messages; warnings are printed), applies the edit, checks again, writes the
file atomically, and prints one line saying what changed. Comments in the file survive.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from analyzer.boundaries.placement import MONOLITH, SHARED, units_of
from analyzer.boundaries.plan import (
    DEFAULT_PLAN,
    Edit,
    PlanDocument,
    Problem,
    assign,
    check_plan,
    keep,
    merge,
    move,
    plan_error,
    read_plan,
    rename,
    share,
    split,
    write_plan,
)
from analyzer.errors import InputError, PlanError
from analyzer.graph import CodeGraph

from .boundaries import DEFAULT_GRAPH, read_graph, score_plan, why
from .common import handle_errors
from .render import print_scores


def plan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--plan and --graph, shared by every plan command."""
    command = click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=DEFAULT_GRAPH,
                           show_default=True, help="The graph written by `mono2lambda analyze`.")(command)
    return click.option("--plan", "plan_path", type=click.Path(path_type=Path), default=Path(DEFAULT_PLAN),
                        show_default=True, help="The plan file to read and edit.")(command)


@click.group("plan")
def plan() -> None:
    """Show or edit the service boundaries (boundaries.yaml; format: docs/plan-format.md)."""


@plan.command("show")
@plan_options
@handle_errors
def show_command(plan_path: Path, graph_path: Path) -> int:
    """Print each service with its units, then the monolith, shared libraries and problems."""
    doc, graph = read_plan(plan_path), read_graph(graph_path)
    problems = check_plan(doc, graph)
    try:
        placement = assign(doc.plan, units_of(graph, doc.plan.unit))
    except PlanError:  # an ambiguous unit: the problems below say where
        placement = None
    for place in [*placement.services(), MONOLITH, SHARED] if placement else []:
        members = placement.members(place) if placement else ()
        click.echo(f"{place if place in (MONOLITH, SHARED) else 'service ' + place} ({len(members)})")
        for unit in members:
            click.echo(f"  {unit}")
    for problem in problems:
        click.echo(problem.render(doc.filename))
    return 2 if any(problem.severity == "error" for problem in problems) else 0


def edit_command(name: str, edit: Callable[..., Edit]) -> Callable[[Callable[..., Any]], Any]:
    """Turn a function that maps its arguments to an `Edit` call into a full command."""

    def decorate(parse: Callable[..., tuple[Any, ...]]) -> Any:
        @plan.command(name)
        @plan_options
        @handle_errors
        @functools.wraps(parse)
        def command(plan_path: Path, graph_path: Path, **arguments: Any) -> int:
            doc, graph = read_plan(plan_path), read_graph(graph_path)
            _validate(doc, graph)
            result = edit(doc, *parse(**arguments))
            if result.doc is not doc:
                _validate(result.doc, graph, edited=True)
                write_plan(plan_path, result.doc)
            click.echo(result.change)
            return 0

        return command

    return decorate


@edit_command("move", move)
@click.argument("module")
@click.argument("service")
def move_command(module: str, service: str) -> tuple[str, str]:
    """Move MODULE into SERVICE (created if new)."""
    return module, service


@edit_command("merge", merge)
@click.argument("a")
@click.argument("b")
def merge_command(a: str, b: str) -> tuple[str, str]:
    """Merge service B into service A (B disappears)."""
    return a, b


@edit_command("split", split)
@click.argument("service")
@click.option("--into", "into", multiple=True, required=True, metavar="NAME=MOD[,MOD...]",
              help="A new service and the modules it takes (repeatable).")
def split_command(service: str, into: tuple[str, ...]) -> tuple[str, dict[str, list[str]]]:
    """Move some modules of SERVICE into new services; the rest stays."""
    return service, _parse_into(into)


@edit_command("rename", rename)
@click.argument("old")
@click.argument("new")
def rename_command(old: str, new: str) -> tuple[str, str]:
    """Rename service OLD to NEW."""
    return old, new


@edit_command("keep", keep)
@click.argument("module")
def keep_command(module: str) -> tuple[str]:
    """Keep MODULE in the monolith."""
    return (module,)


@edit_command("share", share)
@click.argument("module")
def share_command(module: str) -> tuple[str]:
    """Make MODULE a shared library, copied into each service that needs it."""
    return (module,)


@plan.command("score")
@plan_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def score_command(plan_path: Path, graph_path: Path, fmt: str) -> int:
    """Score the plan: modularity, ICP, IFN, NED, data ownership, cycles, hazards (docs/metrics.md)."""
    scores = score_plan(graph_path, plan_path)
    if fmt == "json":
        click.echo(scores.dumps(), nl=False)
    else:
        print_scores(Console(), scores)
    return 0


@plan.command("why")
@plan_options
@click.argument("module")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def why_command(plan_path: Path, graph_path: Path, module: str, fmt: str) -> int:
    """Why MODULE is where it is: its ties to its own service against the strongest elsewhere."""
    explanation = why(graph_path, plan_path, module)
    click.echo(json.dumps(explanation.to_json(), indent=1, sort_keys=True) if fmt == "json"
               else explanation.sentence())
    return 0


def _parse_into(values: tuple[str, ...]) -> dict[str, list[str]]:
    into: dict[str, list[str]] = {}
    for value in values:
        name, _, modules = value.partition("=")
        units = [unit.strip() for unit in modules.split(",") if unit.strip()]
        if not name.strip() or not units:
            raise InputError(f"--into {value!r}: expected NAME=MODULE[,MODULE...]",
                             hint="for example --into checkout=shop.orders.checkout")
        into.setdefault(name.strip(), []).extend(units)
    return into


def _validate(doc: PlanDocument, graph: CodeGraph, *, edited: bool = False) -> None:
    """Print warnings; stop with every error and its line (after an edit: nothing is written)."""
    problems = check_plan(doc, graph)
    if not edited:
        _report([problem for problem in problems if problem.severity == "warning"], doc.filename)
    if any(problem.severity == "error" for problem in problems):
        error = plan_error(problems, doc.filename)
        if edited:
            error.message = f"the edit would make the plan invalid, so it was not written:\n{error.message}"
        raise error


def _report(problems: list[Problem], filename: str) -> None:
    for problem in problems:
        click.echo(problem.render(filename), err=True)
