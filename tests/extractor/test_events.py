"""Sample events: every kind has the shape its AWS source sends (checked with Powertools'
parser models), carries the contract's sample arguments where the runtime reads them,
names the plan's source, and is the same on every run."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser import models
from pydantic import BaseModel

from extractor.events import INVALID_ARGUMENT, sample_event
from extractor.package import own_samples
from extractor.samples import docstring_arguments, docstring_instance, sample

REQUEST = {"type": "object", "additionalProperties": False, "title": "take_request",
           "required": ["order_id", "quantity"],
           "properties": {"order_id": {"type": "string"}, "quantity": {"type": "integer"}}}
ARGUMENTS = {"order_id": "text", "quantity": 1}
SHAPES: dict[str, type[BaseModel]] = {
    "sqs": models.SqsModel, "kinesis": models.KinesisDataStreamModel, "dynamodb": models.DynamoDBStreamModel,
    "sns": models.SnsModel, "eventbridge": models.EventBridgeModel, "schedule": models.EventBridgeModel,
    "s3": models.S3Model, "http": models.APIGatewayProxyEventV2Model,
}
SETTINGS: dict[str, dict[str, Any]] = {
    "sqs": {"queue": "orders", "batch_size": 10}, "kinesis": {"stream": "clicks"}, "dynamodb": {"table": "carts"},
    "sns": {"topic": "alerts"}, "eventbridge": {"pattern": {"source": ["shop"]}},
    "schedule": {"expression": "rate(1 day)"}, "s3": {"bucket": "uploads", "prefix": "in/"},
    "http": {"method": "POST", "path": "/orders"},
}


def event(kind: str, request: dict[str, Any] = REQUEST, **settings: Any) -> dict[str, Any]:
    return sample_event({"operation": "app.orders.take", "service": "orders", "request": request,
                         "invocation": {"kind": kind, "settings": settings or SETTINGS.get(kind, {})}})


@pytest.mark.parametrize("kind", sorted(SHAPES))
def test_each_sample_has_the_shape_of_its_source_and_is_deterministic(kind: str) -> None:
    sample = event(kind)
    SHAPES[kind].model_validate(sample)
    assert json.dumps(sample, sort_keys=True) == json.dumps(event(kind), sort_keys=True)


def test_a_direct_sample_is_an_invocation_with_the_sample_arguments() -> None:
    assert event("sync") == {"operation": "app.orders.take", "arguments": ARGUMENTS}
    assert event("async")["arguments"] == ARGUMENTS


def test_batch_samples_hold_one_fitting_record_and_one_the_contract_forbids() -> None:
    sqs = [json.loads(r["body"]) for r in event("sqs")["Records"]]
    kinesis = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in event("kinesis")["Records"]]
    assert sqs == kinesis == [ARGUMENTS, {**ARGUMENTS, INVALID_ARGUMENT: True}]
    assert REQUEST["additionalProperties"] is False  # which is why the second one fails
    assert event("sqs")["Records"][0]["eventSourceARN"] == "arn:aws:sqs:us-east-1:123456789012:orders"


def test_notifications_carry_the_arguments_where_the_runtime_reads_them() -> None:
    assert json.loads(event("sns")["Records"][0]["Sns"]["Message"]) == ARGUMENTS
    bridge = event("eventbridge")
    assert bridge["detail"] == ARGUMENTS and bridge["source"] == "shop"
    schedule = event("schedule")
    assert schedule["detail-type"] == "Scheduled Event" and schedule["time"] == "2024-01-01T00:00:00Z"
    assert json.loads(event("http")["body"]) == ARGUMENTS


def test_an_s3_sample_is_for_the_plans_bucket_and_prefix() -> None:
    record = event("s3")["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put" and record["s3"]["bucket"]["name"] == "uploads"
    assert record["s3"]["object"]["key"].startswith("in/") and record["s3"]["object"]["size"] > 0
    removed = event("s3", bucket="uploads", events=["s3:ObjectRemoved:*"])["Records"][0]
    assert removed["eventName"] == "ObjectRemoved:Delete" and "size" not in removed["s3"]["object"]
    models.S3Model.model_validate({"Records": [removed]})


def test_a_dynamodb_sample_fills_the_images_the_function_reads() -> None:
    request = {"type": "object", "required": ["new_image", "old_image"],
               "properties": {"new_image": {"$ref": "#/$defs/Cart"}, "old_image": {"$ref": "#/$defs/Cart"}},
               "$defs": {"Cart": {"type": "object", "required": ["id", "items"],
                                  "properties": {"id": {"type": "string"}, "items": {"type": "integer"}}}}}
    record = event("dynamodb", request, table="carts")["Records"][0]
    assert record["eventName"] == "MODIFY"
    assert record["dynamodb"]["NewImage"] == {"id": {"S": "text"}, "items": {"N": "1"}}
    assert record["dynamodb"]["OldImage"] == record["dynamodb"]["NewImage"]
    assert record["eventSourceARN"].startswith("arn:aws:dynamodb:us-east-1:123456789012:table/carts/stream/")


def test_an_http_get_sample_puts_the_arguments_in_the_path_and_query() -> None:
    sample = event("http", method="GET", path="/orders/{order_id}")
    assert sample["rawPath"] == "/orders/text" and sample["pathParameters"] == {"order_id": "text"}
    assert sample["queryStringParameters"] == {"quantity": "1"} and sample["rawQueryString"] == "quantity=1"
    assert "body" not in sample and sample["routeKey"] == "GET /orders/{order_id}"
    any_method = event("http", method="ANY", path="/orders")
    assert any_method["requestContext"]["http"]["method"] == "POST" and any_method["routeKey"] == "ANY /orders"


# Better arguments: the function's docstring, the parameters' names, the user's own files

EXAMPLED = '''
def take(order_id: str, quantity: int = 1, *, note: str = "") -> None:
    """Take an order.

    Example: take("A-7", 3, note="gift")
    """


class Desk:
    def book(self, day: str) -> None:
        """
        >>> Desk().book("2024-02-02")
        """


def plain(order_id: str) -> None:
    """No example here: plain(order_id) is not literal."""
'''


def test_a_call_in_the_docstring_gives_the_arguments_by_parameter_name() -> None:
    assert docstring_arguments(EXAMPLED, "take") == {"order_id": "A-7", "quantity": 3, "note": "gift"}
    assert docstring_arguments(EXAMPLED, "Desk.book") == {"day": "2024-02-02"}
    assert docstring_arguments(EXAMPLED, "plain") == {} and docstring_arguments("def (", "plain") == {}


@pytest.mark.parametrize("kind", ["sync", "sqs", "http"])
def test_the_docstrings_arguments_replace_the_sampled_ones_the_contract_knows(kind: str) -> None:
    contract = {"operation": "app.orders.take", "service": "orders", "request": REQUEST,
                "invocation": {"kind": kind, "settings": SETTINGS.get(kind, {})}}
    made = sample_event(contract, {"order_id": "A-7", "quantity": 3, "unknown": True})
    text = json.dumps(made)
    assert "A-7" in text and "unknown" not in text


def test_a_string_parameter_gets_its_names_usual_shape() -> None:
    schema = {"type": "object", "required": ["email", "callback_url", "title"],
              "properties": {"email": {"type": "string"}, "callback_url": {"type": "string"},
                             "title": {"type": "string"}}}
    assert sample(schema) == {"email": "someone@example.com", "callback_url": "https://example.com/",
                              "title": "text"}


def test_the_users_samples_go_to_the_operation_with_the_longest_name_they_start_with() -> None:
    samples = {"a.b.take.json": b"1", "a.b.take.big.json": b"2", "a.b.take_all.json": b"3", "other.json": b"4"}
    assert own_samples(samples, ["a.b.take", "a.b.take_all"]) == {
        "a.b.take": {"a.b.take.json": b"1", "a.b.take.big.json": b"2"}, "a.b.take_all": {"a.b.take_all.json": b"3"}}


OBJECTS = '''
class Other:
    def send(self, to: str) -> None:
        """Example: Other().send("wrong")"""


class Sms:
    def __init__(self, sender: str, limit: int = 160) -> None:
        self.sender = sender

    def send(self, to: str) -> None:
        """Example: Sms("ACME", limit=20).send("+15550100")"""


@dataclass
class Hook:
    url: str
    retries: int = 2

    def deliver(self, body: str) -> None:
        """>>> Hook("https://hooks.example.com/x", 5).deliver("ping")"""
'''


def test_an_example_on_a_new_object_gives_its_constructor_arguments_too() -> None:
    assert docstring_arguments(OBJECTS, "Sms.send") == {"to": "+15550100"}, "the method's own class, not Other"
    assert docstring_instance(OBJECTS, "Sms.send") == {"sender": "ACME", "limit": 20}
    assert docstring_instance(OBJECTS, "Hook.deliver") == {"url": "https://hooks.example.com/x", "retries": 5}
    assert docstring_instance(OBJECTS, "Other.send") == {} and docstring_instance(OBJECTS, "Gone.send") == {}
