from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shop.cart import service as cart_service
from shop.common import audit, db, events
from shop.common.errors import InvalidCoupon, OutOfStock, PaymentDeclined, ValidationError
from shop.inventory import reservations, stock
from shop.inventory.models import Reservation
from shop.notifications import dispatch, senders, wiring
from shop.notifications.models import NotificationLog
from shop.orders import checkout, queries
from shop.orders.models import Order, OrderLine
from shop.payments.models import Payment
from shop.pricing import coupons

from conftest import VISA_DECLINED, VISA_NETWORK_ERROR, VISA_OK, buy, fill_cart

D = Decimal


def count(model):
    with db.session_scope() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_place_order_end_to_end(seed):
    order = buy(seed.alice, (seed.widget, 2), (seed.gadget, 1))
    assert order.reference == "ORD-20240315-000001"
    assert (order.subtotal, order.discount, order.tax, order.shipping) == (D("45.00"), D("0.00"), D("3.26"), D("7.60"))
    assert order.total == D("55.86")
    assert order.status == "paid"
    assert order.shipping_address == "1 Main St, 95112 San Jose, CA"
    with db.session_scope() as s:
        stored = queries.get_by_reference(s, order.reference)
        assert sorted((l.sku, l.quantity) for l in stored.lines) == [("GAD-001", 1), ("WID-001", 2)]
        assert sum(l.line_total for l in stored.lines) == D("45.00")
        assert cart_service.open_cart(s, seed.alice) is None


def test_checkout_consumes_reserved_stock_and_commits_reservations(seed):
    order = buy(seed.alice, (seed.widget, 2), (seed.gadget, 1))
    with db.session_scope() as s:
        level = stock.get_level(s, seed.widget)
        assert (level.on_hand, level.reserved) == (8, 0)
        statuses = {(r.status, r.order_id) for r in s.scalars(select(Reservation))}
        assert statuses == {("committed", order.id)}


def test_checkout_records_payment_with_fee(seed):
    order = buy(seed.alice, (seed.widget, 1))
    with db.session_scope() as s:
        payment = s.scalars(select(Payment).where(Payment.order_id == order.id)).one()
    assert payment.amount == order.total
    assert payment.masked_source == "card ************4242"
    assert payment.fee == D("0.30") + (order.total * D("0.029")).quantize(D("0.01"))
    assert payment.gateway_ref.startswith("CA_")


def test_declined_payment_rolls_back_everything(seed):
    fill_cart(seed.alice, (seed.widget, 2))
    with pytest.raises(PaymentDeclined):
        checkout.place_order(checkout.CheckoutRequest(seed.alice, "card", VISA_DECLINED))
    assert count(Order) == 0 and count(OrderLine) == 0 and count(Payment) == 0
    with db.session_scope() as s:
        level = stock.get_level(s, seed.widget)
        assert (level.on_hand, level.reserved) == (10, 2)
        cart = cart_service.open_cart(s, seed.alice)
        assert cart is not None and cart.item_pairs() == [(seed.widget, 2)]
        assert reservations.held_quantity(s, cart.id, seed.widget) == 2
    assert audit.entries(db.new_session(), "order.placed") == []


def test_gateway_network_error_is_declined(seed):
    fill_cart(seed.alice, (seed.widget, 1))
    with pytest.raises(PaymentDeclined, match="unavailable"):
        checkout.place_order(checkout.CheckoutRequest(seed.alice, "card", VISA_NETWORK_ERROR))
    assert count(Order) == 0


def test_wallet_payment(seed):
    fill_cart(seed.bob, (seed.gift, 1))
    order = checkout.place_order(checkout.CheckoutRequest(seed.bob, "wallet", "wal_bob", "express"))
    assert order.shipping == D("12.88")
    assert order.tax == D("1.14")  # gift card exempt, but shipping is taxable in NY
    assert order.total == D("64.02")
    fill_cart(seed.bob, (seed.gift, 1))
    with pytest.raises(PaymentDeclined, match="insufficient"):
        checkout.place_order(checkout.CheckoutRequest(seed.bob, "wallet", "wal_empty"))


def test_checkout_with_coupon_redeems_it(seed):
    with db.session_scope() as s:
        rule = coupons.create_rule(s, "Ten", "percentage", percent=10)
        coupons.create_coupon(s, "TENOFF", rule.id, max_uses=1)
    fill_cart(seed.alice, (seed.widget, 2), (seed.gadget, 1), coupon="tenoff")
    with pytest.raises(PaymentDeclined):  # a checkout that fails gives the coupon's use back
        checkout.place_order(checkout.CheckoutRequest(seed.alice, "card", VISA_DECLINED))
    with db.session_scope() as s:
        assert coupons.validate_coupon(s, "TENOFF").times_used == 0
    order = checkout.place_order(checkout.CheckoutRequest(seed.alice, "card", VISA_OK))
    assert order.discount == D("4.50") and order.tax == D("2.94") and order.total == D("51.04")
    with db.session_scope() as s, pytest.raises(InvalidCoupon, match="used up"):
        coupons.validate_coupon(s, "TENOFF")


def test_out_of_stock_at_checkout_when_reservation_expired(seed, clock):
    fill_cart(seed.alice, (seed.gadget, 3))
    clock.advance(minutes=31)
    with db.session_scope() as s:
        reservations.expire_stale_reservations(s, clock.now())
    buy(seed.bob, (seed.gadget, 4))
    with pytest.raises(OutOfStock):
        checkout.place_order(checkout.CheckoutRequest(seed.alice, "card", "4242424242424242"))
    with db.session_scope() as s:
        assert stock.get_level(s, seed.gadget).on_hand == 1
    assert count(Order) == 1


def test_empty_cart_cannot_check_out(seed):
    with pytest.raises(ValidationError, match="empty"):
        checkout.place_order(checkout.CheckoutRequest(seed.alice, "card", "4242424242424242"))


def test_successful_order_is_audited_and_published(seed):
    order = buy(seed.alice, (seed.widget, 1))
    with db.session_scope() as s:
        entries = audit.entries(s, "order.placed")
    assert [e.subject for e in entries] == [order.reference]
    (name, payload), = events.published("order.placed")
    assert payload["reference"] == order.reference and payload["email"] == "alice@example.com"


def test_notifications_are_queued_then_flushed(seed):
    wiring.register_subscriptions()
    order = buy(seed.alice, (seed.widget, 1))
    queued = dispatch.pending()
    assert [(n.channel, n.recipient, n.template) for n in queued] == [
        ("email", dispatch.OPS_EMAIL, "ops_new_order"),
        ("email", "alice@example.com", "order_confirmation"),
        ("sms", "+15550001", "order_confirmation"),
    ]
    assert senders.outbox() == []
    assert dispatch.flush() == 3
    assert senders.sent_to("alice@example.com")[0]["subject"] == f"Your order {order.reference}"
    assert len(senders.sent_to("+15550001")[0]["body"]) <= 160
    assert count(NotificationLog) == 3
    assert dispatch.pending() == []


def test_outbox_is_a_copy_of_what_was_sent():
    dispatch.notify_async("email", "carol@example.com", "welcome", {"name": "Carol"})
    assert senders.outbox() == []
    assert dispatch.flush() == 1
    (message,) = senders.outbox()
    assert message["to"] == "carol@example.com" and message["subject"] == "Welcome to the shop"
    message["to"] = "mallory@example.com"
    assert senders.outbox()[0]["to"] == "carol@example.com"
    senders.clear_outbox()
    assert senders.outbox() == []


def test_checkout_preview_matches_order(seed):
    fill_cart(seed.alice, (seed.widget, 2), (seed.gadget, 1))
    with db.session_scope() as s:
        preview = checkout.checkout_preview(s, seed.alice)
    order = checkout.place_order(checkout.CheckoutRequest(seed.alice, "card", "4242424242424242"))
    assert preview["total"] == str(order.total)
