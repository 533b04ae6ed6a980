from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.cart import service as cart_service
from shop.common import db
from shop.common.errors import NotFound, OutOfStock, ValidationError
from shop.inventory import reservations, stock
from shop.inventory.models import Reservation

from conftest import fill_cart


def test_adding_to_cart_reserves_stock(seed):
    fill_cart(seed.alice, (seed.widget, 3))
    with db.session_scope() as s:
        level = stock.get_level(s, seed.widget)
        assert (level.on_hand, level.reserved, level.available) == (10, 3, 7)
        cart = cart_service.open_cart(s, seed.alice)
        assert reservations.held_quantity(s, cart.id, seed.widget) == 3


def test_adding_same_product_twice_merges_line_and_reservation(seed):
    fill_cart(seed.alice, (seed.widget, 2), (seed.widget, 1))
    with db.session_scope() as s:
        cart = cart_service.open_cart(s, seed.alice)
        assert cart.item_pairs() == [(seed.widget, 3)]
        assert len(list(s.scalars(select(Reservation)))) == 1


def test_cannot_reserve_more_than_available(seed):
    fill_cart(seed.alice, (seed.gadget, 4))
    with db.session_scope() as s, pytest.raises(OutOfStock):
        cart_service.add_item(s, seed.bob, seed.gadget, 2)
    with db.session_scope() as s:
        assert stock.available(s, seed.gadget) == 1


def test_update_quantity_adjusts_reservation(seed):
    fill_cart(seed.alice, (seed.widget, 2))
    with db.session_scope() as s:
        cart_service.update_quantity(s, seed.alice, seed.widget, 5)
        assert stock.available(s, seed.widget) == 5
        cart_service.update_quantity(s, seed.alice, seed.widget, 1)
        assert stock.available(s, seed.widget) == 9
        cart_service.update_quantity(s, seed.alice, seed.widget, 0)
        assert stock.available(s, seed.widget) == 10
        assert cart_service.open_cart(s, seed.alice).items == []


def test_remove_item_releases_and_unknown_item_fails(seed):
    fill_cart(seed.alice, (seed.widget, 2), (seed.gadget, 1))
    with db.session_scope() as s:
        cart = cart_service.remove_item(s, seed.alice, seed.widget)
        assert cart.item_pairs() == [(seed.gadget, 1)]
        assert stock.available(s, seed.widget) == 10
        with pytest.raises(NotFound):
            cart_service.remove_item(s, seed.alice, seed.widget)


def test_clear_cart_releases_everything(seed):
    fill_cart(seed.alice, (seed.widget, 2), (seed.gadget, 1))
    with db.session_scope() as s:
        cart_service.clear_cart(s, seed.alice)
    with db.session_scope() as s:
        assert stock.available_many(s, [seed.widget, seed.gadget]) == {seed.widget: 10, seed.gadget: 5}
        assert cart_service.cart_view(s, seed.alice)["lines"] == []


def test_expire_stale_reservations(seed, clock):
    fill_cart(seed.alice, (seed.widget, 4))
    clock.advance(minutes=10)
    fill_cart(seed.bob, (seed.gadget, 1))
    with db.session_scope() as s:
        assert reservations.expire_stale_reservations(s, clock.now() + timedelta(minutes=21)) == 1
    with db.session_scope() as s:
        assert stock.available(s, seed.widget) == 10
        assert stock.available(s, seed.gadget) == 4


def test_low_stock_and_restock(seed):
    fill_cart(seed.alice, (seed.gadget, 3))
    with db.session_scope() as s:
        assert [lvl.product_id for lvl in stock.low_stock(s)] == [seed.gadget]
        assert stock.restock(s, seed.gadget, 10) == 12
        assert stock.low_stock(s) == []
        with pytest.raises(ValidationError):
            stock.set_stock(s, seed.gadget, 2)  # below reserved quantity


def test_cart_view_prices_items(seed):
    fill_cart(seed.alice, (seed.widget, 2), (seed.gadget, 1))
    with db.session_scope() as s:
        view = cart_service.cart_view(s, seed.alice, "CA")
    assert view["subtotal"] == "45.00"
    assert view["tax"] == "3.26"
    assert view["total"] == "48.26"


def test_invalid_quantity_and_unknown_product(seed):
    with db.session_scope() as s:
        with pytest.raises(ValidationError):
            cart_service.add_item(s, seed.alice, seed.widget, 0)
        with pytest.raises(NotFound):
            cart_service.add_item(s, seed.alice, 999, 1)
