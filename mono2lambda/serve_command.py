"""`mono2lambda serve` (a local Lambda endpoint) and `mono2lambda invoke` (one call to it)."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

import click

from analyzer.errors import InputError
from extractor.serve.deps import DEFAULT_CACHE, Install
from extractor.serve.invoke import DEFAULT_ENDPOINT, direct_event, function_for, invoke_function, parse_arguments
from extractor.serve.plan import ServePlan, install_missing, plan_serve
from extractor.serve.runner import DEFAULT_MAX_WORKERS
from extractor.serve.server import DEFAULT_PORT, HOST, Invocation, LambdaServer

from .common import handle_errors

_echo_lock = threading.Lock()


def echo(line: str) -> None:
    """One whole line at a time: workers and requests print from many threads."""
    with _echo_lock:
        click.echo(line)


def print_plan(plan: ServePlan) -> None:
    width = max(len(spec.name) for spec in plan.functions)
    for spec in plan.functions:
        python = plan.python_of(spec.name)
        echo(f"  {spec.name:<{width}}  {spec.package}/{spec.handler}  {spec.timeout} s  {spec.memory} MB  "
             f"{python.runtime} ({python.executable})")
    for note in plan.notes:
        echo(f"  note: {note}")


def print_invocation(invocation: Invocation) -> None:
    echo(f"{invocation.function:<20} {invocation.request_id}  {invocation.invocation:<15} "
         f"{invocation.duration_ms:9.1f} ms  {invocation.status}")


def print_install(install: Install) -> None:
    echo(f"installing {install.requirements or ', '.join(install.lines)} into {install.target} (once)")


@click.command("serve")
@click.argument("generated", type=click.Path(path_type=Path, file_okay=False), default=Path("generated"))
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help=f"The port on {HOST} (0: any free one).")
@click.option("--cache", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_CACHE,
              show_default=True, help="Where each package's requirements are installed, once per requirements.txt.")
@click.option("--workers", type=click.IntRange(1, 64), default=DEFAULT_MAX_WORKERS, show_default=True,
              help="The most worker processes per function (calls beyond wait for one).")
@click.option("--python", "python", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The interpreter the workers run and their requirements are installed for: the app's own "
                   "(default: one of the runtime each template asks for, this one or python3.X on PATH).")
@click.option("--region", default=None, help="The functions' AWS_REGION (default: [tool.mono2lambda] region, "
                                             "then AWS_REGION, AWS_DEFAULT_REGION, the profile's; else none).")
@handle_errors
def serve_command(generated: Path, port: int, cache: Path, workers: int, python: str | None,
                  region: str | None) -> int:
    """Serve the generated packages as Lambda functions on 127.0.0.1, speaking the Invoke API,
    without Docker: point boto3 at it with AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:PORT.

    Each function runs in its own worker processes with only its package (src/ and its
    installed requirements) on the path, with the Python its template's Runtime names
    (or --python). Workers get the template's variables and serve's
    own environment, which wins where both name a variable (so set the app's settings,
    e.g. its database URL, before starting serve); PYTHONPATH and PYTHONHOME are left out.
    Event calls to a function run one at a time in arrival order, and before later
    RequestResponse calls to it, so a caller finds its earlier asynchronous calls done (on
    AWS they would run later, in parallel).
    """
    from extractor.aws import default_region  # boto3 reads the profile's region; slow to import, only here

    plan = plan_serve(generated, cache, python)
    region = region or default_region()
    echo(f"Functions in {generated}, in region {region}:" if region else
         f"Functions in {generated} (no region configured: the functions get no AWS_REGION; pass --region):")
    print_plan(plan)
    install_missing(plan, print_install)
    server = LambdaServer(plan, port=port, on_line=echo, on_invocation=print_invocation, max_workers=workers,
                          region=region)
    try:
        url = server.start()
    except OSError as error:
        raise InputError(f"{HOST}:{port}: cannot listen ({error.strerror or error})",
                         hint="choose another --port, or stop what is using this one") from error
    echo(f"Listening on {url} (AWS_ENDPOINT_URL_LAMBDA={url}); Ctrl-C stops")
    try:
        wait_for_stop()
    finally:
        server.stop()
    return 0


def wait_for_stop() -> None:
    """Until Ctrl-C or SIGTERM: either way the workers are stopped before serve exits."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        echo("stopping")


@click.command("invoke")
@click.argument("service")
@click.argument("operation")
@click.option("--payload", default="{}", show_default=True, metavar="JSON|@FILE",
              help="The operation's arguments by name, as a JSON object (or @FILE holding one).")
@click.option("--endpoint", default=DEFAULT_ENDPOINT, show_default=True, help="The Lambda endpoint to call.")
@click.option("--generated", type=click.Path(path_type=Path, file_okay=False), default=Path("generated"),
              show_default=True, help="The folder `mono2lambda extract` wrote (its manifest names the functions).")
@click.option("--region", default=None, help="The region to sign for (default: [tool.mono2lambda] region, then "
                                             "boto3's: AWS_REGION, the profile's; a local endpoint ignores it).")
@handle_errors
def invoke_command(service: str, operation: str, payload: str, endpoint: str, generated: Path,
                   region: str | None) -> int:
    """Call OPERATION of SERVICE once (a RequestResponse invocation of its function) and print
    the answer as JSON. Exit codes: 0 answered, 1 the function failed or answered an error."""
    event = direct_event(operation, parse_arguments(payload))
    result = invoke_function(endpoint, function_for(generated, service), event, region)
    if result.failed:
        click.echo(f"error: {result.function}: {result.error}", err=True)
        return 1
    click.echo(json.dumps(result.payload, indent=2, sort_keys=True))
    return 0
