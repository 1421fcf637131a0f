"""Members, their storefronts and trust verification."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy import false as sa_false
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash

from app.caching import stamps
from app.extensions import db
from app.members.passwords import hash_password
from app.models_common import created_at_column, updated_at_column

STATION_PENDING, STATION_APPROVED, STATION_REFUSED = "pending", "approved", "refused"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class Member(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164, e.g. +8613800138000
    email: Mapped[str | None] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(80))
    # None for a minimal record created by an info-station for a farmer without a smartphone.
    password_hash: Mapped[str | None] = mapped_column(String(255))

    # One account may both buy and sell; the kinds only shape menus and defaults.
    is_seller: Mapped[bool] = mapped_column(Boolean, default=False)
    is_buyer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_station_operator: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)

    locale: Mapped[str | None] = mapped_column(String(10))
    # Rotated on logout-everywhere and password change: it is part of the session id, so old
    # sessions and remember-me cookies stop working.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token, unique=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the member typed back a code we sent by SMS (or replied to our SMS): only then does
    # the number get SMS notifications.
    phone_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Trust & safety: a suspended member may log in and read but not post, offer or message.
    # ``suspended_until`` None and ``suspended_permanently`` False means not suspended.
    suspended_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suspended_permanently: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_by_station_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    # An information station acts for farmers (and makes us text them) only once an admin approved
    # it (issue 23): "pending" from sign-up or from ticking the kind, then "approved" or "refused".
    station_review: Mapped[str | None] = mapped_column(String(8))
    station_reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    storefront: Mapped[Storefront | None] = relationship(back_populates="member", uselist=False)

    # Flask-Login identifies the session by the rotating token, not the primary key.
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_approved_station(self) -> bool:
        """True for an information-station operator an admin approved."""
        return bool(self.is_station_operator and self.station_review == STATION_APPROVED)

    @property
    def is_active(self) -> bool:
        return self.password_hash is not None

    @property
    def phone_is_verified(self) -> bool:
        return self.phone_verified_at is not None

    @hybrid_method
    def is_suspended(self, now: datetime | None = None) -> bool:
        """True while a suspension runs (permanent, or until a time still in the future).

        The one definition of "suspended now": on the class, ``Member.is_suspended(now)`` is the same
        rule as a SQL condition (the admin member filter, the dashboard count, lapsed suspensions).
        """
        if self.suspended_permanently:
            return True
        if self.suspended_until is None:
            return False
        now = now or datetime.now(UTC)
        until = self.suspended_until
        if until.tzinfo is None:  # SQLite hands back naive datetimes (stored in UTC)
            until = until.replace(tzinfo=UTC)
        return until > now

    @is_suspended.expression
    def is_suspended(cls, now: datetime | None = None) -> ColumnElement[bool]:
        now = now or datetime.now(UTC)
        # NULL-safe on both sides, so that ``~Member.is_suspended(now)`` selects the members never
        # suspended too (``NOT (false OR NULL)`` would be NULL and leave them out).
        return or_(
            cls.suspended_permanently.is_(True),
            and_(cls.suspended_until.is_not(None), cls.suspended_until > now),
        )

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()


class Storefront(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    about: Mapped[str] = mapped_column(Text, default="")
    province_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    locality: Mapped[str] = mapped_column(String(100), default="")
    logo_filename: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    member: Mapped[Member] = relationship(back_populates="storefront")
    province = relationship("Region")

    @property
    def logo_thumb_filename(self) -> str | None:
        """The thumbnail save_image() stored beside the logo (small enough for a phone page)."""
        if not self.logo_filename:
            return None
        stem, _dot, extension = self.logo_filename.rpartition(".")
        return f"{stem}_t.{extension}"


class StoreFollow(db.Model):
    """A member following a seller's storefront (issue 24): the seller's new sell offers reach them
    by their notification preferences. One row per (follower, seller); a member never follows
    themselves."""

    __table_args__ = (
        UniqueConstraint("follower_id", "seller_id"),
        CheckConstraint("follower_id <> seller_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follower_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    # Indexed: the fan-out and the follower count read the followers of one seller.
    seller_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = created_at_column()

    follower: Mapped[Member] = relationship(foreign_keys=[follower_id])
    seller: Mapped[Member] = relationship(foreign_keys=[seller_id])


class VerificationRequest(db.Model):
    """A member's request for the trusted-member badge and the admin decision on it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    licence_number: Mapped[str] = mapped_column(String(60))
    # The person's or business's name as on the licence or ID card: the admin checks it against the
    # document, and once approved it is the verified name a payee's holder is compared with
    # (app/members/payees.py). None on requests made before it was asked for (migration 0036).
    legal_name: Mapped[str | None] = mapped_column(String(100))
    document_filename: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending/approved/rejected
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()

    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    decided_by: Mapped[Member | None] = relationship(foreign_keys=[decided_by_id])


class OneTimeCode(db.Model):
    """A code sent by SMS (phone verification, password reset) or a reset link sent by e-mail.

    Only an HMAC of the code is kept. A row is also written when a reset is asked for a number or an
    address that belongs to nobody (``member_id`` None, nothing sent), so that the limits and the
    answers are the same whether or not the number is registered."""

    VERIFY_PHONE = "verify_phone"
    RESET_PASSWORD = "reset_password"  # a code sent by SMS
    RESET_LINK = "reset_link"  # a link sent by e-mail

    __table_args__ = (
        CheckConstraint("purpose IN ('verify_phone', 'reset_password', 'reset_link')", name="purpose_known"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164, for SMS codes
    email: Mapped[str | None] = mapped_column(String(254), index=True)  # lower-cased, for e-mailed links
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requester_ip: Mapped[str | None] = mapped_column(String(45), index=True)
    created_at: Mapped[datetime] = created_at_column()

    member: Mapped[Member | None] = relationship()


class Payee(db.Model):
    """Where a seller is paid by hand: the bank account a buyer transfers to (issue 25).

    One per member. Shown in full only on an order's page to its buyer once the seller confirmed the
    order (app/members/payees.py decides); masked to the seller themselves; never on a public page.
    The collection-code columns are for WeChat Pay / Alipay codes (收款码) later: a stored image name
    in the private upload folder, unused until that lands."""

    __table_args__ = (CheckConstraint("length(account_number) >= 8", name="account_number_long_enough"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), unique=True)
    holder_name: Mapped[str] = mapped_column(String(80))
    bank_name: Mapped[str] = mapped_column(String(80))
    # Digits only (spaces removed when typed): 8 to 30 digits covers mainland bank cards (16–19)
    # and corporate accounts.
    account_number: Mapped[str] = mapped_column(String(30))
    wechat_code_filename: Mapped[str | None] = mapped_column(String(80))
    alipay_code_filename: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    member: Mapped[Member] = relationship()

    @property
    def masked_account(self) -> str:
        """The account number with all but its last four digits hidden: ****1234."""
        return "****" + self.account_number[-4:]


# Posting pages and market cards show the owner, their storefront and the info-station, and are
# cached by these rows' updated_at (app/caching/stamps.py).
stamps.stamped(Member, Storefront)
