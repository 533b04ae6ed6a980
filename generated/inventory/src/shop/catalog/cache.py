"""Module-level product cache shared by the whole process."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..common import clock
from m2l_runtime import client as _m2l_client

TTL = timedelta(minutes=10)

_PRODUCT_CACHE: dict[int, dict[str, Any]] = {}
_hits = 0
_misses = 0


def cache_get(product_id: int) -> dict[str, Any] | None:
    """Return the cached product dict, or ``None`` when missing or stale."""
    return _m2l_client.call("catalog", "shop.catalog.cache.cache_get", cache_get, {"product_id": product_id})


def cache_put(product_id: int, data: dict[str, Any], now: datetime | None = None) -> None:
    return _m2l_client.call(
        "catalog",
        "shop.catalog.cache.cache_put",
        cache_put,
        {
            "product_id": product_id,
            "data": data,
            "now": now,
        },
    )


def invalidate(product_id: int) -> bool:
    return _m2l_client.call("catalog", "shop.catalog.cache.invalidate", invalidate, {"product_id": product_id})


def clear_cache() -> None:
    return _m2l_client.call("catalog", "shop.catalog.cache.clear_cache", clear_cache, {})


def stats() -> dict[str, int]:
    return _m2l_client.call("catalog", "shop.catalog.cache.stats", stats, {})
