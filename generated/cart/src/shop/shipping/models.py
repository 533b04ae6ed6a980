"""ORM model for shipments."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..common.db import Base, MoneyType


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    carrier_code: Mapped[str] = mapped_column(String(20))
    tracking_number: Mapped[str] = mapped_column(String(40), unique=True)
    cost: Mapped[Decimal] = mapped_column(MoneyType)
    weight_grams: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="label_created")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
