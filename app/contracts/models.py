"""Contract versions and their acceptances.

A version is written the first time a party accepts the order's contract as it then stands: its
texts (Chinese, which prevails, and the English translation) are frozen with their SHA-256, and
``terms_sha256`` fingerprints the order's contract terms it was rendered from. When those terms
change after acceptance, the next acceptance writes version n + 1; earlier versions stay as they
were, readable by both parties.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import created_at_column

LANGUAGES = ("zh", "en")
CHANNELS = ("web", "sms")


class ContractVersion(db.Model):
    __table_args__ = (
        UniqueConstraint("order_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("trade_order.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # Which text template rendered it (app/contracts/texts.py TEMPLATE_VERSION).
    template: Mapped[str] = mapped_column(String(16))
    terms_sha256: Mapped[str] = mapped_column(String(64))
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    sha256_zh: Mapped[str] = mapped_column(String(64))
    sha256_en: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()

    order = relationship("Order")
    acceptances: Mapped[list[ContractAcceptance]] = relationship(
        back_populates="version", order_by="ContractAcceptance.id", cascade="all, delete-orphan"
    )

    def text(self, language: str) -> str:
        return self.text_zh if language == "zh" else self.text_en

    def sha256(self, language: str) -> str:
        return self.sha256_zh if language == "zh" else self.sha256_en


class ContractAcceptance(db.Model):
    """One party's acceptance of one version: who, in which role, when, by web or SMS, and the
    SHA-256 of the exact text (in the language) they accepted."""

    __table_args__ = (
        UniqueConstraint("version_id", "member_id"),
        CheckConstraint("role IN ('buyer', 'seller')", name="role_known"),
        CheckConstraint("channel IN ('web', 'sms')", name="channel_known"),
        CheckConstraint("language IN ('zh', 'en')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("contract_version.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    role: Mapped[str] = mapped_column(String(6))
    channel: Mapped[str] = mapped_column(String(3))
    language: Mapped[str] = mapped_column(String(2))
    text_sha256: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    version: Mapped[ContractVersion] = relationship(back_populates="acceptances")
    member = relationship("Member")
