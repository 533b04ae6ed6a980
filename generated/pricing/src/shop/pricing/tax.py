"""Sales tax by destination region."""
from __future__ import annotations

from decimal import Decimal

from ..common import money
from m2l_runtime import client as _m2l_client

DEFAULT_RATE = Decimal("5.00")
TAX_RATES: dict[str, Decimal] = {
    "CA": Decimal("7.25"),
    "NY": Decimal("8.875"),
    "TX": Decimal("6.25"),
    "WA": Decimal("6.50"),
    "OR": Decimal("0"),
    "DE": Decimal("0"),
}
EXEMPT_SKU_PREFIXES = ("GIFT-",)
TAXABLE_SHIPPING_REGIONS = {"NY", "TX", "WA"}


def rate_for(region: str) -> Decimal:
    return _m2l_client.call("tax", "shop.pricing.tax.rate_for", rate_for, {"region": region})


def is_exempt(sku: str) -> bool:
    return _m2l_client.call("tax", "shop.pricing.tax.is_exempt", is_exempt, {"sku": sku})


def tax_for(amount: Decimal, region: str) -> Decimal:
    return _m2l_client.call("tax", "shop.pricing.tax.tax_for", tax_for, {"amount": amount, "region": region})


def tax_for_lines(
    subtotals: list[tuple[str, Decimal]], discount: Decimal, region: str, shipping: Decimal = money.ZERO
) -> Decimal:
    """Tax on (sku, subtotal) pairs after spreading ``discount`` over them."""
    return _m2l_client.call(
        "tax",
        "shop.pricing.tax.tax_for_lines",
        tax_for_lines,
        {
            "subtotals": subtotals,
            "discount": discount,
            "region": region,
            "shipping": shipping,
        },
    )
