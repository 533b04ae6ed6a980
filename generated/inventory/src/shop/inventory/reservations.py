"""Time-limited stock reservations held by shopping carts."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import shop.inventory.stock as stock

from ..common import clock
from .models import Reservation

HOLD_MINUTES = 30


def reserve(session: Session, product_id: int, quantity: int, cart_id: int, now: datetime | None = None) -> Reservation:
    """Hold ``quantity`` more units for a cart, extending its reservation."""
    now = now or clock.now()
    stock.hold(session, product_id, quantity)
    existing = active_reservation(session, cart_id, product_id)
    expires = now + timedelta(minutes=HOLD_MINUTES)
    if existing is not None:
        existing.quantity += quantity
        existing.expires_at = expires
        return existing
    reservation = Reservation(
        product_id=product_id, cart_id=cart_id, quantity=quantity, status="active", created_at=now, expires_at=expires
    )
    session.add(reservation)
    session.flush()
    return reservation


def active_reservation(session: Session, cart_id: int, product_id: int) -> Reservation | None:
    stmt = select(Reservation).where(
        Reservation.cart_id == cart_id, Reservation.product_id == product_id, Reservation.status == "active"
    )
    return session.scalars(stmt).first()


def held_quantity(session: Session, cart_id: int, product_id: int) -> int:
    stmt = select(func.coalesce(func.sum(Reservation.quantity), 0)).where(
        Reservation.cart_id == cart_id, Reservation.product_id == product_id, Reservation.status == "active"
    )
    return int(session.scalar(stmt) or 0)


def release(session: Session, cart_id: int, product_id: int, quantity: int | None = None) -> int:
    """Give back all (or ``quantity``) of a cart's held units; returns units released."""
    reservation = active_reservation(session, cart_id, product_id)
    if reservation is None:
        return 0
    released = reservation.quantity if quantity is None else min(quantity, reservation.quantity)
    stock.unhold(session, product_id, released)
    reservation.quantity -= released
    if reservation.quantity == 0:
        reservation.status = "released"
    return released


def release_cart(session: Session, cart_id: int) -> int:
    rows = session.scalars(select(Reservation).where(Reservation.cart_id == cart_id, Reservation.status == "active"))
    total = 0
    for reservation in rows:
        total += release(session, cart_id, reservation.product_id)
    return total


def expire_stale_reservations(session: Session, now: datetime) -> int:
    """Return held units of reservations past their expiry to available stock."""
    stale = list(
        session.scalars(select(Reservation).where(Reservation.status == "active", Reservation.expires_at <= now))
    )
    for reservation in stale:
        stock.unhold(session, reservation.product_id, reservation.quantity)
    if stale:
        session.execute(
            update(Reservation)
            .where(Reservation.id.in_([r.id for r in stale]))
            .values(status="expired")
            .execution_options(synchronize_session="fetch")
        )
    return len(stale)
