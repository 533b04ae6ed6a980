"""The AsyncAPI 3.0 document of a service: what its asynchronous operations receive.

A synchronous operation answers its caller, and its contract file says all a caller needs.
An asynchronous invocation or an event trigger has producers instead of callers, and the
tools such teams use (AsyncAPI Studio, generators, catalogues) read AsyncAPI, so every
service with such operations also gets `contracts/asyncapi.json`.

One channel, one message and one `receive` operation per operation, keyed by the
operation's name:
- async: the channel is the service's Lambda function (address `{service}/{operation}`),
  and the message is the event the runtime's handler reads, `{"operation", "arguments"}`,
  with `arguments` the operation's request schema (and, for an instance method, `instance`,
  its object's constructor arguments);
- sqs, sns, s3, eventbridge, dynamodb, kinesis, schedule: the channel is the queue, topic,
  bucket, bus, table, stream or schedule named in the invocation's settings (null, which
  AsyncAPI reads as "unknown", when the plan does not name it), and the message payload is
  the request schema. SQS and SNS channels carry their AsyncAPI bindings when the queue or
  topic is known; the other services have no binding in AsyncAPI 3.0.
HTTP-triggered operations answer their caller, so they belong to an OpenAPI document, not
here.

The request schemas' `$defs` move to `components.schemas`. A definition keeps its own name
when one operation has it, or every operation that has it defines it the same way (a
shared domain type appears once); otherwise each operation's copy is named
`{operation}.{name}`. So names depend only on the contracts, never on their order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

ASYNCAPI_VERSION = "3.0.0"
MESSAGE = "request"  # the one message of each channel
_DEFS = "#/$defs/"
_SCHEMAS = "#/components/schemas/"
_ADDRESS_SETTING = {"sqs": "queue", "sns": "topic", "s3": "bucket", "eventbridge": "bus", "dynamodb": "table",
                    "kinesis": "stream", "schedule": "expression"}
_SOURCE = {
    "async": "Asynchronous invocations (InvocationType=Event) of the service's Lambda function for this operation",
    "sqs": "Messages from the SQS queue",
    "sns": "Notifications from the SNS topic",
    "s3": "Event notifications from the S3 bucket",
    "eventbridge": "Events from the EventBridge bus",
    "dynamodb": "Records from the DynamoDB table's stream",
    "kinesis": "Records from the Kinesis stream",
    "schedule": "Scheduled events",
}

Schema = Mapping[str, Any]


def asyncapi_document(service: str, title: str, contracts: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """None when the service has no asynchronous or event-triggered operation."""
    received = sorted((contract for contract in contracts if _kind(contract) in _SOURCE),
                      key=lambda contract: str(contract["operation"]))
    if not received:
        return None
    names = _component_names({contract["operation"]: _defs(contract) for contract in received})
    document: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": title, "version": "1.0.0",
                 "description": f"What the {service} service receives without answering: its asynchronous "
                                "and event-triggered operations."},
        "defaultContentType": "application/json",
        "channels": {c["operation"]: _channel(service, c, names[c["operation"]]) for c in received},
        "operations": {c["operation"]: _operation(c["operation"]) for c in received},
    }
    schemas = _component_schemas(received, names)
    if schemas:
        document["components"] = {"schemas": schemas}
    return document


def _component_names(defs_by_operation: Mapping[str, Schema]) -> dict[str, dict[str, str]]:
    """operation -> {its `$defs` name -> its name in `components.schemas`}."""
    shared = _shared_names(defs_by_operation)
    return {operation: {name: name if name in shared else f"{operation}.{name}" for name in defs}
            for operation, defs in defs_by_operation.items()}


def _shared_names(defs_by_operation: Mapping[str, Schema]) -> set[str]:
    """Names that can stay plain: defined by one operation, or identically by all that define
    them, references included (an `Order` that is the same text in two operations but points
    at a `Line` that is not, differs)."""
    versions: dict[str, list[Any]] = defaultdict(list)
    for defs in defs_by_operation.values():
        for name, schema in defs.items():
            versions[name].append(schema)
    shared = {name for name, found in versions.items() if all(schema == found[0] for schema in found)}
    while unshared := {name for name in shared
                       if len(versions[name]) > 1 and not _references(versions[name][0]) <= shared}:
        shared -= unshared
    return shared


def _component_schemas(received: Sequence[dict[str, Any]], names: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for contract in received:
        renamed = names[contract["operation"]]
        for name, schema in _defs(contract).items():
            schemas[renamed[name]] = _rewrite(schema, renamed)
    return dict(sorted(schemas.items()))


def _channel(service: str, contract: Mapping[str, Any], renamed: Mapping[str, str]) -> dict[str, Any]:
    kind, operation = _kind(contract), contract["operation"]
    address = _address(service, contract)
    where = "" if kind == "async" or address is None else f" '{address}'"
    channel: dict[str, Any] = {
        "address": address,
        "title": operation,
        "description": f"{_SOURCE[kind]}{where}; each one starts {operation}.",
        "messages": {MESSAGE: _message(contract, renamed)},
    }
    bindings = _bindings(kind, _settings(contract))
    if bindings:
        channel["bindings"] = bindings
    return channel


def _address(service: str, contract: Mapping[str, Any]) -> str | None:
    kind = _kind(contract)
    if kind == "async":
        return f"{service}/{contract['operation']}"
    default = "default" if kind == "eventbridge" else None  # a rule without a bus is on the default bus
    address = _settings(contract).get(_ADDRESS_SETTING[kind], default)
    return None if address is None else str(address)


def _message(contract: Mapping[str, Any], renamed: Mapping[str, str]) -> dict[str, Any]:
    request = {key: value for key, value in contract.get("request", {}).items() if key != "$defs"}
    arguments = _rewrite(request, renamed)
    instance = {key: value for key, value in contract.get("instance", {}).items() if key != "$defs"}
    payload = (_invocation_event(contract["operation"], arguments, _rewrite(instance, renamed) if instance else None)
               if _kind(contract) == "async" else arguments)
    return {"name": MESSAGE, "title": f"{contract['operation']} request", "contentType": "application/json",
            "payload": payload}


def _invocation_event(operation: str, arguments: Schema, instance: Schema | None = None) -> dict[str, Any]:
    """The event the runtime's Lambda handler reads for a direct invocation (with an instance
    method's constructor arguments, `instance`)."""
    event: dict[str, Any] = {
        "type": "object",
        "title": f"{operation} invocation",
        "properties": {
            "operation": {"type": "string", "const": operation},
            "arguments": arguments,
            "correlation_id": {"type": "string", "description": "Carried into the service's logs."},
        },
        "required": ["operation", "arguments"],
    }
    if instance is not None:
        event["properties"]["instance"] = instance
        event["required"].append("instance")
    return event


def _operation(operation: str) -> dict[str, Any]:
    channel = f"#/channels/{_pointer(operation)}"
    return {"action": "receive", "channel": {"$ref": channel}, "messages": [{"$ref": f"{channel}/messages/{MESSAGE}"}],
            "summary": f"The service runs {operation} for each message."}


def _bindings(kind: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    if kind == "sqs" and settings.get("queue"):
        queue = str(settings["queue"])
        return {"sqs": {"queue": {"name": queue, "fifoQueue": queue.endswith(".fifo")}, "bindingVersion": "0.2.0"}}
    if kind == "sns" and settings.get("topic"):
        return {"sns": {"name": str(settings["topic"]), "bindingVersion": "0.1.0"}}
    return {}


def _rewrite(value: Any, renamed: Mapping[str, str]) -> Any:
    """A copy of `value` whose `#/$defs/X` references point at `#/components/schemas/...`."""
    if isinstance(value, Mapping):
        return {key: _renamed_ref(item, renamed) if key == "$ref" else _rewrite(item, renamed)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_rewrite(item, renamed) for item in value]
    return value


def _renamed_ref(ref: object, renamed: Mapping[str, str]) -> object:
    if isinstance(ref, str) and ref.startswith(_DEFS):
        name = ref[len(_DEFS):]
        return _SCHEMAS + _pointer(renamed.get(name, name))
    return ref


def _references(value: Any) -> set[str]:
    """The `$defs` names a schema refers to."""
    if isinstance(value, Mapping):
        own = {value["$ref"][len(_DEFS):]} if str(value.get("$ref", "")).startswith(_DEFS) else set()
        return own.union(*(_references(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_references(item) for item in value))
    return set()


def _pointer(token: str) -> str:
    """A JSON Pointer token (RFC 6901): `~` and `/` escaped."""
    return token.replace("~", "~0").replace("/", "~1")


def _kind(contract: Mapping[str, Any]) -> str:
    return str(contract.get("invocation", {}).get("kind", "sync"))


def _settings(contract: Mapping[str, Any]) -> Mapping[str, Any]:
    return contract.get("invocation", {}).get("settings", {}) or {}


def _defs(contract: Mapping[str, Any]) -> Schema:
    """The definitions the request (and an instance method's constructor arguments) refer to."""
    return {**(contract.get("instance", {}).get("$defs") or {}), **(contract.get("request", {}).get("$defs") or {})}
