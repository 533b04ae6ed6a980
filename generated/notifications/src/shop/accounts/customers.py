"""Customer registration, profile and address book."""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..common import clock, validation
from ..common.errors import NotFound, ValidationError
from . import auth
from .models import Address, Customer
from m2l_runtime import client as _m2l_client


def register_customer(
    session: Session,
    email: str,
    full_name: str,
    password: str,
    phone: str | None = None,
    marketing_opt_in: bool = False,
) -> Customer:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.customers.register_customer",
        register_customer,
        {
            "email": email,
            "full_name": full_name,
            "password": password,
            "phone": phone,
            "marketing_opt_in": marketing_opt_in,
        },
    )


def get_customer(session: Session, customer_id: int) -> Customer:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.customers.get_customer",
        get_customer,
        {"customer_id": customer_id},
    )


def find_by_email(session: Session, email: str) -> Customer | None:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.customers.find_by_email",
        find_by_email,
        {"email": email},
    )


def update_profile(session: Session, customer_id: int, **changes: object) -> Customer:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.customers.update_profile",
        update_profile,
        {
            "customer_id": customer_id,
            "changes": changes,
        },
    )


def deactivate_customer(session: Session, customer_id: int) -> None:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.customers.deactivate_customer",
        deactivate_customer,
        {"customer_id": customer_id},
    )


def add_address(
    session: Session,
    customer_id: int,
    line1: str,
    city: str,
    postcode: str,
    region: str,
    line2: str | None = None,
    make_default: bool = False,
) -> Address:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.customers.add_address",
        add_address,
        {
            "customer_id": customer_id,
            "line1": line1,
            "city": city,
            "postcode": postcode,
            "region": region,
            "line2": line2,
            "make_default": make_default,
        },
    )


def list_addresses(session: Session, customer_id: int) -> list[Address]:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.customers.list_addresses",
        list_addresses,
        {"customer_id": customer_id},
    )


def default_address(session: Session, customer_id: int) -> Address:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.customers.default_address",
        default_address,
        {"customer_id": customer_id},
    )


def remove_address(session: Session, customer_id: int, address_id: int) -> None:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.customers.remove_address",
        remove_address,
        {
            "customer_id": customer_id,
            "address_id": address_id,
        },
    )
