"""Registration, login and address book endpoints."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, g

from shop import accounts
from shop.accounts import customers
from shop.notifications import dispatch

from ..common import db, validation
from .util import json_body

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.post("/register")
def register() -> tuple[dict[str, Any], int]:
    payload = json_body()
    validation.require_fields(payload, "email", "password", "full_name")
    with db.session_scope() as session:
        customer = accounts.register_customer(
            session,
            payload["email"],
            payload["full_name"],
            payload["password"],
            phone=payload.get("phone"),
            marketing_opt_in=bool(payload.get("marketing_opt_in", False)),
        )
        body = {"id": customer.id, "email": customer.email}
    dispatch.notify_async("email", body["email"], "welcome", {"name": payload["full_name"]})
    return body, 201


@bp.post("/login")
def login() -> dict[str, Any]:
    payload = json_body()
    validation.require_fields(payload, "email", "password")
    with db.session_scope() as session:
        token = accounts.login(session, payload["email"], payload["password"])
    return {"token": token}


@bp.post("/addresses")
@accounts.require_customer
def add_address() -> tuple[dict[str, Any], int]:
    payload = json_body()
    validation.require_fields(payload, "line1", "city", "postcode", "region")
    with db.session_scope() as session:
        address = accounts.add_address(
            session,
            g.customer_id,
            payload["line1"],
            payload["city"],
            payload["postcode"],
            payload["region"],
            line2=payload.get("line2"),
            make_default=bool(payload.get("default", False)),
        )
        return {"id": address.id, "address": address.one_line(), "default": address.is_default}, 201


@bp.get("/me")
@accounts.require_customer
def me() -> dict[str, Any]:
    with db.session_scope() as session:
        customer = customers.get_customer(session, g.customer_id)
        return {
            "id": customer.id,
            "email": customer.email,
            "name": customer.display_name(),
            "addresses": [a.one_line() for a in customers.list_addresses(session, customer.id)],
        }
