"""Time-limited stock reservations held by shopping carts."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import shop.inventory.stock as stock

from ..common import clock
from .models import Reservation
from m2l_runtime import client as _m2l_client

HOLD_MINUTES = 30


def reserve(session: Session, product_id: int, quantity: int, cart_id: int, now: datetime | None = None) -> Reservation:
    """Hold ``quantity`` more units for a cart, extending its reservation."""
    return _m2l_client.call(
        "inventory",
        "shop.inventory.reservations.reserve",
        reserve,
        {
            "product_id": product_id,
            "quantity": quantity,
            "cart_id": cart_id,
            "now": now,
        },
    )


def active_reservation(session: Session, cart_id: int, product_id: int) -> Reservation | None:
    return _m2l_client.call(
        "inventory",
        "shop.inventory.reservations.active_reservation",
        active_reservation,
        {
            "cart_id": cart_id,
            "product_id": product_id,
        },
    )


def held_quantity(session: Session, cart_id: int, product_id: int) -> int:
    return _m2l_client.call(
        "inventory",
        "shop.inventory.reservations.held_quantity",
        held_quantity,
        {
            "cart_id": cart_id,
            "product_id": product_id,
        },
    )


def release(session: Session, cart_id: int, product_id: int, quantity: int | None = None) -> int:
    """Give back all (or ``quantity``) of a cart's held units; returns units released."""
    return _m2l_client.call(
        "inventory",
        "shop.inventory.reservations.release",
        release,
        {
            "cart_id": cart_id,
            "product_id": product_id,
            "quantity": quantity,
        },
    )


def release_cart(session: Session, cart_id: int) -> int:
    return _m2l_client.call(
        "inventory",
        "shop.inventory.reservations.release_cart",
        release_cart,
        {"cart_id": cart_id},
    )


def expire_stale_reservations(session: Session, now: datetime) -> int:
    """Return held units of reservations past their expiry to available stock."""
    return _m2l_client.call(
        "inventory",
        "shop.inventory.reservations.expire_stale_reservations",
        expire_stale_reservations,
        {"now": now},
    )
