"""Cart endpoints for the signed-in customer."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request

from shop.accounts.auth import require_customer
from shop.cart import service as cart_service

from ..common import db
from .util import json_body

bp = Blueprint("cart", __name__, url_prefix="/cart")


def _view(region: str | None = None) -> dict[str, Any]:
    with db.session_scope() as session:
        return cart_service.cart_view(session, g.customer_id, region or request.args.get("region", "CA"))


@bp.get("")
@require_customer
def show_cart() -> dict[str, Any]:
    return _view()


@bp.post("/items")
@require_customer
def add_item() -> tuple[dict[str, Any], int]:
    payload = json_body()
    with db.session_scope() as session:
        cart_service.add_item(session, g.customer_id, int(payload["product_id"]), int(payload.get("quantity", 1)))
    return _view(), 201


@bp.patch("/items/<int:product_id>")
@require_customer
def change_quantity(product_id: int) -> dict[str, Any]:
    payload = json_body()
    with db.session_scope() as session:
        cart_service.update_quantity(session, g.customer_id, product_id, int(payload["quantity"]))
    return _view()


@bp.delete("/items/<int:product_id>")
@require_customer
def remove_item(product_id: int) -> dict[str, Any]:
    with db.session_scope() as session:
        cart_service.remove_item(session, g.customer_id, product_id)
    return _view()


@bp.post("/coupon")
@require_customer
def set_coupon() -> dict[str, Any]:
    payload = json_body()
    with db.session_scope() as session:
        cart_service.apply_coupon(session, g.customer_id, payload.get("code"))
    return _view()
