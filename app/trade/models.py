"""Trade records: negotiation threads with their offers and messages, orders with their status
history, disputes and reviews.

Amounts are computed once on the server when an order is placed and stored; the order keeps a
snapshot of the goods (title, commodity, unit, origin, harvest date) so that later edits of a posting
never change what was bought.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.extensions import db
from app.models_common import Money, Quantity, created_at_column, updated_at_column

CENT = Decimal("0.01")
# Order totals may exceed a posting's price range (quantity up to 1e9 × price up to 1e7).
Total = Numeric(20, 2, asdecimal=True)


def line_total(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity × unit price, rounded half-up to the cent: the one formula for every amount shown."""
    return (Decimal(quantity) * Decimal(unit_price)).quantize(CENT, rounding=ROUND_HALF_UP)


def as_aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored moment is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class NegotiationStatus(str, enum.Enum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class OfferStatus(str, enum.Enum):
    OPEN = "open"
    COUNTERED = "countered"  # superseded by the other party's counter-offer
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class OrderStatus(str, enum.Enum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DISPUTED = "disputed"
    RESOLVED = "resolved"


class RefundOutcome(str, enum.Enum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


class Negotiation(db.Model):
    """A private thread between one buyer and one seller about one posting (and admins may read it)."""

    __table_args__ = (
        CheckConstraint("buyer_id <> seller_id", name="parties_differ"),
        Index("ix_negotiation_buyer_status", "buyer_id", "status"),
        Index("ix_negotiation_seller_status", "seller_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    # For a quote on a buy request: the seller's own sell offer the goods come from, if named.
    lot_posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"))
    status: Mapped[str] = mapped_column(String(10), default=NegotiationStatus.OPEN.value)
    # Bumped by every message, offer and decision; the polling fragment compares it to skip repaints.
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    posting = relationship("Posting", foreign_keys=[posting_id])
    lot_posting = relationship("Posting", foreign_keys=[lot_posting_id])
    buyer = relationship("Member", foreign_keys=[buyer_id])
    seller = relationship("Member", foreign_keys=[seller_id])
    offers: Mapped[list[Offer]] = relationship(
        back_populates="negotiation", order_by="Offer.id", cascade="all, delete-orphan"
    )
    messages: Mapped[list[NegotiationMessage]] = relationship(
        back_populates="negotiation", order_by="NegotiationMessage.id", cascade="all, delete-orphan"
    )
    # Read-only: with a writable one-to-one backref, giving a second order this thread made the ORM
    # quietly set the first order's negotiation_id to NULL (issue 23), which dodged the UNIQUE index.
    order: Mapped[Order | None] = relationship(viewonly=True, uselist=False)

    def is_party(self, member) -> bool:
        return member is not None and getattr(member, "id", None) in (self.buyer_id, self.seller_id)

    def other_party_id(self, member_id: int) -> int:
        return self.seller_id if member_id == self.buyer_id else self.buyer_id

    @property
    def latest_offer(self) -> Offer | None:
        return self.offers[-1] if self.offers else None

    def effective_status(self, now: datetime | None = None) -> str:
        """The status as members see it: an open thread whose latest offer ran out is expired even
        before `flask trade expire-offers` has recorded that."""
        latest = self.latest_offer
        if self.status == NegotiationStatus.OPEN.value and latest is not None and latest.is_past_expiry(now):
            return NegotiationStatus.EXPIRED.value
        return self.status

    def is_open(self, now: datetime | None = None) -> bool:
        return self.effective_status(now) == NegotiationStatus.OPEN.value


class Offer(db.Model):
    """One proposal in a thread: quantity, unit price and delivery, by one party to the other."""

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    negotiation_id: Mapped[int] = mapped_column(ForeignKey("negotiation.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    delivery: Mapped[str] = mapped_column(String(8))  # DeliveryOption collect/deliver
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=OfferStatus.OPEN.value, index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    negotiation: Mapped[Negotiation] = relationship(back_populates="offers")
    author = relationship("Member")

    @property
    def total(self) -> Decimal:
        return line_total(self.quantity, self.unit_price)

    def is_past_expiry(self, now: datetime | None = None) -> bool:
        return self.status == OfferStatus.OPEN.value and as_aware(self.expires_at) <= (now or utcnow())

    def effective_status(self, now: datetime | None = None) -> str:
        return OfferStatus.EXPIRED.value if self.is_past_expiry(now) else self.status


class NegotiationMessage(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    negotiation_id: Mapped[int] = mapped_column(ForeignKey("negotiation.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()

    negotiation: Mapped[Negotiation] = relationship(back_populates="messages")
    author = relationship("Member")


class Order(db.Model):
    __tablename__ = "trade_order"  # "order" is an SQL keyword
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint("total >= 0", name="total_nonnegative"),
        CheckConstraint("buyer_id <> seller_id", name="parties_differ"),
        # An order comes from exactly one accepted offer of its thread, or was bought now (migration
        # 0015): a NULL negotiation_id can no longer let a second order for one offer through.
        CheckConstraint("(negotiation_id IS NULL) = (offer_id IS NULL)", name="offer_with_its_negotiation"),
        CheckConstraint("bought_now = (offer_id IS NULL)", name="bought_now_or_from_an_offer"),
        Index("ix_trade_order_offer_id", "offer_id", unique=True),
        Index("ix_trade_order_buyer_status", "buyer_id", "status"),
        Index("ix_trade_order_seller_status", "seller_id", "status"),
        Index("ix_trade_order_checkout_key", "checkout_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Printed on the delivery note and encoded in its QR code; opens the public trace page.
    lot_code: Mapped[str] = mapped_column(String(24), unique=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), index=True)
    # The sell offer whose stock this order took (None for a quote that named no lot) and the buy
    # request it fills (None for orders on sell offers). Cancelling gives both back.
    sell_posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), index=True)
    buy_posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), index=True)
    negotiation_id: Mapped[int | None] = mapped_column(ForeignKey("negotiation.id"), unique=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id"))

    title: Mapped[str] = mapped_column(String(120))
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodity.id"))
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    origin_province_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    harvest_date: Mapped[date | None] = mapped_column(Date)
    seller_lot_reference: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Total)
    delivery: Mapped[str] = mapped_column(String(8))
    bought_now: Mapped[bool] = mapped_column(Boolean, default=False)
    # A basket checkout's idempotency key ("<key from the basket form>:<seller id>"); None otherwise.
    # UNIQUE, so a double submit of one basket page can create each seller's order once only.
    checkout_key: Mapped[str | None] = mapped_column(String(80))

    status: Mapped[str] = mapped_column(String(10), default=OrderStatus.PLACED.value, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    buyer = relationship("Member", foreign_keys=[buyer_id])
    seller = relationship("Member", foreign_keys=[seller_id])
    posting = relationship("Posting", foreign_keys=[posting_id])
    commodity = relationship("Commodity")
    unit = relationship("Unit")
    origin_province = relationship("Region")
    negotiation: Mapped[Negotiation | None] = relationship()
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )
    dispute: Mapped[Dispute | None] = relationship(back_populates="order", uselist=False)
    reviews: Mapped[list[Review]] = relationship(back_populates="order", order_by="Review.id")
    # Every order has at least one line (docs/basket-orders.md); read them with orders.lines_of.
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )

    @property
    def is_basket(self) -> bool:
        """True for an order of several lots (a basket checkout); its own quantity and unit price
        are then its first line's and only its total covers every line."""
        return len(self.lines) > 1

    @property
    def number(self) -> str:
        """The order number people quote on the phone."""
        return f"J{self.id:07d}"

    def is_party(self, member) -> bool:
        return member is not None and getattr(member, "id", None) in (self.buyer_id, self.seller_id)

    def role_of(self, member) -> str | None:
        member_id = getattr(member, "id", None)
        if member_id == self.buyer_id:
            return "buyer"
        if member_id == self.seller_id:
            return "seller"
        return None


class OrderLine(db.Model):
    """One lot of an order: the posting it came from, a snapshot of the goods, quantity and price.

    A single-lot order has one line repeating the order's own columns; a basket order has one per
    lot, and the order's total is the sum of the line totals.
    """

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint("total >= 0", name="total_nonnegative"),
        UniqueConstraint("order_id", "posting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), index=True)
    # The sell offer whose stock this line took (None for a quote on a buy request naming no lot).
    sell_posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodity.id"))
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    origin_province_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    harvest_date: Mapped[date | None] = mapped_column(Date)
    seller_lot_reference: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Total)

    order: Mapped[Order] = relationship(back_populates="lines")
    posting = relationship("Posting", foreign_keys=[posting_id])
    commodity = relationship("Commodity")
    unit = relationship("Unit")
    origin_province = relationship("Region")


class BasketItem(db.Model):
    """A lot in a buyer's basket (购物车): one fixed-price sell offer and the quantity wanted.

    Kept in the database, so the basket follows the buyer across devices and the web tier holds no
    state. Prices are not stored: checkout orders at the listed price of that moment.
    """

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        UniqueConstraint("buyer_id", "posting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    posting = relationship("Posting")


class BasketQuoteStatus(str, enum.Enum):
    REQUESTED = "requested"  # the buyer asked; the seller has not answered
    QUOTED = "quoted"  # the seller named a price per line; the buyer decides
    ACCEPTED = "accepted"  # the buyer accepted: the order was placed
    DECLINED = "declined"  # the seller declined to quote, or the buyer declined the quote
    WITHDRAWN = "withdrawn"  # the buyer withdrew the request before an answer


class BasketQuote(db.Model):
    """A negotiation over a whole basket of one seller's lots (docs/basket-orders.md): the buyer
    asks (optionally proposing a price per line), the seller answers with a price per line, the
    buyer's acceptance places the order at those prices."""

    __table_args__ = (
        CheckConstraint("buyer_id <> seller_id", name="parties_differ"),
        Index("ix_basket_quote_buyer_status", "buyer_id", "status"),
        Index("ix_basket_quote_seller_status", "seller_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    status: Mapped[str] = mapped_column(String(10), default=BasketQuoteStatus.REQUESTED.value)
    delivery: Mapped[str] = mapped_column(String(8))
    buyer_message: Mapped[str] = mapped_column(Text, default="")
    seller_message: Mapped[str] = mapped_column(Text, default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("trade_order.id"), unique=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    buyer = relationship("Member", foreign_keys=[buyer_id])
    seller = relationship("Member", foreign_keys=[seller_id])
    order = relationship("Order")
    lines: Mapped[list[BasketQuoteLine]] = relationship(
        back_populates="quote", order_by="BasketQuoteLine.id", cascade="all, delete-orphan"
    )

    def is_party(self, member) -> bool:
        return member is not None and getattr(member, "id", None) in (self.buyer_id, self.seller_id)

    @property
    def quoted_total(self) -> Decimal | None:
        if any(line.quoted_price is None for line in self.lines):
            return None
        return sum((line_total(line.quantity, line.quoted_price) for line in self.lines), Decimal(0))


class BasketQuoteLine(db.Model):
    """One lot of a basket quote: quantity, the buyer's proposed unit price (optional) and the
    seller's quoted unit price (once answered)."""

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("asked_price IS NULL OR asked_price > 0", name="asked_price_positive"),
        CheckConstraint("quoted_price IS NULL OR quoted_price > 0", name="quoted_price_positive"),
        UniqueConstraint("quote_id", "posting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("basket_quote.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    asked_price: Mapped[Decimal | None] = mapped_column(Money)
    quoted_price: Mapped[Decimal | None] = mapped_column(Money)

    quote: Mapped[BasketQuote] = relationship(back_populates="lines")
    posting = relationship("Posting")


class OrderEvent(db.Model):
    """One recorded transition: who moved the order from which status to which, when, and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))  # None: a system job
    from_status: Mapped[str | None] = mapped_column(String(10))  # None when the order was placed
    to_status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()

    order: Mapped[Order] = relationship(back_populates="events")
    actor = relationship("Member")


class Dispute(db.Model):
    __table_args__ = (CheckConstraint("refund_amount IS NULL OR refund_amount >= 0", name="refund_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"), unique=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    reason: Mapped[str] = mapped_column(Text)
    status_before: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str | None] = mapped_column(String(8))  # RefundOutcome; None while open
    refund_amount: Mapped[Decimal | None] = mapped_column(Total)
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    order: Mapped[Order] = relationship(back_populates="dispute")
    opened_by = relationship("Member", foreign_keys=[opened_by_id])
    resolved_by = relationship("Member", foreign_keys=[resolved_by_id])

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Review(db.Model):
    """One party's rating of the other after an order was completed; one per party per order."""

    __table_args__ = (
        UniqueConstraint("order_id", "author_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_review_subject_created", "subject_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    order: Mapped[Order] = relationship(back_populates="reviews")
    author = relationship("Member", foreign_keys=[author_id])
    subject = relationship("Member", foreign_keys=[subject_id])
