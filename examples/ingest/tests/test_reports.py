from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ingest import orders, reports


def test_the_nightly_summary_counts_the_day_before(now: datetime) -> None:
    orders.import_order("A-1", "WIDGET", 3)
    orders.import_order("A-2", "GADGET", 4)
    assert reports.nightly_summary(now + timedelta(days=1)) == 2
    assert reports.day_summary(now.date()) == reports.DaySummary(now.date(), 2, 7)


def test_a_naive_time_is_taken_as_utc_and_a_rerun_is_harmless() -> None:
    orders.import_order("A-1", "WIDGET", 3)
    night = datetime(2024, 3, 2, 3, 0)
    assert reports.nightly_summary(night) == reports.nightly_summary(night.replace(tzinfo=timezone.utc)) == 1


def test_a_day_the_job_has_not_summarised_is_counted_live(now: datetime) -> None:
    orders.import_order("A-1", "WIDGET", 3)
    assert reports.day_summary(now.date()) == reports.DaySummary(now.date(), 1, 3)
    assert reports.day_summary(date(2024, 1, 1)) == reports.DaySummary(date(2024, 1, 1), 0, 0)
