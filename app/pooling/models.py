"""Pooled buy requests, the parts sellers offer against them and, for a part an info-station pools,
each farmer's share. The buy request itself stays a ``posting`` (kind "buy") of the postings
domain; its fill (``quantity_filled``) is moved only by app.postings.stock through the trade
domain's order service when a part is accepted."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import Money, Quantity, created_at_column, updated_at_column


class PartStatus(str, enum.Enum):
    OFFERED = "offered"  # waiting for the buyer
    ACCEPTED = "accepted"  # an order was placed for it
    DECLINED = "declined"  # the buyer said no
    WITHDRAWN = "withdrawn"  # the seller took it back before the buyer answered
    LAPSED = "lapsed"  # the request was filled by other parts (or closed) before an answer


class PoolRequest(db.Model):
    """A buy request its owner opened to parts: sellers may each offer at least
    ``min_part_quantity`` (the last part may be smaller: exactly what is still wanted)."""

    __tablename__ = "pool_request"
    __table_args__ = (CheckConstraint("min_part_quantity > 0", name="min_part_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id", ondelete="CASCADE"), unique=True)
    min_part_quantity: Mapped[Decimal] = mapped_column(Quantity)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    posting = relationship("Posting")


class PoolPart(db.Model):
    """One seller's part of a pooled buy request: a quantity at a unit price. ``pooled`` parts are
    offered by an info-station for several of its farmers (see PoolShare); the station is then the
    order's seller. Accepting a part places one ordinary order (``order_id``)."""

    __tablename__ = "pool_part"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint("status IN ('offered', 'accepted', 'declined', 'withdrawn', 'lapsed')", name="status_known"),
        Index("ix_pool_part_posting_status", "posting_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id", ondelete="CASCADE"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    pooled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    delivery: Mapped[str] = mapped_column(String(8))  # "collect" or "deliver"
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=PartStatus.OFFERED.value)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("trade_order.id", ondelete="SET NULL"), unique=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    posting = relationship("Posting")
    seller = relationship("Member")
    order = relationship("Order")
    shares: Mapped[list[PoolShare]] = relationship(
        back_populates="part", cascade="all, delete-orphan", order_by="PoolShare.id"
    )

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


class PoolShare(db.Model):
    """One farmer's lot inside a pooled part: the quantity, what it is worth at the part's price
    (``amount``), the market fee on it and the farmer's pay-out (amount − fee). Split settlement
    (app.payments.settlement) pays the pay-out to the farmer's own receiver account."""

    __tablename__ = "pool_share"
    __table_args__ = (
        UniqueConstraint("part_id", "farmer_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("fee >= 0 AND payout >= 0", name="money_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("pool_part.id", ondelete="CASCADE"), index=True)
    farmer_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    amount: Mapped[Decimal] = mapped_column(Money)
    fee: Mapped[Decimal] = mapped_column(Money)
    payout: Mapped[Decimal] = mapped_column(Money)

    part: Mapped[PoolPart] = relationship(back_populates="shares")
    farmer = relationship("Member")
