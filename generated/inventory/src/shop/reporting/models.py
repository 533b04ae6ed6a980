"""Reporting tables, written by raw SQL from the jobs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..common.db import Base


class DailySales(Base):
    __tablename__ = "daily_sales"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    orders_count: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)
    revenue_cents: Mapped[int] = mapped_column(Integer)
    refunds_cents: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(DateTime)


class JobRun(Base):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_name: Mapped[str] = mapped_column(String(60), index=True)
    ran_at: Mapped[str] = mapped_column(String(26))
    result: Mapped[str] = mapped_column(String(200))
