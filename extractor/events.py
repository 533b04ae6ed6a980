"""Sample events: what each operation's event source would send it, as `events/<operation>.json`.

A direct operation's sample is the invocation the monolith's proxies send. The arguments
are sampled from the contract (samples.py), with the values of a call in the function's
docstring when it has one. A triggered
operation's sample is a realistic event of its source (AWS's documented shapes, which
Powertools' parser models check), carrying the contract's sample arguments the way the
runtime reads them (m2l_runtime/triggers.py), for the plan's queue, bucket, prefix, topic,
stream, table or route. The SQS and Kinesis samples hold two records, the second with an
argument the contract forbids, so a package's own tests see a partial batch failure.

Pure and deterministic: fixed ids, times, account and region; no uuid4, no clock.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

from .samples import sample

ACCOUNT = "123456789012"
REGION = "us-east-1"
TIME = "2024-01-01T00:00:00Z"
EPOCH = 1704067200  # TIME, in seconds
INVALID_ARGUMENT = "not_a_parameter"  # no contract accepts it: every request schema forbids extra keys
BODY_METHODS = ("POST", "PUT", "PATCH")
_S3_CONCRETE = {"ObjectCreated": "Put", "ObjectRemoved": "Delete", "ObjectRestore": "Completed"}
_PATH_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\+?\}")
Event = dict[str, Any]


@dataclass(frozen=True)
class _Sample:
    """What every sample is made of: the operation, its plan settings, its sample arguments."""

    operation: str
    service: str
    settings: Mapping[str, Any]
    request: Mapping[str, Any]
    arguments: dict[str, Any]
    instance: Any = None  # an instance method's constructor arguments (a direct call sends them)

    @classmethod
    def of(cls, contract: Mapping[str, Any], example: Mapping[str, Any] | None = None,
           instance_example: Mapping[str, Any] | None = None) -> _Sample:
        request = contract.get("request") or {}
        arguments = sample(request) if request else {}
        arguments = arguments if isinstance(arguments, dict) else {}
        known = request.get("properties", {})
        arguments.update((k, v) for k, v in (example or {}).items() if k in known)  # the docstring's values
        instance = sample(contract["instance"]) if contract.get("instance") else None
        if isinstance(instance, dict):
            known = contract["instance"].get("properties", {})
            instance.update((k, v) for k, v in (instance_example or {}).items() if k in known)
        return cls(str(contract["operation"]), str(contract.get("service", "service")),
                   dict(contract.get("invocation", {}).get("settings", {})), request, arguments, instance)

    def name(self, setting: str) -> str:
        """The plan's source name, or one made from the operation's (as the stack would)."""
        default = f"{self.service}-{self.operation.rsplit('.', 1)[-1].replace('_', '-')}"
        return str(self.settings.get(setting) or default)

    def declared(self, parameter: str) -> Any:
        """A sample of one parameter the function declares (None when it does not)."""
        schema = self.request.get("properties", {}).get(parameter)
        if schema is None:
            return None
        return self.arguments[parameter] if parameter in self.arguments else sample(schema, self.request)


def sample_event(contract: Mapping[str, Any], example: Mapping[str, Any] | None = None,
                 instance: Mapping[str, Any] | None = None) -> Event:
    """The sample event of the operation whose contract document is `contract`; `example` holds
    arguments by parameter name that replace the sampled ones (from the function's docstring),
    `instance` an instance method's constructor arguments, likewise."""
    kind = str(contract.get("invocation", {}).get("kind", "sync"))
    return _BUILDERS.get(kind, _direct)(_Sample.of(contract, example, instance))


def _direct(s: _Sample) -> Event:
    event: Event = {"operation": s.operation, "arguments": s.arguments}
    if s.instance is not None:
        event["instance"] = s.instance
    return event


def _arn(service: str, name: str, resource: str = "") -> str:
    return name if name.startswith("arn:") else f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}{name}"


def _id(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012d}"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _fitting_then_not(s: _Sample) -> list[str]:
    """The two record payloads of a batch sample: the sample arguments, then a bad copy."""
    return [_json(s.arguments), _json({**s.arguments, INVALID_ARGUMENT: True})]


# Batches

def _sqs(s: _Sample) -> Event:
    queue = _arn("sqs", s.name("queue"))
    return {"Records": [_sqs_record(i, body, queue) for i, body in enumerate(_fitting_then_not(s), 1)]}


def _sqs_record(number: int, body: str, queue: str) -> Event:
    sent = EPOCH * 1000 + number
    return {
        "messageId": _id(number),
        "receiptHandle": f"AQEBsample{number:04d}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(sent),
                       "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": str(sent + 1)},
        "messageAttributes": {},
        "md5OfBody": _md5(body),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue,
        "awsRegion": REGION,
    }


def _kinesis(s: _Sample) -> Event:
    stream = _arn("kinesis", s.name("stream"), "stream/")
    return {"Records": [_kinesis_record(i, data, stream) for i, data in enumerate(_fitting_then_not(s), 1)]}


def _kinesis_record(number: int, data: str, stream: str) -> Event:
    sequence = f"4959033827149025660855969253836157109592157598913658{number:04d}"
    return {
        "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": str(number), "sequenceNumber": sequence,
                    "data": base64.b64encode(data.encode("utf-8")).decode("ascii"),
                    "approximateArrivalTimestamp": EPOCH + number / 1000},
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/lambda-role",
        "awsRegion": REGION,
        "eventSourceARN": stream,
    }


def _dynamodb(s: _Sample) -> Event:
    """One change record; MODIFY (with both images) when the function reads the old image."""
    keys = _object_or(s.declared("keys"), {"id": "1"})
    image = _object_or(s.declared("new_image"), keys)
    modify = s.declared("old_image") is not None
    change = {"ApproximateCreationDateTime": EPOCH, "Keys": _item(keys), "NewImage": _item(image),
              "SequenceNumber": "111000000000000000000001", "SizeBytes": len(_json(image)),
              "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if modify:
        change["OldImage"] = _item(_object_or(s.declared("old_image"), keys))
    table = s.name("table")
    stream = table if "/stream/" in table else f"{_arn('dynamodb', table, 'table/')}/stream/2024-01-01T00:00:00.000"
    return {"Records": [{"eventID": _md5("1"), "eventName": "MODIFY" if modify else "INSERT", "eventVersion": "1.1",
                         "eventSource": "aws:dynamodb", "awsRegion": REGION, "dynamodb": change,
                         "eventSourceARN": stream}]}


def _object_or(value: object, default: dict[str, Any]) -> dict[str, Any]:
    return value if isinstance(value, dict) and value else default


def _item(value: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _attribute(item) for key, item in value.items()}


def _attribute(value: object) -> dict[str, Any]:
    """A JSON value as a DynamoDB attribute value, the way a stream record carries it."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": str(value)}
    if isinstance(value, list):
        return {"L": [_attribute(item) for item in value]}
    if isinstance(value, dict):
        return {"M": _item(value)}
    return {"S": str(value)}


# Notifications

def _sns(s: _Sample) -> Event:
    topic = _arn("sns", s.name("topic"))
    subscription = f"{topic}:{_id(2)}"
    notification: Event = {
        "SignatureVersion": "1", "Timestamp": "2024-01-01T00:00:00.000Z", "Signature": "EXAMPLE",
        "SigningCertUrl": f"https://sns.{REGION}.amazonaws.com/SimpleNotificationService-sample.pem",
        "MessageId": _id(1), "Message": _json(s.arguments), "MessageAttributes": {}, "Type": "Notification",
        "UnsubscribeUrl": f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription}",
        "TopicArn": topic, "Subject": None,
    }
    return {"Records": [{"EventVersion": "1.0", "EventSubscriptionArn": subscription, "EventSource": "aws:sns",
                         "Sns": notification}]}


def _eventbridge(s: _Sample) -> Event:
    pattern = s.settings.get("pattern") or {}
    return _bridge_event(_first(pattern.get("source"), "m2l.sample"),
                         _first(pattern.get("detail-type"), "Sample Event"), [], s.arguments)


def _schedule(s: _Sample) -> Event:
    rule = _arn("events", s.name("rule"), "rule/")
    return _bridge_event("aws.events", "Scheduled Event", [rule], {})


def _bridge_event(source: str, detail_type: str, resources: list[str], detail: dict[str, Any]) -> Event:
    return {"version": "0", "id": _id(1), "detail-type": detail_type, "source": source, "account": ACCOUNT,
            "time": TIME, "region": REGION, "resources": resources, "detail": detail}


def _first(values: object, default: str) -> str:
    """The first plain value of an EventBridge pattern field (`["a", "b"]` or `"a"`)."""
    listed = values if isinstance(values, list) else [values]
    return next((str(value) for value in listed if isinstance(value, (str, int))), default)


def _s3(s: _Sample) -> Event:
    bucket = s.name("bucket")
    key = f"{s.settings.get('prefix') or ''}sample-object"
    name = _s3_event_name(s.settings.get("events"))
    stored: dict[str, Any] = {"key": quote_plus(key, safe="/"), "sequencer": "0055AED6DCD90281E5"}
    if not name.startswith("ObjectRemoved"):
        stored.update(size=1024, eTag=_md5(key))
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION, "eventTime": "2024-01-01T00:00:00.000Z",
        "eventName": name, "userIdentity": {"principalId": "AWS:AIDAINPONIXQXHT3IKHL2"},
        "requestParameters": {"sourceIPAddress": "192.0.2.1"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "sample/id"},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "mono2lambda-sample",
               "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A3NL1KOZZKEXAMPLE"},
                          "arn": f"arn:aws:s3:::{bucket}"},
               "object": stored},
    }]}


def _s3_event_name(events: object) -> str:
    """`s3:ObjectCreated:*` (the plan's first event type) -> `ObjectCreated:Put`, as S3 names it."""
    first = _first(events, "s3:ObjectCreated:*").removeprefix("s3:")
    family, _, detail = first.partition(":")
    return f"{family}:{_S3_CONCRETE.get(family, 'Put')}" if detail in ("*", "") else first


# HTTP

def _http(s: _Sample) -> Event:
    """An HTTP API (payload 2.0) request: a JSON body for POST, PUT and PATCH, else a query string."""
    planned = str(s.settings.get("method", "POST")).upper()
    method = "POST" if planned == "ANY" else planned
    route = str(s.settings.get("path", "/"))
    path_values = {name: _text(s.arguments.get(name, "1")) for name in _PATH_PARAMETER.findall(route)}
    path = _PATH_PARAMETER.sub(lambda m: quote_plus(path_values[m.group(1)]), route)
    headers = {"accept": "application/json", "host": "sample.execute-api.us-east-1.amazonaws.com"}
    if method in BODY_METHODS:
        headers["content-type"] = "application/json"
    return {"version": "2.0", "routeKey": f"{planned} {route}", "rawPath": path, "rawQueryString": "",
            "headers": headers, "requestContext": _http_context(method, f"{planned} {route}", path),
            "isBase64Encoded": False, **_http_arguments(s, method, path_values)}


def _http_arguments(s: _Sample, method: str, path_values: dict[str, str]) -> Event:
    """Where the request carries the arguments: a JSON body, or the query string (and the path)."""
    parts: Event = {"pathParameters": path_values} if path_values else {}
    if method in BODY_METHODS:
        return {**parts, "body": _json(s.arguments)}
    query = {key: _text(value) for key, value in s.arguments.items() if key not in path_values}
    if query:
        parts.update(queryStringParameters=query, rawQueryString=urlencode(sorted(query.items())))
    return parts


def _http_context(method: str, route_key: str, path: str) -> Event:
    return {"accountId": ACCOUNT, "apiId": "sample", "domainName": "sample.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "sample", "requestId": "sample-request-1", "routeKey": route_key,
            "stage": "$default", "time": "01/Jan/2024:00:00:00 +0000", "timeEpoch": EPOCH * 1000,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1",
                     "userAgent": "mono2lambda-sample"}}


def _text(value: object) -> str:
    """A sample value as a query string or path carries it (JSON for anything but text)."""
    return value if isinstance(value, str) else json.dumps(value)


_BUILDERS: dict[str, Callable[[_Sample], Event]] = {
    "sqs": _sqs, "kinesis": _kinesis, "dynamodb": _dynamodb, "sns": _sns, "eventbridge": _eventbridge,
    "schedule": _schedule, "s3": _s3, "http": _http,
}
