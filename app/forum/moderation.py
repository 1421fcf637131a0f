"""Forum moderation: hide/restore posts, lock, pin and move threads, suspend members from the forum,
dismiss reports. Every action writes one ForumModerationLog row in the same transaction.

Each function raises DomainError 403 unless ``moderator`` is a moderator (admins), so a route that
forgot its decorator still cannot moderate. Nothing commits here.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import update

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.forum.models import (
    ForumCategory,
    ForumModerationLog,
    ForumPost,
    ForumReport,
    ForumSuspension,
    ForumThread,
    ModerationAction,
    ReportStatus,
)
from app.forum.services import REASON_MAX, active_suspension, is_moderator, without_control_characters
from app.members.models import Member

MAX_SUSPENSION_DAYS = 365


def ensure_moderator(member) -> None:
    """Raise DomainError 403 unless ``member`` moderates the forum."""
    if not is_moderator(member):
        raise DomainError(_("Only moderators can do that."), status=403)


def _log(
    moderator: Member, action: ModerationAction, *, thread_id=None, post_id=None, member_id=None, detail=""
) -> None:
    db.session.add(
        ForumModerationLog(
            moderator_id=moderator.id,
            action=action.value,
            thread_id=thread_id,
            post_id=post_id,
            member_id=member_id,
            detail=(detail or "")[:REASON_MAX],
        )
    )


def _resolve_reports(post: ForumPost, moderator: Member) -> None:
    db.session.execute(
        update(ForumReport)
        .where(ForumReport.post_id == post.id, ForumReport.status == ReportStatus.OPEN.value)
        .values(status=ReportStatus.RESOLVED.value, resolved_by_id=moderator.id, resolved_at=utcnow())
    )


def set_hidden(post: ForumPost, moderator: Member, hidden: bool, reason: str = "") -> ForumPost:
    """Hide (with ``reason``) or restore a post; hiding an opening post hides its whole thread.
    Hiding resolves the post's open reports. Returns the post."""
    ensure_moderator(moderator)
    reason = " ".join(without_control_characters(reason).split())[:300]
    if hidden and not reason:
        raise DomainError(_("Please say why the post is hidden."), status=422)
    post.is_hidden = hidden
    post.hidden_reason = reason if hidden else None
    if post.is_opening:
        post.thread.is_hidden = hidden
    if hidden:
        _resolve_reports(post, moderator)
    _log(
        moderator,
        ModerationAction.HIDE if hidden else ModerationAction.RESTORE,
        thread_id=post.thread_id,
        post_id=post.id,
        member_id=post.author_id,
        detail=reason,
    )
    return post


def set_locked(thread: ForumThread, moderator: Member, locked: bool) -> ForumThread:
    ensure_moderator(moderator)
    thread.is_locked = locked
    _log(moderator, ModerationAction.LOCK if locked else ModerationAction.UNLOCK, thread_id=thread.id)
    return thread


def set_pinned(thread: ForumThread, moderator: Member, pinned: bool) -> ForumThread:
    ensure_moderator(moderator)
    thread.is_pinned = pinned
    _log(moderator, ModerationAction.PIN if pinned else ModerationAction.UNPIN, thread_id=thread.id)
    return thread


def move_thread(thread: ForumThread, moderator: Member, category: ForumCategory) -> ForumThread:
    """Move ``thread`` to ``category``. Raises DomainError 409 when it is already there."""
    ensure_moderator(moderator)
    if thread.category_id == category.id:
        raise DomainError(_("The thread is already in this category."))
    before = thread.category.slug
    thread.category = category
    _log(moderator, ModerationAction.MOVE, thread_id=thread.id, detail=f"{before} → {category.slug}")
    return thread


def suspend(member: Member, moderator: Member, days: int, reason: str) -> ForumSuspension:
    """Bar ``member`` from posting in the forum for ``days`` (1–365) days. Returns the suspension.
    Raises DomainError 422 for a bad number of days or an empty reason, 409 for a moderator."""
    ensure_moderator(moderator)
    reason = " ".join(without_control_characters(reason).split())[:300]
    if not isinstance(days, int) or not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise DomainError(_("Suspend for 1 to %(max)d days.", max=MAX_SUSPENSION_DAYS), status=422)
    if not reason:
        raise DomainError(_("Please give a reason for the suspension."), status=422)
    if is_moderator(member):
        raise DomainError(_("Moderators cannot be suspended from the forum."))
    suspension = ForumSuspension(
        member_id=member.id, moderator_id=moderator.id, reason=reason, ends_at=utcnow() + timedelta(days=days)
    )
    db.session.add(suspension)
    _log(
        moderator,
        ModerationAction.SUSPEND,
        member_id=member.id,
        detail=_("%(days)d days: %(reason)s", days=days, reason=reason),
    )
    return suspension


def lift_suspension(member: Member, moderator: Member) -> None:
    """End every running forum suspension of ``member`` now. Raises DomainError 409 when none runs."""
    ensure_moderator(moderator)
    if active_suspension(member) is None:
        raise DomainError(_("This member is not suspended from the forum."))
    now = utcnow()
    db.session.execute(
        update(ForumSuspension)
        .where(ForumSuspension.member_id == member.id, ForumSuspension.ends_at > now)
        .values(ends_at=now)
        # SQLite returns naive datetimes, which Python cannot compare with ``now`` in the session.
        .execution_options(synchronize_session=False)
    )
    _log(moderator, ModerationAction.UNSUSPEND, member_id=member.id)


def dismiss_report(report: ForumReport, moderator: Member) -> ForumReport:
    """Close a report without hiding the post. Raises DomainError 409 when it is already closed."""
    ensure_moderator(moderator)
    if report.status != ReportStatus.OPEN.value:
        raise DomainError(_("This report is already closed."))
    report.status = ReportStatus.RESOLVED.value
    report.resolved_by_id = moderator.id
    report.resolved_at = utcnow()
    _log(
        moderator,
        ModerationAction.DISMISS_REPORT,
        thread_id=report.post.thread_id,
        post_id=report.post_id,
        member_id=report.post.author_id,
        detail=report.reason,
    )
    return report
