"""`mono2lambda extract`: turn the planned services into Lambda packages."""

from __future__ import annotations

from pathlib import Path

import click

from extractor.contracts import DEFAULT_IMPORT_TIMEOUT
from extractor.extract import ExtractionBlocked

from .common import QUIET, extraction_inputs, handle_errors, verbosity_options
from .extraction import run_extract
from .render import make_console, print_extraction, print_findings, print_next


@click.command("extract")
@extraction_inputs
@click.option("--out", type=click.Path(path_type=Path), default=Path("generated"), show_default=True,
              help="Where to write the packages, the strangled monolith and manifest.json.")
@click.option("--service", "services", multiple=True, metavar="NAME",
              help="Extract only this service (repeatable; default: every service of the plan).")
@click.option("--force", is_flag=True,
              help="Extract despite blocking hazards (recorded in the manifest) and replace files in --out "
                   "that mono2lambda did not write.")
@click.option("--import-timeout", type=click.FloatRange(min=1), default=DEFAULT_IMPORT_TIMEOUT, show_default=True,
              metavar="SECONDS", help="How long the child process that imports the monolith's modules may run.")
@click.option("--python", "python", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              metavar="PATH", help="The app's own interpreter, to import its modules when mono2lambda is installed "
                                   "elsewhere (it needs Python 3.10+ and pydantic>=2.11).")
@click.option("--region", default=None, help="The AWS region written into each package's samconfig.toml for "
                                             "`sam deploy` (default: [tool.mono2lambda] region; none: left out).")
@verbosity_options
@handle_errors
def extract_command(plan_path: Path, graph_path: Path | None, source: Path | None, out: Path,
                    services: tuple[str, ...], force: bool, import_timeout: float, python: Path | None,
                    region: str | None, verbosity: int) -> int:
    """Generate one deployable package per service (SAM template, handler, contracts,
    sample events, tests) and a copy of the monolith whose extracted modules are proxies.

    Never writes into the source tree. Building the contracts IMPORTS THE MONOLITH'S
    MODULES, which runs their import-time code: only extract code you trust. It happens in
    a child process, run in the monolith's Python environment (or --python), stopped after
    --import-timeout seconds, and without AWS credentials (every AWS_* variable except
    the region is removed from its environment). A Django app is set up first, with the
    settings its manage.py or wsgi.py names (or the plan's `framework: {django_settings:
    ...}`); a Flask app named in the plan (`framework: {flask_app: "pkg.app:create_app"}`)
    is made and its application context pushed.
    Exit codes: 0 written, 1 blocked by hazards (listed with file:line and a fix),
    2 bad input.
    """
    console = make_console(stderr=True)
    progress = console.print if verbosity > QUIET else lambda *_args, **_kwargs: None
    try:
        result = run_extract(plan_path, graph_path, source, out, services, force, progress, import_timeout,
                             python, region)
    except ExtractionBlocked as blocked:
        print_findings(console, blocked.findings, verbosity=verbosity)
        console.print(f"error: {blocked}", markup=False, highlight=False)
        return 1
    stdout = make_console()
    print_extraction(stdout, result, verbosity)
    first = result.services[0].name if result.services else "SERVICE"
    print_next(stdout, [f"mono2lambda serve {result.out}: the packages as Lambda functions on 127.0.0.1",
                        f"mono2lambda prove --generated {result.out} -- pytest: the app's tests, on the source "
                        "and on the strangled monolith",
                        f"mono2lambda deploy {result.out / first}: one service as a CloudFormation stack"], verbosity)
    return 0
