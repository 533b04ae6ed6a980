"""The time, in one place, so tests and replays can pin it."""

from __future__ import annotations

import os
from datetime import datetime, timezone

FROZEN_TIME = "INGEST_FROZEN_TIME"  # an ISO 8601 time that `now()` returns instead of the clock's


def now() -> datetime:
    """The current time in UTC (timezone-aware)."""
    frozen = os.environ.get(FROZEN_TIME)
    return as_utc(datetime.fromisoformat(frozen)) if frozen else datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive time is taken to be UTC already (that is how this office stores them)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
