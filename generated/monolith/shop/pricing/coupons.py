"""Coupon codes backed by configured price rules."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..common import clock, money, validation
from ..common.errors import InvalidCoupon, ValidationError
from . import rules
from .models import Coupon, PriceRule
from m2l_runtime import client as _m2l_client


def create_rule(
    session: Session,
    name: str,
    kind: str,
    *,
    percent: int | None = None,
    amount: Decimal | str | None = None,
    buy_quantity: int | None = None,
    free_quantity: int | None = None,
    product_id: int | None = None,
    min_subtotal: Decimal | str | None = None,
    automatic: bool = False,
) -> PriceRule:
    return _m2l_client.call(
        "pricing",
        "shop.pricing.coupons.create_rule",
        create_rule,
        {
            "name": name,
            "kind": kind,
            "percent": percent,
            "amount": amount,
            "buy_quantity": buy_quantity,
            "free_quantity": free_quantity,
            "product_id": product_id,
            "min_subtotal": min_subtotal,
            "automatic": automatic,
        },
    )


def create_coupon(
    session: Session, code: str, rule_id: int, max_uses: int = 1, expires_at: datetime | None = None
) -> Coupon:
    return _m2l_client.call(
        "pricing",
        "shop.pricing.coupons.create_coupon",
        create_coupon,
        {
            "code": code,
            "rule_id": rule_id,
            "max_uses": max_uses,
            "expires_at": expires_at,
        },
    )


def validate_coupon(session: Session, code: str, now: datetime | None = None) -> Coupon:
    return _m2l_client.call(
        "pricing",
        "shop.pricing.coupons.validate_coupon",
        validate_coupon,
        {
            "code": code,
            "now": now,
        },
    )


def rule_for_coupon(session: Session, code: str) -> rules.DiscountRule:
    coupon = validate_coupon(session, code)
    return rules.DiscountRule.from_model(coupon.rule)


def redeem_coupon(session: Session, code: str) -> None:
    """Atomically count one use; fails when the coupon was used up meanwhile."""
    return _m2l_client.call("pricing", "shop.pricing.coupons.redeem_coupon", redeem_coupon, {"code": code})


def release_coupon(session: Session, code: str) -> None:
    return _m2l_client.call("pricing", "shop.pricing.coupons.release_coupon", release_coupon, {"code": code})


def automatic_rules(session: Session) -> list[rules.DiscountRule]:
    stmt = select(PriceRule).where(PriceRule.automatic.is_(True), PriceRule.is_active.is_(True)).order_by(PriceRule.id)
    return [rules.DiscountRule.from_model(row) for row in session.scalars(stmt)]
