"""Logistics records: one shipment per order with its status events, the carrier webhook events
received (for idempotency), the tracking subscription at an aggregator (Kuaidi100) with the track
checkpoints it pushed, and the buyer's delivery acceptance.

A shipment's status only moves forward: created → picked_up → in_transit → delivered (steps may be
skipped, never undone).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import Quantity, created_at_column, updated_at_column
from app.trade.models import Total


class ShipmentMethod(str, enum.Enum):
    CARRIER = "carrier"
    OWN_VEHICLE = "vehicle"
    BUYER_COLLECTS = "collect"
    STATION_PICKUP = "station"


class ShipmentStatus(str, enum.Enum):
    CREATED = "created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"


STATUS_ORDER = tuple(status.value for status in ShipmentStatus)
UPDATE_STATUSES = STATUS_ORDER[1:]


def status_rank(status: str) -> int:
    return STATUS_ORDER.index(status)


class EventSource(str, enum.Enum):
    SELLER = "seller"
    DRIVER = "driver"
    CARRIER = "carrier"


class AcceptanceReason(str, enum.Enum):
    LOWER_GRADE = "lower_grade"
    SHORT_WEIGHT = "short_weight"
    DAMAGED = "damaged"
    OTHER = "other"


class SellerDecision(str, enum.Enum):
    AGREED = "agreed"
    DISAGREED = "disagreed"


class Shipment(db.Model):
    __table_args__ = (
        UniqueConstraint("carrier", "tracking_number"),
        CheckConstraint("weight_kg IS NULL OR weight_kg > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"), unique=True)
    method: Mapped[str] = mapped_column(String(8))
    # The carrier's code as used in the webhook URL (/hooks/logistics/<carrier>), lower case.
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    driver_name: Mapped[str | None] = mapped_column(String(80))
    driver_phone: Mapped[str | None] = mapped_column(String(32))
    vehicle_plate: Mapped[str | None] = mapped_column(String(20))
    pickup_station: Mapped[str | None] = mapped_column(String(200))
    destination: Mapped[str] = mapped_column(String(300), default="")
    expected_date: Mapped[date | None] = mapped_column(Date)
    weight_kg: Mapped[Decimal | None] = mapped_column(Quantity)
    status: Mapped[str] = mapped_column(String(10), default=ShipmentStatus.CREATED.value)
    # Only the sha256 of the driver's link token is kept; the link is shown once to the seller.
    driver_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    driver_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    order = relationship("Order", backref=db.backref("shipment", uselist=False))
    events: Mapped[list[ShipmentEvent]] = relationship(
        back_populates="shipment", order_by="ShipmentEvent.id", cascade="all, delete-orphan"
    )


class ShipmentEvent(db.Model):
    """One forward move of a shipment: to which status, when it happened, who reported it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(8))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))  # the seller; None for driver/carrier
    note: Mapped[str] = mapped_column(Text, default="")
    photo_filename: Mapped[str | None] = mapped_column(String(80))
    photo_thumb_filename: Mapped[str | None] = mapped_column(String(80))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    shipment: Mapped[Shipment] = relationship(back_populates="events")


class CarrierEvent(db.Model):
    """Every signed carrier event received, applied or not. The UNIQUE (carrier, event_id) makes a
    replayed event a no-op: it is inserted in the same transaction as the status change."""

    __table_args__ = (UniqueConstraint("carrier", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(100))
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = created_at_column()


class SubscriptionStatus(str, enum.Enum):
    PENDING = "pending"  # to be sent (again) by `flask logistics subscribe-tracking`
    ACTIVE = "active"  # Kuaidi100 accepted it and pushes the track
    FINISHED = "finished"  # Kuaidi100 stopped pushing (signed for: status "shutdown")
    FAILED = "failed"  # refused for good or given up after the retries; see last_error


class TrackingSubscription(db.Model):
    """One shipment's subscription at Kuaidi100 (快递100 订阅推送). Written with the shipment, sent
    later by a job with retries, so that nothing is lost while Kuaidi100 is unreachable.

    ``provider_state`` is Kuaidi100's state code of the newest snapshot applied and ``state_at`` the
    time of that snapshot's newest checkpoint: an older snapshot arriving later does not replace it.
    """

    __table_args__ = (CheckConstraint("attempts >= 0", name="attempts_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id", ondelete="CASCADE"), unique=True)
    company: Mapped[str] = mapped_column(String(40))  # Kuaidi100's company code, e.g. shunfeng
    number: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), default=SubscriptionStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    provider_state: Mapped[str | None] = mapped_column(String(8))
    state_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    shipment: Mapped[Shipment] = relationship(backref=db.backref("tracking", uselist=False))


class TrackingCheckpoint(db.Model):
    """One point of the carrier's track as Kuaidi100 pushed it: when, where, the carrier's own words
    (Chinese, shown as given) and its state code. Every push carries the whole track, so each point
    is kept once, keyed by the sha256 of its time and text (UNIQUE per shipment)."""

    __table_args__ = (UniqueConstraint("shipment_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    context: Mapped[str] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(String(8))  # Kuaidi100's state code, when known
    area: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime] = created_at_column()


class DeliveryAcceptance(db.Model):
    """The buyer's acceptance of a delivered order: all of it, or part with the amount due recomputed."""

    __table_args__ = (
        CheckConstraint("quantity_received > 0", name="received_positive"),
        CheckConstraint("amount_due >= 0 AND amount_due <= original_total", name="amount_due_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"), unique=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    partial: Mapped[bool] = mapped_column(default=False)
    quantity_received: Mapped[Decimal] = mapped_column(Quantity)
    reason: Mapped[str | None] = mapped_column(String(12))  # AcceptanceReason, partial only
    note: Mapped[str] = mapped_column(Text, default="")
    original_total: Mapped[Decimal] = mapped_column(Total)
    amount_due: Mapped[Decimal] = mapped_column(Total)
    seller_decision: Mapped[str | None] = mapped_column(String(9))  # SellerDecision; None while pending
    seller_note: Mapped[str] = mapped_column(Text, default="")
    seller_decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    order = relationship("Order", backref=db.backref("delivery_acceptance", uselist=False))

    @property
    def awaiting_seller(self) -> bool:
        return self.partial and self.seller_decision is None
