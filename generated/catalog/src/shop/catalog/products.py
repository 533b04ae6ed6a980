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


def create_product(
    session: Session,
    sku: str,
    name: str,
    price: Decimal | str | int,
    description: str = "",
    weight_grams: int = 500,
) -> Product:
    sku = validation.validate_sku(sku)
    validation.require(bool(name.strip()), "product name is required")
    validation.require(weight_grams > 0, "weight must be positive", weight=weight_grams)
    if get_by_sku(session, sku) is not None:
        raise ValidationError("SKU already exists", sku=sku)
    product = Product(
        sku=sku,
        name=name.strip(),
        description=description,
        price=validation.validate_price(price),
        weight_grams=weight_grams,
        updated_at=clock.now(),
    )
    session.add(product)
    session.flush()
    return product


def get_product(session: Session, product_id: int) -> dict[str, Any]:
    """Product as a dict, served from the cache when fresh."""
    cached = cache.cache_get(product_id)
    if cached is not None:
        return cached
    product = session.get(Product, product_id)
    if product is None or not product.is_active:
        raise NotFound("product not found", product_id=product_id)
    data = product.to_dict()
    cache.cache_put(product_id, data)
    return data


def load_product(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound("product not found", product_id=product_id)
    return product


def get_by_sku(session: Session, sku: str) -> Product | None:
    return session.scalars(select(Product).where(Product.sku == sku.upper())).first()


def list_products(session: Session, offset: int = 0, limit: int = 50, active_only: bool = True) -> list[Product]:
    stmt = select(Product).order_by(Product.name).offset(offset).limit(min(limit, 200))
    if active_only:
        stmt = stmt.where(Product.is_active.is_(True))
    return list(session.scalars(stmt))


def count_products(session: Session) -> int:
    return session.scalar(select(func.count(Product.id)).where(Product.is_active.is_(True))) or 0


def update_price(session: Session, product_id: int, new_price: Decimal | str) -> Product:
    product = load_product(session, product_id)
    product.price = validation.validate_price(new_price)
    product.updated_at = clock.now()
    cache.invalidate(product_id)
    return product


def deactivate_product(session: Session, product_id: int) -> None:
    session.execute(
        update(Product).where(Product.id == product_id).values(is_active=False, updated_at=clock.now())
    )
    cache.invalidate(product_id)


def import_products(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Upsert products from a feed keyed by SKU, using ``session.merge``."""
    count = 0
    for row in rows:
        sku = validation.validate_sku(row["sku"])
        existing = get_by_sku(session, sku)
        product = Product(
            id=existing.id if existing else None,
            sku=sku,
            name=row["name"],
            description=row.get("description", ""),
            price=validation.validate_price(row["price"]),
            weight_grams=int(row.get("weight_grams", 500)),
            is_active=True,
            updated_at=clock.now(),
        )
        merged = session.merge(product)
        session.flush()
        cache.invalidate(merged.id)
        count += 1
    return count
