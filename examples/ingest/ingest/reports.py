"""Daily figures: the nightly summary job, and the summary of any day."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from . import clock, db


@dataclass(frozen=True)
class DaySummary:
    day: date
    orders: int
    units: int


def nightly_summary(now: datetime) -> int:
    """Summarise the day before `now` (UTC) into daily_summaries; the number of orders it had.

    Runs every night; running it again replaces the day's row, so a retry is harmless."""
    day = (clock.as_utc(now) - timedelta(days=1)).date()
    with db.connect() as connection:
        summary = _count(connection, day)
        connection.execute("INSERT OR REPLACE INTO daily_summaries (day, orders, units) VALUES (?, ?, ?)",
                           (day.isoformat(), summary.orders, summary.units))
    return summary.orders


def day_summary(day: date) -> DaySummary:
    """The stored summary of `day`, or one counted now when the nightly job has not run yet."""
    with db.connect() as connection:
        row = connection.execute("SELECT orders, units FROM daily_summaries WHERE day = ?",
                                 (day.isoformat(),)).fetchone()
        return DaySummary(day, row[0], row[1]) if row is not None else _count(connection, day)


def _count(connection: sqlite3.Connection, day: date) -> DaySummary:
    orders, units = connection.execute(
        "SELECT COUNT(*), COALESCE(SUM(quantity), 0) FROM orders WHERE day = ?", (day.isoformat(),)).fetchone()
    return DaySummary(day, orders, units)
