"""Category tree and product/category association."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ..common import ids
from ..common.errors import NotFound, ValidationError
from .models import Category, Product, product_categories
from .products import load_product


def create_category(session: Session, name: str, parent_id: int | None = None) -> Category:
    if parent_id is not None and session.get(Category, parent_id) is None:
        raise NotFound("parent category not found", parent_id=parent_id)
    slug = ids.slugify(name)
    if session.scalars(select(Category).where(Category.slug == slug)).first() is not None:
        raise ValidationError("category already exists", slug=slug)
    category = Category(name=name.strip(), slug=slug, parent_id=parent_id)
    session.add(category)
    session.flush()
    return category


def assign_category(session: Session, product_id: int, category_id: int) -> None:
    load_product(session, product_id)
    if session.get(Category, category_id) is None:
        raise NotFound("category not found", category_id=category_id)
    already = session.execute(
        select(product_categories).where(
            product_categories.c.product_id == product_id,
            product_categories.c.category_id == category_id,
        )
    ).first()
    if already is None:
        session.execute(insert(product_categories).values(product_id=product_id, category_id=category_id))


def unassign_category(session: Session, product_id: int, category_id: int) -> None:
    session.execute(
        delete(product_categories).where(
            product_categories.c.product_id == product_id,
            product_categories.c.category_id == category_id,
        )
    )


def products_in_category(session: Session, slug: str, include_children: bool = True) -> list[Product]:
    root = session.scalars(select(Category).where(Category.slug == slug)).first()
    if root is None:
        raise NotFound("category not found", slug=slug)
    category_ids = [root.id]
    if include_children:
        category_ids += descendant_ids(session, root.id)
    stmt = (
        select(Product)
        .join(product_categories, product_categories.c.product_id == Product.id)
        .where(product_categories.c.category_id.in_(category_ids), Product.is_active.is_(True))
        .distinct()
        .order_by(Product.name)
    )
    return list(session.scalars(stmt))


def descendant_ids(session: Session, category_id: int) -> list[int]:
    children = list(session.scalars(select(Category.id).where(Category.parent_id == category_id)))
    result = list(children)
    for child in children:
        result += descendant_ids(session, child)
    return result


def category_tree(session: Session) -> list[dict[str, Any]]:
    """Nested ``{"name", "slug", "children"}`` dicts for navigation menus."""
    categories = list(session.scalars(select(Category).order_by(Category.name)))
    by_parent: dict[int | None, list[Category]] = {}
    for category in categories:
        by_parent.setdefault(category.parent_id, []).append(category)

    def build(parent_id: int | None) -> list[dict[str, Any]]:
        return [
            {"name": c.name, "slug": c.slug, "children": build(c.id)}
            for c in by_parent.get(parent_id, [])
        ]

    return build(None)
