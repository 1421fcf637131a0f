"""Market prices: manual market reports, price observations, daily reference prices, price
subscriptions (alerts) and the record of alerts already sent.

A price's area is a province code or ``NATIONAL`` ("00", not a GB/T 2260 province): a sentinel
instead of NULL so that "one row per commodity × area × day" (and "one subscription per phone ×
commodity × area") is a plain UNIQUE constraint that behaves the same on SQLite and PostgreSQL,
where NULLs never collide.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import Money, PricePerKg, Quantity, created_at_column, updated_at_column

NATIONAL = "00"


def area_of(province_code: str | None) -> str:
    """The stored area for a province code (None or "" → the whole country)."""
    return province_code or NATIONAL


def province_of(area_code: str) -> str | None:
    return None if area_code == NATIONAL else area_code


class ObservationSource(str, enum.Enum):
    TRADE = "trade"  # a completed order: price and volume actually paid
    ASK = "ask"  # an active sell offer's asking price
    BID = "bid"  # an active buy request's offered price
    REPORT = "report"  # a wholesale market price typed in by an info-station operator or an admin


class MarketReport(db.Model):
    """A price seen at a physical market, as entered on the form (price in the unit it was quoted in)."""

    __table_args__ = (CheckConstraint("price > 0", name="price_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    market_name: Mapped[str] = mapped_column(String(100))
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodity.id"), index=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    price: Mapped[Decimal] = mapped_column(Money)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    price_per_kg: Mapped[Decimal] = mapped_column(PricePerKg)
    observed_on: Mapped[date] = mapped_column(Date, index=True)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = created_at_column()

    commodity = relationship("Commodity")
    unit = relationship("Unit")
    province = relationship("Region")
    entered_by = relationship("Member")


class PriceObservation(db.Model):
    """One price point per kg with its source. The rollup derives trade/ask/bid rows from orders and
    postings (so they can be recomputed); report rows are written with their MarketReport."""

    __table_args__ = (
        CheckConstraint("source IN ('trade', 'ask', 'bid', 'report')", name="source_known"),
        CheckConstraint("price_per_kg > 0", name="price_positive"),
        # An order is observed once (on its completion day); a posting at most once per day.
        UniqueConstraint("order_id"),
        UniqueConstraint("report_id"),
        UniqueConstraint("posting_id", "observed_on"),
        Index("ix_price_observation_commodity_day", "commodity_id", "observed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(6))
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodity.id"))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    price_per_kg: Mapped[Decimal] = mapped_column(PricePerKg)
    quantity_kg: Mapped[Decimal | None] = mapped_column(Quantity)
    observed_on: Mapped[date] = mapped_column(Date, index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id", ondelete="CASCADE"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("market_report.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()

    commodity = relationship("Commodity")


class ReferencePrice(db.Model):
    """The day's reference for one commodity in one area (a province or NATIONAL)."""

    __table_args__ = (
        UniqueConstraint("commodity_id", "area_code", "day"),
        Index("ix_reference_price_area_day", "area_code", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodity.id", ondelete="CASCADE"))
    area_code: Mapped[str] = mapped_column(String(2))
    day: Mapped[date] = mapped_column(Date)
    trade_price_per_kg: Mapped[Decimal | None] = mapped_column(PricePerKg)  # volume-weighted
    trade_volume_kg: Mapped[Decimal | None] = mapped_column(Quantity)
    median_ask_per_kg: Mapped[Decimal | None] = mapped_column(PricePerKg)
    median_bid_per_kg: Mapped[Decimal | None] = mapped_column(PricePerKg)
    report_price_per_kg: Mapped[Decimal | None] = mapped_column(PricePerKg)  # median of market reports
    min_per_kg: Mapped[Decimal] = mapped_column(PricePerKg)
    max_per_kg: Mapped[Decimal] = mapped_column(PricePerKg)
    observation_count: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = updated_at_column()

    commodity = relationship("Commodity")

    @property
    def province_code(self) -> str | None:
        return province_of(self.area_code)

    @property
    def headline_per_kg(self) -> Decimal | None:
        """The one number shown first: what was paid, else what markets quoted, else asks/bids."""
        for value in (
            self.trade_price_per_kg,
            self.report_price_per_kg,
            self.median_ask_per_kg,
            self.median_bid_per_kg,
        ):
            if value is not None:
                return value
        return None


class SubscriptionChannel(str, enum.Enum):
    SMS = "sms"
    EMAIL = "email"


class PriceSubscription(db.Model):
    """Someone wants prices of one commodity (in one province or nationally).

    ``phone`` is always set (a member's own number for member subscriptions): the daily digest and
    alerts go to it. ``member_id`` is set when a member subscribed on the web (or by SMS from their
    registered number); ``station_id`` when an info-station operator manages the number for their
    village. A bare phone that sent ``SUB`` has neither.
    """

    __table_args__ = (
        UniqueConstraint("phone", "commodity_id", "area_code"),
        CheckConstraint("channel IN ('sms', 'email')", name="channel_known"),
        CheckConstraint("target_price_per_kg IS NULL OR target_price_per_kg > 0", name="target_positive"),
        CheckConstraint(
            "threshold_percent IS NULL OR (threshold_percent > 0 AND threshold_percent <= 100)",
            name="threshold_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodity.id", ondelete="CASCADE"), index=True)
    area_code: Mapped[str] = mapped_column(String(2), default=NATIONAL)
    locale: Mapped[str] = mapped_column(String(10), default="zh_Hans")
    channel: Mapped[str] = mapped_column(String(5), default=SubscriptionChannel.SMS.value)
    target_price_per_kg: Mapped[Decimal | None] = mapped_column(PricePerKg)
    threshold_percent: Mapped[Decimal | None] = mapped_column(Money)
    created_at: Mapped[datetime] = created_at_column()

    member = relationship("Member", foreign_keys=[member_id])
    station = relationship("Member", foreign_keys=[station_id])
    commodity = relationship("Commodity")

    @property
    def province_code(self) -> str | None:
        return province_of(self.area_code)


class AlertKind(str, enum.Enum):
    DIGEST = "digest"
    THRESHOLD = "threshold"  # moved more than X% against the 7-day average
    TARGET = "target"  # crossed the member's target price


class PriceAlertDelivery(db.Model):
    """An alert of one kind sent for one subscription on one day: the UNIQUE constraint is what
    makes `flask market send-digests` send once however often it runs."""

    __table_args__ = (
        UniqueConstraint("subscription_id", "day", "kind"),
        CheckConstraint("kind IN ('digest', 'threshold', 'target')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("price_subscription.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = created_at_column()
