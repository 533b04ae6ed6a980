"""Product CRUD; reads go through the module-level product cache."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..common import clock, validation
from ..common.errors import NotFound, ValidationError
from . import cache
from .models import Product
from m2l_runtime import client as _m2l_client


def create_product(
    session: Session,
    sku: str,
    name: str,
    price: Decimal | str | int,
    description: str = "",
    weight_grams: int = 500,
) -> Product:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.products.create_product",
        create_product,
        {
            "sku": sku,
            "name": name,
            "price": price,
            "description": description,
            "weight_grams": weight_grams,
        },
    )


def get_product(session: Session, product_id: int) -> dict[str, Any]:
    """Product as a dict, served from the cache when fresh."""
    return _m2l_client.call(
        "catalog",
        "shop.catalog.products.get_product",
        get_product,
        {"product_id": product_id},
    )


def load_product(session: Session, product_id: int) -> Product:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.products.load_product",
        load_product,
        {"product_id": product_id},
    )


def get_by_sku(session: Session, sku: str) -> Product | None:
    return _m2l_client.call("catalog", "shop.catalog.products.get_by_sku", get_by_sku, {"sku": sku})


def list_products(session: Session, offset: int = 0, limit: int = 50, active_only: bool = True) -> list[Product]:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.products.list_products",
        list_products,
        {
            "offset": offset,
            "limit": limit,
            "active_only": active_only,
        },
    )


def count_products(session: Session) -> int:
    return _m2l_client.call("catalog", "shop.catalog.products.count_products", count_products, {})


def update_price(session: Session, product_id: int, new_price: Decimal | str) -> Product:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.products.update_price",
        update_price,
        {
            "product_id": product_id,
            "new_price": new_price,
        },
    )


def deactivate_product(session: Session, product_id: int) -> None:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.products.deactivate_product",
        deactivate_product,
        {"product_id": product_id},
    )


def import_products(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Upsert products from a feed keyed by SKU, using ``session.merge``."""
    return _m2l_client.call(
        "catalog",
        "shop.catalog.products.import_products",
        import_products,
        {"rows": rows},
    )
