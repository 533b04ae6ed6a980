"""Orders from the order feed: one message per order (the warehouse system's queue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import db, ledger
from .errors import UnknownOrder


@dataclass(frozen=True)
class Order:
    order_id: str
    sku: str
    quantity: int
    imported_at: datetime
    source: str


def import_order(order_id: str, sku: str, quantity: int) -> None:
    """Record one order from the feed. Delivering it again is harmless; bad data raises InvalidOrder.

    Example: import_order("A-1001", "SKU-7", 2)
    """
    with db.connect() as connection:
        ledger.record_order(connection, order_id, sku, quantity, source="feed")


def get_order(order_id: str) -> Order:
    with db.connect() as connection:
        row = connection.execute(
            "SELECT order_id, sku, quantity, imported_at, source FROM orders WHERE order_id = ?", (order_id,)
        ).fetchone()
    if row is None:
        raise UnknownOrder(order_id)
    return Order(row[0], row[1], row[2], datetime.fromisoformat(row[3]), row[4])
