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
    rename,
    share,
    split,
    write_plan,
)
from analyzer.errors import InputError, PlanError
from analyzer.graph import CodeGraph

from .common import DEFAULT_GRAPH, handle_errors, plan_flags, verbosity_options
from .reading import read_plan_outline


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
    doc, graph = read_plan_outline(graph_path, plan_path)
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


MakeEdit = Callable[[PlanDocument, list[str]], Edit]  # (plan, the graph's units) -> the edit


def edit_command(name: str) -> Callable[[Callable[..., MakeEdit]], Any]:
    """Turn a function that maps a command's arguments to its edit into a full command.

    The edit gets the graph's units too, so a glob (`plan keep 'shop.web.*'`) acts on
    every unit it matches."""

    def decorate(parse: Callable[..., MakeEdit]) -> Any:
        @plan.command(name)
        @plan_options
        @handle_errors
        @functools.wraps(parse)
        def command(plan_path: Path, graph_path: Path, **arguments: Any) -> int:
            doc, graph = read_plan_outline(graph_path, plan_path)
            _validate(doc, graph)
            result = parse(**arguments)(doc, units_of(graph, doc.plan.unit))
            if result.doc is not doc:
                _validate(result.doc, graph, edited=True)
                write_plan(plan_path, result.doc)
            click.echo(result.change)
            return 0

        return command

    return decorate


@edit_command("move")
@click.argument("module")
@click.argument("service")
@click.option("--new", "new", is_flag=True, help="Create SERVICE (it must not exist yet).")
def move_command(module: str, service: str, new: bool) -> MakeEdit:
    """Move MODULE into SERVICE.

    SERVICE must exist; pass --new to create it (so a typo never makes a service).
    MODULE is a name, or a glob (`*`, `?`, `[...]`; quote it for the shell) that moves
    every unit it matches, including units the plan lists by name elsewhere:

    \b
        mono2lambda plan move shop.cart orders
        mono2lambda plan move 'shop.orders.*' orders
        mono2lambda plan move shop.cart basket --new
    """
    return lambda doc, units: move(doc, module, service, units=units, new=new)


@edit_command("merge")
@click.argument("a")
@click.argument("b")
def merge_command(a: str, b: str) -> MakeEdit:
    """Merge service B into service A (B disappears)."""
    return lambda doc, units: merge(doc, a, b)


@edit_command("split")
@click.argument("service")
@click.option("--into", "into", multiple=True, required=True, metavar="NAME=MOD[,MOD...]",
              help="A new service and the modules it takes (repeatable).")
def split_command(service: str, into: tuple[str, ...]) -> MakeEdit:
    """Move some modules of SERVICE into new services; the rest stays."""
    parts = _parse_into(into)
    return lambda doc, units: split(doc, service, parts)


@edit_command("rename")
@click.argument("old")
@click.argument("new")
def rename_command(old: str, new: str) -> MakeEdit:
    """Rename service OLD to NEW."""
    return lambda doc, units: rename(doc, old, new)


@edit_command("keep")
@click.argument("module")
def keep_command(module: str) -> MakeEdit:
    """Keep MODULE in the monolith.

    MODULE is a name, or a glob (`*`, `?`, `[...]`; quote it for the shell) that keeps
    every unit it matches, including units the plan lists by name elsewhere:
    `mono2lambda plan keep 'shop.*.views'`.
    """
    return lambda doc, units: keep(doc, module, units=units)


@edit_command("share")
@click.argument("module")
def share_command(module: str) -> MakeEdit:
    """Make MODULE a shared library, copied into each service that needs it.

    MODULE is a name, or a glob (`*`, `?`, `[...]`; quote it for the shell) that shares
    every unit it matches, including units the plan lists by name elsewhere:
    `mono2lambda plan share 'shop.common.*'`.
    """
    return lambda doc, units: share(doc, module, units=units)


@plan.command("score")
@plan_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@verbosity_options
@handle_errors
def score_command(plan_path: Path, graph_path: Path, fmt: str, verbosity: int) -> int:
    """Score the plan: modularity, ICP, IFN, NED, data ownership, cycles, hazards (docs/metrics.md).

    Exit code 1 when the plan has blocking hazards (severity error), else 0."""
    from analyzer.boundaries.hazards import ERROR

    from .boundaries import score_plan  # the scoring stack: not for `plan show` and the edits
    from .render import make_console, print_next, print_scores

    scores = score_plan(graph_path, plan_path)
    blocking = sum(1 for finding in scores.findings if finding.severity == ERROR)
    if fmt == "json":
        click.echo(scores.dumps(), nl=False)
    else:
        console = make_console()
        print_scores(console, scores, verbosity)
        console.print(f"{blocking} blocking hazard{'s' if blocking != 1 else ''}: extract refuses the plan until "
                      "they are fixed (or accepted with --force)" if blocking else
                      "No blocking hazards: the plan can be extracted", markup=False, highlight=False)
        flags = plan_flags(plan_path, graph_path)
        print_next(console, [f"mono2lambda plan why MODULE{flags}: why a module is where it is",
                             *([f"fix the blocking hazards (the fix under each kind above), or move the modules "
                                f"they name: mono2lambda plan move MODULE SERVICE{flags}"] if blocking else
                               [f"mono2lambda extract{flags}: one deployable package per service"])], verbosity)
    return 1 if blocking else 0


@plan.command("why")
@plan_options
@click.argument("module")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def why_command(plan_path: Path, graph_path: Path, module: str, fmt: str) -> int:
    """Why MODULE is where it is: its ties to its own service against the strongest elsewhere."""
    from .boundaries import why

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
