"""Read side of the admin area: the member list with its search and filters, everything the member
page shows, and the audit log with its filters (the page and the CSV export share one query)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, false, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from app.admin.models import AuditAction, AuditLog, Report
from app.core.clock import utcnow
from app.extensions import db
from app.members.models import Member, Storefront
from app.postings.models import Posting
from app.search.text import fold
from app.trade.models import Order, Review

KINDS = ("seller", "buyer", "station", "admin")
YES_NO = ("yes", "no")
MAX_QUERY_LENGTH = 100


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def members_query(
    q: str = "",
    kind: str | None = None,
    verified: str | None = None,
    suspended: str | None = None,
    now: datetime | None = None,
) -> Select:
    """Members newest first, matching ``q`` in name, phone (digits anywhere) or storefront name or
    address, and the filters (values outside KINDS / YES_NO are ignored)."""
    now = now or utcnow()
    query = (
        select(Member).outerjoin(Storefront, Storefront.member_id == Member.id).options(joinedload(Member.storefront))
    )
    q = (q or "").strip()[:MAX_QUERY_LENGTH]
    if q:
        pattern = _like(q)
        conditions = [
            Member.display_name.ilike(pattern, escape="\\"),
            Storefront.name.ilike(pattern, escape="\\"),
            Storefront.slug.ilike(_like(fold(q)), escape="\\"),
        ]
        folded = fold(q)
        digits = "".join(ch for ch in folded if ch.isdigit())
        # Only a query that looks like a number searches phones ("Farm 2" is a name).
        if digits and all(ch.isdigit() or ch in " +-()" for ch in folded):
            conditions.append(Member.phone.like(_like(digits), escape="\\"))
        query = query.where(or_(*conditions))
    if kind == "seller":
        query = query.where(Member.is_seller.is_(True))
    elif kind == "buyer":
        query = query.where(Member.is_buyer.is_(True))
    elif kind == "station":
        query = query.where(Member.is_station_operator.is_(True))
    elif kind == "admin":
        query = query.where(Member.is_admin.is_(True))
    if verified in YES_NO:
        query = query.where(Member.verified_at.is_not(None) if verified == "yes" else Member.verified_at.is_(None))
    if suspended in YES_NO:
        running = Member.is_suspended(now)
        query = query.where(running if suspended == "yes" else ~running)
    return query.order_by(Member.created_at.desc(), Member.id.desc())


def member_postings(member_id: int) -> list[Posting]:
    return list(
        db.session.scalars(
            select(Posting)
            .where(Posting.owner_id == member_id)
            .options(joinedload(Posting.unit))
            .order_by(Posting.created_at.desc(), Posting.id.desc())
            .limit(100)
        )
    )


def member_orders(member_id: int) -> list[Order]:
    return list(
        db.session.scalars(
            select(Order)
            .where(or_(Order.buyer_id == member_id, Order.seller_id == member_id))
            .options(joinedload(Order.buyer), joinedload(Order.seller), joinedload(Order.unit))
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(100)
        )
    )


def member_reviews(member_id: int) -> tuple[list[Review], list[Review]]:
    """(reviews the member received, reviews the member wrote), newest first."""

    def _reviews(column) -> list[Review]:
        return list(
            db.session.scalars(
                select(Review).where(column == member_id).order_by(Review.created_at.desc(), Review.id.desc()).limit(50)
            )
        )

    return _reviews(Review.subject_id), _reviews(Review.author_id)


def member_reports(member_id: int) -> tuple[list[Report], list[Report]]:
    """(reports about the member, reports the member filed), newest first."""

    def _reports(column) -> list[Report]:
        return list(
            db.session.scalars(
                select(Report)
                .where(column == member_id)
                .options(joinedload(Report.reporter), joinedload(Report.member), joinedload(Report.posting))
                .order_by(Report.created_at.desc(), Report.id.desc())
                .limit(50)
            )
        )

    return _reports(Report.member_id), _reports(Report.reporter_id)


def member_audit(member_id: int) -> list[AuditLog]:
    return list(
        db.session.scalars(
            select(AuditLog)
            .where(AuditLog.member_id == member_id)
            .options(joinedload(AuditLog.actor))
            .order_by(AuditLog.id.desc())
            .limit(100)
        )
    )


def audit_query(
    action: str | None = None,
    actor: str = "",
    member_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Select:
    """Audit rows newest first, filtered by action, actor (name or phone digits), subject member
    and a date range (whole days, UTC, both ends included)."""
    actor_member = aliased(Member)
    query = select(AuditLog).options(joinedload(AuditLog.actor), joinedload(AuditLog.member))
    if action in {a.value for a in AuditAction}:
        query = query.where(AuditLog.action == action)
    actor = (actor or "").strip()[:MAX_QUERY_LENGTH]
    if actor:
        digits = "".join(ch for ch in fold(actor) if ch.isdigit())
        query = query.join(actor_member, AuditLog.actor_id == actor_member.id).where(
            or_(
                actor_member.display_name.ilike(_like(actor), escape="\\"),
                actor_member.phone.like(_like(digits), escape="\\") if digits else false(),
            )
        )
    query = query.where(AuditLog.member_id == member_id) if member_id else query.where(true())
    if since:
        query = query.where(AuditLog.created_at >= datetime.combine(since, time.min, tzinfo=UTC))
    if until:
        query = query.where(AuditLog.created_at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC))
    return query.order_by(AuditLog.id.desc())
