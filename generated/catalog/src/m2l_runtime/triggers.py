"""Event-triggered operations: an event source's event in, calls of the operation, the
answer that source expects out.

Every call is checked against the operation's contract first, so code never sees
arguments that do not fit it. How each kind of event becomes arguments:

    sqs        each record's body is a JSON object of the arguments
    kinesis    each record's data is base64 of a JSON object of the arguments
    dynamodb   each record fills the parameters named `event_name` (INSERT, MODIFY or
               REMOVE), `keys`, `new_image` and `old_image` that the function declares;
               the images are plain JSON (numbers as int or float, sets as sorted lists,
               binary as base64 text); an image the record lacks is left out
    sns        each record's Message is a JSON object of the arguments
    eventbridge the event's `detail` is the JSON object of the arguments
    s3         each record fills the parameters named `bucket`, `key` (URL-decoded),
               `size`, `etag`, `event_name` (e.g. ObjectCreated:Put) and `version_id`
               that the function declares (a value the record lacks is left out, so a
               default applies)
    schedule   a function with no parameters is called with none; one with a single
               parameter gets the event's `time` (a timezone-aware UTC datetime)
    http       (API Gateway HTTP API, payload 2.0) the JSON body is the object of the
               arguments; a request without a body takes them from its query string and
               path parameters (text, converted by the contract)

What each answers, and what happens when something fails:

    sqs, kinesis, dynamodb   `{"batchItemFailures": [...]}` (Powertools batch processing):
                             a record that does not fit the contract or whose call raised
                             is reported, the others are done; when every record failed
                             the handler raises, so the failure shows in Lambda's metrics
    sns, s3                  `{"results": [...]}`, one per record; every record is
                             checked before the first call
    eventbridge, schedule    `{"result": ...}`
    (all five)               an event that does not fit raises ContractError and an
                             exception from the code is raised as is: Lambda retries the
                             event, then hands it to the dead-letter queue or destination
    http                     200 with the result as the JSON body; 400 with
                             `{"error": ...}` (the contract error) for a request that does
                             not fit; 422 with the error envelope when the code raised a
                             ValueError (the idiomatic base of "bad input" domain errors);
                             500 for any other exception, whose envelope keeps the type
                             but not the message (HTTP callers may be outside the trust
                             boundary; the full error is logged)

Powertools' batch and parser utilities are imported on the first event of their kind,
so a function pays only for the event source it serves.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import unquote_plus

from .contract import Contract, contract_of
from .errors import ContractError, encode_error

Answer = dict[str, Any]
Server = Callable[[Contract, Callable[..., Any], dict[str, Any], object], Answer]
Arguments = tuple[list[Any], dict[str, Any]]

S3_FIELDS = ("bucket", "key", "size", "etag", "event_name", "version_id")
DYNAMODB_FIELDS = ("event_name", "keys", "new_image", "old_image")
JSON_HEADERS = {"content-type": "application/json"}

log = logging.getLogger(__name__)


def serve(kind: str, function: Callable[..., Any], event: object, context: object = None) -> Answer:
    """Run `function` for one event of an event source of `kind` (see the module's rules)."""
    server = _SERVERS.get(kind)
    if server is None:
        raise ContractError(f"{kind!r} is not an event trigger; use one of {', '.join(sorted(_SERVERS))}")
    if not isinstance(event, dict):
        raise ContractError(f"a {kind} event must be a JSON object, got {type(event).__name__}")
    return server(contract_of(function), function, event, context)


# Batches: one call per record, failures reported per record.

def _batch(event_type: str, arguments_of: Callable[[Contract, Any], object]) -> Server:
    def serve_batch(contract: Contract, function: Callable[..., Any], event: dict[str, Any],
                    context: object) -> Answer:
        from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

        if not isinstance(event.get("Records"), list):
            raise ContractError(f"a {event_type} batch event has a list of Records; this one has none")

        def record_handler(record: Any) -> object:
            args, kwargs = contract.load_request(arguments_of(contract, record))
            return function(*args, **kwargs)

        processor = BatchProcessor(event_type=EventType[event_type])
        return dict(process_partial_response(event, record_handler, processor, context))  # type: ignore[arg-type]  # any LambdaContext-like object
    return serve_batch


def _sqs_arguments(contract: Contract, record: Any) -> object:
    return _json(lambda: record.body, "body")


def _kinesis_arguments(contract: Contract, record: Any) -> object:
    return _json(lambda: record.kinesis.data_as_text(), "data")


def _dynamodb_arguments(contract: Contract, record: Any) -> object:
    stream = record.dynamodb
    raw = stream.raw_event if stream is not None else {}
    values = {
        "event_name": record.event_name.name if record.event_name is not None else None,
        "keys": _plain(stream.keys) if "Keys" in raw else None,
        "new_image": _plain(stream.new_image) if "NewImage" in raw else None,
        "old_image": _plain(stream.old_image) if "OldImage" in raw else None,
    }
    return _named(contract, values)


def _json(read: Callable[[], str], what: str) -> object:
    try:
        return json.loads(read())
    except ValueError as exc:  # also bad base64 and bad UTF-8
        raise ContractError(f"the record's {what} is not JSON: {exc}") from exc


def _plain(value: Any) -> Any:
    """A deserialized DynamoDB value as the JSON a direct invocation would carry."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(item) for item in value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


# Envelopes: validated whole before the first call; failures raise.

def _sns(contract: Contract, function: Callable[..., Any], event: dict[str, Any], context: object) -> Answer:
    from aws_lambda_powertools.utilities.parser.envelopes import SnsEnvelope

    requests = _parsed(lambda: SnsEnvelope().parse(data=event, model=contract.request))
    return {"results": [_call(contract, function, contract.call_arguments(request)) for request in requests]}


def _eventbridge(contract: Contract, function: Callable[..., Any], event: dict[str, Any], context: object) -> Answer:
    from aws_lambda_powertools.utilities.parser.envelopes import EventBridgeEnvelope

    request = _parsed(lambda: EventBridgeEnvelope().parse(data=event, model=contract.request))
    if request is None:
        raise ContractError("the EventBridge event has no detail")
    return {"result": _call(contract, function, contract.call_arguments(request))}


def _schedule(contract: Contract, function: Callable[..., Any], event: dict[str, Any], context: object) -> Answer:
    from aws_lambda_powertools.utilities.parser import parse
    from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

    scheduled = _parsed(lambda: parse(event=event, model=EventBridgeModel))
    names = list(contract.signature.parameters)
    if len(names) > 1:
        raise ContractError(f"{contract.name}: a scheduled function takes no parameter or one (the time), "
                            f"not {len(names)}")
    arguments = {names[0]: scheduled.time} if names else {}
    return {"result": _call(contract, function, contract.load_request(arguments))}


def _s3(contract: Contract, function: Callable[..., Any], event: dict[str, Any], context: object) -> Answer:
    from aws_lambda_powertools.utilities.parser import parse
    from aws_lambda_powertools.utilities.parser.models import S3Model

    records = _parsed(lambda: parse(event=event, model=S3Model)).Records
    calls = [contract.load_request(_named(contract, _s3_values(record))) for record in records]
    return {"results": [_call(contract, function, arguments) for arguments in calls]}


def _s3_values(record: Any) -> dict[str, object]:
    stored = record.s3.object or record.s3.get_object
    return {
        "bucket": record.s3.bucket.name,
        "key": unquote_plus(stored.key) if stored is not None else None,  # S3 sends keys URL-encoded
        "size": int(stored.size) if stored is not None and stored.size is not None else None,
        "etag": stored.eTag if stored is not None else None,
        "event_name": record.eventName,
        "version_id": stored.versionId if stored is not None else None,
    }


def _http(contract: Contract, function: Callable[..., Any], event: dict[str, Any], context: object) -> Answer:
    try:
        args, kwargs = _http_arguments(contract, event)
    except ContractError as exc:
        return _http_answer(400, {"error": encode_error(exc)})
    try:
        result = contract.dump_result(function(*args, **kwargs))
    except ValueError as exc:
        return _http_answer(422, {"error": encode_error(exc)})
    except Exception as exc:
        log.exception("%s raised on an HTTP request", contract.name)
        internal = {"errorType": encode_error(exc)["errorType"], "errorMessage": "internal error (see the logs)"}
        return _http_answer(500, {"error": internal})
    return _http_answer(200, result)


def _http_arguments(contract: Contract, event: dict[str, Any]) -> Arguments:
    from aws_lambda_powertools.utilities.parser.envelopes import ApiGatewayV2Envelope

    request = _parsed(lambda: ApiGatewayV2Envelope().parse(data=_with_text_body(event), model=contract.request))
    if request is not None:
        return contract.call_arguments(request)
    parameters = {**(event.get("queryStringParameters") or {}), **(event.get("pathParameters") or {})}
    return contract.load_request(parameters)


def _with_text_body(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its body as text, or None when it has none (an empty body is none)."""
    body = event.get("body")
    if body and event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(body).decode("utf-8")
        except ValueError as exc:
            raise ContractError(f"the request's body is not base64 of UTF-8 text: {exc}") from exc
    return {**event, "body": body or None, "isBase64Encoded": False}


def _http_answer(status: int, body: object) -> Answer:
    return {"statusCode": status, "headers": dict(JSON_HEADERS), "body": json.dumps(body)}


# Shared steps.

def _named(contract: Contract, values: Mapping[str, object]) -> dict[str, object]:
    """The values the function declares a parameter for (absent ones left out, so defaults apply)."""
    return {name: values[name] for name in contract.signature.parameters
            if name in values and values[name] is not None}


def _parsed(parse: Callable[[], Any]) -> Any:
    """Run a Powertools parser, turning a mismatch into the runtime's ContractError."""
    try:
        return parse()
    except ValueError as exc:  # pydantic's ValidationError, and JSON errors, are ValueErrors
        raise ContractError(f"the event does not match the contract: {_summary(exc)}") from exc


def _summary(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return str(error)
    problems = [f"{'.'.join(str(part) for part in item['loc']) or '(root)'}: {item['msg']}" for item in errors()]
    return "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")


def _call(contract: Contract, function: Callable[..., Any], arguments: Arguments) -> object:
    args, kwargs = arguments
    return contract.dump_result(function(*args, **kwargs))


_SERVERS: dict[str, Server] = {
    "sqs": _batch("SQS", _sqs_arguments),
    "kinesis": _batch("KinesisDataStreams", _kinesis_arguments),
    "dynamodb": _batch("DynamoDBStreams", _dynamodb_arguments),
    "sns": _sns,
    "eventbridge": _eventbridge,
    "schedule": _schedule,
    "s3": _s3,
    "http": _http,
}
TRIGGERS = tuple(sorted(_SERVERS))
