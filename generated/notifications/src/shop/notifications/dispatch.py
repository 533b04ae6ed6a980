"""Queue notifications now, deliver them later (fire-and-forget)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..common import clock, db
from ..common.decorators import retry
from . import senders, templates
from .models import NotificationLog

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
    if channel not in senders.HANDLERS:
        log.warning("dropping notification for unknown channel %s", channel)
        return len(_QUEUE)
    subject, body = templates.render(template, context)
    _QUEUE.append(PendingNotification(channel, recipient, template, subject, body))
    return len(_QUEUE)


def pending() -> list[PendingNotification]:
    return list(_QUEUE)


def flush() -> int:
    """Send every queued notification and log each attempt in ``notifications_log``."""
    batch = list(_QUEUE)
    _QUEUE.clear()
    sent = 0
    with db.session_scope() as session:
        for item in batch:
            send = senders.HANDLERS[item.channel]
            try:
                provider_id = retry(lambda: send(item.recipient, item.subject, item.body), attempts=3)
                status = "sent"
                sent += 1
            except (ConnectionError, TimeoutError):
                provider_id, status = None, "failed"
            session.add(
                NotificationLog(
                    channel=item.channel,
                    recipient=item.recipient,
                    template=item.template,
                    subject=item.subject,
                    body=item.body,
                    status=status,
                    provider_id=provider_id,
                    created_at=clock.now(),
                )
            )
    return sent


def send_order_confirmation(payload: dict[str, Any]) -> None:
    notify_async(
        "email",
        payload["email"],
        "order_confirmation",
        {"name": payload["name"], "reference": payload["reference"], "total": payload["total"]},
    )
    if payload.get("phone"):
        notify_async("sms", payload["phone"], "order_confirmation", {**payload})


def send_refund_notice(payload: dict[str, Any]) -> None:
    notify_async("email", payload["email"], "order_refunded", payload)


def reset() -> None:
    _QUEUE.clear()
