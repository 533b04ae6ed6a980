"""Refunds and cancellations (calls payments; payments calls back lazily)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

import shop.inventory.stock as stock
from shop.accounts.customers import get_customer
from shop.notifications import dispatch
from shop.payments import service as payment_service

from ..common import clock, events, money
from ..common.audit import record
from ..common.errors import InvalidTransition, ValidationError
from . import queries
from .models import Order, OrderLine

REFUNDABLE_STATUSES = {"paid", "shipped", "delivered", "partially_refunded"}


def line_refund_amount(order: Order, line: OrderLine, quantity: int) -> Decimal:
    """Net paid for ``quantity`` units of ``line`` including their share of tax."""
    per_unit = line.line_total / line.quantity
    net = money.quantize(per_unit * quantity)
    taxable_base = money.subtract(order.subtotal, order.discount)
    tax_share = money.quantize(order.tax * net / taxable_base) if taxable_base > 0 else money.ZERO
    return money.add(net, tax_share)


def refund_order(
    session: Session,
    order_id: int,
    reason: str = "customer_request",
    quantities: dict[int, int] | None = None,
) -> Order:
    """Refund whole order (``quantities`` None) or some units per product id."""
    order = queries.get_order(session, order_id)
    if order.status not in REFUNDABLE_STATUSES:
        raise InvalidTransition("order cannot be refunded", status=order.status)
    restock_allowed = order.status == "paid" or order.status == "partially_refunded"
    if quantities is None:
        amount = order.refundable_amount()
        units = {line.product_id: line.refundable_quantity() for line in order.lines}
    else:
        units = dict(quantities)
        amount = money.ZERO
        for line in order.lines:
            qty = units.get(line.product_id, 0)
            if qty > line.refundable_quantity():
                raise ValidationError("refund quantity exceeds purchased", product_id=line.product_id)
            if qty:
                amount = money.add(amount, line_refund_amount(order, line, qty))
        amount = min(amount, order.refundable_amount())
    if not money.is_positive(amount):
        raise ValidationError("nothing left to refund", order_id=order_id)

    payment = payment_service.payment_for_order(session, order.id)
    payment_service.refund_payment(session, payment, amount)
    # The gateway has paid the money back: the payment's record of it is committed at once (under
    # payments' chargeback, refund_payment wrote it in this unit of work, whose uncommitted rows
    # inventory's restock would wait on).
    session.commit()
    if restock_allowed:  # before the order's lines change: inventory restocks in a unit of work of its own
        for line in order.lines:
            if units.get(line.product_id, 0):
                stock.restock(session, line.product_id, units[line.product_id])
    for line in order.lines:
        qty = units.get(line.product_id, 0)
        if qty:
            line.refunded_quantity += qty
    order.refunded = money.add(order.refunded, amount)
    order.status = "refunded" if order.refunded >= order.total else "partially_refunded"
    order.updated_at = clock.now()
    record(session, "order.refunded", order.reference, amount=amount, reason=reason)

    customer = get_customer(session, order.customer_id)
    events.publish(
        "order.refunded",
        {"order_id": order.id, "reference": order.reference, "email": customer.email,
         "amount": money.format_money(amount), "reason": reason},
    )
    return order


def cancel_order(session: Session, order_id: int) -> Order:
    """Cancel a not-yet-shipped order: full refund and restock."""
    order = queries.get_order(session, order_id)
    if order.status != "paid":
        raise InvalidTransition("only unshipped paid orders can be cancelled", status=order.status)
    refund_order(session, order_id, reason="cancelled")
    order.status = "cancelled"
    record(session, "order.cancelled", order.reference)
    dispatch.notify_async(
        "email", dispatch.OPS_EMAIL, "order_refunded",
        {"reference": order.reference, "amount": money.format_money(order.refunded), "reason": "cancelled"},
    )
    return order
