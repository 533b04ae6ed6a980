"""`mono2lambda prove -- COMMAND`: the app's own tests, before and after the strangling."""

from __future__ import annotations

import json
from pathlib import Path

import click

from extractor.prove.core import ProveReport
from extractor.serve.deps import DEFAULT_CACHE

from .common import handle_errors


@click.command("prove", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--source", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True,
              help="The original source tree: the command runs here first.")
@click.option("--generated", type=click.Path(path_type=Path, file_okay=False), default=Path("generated"),
              show_default=True, help="The folder `mono2lambda extract` wrote (manifest.json, monolith/, packages).")
@click.option("--cache", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_CACHE, show_default=True,
              help="Where serve keeps the packages' installed dependencies.")
@click.option("--trace", "trace_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A trace file (`mono2lambda trace`, e.g. .mono2lambda/trace.json): list the tests that "
                   "exercise each operation.")
@click.option("--python", "python", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The interpreter serve's workers run: the app's own (default: one of the templates' runtime).")
@click.option("--timeout", type=click.FloatRange(1), default=1800.0, show_default=True,
              help="Seconds each run of the command may take (a run stopped there proves nothing).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.argument("command", nargs=-1, type=click.UNPROCESSED, required=True)
@handle_errors
def prove_command(source: Path, generated: Path, cache: Path, trace_path: Path | None, python: str | None,
                  timeout: float, as_json: bool, command: tuple[str, ...]) -> int:
    """Run the app's tests on the source, then in the strangled monolith; compare.

    COMMAND (after --) runs in --source, then in GENERATED/monolith with every extracted
    service behind an in-process `serve` (M2L_TRANSPORT=lambda, AWS_ENDPOINT_URL_LAMBDA).

    Reports the tests that passed on the original and not after, the calls each
    operation got, the operations no test reached (with --trace, the tests that exercise
    each operation), and tests that patch a name in a
    module that moved into a service (the patch no longer reaches the service's code).
    A pytest command gets --junitxml for per-test results; any other is read from its
    output (pytest's or unittest's summary) or its exit code. Exit code 0 when the
    strangled run passes at least what the original passed, 1 otherwise.
    """
    from extractor.prove.run import ProveRequest, run_prove

    request = ProveRequest(tuple(command), source, generated, cache, trace=trace_path, python=python,
                           timeout=timeout)
    say = (lambda line: click.echo(line, err=True)) if as_json else (lambda line: click.echo(f"  {line}"))
    report = run_prove(request, say)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=1, sort_keys=True))
    else:
        for line in report_lines(report):
            click.echo(line)
    return 0 if report.ok else 1


def report_lines(report: ProveReport) -> list[str]:
    lines = []
    for label, run in (("original", report.original), ("strangled", report.strangled)):
        counts = ", ".join(f"{n} {what}" for what, n in sorted(run.counts.items())) or "no counts"
        lines.append(f"{label:<10} exit {run.exit_code}: {counts} (from {run.source})")
    lines.append(("ok: " if report.ok else "FAILED: ") + report.comparison.summary)
    lines.extend(f"  lost: {test}" for test in report.comparison.lost)
    lines.extend(f"  now passing: {test}" for test in report.comparison.gained)
    if not report.ok and report.strangled.tail:
        lines.append("the strangled run's output ended with:")
        lines.extend(f"  {line}" for line in report.strangled.tail.splitlines()[-15:])
    lines.append("calls from the monolith, per service and operation:")
    lines.extend(f"  {service:<16} {operation}  {count}"
                 for (service, operation), count in sorted(report.calls.items()))
    lines.append("invocations serve ran, per function: " + (", ".join(
        f"{name} {count}" for name, count in sorted(report.invocations.items())) or "none"))
    if report.unreached:
        lines.append(f"operations no test reached ({len(report.unreached)}):")
        lines.extend(f"  {service:<16} {operation}" for service, operation in report.unreached)
    if report.tests is not None:
        lines.append("tests that exercise each operation (from the trace):")
        lines.extend(f"  {service:<16} {operation}  {len(tests)} test(s)"
                     + (f": {', '.join(tests[:3])}" + (f" and {len(tests) - 3} more" if len(tests) > 3 else "")
                        if tests else "") for (service, operation), tests in sorted(report.tests.items()))
    if report.patches:
        lines.append(f"tests that patch a name that moved into a service ({len(report.patches)}); the patch reaches "
                     "the proxy, not the service's code:")
        lines.extend(f"  {p.location}  {p.target}  ({p.module}, now in {p.service})" for p in report.patches)
    return lines
