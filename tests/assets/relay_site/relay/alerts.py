"""The monolith's own code: it builds transports and calls them, as before extraction."""

from __future__ import annotations

from relay.transports import Formatter, SmsTransport, WebhookTransport


def notify_shipped(order_id: str, phone: str) -> dict[str, str]:
    sms = SmsTransport("ACME", max_length=40)
    return sms.send(phone, Formatter.signed(Formatter.subject(order_id, "shipped")))


def hook_for(url: str) -> WebhookTransport:
    return WebhookTransport(url, retries=5)
