"""Public catalogue endpoints."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from shop import catalog
from shop.catalog import categories
from shop.catalog.search import suggest
from shop.inventory import stock

from ..common import db
from .util import int_arg

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@bp.get("/products")
def list_products() -> dict[str, Any]:
    offset = int_arg("offset", 0)
    limit = int_arg("limit", 20, minimum=1, maximum=100)
    with db.session_scope() as session:
        products = catalog.list_products(session, offset=offset, limit=limit)
        return {"items": [p.to_dict() for p in products], "offset": offset, "limit": limit}


@bp.get("/products/<int:product_id>")
def product_detail(product_id: int) -> dict[str, Any]:
    with db.session_scope() as session:
        product = catalog.get_product(session, product_id)
        return {**product, "available": stock.available(session, product_id)}


@bp.get("/search")
def search() -> dict[str, Any]:
    query = request.args.get("q", "")
    with db.session_scope() as session:
        results = catalog.search_products(
            session, query, min_price=request.args.get("min_price"), max_price=request.args.get("max_price")
        )
        return {"query": query, "items": [p.to_dict() for p in results]}


@bp.get("/suggest")
def autocomplete() -> dict[str, Any]:
    with db.session_scope() as session:
        return {"suggestions": suggest(session, request.args.get("q", ""))}


@bp.get("/categories")
def category_menu() -> dict[str, Any]:
    with db.session_scope() as session:
        return {"categories": categories.category_tree(session)}


@bp.get("/categories/<slug>/products")
def category_products(slug: str) -> dict[str, Any]:
    with db.session_scope() as session:
        return {"items": [p.to_dict() for p in categories.products_in_category(session, slug)]}
