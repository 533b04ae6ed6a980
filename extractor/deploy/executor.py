"""Running a deploy plan: `Executor` takes its steps, `DryRunExecutor` only previews them.

Both walk the same `DeployPlan`; each decides per step type what doing it means (a
`match` per executor, as chalice keeps one executor per mode instead of `if dry_run`
everywhere). The dry run creates the change set for real, because only CloudFormation
can say what a template changes, reports its changes, then runs the plan's `discard`
steps: the change set is deleted, and for a first deploy so is the REVIEW_IN_PROGRESS
stack CloudFormation made to hold it. Nothing else is touched.

How outcomes are detected, on AWS and on moto:
- no change: the change set ends FAILED with "didn't contain changes" (both; see
  `cloudformation.NO_CHANGE_REASONS`); it is deleted and nothing is executed;
- a failed execution: AWS accepts ExecuteChangeSet and the stack then ends in
  ROLLBACK_COMPLETE (a create) or UPDATE_ROLLBACK_COMPLETE (an update) with the failing
  resource in its events; moto applies the template inside ExecuteChangeSet and fails
  that call, leaving whatever it had created in a REVIEW_IN_PROGRESS stack. Both end in
  `_fail`: a first create is discarded (the stack deleted, and with it every resource it
  made), an update is left as CloudFormation left it (rolled back on AWS).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any

from ..aws import AwsClient
from .cloudformation import ChangeSet, ResourceChange, describe_failure, is_no_change, succeeded
from .errors import AwsError, DeployError, DeployFailed
from .plan import (
    CreateBucket,
    CreateChangeSet,
    DeleteChangeSet,
    DeleteStack,
    DeployPlan,
    ExecuteChangeSet,
    ReadOutputs,
    Step,
    UploadCode,
    WaitForStack,
)
from .progress import CREATED, DRY_RUN, NO_CHANGES, UPDATED, ChangesFound, DeployResult, Report, StepStarted
from .watch import Polling, wait_for_change_set, wait_for_stack


class _Runner(ABC):
    """What both executors share: the run loop, change sets, deletions and clean-up."""

    def __init__(self, aws: AwsClient, report: Report, polling: Polling | None = None) -> None:
        self._aws = aws
        self._report = report
        self._polling = polling or Polling()
        self._ids: dict[str, str] = {}  # stack or change set name -> its id (ARN), once known
        self._marks: dict[str, str | None] = {}  # stack name -> newest event before our operation
        self._changes: tuple[ResourceChange, ...] = ()
        self._outputs: tuple[tuple[str, str], ...] = ()

    def run(self, plan: DeployPlan) -> DeployResult:
        for step in plan.steps:
            self._report(StepStarted(step, self._performs(step)))
            early = self._do(step, plan)
            if early is not None:
                return early
        outcome = CREATED if plan.change_set_type == "CREATE" else UPDATED
        return DeployResult(outcome, plan, self._changes, self._outputs)

    @abstractmethod
    def _do(self, step: Step, plan: DeployPlan) -> DeployResult | None:
        """Take (or show) one step; a result ends the run early (no changes, a dry run)."""

    def _performs(self, step: Step) -> bool:
        return True

    def _open_change_set(self, step: CreateChangeSet, plan: DeployPlan) -> ChangeSet:
        """Create the change set and wait for it; a change set CloudFormation refused is discarded."""
        change_set_id, stack_id = self._aws.create_change_set(
            step.stack, step.change_set, step.change_set_type, step.template_body, step.capabilities)
        self._ids[step.change_set], self._ids[step.stack] = change_set_id, stack_id
        change_set = wait_for_change_set(self._aws, change_set_id, self._polling)
        if change_set.status == "FAILED" and not is_no_change(change_set):
            aftermath = self._discard(plan)
            raise DeployFailed(f"stack {step.stack}: CloudFormation refused the change set: {change_set.reason}"
                               f"; {aftermath}", hint="fix template.yaml (or the plan, and extract again)")
        self._changes = change_set.changes
        if not is_no_change(change_set):
            self._report(ChangesFound(step.change_set, change_set.changes))
        return change_set

    def _no_changes(self, plan: DeployPlan, dry_run: bool) -> DeployResult:
        self._discard(plan)
        return DeployResult(NO_CHANGES, plan, (), (), dry_run=dry_run)

    def _discard(self, plan: DeployPlan) -> str:
        """Undo what creating the change set made; say what is left, even if undoing fails."""
        try:
            for step in plan.discard:
                self._report(StepStarted(step, True))
                self._clean(step)
        except DeployError as error:
            return f"cleaning up failed too ({error.message}): look at stack {plan.stack} in the console"
        if plan.change_set_type == "CREATE":
            return "the new stack was deleted, nothing is left behind"
        return "the change set was deleted"

    def _clean(self, step: Step) -> None:
        match step:
            case DeleteChangeSet():
                self._aws.delete_change_set(self._ids.get(step.change_set, step.change_set))
            case DeleteStack():
                self._delete_stack(step.stack)
            case WaitForStack():
                self._wait_deleted(step.stack)
            case _:
                raise AssertionError(f"not a clean-up step: {step}")

    def _delete_stack(self, name: str) -> None:
        stack = self._aws.describe_stack(self._ids.get(name, name))
        if stack is None:
            return
        self._ids[name] = stack.stack_id  # a deleted stack is only found by its id
        self._marks[name] = self._aws.latest_event_id(stack.stack_id)
        self._aws.delete_stack(stack.stack_id)

    def _wait_deleted(self, name: str) -> None:
        ref = self._ids.get(name, name)
        stack, events = wait_for_stack(self._aws, ref, self._marks.get(name), self._polling, self._report)
        if not succeeded(stack.status if stack else None, "DELETE"):
            raise DeployFailed(f"stack {name} could not be deleted: {describe_failure(stack, events)}",
                               hint="delete what is left in the CloudFormation console, then deploy again")


class Executor(_Runner):
    """Takes every step of the plan."""

    def _do(self, step: Step, plan: DeployPlan) -> DeployResult | None:
        match step:
            case CreateBucket():
                self._aws.create_bucket(step.bucket)
            case UploadCode():
                self._aws.put_object(step.bucket, step.key, step.path)
            case CreateChangeSet():
                if is_no_change(self._open_change_set(step, plan)):
                    return self._no_changes(plan, dry_run=False)
            case ExecuteChangeSet():
                self._execute(step, plan)
            case WaitForStack() if step.operation == "DELETE":
                self._wait_deleted(step.stack)
            case WaitForStack():
                self._wait(step, plan)
            case ReadOutputs():
                stack = self._aws.describe_stack(self._ids.get(step.stack, step.stack))
                self._outputs = stack.outputs if stack else ()
            case DeleteChangeSet() | DeleteStack():
                self._clean(step)
        return None

    def _execute(self, step: ExecuteChangeSet, plan: DeployPlan) -> None:
        self._marks[step.stack] = self._aws.latest_event_id(self._ids[step.stack])
        try:
            self._aws.execute_change_set(self._ids[step.change_set])
        except AwsError as error:  # moto fails here when a resource fails; AWS when it refuses to start
            self._fail(plan, error.message, discard=True)

    def _wait(self, step: WaitForStack, plan: DeployPlan) -> None:
        stack, events = wait_for_stack(self._aws, self._ids[step.stack], self._marks.get(step.stack),
                                       self._polling, self._report)
        if not succeeded(stack.status if stack else None, step.operation):
            self._fail(plan, describe_failure(stack, events), discard=plan.change_set_type == "CREATE")

    def _fail(self, plan: DeployPlan, why: str, discard: bool) -> None:
        """Raise the one line that says what failed and what is left: a failed first create is
        discarded; an update CloudFormation rolled back (AWS) or left as it was (moto)."""
        aftermath = [self._discard(plan)] if discard else []
        if plan.change_set_type == "UPDATE":
            stack = self._aws.describe_stack(self._ids.get(plan.stack, plan.stack))
            status = stack.status if stack else "gone"
            aftermath.append(f"the stack is {status}" + (" (rolled back)" if "ROLLBACK" in status else ""))
        verb = "creating" if plan.change_set_type == "CREATE" else "updating"
        raise DeployFailed(f"{verb} stack {plan.stack} failed: {why}; {'; '.join(aftermath)}",
                           hint="fix the failing resource in template.yaml or the plan, then deploy again")


class DryRunExecutor(_Runner):
    """Shows every step; only creates the change set, reports it and discards it again."""

    def __init__(self, aws: AwsClient, report: Report, polling: Polling | None = None) -> None:
        super().__init__(aws, report, polling)
        self._leftover = False

    def _performs(self, step: Step) -> bool:
        return isinstance(step, CreateChangeSet) and not self._leftover

    def _do(self, step: Step, plan: DeployPlan) -> DeployResult | None:
        match step:
            case DeleteStack():
                self._leftover = True
            case CreateChangeSet() if self._leftover:
                return self._preview_without_change_set(step, plan)
            case CreateChangeSet():
                if is_no_change(self._open_change_set(step, plan)):
                    return self._no_changes(plan, dry_run=True)
                self._discard(plan)
                return DeployResult(DRY_RUN, plan, self._changes, (), dry_run=True)
        return None

    def _preview_without_change_set(self, step: CreateChangeSet, plan: DeployPlan) -> DeployResult:
        """A leftover empty stack blocks a CREATE change set, and deleting it is a change: so the
        preview is what a CREATE always does, add every resource of the template."""
        changes = tuple(ResourceChange("Add", logical_id, resource["Type"], "")
                        for logical_id, resource in sorted(_resources(step.template_body).items()))
        self._report(ChangesFound(step.change_set, changes))
        return DeployResult(DRY_RUN, plan, changes, (), dry_run=True)


def _resources(body: str) -> dict[str, Any]:
    resources = json.loads(body).get("Resources", {})
    return resources if isinstance(resources, dict) else {}
