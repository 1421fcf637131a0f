"""Read-side queries for trade pages and for other domains (storefront ratings).

Other domains may call ``rating_summary`` and ``latest_reviews``; the storefront page shows them by
including templates/trade/_storefront_reviews.html.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.members.models import Member
from app.postings.models import Posting
from app.trade.models import (
    Negotiation,
    NegotiationMessage,
    NegotiationStatus,
    Offer,
    Order,
    OrderEvent,
    OrderStatus,
    Review,
)

ORDER_ROLES = ("buying", "selling")


def rating_summary(member_id: int) -> tuple[Decimal | None, int]:
    """(average rating rounded to one decimal, number of reviews) the member received; (None, 0)
    when nobody has reviewed them yet."""
    average, count = db.session.execute(rating_columns(member_id)).one()
    return rounded_rating(average, count)


def rating_columns(member_id: int) -> Select:
    """SELECT of (average rating, number of reviews) the member received, for queries that add columns."""
    return select(func.avg(Review.rating), func.count(Review.id)).where(Review.subject_id == member_id)


def rounded_rating(average, count) -> tuple[Decimal | None, int]:
    """(average rounded half-up to one decimal, count) from the raw aggregate; (None, 0) for no reviews."""
    if not count:
        return None, 0
    return Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), int(count)


def latest_reviews(member_id: int, n: int = 5) -> list[Review]:
    """The ``n`` newest reviews the member received, with their authors loaded."""
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.subject_id == member_id)
            .options(joinedload(Review.author).joinedload(Member.storefront))
            .order_by(Review.created_at.desc(), Review.id.desc())
            .limit(n)
        )
    )


def negotiation_for_page(negotiation_id: int) -> Negotiation | None:
    """One thread with its posting, parties, offers and messages, or None."""
    return db.session.scalar(
        select(Negotiation)
        .where(Negotiation.id == negotiation_id)
        .options(
            joinedload(Negotiation.posting).joinedload(Posting.unit),
            joinedload(Negotiation.posting).joinedload(Posting.commodity),
            joinedload(Negotiation.lot_posting),
            joinedload(Negotiation.buyer),
            joinedload(Negotiation.seller),
            selectinload(Negotiation.offers).joinedload(Offer.author),
            selectinload(Negotiation.messages).joinedload(NegotiationMessage.author),
            selectinload(Negotiation.order),
        )
    )


@dataclass
class ThreadEntry:
    """An offer or a message in the order they were written."""

    kind: str  # "offer" or "message"
    created_at: datetime
    item: Offer | NegotiationMessage


def thread_entries(negotiation: Negotiation) -> list[ThreadEntry]:
    entries = [ThreadEntry("offer", offer.created_at, offer) for offer in negotiation.offers]
    entries += [ThreadEntry("message", message.created_at, message) for message in negotiation.messages]
    return sorted(entries, key=lambda entry: (entry.created_at, 0 if entry.kind == "offer" else 1, entry.item.id))


def thread_version(negotiation: Negotiation, now: datetime | None = None) -> str:
    """A short fingerprint of everything the thread shows; polling repaints only when it changes."""
    parts = (
        negotiation.effective_status(now),
        negotiation.last_activity_at.isoformat() if negotiation.last_activity_at else "",
        len(negotiation.offers),
        len(negotiation.messages),
    )
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:12]


def member_negotiations(member_id: int, state: str | None = None) -> Select:
    """The member's threads, newest activity first; ``state`` "open" or "closed" filters."""
    query = (
        select(Negotiation)
        .where(or_(Negotiation.buyer_id == member_id, Negotiation.seller_id == member_id))
        .options(
            joinedload(Negotiation.posting).joinedload(Posting.unit),
            joinedload(Negotiation.buyer),
            joinedload(Negotiation.seller),
            selectinload(Negotiation.offers),
        )
        .order_by(Negotiation.last_activity_at.desc(), Negotiation.id.desc())
    )
    if state == "open":
        query = query.where(Negotiation.status == NegotiationStatus.OPEN.value)
    elif state == "closed":
        query = query.where(Negotiation.status != NegotiationStatus.OPEN.value)
    return query


def posting_negotiations(posting_id: int) -> list[Negotiation]:
    """Every thread about one posting (for its owner), newest activity first."""
    return list(
        db.session.scalars(
            select(Negotiation)
            .where(Negotiation.posting_id == posting_id)
            .options(joinedload(Negotiation.buyer), joinedload(Negotiation.seller), selectinload(Negotiation.offers))
            .order_by(Negotiation.last_activity_at.desc())
        )
    )


def member_orders(member_id: int, role: str | None = None, status: str | None = None) -> Select:
    """The member's orders (``role`` "buying" or "selling" narrows), newest first, optionally of one status."""
    if role == "buying":
        condition = Order.buyer_id == member_id
    elif role == "selling":
        condition = Order.seller_id == member_id
    else:
        condition = or_(Order.buyer_id == member_id, Order.seller_id == member_id)
    query = (
        select(Order)
        .where(condition)
        .options(joinedload(Order.buyer), joinedload(Order.seller), joinedload(Order.unit), selectinload(Order.lines))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    if status in {s.value for s in OrderStatus}:
        query = query.where(Order.status == status)
    return query


def disputed_orders() -> Select:
    """Orders waiting for an admin's dispute decision, oldest first."""
    return (
        select(Order)
        .where(Order.status == OrderStatus.DISPUTED.value)
        .options(joinedload(Order.buyer), joinedload(Order.seller), joinedload(Order.dispute), joinedload(Order.unit))
        .order_by(Order.updated_at, Order.id)
    )


def order_for_page(order_id: int) -> Order | None:
    """One order with everything its page shows, or None."""
    return db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .options(
            joinedload(Order.buyer).joinedload(Member.storefront),
            joinedload(Order.seller).joinedload(Member.storefront),
            joinedload(Order.commodity),
            joinedload(Order.unit),
            joinedload(Order.origin_province),
            joinedload(Order.dispute),
            selectinload(Order.events).joinedload(OrderEvent.actor),
            selectinload(Order.reviews).joinedload(Review.author),
        )
    )


def order_by_lot_code(lot_code: str) -> Order | None:
    """The order a trace code belongs to (codes are printed in capitals; typing is forgiven)."""
    code = (lot_code or "").strip().upper()
    if not code or len(code) > 24:
        return None
    return db.session.scalar(
        select(Order)
        .where(Order.lot_code == code)
        .options(
            joinedload(Order.seller).joinedload(Member.storefront),
            joinedload(Order.commodity),
            joinedload(Order.origin_province),
            selectinload(Order.events),
        )
    )


# The public trace page shows when the goods moved, not payments or disputes between the parties.
TRACE_STATUSES = ("placed", "confirmed", "shipped", "delivered", "completed", "cancelled")


def trace_steps(order: Order) -> list[tuple[str, datetime]]:
    """(status, when) for each public trade step of the order, oldest first."""
    return [(event.to_status, event.created_at) for event in order.events if event.to_status in TRACE_STATUSES]
