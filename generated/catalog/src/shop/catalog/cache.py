"""Module-level product cache shared by the whole process."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..common import clock

TTL = timedelta(minutes=10)

_PRODUCT_CACHE: dict[int, dict[str, Any]] = {}
_hits = 0
_misses = 0


def cache_get(product_id: int) -> dict[str, Any] | None:
    """Return the cached product dict, or ``None`` when missing or stale."""
    global _hits, _misses
    entry = _PRODUCT_CACHE.get(product_id)
    if entry is None or entry["expires_at"] <= clock.now():
        _misses += 1
        return None
    _hits += 1
    return entry["data"]


def cache_put(product_id: int, data: dict[str, Any], now: datetime | None = None) -> None:
    _PRODUCT_CACHE[product_id] = {"data": dict(data), "expires_at": (now or clock.now()) + TTL}


def invalidate(product_id: int) -> bool:
    return _PRODUCT_CACHE.pop(product_id, None) is not None


def clear_cache() -> None:
    global _hits, _misses
    _PRODUCT_CACHE.clear()
    _hits = 0
    _misses = 0


def stats() -> dict[str, int]:
    return {"size": len(_PRODUCT_CACHE), "hits": _hits, "misses": _misses}
