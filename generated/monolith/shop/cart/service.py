"""Cart operations; adding items reserves stock for the cart."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.catalog import get_product
from shop.inventory import reservations
from shop.pricing import engine as pricing_engine

from ..common import clock, validation
from ..common.errors import NotFound, ValidationError
from .models import Cart, CartItem
from m2l_runtime import client as _m2l_client

MAX_LINES = 50


def get_or_create_cart(session: Session, customer_id: int) -> Cart:
    return _m2l_client.call(
        "cart",
        "shop.cart.service.get_or_create_cart",
        get_or_create_cart,
        {"customer_id": customer_id},
        include=("items",),
    )


def open_cart(session: Session, customer_id: int) -> Cart | None:
    return _m2l_client.call(
        "cart",
        "shop.cart.service.open_cart",
        open_cart,
        {"customer_id": customer_id},
        include=("items",),
    )


def get_cart(session: Session, cart_id: int) -> Cart:
    return _m2l_client.call("cart", "shop.cart.service.get_cart", get_cart, {"cart_id": cart_id})


def _find_item(cart: Cart, product_id: int) -> CartItem | None:
    return next((item for item in cart.items if item.product_id == product_id), None)


def _touch(cart: Cart) -> None:
    cart.updated_at = clock.now()


def add_item(session: Session, customer_id: int, product_id: int, quantity: int = 1) -> Cart:
    return _m2l_client.call(
        "cart",
        "shop.cart.service.add_item",
        add_item,
        {
            "customer_id": customer_id,
            "product_id": product_id,
            "quantity": quantity,
        },
    )


def update_quantity(session: Session, customer_id: int, product_id: int, quantity: int) -> Cart:
    return _m2l_client.call(
        "cart",
        "shop.cart.service.update_quantity",
        update_quantity,
        {
            "customer_id": customer_id,
            "product_id": product_id,
            "quantity": quantity,
        },
    )


def remove_item(session: Session, customer_id: int, product_id: int) -> Cart:
    return _m2l_client.call(
        "cart",
        "shop.cart.service.remove_item",
        remove_item,
        {
            "customer_id": customer_id,
            "product_id": product_id,
        },
        include=("items",),
    )


def apply_coupon(session: Session, customer_id: int, code: str | None) -> Cart:
    return _m2l_client.call(
        "cart",
        "shop.cart.service.apply_coupon",
        apply_coupon,
        {
            "customer_id": customer_id,
            "code": code,
        },
    )


def clear_cart(session: Session, customer_id: int) -> None:
    return _m2l_client.call("cart", "shop.cart.service.clear_cart", clear_cart, {"customer_id": customer_id})


def mark_checked_out(session: Session, cart: Cart) -> None:
    return _m2l_client.call("cart", "shop.cart.service.mark_checked_out", mark_checked_out, {"cart": cart})


def cart_view(session: Session, customer_id: int, region: str = "CA") -> dict[str, Any]:
    return _m2l_client.call(
        "cart",
        "shop.cart.service.cart_view",
        cart_view,
        {
            "customer_id": customer_id,
            "region": region,
        },
    )
