"""Checkout, order history and refunds."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request

from shop.accounts.auth import require_customer
from shop.cart import service as cart_service
from shop.orders import checkout, queries, refunds
from shop.shipping import parcels

from ..common import db, validation
from .util import json_body

bp = Blueprint("orders", __name__)


@bp.post("/checkout")
@require_customer
def place_order() -> tuple[dict[str, Any], int]:
    payload = json_body()
    validation.require_fields(payload, "payment_method", "payment_token")
    order = checkout.place_order(
        checkout.CheckoutRequest(
            customer_id=g.customer_id,
            payment_method=payload["payment_method"],
            payment_token=str(payload["payment_token"]),
            carrier_code=payload.get("carrier", "standard"),
            address_id=payload.get("address_id"),
        )
    )
    return order.to_dict(), 201


@bp.get("/checkout/rates")
@require_customer
def shipping_rates() -> dict[str, Any]:
    region = request.args.get("region", "CA")
    with db.session_scope() as session:
        cart = cart_service.get_or_create_cart(session, g.customer_id)
        return {"region": region, "rates": parcels.rates_for_cart(session, cart.item_pairs(), region)}


@bp.get("/orders")
@require_customer
def order_history() -> dict[str, Any]:
    with db.session_scope() as session:
        orders = queries.orders_for_customer(session, g.customer_id)
        return {"orders": [o.to_dict() for o in orders]}


@bp.get("/orders/<reference>")
@require_customer
def order_detail(reference: str) -> dict[str, Any]:
    with db.session_scope() as session:
        return queries.customer_order(session, g.customer_id, reference).to_dict()


@bp.post("/orders/<reference>/cancel")
@require_customer
def cancel(reference: str) -> dict[str, Any]:
    with db.session_scope() as session:
        order = queries.customer_order(session, g.customer_id, reference)
        return refunds.cancel_order(session, order.id).to_dict()
