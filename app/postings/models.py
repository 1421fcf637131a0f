"""Supply (sell offers, 供) and demand (buy requests, 求) postings with their photos."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.caching import stamps
from app.extensions import db
from app.models_common import Money, PricePerKg, Quantity, QuantityKg, created_at_column, updated_at_column


class PostingKind(str, enum.Enum):
    SELL = "sell"
    BUY = "buy"


class PostingStatus(str, enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"
    EXPIRED = "expired"
    # Hidden by an admin or while the owner is suspended (app/admin/services.py keeps the status to
    # give back); only the owner and admins can open it.
    HIDDEN = "hidden"


class DeliveryOption(str, enum.Enum):
    COLLECT = "collect"  # buyer collects
    DELIVER = "deliver"  # seller delivers
    EITHER = "either"


class Posting(db.Model):
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price IS NULL OR price > 0", name="price_positive"),
        CheckConstraint("min_order IS NULL OR min_order > 0", name="min_order_positive"),
        # With quantity_available >= 0 the last guard against overselling, whatever the code does:
        # a sell offer never has more units available than it stated. Buy requests do not use
        # quantity_available. (On SQLite migration 0014 makes it two triggers; see there why.)
        CheckConstraint("kind <> 'sell' OR quantity_available <= quantity", name="available_within_quantity"),
        Index("ix_posting_status_kind_published", "status", "kind", "published_at"),
        Index("ix_posting_status_price_per_kg", "status", "price_per_kg"),
        # The market's default order (newest first) across both kinds; see bench/README.md.
        Index("ix_posting_status_published", "status", "published_at"),
        # max(updated_at) is the market result cache's data version (app/postings/market.py).
        Index("ix_posting_updated_at", "updated_at"),
        # The market's "largest quantity first" order and its minimum quantity filter.
        Index("ix_posting_status_quantity_kg", "status", "quantity_kg"),
        # One per market filter, ending with the market's order (app/postings/search.py; migration 0020).
        Index("ix_posting_status_commodity_published", "status", "commodity_id", "published_at"),
        Index("ix_posting_status_commodity_price", "status", "commodity_id", "price_per_kg"),
        Index(
            "ix_posting_status_commodity_province_published", "status", "commodity_id", "province_code", "published_at"
        ),
        Index("ix_posting_status_province_published", "status", "province_code", "published_at"),
        Index("ix_posting_status_verified_published", "status", "owner_verified", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(4))  # PostingKind value
    status: Mapped[str] = mapped_column(String(8), default=PostingStatus.DRAFT.value)
    owner_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    # A copy of "the owner is a trusted (verified) member", so that the market's filter on it is an
    # index walk rather than a look at the member of every posting. Written by postings.services
    # only: at creation, and by set_owner_verified when the member's badge changes.
    owner_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The info-station operator who typed it in for a farmer without a smartphone, if any.
    via_station_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)

    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodity.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    variety: Mapped[str] = mapped_column(String(80), default="")
    grade: Mapped[str] = mapped_column(String(40), default="")

    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    # Weight of one count unit (crate, box, head) as stated by the poster; None for weight units.
    unit_weight_kg: Mapped[Decimal | None] = mapped_column(Quantity)
    min_order: Mapped[Decimal | None] = mapped_column(Quantity)
    price: Mapped[Decimal | None] = mapped_column(Money)  # None means "negotiable"
    # Derived from price and the unit's weight so the market can filter and sort across units.
    price_per_kg: Mapped[Decimal | None] = mapped_column(PricePerKg)
    # The quantity in kg (by the unit's weight, or the weight stated for a count unit); None when
    # neither is known. Derived like price_per_kg, so the market can filter and sort by it with an index.
    quantity_kg: Mapped[Decimal | None] = mapped_column(QuantityKg)

    province_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    locality: Mapped[str] = mapped_column(String(100), default="")
    available_from: Mapped[date | None] = mapped_column(Date)
    available_until: Mapped[date | None] = mapped_column(Date, index=True)
    delivery: Mapped[str] = mapped_column(String(8), default=DeliveryOption.EITHER.value)
    lot_code: Mapped[str | None] = mapped_column(String(40), index=True)
    harvest_date: Mapped[date | None] = mapped_column(Date)
    # app/postings/stock.py keeps these (trade calls it): what a sell offer can still sell, decremented by one
    # conditional UPDATE per order, and how much of a buy request sellers have already filled.
    quantity_available: Mapped[Decimal] = mapped_column(
        Quantity,
        CheckConstraint("quantity_available >= 0", name="quantity_available_nonnegative"),
        default=lambda context: context.get_current_parameters()["quantity"],
    )
    quantity_filled: Mapped[Decimal] = mapped_column(
        Quantity, CheckConstraint("quantity_filled >= 0", name="quantity_filled_nonnegative"), default=Decimal(0)
    )

    # Words and CJK n-grams of title, description and the commodity's names and aliases, indexed by
    # the search engines (SQLite FTS5 / PostgreSQL full text). Written by postings.services only.
    search_text: Mapped[str] = mapped_column(Text, default="")

    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    owner = relationship("Member", foreign_keys=[owner_id])
    via_station = relationship("Member", foreign_keys=[via_station_id])
    commodity = relationship("Commodity")
    unit = relationship("Unit")
    province = relationship("Region")
    photos: Mapped[list[PostingPhoto]] = relationship(
        back_populates="posting", cascade="all, delete-orphan", order_by="PostingPhoto.position"
    )

    @property
    def is_sell(self) -> bool:
        return self.kind == PostingKind.SELL.value

    @property
    def is_negotiable(self) -> bool:
        return self.price is None


class PostingPhoto(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str] = mapped_column(String(80))  # resized to at most PHOTO_MAX_PX, EXIF removed
    thumb_filename: Mapped[str] = mapped_column(String(80))
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = created_at_column()

    posting: Mapped[Posting] = relationship(back_populates="photos")


class SavedSearch(db.Model):
    """A market search a member kept, to run again and to be told of new sell offers matching it.

    The filters are the market's own (app/postings/market_forms.py), stored as ids so a renamed
    commodity keeps matching; commodity and category are columns of their own because the new-match
    handler selects candidate searches by them in SQL (see app/notify/match_handlers.py)."""

    __table_args__ = (
        CheckConstraint("kind IN ('', 'sell', 'buy')", name="kind_known"),
        CheckConstraint("min_price IS NULL OR min_price > 0", name="min_price_positive"),
        CheckConstraint("max_price IS NULL OR max_price > 0", name="max_price_positive"),
        CheckConstraint("min_quantity IS NULL OR min_quantity > 0", name="min_quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    q: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(4), default="")  # "" means both kinds
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"), index=True)
    commodity_id: Mapped[int | None] = mapped_column(ForeignKey("commodity.id", ondelete="CASCADE"), index=True)
    province_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    min_price: Mapped[Decimal | None] = mapped_column(PricePerKg)  # per kg, like the market filter
    max_price: Mapped[Decimal | None] = mapped_column(PricePerKg)
    min_quantity: Mapped[Decimal | None] = mapped_column(Quantity)  # kg
    verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = created_at_column()

    member = relationship("Member")
    category = relationship("Category")
    commodity = relationship("Commodity")
    province = relationship("Region")


class PostingViewDay(db.Model):
    """How many times a posting's page was opened on one local day by someone other than its owner
    (the seller's dashboard shows it). One row per posting and day, counted with an upsert."""

    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(default=0)


class PostingDraft(db.Model):
    """What a member had typed into a new-posting form and not yet sent successfully (issue 25): saved
    a couple of seconds after each change (htmx) and whenever a sent form comes back with errors,
    restored when the form is opened again, removed once the posting is created. One per member and
    form ("new" or "station"); ``fields`` is the form's values as JSON (no files, no token)."""

    __table_args__ = (
        UniqueConstraint("member_id", "form_name"),
        CheckConstraint("form_name IN ('new', 'station')", name="form_name_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    form_name: Mapped[str] = mapped_column(String(8))
    fields: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = updated_at_column()


# Posting pages and market cards are cached by these rows' updated_at (app/caching/stamps.py): a
# change to a posting's photos alone moves the posting's.
stamps.stamped(Posting)
stamps.touches(PostingPhoto, "posting")
