"""The log of inbound SMS: what each number sent, what we understood and what we answered.

One row per received message. The UNIQUE provider message id makes a retried webhook find the first answer
instead of running the command twice; the rows of the last hour per phone are the rate limit's
counter, so every web process sees the same count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models_common import created_at_column


class InboundSms(db.Model):
    __tablename__ = "inbound_sms"
    __table_args__ = (Index("ix_inbound_sms_phone_created_at", "phone", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The provider's message id: Twilio's MessageSid, "aliyun-<sequence_id>" or "tencent-<digest>"
    # (app/inbound_sms/provider_routes.py); None for messages typed into the development SMS inbox.
    message_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(20))  # E.164
    body: Mapped[str] = mapped_column(Text)
    # The command family we ran ("sell", "confirm", "help", "error", "limited" …).
    command: Mapped[str] = mapped_column(String(20))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    # What we answered; empty when we stayed silent (over the hourly limit).
    reply: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()
