"""`mono2lambda deploy`: one generated package to a CloudFormation stack, and how it reads
on a terminal (progress on stderr as it happens, the result on stdout)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from analyzer.errors import InputError
from extractor.deploy.cloudformation import ResourceChange, StackEvent
from extractor.deploy.progress import CREATED, NO_CHANGES, ChangesFound, DeployResult, Notice, Progress, StepStarted

from .common import handle_errors
from .render import make_console

_STATUS_COLOURS = (("FAILED", "red"), ("ROLLBACK", "red"), ("COMPLETE", "green"), ("IN_PROGRESS", "yellow"))


@click.command("deploy")
@click.argument("package", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--stack-name", help="The stack to create or update (default: samconfig.toml's stack_name).")
@click.option("--region", help="The AWS region (default: AWS_REGION or the profile's, then samconfig.toml's).")
@click.option("--endpoint-url", metavar="URL", help="Deploy to the AWS emulator at URL instead of AWS.")
@click.option("--bucket", metavar="NAME",
              help="S3 bucket for the code (default: mono2lambda-<account>-<region>, created when missing).")
@click.option("--create-bucket", is_flag=True, help="Create --bucket if it does not exist.")
@click.option("--local", is_flag=True, help="Start a local AWS emulator (moto) in this process and deploy there.")
@click.option("--dry-run", is_flag=True,
              help="Show the plan and the change set's changes, then delete the change set; change nothing.")
@handle_errors
def deploy_command(package: Path, stack_name: str | None, region: str | None, endpoint_url: str | None,
                   bucket: str | None, create_bucket: bool, local: bool, dry_run: bool) -> int:
    """Deploy the service package PACKAGE (a folder written by `mono2lambda extract`,
    e.g. generated/tax) as a CloudFormation stack, through a change set.

    Builds a reproducible zip of src/ and the requirements (installed for Lambda's
    Linux), translates template.yaml offline, uploads the code under its SHA-256, then
    creates and executes a change set. An unchanged package changes nothing; a failed
    first deploy leaves no stack behind. Without AWS credentials it deploys to a local
    emulator. Exit codes: 0 deployed (or nothing to change), 1 the deploy failed,
    2 bad input.
    """
    from extractor.deploy.deployment import DeployRequest, deploy_package  # boto3 and SAM: 0.7 s, this command's only

    if local and endpoint_url:
        raise InputError("--local and --endpoint-url both name a target", hint="pass one of them")
    request = DeployRequest(package=package, stack_name=stack_name, region=region, endpoint_url=endpoint_url,
                            bucket=bucket, create_bucket=create_bucket, local=local, dry_run=dry_run)
    result = deploy_package(request, ProgressPrinter(make_console(stderr=True)))
    print_result(make_console(), result)
    return 0


class ProgressPrinter:
    """Renders what the deploy reports while it runs: steps, the change set, stack events."""

    def __init__(self, console: Console) -> None:
        self._console = console

    def __call__(self, progress: Progress) -> None:
        match progress:
            case StepStarted(step=step, performed=True):
                self._console.print(f"[bold]->[/bold] {escape(step.describe())}")
            case StepStarted(step=step):
                self._console.print(f"[dim]would {escape(step.describe())}[/dim]")
            case ChangesFound(changes=changes):
                self._console.print(changes_table(changes))
            case StackEvent():
                self._console.print(event_line(progress))
            case Notice(text=text):
                self._console.print(f"[dim]{escape(text)}[/dim]")


def changes_table(changes: tuple[ResourceChange, ...]) -> Table:
    table = Table("action", "resource", "type", "replacement", title="Change set", title_justify="left")
    for change in changes:
        table.add_row(change.action, change.logical_id, change.resource_type, change.replacement or "-")
    return table


def event_line(event: StackEvent) -> str:
    colour = next((colour for marker, colour in _STATUS_COLOURS if marker in event.status), "white")
    reason = f"  {escape(event.reason)}" if event.reason else ""
    return (f"   {event.timestamp[11:19]} [{colour}]{event.status:<22}[/{colour}] "
            f"{escape(event.logical_id)} ({event.resource_type}){reason}")


def print_result(console: Console, result: DeployResult) -> None:
    plan = result.plan
    where = "AWS" if plan.endpoint == "AWS" else f"the emulator at {plan.endpoint}"
    if result.dry_run and result.outcome != NO_CHANGES:
        console.print(f"Dry run: stack {plan.stack} in {plan.region} ({where}) would change as listed; "
                      "the change set was deleted and nothing else changed.")
    elif result.outcome == NO_CHANGES:
        console.print(f"No changes: stack {plan.stack} in {plan.region} ({where}) already matches the package; "
                      "nothing was executed.")
    else:
        verb = "Created" if result.outcome == CREATED else "Updated"
        console.print(f"{verb} stack {plan.stack} in {plan.region} ({where}); code {plan.code_uri}")
        _print_outputs(console, result.outputs)


def _print_outputs(console: Console, outputs: tuple[tuple[str, str], ...]) -> None:
    if not outputs:
        console.print("The stack reports no outputs.")
        return
    table = Table("output", "value", title="Outputs", title_justify="left")
    for key, value in outputs:
        table.add_row(key, value)
    console.print(table)
