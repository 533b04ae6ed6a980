"""Sales tax by destination region."""
from __future__ import annotations

from decimal import Decimal

from ..common import money

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
    return TAX_RATES.get(region.upper(), DEFAULT_RATE)


def is_exempt(sku: str) -> bool:
    return sku.upper().startswith(EXEMPT_SKU_PREFIXES)


def tax_for(amount: Decimal, region: str) -> Decimal:
    return money.percent_of(money.non_negative(amount), rate_for(region))


def tax_for_lines(
    subtotals: list[tuple[str, Decimal]], discount: Decimal, region: str, shipping: Decimal = money.ZERO
) -> Decimal:
    """Tax on (sku, subtotal) pairs after spreading ``discount`` over them."""
    if not subtotals:
        return money.ZERO
    shares = money.allocate(discount, [subtotal for _sku, subtotal in subtotals])
    taxable = money.total(
        subtotal - share for (sku, subtotal), share in zip(subtotals, shares) if not is_exempt(sku)
    )
    if region.upper() in TAXABLE_SHIPPING_REGIONS:
        taxable = money.add(taxable, shipping)
    return tax_for(taxable, region)
