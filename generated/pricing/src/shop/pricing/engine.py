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
    return line.total()


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
    line_items = []
    for product_id, quantity in items:
        product = catalog.get_product(session, product_id)
        line_items.append(
            rules.LineItem(
                product_id=product_id,
                sku=product["sku"],
                name=product["name"],
                unit_price=money.to_decimal(product["price"]),
                quantity=quantity,
            )
        )
    return line_items


def quote_cart(
    session: Session,
    items: list[tuple[int, int]],
    region: str,
    coupon_code: str | None = None,
    shipping: Decimal = money.ZERO,
) -> PriceQuote:
    """Price ``items``: best automatic rule plus an optional coupon rule."""
    line_items = build_line_items(session, items)
    subtotal = money.total(item.subtotal() for item in line_items)
    applied: list[str] = []
    auto_rule, discount = rules.best_rule(coupons.automatic_rules(session), line_items)
    if auto_rule is not None:
        applied.append(auto_rule.describe())
    if coupon_code:
        coupon_rule = coupons.rule_for_coupon(session, coupon_code)
        coupon_discount = coupon_rule.apply(line_items)
        if coupon_discount > money.ZERO:
            discount = money.add(discount, coupon_discount)
            applied.append(coupon_rule.describe())
    discount = rules.DiscountRule.clamp(discount, subtotal)
    shares = money.allocate(discount, [item.subtotal() for item in line_items])
    priced = [
        PricedLine(item.product_id, item.sku, item.name, item.unit_price, item.quantity, share)
        for item, share in zip(line_items, shares)
    ]
    tax = tax_rules.tax_for_lines([(item.sku, item.subtotal()) for item in line_items], discount, region, shipping)
    ordered = sorted(priced, key=line_total, reverse=True)
    return PriceQuote(ordered, region, subtotal, discount, tax, shipping, applied)


def quote_summary(session: Session, items: list[tuple[int, int]], region: str, coupon_code: str | None = None) -> dict[str, Any]:
    return quote_cart(session, items, region, coupon_code).as_dict()
