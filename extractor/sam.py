"""The AWS SAM template and samconfig.toml of one generated service package.

The caller describes the service in plain words (`Template`, `Function`, `Trigger`);
this module derives what a deployable stack needs beyond those words: the resources
the stack creates (queues, topics, buckets, streams, tables, dead-letter queues),
their logical ids, one SAM event per trigger (the properties per kind: sam_events.py),
least-privilege policies and outputs.
The jinja templates hold the layout; every value goes through the `literal` filter, a
JSON-style flow literal, which is valid YAML (and a valid TOML string or boolean), so
no name or description can break the quoting. Intrinsic functions use the long form
(`{"Fn::GetAtt": [...]}`) so that any plain YAML loader reads the template.

Output is deterministic: the renderer keeps the caller's order of functions, triggers
and environment variables (callers sort them: `sorted(triggers, key=trigger_order)`
gives each event a stable name), and sorts everything it derives itself.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from analyzer.errors import InputError

from .render import environment, literal
from .sam_events import EVENT_BUILDERS, EVENT_NAMES, Reference, Settings

DLQ_RETENTION = 1_209_600  # 14 days, the SQS maximum: time to look at what failed
QUEUE_RETENTION = 345_600  # 4 days, the SQS default, written out so no one has to look it up
STREAM_RETENTION_HOURS = 24  # the Kinesis default, likewise
MAX_VISIBILITY_TIMEOUT = 43_200
_LOGICAL_ID = re.compile(r"^[A-Za-z0-9]{1,255}$")


@dataclass(frozen=True)
class Trigger:
    """One event source of a function; `settings` are sorted (name, value) pairs of plain YAML data."""

    kind: str  # schedule, sqs, sns, eventbridge, s3, dynamodb, kinesis, http
    settings: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class Function:
    logical_id: str  # CloudFormation logical id, alphanumeric, e.g. "TaxFunction"
    function_name: str
    handler: str
    description: str
    memory: int  # MB
    timeout: int  # seconds
    asynchronous: bool  # invoked with InvocationType=Event: gets a dead-letter queue and an EventInvokeConfig
    triggers: tuple[Trigger, ...]  # sorted by the caller (`trigger_order`): event names follow this order
    invokes: tuple[str, ...]  # function names of the other services it calls
    environment: tuple[tuple[str, str], ...]  # sorted
    secrets: tuple[tuple[str, str], ...] = ()  # variable -> ssm:/path or secretsmanager:name-or-arn, read at cold start
    vpc: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # (subnet ids, security group ids)
    layers: tuple[str, ...] = ()  # layer version ARNs
    policies: tuple[object, ...] = ()  # the plan's own: managed policy ARNs, IAM statements (plain dicts)


@dataclass(frozen=True)
class Template:
    service: str
    description: str
    runtime: str  # e.g. "python3.12"
    architecture: str  # "x86_64" or "arm64"
    functions: tuple[Function, ...]
    stack_name: str
    region: str | None = None  # samconfig.toml's; None leaves it to `sam deploy` (the profile's, AWS_REGION)


@dataclass(frozen=True)
class _Stock:
    """How the stack creates the resource behind a trigger that names (rather than ARNs) its source."""

    setting: str  # the trigger setting that holds the name
    suffix: str  # of the logical id, which also tells the kind: OrdersQueue, UploadsBucket
    type: str
    reference: Callable[[str], object]  # logical id -> what the SAM event expects
    outputs: tuple[tuple[str, str, Callable[[str], object]], ...]  # (id suffix, description, value)


def _ref(logical_id: str) -> object:
    return {"Ref": logical_id}


def _get_att(attribute: str) -> Callable[[str], object]:
    return lambda logical_id: {"Fn::GetAtt": [logical_id, attribute]}


_QUEUE_OUTPUTS = (("Url", "URL of", _ref), ("Arn", "ARN of", _get_att("Arn")))
_STOCK = {
    "sqs": _Stock("queue", "Queue", "AWS::SQS::Queue", _get_att("Arn"), _QUEUE_OUTPUTS),
    "sns": _Stock("topic", "Topic", "AWS::SNS::Topic", _ref,
                  (("Arn", "ARN of", _ref), ("Name", "name of", _get_att("TopicName")))),
    "s3": _Stock("bucket", "Bucket", "AWS::S3::Bucket", _ref,
                 (("Name", "name of", _ref), ("Arn", "ARN of", _get_att("Arn")))),
    "kinesis": _Stock("stream", "Stream", "AWS::Kinesis::Stream", _get_att("Arn"),
                      (("Name", "name of", _ref), ("Arn", "ARN of", _get_att("Arn")))),
    "dynamodb": _Stock("table", "Table", "AWS::DynamoDB::Table", _get_att("StreamArn"),
                       (("Name", "name of", _ref), ("StreamArn", "stream ARN of", _get_att("StreamArn")))),
}


@dataclass(frozen=True)
class _Output:
    logical_id: str
    description: str
    value: object


@dataclass(frozen=True)
class _Resource:
    logical_id: str
    type: str
    properties: tuple[tuple[str, object], ...]
    outputs: tuple[_Output, ...]


@dataclass(frozen=True)
class _Event:
    name: str
    type: str
    properties: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class _FunctionView:
    spec: Function
    policies: tuple[object, ...]
    events: tuple[_Event, ...]
    dead_letter_arn: object  # None unless the function is asynchronous


def trigger_order(trigger: Trigger) -> tuple[str, str]:
    """The key callers sort triggers by: settings may hold dicts, which do not compare."""
    return trigger.kind, literal(trigger.settings)


def render_template(view: Template) -> str:
    """The package's template.yaml."""
    _check(view)
    sources = _created_sources(view.functions)
    taken = [fn.logical_id for fn in view.functions] + [_dlq_id(fn) for fn in view.functions if fn.asynchronous]
    ids = _assign_ids(sources, taken)
    resources = sorted([*_dead_letter_queues(view.functions), *_stock_resources(sources, ids)],
                       key=lambda resource: resource.logical_id)
    outputs = [*_function_outputs(view), *(out for resource in resources for out in resource.outputs)]
    _check_unique("output", [output.logical_id for output in outputs])
    reference = _reference(ids)
    return environment().get_template("template.yaml.j2").render(
        view=view,
        global_variables=[("POWERTOOLS_SERVICE_NAME", view.service), ("POWERTOOLS_LOG_LEVEL", "INFO")],
        functions=[_function_view(fn, reference) for fn in view.functions],
        resources=resources,
        outputs=outputs,
    )


def render_samconfig(view: Template) -> str:
    """The package's samconfig.toml: `sam deploy` with no flags deploys the stack."""
    return environment().get_template("samconfig.toml.j2").render(view=view)


def _check(view: Template) -> None:
    if not view.functions:
        raise InputError(f"service {view.service!r} has no function", hint="a SAM template needs at least one")
    for fn in view.functions:
        if not _LOGICAL_ID.match(fn.logical_id):
            raise InputError(f"logical id {fn.logical_id!r} of {fn.function_name} is not alphanumeric",
                             hint="CloudFormation logical ids use only A-Z, a-z and 0-9")
    _check_unique("function logical id", [fn.logical_id for fn in view.functions])


def _check_unique(what: str, ids: Iterable[str]) -> None:
    twice = sorted(name for name, count in Counter(ids).items() if count > 1)
    if twice:
        raise InputError(f"duplicate {what}: {', '.join(twice)}", hint="rename one of the clashing resources")


def _created_sources(functions: Iterable[Function]) -> dict[tuple[str, str], tuple[Function, ...]]:
    """(kind, name) of every source the stack creates, with the functions it feeds (sorted)."""
    consumers: dict[tuple[str, str], list[Function]] = {}
    for fn in functions:
        for trigger in fn.triggers:
            name = _created_name(trigger.kind, _settings(fn, trigger))
            if name is not None:
                consumers.setdefault((trigger.kind, name), []).append(fn)
    return {key: tuple(consumers[key]) for key in sorted(consumers)}


def _created_name(kind: str, settings: Settings) -> str | None:
    """The name of the source the stack creates for a trigger, or None when it is referenced by ARN."""
    stock = _STOCK.get(kind)
    if stock is None:
        return None
    name = str(settings[stock.setting])
    return None if name.startswith("arn:") else name


def _settings(fn: Function, trigger: Trigger) -> Settings:
    """The trigger's settings, with its source named after the function when the plan names none.

    The plan lets `queue`, `topic`, `bucket`, `table` and `stream` out: the stack then
    creates a source of its own (a bucket name must be lowercase, without underscores)."""
    settings = dict(trigger.settings)
    stock = _STOCK.get(trigger.kind)
    if stock is not None and not settings.get(stock.setting):
        name = fn.function_name
        settings[stock.setting] = re.sub(r"[^a-z0-9.-]", "-", name.lower()) if trigger.kind == "s3" else name
    return settings


def _assign_ids(sources: Iterable[tuple[str, str]], taken: list[str]) -> dict[tuple[str, str], str]:
    """Logical ids from names: queue `order-events` -> `OrderEventsQueue`, stable while the name is.

    Camel-casing loses separators and case (`a-b`, `a_b` and `aB` all give `AB`), so a
    name whose id would clash gets a digest of its exact spelling before the suffix."""
    base = {key: (_camel(key[1]), _STOCK[key[0]].suffix) for key in sources}
    clashes = Counter(body + suffix for body, suffix in base.values())
    ids = {}
    for key, (body, suffix) in base.items():
        clear = clashes[body + suffix] == 1 and body + suffix not in taken
        ids[key] = body + suffix if clear else body + _digest(key[1]) + suffix
    _check_unique("logical id", [*taken, *ids.values()])
    return ids


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name))


def _digest(name: str) -> str:
    return "H" + hashlib.sha256(name.encode()).hexdigest()[:8].upper()


def _dlq_id(fn: Function) -> str:
    return fn.logical_id + "DeadLetterQueue"


def _dead_letter_queues(functions: Iterable[Function]) -> list[_Resource]:
    """One SQS queue per asynchronous function: Lambda parks there what failed every retry."""
    return [
        _resource(_dlq_id(fn), "AWS::SQS::Queue", _QUEUE_OUTPUTS, f"dead-letter queue of {fn.function_name}",
                  {"QueueName": f"{fn.function_name}-dlq", "MessageRetentionPeriod": DLQ_RETENTION})
        for fn in functions if fn.asynchronous
    ]


def _stock_resources(sources: dict[tuple[str, str], tuple[Function, ...]],
                     ids: dict[tuple[str, str], str]) -> list[_Resource]:
    resources = []
    for (kind, name), consumers in sources.items():
        stock = _STOCK[kind]
        properties = _STOCK_PROPERTIES[kind](name, consumers)
        title = f"{stock.suffix.lower()} {name}"
        resources.append(_resource(ids[kind, name], stock.type, stock.outputs, title, properties))
    return resources


def _resource(logical_id: str, type_: str, outputs: tuple[tuple[str, str, Callable[[str], object]], ...],
              title: str, properties: Settings) -> _Resource:
    return _Resource(
        logical_id, type_, tuple(sorted(properties.items())),
        tuple(_Output(logical_id + suffix, f"{prefix} the {title}", value(logical_id))
              for suffix, prefix, value in outputs),
    )


def _queue(name: str, consumers: tuple[Function, ...]) -> Settings:
    """Visibility at six times the slowest consumer's timeout, as AWS advises for Lambda pollers."""
    visibility = min(MAX_VISIBILITY_TIMEOUT, 6 * max(fn.timeout for fn in consumers))
    fifo = {"FifoQueue": True} if name.endswith(".fifo") else {}
    return {"QueueName": name, "VisibilityTimeout": visibility, "MessageRetentionPeriod": QUEUE_RETENTION, **fifo}


def _table(name: str, consumers: tuple[Function, ...]) -> Settings:
    """A table only exists here to have a stream: the smallest key schema, paid per request."""
    key = "pk"
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


_STOCK_PROPERTIES: dict[str, Callable[[str, tuple[Function, ...]], Settings]] = {
    "sqs": _queue,
    "sns": lambda name, _: {"TopicName": name},
    "s3": lambda name, _: {"BucketName": name},
    "kinesis": lambda name, _: {"Name": name, "RetentionPeriodHours": STREAM_RETENTION_HOURS,
                                "StreamModeDetails": {"StreamMode": "ON_DEMAND"}},
    "dynamodb": _table,
}


def _function_outputs(view: Template) -> list[_Output]:
    outputs = []
    for fn in view.functions:
        outputs.append(_Output(fn.logical_id + "Arn", f"ARN of {fn.function_name}", _get_att("Arn")(fn.logical_id)))
        outputs.append(_Output(fn.logical_id + "Name", f"name of {fn.function_name}", _ref(fn.logical_id)))
    if any(trigger.kind == "http" for fn in view.functions for trigger in fn.triggers):
        url = {"Fn::Sub": "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"}
        outputs.append(_Output("HttpApiUrl", f"URL of the {view.service} HTTP API", url))
    return outputs


def _reference(ids: dict[tuple[str, str], str]) -> Reference:
    """ARNs stay as written; names point at the resource the stack creates."""
    def reference(kind: str, value: object) -> object:
        text = str(value)
        return text if text.startswith("arn:") else _STOCK[kind].reference(ids[kind, text])
    return reference


def _function_view(fn: Function, reference: Reference) -> _FunctionView:
    dead_letter_arn = _get_att("Arn")(_dlq_id(fn)) if fn.asynchronous else None
    return _FunctionView(fn, tuple(_policies(fn)), tuple(_events(fn, reference)), dead_letter_arn)


def _policies(fn: Function) -> list[object]:
    """Least privilege: invoke exactly the listed functions, read the buckets it is triggered by
    and the secrets it reads at cold start; then the plan's own policies, as written.

    An inline statement on each function's exact ARN, since SAM's LambdaInvokePolicy
    allows `function:<name>*`, any function whose name merely starts with it. SAM grants
    pollers (SQS, Kinesis, DynamoDB) their rights itself, and the rights a function in a
    VPC needs for its network interfaces (AWSLambdaVPCAccessExecutionRole) when VpcConfig
    is set. The bucket is named literally: a `Ref` would make bucket, function and role
    depend on each other in a circle."""
    names = sorted(set(fn.invokes))
    invoke = [_document([{
        "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
        "Resource": [{"Fn::Sub": f"arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}"}
                     for name in names]}])] if names else []
    buckets = sorted({str(_settings(fn, t)["bucket"]) for t in fn.triggers if t.kind == "s3"})
    statements = [p for p in fn.policies if isinstance(p, dict)]
    managed = sorted(str(p) for p in fn.policies if isinstance(p, str))
    return [*invoke, *({"S3ReadPolicy": {"BucketName": bucket}} for bucket in buckets), *_secret_policies(fn),
            *([_document(statements)] if statements else []), *managed]


def _document(statements: Sequence[object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": statements}


def _secret_policies(fn: Function) -> list[object]:
    """Read exactly the parameters and secrets the bootstrap resolves (`ssm:GetParameter`,
    `secretsmanager:GetSecretValue`). A secret named rather than given by ARN is matched with
    the six characters Secrets Manager appends to its ARN. Parameters and secrets encrypted
    with the account's default keys need nothing more; a customer managed KMS key needs
    `kms:Decrypt` in `policies:`."""
    prefix = "arn:${AWS::Partition}:%s:${AWS::Region}:${AWS::AccountId}:"
    parameters: set[str] = set()
    secrets: set[tuple[bool, str]] = set()  # (given as an ARN, the ARN or the Fn::Sub text)
    for _, reference in fn.secrets:
        store, _, name = reference.partition(":")
        if store == "ssm":
            parameters.add(prefix % "ssm" + "parameter/" + name.lstrip("/"))
        else:
            secrets.add((True, name) if name.startswith("arn:") else
                        (False, prefix % "secretsmanager" + f"secret:{name}-??????"))
    statements: list[object] = []
    if parameters:
        statements.append({"Effect": "Allow", "Action": ["ssm:GetParameter"],
                           "Resource": [{"Fn::Sub": arn} for arn in sorted(parameters)]})
    if secrets:
        statements.append({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                           "Resource": [arn if plain else {"Fn::Sub": arn} for plain, arn in sorted(secrets)]})
    return [_document(statements)] if statements else []


def _events(fn: Function, reference: Reference) -> list[_Event]:
    """One SAM event per trigger, named by kind and rank: `Sqs`, `Sqs2`, ..."""
    events, seen = [], Counter[str]()
    for trigger in fn.triggers:
        build = EVENT_BUILDERS.get(trigger.kind)
        if build is None:
            raise InputError(f"{fn.logical_id}: unknown trigger kind {trigger.kind!r}",
                             hint=f"use one of {', '.join(sorted(EVENT_BUILDERS))}")
        seen[trigger.kind] += 1
        label, type_ = EVENT_NAMES[trigger.kind]
        name = label if seen[trigger.kind] == 1 else f"{label}{seen[trigger.kind]}"
        properties = build(_settings(fn, trigger), reference)
        events.append(_Event(name, type_, tuple(properties.items())))
    return events
