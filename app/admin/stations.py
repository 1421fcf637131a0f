"""Information stations wait for an admin: approving one lets it post for farmers (and so make us
text their numbers); refusing one keeps it a plain member. Each decision writes one audit-log row in
the same transaction (issue 23: a self-made station could text any number). Nothing here commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.admin.models import AuditAction
from app.admin.services import _lock_member, clean_reason, record
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import STATION_APPROVED, STATION_PENDING, STATION_REFUSED, Member
from app.members.verification import record_station_review


def pending_stations() -> list[Member]:
    """Station operators waiting for a decision, oldest first."""
    return list(
        db.session.scalars(
            select(Member)
            .where(Member.is_station_operator.is_(True), Member.station_review == STATION_PENDING)
            .order_by(Member.created_at, Member.id)
        )
    )


def decided_stations(limit: int = 50) -> list[Member]:
    """Station operators approved or refused, latest decision first."""
    return list(
        db.session.scalars(
            select(Member)
            .where(Member.is_station_operator.is_(True), Member.station_review.in_((STATION_APPROVED, STATION_REFUSED)))
            .order_by(Member.station_reviewed_at.desc(), Member.id.desc())
            .limit(limit)
        )
    )


def decide_station(member_id: int, admin: Member, approve: bool, reason: str) -> Member:
    """Approve or refuse the information station ``member_id`` (an approved one may be refused later,
    a refused one approved after all). Returns the member.

    Raises ActionInvalid without a reason, DomainError 404 for an unknown member and 409 when the
    member is not a station operator or already has this decision."""
    reason = clean_reason(reason)
    member = _lock_member(member_id)
    if not member.is_station_operator:
        raise DomainError(_l("This member is not an information station."))
    decision = STATION_APPROVED if approve else STATION_REFUSED
    if member.station_review == decision:
        if approve:
            raise DomainError(_l("This information station is already approved."))
        raise DomainError(_l("This information station is already refused."))
    record_station_review(member, decision, utcnow())
    record(AuditAction.APPROVE_STATION if approve else AuditAction.REFUSE_STATION, admin, reason, member_id=member.id)
    return member
