"""Carrier class hierarchy and the ``CARRIERS`` registry."""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Callable

from ..common import ids, money
from ..common.errors import ShopError, ValidationError


class ShippingUnavailable(ShopError):
    code = "shipping_unavailable"


CARRIERS: dict[str, type["Carrier"]] = {}


def register_carrier(code: str) -> Callable[[type["Carrier"]], type["Carrier"]]:
    """Class decorator adding a carrier class to ``CARRIERS``."""

    def register(cls: type[Carrier]) -> type[Carrier]:
        if code in CARRIERS:
            raise ValueError(f"carrier {code!r} registered twice")
        cls.code = code
        CARRIERS[code] = cls
        return cls

    return register


class Carrier:
    code = "base"
    display_name = "Carrier"
    base_rate = Decimal("4.00")
    per_kg = Decimal("1.20")
    transit_days = 5
    remote_regions = frozenset({"AK", "HI", "PR"})
    remote_surcharge = Decimal("7.50")

    def billable_kg(self, weight_grams: int) -> int:
        if weight_grams <= 0:
            raise ValidationError("parcel weight must be positive", weight=weight_grams)
        return max(1, math.ceil(weight_grams / 1000))

    def quote(self, weight_grams: int, region: str) -> Decimal:
        price = money.add(self.base_rate, money.multiply(self.per_kg, self.billable_kg(weight_grams)))
        if region.upper() in self.remote_regions:
            price = money.add(price, self.remote_surcharge)
        return price

    def estimated_days(self, region: str) -> int:
        return self.transit_days + (3 if region.upper() in self.remote_regions else 0)

    def tracking_number(self, order_reference: str) -> str:
        return f"{self.code[:3].upper()}{ids.short_hash(self.code, order_reference, length=12)}"

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://track.example.com/{self.code}/{tracking_number}"


@register_carrier("standard")
class StandardPost(Carrier):
    display_name = "Standard Post"
    max_price = Decimal("25.00")

    def quote(self, weight_grams: int, region: str) -> Decimal:
        return min(super().quote(weight_grams, region), self.max_price)


@register_carrier("express")
class ExpressCourier(Carrier):
    display_name = "Express Courier"
    base_rate = Decimal("9.00")
    per_kg = Decimal("2.50")
    transit_days = 1
    fuel_surcharge_percent = Decimal("12")

    def quote(self, weight_grams: int, region: str) -> Decimal:
        if region.upper() in self.remote_regions:
            raise ShippingUnavailable("express not available for region", region=region)
        price = super().quote(weight_grams, region)
        return money.add(price, money.percent_of(price, self.fuel_surcharge_percent))

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://express.example.com/t/{tracking_number}"


@register_carrier("pickup")
class LocalPickup(Carrier):
    display_name = "Store pickup"
    transit_days = 0
    pickup_regions = frozenset({"CA"})

    def quote(self, weight_grams: int, region: str) -> Decimal:
        self.billable_kg(weight_grams)
        if region.upper() not in self.pickup_regions:
            raise ShippingUnavailable("pickup only available in store regions", region=region)
        return money.ZERO

    def tracking_number(self, order_reference: str) -> str:
        return f"PICKUP-{order_reference}"


def get_carrier(code: str) -> Carrier:
    carrier_cls = CARRIERS.get(code)
    if carrier_cls is None:
        raise ValidationError("unknown carrier", carrier=code)
    return carrier_cls()


def carrier_codes() -> list[str]:
    return sorted(CARRIERS)
