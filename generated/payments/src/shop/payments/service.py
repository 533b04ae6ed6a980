"""Payment use cases: authorise, refund, chargebacks."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..common import clock, money
from ..common.decorators import retry
from ..common.errors import NotFound, PaymentDeclined, ValidationError
from .gateways import CardGateway, GatewayResult, PaymentGateway, gateway_for
from .models import Payment

if TYPE_CHECKING:
    from shop.orders.models import Order


def authorize(method: str, token: str, amount: Decimal, reference: str) -> GatewayResult:
    """Charge ``amount`` now; raises :class:`PaymentDeclined` on refusal."""
    gateway = gateway_for(method)
    try:
        result = retry(lambda: gateway.charge(amount, token, reference), attempts=2)
    except ConnectionError as exc:
        raise PaymentDeclined("payment provider unavailable", method=method) from exc
    if not result.ok:
        raise PaymentDeclined(result.message, method=method, source=PaymentGateway.mask(token))
    return result


def verify_card(number: str) -> bool:
    gw = CardGateway()
    return gw.verify(number)


def describe_source(method: str, token: str) -> str:
    return f"{method} {PaymentGateway.mask(token)}"


def processing_fee(method: str, amount: Decimal) -> Decimal:
    return gateway_for(method).fee(amount)


def payment_for_order(session: Session, order_id: int) -> Payment:
    payment = session.scalars(
        select(Payment).where(Payment.order_id == order_id, Payment.status != "failed").order_by(Payment.id)
    ).first()
    if payment is None:
        raise NotFound("no payment for order", order_id=order_id)
    return payment


def refund_payment(session: Session, payment: Payment, amount: Decimal) -> GatewayResult:
    """Refund part or all of a captured payment through its gateway."""
    amount = money.to_decimal(amount)
    remaining = money.subtract(payment.amount, payment.refunded_amount)
    if not money.is_positive(amount) or amount > remaining:
        raise ValidationError("refund exceeds captured amount", amount=amount, remaining=remaining)
    gateway = gateway_for(payment.method)
    result = retry(lambda: gateway.refund(payment.gateway_ref, amount), attempts=3)
    refunded = money.add(payment.refunded_amount, amount)
    status = "refunded" if refunded == payment.amount else "partially_refunded"
    session.execute(
        update(Payment).where(Payment.id == payment.id).values(refunded_amount=refunded, status=status)
    )
    session.refresh(payment)
    return result


def handle_chargeback(session: Session, payment_id: int) -> "Order":
    """A disputed payment refunds the whole order (imports orders lazily: cycle)."""
    from shop.orders import refunds

    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound("payment not found", payment_id=payment_id)
    return refunds.refund_order(session, payment.order_id, reason="chargeback")


def payments_total(session: Session) -> Decimal:
    amounts = session.scalars(select(Payment.amount).where(Payment.status != "failed"))
    return money.total(amounts)


def record_failed_attempt(session: Session, order_id: int, method: str, token: str, amount: Decimal) -> Payment:
    payment = Payment(
        order_id=order_id,
        method=method,
        gateway_ref="",
        masked_source=PaymentGateway.mask(token),
        amount=amount,
        status="failed",
        created_at=clock.now(),
    )
    session.add(payment)
    return payment
