"""Transport adapters. The default transports only record into ``OUTBOX`` (read it with ``outbox()``)."""
from __future__ import annotations

from typing import Callable

from ..common import clock, ids
from .templates import sms_text

OUTBOX: list[dict[str, str]] = []

Sender = Callable[[str, str, str], str]


def send_email(recipient: str, subject: str, body: str) -> str:
    message_id = f"<{ids.short_hash(recipient, subject, len(OUTBOX))}@mail.shop.example>"
    OUTBOX.append(
        {"channel": "email", "to": recipient, "subject": subject, "body": body, "id": message_id,
         "at": clock.now().isoformat()}
    )
    return message_id


def send_sms(recipient: str, subject: str, body: str) -> str:
    message_id = f"sms-{ids.short_hash(recipient, body, len(OUTBOX))}"
    OUTBOX.append(
        {"channel": "sms", "to": recipient, "subject": "", "body": sms_text(subject, body), "id": message_id,
         "at": clock.now().isoformat()}
    )
    return message_id


HANDLERS: dict[str, Sender] = {"email": send_email, "sms": send_sms}


def outbox() -> list[dict[str, str]]:
    """Every message recorded so far, oldest first (a copy)."""
    return [dict(message) for message in OUTBOX]


def sent_to(recipient: str) -> list[dict[str, str]]:
    return [message for message in OUTBOX if message["to"] == recipient]


def clear_outbox() -> None:
    OUTBOX.clear()
