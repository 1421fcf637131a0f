"""Review services: after an order is completed each party rates the other once (1–5 and a
comment) and may edit that review for REVIEW_EDIT_DAYS. Nothing here commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.members.services import ensure_can_write
from app.trade.errors import TradeInvalid
from app.trade.models import Order, OrderStatus, Review, as_aware

REVIEWABLE_STATUSES = frozenset({OrderStatus.COMPLETED.value, OrderStatus.RESOLVED.value})
MAX_COMMENT_LENGTH = 2000


def own_review(order: Order, member: Member) -> Review | None:
    return db.session.scalar(select(Review).where(Review.order_id == order.id, Review.author_id == member.id))


def edit_deadline(review: Review) -> datetime:
    return as_aware(review.created_at) + timedelta(days=current_app.config["REVIEW_EDIT_DAYS"])


def can_edit(review: Review, now: datetime | None = None) -> bool:
    return (now or utcnow()) <= edit_deadline(review)


def review_refusal(order: Order, member: Member, now: datetime | None = None) -> str | None:
    """Why ``member`` may not write (or edit) their review of ``order`` now, or None."""
    if not order.is_party(member):
        return _("Only the buyer and the seller of an order can review it.")
    if order.status not in REVIEWABLE_STATUSES:
        return _("Reviews can be written once the order is completed.")
    existing = own_review(order, member)
    if existing is not None and not can_edit(existing, now):
        return _(
            "Reviews can be edited for %(days)s days after they are written.",
            days=current_app.config["REVIEW_EDIT_DAYS"],
        )
    return None


def write_review(order: Order, member: Member, rating: int, comment: str, now: datetime | None = None) -> Review:
    """Create the member's review of the other party, or update it within the edit window.
    Returns the review.

    Raises TradeInvalid for a rating outside 1–5 or an empty/too long comment; DomainError (409)
    when the order is not completed or the edit window has passed (403 for non-parties);
    MemberSuspended (403) when the member is suspended.
    """
    ensure_can_write(member)
    now = now or utcnow()
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise TradeInvalid("rating", _("Choose from 1 to 5 stars."))
    comment = (comment or "").strip()
    if not comment:
        raise TradeInvalid("comment", _("Write a few words about the trade."))
    if len(comment) > MAX_COMMENT_LENGTH:
        raise TradeInvalid("comment", _("At most %(n)s characters.", n=MAX_COMMENT_LENGTH))
    refused = review_refusal(order, member, now)
    if refused is not None:
        raise DomainError(refused, status=403 if not order.is_party(member) else 409)
    review = own_review(order, member)
    if review is None:
        subject_id = order.seller_id if member.id == order.buyer_id else order.buyer_id
        review = Review(order=order, author_id=member.id, subject_id=subject_id, created_at=now)
        db.session.add(review)
    review.rating = rating
    review.comment = comment
    review.updated_at = now
    db.session.flush()
    return review
