"""The commodity catalogue: categories, commodities with their names and aliases, units, regions."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Category(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_zh: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=100)

    commodities: Mapped[list[Commodity]] = relationship(back_populates="category", order_by="Commodity.name_en")

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class Unit(db.Model):
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(40))
    # None for count units (head, crate, box): their weight varies and the posting states it.
    kg_per_unit: Mapped[Decimal | None] = mapped_column(Numeric(14, 8, asdecimal=True))

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class Region(db.Model):
    """A provincial-level division (GB/T 2260 two-digit code)."""

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(60))
    name_zh: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(40))

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class Commodity(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_zh: Mapped[str] = mapped_column(String(80))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    default_unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))

    category: Mapped[Category] = relationship(back_populates="commodities")
    default_unit: Mapped[Unit] = relationship()
    aliases: Mapped[list[CommodityAlias]] = relationship(
        back_populates="commodity", cascade="all, delete-orphan", order_by="CommodityAlias.id"
    )

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def all_names(self) -> list[str]:
        """Every name a person might type for this commodity: both official names and all aliases."""
        return [self.name_en, self.name_zh, *(a.text for a in self.aliases)]


class CommodityAlias(db.Model):
    __table_args__ = (UniqueConstraint("commodity_id", "text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodity.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(80), index=True)
    language: Mapped[str] = mapped_column(String(8))  # "en" or "zh"

    commodity: Mapped[Commodity] = relationship(back_populates="aliases")
