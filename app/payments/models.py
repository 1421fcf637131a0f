"""Payment records: one payment per order (which provider, how much was paid and refunded), its
ledger of charges and refunds, and the provider webhook events already applied.

The order's own status stays owned by app.trade; these rows say what money moved. Amounts are in
the currency's major unit (yuan) as Decimal; providers that count in minor units (fen) convert at
the edge.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.logistics.acceptance import amount_due
from app.models_common import created_at_column, updated_at_column

# Same range as the order total it pays.
Amount = Numeric(20, 2, asdecimal=True)


class PaymentStatus(str, enum.Enum):
    PENDING = "pending"  # chosen, nothing received yet
    CLAIMED = "claimed"  # manual: the buyer recorded a transfer reference; the seller has not confirmed
    PAID = "paid"
    PARTIALLY_REFUNDED = "part_refund"
    REFUNDED = "refunded"
    # Money arrived but does not make the order paid: less than due, or in another currency.
    # payment.attention says which; an admin looks at it (see docs/payments.md).
    REVIEW = "review"


class Attention(str, enum.Enum):
    """Why a payment needs an admin: stored in payment.attention ("" when none)."""

    SHORT = "short"  # the provider reported less than the amount due
    CURRENCY = "currency"  # the provider reported money in another currency than the order's
    # The provider reported a checkout of another amount than the payment's (Alipay total_amount):
    # the notification was refused, nothing recorded; stays until an admin has looked at it.
    AMOUNT = "amount"


class EntryKind(str, enum.Enum):
    CHARGE = "charge"
    REFUND = "refund"


class EntryStatus(str, enum.Enum):
    PENDING = "pending"  # a refund owed but not yet made (provider call failed or awaiting a reference)
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Payment(db.Model):
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
        CheckConstraint("amount_paid >= 0", name="paid_nonnegative"),
        CheckConstraint("amount_refunded >= 0", name="refunded_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"), unique=True)
    provider: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20), default="")  # manual: bank_transfer / cash
    status: Mapped[str] = mapped_column(String(12), default=PaymentStatus.PENDING.value, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Amount)
    amount_paid: Mapped[Decimal] = mapped_column(Amount, default=Decimal("0.00"))
    amount_refunded: Mapped[Decimal] = mapped_column(Amount, default=Decimal("0.00"))
    # Stripe: how many Checkout Sessions were created (part of the idempotency key), the latest
    # session id and the PaymentIntent that paid. Manual: the buyer's transfer reference.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    checkout_reference: Mapped[str | None] = mapped_column(String(255), index=True)
    provider_reference: Mapped[str | None] = mapped_column(String(255), index=True)
    buyer_reference: Mapped[str] = mapped_column(String(80), default="")
    # The latest attempt's payment code to show as a QR code (WeChat Pay Native's code_url), "" when none.
    pay_url: Mapped[str] = mapped_column(String(512), default="", server_default="")
    attention: Mapped[str] = mapped_column(String(12), default="", server_default="", index=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    order = relationship("Order", backref=db.backref("payment", uselist=False, passive_deletes=True))
    entries: Mapped[list[LedgerEntry]] = relationship(
        back_populates="payment", order_by="LedgerEntry.id", cascade="all, delete-orphan"
    )

    @property
    def is_paid(self) -> bool:
        """The money received in the order's currency covers the amount due (a short payment or
        money in another currency does not)."""
        return self.amount_paid > 0 and self.amount_paid >= amount_due(self.order)

    @property
    def has_received(self) -> bool:
        """Any money arrived (in any currency): the payment can no longer switch provider."""
        return self.amount_paid > 0 or any(e.kind == EntryKind.CHARGE.value for e in self.entries)

    @property
    def refundable(self) -> Decimal:
        """What has been paid and not yet refunded or promised back (pending refunds count)."""
        promised = sum(
            (
                e.amount
                for e in self.entries
                if e.kind == EntryKind.REFUND.value and e.status != EntryStatus.FAILED.value
            ),
            Decimal("0.00"),
        )
        return max(self.amount_paid - max(promised, self.amount_refunded), Decimal("0.00"))

    @property
    def failed_refunds_owed(self) -> Decimal:
        """Refunds the provider would not make that nobody has sent again or refunded by hand yet:
        still owed to the buyer (refundable again, but the admins' to deal with, never the seller's)."""
        return sum((e.amount for e in self.entries if e.is_open_failure), Decimal("0.00"))


class LedgerEntry(db.Model):
    """One movement of money on an order: a charge received or a refund made (or owed)."""

    __tablename__ = "payment_ledger_entry"
    # A provider object (PaymentIntent of a charge, refund id of a refund) is in the ledger once.
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("payment_id", "kind", "provider_object"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    provider_reference: Mapped[str] = mapped_column(String(255), default="")
    # The provider's id of the object this entry is (charge: the PaymentIntent / trade number;
    # refund: the refund id). NULL for manual entries and refunds the provider has not named yet.
    provider_object: Mapped[str | None] = mapped_column(String(255))
    # Stripe refunds are sent with this key, so a retried refund is never made twice.
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))  # None: provider or system
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    payment: Mapped[Payment] = relationship(back_populates="entries")
    actor = relationship("Member")

    @property
    def is_open_failure(self) -> bool:
        """A refund that failed and that nobody has dealt with yet: no refund was recorded on the
        payment after it (an admin's new refund or one made by hand)."""
        return (
            self.kind == EntryKind.REFUND.value
            and self.status == EntryStatus.FAILED.value
            and not any(e.kind == EntryKind.REFUND.value and e.id > self.id for e in self.payment.entries)
        )


class WebhookEvent(db.Model):
    """A provider event already applied. The UNIQUE pair makes a replay fail to insert, so it is
    inserted in the same transaction as the change it causes."""

    __tablename__ = "payment_webhook_event"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("trade_order.id", ondelete="SET NULL"), index=True)
    received_at: Mapped[datetime] = created_at_column()


class ReceiverAccount(db.Model):
    """A seller's account at a payment provider that split settlements (分账) pay into: WeChat Pay
    MERCHANT_ID (a 商户号) or PERSONAL_OPENID, Alipay userId or loginName. One per seller and provider."""

    __tablename__ = "payment_receiver_account"
    __table_args__ = (UniqueConstraint("member_id", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    account_type: Mapped[str] = mapped_column(String(32))
    account: Mapped[str] = mapped_column(String(128))
    # The account holder's name as the provider knows it (a merchant's full name; a person's name).
    name: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class SplitState(str, enum.Enum):
    PENDING = "pending"  # to be requested (waiting for the job, a receiver account or a retry)
    PROCESSING = "processing"  # requested; the provider has not finished it
    SPLIT = "split"  # the seller's share arrived; the rest is not yet released to the platform
    FINISHED = "finished"  # the seller's share arrived and the rest was released
    FAILED = "failed"  # the provider closed the seller's share (e.g. account abnormal): an admin looks


class SplitSettlement(db.Model):
    """The split settlement of one paid order: the seller's share (amount paid − refunds − the
    market fee) paid by the provider out of the buyer's payment to the seller's receiver account.
    ``out_request_no`` is Jishi's request number at the provider (the idempotency key)."""

    __tablename__ = "payment_split_settlement"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount_nonnegative"),
        CheckConstraint("paid_out_minor >= 0", name="paid_out_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"), unique=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id", ondelete="CASCADE"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    out_request_no: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(12), default=SplitState.PENDING.value, index=True)
    # Frozen when first requested, so every retry asks for the same amounts.
    net: Mapped[Decimal | None] = mapped_column(Amount)
    fee: Mapped[Decimal | None] = mapped_column(Amount)
    amount_minor: Mapped[int] = mapped_column(Integer, default=0)
    paid_out_minor: Mapped[int] = mapped_column(Integer, default=0)
    receiver_account_type: Mapped[str] = mapped_column(String(32), default="")
    receiver_account: Mapped[str] = mapped_column(String(128), default="")
    provider_id: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    paid_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    order = relationship("Order")
    payment: Mapped[Payment] = relationship()
    seller = relationship("Member")
    # Set when the order pays several receivers (a pooled part's farmers); empty for one seller.
    shares: Mapped[list[SplitShare]] = relationship(
        back_populates="settlement", cascade="all, delete-orphan", order_by="SplitShare.id"
    )

    @property
    def amount(self) -> Decimal:
        return (Decimal(self.amount_minor) / 100).quantize(Decimal("0.01"))

    @property
    def paid_out(self) -> Decimal:
        return (Decimal(self.paid_out_minor) / 100).quantize(Decimal("0.01"))


class SplitShare(db.Model):
    """One receiver's part of a split settlement whose order pays several people: the farmers of a
    part an info-station pooled (app.pooling). Each share is its own request at the provider under
    its own ``out_request_no`` (the same on every retry), so no farmer is paid twice; the settlement
    is split once every share arrived, and only then is the rest released to the platform."""

    __tablename__ = "payment_split_share"
    __table_args__ = (
        UniqueConstraint("settlement_id", "member_id"),
        CheckConstraint("amount_minor >= 0", name="amount_nonnegative"),
        CheckConstraint("paid_out_minor >= 0", name="paid_out_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(
        ForeignKey("payment_split_settlement.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    out_request_no: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(12), default=SplitState.PENDING.value)
    amount_minor: Mapped[int] = mapped_column(Integer, default=0)
    paid_out_minor: Mapped[int] = mapped_column(Integer, default=0)
    receiver_account_type: Mapped[str] = mapped_column(String(32), default="")
    receiver_account: Mapped[str] = mapped_column(String(128), default="")
    provider_id: Mapped[str] = mapped_column(String(64), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    paid_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    settlement: Mapped[SplitSettlement] = relationship(back_populates="shares")
    member = relationship("Member")

    @property
    def amount(self) -> Decimal:
        return (Decimal(self.amount_minor) / 100).quantize(Decimal("0.01"))
