"""ORM model for captured payments."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..common import money
from ..common.db import Base, MoneyType
from m2l_runtime import client as _m2l_client


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    gateway_ref: Mapped[str] = mapped_column(String(40))
    masked_source: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(MoneyType)
    fee: Mapped[Decimal] = mapped_column(MoneyType, default=money.ZERO)
    refunded_amount: Mapped[Decimal] = mapped_column(MoneyType, default=money.ZERO)
    status: Mapped[str] = mapped_column(String(20), default="captured")
    created_at: Mapped[datetime] = mapped_column(DateTime)
