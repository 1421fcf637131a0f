"""The notification outbox and the console SMS store."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import created_at_column


class Channel(str, enum.Enum):
    SMS = "sms"
    EMAIL = "email"


class NotificationStatus(str, enum.Enum):
    PENDING = "pending"  # waiting for its first attempt
    SENDING = "sending"  # claimed by a worker; reclaimed when next_attempt_at (the claim's deadline) passes
    SENT = "sent"
    FAILED = "failed"  # an attempt failed; retried at next_attempt_at
    DEAD = "dead"  # gave up: too many attempts or a permanent refusal


# Rows a worker may take when next_attempt_at has come: new ones, retries, and claims whose worker died.
CLAIMABLE = (NotificationStatus.PENDING.value, NotificationStatus.FAILED.value, NotificationStatus.SENDING.value)
RETRYABLE_BY_ADMIN = (NotificationStatus.FAILED.value, NotificationStatus.DEAD.value)


class Notification(db.Model):
    """One message to one address, written in the transaction of the event that caused it."""

    __table_args__ = (
        CheckConstraint("channel IN ('sms', 'email')", name="channel_known"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'dead')", name="status_known"
        ),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        # The worker's claim query: status IN (…) AND next_attempt_at <= now ORDER BY next_attempt_at.
        Index("ix_notification_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_notification_channel_status", "channel", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(5))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    address: Mapped[str] = mapped_column(String(254))  # E.164 phone or e-mail address
    event: Mapped[str] = mapped_column(String(40))
    template: Mapped[str] = mapped_column(String(80))
    locale: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default=NotificationStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    provider_id: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    member = relationship("Member")


class ConsoleSms(db.Model):
    """What the console SMS sender "sent" (development): shown on the SMS inbox page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="SET NULL"), index=True
    )
    to: Mapped[str] = mapped_column(String(32), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
