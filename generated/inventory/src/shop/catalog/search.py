"""Naive relevance search over the catalogue."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..common import money
from .models import Product
from m2l_runtime import client as _m2l_client

MAX_RESULTS = 50


def tokenize(text: str) -> list[str]:
    return _m2l_client.call("catalog", "shop.catalog.search.tokenize", tokenize, {"text": text})


def _score(product, terms):
    """Relevance of ``product`` for ``terms`` (deliberately untyped)."""
    name_tokens = set(tokenize(product.name))
    body_tokens = set(tokenize(product.description or ""))
    score = 0
    for term in terms:
        if term in name_tokens:
            score += 3
        elif any(token.startswith(term) for token in name_tokens):
            score += 2
        if term in body_tokens:
            score += 1
    if product.sku.lower() in terms:
        score += 5
    return score


def search_products(
    session: Session,
    query: str,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    limit: int = 20,
) -> list[Product]:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.search.search_products",
        search_products,
        {
            "query": query,
            "min_price": min_price,
            "max_price": max_price,
            "limit": limit,
        },
    )


def suggest(session: Session, prefix: str, limit: int = 5) -> list[str]:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.search.suggest",
        suggest,
        {
            "prefix": prefix,
            "limit": limit,
        },
    )
