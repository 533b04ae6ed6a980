"""Order lookup."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..common.errors import NotFound
from .models import Order


def get_order(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("order not found", order_id=order_id)
    return order


def get_by_reference(session: Session, reference: str) -> Order:
    order = session.scalars(select(Order).where(Order.reference == reference.upper())).first()
    if order is None:
        raise NotFound("order not found", reference=reference)
    return order


def customer_order(session: Session, customer_id: int, reference: str) -> Order:
    """An order by reference, only if it belongs to ``customer_id``."""
    order = get_by_reference(session, reference)
    if order.customer_id != customer_id:
        raise NotFound("order not found", reference=reference)
    return order


def orders_for_customer(session: Session, customer_id: int, limit: int = 20) -> list[Order]:
    stmt = select(Order).where(Order.customer_id == customer_id).order_by(Order.placed_at.desc(), Order.id.desc())
    return list(session.scalars(stmt.limit(limit)))


def orders_between(session: Session, start: datetime, end: datetime, status: str | None = None) -> list[Order]:
    stmt = select(Order).where(Order.placed_at >= start, Order.placed_at < end)
    if status is not None:
        stmt = stmt.where(Order.status == status)
    return list(session.scalars(stmt.order_by(Order.placed_at)))


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Order.status, func.count(Order.id)).group_by(Order.status))
    return {status: count for status, count in rows}
