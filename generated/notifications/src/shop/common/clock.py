"""Injectable clock so that time-dependent code is testable."""
from __future__ import annotations

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
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment


_CLOCK: Clock = SystemClock()


def set_clock(clock: Clock) -> Clock:
    """Install ``clock`` globally and return the previous one."""
    global _CLOCK
    previous = _CLOCK
    _CLOCK = clock
    return previous


def now() -> datetime:
    return _CLOCK.now()


def today_start(moment: datetime | None = None) -> datetime:
    moment = moment or now()
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def minutes_from_now(minutes: int, moment: datetime | None = None) -> datetime:
    return (moment or now()) + timedelta(minutes=minutes)
