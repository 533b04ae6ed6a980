"""Generic decorators and higher-order helpers."""
from __future__ import annotations

import functools
import logging
from datetime import timedelta
from typing import Callable, ParamSpec, TypeVar

from . import clock

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def cached(ttl_seconds: int = 300) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Memoise a function of hashable arguments for ``ttl_seconds`` (clock-based)."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        memo: dict[tuple, tuple[object, R]] = {}

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            key = (args, tuple(sorted(kwargs.items())))
            now = clock.now()
            hit = memo.get(key)
            if hit is not None and hit[0] > now:  # type: ignore[operator]
                return hit[1]
            value = fn(*args, **kwargs)
            memo[key] = (now + timedelta(seconds=ttl_seconds), value)
            return value

        def cache_clear() -> None:
            memo.clear()

        wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
        return wrapper

    return decorate


def retry(
    fn: Callable[[], T],
    attempts: int = 3,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
    on_retry: Callable[[int, BaseException], None] | None = None,
) -> T:
    """Call ``fn`` until it succeeds, at most ``attempts`` times (no sleeping)."""
    last_error: BaseException | None = None
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except retry_on as exc:
            last_error = exc
            log.warning("attempt %d/%d failed: %s", attempt, attempts, exc)
            if on_retry is not None:
                on_retry(attempt, exc)
    assert last_error is not None
    raise last_error


def first_or_default(items: list[T], predicate: Callable[[T], bool], default: T | None = None) -> T | None:
    for item in items:
        if predicate(item):
            return item
    return default
