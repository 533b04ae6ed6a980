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
    if kind not in rules.RULE_TYPES:
        raise ValidationError("unknown price rule kind", kind=kind)
    row = PriceRule(
        name=name,
        kind=kind,
        percent=percent,
        amount=money.to_decimal(amount) if amount is not None else None,
        buy_quantity=buy_quantity,
        free_quantity=free_quantity,
        product_id=product_id,
        min_subtotal=money.to_decimal(min_subtotal) if min_subtotal is not None else None,
        automatic=automatic,
    )
    rules.DiscountRule.from_model(row)  # validates parameters before saving
    session.add(row)
    session.flush()
    return row


def create_coupon(
    session: Session, code: str, rule_id: int, max_uses: int = 1, expires_at: datetime | None = None
) -> Coupon:
    code = code.strip().upper()
    validation.require(len(code) >= 4, "coupon code too short", code=code)
    validation.require(max_uses >= 1, "max_uses must be positive")
    if session.get(PriceRule, rule_id) is None:
        raise ValidationError("price rule not found", rule_id=rule_id)
    coupon = Coupon(code=code, rule_id=rule_id, max_uses=max_uses, expires_at=expires_at)
    session.add(coupon)
    session.flush()
    return coupon


def validate_coupon(session: Session, code: str, now: datetime | None = None) -> Coupon:
    now = now or clock.now()
    coupon = session.scalars(select(Coupon).where(Coupon.code == code.strip().upper())).first()
    if coupon is None:
        raise InvalidCoupon("unknown coupon", code=code)
    if coupon.expires_at is not None and coupon.expires_at <= now:
        raise InvalidCoupon("coupon expired", code=code)
    if coupon.times_used >= coupon.max_uses:
        raise InvalidCoupon("coupon already used up", code=code)
    if not coupon.rule.is_active:
        raise InvalidCoupon("coupon disabled", code=code)
    return coupon


def rule_for_coupon(session: Session, code: str) -> rules.DiscountRule:
    coupon = validate_coupon(session, code)
    return rules.DiscountRule.from_model(coupon.rule)


def redeem_coupon(session: Session, code: str) -> None:
    """Atomically count one use; fails when the coupon was used up meanwhile."""
    result = session.execute(
        update(Coupon)
        .where(Coupon.code == code.strip().upper(), Coupon.times_used < Coupon.max_uses)
        .values(times_used=Coupon.times_used + 1)
    )
    if result.rowcount != 1:
        raise InvalidCoupon("coupon already used up", code=code)


def release_coupon(session: Session, code: str) -> None:
    session.execute(
        update(Coupon)
        .where(Coupon.code == code.strip().upper(), Coupon.times_used > 0)
        .values(times_used=Coupon.times_used - 1)
    )


def automatic_rules(session: Session) -> list[rules.DiscountRule]:
    stmt = select(PriceRule).where(PriceRule.automatic.is_(True), PriceRule.is_active.is_(True)).order_by(PriceRule.id)
    return [rules.DiscountRule.from_model(row) for row in session.scalars(stmt)]
