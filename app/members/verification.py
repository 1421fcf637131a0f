"""Trusted members: verification requests and the admins' recorded decisions on them."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member, VerificationRequest
from app.members.signals import announce_verification_changed

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


def _lock_member(member_id: int) -> None:
    # Serialises concurrent requests of one member on PostgreSQL (SQLite already has BEGIN IMMEDIATE).
    db.session.execute(select(Member.id).where(Member.id == member_id).with_for_update())


def pending_request_of(member: Member) -> VerificationRequest | None:
    return db.session.scalar(
        select(VerificationRequest).where(
            VerificationRequest.member_id == member.id, VerificationRequest.status == PENDING
        )
    )


def history_of(member: Member) -> list[VerificationRequest]:
    """The member's requests, newest first."""
    return list(
        db.session.scalars(
            select(VerificationRequest)
            .where(VerificationRequest.member_id == member.id)
            .order_by(VerificationRequest.created_at.desc(), VerificationRequest.id.desc())
        )
    )


def request_verification(
    member: Member,
    licence_number: str,
    note: str,
    document_filename: str | None,
    legal_name: str | None = None,
) -> VerificationRequest:
    """Record a new pending request. ``document_filename`` is a private stored image or None;
    ``legal_name`` the name as on the licence or ID card (the web form requires it; older callers
    and requests made before it was asked for have None).

    Raises DomainError (409) when the member already has a pending request or is already trusted.
    Does not commit.
    """
    _lock_member(member.id)
    if member.is_verified:
        raise DomainError(_l("You are already a trusted member."))
    if pending_request_of(member) is not None:
        raise DomainError(_l("You already have a request waiting for review."))
    request = VerificationRequest(
        member=member,
        licence_number=licence_number,
        legal_name=legal_name or None,
        note=note or "",
        document_filename=document_filename,
        status=PENDING,
    )
    db.session.add(request)
    db.session.flush()
    return request


def approved_licence_number(member: Member) -> str | None:
    """The business licence number of ``member``'s approved request while they hold the badge
    (printed on purchase contracts), or None when they are not a trusted member."""
    return _from_approved_request(member, VerificationRequest.licence_number)


def verified_name(member: Member) -> str | None:
    """The name on the licence or ID card of ``member``'s approved request while they hold the
    badge (what a payee's account holder is compared with), or None when they are not a trusted
    member or were approved before the name was asked for."""
    return _from_approved_request(member, VerificationRequest.legal_name)


def _from_approved_request(member: Member, column):
    """``column`` of ``member``'s latest approved request while they hold the badge, else None."""
    if not member.is_verified:
        return None
    return db.session.scalar(
        select(column)
        .where(VerificationRequest.member_id == member.id, VerificationRequest.status == APPROVED)
        .order_by(VerificationRequest.decided_at.desc(), VerificationRequest.id.desc())
        .limit(1)
    )


def pending_requests() -> list[VerificationRequest]:
    """Every pending request with its member, oldest first (first come, first served)."""
    return list(
        db.session.scalars(
            select(VerificationRequest)
            .where(VerificationRequest.status == PENDING)
            .options(joinedload(VerificationRequest.member).joinedload(Member.storefront))
            .order_by(VerificationRequest.created_at, VerificationRequest.id)
        )
    )


def recent_decisions(limit: int = 20) -> list[VerificationRequest]:
    """The latest decided requests with member and deciding admin, newest first (the audit trail)."""
    return list(
        db.session.scalars(
            select(VerificationRequest)
            .where(VerificationRequest.status != PENDING)
            .options(joinedload(VerificationRequest.member), joinedload(VerificationRequest.decided_by))
            .order_by(VerificationRequest.decided_at.desc(), VerificationRequest.id.desc())
            .limit(limit)
        )
    )


def decide_verification(request_id: int, admin: Member, approve: bool, reason: str) -> VerificationRequest:
    """Approve or reject a pending request and record who decided, when and why. Approval makes the
    member trusted (verified_at). Returns the request.

    Raises DomainError: 404 for an unknown request, 409 when it was decided already (e.g. by another
    admin a moment ago), 403 when an admin tries to decide their own request; ValueError when rejecting
    without a reason. Does not commit.
    """
    request = db.session.scalar(
        select(VerificationRequest).where(VerificationRequest.id == request_id).with_for_update()
    )
    if request is None:
        raise DomainError(_l("We could not find that request."), status=404)
    if request.status != PENDING:
        raise DomainError(_l("This request has already been decided."))
    if request.member_id == admin.id:
        raise DomainError(_l("Another admin must decide on your own request."), status=403)
    if not approve and not reason:
        raise ValueError("a rejection needs a reason")
    now = utcnow()
    request.status = APPROVED if approve else REJECTED
    request.decided_by = admin
    request.decided_at = now
    request.decision_reason = reason or None
    if approve and request.member.verified_at is None:
        request.member.verified_at = now
        db.session.flush()
        announce_verification_changed(request.member_id, True)
    db.session.flush()
    return request


def revoke_badge(member: Member) -> None:
    """Take the trusted-member badge away and tell the domains that copy it (postings'
    ``owner_verified``) through ``member_verification_changed``. The caller checks and audits."""
    member.verified_at = None
    db.session.flush()
    announce_verification_changed(member.id, False)


def record_station_review(member: Member, decision: str, now: datetime) -> None:
    """Record an admin's decision (approved / refused) on an information station."""
    member.station_review = decision
    member.station_reviewed_at = now
