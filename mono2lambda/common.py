"""What every command shares: error handling with exit codes, and the progress bar.

Exit codes: 0 ok, 1 findings or failed checks, 2 usage or input errors, 3 an internal
error (a bug in mono2lambda; `--debug` shows its traceback).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from analyzer.errors import Mono2LambdaError

if TYPE_CHECKING:  # rich is imported where it prints: `--help` and quick commands start without it
    from rich.console import Console
    from rich.progress import Progress

INTERNAL_ERROR = 3  # a bug in mono2lambda, not in the input
DEFAULT_GRAPH = Path(".mono2lambda") / "graph.json"
QUIET, NORMAL, VERBOSE = -1, 0, 1  # the `verbosity` a command gets from -q, nothing, -v (render.py prints by it)


def handle_errors(command: Callable[..., int | None]) -> Callable[..., None]:
    """Turn our errors into one line and an exit code; --debug shows the traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            code = command(*args, **kwargs) or 0
        except Mono2LambdaError as error:
            if debug:
                raise
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except OSError as error:  # an output path we were given cannot be written (--out, --export)
            if debug:
                raise
            where = f"{error.filename}: " if error.filename else ""
            click.echo(f"error: {where}{error.strerror or error} (check the --out and --export paths)",
                       err=True)
            sys.exit(2)
        except Exception as error:  # a bug of ours: say so in one line, keep the traceback for --debug
            if debug:
                raise
            click.echo(f"internal error: {type(error).__name__}: {error} (run again with --debug for the "
                       "traceback, and please report it)", err=True)
            sys.exit(INTERNAL_ERROR)
        sys.exit(code)

    return wrapper


def apply_config(ctx: click.Context, config_path: Path | None) -> None:
    """Make the project's [tool.mono2lambda] settings the defaults of every command's options
    (click's default_map: what the command line gives wins). A bad file stops with exit 2."""
    from .config import load_config

    try:
        config = load_config(config_path)
    except Mono2LambdaError as error:
        if ctx.params.get("debug"):
            raise
        click.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    ctx.meta["mono2lambda.config"] = config
    defaults = config.default_map()
    if defaults:
        ctx.default_map = {**defaults, **(ctx.default_map or {})}


@contextmanager
def progress_bar(console: Console | None, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback that shows a bar once there is enough work to watch (rich's progress
    module is imported then: a run that parses a few files does without it). None where a bar
    would show nothing: a transient bar on a console that is not a terminal (a pipe, a file, CI;
    or no console, which says so) is never drawn, yet would cost its import, a refresh thread
    and a call per file."""
    if console is None or (not console.is_terminal and not console.is_jupyter):
        yield None
        return
    bar: Progress | None = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if total < 50:
            return
        if bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           console=console, transient=True)
            bar.start()
            task = bar.add_task(label, total=total)
        assert task is not None
        bar.update(task, completed=done)
        if done >= total:
            bar.stop()  # parsing is over; no display thread while the rest runs

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


def extraction_inputs(command: Callable[..., Any]) -> Callable[..., Any]:
    """--plan, --graph and --source: what `extract` and `contracts check` read."""
    options = [
        click.option("--plan", "plan_path", type=click.Path(path_type=Path), default=Path("boundaries.yaml"),
                     show_default=True, help="The plan that says which modules make each service."),
        click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=None,
                     help="A graph from `mono2lambda analyze` (default: analyze the source now)."),
        click.option("--source", type=click.Path(path_type=Path, file_okay=False), default=None,
                     help="The monolith's source tree (default: the folder the plan names)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def plan_flags(plan_path: Path | None, graph_path: Path | None) -> str:
    """` --plan P --graph G` for a "next step" hint, leaving out what is the default."""
    flags = ""
    if plan_path is not None and plan_path != Path("boundaries.yaml"):
        flags += f" --plan {plan_path}"
    if graph_path is not None and graph_path != DEFAULT_GRAPH:
        flags += f" --graph {graph_path}"
    return flags


def verbosity_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """-v/--verbose and -q/--quiet, passed to the command as `verbosity` (QUIET, NORMAL or
    VERBOSE). By default a long list shows its first items and says how many more there are;
    -v shows everything; -q only the counts and the verdict. Put it above @handle_errors."""

    @functools.wraps(command)
    def wrapper(*args: Any, verbose: bool = False, quiet: bool = False, **kwargs: Any) -> Any:
        if verbose and quiet:
            raise click.UsageError("-v/--verbose and -q/--quiet do not go together")
        return command(*args, verbosity=VERBOSE if verbose else QUIET if quiet else NORMAL, **kwargs)

    wrapper = click.option("-q", "--quiet", is_flag=True,
                           help="Print only the counts and the verdict.")(wrapper)
    wrapper = click.option("-v", "--verbose", is_flag=True,
                           help="Print every item of every list (by default long lists show their first "
                                "items and how many more there are).")(wrapper)
    return wrapper
