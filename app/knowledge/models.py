"""Knowledge base (农技知识) and ask-an-expert (专家问答) tables: experts and the commodities they cover,
articles (Markdown source + sanitised HTML + search text), and questions with their answer."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import Enum

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import created_at_column, updated_at_column


class Topic(str, Enum):
    GROWING = "growing"
    PESTS = "pests"
    ANIMAL_HEALTH = "animal_health"
    STORAGE = "storage"


class Season(str, Enum):
    ALL_YEAR = "all"
    SPRING = "spring"
    SUMMER = "summer"
    AUTUMN = "autumn"
    WINTER = "winter"


class QuestionStatus(str, Enum):
    OPEN = "open"
    ANSWERED = "answered"


class Channel(str, Enum):
    WEB = "web"
    SMS = "sms"
    STATION = "station"


def new_access_token() -> str:
    """The secret part of a question's short link (/q/<id>/<token>): an SMS asker without an
    account reads a private answer with it. 12 URL-safe characters (72 bits)."""
    return secrets.token_urlsafe(9)


class Expert(db.Model):
    """A member an admin made an expert (农技专家): they write articles and answer questions. The
    role carries data (who granted it, which commodities), so it is a row here rather than a flag
    on Member."""

    __tablename__ = "knowledge_expert"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    # A short public description ("Plant protection, Henan agricultural bureau").
    title: Mapped[str] = mapped_column(String(120), default="")
    granted_at: Mapped[datetime] = created_at_column()

    member = relationship("Member", foreign_keys=[member_id])
    commodities = relationship(
        "Commodity", secondary="knowledge_expert_commodity", order_by="Commodity.name_en", viewonly=True
    )


class ExpertCommodity(db.Model):
    """A commodity an expert covers: new questions about it are routed to them first."""

    __tablename__ = "knowledge_expert_commodity"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("knowledge_expert.member_id", ondelete="CASCADE"), primary_key=True
    )
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodity.id", ondelete="CASCADE"), primary_key=True)


class Article(db.Model):
    __tablename__ = "knowledge_article"
    __table_args__ = (
        CheckConstraint("topic IN ('growing', 'pests', 'animal_health', 'storage')", name="topic_known"),
        CheckConstraint("season IN ('all', 'spring', 'summer', 'autumn', 'winter')", name="season_known"),
        Index("ix_knowledge_article_commodity_updated", "commodity_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    # None: about farming in general (soil, storage sheds) rather than one commodity.
    commodity_id: Mapped[int | None] = mapped_column(ForeignKey("commodity.id"))
    topic: Mapped[str] = mapped_column(String(16))
    season: Mapped[str] = mapped_column(String(8), default=Season.ALL_YEAR.value)
    title: Mapped[str] = mapped_column(String(150))
    # What the author typed (Markdown) and the sanitised HTML made from it (app/forum/markup.py).
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    author = relationship("Member", foreign_keys=[author_id])
    commodity = relationship("Commodity")


class Question(db.Model):
    """A question to the experts, asked on the web, by SMS, or by an information station for a
    farmer; its one answer is stored on the same row (``status`` "answered")."""

    __tablename__ = "knowledge_question"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'answered')", name="status_known"),
        CheckConstraint("channel IN ('web', 'sms', 'station')", name="channel_known"),
        CheckConstraint("(status = 'open') = (answered_at IS NULL)", name="answered_at_with_status"),
        Index("ix_knowledge_question_status_created", "status", "created_at"),
        Index("ix_knowledge_question_phone_created", "phone", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The member who asks (or for whom a station asks); None for an SMS from an unregistered number.
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    # The station operator who typed the question in for the farmer.
    station_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    # Where the answer is texted (E.164); None for a web asker without a phone (there is always one today).
    phone: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(8))
    locale: Mapped[str] = mapped_column(String(10))
    commodity_id: Mapped[int | None] = mapped_column(ForeignKey("commodity.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # The asker agreed that the question and its answer be shown on the public Q&A page.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    access_token: Mapped[str] = mapped_column(String(16), default=new_access_token)
    status: Mapped[str] = mapped_column(String(10), default=QuestionStatus.OPEN.value)
    answer_body: Mapped[str | None] = mapped_column(Text)
    answer_html: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    asker = relationship("Member", foreign_keys=[asker_id])
    station = relationship("Member", foreign_keys=[station_id])
    answered_by = relationship("Member", foreign_keys=[answered_by_id])
    commodity = relationship("Commodity")

    @property
    def is_answered(self) -> bool:
        return self.status == QuestionStatus.ANSWERED.value
