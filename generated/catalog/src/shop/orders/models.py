"""ORM models for orders and order lines."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import money
from ..common.db import Base, MoneyType

ORDER_STATUSES = ("paid", "shipped", "delivered", "partially_refunded", "refunded", "cancelled")


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="paid")
    subtotal: Mapped[Decimal] = mapped_column(MoneyType)
    discount: Mapped[Decimal] = mapped_column(MoneyType, default=money.ZERO)
    tax: Mapped[Decimal] = mapped_column(MoneyType, default=money.ZERO)
    shipping: Mapped[Decimal] = mapped_column(MoneyType, default=money.ZERO)
    total: Mapped[Decimal] = mapped_column(MoneyType)
    refunded: Mapped[Decimal] = mapped_column(MoneyType, default=money.ZERO)
    coupon_code: Mapped[str | None] = mapped_column(String(32))
    carrier_code: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(2))
    shipping_address: Mapped[str] = mapped_column(Text)
    placed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )

    def weight_grams(self) -> int:
        return sum(line.weight_grams * line.quantity for line in self.lines)

    def refundable_amount(self) -> Decimal:
        return money.subtract(self.total, self.refunded)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "reference": self.reference,
            "status": self.status,
            "subtotal": str(self.subtotal),
            "discount": str(self.discount),
            "tax": str(self.tax),
            "shipping": str(self.shipping),
            "total": str(self.total),
            "refunded": str(self.refunded),
            "carrier": self.carrier_code,
            "placed_at": self.placed_at.isoformat(),
            "lines": [line.to_dict() for line in self.lines],
        }


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    unit_price: Mapped[Decimal] = mapped_column(MoneyType)
    quantity: Mapped[int] = mapped_column(Integer)
    discount: Mapped[Decimal] = mapped_column(MoneyType, default=money.ZERO)
    line_total: Mapped[Decimal] = mapped_column(MoneyType)
    weight_grams: Mapped[int] = mapped_column(Integer, default=0)
    refunded_quantity: Mapped[int] = mapped_column(Integer, default=0)

    order: Mapped[Order] = relationship(back_populates="lines")

    def refundable_quantity(self) -> int:
        return self.quantity - self.refunded_quantity

    def to_dict(self) -> dict[str, object]:
        return {
            "product_id": self.product_id,
            "sku": self.sku,
            "name": self.name,
            "unit_price": str(self.unit_price),
            "quantity": self.quantity,
            "discount": str(self.discount),
            "line_total": str(self.line_total),
            "refunded_quantity": self.refunded_quantity,
        }
