from __future__ import annotations

from datetime import datetime

import pytest

from ingest import orders
from ingest.errors import DuplicateOrder, InvalidOrder, UnknownOrder


def test_an_imported_order_can_be_read_back(now: datetime) -> None:
    orders.import_order("A-1", "WIDGET", 3)
    assert orders.get_order("A-1") == orders.Order("A-1", "WIDGET", 3, now, "feed")


def test_the_same_order_delivered_twice_is_recorded_once() -> None:
    orders.import_order("A-1", "WIDGET", 3)
    orders.import_order("A-1", "WIDGET", 3)
    assert orders.get_order("A-1").quantity == 3


def test_a_different_order_under_a_taken_id_is_refused() -> None:
    orders.import_order("A-1", "WIDGET", 3)
    with pytest.raises(DuplicateOrder, match="already recorded as 3 x WIDGET"):
        orders.import_order("A-1", "GADGET", 1)


@pytest.mark.parametrize(("order_id", "sku", "quantity"), [("", "WIDGET", 1), ("A-2", " ", 1), ("A-3", "WIDGET", 0),
                                                           ("A-4", "WIDGET", 10_001)])
def test_bad_data_raises_invalid_order_and_stores_nothing(order_id: str, sku: str, quantity: int) -> None:
    with pytest.raises(InvalidOrder) as caught:
        orders.import_order(order_id, sku, quantity)
    assert caught.value.order_id == order_id
    with pytest.raises(UnknownOrder):
        orders.get_order(order_id)
