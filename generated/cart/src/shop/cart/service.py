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

MAX_LINES = 50


def get_or_create_cart(session: Session, customer_id: int) -> Cart:
    cart = open_cart(session, customer_id)
    if cart is None:
        now = clock.now()
        cart = Cart(customer_id=customer_id, status="open", created_at=now, updated_at=now)
        session.add(cart)
        # Committed at once, not left pending: inventory's reservations refer to the cart, and as a
        # service of its own inventory reserves in its own unit of work, which sees committed rows only.
        session.commit()
    return cart


def open_cart(session: Session, customer_id: int) -> Cart | None:
    stmt = select(Cart).where(Cart.customer_id == customer_id, Cart.status == "open").order_by(Cart.id.desc())
    return session.scalars(stmt).first()


def get_cart(session: Session, cart_id: int) -> Cart:
    cart = session.get(Cart, cart_id)
    if cart is None:
        raise NotFound("cart not found", cart_id=cart_id)
    return cart


def _find_item(cart: Cart, product_id: int) -> CartItem | None:
    return next((item for item in cart.items if item.product_id == product_id), None)


def _touch(cart: Cart) -> None:
    cart.updated_at = clock.now()


def add_item(session: Session, customer_id: int, product_id: int, quantity: int = 1) -> Cart:
    validation.validate_quantity(quantity)
    get_product(session, product_id)  # raises NotFound for unknown/inactive products
    cart = get_or_create_cart(session, customer_id)
    item = _find_item(cart, product_id)
    if item is None and len(cart.items) >= MAX_LINES:
        raise ValidationError("cart is full", max_lines=MAX_LINES)
    new_quantity = quantity + (item.quantity if item else 0)
    validation.validate_quantity(new_quantity)
    reservations.reserve(session, product_id, quantity, cart.id)
    if item is None:
        cart.items.append(CartItem(product_id=product_id, quantity=quantity))
    else:
        item.quantity = new_quantity
    _touch(cart)
    session.flush()
    return cart


def update_quantity(session: Session, customer_id: int, product_id: int, quantity: int) -> Cart:
    cart = get_or_create_cart(session, customer_id)
    item = _find_item(cart, product_id)
    if item is None:
        raise NotFound("item not in cart", product_id=product_id)
    if quantity == 0:
        return remove_item(session, customer_id, product_id)
    validation.validate_quantity(quantity)
    delta = quantity - item.quantity
    if delta > 0:
        reservations.reserve(session, product_id, delta, cart.id)
    elif delta < 0:
        reservations.release(session, cart.id, product_id, -delta)
    item.quantity = quantity
    _touch(cart)
    return cart


def remove_item(session: Session, customer_id: int, product_id: int) -> Cart:
    cart = get_or_create_cart(session, customer_id)
    item = session.scalars(
        select(CartItem).where(CartItem.cart_id == cart.id, CartItem.product_id == product_id)
    ).first()
    if item is None:
        raise NotFound("item not in cart", product_id=product_id)
    reservations.release(session, cart.id, product_id)
    cart.items.remove(item)
    session.delete(item)
    _touch(cart)
    session.flush()
    return cart


def apply_coupon(session: Session, customer_id: int, code: str | None) -> Cart:
    cart = get_or_create_cart(session, customer_id)
    cart.coupon_code = code.strip().upper() if code else None
    _touch(cart)
    return cart


def clear_cart(session: Session, customer_id: int) -> None:
    cart = open_cart(session, customer_id)
    if cart is None:
        return
    reservations.release_cart(session, cart.id)
    for item in list(cart.items):
        session.delete(item)
    cart.items.clear()
    _touch(cart)


def mark_checked_out(session: Session, cart: Cart) -> None:
    cart.status = "checked_out"
    _touch(cart)


def cart_view(session: Session, customer_id: int, region: str = "CA") -> dict[str, Any]:
    cart = get_or_create_cart(session, customer_id)
    if not cart.items:
        return {"cart_id": cart.id, "lines": [], "subtotal": "0.00", "total": "0.00", "coupon": cart.coupon_code}
    summary = pricing_engine.quote_summary(session, cart.item_pairs(), region, cart.coupon_code)
    summary["cart_id"] = cart.id
    summary["coupon"] = cart.coupon_code
    return summary
