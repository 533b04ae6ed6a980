"""Sales reports written as raw SQL for the analytics team."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..common import money
from .models import DailySales

SQL_TS = "%Y-%m-%d %H:%M:%S.%f"


def sql_timestamp(moment: datetime) -> str:
    """Format like SQLAlchemy stores DateTime in sqlite, for raw SQL parameters."""
    return moment.strftime(SQL_TS)


def sales_by_day(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            "SELECT date(o.placed_at) AS day, COUNT(DISTINCT o.id) AS orders_count, "
            "       SUM(ol.quantity) AS units, SUM(ol.line_total) AS net_cents "
            "FROM orders o JOIN order_lines ol ON ol.order_id = o.id "
            "WHERE o.placed_at >= :start AND o.placed_at < :end AND o.status != 'cancelled' "
            "GROUP BY date(o.placed_at) ORDER BY day"
        ),
        {"start": sql_timestamp(start), "end": sql_timestamp(end)},
    )
    return [
        {"day": row.day, "orders": row.orders_count, "units": row.units, "net_sales": money.from_cents(row.net_cents)}
        for row in rows
    ]


def top_products(session: Session, start: datetime, end: datetime, limit: int = 5) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            "SELECT p.sku, p.name, SUM(ol.quantity - ol.refunded_quantity) AS units, SUM(ol.line_total) AS net_cents "
            "FROM order_lines ol "
            "JOIN orders o ON o.id = ol.order_id "
            "JOIN products p ON p.id = ol.product_id "
            "WHERE o.placed_at >= :start AND o.placed_at < :end AND o.status != 'cancelled' "
            "GROUP BY p.id ORDER BY units DESC, net_cents DESC, p.sku LIMIT :limit"
        ),
        {"start": sql_timestamp(start), "end": sql_timestamp(end), "limit": limit},
    )
    return [
        {"sku": row.sku, "name": row.name, "units": row.units, "net_sales": money.from_cents(row.net_cents)}
        for row in rows
    ]


def revenue_by_customer(session: Session, limit: int = 10) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            "SELECT c.id, c.email, COUNT(o.id) AS orders_count, SUM(o.total - o.refunded) AS revenue_cents "
            "FROM customers c JOIN orders o ON o.customer_id = c.id "
            "GROUP BY c.id ORDER BY revenue_cents DESC, c.id LIMIT :limit"
        ),
        {"limit": limit},
    )
    return [
        {"customer_id": row.id, "email": row.email, "orders": row.orders_count,
         "revenue": money.from_cents(row.revenue_cents)}
        for row in rows
    ]


def refunds_total(session: Session, start: datetime, end: datetime) -> Decimal:
    cents = session.execute(
        text("SELECT COALESCE(SUM(refunded), 0) FROM orders WHERE placed_at >= :start AND placed_at < :end"),
        {"start": sql_timestamp(start), "end": sql_timestamp(end)},
    ).scalar_one()
    return money.from_cents(cents)


def daily_sales(session: Session, since: date | None = None) -> list[DailySales]:
    stmt = select(DailySales).order_by(DailySales.day)
    if since is not None:
        stmt = stmt.where(DailySales.day >= since.isoformat())
    return list(session.scalars(stmt))


def sales_summary(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    days = sales_by_day(session, start, end)
    net = money.total(day["net_sales"] for day in days)
    refunds = refunds_total(session, start, end)
    return {
        "orders": sum(day["orders"] for day in days),
        "units": sum(day["units"] for day in days),
        "net_sales": net,
        "refunds": refunds,
        "net_after_refunds": money.subtract(net, refunds),
        "top_products": top_products(session, start, end),
    }
