"""SAM event properties for each kind of trigger: the plan's settings in, the `Properties` of
one entry of a function's `Events` out. `reference(kind, name)` turns a source's name (or
ARN) into what the template refers to it by: an ARN as written, or the resource the stack
creates."""

from __future__ import annotations

from collections.abc import Callable

from analyzer.errors import InputError

Settings = dict[str, object]
Reference = Callable[[str, object], object]  # (trigger kind, queue/topic/... setting) -> ARN or intrinsic

REPORT_BATCH_ITEM_FAILURES = ["ReportBatchItemFailures"]
DEFAULT_S3_EVENTS = ["s3:ObjectCreated:*"]


def _setting(settings: Settings, name: str, kind: str) -> object:
    if name not in settings:
        raise InputError(f"a {kind} trigger has no {name!r} setting", hint=f"add `{name}:` to the trigger's settings")
    return settings[name]


def _poller(source: Settings, settings: Settings) -> Settings:
    """Handlers report partial batch failures, so only the failed records come back."""
    batch = {"BatchSize": settings["batch_size"]} if "batch_size" in settings else {}
    return {**source, **batch, "FunctionResponseTypes": REPORT_BATCH_ITEM_FAILURES}


def _sqs(settings: Settings, reference: Reference) -> Settings:
    """AWS refuses an SQS batch above 10 without a batching window (cfn-lint does not know)."""
    batch = settings.get("batch_size")
    window = {"MaximumBatchingWindowInSeconds": 1} if isinstance(batch, int) and batch > 10 else {}
    return _poller({"Queue": reference("sqs", settings["queue"]), **window}, settings)


def _stream(kind: str, setting: str) -> Callable[[Settings, Reference], Settings]:
    def build(settings: Settings, reference: Reference) -> Settings:
        stream = settings[setting]
        if kind == "dynamodb" and str(stream).startswith("arn:") and "/stream/" not in str(stream):
            raise InputError(f"{stream} is a table ARN, not a stream ARN",
                             hint="give the table's stream ARN (.../stream/...) or a table name")
        return _poller({"Stream": reference(kind, stream), "StartingPosition": "LATEST"}, settings)
    return build


def _eventbridge(settings: Settings, reference: Reference) -> Settings:
    bus = {"EventBusName": settings["bus"]} if settings.get("bus") else {}
    return {"Pattern": _setting(settings, "pattern", "eventbridge"), **bus}


def _s3(settings: Settings, reference: Reference) -> Settings:
    bucket = settings["bucket"]
    if str(bucket).startswith("arn:"):
        raise InputError(f"s3 trigger on {bucket}: SAM only subscribes to buckets its own stack creates",
                         hint="give the bucket's name, and the stack creates it")
    prefix = settings.get("prefix")
    rules = {"Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": prefix}]}}} if prefix else {}
    events = settings.get("events", DEFAULT_S3_EVENTS)
    listed = list(events) if isinstance(events, (list, tuple)) else [events]
    return {"Bucket": reference("s3", bucket), "Events": listed, **rules}


EVENT_BUILDERS: dict[str, Callable[[Settings, Reference], Settings]] = {
    "schedule": lambda settings, _: {"Schedule": _setting(settings, "expression", "schedule")},
    "sqs": _sqs,
    "sns": lambda settings, reference: {"Topic": reference("sns", settings["topic"])},
    "eventbridge": _eventbridge,
    "s3": _s3,
    "dynamodb": _stream("dynamodb", "table"),
    "kinesis": _stream("kinesis", "stream"),
    "http": lambda settings, _: {"Method": _setting(settings, "method", "http"),
                                 "Path": _setting(settings, "path", "http")},
}
EVENT_NAMES = {  # kind -> (event name, SAM event type)
    "schedule": ("Schedule", "Schedule"),
    "sqs": ("Sqs", "SQS"),
    "sns": ("Sns", "SNS"),
    "eventbridge": ("EventBridge", "EventBridgeRule"),
    "s3": ("S3", "S3"),
    "dynamodb": ("DynamoDb", "DynamoDB"),
    "kinesis": ("Kinesis", "Kinesis"),
    "http": ("Http", "HttpApi"),
}
