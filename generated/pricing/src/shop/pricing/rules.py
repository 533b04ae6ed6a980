"""Discount rule class hierarchy.

``DiscountRule.apply`` returns the discountable amount (zero when the rule
does not apply); subclasses call ``super().apply`` and turn it into a
discount.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from ..common import money
from ..common.errors import ValidationError
from .models import PriceRule

RULE_TYPES: dict[str, type["DiscountRule"]] = {}


@dataclass
class LineItem:
    product_id: int
    sku: str
    name: str
    unit_price: Decimal
    quantity: int

    def subtotal(self) -> Decimal:
        return money.multiply(self.unit_price, self.quantity)


def rule_type(kind: str) -> Callable[[type["DiscountRule"]], type["DiscountRule"]]:
    """Class decorator registering a rule class under ``kind``."""

    def register(cls: type[DiscountRule]) -> type[DiscountRule]:
        cls.kind = kind
        RULE_TYPES[kind] = cls
        return cls

    return register


class DiscountRule:
    kind = "base"

    def __init__(self, name: str, product_id: int | None = None, min_subtotal: Decimal | None = None) -> None:
        self.name = name
        self.product_id = product_id
        self.min_subtotal = min_subtotal

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    @classmethod
    def from_model(cls, row: PriceRule) -> "DiscountRule":
        rule_cls = RULE_TYPES.get(row.kind)
        if rule_cls is None:
            raise ValidationError("unknown price rule kind", kind=row.kind)
        return rule_cls(
            name=row.name,
            product_id=row.product_id,
            min_subtotal=row.min_subtotal,
            **rule_cls.params_from(row),
        )

    @staticmethod
    def params_from(row: PriceRule) -> dict[str, Any]:
        return {}

    @staticmethod
    def clamp(amount: Decimal, ceiling: Decimal) -> Decimal:
        return money.clamp(money.quantize(amount), money.ZERO, ceiling)

    def eligible_lines(self, lines: list[LineItem]) -> list[LineItem]:
        if self.product_id is None:
            return list(lines)
        return [line for line in lines if line.product_id == self.product_id]

    def is_applicable(self, lines: list[LineItem]) -> bool:
        if not self.eligible_lines(lines):
            return False
        if self.min_subtotal is not None:
            return money.total(line.subtotal() for line in lines) >= self.min_subtotal
        return True

    def apply(self, lines: list[LineItem]) -> Decimal:
        if not self.is_applicable(lines):
            return money.ZERO
        return money.total(line.subtotal() for line in self.eligible_lines(lines))

    def describe(self) -> str:
        return self.name


@rule_type("percentage")
class PercentageDiscount(DiscountRule):
    def __init__(self, name: str, percent: int, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        if not 0 < percent <= 100:
            raise ValidationError("percent must be in 1..100", percent=percent)
        self.percent = percent

    @staticmethod
    def params_from(row: PriceRule) -> dict[str, Any]:
        return {"percent": row.percent or 0}

    def apply(self, lines: list[LineItem]) -> Decimal:
        ceiling = super().apply(lines)
        return DiscountRule.clamp(money.percent_of(ceiling, self.percent), ceiling)

    def describe(self) -> str:
        return f"{super().describe()} ({self.percent}% off)"


@rule_type("fixed")
class FixedAmountDiscount(DiscountRule):
    def __init__(self, name: str, amount: Decimal, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.amount = money.to_decimal(amount)

    @staticmethod
    def params_from(row: PriceRule) -> dict[str, Any]:
        return {"amount": row.amount or money.ZERO}

    def apply(self, lines: list[LineItem]) -> Decimal:
        ceiling = super().apply(lines)
        return DiscountRule.clamp(self.amount, ceiling)

    def describe(self) -> str:
        return f"{super().describe()} ({money.format_money(self.amount)} off)"


@rule_type("buy_x_get_y")
class BuyXGetYDiscount(DiscountRule):
    """Buy ``buy`` units, get ``free`` more of the same product for free."""

    def __init__(self, name: str, buy: int, free: int, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        if buy < 1 or free < 1:
            raise ValidationError("buy and free must be positive")
        self.buy = buy
        self.free = free

    @staticmethod
    def params_from(row: PriceRule) -> dict[str, Any]:
        return {"buy": row.buy_quantity or 1, "free": row.free_quantity or 1}

    def free_units(self, quantity: int) -> int:
        return (quantity // (self.buy + self.free)) * self.free

    def apply(self, lines: list[LineItem]) -> Decimal:
        ceiling = super().apply(lines)
        if ceiling == money.ZERO:
            return money.ZERO
        discount = money.total(
            money.multiply(line.unit_price, self.free_units(line.quantity)) for line in self.eligible_lines(lines)
        )
        return DiscountRule.clamp(discount, ceiling)


@rule_type("loyalty")
class LoyaltyDiscount(PercentageDiscount):
    """Percentage discount that grows by one point per ``step`` spent, capped."""

    def __init__(self, name: str, percent: int, step: Decimal = Decimal("100"), cap: int = 15, **kwargs: Any) -> None:
        super().__init__(name, percent, **kwargs)
        self.step = step
        self.cap = cap

    def apply(self, lines: list[LineItem]) -> Decimal:
        subtotal = money.total(line.subtotal() for line in lines)
        bonus = int(subtotal // self.step)
        base_percent = self.percent
        self.percent = min(self.cap, base_percent + bonus)
        try:
            return super().apply(lines)
        finally:
            self.percent = base_percent


def build_rule(kind: str, name: str, **params: Any) -> DiscountRule:
    rule_cls = RULE_TYPES.get(kind)
    if rule_cls is None:
        raise ValidationError("unknown price rule kind", kind=kind)
    return rule_cls(name, **params)


def best_rule(rules: list[DiscountRule], lines: list[LineItem]) -> tuple[DiscountRule | None, Decimal]:
    best: DiscountRule | None = None
    best_amount = money.ZERO
    for rule in rules:
        amount = rule.apply(lines)
        if amount > best_amount:
            best, best_amount = rule, amount
    return best, best_amount
