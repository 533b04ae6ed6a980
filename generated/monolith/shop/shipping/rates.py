"""Rate shopping across every registered carrier."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..common import money
from .carriers import CARRIERS, ShippingUnavailable
from m2l_runtime import client as _m2l_client


@dataclass(frozen=True)
class RateQuote:
    carrier_code: str
    carrier_name: str
    price: Decimal
    days: int


def quote_all(weight_grams: int, region: str) -> list[RateQuote]:
    return _m2l_client.call(
        "rates",
        "shop.shipping.rates.quote_all",
        quote_all,
        {
            "weight_grams": weight_grams,
            "region": region,
        },
    )


def cheapest_rate(weight_grams: int, region: str) -> RateQuote:
    return _m2l_client.call(
        "rates",
        "shop.shipping.rates.cheapest_rate",
        cheapest_rate,
        {
            "weight_grams": weight_grams,
            "region": region,
        },
    )


def fastest_rate(weight_grams: int, region: str) -> RateQuote:
    return _m2l_client.call(
        "rates",
        "shop.shipping.rates.fastest_rate",
        fastest_rate,
        {
            "weight_grams": weight_grams,
            "region": region,
        },
    )


def describe_quote(quote: RateQuote) -> str:
    """One-line description for e-mails."""
    return _m2l_client.call("rates", "shop.shipping.rates.describe_quote", describe_quote, {"quote": quote})
