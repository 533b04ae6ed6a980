"""The command line: parse options, call one function, render, map errors to exit codes.

Exit codes: 0 ok, 1 findings or failed checks, 2 usage or input errors, 3 an internal
error (a bug in mono2lambda; `--debug` shows its traceback).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from analyzer.errors import Mono2LambdaError
from analyzer.pipeline import AnalyzeOptions, analyze

from . import __version__
from .render import print_summary, summary_json

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shop"
EXPORTERS: dict[str, Callable[[Any], str]] = {
    "graphml": lambda graph: graph.to_graphml(),
    "dot": lambda graph: graph.to_dot(),
    "callgraph-json": lambda graph: json.dumps(graph.call_graph(), indent=1, sort_keys=True) + "\n",
}
INTERNAL_ERROR = 3  # a bug in mono2lambda, not in the input


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


@contextmanager
def progress_bar(console: Console, label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback that shows a bar once there is enough work to watch."""
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True)
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if total < 50:
            return
        if task is None:
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done)
        if done >= total:
            bar.stop()  # parsing is over; no display thread while the rest runs

    try:
        yield update
    finally:
        bar.stop()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mono2lambda")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """Analyze a Python monolith and move it onto AWS Lambda, one service at a time.

    Start with `mono2lambda analyze SRC`; `mono2lambda demo` runs the chain on the
    bundled example shop.

    Exit codes: 0 ok, 1 findings or failed checks, 2 usage or input errors,
    3 internal error (please report it; --debug shows the traceback).
    """


@cli.command("analyze")
@click.argument("src", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path(".mono2lambda"),
              show_default=True, help="Folder for graph.json and the cache.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="How to print the summary.")
@click.option("--export", nargs=2, type=(click.Choice(sorted(EXPORTERS)), click.Path(path_type=Path)),
              multiple=True, metavar="FORMAT FILE",
              help="Also write the graph as graphml, dot or callgraph-json ({caller: [callees]}).")
@click.option("--include-tests", is_flag=True, help="Analyze test files too (left out by default).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Leave out files matching GLOB (repeatable).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--max-file-size", type=click.IntRange(min=1), default=2_000_000, show_default=True,
              help="Skip files larger than this many bytes (usually generated code).")
@click.option("--no-cache", is_flag=True, help="Parse every file again, ignoring the cache.")
@handle_errors
def analyze_command(src: Path, out_dir: Path, fmt: str, export: tuple[tuple[str, Path], ...],
                    include_tests: bool, exclude: tuple[str, ...], jobs: int | None,
                    max_file_size: int, no_cache: bool) -> int:
    """Build the call and data-dependency graph of the Python code under SRC.

    Writes OUT/graph.json (format: docs/graph-format.md) and prints a summary. Never
    runs or changes the analyzed code. Files that do not parse are reported with
    file:line and skipped.
    """
    options = AnalyzeOptions(include_tests=include_tests, exclude=exclude, jobs=jobs,
                             max_file_bytes=max_file_size, use_cache=not no_cache)
    console = Console(stderr=fmt == "json")
    with progress_bar(Console(stderr=True), "Parsing") as progress:
        result = analyze(src, out_dir, options, progress)
    for exporter, path in export:
        path.write_text(EXPORTERS[exporter](result.load_graph()), encoding="utf-8")
    if fmt == "json":
        click.echo(summary_json(result.summary), nl=False)
    else:
        print_summary(console, result.summary, str(result.graph_path))
    return 0


@cli.command("demo")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path(".mono2lambda"),
              show_default=True, help="Folder for the demo's output.")
@handle_errors
def demo_command(out_dir: Path) -> int:
    """Run mono2lambda on the bundled example monolith (examples/shop)."""
    console = Console()
    console.print(f"[bold]mono2lambda demo[/bold]: analyzing the example shop in {EXAMPLE}")
    result = analyze(EXAMPLE, out_dir)
    print_summary(console, result.summary, str(result.graph_path))
    return 0


def main() -> None:
    cli(prog_name="mono2lambda")
