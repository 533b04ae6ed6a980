"""Decimal money helpers used by every domain (amounts are 2-dp Decimals)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable

CENTS = Decimal("0.01")
ZERO = Decimal("0.00")
DEFAULT_CURRENCY = "USD"
_SYMBOLS = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3"}


def quantize(amount: Decimal) -> Decimal:
    """Round half-up to whole cents."""
    return amount.quantize(CENTS, rounding=ROUND_HALF_UP)


def to_decimal(value: Decimal | int | float | str) -> Decimal:
    """Convert user or database input into a 2-dp Decimal."""
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a money amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not a money amount: {value!r}")
    return quantize(amount)


def add(*amounts: Decimal) -> Decimal:
    return quantize(sum(amounts, ZERO))


def total(amounts: Iterable[Decimal]) -> Decimal:
    return quantize(sum(amounts, ZERO))


def subtract(amount: Decimal, other: Decimal) -> Decimal:
    return quantize(amount - other)


def multiply(amount: Decimal, factor: Decimal | int) -> Decimal:
    return quantize(amount * Decimal(factor))


def percent_of(amount: Decimal, percent: Decimal | int | str) -> Decimal:
    """``percent`` per cent of ``amount``, rounded to cents."""
    return quantize(amount * Decimal(str(percent)) / Decimal(100))


def clamp(amount: Decimal, lower: Decimal, upper: Decimal) -> Decimal:
    return max(lower, min(amount, upper))


def non_negative(amount: Decimal) -> Decimal:
    return amount if amount > ZERO else ZERO


def is_positive(amount: Decimal) -> bool:
    return amount > ZERO


def to_cents(amount: Decimal) -> int:
    return int(quantize(amount) * 100)


def from_cents(cents: int | None) -> Decimal:
    return quantize(Decimal(cents or 0) / Decimal(100))


def allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``amount`` proportionally to ``weights``; remainder cents go first."""
    if not weights:
        return []
    weight_sum = sum(weights, ZERO)
    if weight_sum == ZERO:
        shares = [ZERO for _ in weights]
        shares[0] = quantize(amount)
        return shares
    cents = to_cents(amount)
    raw = [int(cents * w / weight_sum) for w in weights]
    remainder = cents - sum(raw)
    for index in range(remainder):
        raw[index % len(raw)] += 1
    return [from_cents(c) for c in raw]


def format_money(amount, currency=DEFAULT_CURRENCY):
    """Human readable amount, e.g. ``$1,234.50`` (deliberately untyped)."""
    symbol = _SYMBOLS.get(currency, currency + " ")
    value = quantize(to_decimal(amount))
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.2f}"
