"""Subscribe the notification handlers to the monolith's domain events.

This module stays in the monolith when notifications is extracted: the event registry
(shop.common.events) lives there, so the subscriptions must be made there too. The handlers
are looked up on the dispatch module when this runs, so an extracted dispatch module (a
proxy whose functions call the service) is what gets subscribed.
"""
from __future__ import annotations

from ..common import events
from . import dispatch


def register_subscriptions() -> None:
    """Wire notification handlers to domain events (idempotent)."""
    events.subscribe("order.placed", dispatch.send_order_confirmation)
    events.subscribe("order.refunded", dispatch.send_refund_notice)
