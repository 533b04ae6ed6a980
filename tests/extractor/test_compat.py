# mypy: disable-error-code="empty-body, valid-type"
"""Breaking-change detection, on contracts built by real pydantic from real signatures.

Schemas are never written by hand here: `contract_from` (contracts_helper.py) turns a
Python function into the contract document the extractor writes, so every case exercises
exactly what the extractor emits for that signature.
"""

import datetime
import enum
from collections.abc import Callable
from dataclasses import dataclass, make_dataclass
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

import pytest
from typing_extensions import TypedDict

from extractor.compat import Change, compare_contracts

from .contracts_helper import OPERATION, contract_from


def changes_between(old: Callable[..., Any], new: Callable[..., Any]) -> list[Change]:
    return compare_contracts({OPERATION: contract_from(old)}, {OPERATION: contract_from(new)})


def relevant(changes: list[Change]) -> list[Change]:
    """Everything but the informational signature note that any parameter change also makes."""
    return [change for change in changes if change.kind != "signature-changed"]


def only(changes: list[Change]) -> Change:
    found = relevant(changes)
    assert len(found) == 1, found
    return found[0]


# --- the types the cases use -----------------------------------------------------------

Color = enum.Enum("Color", {"red": "red", "green": "green"})
MoreColor = enum.Enum("Color", {"red": "red", "green": "green", "blue": "blue"})  # type: ignore[misc]  # same name on purpose
OldLine = make_dataclass("Line", [("sku", str), ("price", int)])
NewLine = make_dataclass("Line", [("sku", str), ("price", str)])
OldOrder = make_dataclass("Order", [("lines", list[OldLine])])
NewOrder = make_dataclass("Order", [("lines", list[NewLine])])
Quote = make_dataclass("Quote", [("net", Decimal), ("tax", Decimal)])
QuoteWithoutTax = make_dataclass("Quote", [("net", Decimal)])
QuoteWithCurrency = make_dataclass("Quote", [("net", Decimal), ("tax", Decimal), ("currency", str)])


@dataclass
class Node:
    name: str
    children: list["Node"]


@dataclass
class LabelledNode:
    name: str
    children: list["LabelledNode"]
    label: str = ""


class Address(TypedDict):
    city: str
    zip: str


@dataclass
class Everything:
    """One of every type the extractor's contracts carry, for the no-change property."""

    when: datetime.datetime
    day: datetime.date
    id: UUID
    color: Color
    mode: Literal["fast", "slow"]
    note: str | None
    either: int | str
    pair: tuple[int, str]
    tags: set[str]
    prices: dict[str, Decimal]
    address: Address
    tree: Node
    flag: bool = False
    ratio: float = 1.0


# --- versions of one operation ---------------------------------------------------------

def tax_v1(amount: int, region: str) -> int: ...
def tax_optional_param(amount: int, region: str, rounding: str = "half-up") -> int: ...
def tax_required_param(amount: int, region: str, rounding: str) -> int: ...
def tax_removed_param(amount: int) -> int: ...
def tax_str_amount(amount: str, region: str) -> int: ...
def tax_float_amount(amount: float, region: str) -> int: ...
def tax_optional_region(amount: int, region: str | None) -> int: ...
def tax_optional_region_default(amount: int, region: str | None = None) -> int: ...
def tax_maybe_result(amount: int, region: str) -> int | None: ...
def tax_maybe_v1(amount: int, region: str) -> int | None: ...
def tax_never_none(amount: int, region: str) -> int: ...
def quote_v1(amount: int) -> Quote: ...
def quote_without_tax(amount: int) -> QuoteWithoutTax: ...
def quote_with_currency(amount: int) -> QuoteWithCurrency: ...
def paint(color: Color) -> Color: ...
def paint_more(color: MoreColor) -> Color: ...
def paint_returns_more(color: Color) -> MoreColor: ...
def price_order(order: OldOrder) -> int: ...
def price_order_v2(order: NewOrder) -> int: ...
def walk(tree: Node) -> Node: ...
def walk_labelled(tree: LabelledNode) -> LabelledNode: ...
def tax_decimal_amount(amount: Decimal, region: str) -> int: ...
def totals(region: str) -> dict[str, int]: ...
def totals_in_floats(region: str) -> dict[str, float]: ...
def tag(tags: set[str]) -> None: ...
def tag_list(tags: list[str]) -> None: ...
def everything(item: Everything, items: list[Everything]) -> Everything: ...


# --- the cases ---------------------------------------------------------------------------

def test_identical_contracts_have_no_changes() -> None:
    assert changes_between(tax_v1, tax_v1) == []


def test_a_new_optional_parameter_is_additive() -> None:
    change = only(changes_between(tax_v1, tax_optional_param))
    assert (change.path, change.kind, change.breaking) == ("request.rounding", "added-field", False)


def test_a_new_required_parameter_breaks() -> None:
    change = only(changes_between(tax_v1, tax_required_param))
    assert (change.path, change.kind, change.breaking) == ("request.rounding", "added-required-field", True)


def test_a_removed_parameter_breaks_because_requests_forbid_extra_fields() -> None:
    change = only(changes_between(tax_v1, tax_removed_param))
    assert (change.path, change.kind, change.breaking) == ("request.region", "removed-field", True)


def test_int_to_str_parameter_breaks() -> None:
    change = only(changes_between(tax_v1, tax_str_amount))
    assert (change.path, change.kind, change.breaking) == ("request.amount", "retyped", True)
    assert change.message.startswith("request field 'amount' changed type from integer to string")


def test_int_to_float_parameter_is_a_widening() -> None:
    change = only(changes_between(tax_v1, tax_float_amount))
    assert (change.path, change.kind, change.breaking) == ("request.amount", "retyped", False)


def test_float_to_int_parameter_is_a_narrowing() -> None:
    assert only(changes_between(tax_float_amount, tax_v1)).breaking


def test_str_to_optional_str_parameter_is_a_widening() -> None:
    change = only(changes_between(tax_v1, tax_optional_region))
    assert (change.path, change.breaking) == ("request.region", False)


def test_required_to_optional_parameter_is_not_breaking_and_back_is() -> None:
    loosened = relevant(changes_between(tax_v1, tax_optional_region_default))
    assert {change.kind for change in loosened} == {"became-optional", "retyped"}
    assert not any(change.breaking for change in loosened)
    tightened = relevant(changes_between(tax_optional_region_default, tax_v1))
    assert {(change.kind, change.breaking) for change in tightened} == {("became-required", True), ("retyped", True)}


def test_a_removed_response_field_breaks() -> None:
    change = only(changes_between(quote_v1, quote_without_tax))
    assert (change.path, change.kind, change.breaking) == ("response.tax", "removed-field", True)


def test_an_added_response_field_is_additive() -> None:
    change = only(changes_between(quote_v1, quote_with_currency))
    assert (change.path, change.kind, change.breaking) == ("response.currency", "added-field", False)


def test_a_response_that_is_never_none_any_more_is_a_narrowing() -> None:
    change = only(changes_between(tax_maybe_v1, tax_never_none))
    assert (change.path, change.kind, change.breaking) == ("response", "retyped", False)


def test_a_response_that_may_now_be_none_breaks() -> None:
    change = only(changes_between(tax_v1, tax_maybe_result))
    assert (change.path, change.kind, change.breaking) == ("response", "retyped", True)
    assert "integer or null" in change.message


def test_an_enum_member_added_to_a_request_is_a_widening() -> None:
    change = only(changes_between(paint, paint_more))
    assert (change.path, change.breaking) == ("request.color", False)


def test_an_enum_member_added_to_a_response_breaks() -> None:
    change = only(changes_between(paint, paint_returns_more))
    assert (change.path, change.breaking) == ("response", True)
    assert "'blue'" in change.message


def test_a_nested_field_retyped_is_reported_at_its_path() -> None:
    change = only(changes_between(price_order, price_order_v2))
    assert (change.path, change.kind, change.breaking) == ("request.order.lines[].price", "retyped", True)
    assert "'order.lines[].price'" in change.message


def test_recursive_definitions_do_not_loop() -> None:
    assert changes_between(walk, walk) == []
    changes = relevant(changes_between(walk, walk_labelled))
    assert {(change.path, change.kind, change.breaking) for change in changes} == {
        ("request.tree.label", "added-field", False),  # a plain dataclass ignores unknown fields
        ("response.label", "added-field", False),
    }


def test_removed_and_added_operations() -> None:
    old = {"shop.a": contract_from(tax_v1, operation="shop.a")}
    new = {"shop.b": contract_from(tax_v1, operation="shop.b")}
    assert [(change.operation, change.kind, change.breaking) for change in compare_contracts(old, new)] == [
        ("shop.a", "removed-operation", True), ("shop.b", "added-operation", False)]


def test_sync_to_async_breaks() -> None:
    old = {OPERATION: contract_from(tax_v1)}
    new = {OPERATION: contract_from(tax_v1, kind="async")}
    assert [(change.path, change.kind, change.breaking) for change in compare_contracts(old, new)] == [
        ("invocation", "invocation-changed", True)]


def test_a_renamed_queue_breaks_and_a_batch_size_does_not() -> None:
    old = {OPERATION: contract_from(tax_v1, kind="sqs", settings={"queue": "orders", "batch_size": 10})}
    new = {OPERATION: contract_from(tax_v1, kind="sqs", settings={"queue": "orders-v2", "batch_size": 5})}
    assert [(change.path, change.breaking) for change in compare_contracts(old, new)] == [
        ("invocation.settings.batch_size", False), ("invocation.settings.queue", True)]


def test_a_signature_change_alone_is_informational() -> None:
    old, new = contract_from(tax_v1), contract_from(tax_v1)
    new["source"] = {**new["source"], "signature_hash": "0" * 64}
    assert [(change.kind, change.breaking) for change in compare_contracts({OPERATION: old}, {OPERATION: new})] == [
        ("signature-changed", False)]


def test_map_values_are_compared_under_braces() -> None:
    change = only(changes_between(totals, totals_in_floats))
    assert (change.path, change.kind, change.breaking) == ("response{}", "retyped", True)
    assert "changed type from integer to number" in change.message


def test_a_set_parameter_that_becomes_a_list_is_a_widening() -> None:
    assert not only(changes_between(tag, tag_list)).breaking
    assert only(changes_between(tag_list, tag)).breaking


def test_float_to_decimal_parameter_is_a_widening_and_back_breaks() -> None:
    assert not only(changes_between(tax_float_amount, tax_decimal_amount)).breaking
    assert only(changes_between(tax_decimal_amount, tax_float_amount)).breaking


def test_changes_come_sorted_by_operation_then_path() -> None:
    old = {"shop.b": contract_from(quote_v1, operation="shop.b"), "shop.a": contract_from(tax_v1, operation="shop.a")}
    new = {"shop.b": contract_from(quote_without_tax, operation="shop.b"),
           "shop.a": contract_from(tax_str_amount, operation="shop.a")}
    changes = compare_contracts(old, new)
    assert [(change.operation, change.path) for change in changes] == [
        ("shop.a", "request.amount"), ("shop.a", "source.signature"), ("shop.b", "response.tax")]


VERSIONS = [tax_v1, tax_optional_param, tax_required_param, tax_removed_param, tax_str_amount, tax_float_amount,
            tax_decimal_amount, tax_optional_region, tax_optional_region_default, tax_maybe_result, tax_maybe_v1,
            tax_never_none, quote_v1, quote_without_tax, quote_with_currency, paint, paint_more, paint_returns_more,
            price_order, price_order_v2, walk, walk_labelled, totals, totals_in_floats, tag, tag_list, everything]


@pytest.mark.parametrize("function", VERSIONS, ids=lambda function: function.__name__)
def test_a_contract_compared_with_itself_has_no_changes(function: Callable[..., Any]) -> None:
    contract = contract_from(function)
    assert compare_contracts({OPERATION: contract}, {OPERATION: contract}) == []
    assert changes_between(function, function) == []  # built twice: equal, not just identical


# --- an instance method's constructor arguments -----------------------------------------

class OldSms:
    def __init__(self, sender: str) -> None:
        self.sender = sender

    def send(self, to: str) -> bool: ...


class NewSms:
    def __init__(self, sender: str, region: str, retries: int = 2) -> None:
        self.sender = sender

    def send(self, to: str) -> bool: ...


def test_an_instance_part_is_sent_by_callers_so_a_new_required_argument_breaks() -> None:
    from m2l_runtime.instances import instance_schema  # the runtime is on the path (contracts_helper)

    def with_instance(cls: type) -> dict[str, Any]:
        return {**contract_from(cls.send), "instance": instance_schema(cls)}  # type: ignore[attr-defined]

    found = relevant(compare_contracts({OPERATION: with_instance(OldSms)}, {OPERATION: with_instance(NewSms)}))
    assert [(c.path, c.kind, c.breaking) for c in found] == [
        ("instance.region", "added-required-field", True), ("instance.retries", "added-field", False)], found
