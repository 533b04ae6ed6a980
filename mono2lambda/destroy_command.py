"""`mono2lambda destroy`: delete what `deploy` made for service packages, after showing it."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from analyzer.errors import InputError
from extractor.deploy.teardown import TeardownPlan

from .common import handle_errors
from .deploy_command import ProgressPrinter
from .render import make_console


@click.command("destroy")
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--stack-name", help="The stack to delete (default: samconfig.toml's stack_name; one package only).")
@click.option("--region", help="The AWS region (default: [tool.mono2lambda] region, then samconfig.toml's, "
                               "AWS_REGION, AWS_DEFAULT_REGION, the profile's).")
@click.option("--endpoint-url", metavar="URL", help="The AWS emulator at URL instead of AWS.")
@click.option("--bucket", metavar="NAME",
              help="The code bucket the deploys used (default: mono2lambda-<account>-<region>).")
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
@click.option("-y", "--yes", is_flag=True, help="Delete without asking (for scripts).")
@handle_errors
def destroy_command(packages: tuple[Path, ...], stack_name: str | None, region: str | None, endpoint_url: str | None,
                    bucket: str | None, dry_run: bool, yes: bool) -> int:
    """Delete what `mono2lambda deploy` made for each PACKAGE (generated/tax, or generated for
    every service in it): the service's stack with its resources, and the code packages
    deploy uploaded for it. The code bucket stays (other stacks use it).

    Lists what would be deleted first, then asks; --yes deletes without asking, --dry-run
    only lists. Without a terminal to ask, --yes is required. Exit codes: 0 deleted,
    nothing to delete, or a dry run; 1 a deletion failed, or the answer was no; 2 bad
    input (no such package, no region or credentials, no --yes without a terminal).
    """
    from extractor.deploy.destroy import DestroyRequest, destroy, plan_destroy

    request = DestroyRequest(packages=packages, stack_name=stack_name, region=region, endpoint_url=endpoint_url,
                             bucket=bucket)
    plans = plan_destroy(request)
    console = make_console()
    for plan in plans:
        print_plan(console, plan)
    todo = [plan for plan in plans if not plan.empty]
    if not todo:
        console.print("Nothing to destroy.")
        return 0
    if dry_run:
        console.print("Dry run: nothing was deleted.")
        return 0
    if not yes and not _confirmed(todo):
        console.print("Nothing was deleted.")
        return 1
    failed = 0
    for done in destroy(request, todo, ProgressPrinter(make_console(stderr=True))):
        if done.error is None:
            console.print(destroyed_line(done.plan))
        else:
            failed += 1
            click.echo(f"error: {done.error}", err=True)
    return 1 if failed else 0


def print_plan(console: Console, plan: TeardownPlan) -> None:
    where = "AWS" if plan.endpoint == "AWS" else f"the emulator at {plan.endpoint}"
    state = plan.stack_status or "does not exist"
    console.print(f"[bold]{escape(plan.package)}[/bold]: stack {escape(plan.stack)} in {plan.region} ({where}): "
                  f"{state}")
    for logical_id, kind in plan.resources:
        console.print(f"   {escape(kind)} {escape(logical_id)}")
    for step in plan.steps:
        console.print(f"  [dim]would {escape(step.describe())}[/dim]")
    if plan.kept:
        console.print(f"  keeps {len(plan.kept)} object(s) under s3://{escape(plan.bucket)}/{escape(plan.stack)}/ "
                      "that deploy did not write")


def _confirmed(plans: list[TeardownPlan]) -> bool:
    if not _interactive():
        raise InputError("nothing was deleted: there is no terminal to ask for confirmation",
                         hint="pass --yes to delete, or --dry-run to only list")
    stacks = sum(1 for plan in plans if plan.stack_status is not None)
    objects = sum(len(plan.objects) for plan in plans)
    return click.confirm(f"Delete {stacks} stack(s) and {objects} code package(s)?", default=False)


def _interactive() -> bool:
    return sys.stdin.isatty()


def destroyed_line(plan: TeardownPlan) -> str:
    count = len(plan.objects)
    code = f"{count} code package(s) from s3://{plan.bucket}/{plan.stack}/"
    if plan.stack_status is None:
        return f"Deleted {code} (stack {plan.stack} was already gone)"
    return f"Destroyed stack {plan.stack} in {plan.region}" + (f" and deleted {code}" if count else "")
