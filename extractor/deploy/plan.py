"""The deploy plan: every AWS action a deploy will take, as data, decided before any is taken.

`plan_deploy` is pure. It gets what the deployer knows (the target, the built code
package, the translated template) and what it saw in the account (`RemoteState`), checks
Lambda's limits, and returns a `DeployPlan`: the steps in order, and the steps that
`discard` what creating the change set made (used by a dry run, by a change set with no
changes, and to leave nothing behind after a failed first create). An executor runs the
steps (`executor.py`); a dry run is another executor over the same plan. The plan's JSON
form (`plan_to_dict`, `plan_from_dict`) has a version, like every file between stages.

A deploy goes: [delete a leftover empty stack] -> [create the bucket] -> [upload the code,
unless the bucket holds that hash already] -> create a change set (CREATE for a new stack,
UPDATE otherwise) -> execute it -> wait for the stack -> read its outputs.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .cloudformation import EMPTY_STACK, STUCK
from .errors import DeployError
from .limits import check_limits
from .package import Artifact, human_size

PLAN_VERSION = 1
CAPABILITIES = ("CAPABILITY_IAM",)  # SAM creates the functions' roles (unnamed, so not NAMED_IAM)


@dataclass(frozen=True)
class Target:
    """Where the stack goes; `create_bucket` says whether a missing bucket may be created."""

    stack: str
    region: str
    bucket: str
    create_bucket: bool
    endpoint: str  # "AWS", or the emulator's URL


@dataclass(frozen=True)
class RemoteState:
    bucket_exists: bool
    code_exists: bool  # the bucket already holds <sha256>.zip
    stack_status: str | None  # None: no such stack


@dataclass(frozen=True)
class CreateBucket:
    bucket: str
    region: str

    def describe(self) -> str:
        return f"create S3 bucket {self.bucket} in {self.region}"


@dataclass(frozen=True)
class UploadCode:
    bucket: str
    key: str
    path: str
    size: int

    def describe(self) -> str:
        return f"upload the code package ({human_size(self.size)}) to s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class CreateChangeSet:
    stack: str
    change_set: str
    change_set_type: str  # CREATE or UPDATE
    template_body: str
    capabilities: tuple[str, ...]

    def describe(self) -> str:
        return f"create change set {self.change_set} ({self.change_set_type}) for stack {self.stack}"


@dataclass(frozen=True)
class ExecuteChangeSet:
    stack: str
    change_set: str

    def describe(self) -> str:
        return f"execute change set {self.change_set}"


@dataclass(frozen=True)
class WaitForStack:
    stack: str
    operation: str  # CREATE, UPDATE or DELETE: what success looks like

    def describe(self) -> str:
        return f"wait for stack {self.stack} to finish ({self.operation})"


@dataclass(frozen=True)
class ReadOutputs:
    stack: str

    def describe(self) -> str:
        return f"read the outputs of stack {self.stack}"


@dataclass(frozen=True)
class DeleteChangeSet:
    stack: str
    change_set: str

    def describe(self) -> str:
        return f"delete change set {self.change_set}"


@dataclass(frozen=True)
class DeleteStack:
    stack: str

    def describe(self) -> str:
        return f"delete stack {self.stack}"


@dataclass(frozen=True)
class DeleteObjects:
    """`destroy`'s last step: the code packages deploys uploaded for the stack."""

    bucket: str
    keys: tuple[str, ...]

    def describe(self) -> str:
        prefix = self.keys[0].split("/", 1)[0] if self.keys else ""
        plural = "s" if len(self.keys) != 1 else ""
        return f"delete {len(self.keys)} code package{plural} under s3://{self.bucket}/{prefix}/"


Step = (CreateBucket | UploadCode | CreateChangeSet | ExecuteChangeSet | WaitForStack | ReadOutputs
        | DeleteChangeSet | DeleteStack | DeleteObjects)
STEP_KINDS: dict[str, type[Step]] = {
    "create_bucket": CreateBucket, "upload_code": UploadCode, "create_change_set": CreateChangeSet,
    "execute_change_set": ExecuteChangeSet, "wait_for_stack": WaitForStack, "read_outputs": ReadOutputs,
    "delete_change_set": DeleteChangeSet, "delete_stack": DeleteStack, "delete_objects": DeleteObjects,
}


@dataclass(frozen=True)
class DeployPlan:
    stack: str
    region: str
    endpoint: str
    change_set_type: str
    code_uri: str  # s3://bucket/<stack>/<sha256>.zip
    code_sha256: str
    steps: tuple[Step, ...]
    discard: tuple[Step, ...]  # undoes CreateChangeSet: deletes the change set, or the whole new stack
    version: int = PLAN_VERSION


def plan_deploy(target: Target, artifact: Artifact, template: Mapping[str, Any], remote: RemoteState,
                change_set_name: str) -> DeployPlan:
    """The steps that bring the stack to `template`; raises before anything when a limit is broken."""
    body = template_body(template)
    check_limits(artifact.size, artifact.unzipped_size, template, body)
    change_set_type = _change_set_type(target.stack, remote.stack_status)
    steps = [
        *_clear_leftover(target.stack, remote.stack_status),
        *_bucket(target, remote),
        *([] if remote.code_exists else [UploadCode(target.bucket, code_key(target.stack, artifact), artifact.path,
                                                    artifact.size)]),
        CreateChangeSet(target.stack, change_set_name, change_set_type, body, CAPABILITIES),
        ExecuteChangeSet(target.stack, change_set_name),
        WaitForStack(target.stack, change_set_type),
        ReadOutputs(target.stack),
    ]
    discard: tuple[Step, ...] = (
        (DeleteStack(target.stack), WaitForStack(target.stack, "DELETE")) if change_set_type == "CREATE"
        else (DeleteChangeSet(target.stack, change_set_name),))
    return DeployPlan(stack=target.stack, region=target.region, endpoint=target.endpoint,
                      change_set_type=change_set_type, code_uri=code_uri(target, artifact),
                      code_sha256=artifact.sha256, steps=tuple(steps), discard=discard)


def code_key(stack: str, artifact: Artifact) -> str:
    """The code's object key: under the stack's own prefix (what `destroy` removes with the
    stack), named by the content's hash (an unchanged package uploads nothing)."""
    return f"{stack}/{artifact.key}"


def code_uri(target: Target, artifact: Artifact) -> str:
    return f"s3://{target.bucket}/{code_key(target.stack, artifact)}"


def template_body(template: Mapping[str, Any]) -> str:
    """Compact, key-sorted JSON: the same template always gives the same body."""
    return json.dumps(template, sort_keys=True, separators=(",", ":"))


def _change_set_type(stack: str, status: str | None) -> str:
    if status is None or status in EMPTY_STACK:
        return "CREATE"
    if status in STUCK:
        raise DeployError(f"stack {stack} is {status}; CloudFormation cannot change it until that is resolved",
                          hint="continue the rollback or delete the stack in the CloudFormation console, "
                               "then deploy again")
    if status.endswith("_IN_PROGRESS"):
        raise DeployError(f"stack {stack} is busy ({status})",
                          hint="wait for the running operation to end, then deploy again")
    return "UPDATE"


def _clear_leftover(stack: str, status: str | None) -> list[Step]:
    """A stack that never held resources, or lost them in a rolled-back create, is in the way of a CREATE."""
    if status in EMPTY_STACK:
        return [DeleteStack(stack), WaitForStack(stack, "DELETE")]
    return []


def _bucket(target: Target, remote: RemoteState) -> list[Step]:
    if remote.bucket_exists:
        return []
    if not target.create_bucket:
        raise DeployError(f"S3 bucket {target.bucket} does not exist in {target.region}",
                          hint="create it, pass --create-bucket to let mono2lambda create it, or leave --bucket "
                               "out to use mono2lambda's own bucket")
    return [CreateBucket(target.bucket, target.region)]


def plan_to_dict(plan: DeployPlan) -> dict[str, Any]:
    data = {field.name: getattr(plan, field.name) for field in dataclasses.fields(plan)}
    data["steps"] = [_step_to_dict(step) for step in plan.steps]
    data["discard"] = [_step_to_dict(step) for step in plan.discard]
    return data


def plan_from_dict(data: Mapping[str, Any]) -> DeployPlan:
    if data.get("version") != PLAN_VERSION:
        raise DeployError(f"deploy plan version {data.get('version')!r} is not {PLAN_VERSION}",
                          hint="plan the deploy again with this version of mono2lambda")
    fields = {**data, "steps": tuple(map(_step_from_dict, data["steps"])),
              "discard": tuple(map(_step_from_dict, data["discard"]))}
    return DeployPlan(**fields)


def _step_to_dict(step: Step) -> dict[str, Any]:
    kind = next(name for name, cls in STEP_KINDS.items() if isinstance(step, cls))
    return {"kind": kind, **dataclasses.asdict(step)}


def _step_from_dict(data: Mapping[str, Any]) -> Step:
    fields: dict[str, Any] = {name: tuple(value) if isinstance(value, list) else value
                              for name, value in data.items() if name != "kind"}
    return STEP_KINDS[data["kind"]](**fields)
