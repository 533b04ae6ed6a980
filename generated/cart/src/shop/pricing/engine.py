"""Turns cart contents into a priced quote (subtotal, discounts, tax)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

import shop.catalog as catalog
from shop.pricing import tax as tax_rules

from ..common import money
from . import coupons, rules
from m2l_runtime import client as _m2l_client


@dataclass
class PricedLine:
    product_id: int
    sku: str
    name: str
    unit_price: Decimal
    quantity: int
    discount: Decimal = money.ZERO

    def subtotal(self) -> Decimal:
        return money.multiply(self.unit_price, self.quantity)

    def total(self) -> Decimal:
        return money.subtract(self.subtotal(), self.discount)


def line_total(line: PricedLine) -> Decimal:
    return _m2l_client.call("pricing", "shop.pricing.engine.line_total", line_total, {"line": line})


@dataclass
class PriceQuote:
    lines: list[PricedLine]
    region: str
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    shipping: Decimal = money.ZERO
    applied_rules: list[str] = field(default_factory=list)

    def grand_total(self) -> Decimal:
        return money.add(self.subtotal - self.discount, self.tax, self.shipping)

    def with_shipping(self, shipping: Decimal) -> "PriceQuote":
        """Copy of the quote with a shipping cost (tax recomputed)."""
        tax = tax_rules.tax_for_lines(
            [(line.sku, line.subtotal()) for line in self.lines], self.discount, self.region, shipping
        )
        return PriceQuote(self.lines, self.region, self.subtotal, self.discount, tax, shipping, self.applied_rules)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": [
                {
                    "product_id": line.product_id,
                    "sku": line.sku,
                    "name": line.name,
                    "unit_price": str(line.unit_price),
                    "quantity": line.quantity,
                    "discount": str(line.discount),
                    "total": str(line.total()),
                }
                for line in self.lines
            ],
            "subtotal": str(self.subtotal),
            "discount": str(self.discount),
            "tax": str(self.tax),
            "shipping": str(self.shipping),
            "total": str(self.grand_total()),
            "applied_rules": list(self.applied_rules),
        }


def build_line_items(session: Session, items: list[tuple[int, int]]) -> list[rules.LineItem]:
    """``(product_id, quantity)`` pairs to priced line items (current prices)."""
    return _m2l_client.call(
        "pricing",
        "shop.pricing.engine.build_line_items",
        build_line_items,
        {"items": items},
    )


def quote_cart(
    session: Session,
    items: list[tuple[int, int]],
    region: str,
    coupon_code: str | None = None,
    shipping: Decimal = money.ZERO,
) -> PriceQuote:
    """Price ``items``: best automatic rule plus an optional coupon rule."""
    return _m2l_client.call(
        "pricing",
        "shop.pricing.engine.quote_cart",
        quote_cart,
        {
            "items": items,
            "region": region,
            "coupon_code": coupon_code,
            "shipping": shipping,
        },
    )


def quote_summary(session: Session, items: list[tuple[int, int]], region: str, coupon_code: str | None = None) -> dict[str, Any]:
    return _m2l_client.call(
        "pricing",
        "shop.pricing.engine.quote_summary",
        quote_summary,
        {
            "items": items,
            "region": region,
            "coupon_code": coupon_code,
        },
    )
