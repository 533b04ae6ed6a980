# module: shop.pricing.tax   service: tax
"""Sales tax by destination region."""
from __future__ import annotations

from decimal import Decimal

from ..common import money

RATES: dict[str, Decimal] = {"CA": Decimal("7.25")}  # a comment that stays


def rate_for(region: str) -> Decimal:
    """The rate in percent."""
    return RATES.get(region.upper(), Decimal("5"))


def tax_for_lines(
    subtotals: list[tuple[str, Decimal]], discount: Decimal, region: str, shipping: Decimal = money.ZERO
) -> Decimal:
    # comments inside the body go with the body
    if not subtotals:
        return money.ZERO
    return money.total(s for _, s in subtotals)


def _helper(x: int) -> int:
    return x + 1
# output
# module: shop.pricing.tax   service: tax
"""Sales tax by destination region."""
from __future__ import annotations

from decimal import Decimal

from ..common import money
from m2l_runtime import client as _m2l_client

RATES: dict[str, Decimal] = {"CA": Decimal("7.25")}  # a comment that stays


def rate_for(region: str) -> Decimal:
    """The rate in percent."""
    return _m2l_client.call("tax", "shop.pricing.tax.rate_for", rate_for, {"region": region})


def tax_for_lines(
    subtotals: list[tuple[str, Decimal]], discount: Decimal, region: str, shipping: Decimal = money.ZERO
) -> Decimal:
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


def _helper(x: int) -> int:
    return x + 1
