"""Input validation helpers raising :class:`ValidationError`."""
from __future__ import annotations

import re
from decimal import Decimal

from .errors import ValidationError
from . import money

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$")
_PHONE_RE = re.compile(r"^\+?[0-9 ]{7,15}$")
_SKU_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")
MAX_QUANTITY = 99


def require(condition: bool, message: str, **details: object) -> None:
    if not condition:
        raise ValidationError(message, **details)


def validate_email(email: str) -> str:
    email = (email or "").strip().lower()
    require(bool(_EMAIL_RE.match(email)), "invalid email address", email=email)
    return email


def validate_phone(phone: str | None) -> str | None:
    if phone is None or phone == "":
        return None
    require(bool(_PHONE_RE.match(phone)), "invalid phone number", phone=phone)
    return phone.replace(" ", "")


def validate_quantity(quantity: int) -> int:
    require(isinstance(quantity, int) and not isinstance(quantity, bool), "quantity must be an integer")
    require(1 <= quantity <= MAX_QUANTITY, f"quantity must be between 1 and {MAX_QUANTITY}", quantity=quantity)
    return quantity


def validate_price(value: Decimal | int | str | float) -> Decimal:
    try:
        amount = money.to_decimal(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    require(amount >= money.ZERO, "price must not be negative", price=amount)
    return amount


def validate_sku(sku: str) -> str:
    sku = (sku or "").strip().upper()
    require(bool(_SKU_RE.match(sku)), "invalid SKU", sku=sku)
    return sku


def validate_password(password: str) -> str:
    require(len(password or "") >= 8, "password must have at least 8 characters")
    require(any(c.isdigit() for c in password), "password must contain a digit")
    return password


def validate_region(region: str) -> str:
    region = (region or "").strip().upper()
    require(len(region) == 2 and region.isalpha(), "region must be a 2-letter code", region=region)
    return region


def require_fields(payload: dict, *names: str) -> None:
    missing = [name for name in names if payload.get(name) in (None, "")]
    require(not missing, "missing required fields", fields=",".join(missing))
