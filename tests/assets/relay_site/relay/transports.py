"""Ways to deliver a message: classes whose methods do the work, as notification transports are.

The plan of this asset makes their methods operations of the `delivery` service:
`Formatter`'s staticmethod and classmethod go as they are; `SmsTransport.send`,
`WebhookTransport.deliver` and `CountingTransport.send` run on an object the service
rebuilds from its constructor arguments; `SmtpTransport` holds a live connection, so its
`send` cannot go (extract refuses it and says why).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass


class DeliveryFailed(Exception):
    """The transport refused the message."""


class Formatter:
    """Text for messages: no state, so nothing to rebuild."""

    greeting = "Hello"

    @staticmethod
    def subject(order_id: str, status: str) -> str:
        return f"Order {order_id}: {status}"

    @classmethod
    def signed(cls, text: str, team: str = "ops") -> str:
        return f"{cls.greeting}! {text} -- {team}"


class SmsTransport:
    """Rebuildable: made from a sender name and a length, both wire-safe."""

    def __init__(self, sender: str, max_length: int = 160) -> None:
        self.sender = sender
        self.max_length = max_length

    def send(self, to: str, text: str) -> dict[str, str]:
        """Example: SmsTransport("ACME").send("+15550100", "Your order shipped")"""
        if not to.startswith("+"):
            raise DeliveryFailed(f"not a phone number: {to}")
        return {"from": self.sender, "to": to, "body": text[: self.max_length]}

    def describe(self) -> str:
        """Not named in the plan: runs where it is called, as written."""
        return f"sms from {self.sender}"


@dataclass(frozen=True)
class WebhookTransport:
    """A dataclass: its fields are its constructor arguments."""

    url: str
    retries: int = 2

    def deliver(self, payload: dict[str, str]) -> str:
        return f"POST {self.url} ({self.retries} retries): {', '.join(sorted(payload))}"


class CountingTransport:
    """Keeps a count on the object: across the wire the count stays in the service."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent = 0

    def send(self, text: str) -> int:
        self.sent += 1
        return len(text) + self.sent


class SmtpTransport:
    """Not rebuildable: its constructor takes a live connection."""

    def __init__(self, connection: smtplib.SMTP) -> None:
        self.connection = connection

    def send(self, to: str, text: str) -> None:
        self.connection.sendmail("shop@example.com", [to], text)
