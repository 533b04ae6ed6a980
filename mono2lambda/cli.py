"""The command line: parse options, call one function, render, map errors to exit codes.

Exit codes: 0 ok, 1 findings or failed checks, 2 usage or input errors, 3 an internal
error (a bug in mono2lambda; `--debug` shows its traceback).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from analyzer import teardown

from . import __version__
from .common import DEFAULT_GRAPH, apply_config, handle_errors, plan_flags, verbosity_options
from .lazy import LazyCommand, LazyGroup

if TYPE_CHECKING:
    from rich.console import Console

# Commands in their own modules, imported only when run (or asked for their help): startup
# stays small, whatever they import. The one-line help is what `mono2lambda --help` lists.
# The commands below import what they need inside their bodies, for the same reason.
LAZY_COMMANDS = {
    "contracts": LazyCommand("mono2lambda.contracts_command:contracts",
                             "Work with the event contracts of generated packages."),
    "check": LazyCommand("mono2lambda.check_command:check_command",
                         "Check the committed plan in CI: blocking hazards, files that did not parse, and new "
                         "dependencies across its boundaries that the baseline does not record."),
    "deploy": LazyCommand("mono2lambda.deploy_command:deploy_command",
                          "Deploy the service package PACKAGE (a folder written by `mono2lambda extract`, "
                          "e.g. generated/tax) as a CloudFormation stack, through a change set."),
    "destroy": LazyCommand("mono2lambda.destroy_command:destroy_command",
                           "Delete what `mono2lambda deploy` made for each PACKAGE (generated/tax, or generated for "
                           "every service in it): the service's stack with its resources, and the code packages "
                           "deploy uploaded for it."),
    "extract": LazyCommand("mono2lambda.extract_command:extract_command",
                           "Generate one deployable package per service (SAM template, handler, contracts, sample "
                           "events, tests) and a copy of the monolith whose extracted modules are proxies."),
    "invoke": LazyCommand("mono2lambda.serve_command:invoke_command",
                          "Call OPERATION of SERVICE once (a RequestResponse invocation of its function) and print "
                          "the answer as JSON."),
    "plan": LazyCommand("mono2lambda.plan_commands:plan",
                        "Show or edit the service boundaries (boundaries.yaml; format: docs/plan-format.md)."),
    "prove": LazyCommand("mono2lambda.prove_command:prove_command",
                         "Run the app's tests on the source, then in the strangled monolith; compare."),
    "select": LazyCommand("mono2lambda.select_command:select",
                          "Edit the plan on a local web page: move modules between services, see the scores "
                          "change, save."),
    "trace": LazyCommand("mono2lambda.trace_command:trace_command",
                         "Run the app's tests recording which of the project's functions call which (observed "
                         "edges)."),
    "serve": LazyCommand("mono2lambda.serve_command:serve_command",
                         "Serve the generated packages as Lambda functions on 127.0.0.1, speaking the Invoke API, "
                         "without Docker: point boto3 at it with AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:PORT."),
}

EXPORTERS: dict[str, Callable[[Any], str]] = {
    "graphml": lambda graph: graph.to_graphml(),
    "dot": lambda graph: graph.to_dot(),
    "callgraph-json": lambda graph: json.dumps(graph.call_graph(), indent=1, sort_keys=True) + "\n",
}


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """--version: the release, and whether this install's analyzer is compiled (docs/compiled-build.md)."""
    if not value or ctx.resilient_parsing:
        return
    from analyzer.compiled_modules import COMPILED_MODULES, running_compiled

    compiled = len(running_compiled())
    build = f"compiled, {compiled} of {len(COMPILED_MODULES)} modules" if compiled else "pure Python"
    click.echo(f"mono2lambda, version {__version__} (analyzer: {build})")
    ctx.exit()


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version, and whether the analyzer runs compiled, and exit.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Read the settings from this pyproject.toml's [tool.mono2lambda] (default: the nearest "
                   "pyproject.toml from the current folder up; docs/configuration.md).")
@click.pass_context
def cli(ctx: click.Context, debug: bool, config_path: Path | None) -> None:
    """Analyze a Python monolith and move it onto AWS Lambda, one service at a time.

    Start with `mono2lambda analyze SRC`; `mono2lambda demo` runs the chain on the
    bundled example shop.

    Exit codes: 0 ok, 1 findings or failed checks, 2 usage or input errors,
    3 internal error (please report it; --debug shows the traceback).

    Options a project always passes can be set once in its pyproject.toml, under
    [tool.mono2lambda] (docs/configuration.md); options on the command line win.
    """
    apply_config(ctx, config_path)


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
@click.option("--include-migrations", is_flag=True,
              help="Analyze schema migrations too (Django and Alembic; left out by default).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Leave out files matching GLOB (repeatable).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--max-file-size", type=click.IntRange(min=1), default=2_000_000, show_default=True,
              help="Skip files larger than this many bytes (usually generated code).")
@click.option("--no-cache", is_flag=True, help="Parse every file again, ignoring the cache.")
@verbosity_options
@handle_errors
def analyze_command(src: Path, out_dir: Path, fmt: str, export: tuple[tuple[str, Path], ...],
                    include_tests: bool, include_migrations: bool, exclude: tuple[str, ...], jobs: int | None,
                    max_file_size: int, no_cache: bool, verbosity: int) -> int:
    """Build the call and data-dependency graph of the Python code under SRC.

    Writes OUT/graph.json (format: docs/graph-format.md) and prints a summary. Never
    runs or changes the analyzed code. Files that do not parse are reported with
    file:line, counted and skipped, and make the exit code 1.
    """
    from analyzer.pipeline import AnalyzeOptions, analyze
    from analyzer.summary import unparsed_files

    from .common import progress_bar
    from .plain import is_plain
    from .render import make_output, print_next, print_summary, summary_json

    teardown.leave_heap_at_exit()  # the process ends with this command: freeing each object is wasted work
    options = AnalyzeOptions(include_tests=include_tests, include_migrations=include_migrations, exclude=exclude,
                             jobs=jobs, max_file_bytes=max_file_size, use_cache=not no_cache)
    console = make_output(stderr=fmt == "json")  # outside a terminal, printed without rich
    with progress_bar(None if is_plain(sys.stderr) else _stderr_console(), "Parsing") as progress:
        result = analyze(src, out_dir, options, progress)
    for exporter, path in export:
        path.write_text(EXPORTERS[exporter](result.load_graph()), encoding="utf-8")
    if fmt == "json":
        click.echo(summary_json(result.summary), nl=False)
    else:
        print_summary(console, result.summary, str(result.graph_path), verbosity)
        graph = plan_flags(None, result.graph_path)
        print_next(console, [f"mono2lambda propose{graph}: propose services, written to boundaries.yaml",
                             f"mono2lambda report{graph}: the boundary report, one page to open in a browser"],
                   verbosity)
    return 1 if unparsed_files(result.summary.get("diagnostics") or []) else 0


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


@cli.command("demo")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path(".mono2lambda"),
              show_default=True, help="Folder for the demo's output.")
@handle_errors
def demo_command(out_dir: Path) -> int:
    """Run the whole chain on the bundled example monolith (examples/shop): analyze, propose,
    report, extract the reviewed plan's nine services that extract without --force, prove them with the shop's own
    tests (on the original, then in the strangled monolith with the services behind
    `serve`), and deploy every service to a local AWS emulator. Each stage is printed when
    it finishes. Exit code 1 if the strangled run passes less than the original."""
    from rich.console import Console

    from .demo import EXAMPLE, run_demo
    from .render import print_demo_stage

    console = Console()
    console.print(f"[bold]mono2lambda demo[/bold]: the example shop in {EXAMPLE}")
    result = run_demo(out_dir, lambda line: console.print(f"  {line}", highlight=False),
                      lambda stage, done: print_demo_stage(console, stage, done))
    return 0 if result.passed else 1


@cli.command("propose")
@click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=DEFAULT_GRAPH, show_default=True,
              help="The graph written by `mono2lambda analyze`.")
@click.option("--plan", "plan_path", type=click.Path(path_type=Path), default=Path("boundaries.yaml"),
              show_default=True, help="The plan to write (an existing one is updated, keeping its comments).")
@click.option("--services", type=click.IntRange(min=1), default=None, help="Exactly this many services.")
@click.option("--resolution", type=click.FloatRange(min=0.01), default=1.0, show_default=True,
              help="Higher gives more, smaller services (when --services is not given).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the clustering (same seed, same plan).")
@click.option("--unit", "unit_kind", type=click.Choice(["module", "class"]), default="module", show_default=True,
              help="What gets placed (a new plan only; an existing plan keeps its unit).")
@click.option("--no-shared", is_flag=True, help="Do not propose widely used utility modules as shared libraries.")
@click.option("--weight", "weights", multiple=True, metavar="NAME=VALUE",
              help="Change one pull of the unit graph, e.g. --weight write_write=12 (names: docs/propose.md).")
@click.option("--cluster-web", is_flag=True,
              help="Cluster the web layer too, instead of keeping it in the monolith as the strangler facade.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@verbosity_options
@handle_errors
def propose_command(graph_path: Path, plan_path: Path, services: int | None, resolution: float, seed: int,
                    unit_kind: str, no_shared: bool, weights: tuple[str, ...], cluster_web: bool, fmt: str,
                    verbosity: int) -> int:
    """Propose service boundaries and write them to the plan file.

    Units pull together by calls and, most strongly, by writing the same tables or module
    state. An existing plan's pinned units, monolith and shared lists are kept as they
    are. Prints the scores of the proposal (docs/metrics.md).
    """
    from analyzer.boundaries.partition import ProposeOptions

    from .boundaries import parse_weights, propose_plan
    from .render import make_console, print_next, print_scores

    options = ProposeOptions(services=services, resolution=resolution, seed=seed, unit_kind=unit_kind,
                             detect_shared=not no_shared, keep_web=not cluster_web, weights=parse_weights(weights))
    proposal = propose_plan(graph_path, plan_path, options)
    if fmt == "json":
        click.echo(json.dumps(proposal.to_json(), sort_keys=True, indent=1))
        return 0
    console = make_console()
    console.print(f"Proposed {len(proposal.placement.services())} services in {plan_path}"
                  + (f", keeping {proposal.kept} units the plan fixed" if proposal.kept else ""),
                  markup=False, highlight=False)
    print_scores(console, proposal.scores, verbosity)
    flags = plan_flags(plan_path, graph_path)
    print_next(console, [f"mono2lambda plan show{flags}: the services and their modules",
                         f"mono2lambda select{flags}: move modules between services on a local web page",
                         f"mono2lambda report{flags}: the boundary report, one page to open in a browser",
                         f"mono2lambda plan score{flags}: the scores again after editing the plan"], verbosity)
    return 0


@cli.command("report")
@click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=DEFAULT_GRAPH, show_default=True,
              help="The graph written by `mono2lambda analyze`.")
@click.option("--plan", "plan_path", type=click.Path(path_type=Path), default=Path("boundaries.yaml"),
              show_default=True, help="The plan to report on (without one, a fresh proposal is reported).")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "json"]), default="html", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Where to write it (default: report.html, report.md or report.json).")
@handle_errors
def report_command(graph_path: Path, plan_path: Path, fmt: str, output: Path | None) -> int:
    """Write the boundary report: overview, service map, services, data ownership, modules
    with the reason for their placement, hazards and diagnostics. The HTML is one
    self-contained file that opens without a network."""
    from .boundaries import write_report

    output = output or Path(f"report.{fmt}")
    described = write_report(graph_path, plan_path, fmt, output)
    click.echo(f"wrote {output} for {described}")
    return 0


def main() -> None:
    teardown.command_line()
    try:
        cli(prog_name="mono2lambda")
    except SystemExit as done:
        teardown.exit(done.code)
