# module: shop.shipping.parcels   service: shipping
"""Parcels of a cart: a session parameter is not sent, rows are sent as their key."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import orm
from sqlalchemy.orm import Session

from shop.cart.models import Cart


def parcel_weight(session: Session, cart: Cart) -> Decimal:
    """The cart's weight in kilograms."""
    return sum((line.product.weight for line in cart.lines), Decimal(0))


def rates_for_cart(cart: Cart | None, *, region: str, session: orm.Session, carriers: list[str] | None = None) -> dict[str, Decimal]:
    return {}


def relabel(session: "Session", carts: list[Cart], label: str) -> int:
    return len(carts)
# output
# module: shop.shipping.parcels   service: shipping
"""Parcels of a cart: a session parameter is not sent, rows are sent as their key."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import orm
from sqlalchemy.orm import Session

from shop.cart.models import Cart
from m2l_runtime import client as _m2l_client


def parcel_weight(session: Session, cart: Cart) -> Decimal:
    """The cart's weight in kilograms."""
    return _m2l_client.call("shipping", "shop.shipping.parcels.parcel_weight", parcel_weight, {"cart": cart})


def rates_for_cart(cart: Cart | None, *, region: str, session: orm.Session, carriers: list[str] | None = None) -> dict[str, Decimal]:
    return _m2l_client.call(
        "shipping",
        "shop.shipping.parcels.rates_for_cart",
        rates_for_cart,
        {
            "cart": cart,
            "region": region,
            "carriers": carriers,
        },
    )


def relabel(session: "Session", carts: list[Cart], label: str) -> int:
    return _m2l_client.call(
        "shipping",
        "shop.shipping.parcels.relabel",
        relabel,
        {
            "carts": carts,
            "label": label,
        },
    )
