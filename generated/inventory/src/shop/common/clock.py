"""Injectable clock so that time-dependent code is testable.

A test's fixed clock also governs the other processes of the shop (its services) when
``SHOP_CLOCK_FILE`` names a file: the fixed clock writes its time there, and ``now()`` in
a process without a clock of its own installed reads it.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall clock, naive UTC (sqlite stores naive datetimes)."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc).replace(tzinfo=None)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    @classmethod
    def at(cls, iso: str) -> "FixedClock":
        return cls(datetime.fromisoformat(iso))

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now = self._now + timedelta(**delta)
        if _CLOCK is self:
            _share(self._now)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment
        if _CLOCK is self:
            _share(moment)


def _share(moment: datetime | None) -> None:
    path = os.environ.get("SHOP_CLOCK_FILE")
    if path:
        with open(path, "w", encoding="utf-8") as file:
            file.write(moment.isoformat() if moment else "")


_CLOCK: Clock = SystemClock()


def set_clock(clock: Clock) -> Clock:
    """Install ``clock`` globally and return the previous one."""
    global _CLOCK
    previous = _CLOCK
    _CLOCK = clock
    _share(clock.now() if isinstance(clock, FixedClock) else None)
    return previous


def now() -> datetime:
    path = os.environ.get("SHOP_CLOCK_FILE")
    if path and isinstance(_CLOCK, SystemClock) and os.path.exists(path):
        with open(path, encoding="utf-8") as file:
            shared = file.read().strip()
        if shared:
            return datetime.fromisoformat(shared)
    return _CLOCK.now()


def today_start(moment: datetime | None = None) -> datetime:
    moment = moment or now()
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def minutes_from_now(minutes: int, moment: datetime | None = None) -> datetime:
    return (moment or now()) + timedelta(minutes=minutes)
