"""In-process publish/subscribe event bus."""
from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, Callable

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Any]

_SUBSCRIBERS: dict[str, list[Handler]] = defaultdict(list)
_PUBLISHED: list[tuple[str, dict[str, Any]]] = []


def subscribe(event_name: str, handler: Handler) -> Handler:
    """Register ``handler`` to be called for every ``event_name`` published."""
    if handler not in _SUBSCRIBERS[event_name]:
        _SUBSCRIBERS[event_name].append(handler)
    return handler


def on(event_name: str) -> Callable[[Handler], Handler]:
    """Decorator form of :func:`subscribe`."""

    def register(handler: Handler) -> Handler:
        return subscribe(event_name, handler)

    return register


def unsubscribe(event_name: str, handler: Handler) -> None:
    handlers = _SUBSCRIBERS.get(event_name, [])
    if handler in handlers:
        handlers.remove(handler)


def publish(event_name: str, payload: dict[str, Any]) -> int:
    """Call every stored handler; a failing handler does not stop the others."""
    _PUBLISHED.append((event_name, dict(payload)))
    delivered = 0
    for handler in list(_SUBSCRIBERS.get(event_name, [])):
        try:
            handler(payload)
            delivered += 1
        except Exception:  # noqa: BLE001 - handlers are isolated from publishers
            log.exception("handler %r failed for %s", handler, event_name)
    return delivered


def subscribers(event_name: str) -> list[Handler]:
    return list(_SUBSCRIBERS.get(event_name, []))


def published(event_name: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    return [item for item in _PUBLISHED if event_name is None or item[0] == event_name]


def reset() -> None:
    _SUBSCRIBERS.clear()
    _PUBLISHED.clear()
