"""Creating and tracking shipments for paid orders."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.notifications import dispatch
from shop.orders import queries as order_queries
from shop.orders.models import Order

from ..common import clock, events
from ..common.errors import InvalidTransition, NotFound
from . import carriers
from .carriers import Carrier
from .models import Shipment


def ship(session: Session, order: Order, carrier: Carrier) -> Shipment:
    """Buy a label from ``carrier`` for ``order`` and mark the order shipped."""
    if order.status not in ("paid", "partially_refunded"):
        raise InvalidTransition("order cannot be shipped", status=order.status)
    weight = order.weight_grams()
    shipment = Shipment(
        order_id=order.id,
        carrier_code=carrier.code,
        tracking_number=carrier.tracking_number(order.reference),
        cost=carrier.quote(weight, order.region),
        weight_grams=weight,
        created_at=clock.now(),
    )
    session.add(shipment)
    order.status = "shipped"
    order.updated_at = clock.now()
    session.flush()
    return shipment


def ship_order(session: Session, order_id: int, customer_email: str) -> Shipment:
    order = order_queries.get_order(session, order_id)
    carrier = carriers.get_carrier(order.carrier_code)
    shipment = ship(session, order, carrier)
    dispatch.notify_async(
        "email",
        customer_email,
        "order_shipped",
        {"reference": order.reference, "tracking_url": carrier.tracking_url(shipment.tracking_number)},
    )
    events.publish("order.shipped", {"order_id": order.id, "tracking": shipment.tracking_number})
    return shipment


def mark_delivered(session: Session, shipment_id: int) -> Shipment:
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound("shipment not found", shipment_id=shipment_id)
    shipment.status = "delivered"
    shipment.delivered_at = clock.now()
    order = order_queries.get_order(session, shipment.order_id)
    order.status = "delivered"
    order.updated_at = clock.now()
    return shipment


def shipments_for_order(session: Session, order_id: int) -> list[Shipment]:
    return list(session.scalars(select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.id)))


def tracking_info(session: Session, shipment_id: int) -> dict[str, Any]:
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound("shipment not found", shipment_id=shipment_id)
    return {
        "tracking_number": shipment.tracking_number,
        "status": shipment.status,
        "url": carriers.get_carrier(shipment.carrier_code).tracking_url(shipment.tracking_number),
    }
