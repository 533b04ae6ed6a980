# mypy: disable-error-code="empty-body, valid-type"
"""The AsyncAPI document, validated against the official AsyncAPI 3.0.0 JSON Schema.

The schema comes from the npm package @asyncapi/specs, which CI installs (nothing here
downloads it): `npm install --prefix .mono2lambda --no-save --no-package-lock
@asyncapi/specs@6.11.1`, or point ASYNCAPI_SPECS at the package's folder. Without it these
tests are skipped on a developer's machine and fail in CI.
"""

import copy
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, make_dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from extractor.asyncapi import asyncapi_document

from .contracts_helper import contract_from

NPM_PREFIX = Path(__file__).parents[2] / ".mono2lambda"  # gitignored; where CI's `npm install --prefix` puts it
SPECS = Path(os.environ.get("ASYNCAPI_SPECS") or NPM_PREFIX / "node_modules/@asyncapi/specs")
SCHEMA = SPECS / "schemas" / "3.0.0.json"


@dataclass
class Address:
    city: str
    zip: str


@dataclass
class Line:
    sku: str
    price: Decimal


@dataclass
class Order:
    id: str
    lines: list[Line]
    ship_to: Address


OtherLine = make_dataclass("Line", [("sku", str), ("quantity", int)])
OtherOrder = make_dataclass("Order", [("id", str), ("lines", list[OtherLine]), ("ship_to", Address)])


def notify(order: Order, channel: str = "email") -> None: ...
def reserve(order: Order, warehouse: str) -> None: ...
def restock(line: OtherLine, ship_to: Address) -> None: ...
def recount(order: OtherOrder) -> None: ...
def quote(order: Order) -> Decimal: ...


def service_contracts() -> list[dict[str, Any]]:
    return [
        contract_from(notify, operation="shop.notifications.notify", kind="async"),
        contract_from(reserve, operation="shop.stock.reserve", kind="sqs",
                      settings={"queue": "orders.fifo", "batch_size": 10}),
        contract_from(quote, operation="shop.pricing.quote"),
    ]


@pytest.fixture(scope="module")
def asyncapi_schema() -> dict[str, Any]:
    if not SCHEMA.exists():
        message = (f"no AsyncAPI 3.0.0 JSON Schema at {SCHEMA}: run `npm install --prefix .mono2lambda --no-save "
                   "--no-package-lock @asyncapi/specs@6.11.1`, or set ASYNCAPI_SPECS to the package's folder")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return json.loads(SCHEMA.read_text())  # type: ignore[no-any-return]


def document() -> dict[str, Any]:
    found = asyncapi_document("shop", "Shop asynchronous operations", service_contracts())
    assert found is not None
    return found


def references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("$ref"), str):
            yield value["$ref"]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def resolve(root: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    target: Any = root
    for token in ref[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        assert isinstance(target, dict) and token in target, f"{ref} does not resolve"
        target = target[token]
    return target


def test_the_document_is_valid_asyncapi_3(asyncapi_schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(asyncapi_schema)
    errors = [f"{error.json_path}: {error.message}" for error in validator.iter_errors(document())]
    assert errors == []


EVERY_KIND: list[tuple[str, dict[str, Any]]] = [
    ("async", {}), ("sqs", {}), ("sns", {"topic": "stock"}), ("s3", {"bucket": "uploads", "prefix": "in/"}),
    ("eventbridge", {"pattern": {"source": ["shop"]}}), ("dynamodb", {"table": "orders"}),
    ("kinesis", {"stream": "clicks"}), ("schedule", {"expression": "rate(5 minutes)"})]


def test_every_kind_of_trigger_makes_a_valid_document(asyncapi_schema: dict[str, Any]) -> None:
    contracts = [contract_from(reserve, operation=f"shop.stock.on_{kind}", kind=kind, settings=settings)
                 for kind, settings in EVERY_KIND]
    found = asyncapi_document("stock", "Stock", contracts)
    assert found is not None
    assert list(jsonschema.Draft7Validator(asyncapi_schema).iter_errors(found)) == []
    addresses = {name: channel["address"] for name, channel in found["channels"].items()}
    assert addresses == {"shop.stock.on_async": "stock/shop.stock.on_async", "shop.stock.on_sqs": None,
                         "shop.stock.on_sns": "stock", "shop.stock.on_s3": "uploads",
                         "shop.stock.on_eventbridge": "default", "shop.stock.on_dynamodb": "orders",
                         "shop.stock.on_kinesis": "clicks", "shop.stock.on_schedule": "rate(5 minutes)"}
    assert [name for name, channel in found["channels"].items() if "bindings" in channel] == ["shop.stock.on_sns"]


def test_the_official_schema_does_reject_a_broken_document(asyncapi_schema: dict[str, Any]) -> None:
    broken = document()
    broken["operations"]["shop.stock.reserve"]["action"] = "listen"
    assert not jsonschema.Draft7Validator(asyncapi_schema).is_valid(broken)


def test_only_asynchronous_operations_get_a_channel() -> None:
    found = document()
    assert list(found["channels"]) == ["shop.notifications.notify", "shop.stock.reserve"]
    assert {operation["action"] for operation in found["operations"].values()} == {"receive"}


def test_every_reference_resolves_within_the_document() -> None:
    found = document()
    refs = set(references(found))
    assert "#/components/schemas/Order" in refs and "#/channels/shop.stock.reserve" in refs
    assert not any(ref.startswith("#/$defs/") for ref in refs)
    for ref in refs:
        resolve(found, ref)


def test_the_async_message_is_the_invocation_event_and_the_sqs_one_the_request() -> None:
    channels = document()["channels"]
    invoked = channels["shop.notifications.notify"]
    assert invoked["address"] == "shop/shop.notifications.notify"
    event = invoked["messages"]["request"]["payload"]
    assert event["properties"]["operation"]["const"] == "shop.notifications.notify"
    assert set(event["properties"]["arguments"]["properties"]) == {"order", "channel"}
    queued = channels["shop.stock.reserve"]
    assert queued["address"] == "orders.fifo"
    assert queued["bindings"]["sqs"]["queue"] == {"name": "orders.fifo", "fifoQueue": True}
    assert set(queued["messages"]["request"]["payload"]["properties"]) == {"order", "warehouse"}


def component_schemas(*contracts: dict[str, Any]) -> list[str]:
    found = asyncapi_document("stock", "Stock", contracts)
    assert found is not None
    for ref in references(found):
        resolve(found, ref)
    return sorted(found["components"]["schemas"])


def test_shared_definitions_appear_once_and_clashing_ones_are_named_by_operation() -> None:
    reserved = contract_from(reserve, operation="shop.stock.reserve", kind="async")
    restocked = contract_from(restock, operation="shop.stock.restock", kind="sns", settings={"topic": "restocks"})
    assert component_schemas(reserved, restocked) == [
        "Address", "Order", "shop.stock.reserve.Line", "shop.stock.restock.Line"]


def test_a_definition_that_only_looks_shared_is_named_by_operation() -> None:
    """Both `Order`s are the same text, but each refers to its own, different, `Line`."""
    reserved = contract_from(reserve, operation="shop.stock.reserve", kind="async")
    recounted = contract_from(recount, operation="shop.stock.recount", kind="async")
    assert component_schemas(reserved, recounted) == [
        "Address", "shop.stock.recount.Line", "shop.stock.recount.Order", "shop.stock.reserve.Line",
        "shop.stock.reserve.Order"]


def test_a_service_with_only_synchronous_operations_has_no_document() -> None:
    assert asyncapi_document("pricing", "Pricing", [contract_from(quote, operation="shop.pricing.quote")]) is None
    http = contract_from(quote, operation="shop.pricing.quote", kind="http", settings={"method": "GET", "path": "/q"})
    assert asyncapi_document("pricing", "Pricing", [http]) is None


def test_the_document_is_deterministic_and_leaves_its_input_alone() -> None:
    contracts = service_contracts()
    before = copy.deepcopy(contracts)
    first = asyncapi_document("shop", "Shop", contracts)
    second = asyncapi_document("shop", "Shop", list(reversed(service_contracts())))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert contracts == before


class Courier:
    def __init__(self, depot: Address, express: bool = False) -> None:
        self.depot = depot

    def ship(self, order: Order) -> None: ...


def test_an_asynchronous_instance_method_carries_its_objects_constructor_arguments(
        asyncapi_schema: dict[str, Any]) -> None:
    from m2l_runtime.contract import contract_of
    from m2l_runtime.instances import instance_schema  # the runtime is on the path (contracts_helper)

    contract = contract_from(notify, operation="shop.shipping.Courier.ship", kind="async")
    method = contract_of(Courier.ship, method=True)
    contract.update(request=method.request_schema(), instance=instance_schema(Courier))
    found = asyncapi_document("shipping", "Shipping", [contract])
    assert found is not None
    assert list(jsonschema.Draft7Validator(asyncapi_schema).iter_errors(found)) == []
    payload = found["channels"]["shop.shipping.Courier.ship"]["messages"]["request"]["payload"]
    assert payload["required"] == ["operation", "arguments", "instance"]
    assert payload["properties"]["instance"]["properties"]["depot"] == {"$ref": "#/components/schemas/Address"}
    assert sorted(found["components"]["schemas"]) == ["Address", "Line", "Order"]
    assert all(resolve(found, ref) for ref in references(found))
