"""Checkout: turns an open cart into a paid order in one transaction."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from shop import catalog
from shop.accounts import customers
from shop.accounts.models import Address
from shop.cart import service as cart_service
from shop.inventory import reservations
from shop.inventory.models import Reservation, StockLevel
from shop.notifications import dispatch
from shop.payments import service as payment_service
from shop.payments.models import Payment
from shop.pricing import coupons
from shop.pricing import engine as pricing_engine
from shop.shipping import carriers as shipping_carriers

from ..common import clock, db, events, ids, money
from ..common.audit import audited
from ..common.errors import NotFound, OutOfStock, ValidationError
from .models import Order, OrderLine


@dataclass
class CheckoutRequest:
    customer_id: int
    payment_method: str
    payment_token: str
    carrier_code: str = "standard"
    address_id: int | None = None


def _shipping_address(session: Session, customer_id: int, address_id: int | None) -> Address:
    if address_id is None:
        return customers.default_address(session, customer_id)
    address = session.get(Address, address_id)
    if address is None or address.customer_id != customer_id:
        raise NotFound("address not found", address_id=address_id)
    return address


def _commit_stock(session: Session, cart_id: int, product_id: int, quantity: int) -> None:
    """Consume ``quantity`` units, using the cart's reservation first."""
    held = min(reservations.held_quantity(session, cart_id, product_id), quantity)
    result = session.execute(
        update(StockLevel)
        .where(
            StockLevel.product_id == product_id,
            StockLevel.on_hand - StockLevel.reserved + held >= quantity,
        )
        .values(on_hand=StockLevel.on_hand - quantity, reserved=StockLevel.reserved - held)
    )
    if result.rowcount != 1:
        raise OutOfStock("not enough stock at checkout", product_id=product_id, requested=quantity)


@audited("order.placed")
def place_order(request: CheckoutRequest) -> Order:
    """Price, reserve, charge and record an order; all-or-nothing for the order's own tables.

    The coupon and the cart belong to other units of work (pricing's and cart's): the coupon is
    redeemed in a unit of work of its own before the order is written, and released again if
    the order fails; the cart is marked checked out once the order is committed. Neither waits
    on the order's uncommitted rows (a saga of three steps, not one transaction)."""
    session = db.new_session()
    to_release: str | None = None  # a coupon redeemed for an order not committed yet
    try:
        customer = customers.get_customer(session, request.customer_id)
        address = _shipping_address(session, customer.id, request.address_id)
        cart = cart_service.open_cart(session, customer.id)
        if cart is None or not cart.items:
            raise ValidationError("cart is empty")
        items = cart.item_pairs()
        weights = {pid: catalog.get_product(session, pid)["weight_grams"] for pid, _qty in items}
        carrier = shipping_carriers.get_carrier(request.carrier_code)
        weight = sum(weights[pid] * qty for pid, qty in items)
        shipping_cost = carrier.quote(weight, address.region)
        quote = pricing_engine.quote_cart(session, items, address.region, cart.coupon_code, shipping_cost)
        if cart.coupon_code:
            with db.session_scope() as coupon_session:
                coupons.redeem_coupon(coupon_session, cart.coupon_code)
            to_release = cart.coupon_code
        now = clock.now()
        order = Order(
            reference=ids.new_reference("ORD"),
            customer_id=customer.id,
            status="paid",
            subtotal=quote.subtotal,
            discount=quote.discount,
            tax=quote.tax,
            shipping=quote.shipping,
            total=quote.grand_total(),
            coupon_code=cart.coupon_code,
            carrier_code=carrier.code,
            region=address.region,
            shipping_address=address.one_line(),
            placed_at=now,
            updated_at=now,
        )
        session.add(order)
        session.flush()
        for line in quote.lines:
            session.add(
                OrderLine(
                    order_id=order.id,
                    product_id=line.product_id,
                    sku=line.sku,
                    name=line.name,
                    unit_price=line.unit_price,
                    quantity=line.quantity,
                    discount=line.discount,
                    line_total=line.total(),
                    weight_grams=weights[line.product_id],
                )
            )
            _commit_stock(session, cart.id, line.product_id, line.quantity)
        session.execute(
            update(Reservation)
            .where(Reservation.cart_id == cart.id, Reservation.status == "active")
            .values(status="committed", order_id=order.id)
        )
        charge = payment_service.authorize(
            request.payment_method, request.payment_token, order.total, order.reference
        )
        session.add(
            Payment(
                order_id=order.id,
                method=request.payment_method,
                gateway_ref=charge.reference,
                masked_source=payment_service.describe_source(request.payment_method, request.payment_token),
                amount=charge.amount,
                fee=payment_service.processing_fee(request.payment_method, charge.amount),
                created_at=now,
            )
        )
        session.commit()
        to_release = None
        cart_service.mark_checked_out(session, cart)
        session.commit()
        session.refresh(order)
        order.lines  # load lines before the session closes
    except BaseException:
        session.rollback()
        if to_release is not None:  # the order was not written: give the coupon's use back
            with db.session_scope() as coupon_session:
                coupons.release_coupon(coupon_session, to_release)
        raise
    finally:
        session.close()

    dispatch.notify_async(
        "email",
        dispatch.OPS_EMAIL,
        "ops_new_order",
        {"reference": order.reference, "total": money.format_money(order.total), "customer_id": customer.id},
    )
    events.publish(
        "order.placed",
        {
            "order_id": order.id,
            "reference": order.reference,
            "email": customer.email,
            "phone": customer.phone,
            "name": customer.display_name(),
            "total": money.format_money(order.total),
        },
    )
    return order


def checkout_preview(session: Session, customer_id: int, carrier_code: str = "standard") -> dict[str, object]:
    """What ``place_order`` would charge, without side effects."""
    address = customers.default_address(session, customer_id)
    cart = cart_service.open_cart(session, customer_id)
    if cart is None or not cart.items:
        raise ValidationError("cart is empty")
    items = cart.item_pairs()
    weight = sum(catalog.get_product(session, pid)["weight_grams"] * qty for pid, qty in items)
    shipping_cost = shipping_carriers.get_carrier(carrier_code).quote(weight, address.region)
    quote = pricing_engine.quote_cart(session, items, address.region, cart.coupon_code)
    return quote.with_shipping(shipping_cost).as_dict()
