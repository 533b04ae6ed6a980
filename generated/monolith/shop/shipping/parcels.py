"""A cart's parcel: its weight from the catalogue, and the shipping rates for it.

These functions take a database session, so they stay next to the data; the rate shopping
itself (shop.shipping.rates) only takes and returns plain values.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from shop import catalog

from . import rates


def parcel_weight(session: Session, items: list[tuple[int, int]]) -> int:
    return sum(catalog.get_product(session, pid)["weight_grams"] * qty for pid, qty in items)


def rates_for_cart(session: Session, items: list[tuple[int, int]], region: str) -> list[dict[str, str | int]]:
    weight = parcel_weight(session, items)
    return [
        {"carrier": q.carrier_code, "name": q.carrier_name, "price": str(q.price), "days": q.days,
         "summary": rates.describe_quote(q)}
        for q in rates.quote_all(weight, region)
    ]
