"""Naive relevance search over the catalogue."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..common import money
from .models import Product

MAX_RESULTS = 50


def tokenize(text: str) -> list[str]:
    return [t for t in "".join(c.lower() if c.isalnum() else " " for c in text).split() if len(t) > 1]


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
    terms = tokenize(query)
    if not terms:
        return []
    like_clauses = [Product.name.ilike(f"%{t}%") for t in terms]
    like_clauses += [Product.description.ilike(f"%{t}%") for t in terms]
    like_clauses += [Product.sku.ilike(t) for t in terms]
    stmt = select(Product).where(Product.is_active.is_(True), or_(*like_clauses))
    candidates = list(session.scalars(stmt))
    if min_price is not None:
        floor = money.to_decimal(min_price)
        candidates = [p for p in candidates if p.price >= floor]
    if max_price is not None:
        ceiling = money.to_decimal(max_price)
        candidates = [p for p in candidates if p.price <= ceiling]
    scored = [(p, _score(p, terms)) for p in candidates]
    ranked = sorted(scored, key=lambda pair: (-pair[1], pair[0].price, pair[0].name))
    return [p for p, score in ranked if score > 0][: min(limit, MAX_RESULTS)]


def suggest(session: Session, prefix: str, limit: int = 5) -> list[str]:
    prefix = prefix.strip()
    if len(prefix) < 2:
        return []
    stmt = (
        select(Product.name)
        .where(Product.is_active.is_(True), Product.name.ilike(f"{prefix}%"))
        .order_by(Product.name)
        .limit(limit)
    )
    return list(session.scalars(stmt))
