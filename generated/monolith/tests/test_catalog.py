from decimal import Decimal

import pytest
from sqlalchemy import select

from shop import catalog
from shop.catalog import cache, categories, products, search
from shop.catalog.models import Category
from shop.common import db
from shop.common.errors import NotFound, ValidationError


def test_reexported_get_product_is_the_same_function():
    assert catalog.get_product is products.get_product


def test_get_product_uses_cache(seed):
    with db.session_scope() as s:
        first = catalog.get_product(s, seed.widget)
        second = catalog.get_product(s, seed.widget)
    assert first == second and first["price"] == "10.00"
    assert cache.stats() == {"size": 1, "hits": 1, "misses": 1}


def test_cache_entries_expire(seed, clock):
    with db.session_scope() as s:
        catalog.get_product(s, seed.widget)
    clock.advance(minutes=11)
    assert cache.cache_get(seed.widget) is None


def test_update_price_invalidates_cache(seed):
    with db.session_scope() as s:
        catalog.get_product(s, seed.widget)
        products.update_price(s, seed.widget, "12.50")
    with db.session_scope() as s:
        assert catalog.get_product(s, seed.widget)["price"] == "12.50"


def test_duplicate_sku_and_bad_price_rejected(seed):
    with db.session_scope() as s, pytest.raises(ValidationError):
        products.create_product(s, "wid-001", "Dup", "1.00")
    with db.session_scope() as s, pytest.raises(ValidationError):
        products.create_product(s, "NEW-001", "Neg", "-1")


def test_deactivated_product_not_found(seed):
    with db.session_scope() as s:
        catalog.get_product(s, seed.gift)
        products.deactivate_product(s, seed.gift)
    with db.session_scope() as s:
        with pytest.raises(NotFound):
            catalog.get_product(s, seed.gift)
        assert products.count_products(s) == 2


def test_import_products_upserts_with_merge(seed):
    with db.session_scope() as s:
        count = products.import_products(
            s,
            [{"sku": "WID-001", "name": "Blue Widget v2", "price": "11.00"},
             {"sku": "NEW-100", "name": "New Thing", "price": "3.50", "weight_grams": 100}],
        )
    assert count == 2
    with db.session_scope() as s:
        assert products.get_by_sku(s, "WID-001").name == "Blue Widget v2"
        assert products.get_by_sku(s, "new-100").price == Decimal("3.50")
        assert products.count_products(s) == 4


def test_search_ranks_name_matches_first(seed):
    with db.session_scope() as s:
        results = search.search_products(s, "widget")
        assert [p.sku for p in results] == ["WID-001", "GAD-001"]
        assert [p.sku for p in search.search_products(s, "widget", max_price="20")] == ["WID-001"]
        assert search.search_products(s, "  ") == []
        assert search.suggest(s, "ga") == ["Gadget Pro"]


def test_category_tree_and_children(seed):
    with db.session_scope() as s:
        tree = categories.category_tree(s)
        assert tree == [{"name": "Electronics", "slug": "electronics",
                         "children": [{"name": "Gadgets", "slug": "gadgets", "children": []}]}]
        names = [p.name for p in categories.products_in_category(s, "electronics")]
        assert names == ["Blue Widget", "Gadget Pro"]
        assert [p.name for p in categories.products_in_category(s, "electronics", include_children=False)] == [
            "Blue Widget"]
        root_id = s.scalars(select(Category.id).where(Category.slug == "electronics")).one()
        categories.unassign_category(s, seed.widget, root_id)
        assert [p.name for p in categories.products_in_category(s, "electronics")] == ["Gadget Pro"]
