"""Transport adapters. The default transports only record into ``OUTBOX`` (read it with ``outbox()``)."""
from __future__ import annotations

from typing import Callable

from ..common import clock, ids
from .templates import sms_text
from m2l_runtime import client as _m2l_client

OUTBOX: list[dict[str, str]] = []

Sender = Callable[[str, str, str], str]


def send_email(recipient: str, subject: str, body: str) -> str:
    return _m2l_client.call(
        "notifications",
        "shop.notifications.senders.send_email",
        send_email,
        {
            "recipient": recipient,
            "subject": subject,
            "body": body,
        },
    )


def send_sms(recipient: str, subject: str, body: str) -> str:
    return _m2l_client.call(
        "notifications",
        "shop.notifications.senders.send_sms",
        send_sms,
        {
            "recipient": recipient,
            "subject": subject,
            "body": body,
        },
    )


HANDLERS: dict[str, Sender] = {"email": send_email, "sms": send_sms}


def outbox() -> list[dict[str, str]]:
    """Every message recorded so far, oldest first (a copy)."""
    return _m2l_client.call("notifications", "shop.notifications.senders.outbox", outbox, {})


def sent_to(recipient: str) -> list[dict[str, str]]:
    return _m2l_client.call(
        "notifications",
        "shop.notifications.senders.sent_to",
        sent_to,
        {"recipient": recipient},
    )


def clear_outbox() -> None:
    return _m2l_client.call("notifications", "shop.notifications.senders.clear_outbox", clear_outbox, {})
