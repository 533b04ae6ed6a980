"""Rate shopping across every registered carrier."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..common import money
from .carriers import CARRIERS, ShippingUnavailable


@dataclass(frozen=True)
class RateQuote:
    carrier_code: str
    carrier_name: str
    price: Decimal
    days: int


def quote_all(weight_grams: int, region: str) -> list[RateQuote]:
    quotes = []
    for code, carrier_cls in CARRIERS.items():
        carrier = carrier_cls()
        try:
            price = carrier.quote(weight_grams, region)
        except ShippingUnavailable:
            continue
        quotes.append(RateQuote(code, carrier.display_name, price, carrier.estimated_days(region)))
    return sorted(quotes, key=lambda q: (q.price, q.days, q.carrier_code))


def cheapest_rate(weight_grams: int, region: str) -> RateQuote:
    quotes = quote_all(weight_grams, region)
    if not quotes:
        raise ShippingUnavailable("no carrier serves region", region=region)
    return quotes[0]


def fastest_rate(weight_grams: int, region: str) -> RateQuote:
    quotes = quote_all(weight_grams, region)
    if not quotes:
        raise ShippingUnavailable("no carrier serves region", region=region)
    return min(quotes, key=lambda q: (q.days, q.price))


def describe_quote(quote: RateQuote) -> str:
    """One-line description for e-mails."""
    when = "today" if quote.days == 0 else f"in {quote.days} day(s)"
    return f"{quote.carrier_name}: {money.format_money(quote.price)}, arrives {when}"
