"""Stock level bookkeeping (on hand vs. reserved)."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..common import clock, validation
from ..common.errors import NotFound, OutOfStock
from .models import StockLevel
from m2l_runtime import client as _m2l_client


def set_stock(session: Session, product_id: int, on_hand: int, reorder_level: int = 5) -> StockLevel:
    return _m2l_client.call(
        "inventory",
        "shop.inventory.stock.set_stock",
        set_stock,
        {
            "product_id": product_id,
            "on_hand": on_hand,
            "reorder_level": reorder_level,
        },
    )


def get_level(session: Session, product_id: int) -> StockLevel:
    return _m2l_client.call(
        "inventory",
        "shop.inventory.stock.get_level",
        get_level,
        {"product_id": product_id},
    )


def available(session: Session, product_id: int) -> int:
    return _m2l_client.call(
        "inventory",
        "shop.inventory.stock.available",
        available,
        {"product_id": product_id},
    )


def available_many(session: Session, product_ids: list[int]) -> dict[int, int]:
    return _m2l_client.call(
        "inventory",
        "shop.inventory.stock.available_many",
        available_many,
        {"product_ids": product_ids},
    )


def restock(session: Session, product_id: int, quantity: int) -> int:
    return _m2l_client.call(
        "inventory",
        "shop.inventory.stock.restock",
        restock,
        {
            "product_id": product_id,
            "quantity": quantity,
        },
    )


def hold(session: Session, product_id: int, quantity: int) -> None:
    """Move ``quantity`` from available to reserved, atomically."""
    return _m2l_client.call(
        "inventory",
        "shop.inventory.stock.hold",
        hold,
        {
            "product_id": product_id,
            "quantity": quantity,
        },
    )


def unhold(session: Session, product_id: int, quantity: int) -> None:
    return _m2l_client.call(
        "inventory",
        "shop.inventory.stock.unhold",
        unhold,
        {
            "product_id": product_id,
            "quantity": quantity,
        },
    )


def low_stock(session: Session) -> list[StockLevel]:
    return _m2l_client.call("inventory", "shop.inventory.stock.low_stock", low_stock, {})
