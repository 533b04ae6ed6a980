"""The one module that talks to AWS: a small typed client over boto3.

Each method is one API call (or one paginated listing), takes and returns plain values
(`deploy/cloudformation.py`), and turns every boto3 failure into our errors: one line that
names the call and the resource, AWS's error code, and what to do. Nothing else in
mono2lambda imports boto3 or botocore (the runtime inside generated packages has its own
client, since packages never import mono2lambda).

It works the same against AWS and against an emulator (`endpoint_url`); where moto
answers differently from AWS the difference is handled here or noted where it matters.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)
from botocore.parsers import ResponseParserError

from .deploy.cloudformation import ChangeSet, ResourceChange, Stack, StackEvent
from .deploy.errors import AwsError, AwsSetupError

EMULATOR_CREDENTIALS = ("testing", "testing")  # emulators accept any key; never sent to AWS
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=10, read_timeout=120,
                 user_agent_extra="mono2lambda")
# A Lambda invocation is never retried (it may have done its work) and may run for 900 s.
_INVOKE_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=905,
                        user_agent_extra="mono2lambda")
_HINTS = {  # AWS error code -> what to do about it
    "AccessDenied": "the credentials in use may not do this: grant the permission, or pick other credentials "
                    "(AWS_PROFILE); `aws sts get-caller-identity` shows who you are",
    "InvalidClientTokenId": "the access key is not valid: check AWS_PROFILE or the keys in the environment",
    "SignatureDoesNotMatch": "the secret key does not match the access key: check the credentials in use",
    "ExpiredToken": "the session expired: log in again (aws sso login) or refresh the keys",
    "BucketAlreadyExists": "S3 bucket names are global and this one is taken: choose another with --bucket",
    "InsufficientCapabilitiesException": "the template needs more capabilities than CAPABILITY_IAM",
    "LimitExceededException": "an account quota is reached: raise it in Service Quotas or remove unused stacks",
    "403": "the bucket belongs to another account (S3 names are global) or the credentials may not read it: "
           "choose another with --bucket",
    "Throttling": "AWS is throttling the account: wait a minute and deploy again",
}
_HINTS["AccessDeniedException"] = _HINTS["AccessDenied"]
_HINTS["ExpiredTokenException"] = _HINTS["ExpiredToken"]
_DEFAULT_HINT = "look up the error code in the documentation of the AWS service named"


def default_region() -> str | None:
    """AWS_REGION, else what boto3's chain finds (AWS_DEFAULT_REGION, the profile's region).

    boto3 itself does not read AWS_REGION (botocore 1.44 still reads only AWS_DEFAULT_REGION),
    while the AWS CLI v2, the other SDKs and Lambda's own environment use it first."""
    return os.environ.get("AWS_REGION") or boto3.session.Session().region_name


def has_credentials() -> bool:
    """Whether boto3's standard chain finds credentials (environment, profile, SSO, instance role)."""
    try:
        return boto3.session.Session().get_credentials() is not None
    except BotoCoreError:  # a profile that is named but broken: let the first call say what is wrong
        return True


class AwsClient:
    """The calls a deploy makes, against AWS or against the emulator at `endpoint_url`."""

    def __init__(self, region: str, endpoint_url: str | None = None, emulator: bool = False) -> None:
        key, secret = EMULATOR_CREDENTIALS if emulator else (None, None)
        self._session = boto3.session.Session(region_name=region, aws_access_key_id=key, aws_secret_access_key=secret)
        self.region = region
        self.endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            config = _INVOKE_CONFIG if service == "lambda" else _CONFIG
            self._clients[service] = self._session.client(service, endpoint_url=self.endpoint_url, config=config)
        return self._clients[service]

    def invoke(self, function: str, payload: bytes) -> tuple[bytes, str | None]:
        """One RequestResponse invocation: the answer's bytes, and Lambda's FunctionError if any."""
        with _calling("Invoke", f"function {function}"):
            response = self._client("lambda").invoke(FunctionName=function, Payload=payload)
            answer = response["Payload"].read()
        return answer, response.get("FunctionError")

    def account_id(self) -> str:
        with _calling("GetCallerIdentity", "the credentials in use"):
            return str(self._client("sts").get_caller_identity()["Account"])

    def bucket_exists(self, bucket: str) -> bool:
        with _calling("HeadBucket", f"S3 bucket {bucket}", missing=("404", "NoSuchBucket")) as call:
            self._client("s3").head_bucket(Bucket=bucket)
        return not call.missing

    def create_bucket(self, bucket: str) -> None:
        # us-east-1 is S3's default location and refuses to be named as a constraint
        where = {} if self.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
        with _calling("CreateBucket", f"S3 bucket {bucket}"):
            self._client("s3").create_bucket(Bucket=bucket, **where)

    def object_exists(self, bucket: str, key: str) -> bool:
        with _calling("HeadObject", f"s3://{bucket}/{key}", missing=("404", "NoSuchKey")) as call:
            self._client("s3").head_object(Bucket=bucket, Key=key)
        return not call.missing

    def put_object(self, bucket: str, key: str, path: str) -> None:
        with _calling("PutObject", f"s3://{bucket}/{key}"):
            self._client("s3").put_object(Bucket=bucket, Key=key, Body=Path(path).read_bytes())

    def list_objects(self, bucket: str, prefix: str) -> list[str]:
        """The keys under `prefix`, sorted; none when the bucket does not exist."""
        keys: list[str] = []
        with _calling("ListObjectsV2", f"s3://{bucket}/{prefix}", missing=("NoSuchBucket",)):
            for page in self._client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                keys.extend(str(item["Key"]) for item in page.get("Contents", []))
        return sorted(keys)

    def delete_objects(self, bucket: str, keys: tuple[str, ...]) -> None:
        """Delete `keys` (1,000 per call, S3's most); a key S3 could not delete is an error."""
        s3 = self._client("s3")
        for start in range(0, len(keys), 1000):
            batch = keys[start:start + 1000]
            with _calling("DeleteObjects", f"s3://{bucket} ({len(batch)} objects)"):
                answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in batch],
                                                                  "Quiet": True})
            errors = answer.get("Errors") or []
            if errors:
                first = errors[0]
                code = str(first.get("Code", "Unknown"))
                raise AwsError(f"DeleteObjects on s3://{bucket}/{first.get('Key', '')} failed: {code}: "
                               f"{first.get('Message', 'no message')} ({len(errors)} of {len(batch)} not deleted)",
                               code=code, hint=_HINTS.get(code, _DEFAULT_HINT))

    def describe_stack(self, stack: str) -> Stack | None:
        """None when there is no such stack (by name), or when it was deleted (by id)."""
        found: list[dict[str, Any]] = []
        with _calling("DescribeStacks", _stack_label(stack), missing=("does not exist",)):
            found = self._client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
        if not found or found[0]["StackStatus"] == "DELETE_COMPLETE":
            return None
        return _stack(found[0])

    def stack_resources(self, stack: str) -> list[tuple[str, str]]:
        """(logical id, resource type) of what the stack holds, sorted; none once it is gone."""
        found: list[tuple[str, str]] = []
        paginator = self._client("cloudformation").get_paginator("list_stack_resources")
        with _calling("ListStackResources", _stack_label(stack), missing=("does not exist",)):
            for page in paginator.paginate(StackName=stack):
                found.extend((str(item["LogicalResourceId"]), str(item["ResourceType"]))
                             for item in page["StackResourceSummaries"])
        return sorted(found)

    def create_change_set(self, stack: str, name: str, change_set_type: str, body: str,
                          capabilities: tuple[str, ...]) -> tuple[str, str]:
        """(change set id, stack id)."""
        with _calling("CreateChangeSet", _stack_label(stack)):
            made = self._client("cloudformation").create_change_set(
                StackName=stack, ChangeSetName=name, ChangeSetType=change_set_type, TemplateBody=body,
                Capabilities=list(capabilities), Description="mono2lambda deploy")
        return str(made["Id"]), str(made["StackId"])

    def describe_change_set(self, change_set_id: str) -> ChangeSet:
        cloudformation = self._client("cloudformation")
        with _calling("DescribeChangeSet", _change_set_label(change_set_id)):
            pages = list(cloudformation.get_paginator("describe_change_set").paginate(ChangeSetName=change_set_id))
        return _change_set(pages)

    def execute_change_set(self, change_set_id: str) -> None:
        # the token makes AWS take a retried call (after a timeout) as the same execution
        with _calling("ExecuteChangeSet", _change_set_label(change_set_id)):
            self._client("cloudformation").execute_change_set(ChangeSetName=change_set_id,
                                                              ClientRequestToken=str(uuid.uuid4()))

    def delete_change_set(self, change_set_id: str) -> None:
        with _calling("DeleteChangeSet", _change_set_label(change_set_id), missing=("does not exist",)):
            self._client("cloudformation").delete_change_set(ChangeSetName=change_set_id)

    def delete_stack(self, stack: str) -> None:
        with _calling("DeleteStack", _stack_label(stack)):
            self._client("cloudformation").delete_stack(StackName=stack)

    def latest_event_id(self, stack: str) -> str | None:
        """The newest event's id: where to start showing the events of the next operation."""
        events: list[dict[str, Any]] = []
        with _calling("DescribeStackEvents", _stack_label(stack), missing=("does not exist",)):
            events = self._client("cloudformation").describe_stack_events(StackName=stack)["StackEvents"]
        return str(events[0]["EventId"]) if events else None

    def stack_events(self, stack: str, after: str | None) -> list[StackEvent]:
        """The stack's events newer than the event `after` (all of them if None), oldest first."""
        paginator = self._client("cloudformation").get_paginator("describe_stack_events")
        newer: list[StackEvent] = []
        with _calling("DescribeStackEvents", _stack_label(stack), missing=("does not exist",)):
            for page in paginator.paginate(StackName=stack):
                for raw in page["StackEvents"]:  # newest first
                    if raw["EventId"] == after:
                        return newer[::-1]
                    newer.append(_event(raw))
        return newer[::-1]


class _Call:
    missing = False  # the call found nothing, and the caller said that is an answer, not an error


@contextmanager
def _calling(operation: str, resource: str, missing: tuple[str, ...] = ()) -> Iterator[_Call]:
    """Run one AWS call; turn its failure into one line naming `operation` and `resource`.

    `missing` lists error codes (or message fragments) that mean "not there": the call
    then reports `missing` instead of raising."""
    call = _Call()
    try:
        yield call
    except ClientError as error:
        code, message = _code(error), error.response.get("Error", {}).get("Message", "")
        if any(mark == code or mark in message for mark in missing):
            call.missing = True
            return
        raise AwsError(f"{operation} on {resource} failed: {code}: {message or 'no message'}",
                       code=code, hint=_HINTS.get(code, _DEFAULT_HINT)) from None
    except ResponseParserError as error:  # moto reports another service's failure in that service's format
        code, message = _unparsed(error)
        raise AwsError(f"{operation} on {resource} failed: {code}: {message}", code=code,
                       hint=_HINTS.get(code, _DEFAULT_HINT)) from None
    except (NoCredentialsError, PartialCredentialsError):
        raise AwsSetupError(f"{operation} on {resource}: no AWS credentials found",
                            hint="configure them (aws configure, AWS_PROFILE, aws sso login), or deploy to a "
                                 "local emulator with --local") from None
    except NoRegionError:
        raise AwsSetupError(f"{operation} on {resource}: no AWS region configured",
                            hint="pass --region, or set AWS_REGION") from None
    except EndpointConnectionError as error:
        raise AwsSetupError(f"{operation} on {resource}: cannot reach {error.kwargs.get('endpoint_url')}",
                            hint="check --endpoint-url, --region and the network") from None
    except BotoCoreError as error:
        raise AwsError(f"{operation} on {resource} failed: {error}", hint=_DEFAULT_HINT) from None


def _change_set_label(change_set_id: str) -> str:
    return f"change set {_name(change_set_id)}"


def _stack_label(stack: str) -> str:
    return f"stack {_name(stack)}"


def _name(ref: str) -> str:
    """The name in a CloudFormation ARN (arn:aws:cloudformation:<region>:<account>:<kind>/<name>/<uuid>)."""
    parts = ref.split("/")
    return parts[1] if ref.startswith("arn:") and len(parts) == 3 else ref


def _code(error: ClientError) -> str:
    code = str(error.response.get("Error", {}).get("Code", "Unknown"))
    return "Throttling" if code in ("ThrottlingException", "TooManyRequestsException") else code


def _unparsed(error: ResponseParserError) -> tuple[str, str]:
    """AWS's error code and message from a body botocore could not parse (JSON where it expected XML)."""
    text = str(error)
    found = re.search(r"\{.*\}", text, re.DOTALL)
    if found:
        try:
            body = json.loads(found.group(0))
        except ValueError:
            body = {}
        if isinstance(body, dict) and body.get("__type"):
            return str(body["__type"]).rsplit("#", 1)[-1], str(body.get("message") or body.get("Message") or "")
    return "UnreadableResponse", text.splitlines()[0]


def _stack(raw: dict[str, Any]) -> Stack:
    outputs = sorted((str(out["OutputKey"]), str(out.get("OutputValue", ""))) for out in raw.get("Outputs") or [])
    return Stack(stack_id=str(raw["StackId"]), name=str(raw["StackName"]), status=str(raw["StackStatus"]),
                 reason=str(raw.get("StackStatusReason") or ""), outputs=tuple(outputs))


def _change_set(pages: list[dict[str, Any]]) -> ChangeSet:
    first = pages[0]
    changes = tuple(_change(change["ResourceChange"]) for page in pages for change in page.get("Changes", [])
                    if change.get("Type") == "Resource")
    return ChangeSet(change_set_id=str(first["ChangeSetId"]), stack_id=str(first["StackId"]),
                     status=str(first["Status"]), execution_status=str(first.get("ExecutionStatus", "")),
                     reason=str(first.get("StatusReason") or ""), changes=changes)


def _change(raw: dict[str, Any]) -> ResourceChange:
    return ResourceChange(action=str(raw.get("Action", "")), logical_id=str(raw.get("LogicalResourceId", "")),
                          resource_type=str(raw.get("ResourceType", "")),
                          replacement=str(raw.get("Replacement", "")))


def _event(raw: dict[str, Any]) -> StackEvent:
    return StackEvent(event_id=str(raw["EventId"]), timestamp=raw["Timestamp"].isoformat(),
                      logical_id=str(raw.get("LogicalResourceId", "")), resource_type=str(raw.get("ResourceType", "")),
                      status=str(raw.get("ResourceStatus", "")), reason=str(raw.get("ResourceStatusReason") or ""))
