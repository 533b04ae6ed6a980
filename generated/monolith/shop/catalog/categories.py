"""Category tree and product/category association."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ..common import ids
from ..common.errors import NotFound, ValidationError
from .models import Category, Product, product_categories
from .products import load_product
from m2l_runtime import client as _m2l_client


def create_category(session: Session, name: str, parent_id: int | None = None) -> Category:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.categories.create_category",
        create_category,
        {
            "name": name,
            "parent_id": parent_id,
        },
    )


def assign_category(session: Session, product_id: int, category_id: int) -> None:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.categories.assign_category",
        assign_category,
        {
            "product_id": product_id,
            "category_id": category_id,
        },
    )


def unassign_category(session: Session, product_id: int, category_id: int) -> None:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.categories.unassign_category",
        unassign_category,
        {
            "product_id": product_id,
            "category_id": category_id,
        },
    )


def products_in_category(session: Session, slug: str, include_children: bool = True) -> list[Product]:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.categories.products_in_category",
        products_in_category,
        {
            "slug": slug,
            "include_children": include_children,
        },
    )


def descendant_ids(session: Session, category_id: int) -> list[int]:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.categories.descendant_ids",
        descendant_ids,
        {"category_id": category_id},
    )


def category_tree(session: Session) -> list[dict[str, Any]]:
    """Nested ``{"name", "slug", "children"}`` dicts for navigation menus."""
    return _m2l_client.call("catalog", "shop.catalog.categories.category_tree", category_tree, {})
