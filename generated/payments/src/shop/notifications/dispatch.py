"""Queue notifications now, deliver them later (fire-and-forget)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..common import clock, db
from ..common.decorators import retry
from . import senders, templates
from .models import NotificationLog
from m2l_runtime import client as _m2l_client

log = logging.getLogger(__name__)

OPS_EMAIL = "ops@shop.example"


@dataclass
class PendingNotification:
    channel: str
    recipient: str
    template: str
    subject: str
    body: str


_QUEUE: list[PendingNotification] = []


def notify_async(channel: str, recipient: str, template: str, context: dict[str, Any]) -> int:
    """Render and enqueue; returns the queue length (callers usually ignore it)."""
    return _m2l_client.call(
        "notifications",
        "shop.notifications.dispatch.notify_async",
        notify_async,
        {
            "channel": channel,
            "recipient": recipient,
            "template": template,
            "context": context,
        },
        invocation="async",
    )


def pending() -> list[PendingNotification]:
    return _m2l_client.call("notifications", "shop.notifications.dispatch.pending", pending, {})


def flush() -> int:
    """Send every queued notification and log each attempt in ``notifications_log``."""
    return _m2l_client.call("notifications", "shop.notifications.dispatch.flush", flush, {})


def send_order_confirmation(payload: dict[str, Any]) -> None:
    return _m2l_client.call(
        "notifications",
        "shop.notifications.dispatch.send_order_confirmation",
        send_order_confirmation,
        {"payload": payload},
    )


def send_refund_notice(payload: dict[str, Any]) -> None:
    return _m2l_client.call(
        "notifications",
        "shop.notifications.dispatch.send_refund_notice",
        send_refund_notice,
        {"payload": payload},
    )


def reset() -> None:
    return _m2l_client.call("notifications", "shop.notifications.dispatch.reset", reset, {})
