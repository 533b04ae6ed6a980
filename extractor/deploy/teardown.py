"""`destroy`: remove what `deploy` made for a service package, planned before anything goes.

A deploy leaves two things behind: the service's CloudFormation stack (its functions, roles,
queues, rules...: deleting the stack deletes them) and the code packages it uploaded, kept
under the stack's own prefix of the code bucket (`<stack>/<sha256>.zip`, see
`plan.code_key`). `plan_teardown` is pure: from what the account holds (`Found`), the steps
that remove both, as data. Only keys of deploy's own shape are planned for deletion, so
anything else a person put under the prefix stays (and the plan says how much). The bucket
itself stays: it holds the code of every other stack of the account and region.

`observe` and `run_teardown` are the edges: read-only calls that fill `Found`, and the
executor of a plan. The command shows the plans, asks, then runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError

from ..aws import AwsClient
from .cloudformation import EMPTY_STACK, describe_failure, succeeded
from .errors import DeployError, DeployFailed
from .plan import DeleteObjects, DeleteStack, WaitForStack
from .progress import Report, StepStarted
from .service import ServicePackage, read_service
from .watch import Polling, wait_for_stack

NOT_A_PACKAGE = frozenset({"monolith"})  # generated/monolith is the strangled monolith: never deployed
_OWNED_KEY = re.compile(r"^[0-9a-f]{64}\.zip$")  # what deploy uploads under the stack's prefix
TeardownStep = DeleteStack | WaitForStack | DeleteObjects


@dataclass(frozen=True)
class Found:
    """What the account holds for one stack: read-only observations."""

    stack_id: str | None  # None: no such stack
    stack_status: str | None
    resources: tuple[tuple[str, str], ...]  # (logical id, type) the stack holds
    keys: tuple[str, ...]  # every object under the stack's prefix of the code bucket


@dataclass(frozen=True)
class TeardownPlan:
    package: str  # the service package's folder
    stack: str
    region: str
    endpoint: str  # "AWS", or the emulator's URL
    bucket: str
    stack_id: str | None
    stack_status: str | None  # None: there is no such stack
    resources: tuple[tuple[str, str], ...]
    kept: tuple[str, ...]  # objects under the prefix that deploy did not write: left alone
    steps: tuple[TeardownStep, ...]

    @property
    def objects(self) -> tuple[str, ...]:
        return next((step.keys for step in self.steps if isinstance(step, DeleteObjects)), ())

    @property
    def empty(self) -> bool:
        """Nothing to remove: no stack, no code package."""
        return not self.steps


def plan_teardown(package: str, stack: str, region: str, endpoint: str, bucket: str, found: Found) -> TeardownPlan:
    """Delete the stack (or wait for a deletion already running), then the code packages."""
    steps: list[TeardownStep] = []
    status = found.stack_status
    if status == "DELETE_IN_PROGRESS":
        steps.append(WaitForStack(stack, "DELETE"))
    elif status is not None:
        if status.endswith("_IN_PROGRESS") and status not in EMPTY_STACK:
            raise DeployError(f"stack {stack} is busy ({status})",
                              hint="wait for the running operation to end, then destroy again")
        steps += [DeleteStack(stack), WaitForStack(stack, "DELETE")]
    owned = tuple(key for key in found.keys if _OWNED_KEY.match(key.removeprefix(f"{stack}/")))
    if owned:
        steps.append(DeleteObjects(bucket, owned))
    kept = tuple(key for key in found.keys if key not in owned)
    return TeardownPlan(package=package, stack=stack, region=region, endpoint=endpoint, bucket=bucket,
                        stack_id=found.stack_id, stack_status=status, resources=found.resources, kept=kept,
                        steps=tuple(steps))


def service_packages(paths: tuple[Path, ...]) -> list[ServicePackage]:
    """The service packages named: each path is a package (generated/tax) or a folder of them
    (generated), in the order given, each once."""
    folders: list[Path] = []
    for path in paths:
        if not (path / "template.yaml").exists() and path.is_dir():
            inside = [child for child in sorted(path.iterdir()) if child.name not in NOT_A_PACKAGE
                      and (child / "template.yaml").is_file()]
            if not inside:
                raise InputError(f"{path}: neither a service package nor a folder of them (no template.yaml)",
                                 hint="pass a folder written by `mono2lambda extract`, e.g. generated/tax "
                                      "or generated")
            folders += inside
        else:
            folders.append(path)
    unique = list(dict.fromkeys(folder.resolve() for folder in folders))
    return [read_service(folder) for folder in unique]


def observe(aws: AwsClient, stack: str, bucket: str) -> Found:
    """What the account holds for `stack`; read-only calls."""
    current = aws.describe_stack(stack)
    resources = tuple(aws.stack_resources(current.stack_id)) if current else ()
    keys = tuple(aws.list_objects(bucket, f"{stack}/")) if aws.bucket_exists(bucket) else ()
    return Found(stack_id=current.stack_id if current else None, stack_status=current.status if current else None,
                 resources=resources, keys=keys)


def run_teardown(plan: TeardownPlan, aws: AwsClient, report: Report, polling: Polling) -> None:
    """Take the plan's steps; a stack that cannot be deleted stops before its code is removed."""
    ref = plan.stack_id or plan.stack  # a deleted stack is only found by its id
    mark: str | None = None
    for step in plan.steps:
        report(StepStarted(step, True))
        match step:
            case DeleteStack():
                mark = aws.latest_event_id(ref)
                aws.delete_stack(ref)
            case WaitForStack():
                stack, events = wait_for_stack(aws, ref, mark, polling, report)
                if not succeeded(stack.status if stack else None, "DELETE"):
                    raise DeployFailed(f"stack {plan.stack} could not be deleted: {describe_failure(stack, events)}",
                                       hint="remove what holds it (the resource named) or delete the stack in the "
                                            "CloudFormation console, then destroy again")
            case DeleteObjects():
                aws.delete_objects(step.bucket, step.keys)
