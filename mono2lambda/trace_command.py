"""`mono2lambda trace -- COMMAND`: run the app's tests (or any command) and record which of
the project's functions call which, and which test reached which."""

from __future__ import annotations

from pathlib import Path

import click

from .common import handle_errors


@click.command("trace", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--source", type=click.Path(path_type=Path, file_okay=False, exists=True), default=Path("."),
              show_default=True, help="The source tree to analyse (the project whose calls are recorded).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path(".mono2lambda"),
              show_default=True, help="Folder of graph.json; trace.json is written next to it.")
@click.option("--include-tests", is_flag=True, help="Analyse test files too, as `analyze --include-tests`.")
@click.option("--include-migrations", is_flag=True, help="Analyse schema migrations too, as analyze does.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Leave out files matching GLOB, as analyze does.")
@click.argument("command", nargs=-1, type=click.UNPROCESSED, required=True)
@handle_errors
def trace_command(source: Path, out_dir: Path, include_tests: bool, include_migrations: bool, exclude: tuple[str, ...],
                  command: tuple[str, ...]) -> int:
    """Run the app's tests recording which of the project's functions call which (observed edges).

    COMMAND (after --) runs in the current folder with a call recorder in each of its Python
    processes; then OUT/trace.json is written and SOURCE analysed again, so the graph gains
    `observed` call edges (docs/graph-format.md). `propose` then weighs the calls the static graph
    missed (--weight observed=...), and `prove --trace` names the tests of each operation.

    The recorder uses sys.monitoring on Python 3.12 and later and sys.settrace before;
    it comes in through PYTHONPATH, so interpreters run with -I, -E or -S are not traced.
    The analysis takes the options `analyze` would (and the project's [tool.mono2lambda]).
    Exit code 1 when the command failed (the trace is written all the same).
    """
    from analyzer.pipeline import AnalyzeOptions
    from analyzer.tracing.project import trace_project

    options = AnalyzeOptions(include_tests=include_tests, include_migrations=include_migrations, exclude=exclude)
    result = trace_project(command, source, out_dir, Path.cwd(), options)
    trace, observed = result.trace, result.observed
    if not trace.processes:
        click.echo("warning: no traced Python process reported (an isolated interpreter, -I/-E/-S, or no Python at "
                   "all?); the trace is empty", err=True)
    calls = sum(c.count for c in trace.calls)
    click.echo(f"traced {trace.processes} process(es) ({', '.join(trace.tracers) or 'none'}): {calls} calls of "
               f"project code, {len(trace.tests)} tests; wrote {result.trace_path}")
    click.echo(f"graph {result.graph_path}: {observed.get('edges', 0)} observed call edges "
               f"({observed.get('new_edges', 0)} the static graph lacks), {observed.get('resolved_sites', 0)} "
               f"unresolved call sites seen calling project code")
    if result.exit_code:
        click.echo(f"the command exited with {result.exit_code}", err=True)
    return 1 if result.exit_code else 0
