"""Extraction-time checks of event-triggered operations: can the runtime serve this signature?

The runtime (m2l_runtime/triggers.py) fills an S3, DynamoDB or scheduled operation's
parameters from fixed fields of its event, and an HTTP operation's from the body or the
query string and path. A signature those rules cannot fill would fail on every event in
production, so `extract` reports it first, with the fix. The checks read the request
JSON Schema of the contract document (property names are the parameter names), so they
see the types exactly as the runtime's validation will.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from analyzer.boundaries.hazards import ERROR, WARNING, Finding, Problem

from .model import OperationSpec

TRIGGER_SIGNATURE = "trigger-signature"
TRIGGER_HANDLER_NAME = "trigger-handler-name"
HTTP_PATH_PARAMETER = "http-path-parameter"

DIRECT = ("sync", "async")
HANDLER_NAMES = frozenset({"handler", "service", "OPERATIONS", "Operation", "Service"})  # what handler.py defines
S3_FIELDS = {"bucket": "string", "key": "string", "size": "integer", "etag": "string", "event_name": "string",
             "version_id": "string"}
DYNAMODB_FIELDS = {"event_name": "string", "keys": "object", "new_image": "object", "old_image": "object"}
BODYLESS_METHODS = ("GET", "HEAD", "DELETE", "OPTIONS")
_PATH_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\+?\}")

Schema = Mapping[str, Any]
Check = Callable[[OperationSpec, Schema], list[Problem]]


def trigger_findings(op: OperationSpec, contract: Mapping[str, Any]) -> list[Finding]:
    """Why the runtime could not serve `op`'s events, as findings ([] for direct operations).

    `contract` is the operation's contract document (its `request` schema and `service`
    are read); without a request schema there is nothing to check here (the
    contract's own finding says why it is missing)."""
    if op.invocation.kind in DIRECT:
        return []
    service = str(contract.get("service", ""))
    return [p.found(op.location, op.name, service) for p in trigger_problems(op, contract.get("request") or {})]


def trigger_problems(op: OperationSpec, request: Schema) -> list[Problem]:
    problems = _handler_name(op)
    if request:
        problems.extend(_BY_KIND.get(op.invocation.kind, _any_object)(op, request))
    return problems


def _handler_name(op: OperationSpec) -> list[Problem]:
    if op.entry not in HANDLER_NAMES:
        return []
    return [Problem(TRIGGER_HANDLER_NAME, ERROR,
                    f"{op.name} would get a Lambda entry point named {op.entry!r}, which handler.py already "
                    "defines", "rename the function, or make the operation sync or async")]


def _any_object(op: OperationSpec, request: Schema) -> list[Problem]:
    """SQS, Kinesis, SNS and EventBridge carry a JSON object of the arguments: any signature fits."""
    return []


def _by_name(fields: Mapping[str, str], source: str) -> Check:
    def check(op: OperationSpec, request: Schema) -> list[Problem]:
        problems = [_signature(f"{op.name}: parameter {name!r} is not one of the {source} event's fields "
                               f"({', '.join(fields)})", "rename it after one of those fields, give it a default, "
                               "or compute it inside the function")
                    for name in _required(request) if name not in fields]
        problems.extend(_signature(f"{op.name}: parameter {name!r} gets the {source} event's {name} "
                                   f"({fields[name]}), which its annotation does not accept",
                                   f"annotate it as {_PYTHON[fields[name]]}")
                        for name, schema in _properties(request).items()
                        if name in fields and not _accepts(schema, fields[name], request))
        return problems
    return check


def _schedule(op: OperationSpec, request: Schema) -> list[Problem]:
    parameters = _properties(request)
    hint = "declare no parameter, or one annotated `datetime` (it gets the event's time)"
    if len(parameters) > 1:
        return [_signature(f"{op.name}: a scheduled function takes no parameter or one, not {len(parameters)}",
                           hint)]
    return [_signature(f"{op.name}: parameter {name!r} gets the schedule's time, a datetime, which its "
                       "annotation does not accept", hint)
            for name, schema in parameters.items() if not _accepts(schema, "date-time", request)]


def _http(op: OperationSpec, request: Schema) -> list[Problem]:
    method = str(op.invocation.setting("method", "POST")).upper()
    in_path = _PATH_PARAMETER.findall(str(op.invocation.setting("path", "")))
    if method not in BODYLESS_METHODS:
        return [Problem(HTTP_PATH_PARAMETER, WARNING,
                        f"{op.name}: {{{name}}} in the route is not passed to the function: a {method} request's "
                        "arguments are its JSON body", f"send {name!r} in the body as well, or route it with GET")
                for name in in_path]
    parameters = _properties(request)
    problems = [_signature(f"{op.name}: {{{name}}} in the route is not a parameter of the function, so every "
                           "request would be refused", f"name the route's parameter after one of the function's, "
                           f"or add a parameter {name!r}")
                for name in in_path if name not in parameters]
    problems.extend(_signature(f"{op.name}: parameter {name!r} cannot come from a {method} request's query string "
                               "or path (it is not a plain value)",
                               "use POST, PUT or PATCH (arguments in a JSON body), or take plain values")
                    for name in _required(request) if name in parameters and _structured(parameters[name], request))
    return problems


def _signature(message: str, hint: str) -> Problem:
    return Problem(TRIGGER_SIGNATURE, ERROR, message, hint)


def _properties(request: Schema) -> dict[str, Schema]:
    return dict(request.get("properties") or {})


def _required(request: Schema) -> list[str]:
    return list(request.get("required") or [])


def _resolve(schema: Schema, root: Schema) -> Schema:
    for _ in range(20):  # a chain of references, never a cycle, in pydantic's schemas
        ref = schema.get("$ref")
        if not isinstance(ref, str):
            break
        node: Any = root
        for part in ref.removeprefix("#/").split("/"):
            node = node.get(part, {})
        schema = node
    return schema


def _accepts(schema: Schema, expected: str, root: Schema) -> bool:
    """Whether a parameter's schema takes a value of `expected` kind (a JSON type, or date-time)."""
    schema = _resolve(schema, root)
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        return any(_accepts(branch, expected, root) for branch in branches)
    kind = schema.get("type")
    if kind is None:
        return "properties" not in schema or expected == "object"  # no type: Any (or an object)
    kinds = kind if isinstance(kind, list) else [kind]
    if expected == "date-time":
        return "string" in kinds and schema.get("format") == "date-time"
    if expected == "integer":
        return "integer" in kinds or "number" in kinds
    return expected in kinds


def _structured(schema: Schema, root: Schema) -> bool:
    """Objects and arrays cannot be read from a query string; scalars (and Any) can."""
    return not any(_accepts(schema, kind, root) for kind in ("string", "integer", "boolean", "null")) and (
        _accepts(schema, "object", root) or _accepts(schema, "array", root))


_PYTHON = {"string": "str", "integer": "int", "object": "dict (or a dataclass)"}
_BY_KIND: dict[str, Check] = {
    "s3": _by_name(S3_FIELDS, "S3"),
    "dynamodb": _by_name(DYNAMODB_FIELDS, "DynamoDB stream"),
    "schedule": _schedule,
    "http": _http,
}
