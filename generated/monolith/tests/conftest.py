"""Shared fixtures: a fresh database, a fixed clock and seed data.

The database is in memory unless SHOP_DATABASE_URL names one (a file database is emptied
before every test).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

import pytest

from shop.accounts import customers
from shop.cart import service as cart_service
from shop.catalog import cache, categories, products
from shop.common import clock as clock_mod
from shop.common import db, events, ids
from shop.inventory import stock
from shop.notifications import dispatch, senders
from shop.orders import checkout
from shop.reporting import jobs

VISA_OK = "4242424242424242"
VISA_DECLINED = "4000000000000002"
VISA_NETWORK_ERROR = "4000000000000119"
VISA_SLOW_REFUND = "4000000000005126"  # charged; its first refund attempt times out (shop.payments.gateways)
START = datetime(2024, 3, 15, 10, 0, 0)


@dataclass
class Seed:
    alice: int
    bob: int
    widget: int
    gadget: int
    gift: int
    gadgets_category: str


@pytest.fixture(autouse=True)
def clock() -> clock_mod.FixedClock:
    fixed = clock_mod.FixedClock(START)
    previous = clock_mod.set_clock(fixed)
    yield fixed
    clock_mod.set_clock(previous)


@pytest.fixture(autouse=True)
def fresh_state(clock: clock_mod.FixedClock) -> None:
    db.init_db(os.environ.get("SHOP_DATABASE_URL", "sqlite://"))
    if "SHOP_DATABASE_URL" in os.environ:  # an in-memory database is fresh anyway
        db.reset_db()
    cache.clear_cache()
    ids.reset()
    events.reset()
    dispatch.reset()
    senders.clear_outbox()
    jobs.reset_schedule()
    yield
    db.get_engine().dispose()


@pytest.fixture
def seed() -> Seed:
    with db.session_scope() as s:
        alice = customers.register_customer(s, "alice@example.com", "Alice Liddell", "wonder1and", phone="+15550001")
        bob = customers.register_customer(s, "bob@example.com", "Bob Stone", "builder99")
        customers.add_address(s, alice.id, "1 Main St", "San Jose", "95112", "CA")
        customers.add_address(s, bob.id, "9 Broadway", "New York", "10001", "NY")
        widget = products.create_product(s, "WID-001", "Blue Widget", "10.00", "A sturdy blue widget", 500)
        gadget = products.create_product(s, "GAD-001", "Gadget Pro", "25.00", "Pro gadget with widget port", 1200)
        gift = products.create_product(s, "GIFT-50", "Gift Card 50", "50.00", "Gift card", 50)
        stock.set_stock(s, widget.id, 10)
        stock.set_stock(s, gadget.id, 5, reorder_level=2)
        stock.set_stock(s, gift.id, 100)
        root = categories.create_category(s, "Electronics")
        sub = categories.create_category(s, "Gadgets", parent_id=root.id)
        categories.assign_category(s, gadget.id, sub.id)
        categories.assign_category(s, widget.id, root.id)
        return Seed(alice.id, bob.id, widget.id, gadget.id, gift.id, root.slug)


def fill_cart(customer_id: int, *items: tuple[int, int], coupon: str | None = None) -> None:
    with db.session_scope() as s:
        for product_id, quantity in items:
            cart_service.add_item(s, customer_id, product_id, quantity)
        if coupon:
            cart_service.apply_coupon(s, customer_id, coupon)


def buy(customer_id: int, *items: tuple[int, int], token: str = VISA_OK, carrier: str = "standard",
        coupon: str | None = None):
    fill_cart(customer_id, *items, coupon=coupon)
    return checkout.place_order(checkout.CheckoutRequest(customer_id, "card", token, carrier))
