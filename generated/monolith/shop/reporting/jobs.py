"""Periodic jobs and their runner (driven by a scheduler calling ``run_due_jobs``)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from shop.inventory import reservations as inventory_reservations
from shop.inventory import stock
from shop.notifications import dispatch

from ..common import db
from ..common.audit import audited
from .sales import sql_timestamp

log = logging.getLogger(__name__)

JobFn = Callable[[datetime], object]


@dataclass
class Job:
    name: str
    fn: JobFn
    every: timedelta


JOBS: dict[str, Job] = {}
_LAST_RUN: dict[str, datetime] = {}
RUN_HISTORY: list[tuple[str, datetime]] = []

ABANDON_AFTER = timedelta(hours=24)


def periodic(every_minutes: int) -> Callable[[JobFn], JobFn]:
    """Register the decorated function as a job run every ``every_minutes``."""

    def register(fn: JobFn) -> JobFn:
        JOBS[fn.__name__] = Job(fn.__name__, fn, timedelta(minutes=every_minutes))
        return fn

    return register


@periodic(every_minutes=5)
def expire_stale_reservations(now: datetime) -> int:
    with db.session_scope() as session:
        return inventory_reservations.expire_stale_reservations(session, now)


@periodic(every_minutes=60)
def mark_abandoned_carts(now: datetime) -> int:
    cutoff = sql_timestamp(now - ABANDON_AFTER)
    with db.session_scope() as session:
        result = session.execute(
            text(
                "UPDATE carts SET status = 'abandoned', updated_at = :now "
                "WHERE status = 'open' AND updated_at < :cutoff"
            ),
            {"now": sql_timestamp(now), "cutoff": cutoff},
        )
        return result.rowcount or 0


@periodic(every_minutes=24 * 60)
@audited("report.daily_sales")
def nightly_sales_rollup(now: datetime) -> int:
    """Recompute ``daily_sales`` for yesterday and today."""
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    day_end = day_start + timedelta(days=2)
    params = {"start": sql_timestamp(day_start), "end": sql_timestamp(day_end), "now": sql_timestamp(now)}
    with db.session_scope() as session:
        session.execute(
            text("DELETE FROM daily_sales WHERE day >= date(:start) AND day < date(:end)"), params
        )
        result = session.execute(
            text(
                "INSERT INTO daily_sales (day, orders_count, units, revenue_cents, refunds_cents, computed_at) "
                "SELECT date(o.placed_at), COUNT(DISTINCT o.id), SUM(ol.quantity), SUM(ol.line_total), "
                "       (SELECT COALESCE(SUM(o2.refunded), 0) FROM orders o2 "
                "        WHERE date(o2.placed_at) = date(o.placed_at)), :now "
                "FROM orders o JOIN order_lines ol ON ol.order_id = o.id "
                "WHERE o.placed_at >= :start AND o.placed_at < :end AND o.status != 'cancelled' "
                "GROUP BY date(o.placed_at)"
            ),
            params,
        )
        return result.rowcount or 0


@periodic(every_minutes=1)
def flush_notifications(now: datetime) -> int:
    return dispatch.flush()


@periodic(every_minutes=6 * 60)
def low_stock_alert(now: datetime) -> int:
    with db.session_scope() as session:
        levels = stock.low_stock(session)
        skus = ", ".join(str(level.product_id) for level in levels)
    if levels:
        dispatch.notify_async("email", dispatch.OPS_EMAIL, "low_stock", {"skus": skus})
    return len(levels)


def due_jobs(now: datetime) -> list[Job]:
    due = []
    for name, job in sorted(JOBS.items()):
        last = _LAST_RUN.get(name)
        if last is None or now - last >= job.every:
            due.append(job)
    return due


def _record_run(session: Session, name: str, now: datetime, result: object) -> None:
    session.execute(
        text("INSERT INTO job_runs (job_name, ran_at, result) VALUES (:name, :ran_at, :result)"),
        {"name": name, "ran_at": sql_timestamp(now), "result": repr(result)[:200]},
    )


def run_due_jobs(now: datetime) -> dict[str, object]:
    """Run every job whose interval has elapsed; one failing job does not stop others."""
    results: dict[str, object] = {}
    for job in due_jobs(now):
        try:
            results[job.name] = job.fn(now)
        except Exception as exc:  # noqa: BLE001 - keep the scheduler alive
            log.exception("job %s failed", job.name)
            results[job.name] = exc
            continue
        _LAST_RUN[job.name] = now
        RUN_HISTORY.append((job.name, now))
    with db.session_scope() as session:
        for name, result in results.items():
            _record_run(session, name, now, result)
    return results


def reset_schedule() -> None:
    _LAST_RUN.clear()
    RUN_HISTORY.clear()
