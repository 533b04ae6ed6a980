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
from m2l_runtime import client as _m2l_client

if TYPE_CHECKING:
    from shop.orders.models import Order


def authorize(method: str, token: str, amount: Decimal, reference: str) -> GatewayResult:
    """Charge ``amount`` now; raises :class:`PaymentDeclined` on refusal."""
    return _m2l_client.call(
        "payments",
        "shop.payments.service.authorize",
        authorize,
        {
            "method": method,
            "token": token,
            "amount": amount,
            "reference": reference,
        },
    )


def verify_card(number: str) -> bool:
    return _m2l_client.call("payments", "shop.payments.service.verify_card", verify_card, {"number": number})


def describe_source(method: str, token: str) -> str:
    return _m2l_client.call(
        "payments",
        "shop.payments.service.describe_source",
        describe_source,
        {
            "method": method,
            "token": token,
        },
    )


def processing_fee(method: str, amount: Decimal) -> Decimal:
    return _m2l_client.call(
        "payments",
        "shop.payments.service.processing_fee",
        processing_fee,
        {
            "method": method,
            "amount": amount,
        },
    )


def payment_for_order(session: Session, order_id: int) -> Payment:
    return _m2l_client.call(
        "payments",
        "shop.payments.service.payment_for_order",
        payment_for_order,
        {"order_id": order_id},
    )


def refund_payment(session: Session, payment: Payment, amount: Decimal) -> GatewayResult:
    """Refund part or all of a captured payment through its gateway."""
    return _m2l_client.call(
        "payments",
        "shop.payments.service.refund_payment",
        refund_payment,
        {
            "payment": payment,
            "amount": amount,
        },
    )


def handle_chargeback(session: Session, payment_id: int) -> "Order":
    """A disputed payment refunds the whole order (imports orders lazily: cycle)."""
    return _m2l_client.call(
        "payments",
        "shop.payments.service.handle_chargeback",
        handle_chargeback,
        {"payment_id": payment_id},
    )


def payments_total(session: Session) -> Decimal:
    return _m2l_client.call("payments", "shop.payments.service.payments_total", payments_total, {})


def record_failed_attempt(session: Session, order_id: int, method: str, token: str, amount: Decimal) -> Payment:
    return _m2l_client.call(
        "payments",
        "shop.payments.service.record_failed_attempt",
        record_failed_attempt,
        {
            "order_id": order_id,
            "method": method,
            "token": token,
            "amount": amount,
        },
    )
