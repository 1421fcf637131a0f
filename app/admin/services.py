"""Admin actions on members and postings — hide, unhide, suspend, restore, revoke verification —
each with a reason and one audit-log row written in the same transaction.

Hiding uses the posting status "hidden" (so every public list, which shows active postings only,
drops it at once) plus a PostingHold that remembers the status to give back. A posting stays hidden
while any hold is unreleased: an admin's moderation hold and a suspension hold are lifted separately.
Nothing here commits; the caller does, once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.admin.models import AuditAction, AuditLog, HoldCause, PostingHold
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.members.suspension import clear_suspension, set_suspension
from app.members.verification import revoke_badge
from app.postings import moderation
from app.postings.models import Posting, PostingStatus

HIDDEN = PostingStatus.HIDDEN.value
# A suspension hides what buyers could otherwise find or open; drafts and closed ones stay as they are.
HIDEABLE_ON_SUSPENSION = (PostingStatus.ACTIVE.value, PostingStatus.PAUSED.value)
MAX_SUSPENSION_DAYS = 3650
MAX_REASON_LENGTH = 2000


class ActionInvalid(ValueError):
    """A field-level mistake in an admin action (``field`` names the form field)."""

    def __init__(self, field_name: str, message):
        super().__init__(str(message))
        self.field = field_name
        self.message = message


def clean_reason(reason: str | None) -> str:
    """The stripped reason; raises ActionInvalid when it is empty or longer than MAX_REASON_LENGTH."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionInvalid("reason", _l("Give a reason. It is kept in the audit log."))
    if len(reason) > MAX_REASON_LENGTH:
        raise ActionInvalid("reason", _l("At most %(n)s characters.", n=MAX_REASON_LENGTH))
    return reason


def record(
    action: AuditAction,
    actor: Member | None,
    reason: str,
    *,
    member_id: int | None = None,
    posting_id: int | None = None,
    report_id: int | None = None,
    detail: str = "",
) -> AuditLog:
    """Append one audit-log row (``actor`` None for a system job). Returns it, flushed."""
    entry = AuditLog(
        action=action.value,
        actor_id=actor.id if actor else None,
        reason=reason,
        member_id=member_id,
        posting_id=posting_id,
        report_id=report_id,
        detail=detail[:120],
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _lock_member(member_id: int) -> Member:
    member = db.session.scalar(select(Member).where(Member.id == member_id).with_for_update())
    if member is None:
        raise DomainError(_l("We could not find that member."), status=404)
    return member


def _open_holds(posting_id: int) -> list[PostingHold]:
    return list(
        db.session.scalars(
            select(PostingHold)
            .where(PostingHold.posting_id == posting_id, PostingHold.released_at.is_(None))
            .order_by(PostingHold.id)
        )
    )


def _hold(posting: Posting, cause: HoldCause) -> PostingHold:
    """Hide ``posting`` for ``cause``. The status to give back is the one before the first hold."""
    holds = _open_holds(posting.id)
    previous = holds[0].previous_status if holds else posting.status
    hold = PostingHold(posting_id=posting.id, cause=cause.value, previous_status=previous)
    db.session.add(hold)
    moderation.hide(posting)
    return hold


def _release(posting: Posting, cause: HoldCause, now: datetime) -> bool:
    """Lift the holds of ``cause``; give the posting its status back when no other hold remains.
    Returns True when a hold was lifted."""
    holds = _open_holds(posting.id)
    mine = [hold for hold in holds if hold.cause == cause.value]
    for hold in mine:
        hold.released_at = now
    if mine and len(mine) == len(holds):
        moderation.show_again(posting, mine[0].previous_status)
    return bool(mine)


def has_hold(posting: Posting, cause: HoldCause) -> bool:
    return any(hold.cause == cause.value for hold in _open_holds(posting.id))


def hide_posting(posting_id: int, admin: Member, reason: str, report_id: int | None = None) -> Posting:
    """Hide a posting from everyone but its owner and admins. Returns it.

    Raises DomainError 404 for an unknown posting, 409 when an admin already hid it; ActionInvalid
    without a reason."""
    reason = clean_reason(reason)
    posting = db.session.scalar(select(Posting).where(Posting.id == posting_id).with_for_update())
    if posting is None:
        raise DomainError(_l("We could not find that posting."), status=404)
    if has_hold(posting, HoldCause.MODERATION):
        raise DomainError(_l("This posting is already hidden by an admin."))
    _hold(posting, HoldCause.MODERATION)
    record(
        AuditAction.HIDE_POSTING,
        admin,
        reason,
        member_id=posting.owner_id,
        posting_id=posting.id,
        report_id=report_id,
        detail=posting.title,
    )
    return posting


def unhide_posting(posting_id: int, admin: Member, reason: str) -> Posting:
    """Lift an admin's hold; the posting gets its earlier status back unless its owner is still
    suspended. Returns it. Raises DomainError 404 / 409 (not hidden by an admin); ActionInvalid."""
    reason = clean_reason(reason)
    posting = db.session.scalar(select(Posting).where(Posting.id == posting_id).with_for_update())
    if posting is None:
        raise DomainError(_l("We could not find that posting."), status=404)
    if not _release(posting, HoldCause.MODERATION, utcnow()):
        raise DomainError(_l("This posting is not hidden by an admin."))
    record(
        AuditAction.UNHIDE_POSTING,
        admin,
        reason,
        member_id=posting.owner_id,
        posting_id=posting.id,
        detail=posting.title,
    )
    return posting


def suspend_member(
    member_id: int,
    admin: Member,
    reason: str,
    days: int | None,
    report_id: int | None = None,
    now: datetime | None = None,
) -> Member:
    """Suspend for ``days`` days, or permanently when ``days`` is None, and hide the member's active
    and paused postings. A new suspension replaces a running one. Returns the member.

    Raises DomainError 404, 403 for oneself or another admin; ActionInvalid for days outside
    1–MAX_SUSPENSION_DAYS or no reason."""
    reason = clean_reason(reason)
    if days is not None and not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ActionInvalid("days", _l("Between 1 and %(n)s days.", n=MAX_SUSPENSION_DAYS))
    now = now or utcnow()
    member = _lock_member(member_id)
    if member.id == admin.id or member.is_admin:
        raise DomainError(_l("Admins cannot be suspended here; remove the admin role first."), status=403)
    set_suspension(member, None if days is None else now + timedelta(days=days))
    postings = db.session.scalars(
        select(Posting).where(Posting.owner_id == member.id, Posting.status.in_(HIDEABLE_ON_SUSPENSION + (HIDDEN,)))
    )
    # Postings an admin already hid get a suspension hold too, so lifting one hold does not show them.
    for posting in postings:
        if not has_hold(posting, HoldCause.SUSPENSION):
            _hold(posting, HoldCause.SUSPENSION)
    detail = "permanent" if days is None else f"{days} days until {member.suspended_until:%Y-%m-%d %H:%M} UTC"
    record(AuditAction.SUSPEND, admin, reason, member_id=member.id, report_id=report_id, detail=detail)
    return member


def _end_suspension(member: Member, now: datetime) -> int:
    clear_suspension(member)
    released = 0
    for posting in db.session.scalars(select(Posting).where(Posting.owner_id == member.id, Posting.status == HIDDEN)):
        released += _release(posting, HoldCause.SUSPENSION, now)
    return released


def restore_member(member_id: int, admin: Member, reason: str) -> Member:
    """End a suspension now and show the postings it hid again (those an admin hid stay hidden).
    Returns the member. Raises DomainError 404, 409 when not suspended; ActionInvalid."""
    reason = clean_reason(reason)
    member = _lock_member(member_id)
    if not member.is_suspended():
        raise DomainError(_l("This member is not suspended."))
    _end_suspension(member, utcnow())
    record(AuditAction.RESTORE, admin, reason, member_id=member.id)
    return member


def end_lapsed_suspensions(now: datetime | None = None) -> int:
    """Clear timed suspensions that ran out and show their postings again, recording each in the
    audit log with no actor. Returns how many members. For `flask admin end-suspensions` (cron)."""
    now = now or utcnow()
    lapsed = list(
        db.session.scalars(
            select(Member).where(Member.suspended_until.is_not(None), ~Member.is_suspended(now)).with_for_update()
        )
    )
    for member in lapsed:
        _end_suspension(member, now)
        record(AuditAction.SUSPENSION_ENDED, None, "The suspension period ended.", member_id=member.id)
    return len(lapsed)


def revoke_verification(member_id: int, admin: Member, reason: str) -> Member:
    """Take the trusted-member badge away. Returns the member. Raises DomainError 404, 409 when the
    member is not verified; ActionInvalid without a reason."""
    reason = clean_reason(reason)
    member = _lock_member(member_id)
    if not member.is_verified:
        raise DomainError(_l("This member is not a trusted member."))
    revoke_badge(member)
    record(AuditAction.REVOKE_VERIFICATION, admin, reason, member_id=member.id)
    return member
