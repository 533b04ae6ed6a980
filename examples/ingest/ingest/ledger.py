"""Recording orders, shared by every way orders arrive (the feed and uploaded files)."""

from __future__ import annotations

import sqlite3

from . import clock
from .errors import DuplicateOrder, InvalidOrder

MAX_QUANTITY = 10_000


def check_order(order_id: str, sku: str, quantity: int) -> None:
    """Refuse an order the warehouse could not fulfil as written."""
    if not order_id.strip():
        raise InvalidOrder(order_id, "the order id is empty")
    if not sku.strip():
        raise InvalidOrder(order_id, "the sku is empty")
    if not 0 < quantity <= MAX_QUANTITY:
        raise InvalidOrder(order_id, f"quantity {quantity} is not between 1 and {MAX_QUANTITY}")


def record_order(connection: sqlite3.Connection, order_id: str, sku: str, quantity: int, source: str) -> bool:
    """Store one checked order; False when it is already stored exactly so.

    Both the queue and re-uploaded files deliver the same order more than once, so
    recording is idempotent; the same id with different content is a DuplicateOrder."""
    check_order(order_id, sku, quantity)
    found = connection.execute("SELECT sku, quantity FROM orders WHERE order_id = ?", (order_id,)).fetchone()
    if found is not None:
        if tuple(found) != (sku, quantity):
            raise DuplicateOrder(order_id, f"already recorded as {found[1]} x {found[0]}")
        return False
    moment = clock.now()
    connection.execute(
        "INSERT INTO orders (order_id, sku, quantity, day, imported_at, source) VALUES (?, ?, ?, ?, ?, ?)",
        (order_id, sku, quantity, moment.date().isoformat(), moment.isoformat(), source))
    return True
