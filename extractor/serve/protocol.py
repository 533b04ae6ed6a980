"""The Lambda Invoke API as data: requests in, responses out (no sockets here).

An unchanged boto3 client must not be able to tell this endpoint from AWS for `invoke`,
so the answers copy Lambda's wire format:
    200  the function's payload (`X-Amz-Function-Error: Unhandled` when it failed, with
         Lambda's error payload `{"errorMessage", "errorType", "stackTrace"}`)
    202  an `Event` invocation accepted (it runs later); 204 a `DryRun`
    4xx  an API error: botocore reads its name from `x-amzn-ErrorType` and raises the
         modelled exception (ResourceNotFoundException, RequestTooLargeException, ...)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..deploy.limits import ASYNC_PAYLOAD, SYNC_PAYLOAD

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")
REQUEST_RESPONSE, EVENT, DRY_RUN = "RequestResponse", "Event", "DryRun"
REQUEST_LIMITS = {REQUEST_RESPONSE: SYNC_PAYLOAD, EVENT: ASYNC_PAYLOAD, DRY_RUN: SYNC_PAYLOAD}  # bytes
RESPONSE_LIMIT = SYNC_PAYLOAD
UNHANDLED = "Unhandled"
VERSION = "$LATEST"


class ApiError(Exception):
    """An answer of the Invoke API itself (not of the function): status, error name, message."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


@dataclass(frozen=True)
class InvokeRequest:
    function: str
    qualifier: str | None
    invocation: str
    event: Any


@dataclass(frozen=True)
class Outcome:
    """What an invocation gave: the payload bytes, and the error's type when the function failed."""

    payload: bytes
    error_type: str | None = None


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""


def parse_invoke(method: str, target: str, headers: Mapping[str, str], body: bytes) -> InvokeRequest:
    """The invocation an HTTP request asks for; raises ApiError for anything Lambda would refuse."""
    url = urlsplit(target)
    match = INVOKE_PATH.match(url.path)
    if method != "POST" or match is None:
        raise ApiError(404, "UnknownOperationException", f"{method} {url.path}: this endpoint speaks only Lambda's "
                       "Invoke API (POST /2015-03-31/functions/NAME/invocations)")
    name, qualifier = split_function_name(unquote(match["name"]))
    qualifier = next(iter(parse_qs(url.query).get("Qualifier", [])), qualifier)
    invocation = _header(headers, "X-Amz-Invocation-Type") or REQUEST_RESPONSE
    if invocation not in REQUEST_LIMITS:
        raise ApiError(400, "InvalidParameterValueException",
                       f"X-Amz-Invocation-Type {invocation!r} is not one of {', '.join(REQUEST_LIMITS)}")
    check_request_size(invocation, len(body))
    return InvokeRequest(name, qualifier, invocation, _event(body))


def split_function_name(raw: str) -> tuple[str, str | None]:
    """`name`, `name:qualifier`, or a full ARN -> (name, qualifier), as Lambda accepts all three."""
    parts = raw.split(":")
    if raw.startswith("arn:") and len(parts) >= 7:
        return parts[6], parts[7] if len(parts) > 7 else None
    if len(parts) == 2:
        return parts[0], parts[1]
    return raw, None


def check_request_size(invocation: str, size: int) -> None:
    limit = REQUEST_LIMITS.get(invocation, REQUEST_LIMITS[REQUEST_RESPONSE])
    if size > limit:
        raise ApiError(413, "RequestTooLargeException",
                       f"Request must be smaller than {limit} bytes for the InvokeFunction operation "
                       f"({invocation}); this one is {size} bytes")


def not_found(arn: str) -> ApiError:
    return ApiError(404, "ResourceNotFoundException", f"Function not found: {arn}")


def api_error_response(error: ApiError, request_id: str) -> Response:
    body = json.dumps({"Type": "User", "message": error.message}).encode()
    return Response(error.status, _headers(request_id, ("x-amzn-ErrorType", error.error_type)), body)


def invoke_response(outcome: Outcome, request_id: str) -> Response:
    extra = [("X-Amz-Executed-Version", VERSION)]
    if outcome.error_type is not None:
        extra.append(("X-Amz-Function-Error", UNHANDLED))
    return Response(200, _headers(request_id, *extra), outcome.payload)


def accepted_response(request_id: str) -> Response:
    return Response(202, _headers(request_id))


def dry_run_response(request_id: str) -> Response:
    return Response(204, _headers(request_id))


def error_payload(error_type: str, message: str, stack: Sequence[str] = ()) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type, "stackTrace": list(stack)}).encode()


def failed(error_type: str, message: str) -> Outcome:
    return Outcome(error_payload(error_type, message), error_type)


def timed_out(request_id: str, seconds: float) -> Outcome:
    return failed("Sandbox.Timedout", f"RequestId: {request_id} Error: Task timed out after {seconds:.2f} seconds")


def exited(request_id: str, returncode: int | None) -> Outcome:
    status = f"signal: {-returncode}" if returncode is not None and returncode < 0 else f"exit status {returncode}"
    return failed("Runtime.ExitError", f"RequestId: {request_id} Error: Runtime exited with error: {status}")


def out_of_memory(request_id: str, memory_mb: int) -> Outcome:
    return failed("Runtime.OutOfMemory", f"RequestId: {request_id} Error: Runtime exited with error: signal: killed "
                  f"(the function used more than its MemorySize, {memory_mb} MB)")


def limit_response_size(outcome: Outcome) -> Outcome:
    if len(outcome.payload) <= RESPONSE_LIMIT:
        return outcome
    return failed("Function.ResponseSizeTooLarge", f"Response payload size ({len(outcome.payload)} bytes) exceeded "
                  f"maximum allowed payload size ({RESPONSE_LIMIT} bytes).")


def _event(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except ValueError as error:
        raise ApiError(400, "InvalidRequestContentException",
                       f"Could not parse request body into json: {error}") from error


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def _headers(request_id: str, *extra: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (("Content-Type", "application/json"), ("x-amzn-RequestId", request_id), *extra)
