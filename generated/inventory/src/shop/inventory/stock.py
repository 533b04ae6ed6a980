"""Stock level bookkeeping (on hand vs. reserved)."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..common import clock, validation
from ..common.errors import NotFound, OutOfStock
from .models import StockLevel


def set_stock(session: Session, product_id: int, on_hand: int, reorder_level: int = 5) -> StockLevel:
    validation.require(on_hand >= 0, "stock cannot be negative", on_hand=on_hand)
    level = session.get(StockLevel, product_id)
    if level is None:
        level = StockLevel(product_id=product_id, on_hand=on_hand, reserved=0, reorder_level=reorder_level)
        session.add(level)
    else:
        validation.require(on_hand >= level.reserved, "stock below reserved quantity", reserved=level.reserved)
        level.on_hand = on_hand
        level.reorder_level = reorder_level
    level.updated_at = clock.now()
    session.flush()
    return level


def get_level(session: Session, product_id: int) -> StockLevel:
    level = session.get(StockLevel, product_id)
    if level is None:
        raise NotFound("no stock record", product_id=product_id)
    return level


def available(session: Session, product_id: int) -> int:
    level = session.get(StockLevel, product_id)
    return 0 if level is None else level.on_hand - level.reserved


def available_many(session: Session, product_ids: list[int]) -> dict[int, int]:
    rows = session.scalars(select(StockLevel).where(StockLevel.product_id.in_(product_ids)))
    found = {row.product_id: row.on_hand - row.reserved for row in rows}
    return {pid: found.get(pid, 0) for pid in product_ids}


def restock(session: Session, product_id: int, quantity: int) -> int:
    validation.require(quantity > 0, "restock quantity must be positive", quantity=quantity)
    result = session.execute(
        update(StockLevel)
        .where(StockLevel.product_id == product_id)
        .values(on_hand=StockLevel.on_hand + quantity, updated_at=clock.now())
    )
    if result.rowcount == 0:
        set_stock(session, product_id, quantity)
    return available(session, product_id)


def hold(session: Session, product_id: int, quantity: int) -> None:
    """Move ``quantity`` from available to reserved, atomically."""
    result = session.execute(
        update(StockLevel)
        .where(StockLevel.product_id == product_id, StockLevel.on_hand - StockLevel.reserved >= quantity)
        .values(reserved=StockLevel.reserved + quantity, updated_at=clock.now())
    )
    if result.rowcount != 1:
        raise OutOfStock("not enough stock", product_id=product_id, requested=quantity)


def unhold(session: Session, product_id: int, quantity: int) -> None:
    session.execute(
        update(StockLevel)
        .where(StockLevel.product_id == product_id)
        .values(reserved=StockLevel.reserved - quantity, updated_at=clock.now())
    )


def low_stock(session: Session) -> list[StockLevel]:
    stmt = (
        select(StockLevel)
        .where(StockLevel.on_hand - StockLevel.reserved <= StockLevel.reorder_level)
        .order_by(StockLevel.product_id)
    )
    return list(session.scalars(stmt))
