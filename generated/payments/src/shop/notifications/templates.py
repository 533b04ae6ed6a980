"""Message templates (``str.format`` style)."""
from __future__ import annotations

from typing import Any
from m2l_runtime import client as _m2l_client

TEMPLATES: dict[str, tuple[str, str]] = {
    "order_confirmation": (
        "Your order {reference}",
        "Hi {name},\n\nthanks for your order {reference}. Total charged: {total}.\nWe will let you know when it ships.",
    ),
    "order_shipped": (
        "Order {reference} is on its way",
        "Your order {reference} has shipped. Track it at {tracking_url}",
    ),
    "order_refunded": (
        "Refund for order {reference}",
        "We refunded {amount} for order {reference} ({reason}).",
    ),
    "ops_new_order": (
        "[ops] new order {reference}",
        "Order {reference} for {total} placed by customer #{customer_id}.",
    ),
    "low_stock": (
        "[ops] low stock",
        "Products below reorder level: {skus}",
    ),
    "welcome": (
        "Welcome to the shop",
        "Hi {name}, your account is ready.",
    ),
}


class TemplateError(KeyError):
    pass


def render(template_name: str, context: dict[str, Any]) -> tuple[str, str]:
    """Return ``(subject, body)``."""
    return _m2l_client.call(
        "notifications",
        "shop.notifications.templates.render",
        render,
        {
            "template_name": template_name,
            "context": context,
        },
    )


def sms_text(subject: str, body: str, limit: int = 160) -> str:
    return _m2l_client.call(
        "notifications",
        "shop.notifications.templates.sms_text",
        sms_text,
        {
            "subject": subject,
            "body": body,
            "limit": limit,
        },
    )
