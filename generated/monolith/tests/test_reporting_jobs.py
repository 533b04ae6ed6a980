from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, text

from shop.cart import service as cart_service
from shop.common import audit, db
from shop.inventory import stock
from shop.notifications import dispatch, senders
from shop.orders import refunds
from shop.reporting import jobs, sales
from shop.reporting.models import JobRun

from conftest import START, buy, fill_cart

D = Decimal
DAY = timedelta(days=1)


def place_history(seed, clock):
    first = buy(seed.alice, (seed.widget, 2), (seed.gadget, 1))  # 2024-03-15
    clock.advance(days=1)
    second = buy(seed.bob, (seed.widget, 1))  # 2024-03-16
    third = buy(seed.alice, (seed.gadget, 2))
    return first, second, third


def test_sales_by_day(seed, clock):
    place_history(seed, clock)
    rows = sales.sales_by_day(db.new_session(), START - DAY, START + 2 * DAY)
    assert rows == [
        {"day": "2024-03-15", "orders": 1, "units": 3, "net_sales": D("45.00")},
        {"day": "2024-03-16", "orders": 2, "units": 3, "net_sales": D("60.00")},
    ]


def test_top_products_and_revenue_by_customer(seed, clock):
    first, _, _ = place_history(seed, clock)
    with db.session_scope() as s:
        refunds.refund_order(s, first.id, quantities={seed.gadget: 1})
    with db.session_scope() as s:
        top = sales.top_products(s, START - DAY, START + 2 * DAY)
        assert [(row["sku"], row["units"]) for row in top] == [("WID-001", 3), ("GAD-001", 2)]
        by_customer = sales.revenue_by_customer(s)
        assert [row["email"] for row in by_customer] == ["alice@example.com", "bob@example.com"]
        assert by_customer[1]["revenue"] == D("16.55")  # 10.00 + 5.20 shipping + NY tax on both


def test_sales_summary_subtracts_refunds(seed, clock):
    first, _, _ = place_history(seed, clock)
    with db.session_scope() as s:
        refunds.refund_order(s, first.id)
    with db.session_scope() as s:
        summary = sales.sales_summary(s, START - DAY, START + 2 * DAY)
    assert summary["orders"] == 3
    assert summary["refunds"] == D("55.86")
    assert summary["net_after_refunds"] == D("105.00") - D("55.86")


def test_nightly_rollup_writes_daily_sales(seed, clock):
    place_history(seed, clock)
    assert jobs.nightly_sales_rollup(clock.now()) == 2
    assert jobs.nightly_sales_rollup(clock.now()) == 2  # idempotent
    with db.session_scope() as s:
        rows = sales.daily_sales(s)
        assert [(r.day, r.orders_count, r.units, r.revenue_cents) for r in rows] == [
            ("2024-03-15", 1, 3, 4500), ("2024-03-16", 2, 3, 6000)]
        assert [e.action for e in audit.entries(s, "report.daily_sales")] == ["report.daily_sales"] * 2


def test_mark_abandoned_carts_raw_update(seed, clock):
    fill_cart(seed.alice, (seed.widget, 1))
    clock.advance(hours=12)
    fill_cart(seed.bob, (seed.widget, 1))
    clock.advance(hours=13)
    assert jobs.mark_abandoned_carts(clock.now()) == 1
    with db.session_scope() as s:
        assert cart_service.open_cart(s, seed.alice) is None
        assert cart_service.open_cart(s, seed.bob) is not None


def test_run_due_jobs_respects_intervals(seed, clock):
    first = jobs.run_due_jobs(clock.now())
    assert set(first) == set(jobs.JOBS) == {
        "expire_stale_reservations", "mark_abandoned_carts", "nightly_sales_rollup",
        "flush_notifications", "low_stock_alert"}
    clock.advance(minutes=5)
    assert set(jobs.run_due_jobs(clock.now())) == {"expire_stale_reservations", "flush_notifications"}
    clock.advance(minutes=55)
    assert set(jobs.run_due_jobs(clock.now())) == {
        "expire_stale_reservations", "flush_notifications", "mark_abandoned_carts"}
    with db.session_scope() as s:
        assert len(list(s.scalars(select(JobRun)))) == 5 + 2 + 3


def test_periodic_job_expires_reservations_and_sends_mail(seed, clock):
    fill_cart(seed.alice, (seed.gadget, 4))
    jobs.run_due_jobs(clock.now())  # low stock alert queued for the gadget
    clock.advance(minutes=35)
    results = jobs.run_due_jobs(clock.now())
    assert results["expire_stale_reservations"] == 1
    assert results["flush_notifications"] == 1
    assert senders.sent_to(dispatch.OPS_EMAIL)[0]["subject"] == "[ops] low stock"
    with db.session_scope() as s:
        assert stock.available(s, seed.gadget) == 5


def test_failing_job_does_not_stop_others(seed, clock, monkeypatch):
    def broken(now: datetime) -> int:
        raise RuntimeError("db down")

    monkeypatch.setitem(jobs.JOBS, "broken", jobs.Job("broken", broken, timedelta(minutes=1)))
    results = jobs.run_due_jobs(clock.now())
    assert isinstance(results["broken"], RuntimeError)
    assert results["mark_abandoned_carts"] == 0
    assert "broken" not in {name for name, _ in jobs.RUN_HISTORY}
    with db.session_scope() as s:
        rows = s.execute(text("SELECT result FROM job_runs WHERE job_name = 'broken'")).scalars().all()
        assert rows == ["RuntimeError('db down')"]
