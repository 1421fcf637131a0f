"""The notification outbox and the console SMS store."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import created_at_column


class Channel(str, enum.Enum):
    SMS = "sms"
    EMAIL = "email"


class NotificationStatus(str, enum.Enum):
    PENDING = "pending"  # waiting for its first attempt
    SENDING = "sending"  # claimed by the worker named in claimed_by; taken again when claimed_until passes
    SENT = "sent"
    FAILED = "failed"  # an attempt failed; retried at next_attempt_at
    DEAD = "dead"  # gave up: too many attempts or a permanent refusal
    SKIPPED = "skipped"  # never sent on purpose (daily SMS limit, number opted out): last_error says why


class DeliveryStatus(str, enum.Enum):
    """What Twilio's status callbacks report after we handed the SMS over, in the order it moves."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"  # terminal: the carrier could not deliver it
    FAILED = "failed"  # terminal: Twilio could not send it


# A callback may only move a message to a higher rank; the two failures and "delivered" are final.
DELIVERY_RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3}


# Rows a worker may take when next_attempt_at has come: new ones, retries, and claims whose lease
# (claimed_until) ran out because their worker died.
CLAIMABLE = (NotificationStatus.PENDING.value, NotificationStatus.FAILED.value, NotificationStatus.SENDING.value)
# The same statuses as SQL, word for word in the partial index ix_notification_due and in the claim
# query: a planner uses a partial index only when the query states its condition (constants, not
# parameters).
OUTSTANDING = "status IN ('pending', 'failed', 'sending')"
RETRYABLE_BY_ADMIN = (NotificationStatus.FAILED.value, NotificationStatus.DEAD.value)


class Notification(db.Model):
    """One message to one address, written in the transaction of the event that caused it."""

    __table_args__ = (
        CheckConstraint("channel IN ('sms', 'email')", name="channel_known"),
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'skipped')", name="status_known"),
        CheckConstraint(
            "delivery_status IS NULL OR delivery_status IN "
            "('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed')",
            name="delivery_status_known",
        ),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        # The worker's claim query: status IN (…) AND next_attempt_at <= now ORDER BY next_attempt_at.
        Index("ix_notification_status_next_attempt_at", "status", "next_attempt_at"),
        # Urgent rows (codes) are claimed before the rest: a small partial index finds them at once.
        Index(
            "ix_notification_urgent_due",
            "status",
            "next_attempt_at",
            postgresql_where=text("urgent"),
            sqlite_where=text("urgent"),
        ),
        # The worker's claim order among the outstanding rows (only they are in it): a claim reads
        # its rows and stops instead of sorting every pending row (app/notify/worker.py).
        Index(
            "ix_notification_due",
            "next_attempt_at",
            "id",
            postgresql_where=text(OUTSTANDING),
            sqlite_where=text(OUTSTANDING),
        ),
        Index("ix_notification_channel_status", "channel", "status"),
        # The daily SMS cap counts a member's rows since local midnight.
        Index("ix_notification_member_id_created_at", "member_id", "created_at"),
        # Status callbacks find the row by Twilio's message SID.
        Index("ix_notification_provider_id", "provider_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(5))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    address: Mapped[str] = mapped_column(String(254))  # E.164 phone or e-mail address
    event: Mapped[str] = mapped_column(String(40))
    # SMS: the registry template (sms/templates.py) and its parameters, as a mainland provider
    # takes them; ``body`` is the text rendered from them. E-mail: the template's name, no params.
    template: Mapped[str] = mapped_column(String(80))
    template_params: Mapped[dict | None] = mapped_column(JSON)
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
    # Urgent messages (codes, password resets) ignore quiet hours and do not count toward the daily cap.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    delivery_status: Mapped[str | None] = mapped_column(String(12))
    delivery_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivery_error_code: Mapped[str | None] = mapped_column(String(12))
    # The lease of a row in "sending": which worker holds it ("host:pid:token") and until when. The
    # worker renews it while it works through its batch; once it has passed, any worker takes the
    # row again (app/notify/worker.py). next_attempt_at keeps the time the row became due.
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    member = relationship("Member")


class SmsOptOut(db.Model):
    """A phone number that texted STOP (or 退订 …): no SMS goes to it while opted_in_at is empty.

    One row per number keeps its history: when and with which keyword it last stopped, and when it
    last texted START again (opted_in_at; cleared when it stops once more)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), unique=True)
    keyword: Mapped[str] = mapped_column(String(20))
    opted_out_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opted_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def active(self) -> bool:
        return self.opted_in_at is None


class NotificationPreference(db.Model):
    """A member's choice for one category of events on one channel; no row means the category's default."""

    __table_args__ = (
        UniqueConstraint("member_id", "category", "channel"),
        CheckConstraint("channel IN ('sms', 'email')", name="channel_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(5))
    enabled: Mapped[bool] = mapped_column(Boolean)


class ConsoleSms(db.Model):
    """What the console SMS sender "sent" (development): shown on the SMS inbox page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="SET NULL"), index=True)
    to: Mapped[str] = mapped_column(String(32), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()


class SiteNotice(db.Model):
    """A message shown on the site (the "stores I follow" page), not sent anywhere: one row per
    member and event. ``params`` holds what the text needs, rendered in the reader's language when
    the page is shown; ``link`` is a path on the site."""

    __table_args__ = (Index("ix_site_notice_member_id_id", "member_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON)
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = created_at_column()
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FollowAlertDay(db.Model):
    """A follower was sent (on ``channel``) the one message a day they get about a followed store's
    new goods: the UNIQUE row is how a seller posting 50 lots in a minute sends one SMS and one
    e-mail per follower, and how two publishes at once agree on who sends it."""

    __table_args__ = (
        UniqueConstraint("member_id", "seller_id", "channel", "day"),
        CheckConstraint("channel IN ('sms', 'email')", name="channel_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(5))
    day: Mapped[date] = mapped_column(Date)
