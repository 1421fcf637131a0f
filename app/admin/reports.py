"""Members' reports of postings, storefronts and members; the admins' queue and decisions.

Deciding a report writes an audit row and tells the reporter the outcome through the notification
outbox (SMS and e-mail, in the reporter's language), in the same transaction. Nothing commits here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.admin import services, signals
from app.admin.models import AuditAction, Report, ReportReason, ReportStatus, ReportTarget
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member

MAX_DETAILS_LENGTH = 2000
REASONS = [reason.value for reason in ReportReason]
# What an admin may do while deciding a report; "uphold" closes it as right without a further action.
DECISIONS = ("dismiss", "uphold", "hide_posting", "suspend")


def reason_label(value: str) -> str:
    labels = {
        ReportReason.FRAUD.value: _l("Fraud or scam"),
        ReportReason.FAKE_PRODUCE.value: _l("Fake or not as described produce"),
        ReportReason.WRONG_PRICE.value: _l("Wrong or misleading price"),
        ReportReason.ABUSIVE.value: _l("Abusive behaviour"),
        ReportReason.OTHER.value: _l("Something else"),
    }
    return str(labels.get(value, value))


def status_label(value: str) -> str:
    labels = {
        ReportStatus.OPEN.value: _l("Open"),
        ReportStatus.ACTIONED.value: _l("Action taken"),
        ReportStatus.DISMISSED.value: _l("Dismissed"),
    }
    return str(labels.get(value, value))


def file_report(reporter: Member, target_kind: str, target, reason: str, details: str) -> Report:
    """Record a report about ``target`` (a Posting, Storefront or Member, per ``target_kind``).
    Returns it, flushed.

    Raises services.ActionInvalid for an unknown reason or too long details (or none with "other");
    DomainError 409 when reporting oneself or when the reporter already has an open report on it."""
    if reason not in REASONS:
        raise services.ActionInvalid("reason", _l("Choose a reason."))
    details = (details or "").strip()
    if len(details) > MAX_DETAILS_LENGTH:
        raise services.ActionInvalid("details", _l("At most %(n)s characters.", n=MAX_DETAILS_LENGTH))
    if reason == ReportReason.OTHER.value and not details:
        raise services.ActionInvalid("details", _l("Tell us what is wrong."))
    report = Report(reporter_id=reporter.id, target_kind=target_kind, reason=reason, details=details)
    if target_kind == ReportTarget.POSTING.value:
        report.posting_id, report.member_id = target.id, target.owner_id
    elif target_kind == ReportTarget.STOREFRONT.value:
        report.storefront_id, report.member_id = target.id, target.member_id
    elif target_kind == ReportTarget.MEMBER.value:
        report.member_id = target.id
    else:
        raise DomainError(_l("That cannot be reported."), status=400)
    if report.member_id == reporter.id:
        raise DomainError(_l("You cannot report yourself."))
    duplicate = select(Report.id).where(
        Report.reporter_id == reporter.id,
        Report.status == ReportStatus.OPEN.value,
        Report.target_kind == target_kind,
        Report.member_id == report.member_id,
        Report.posting_id.is_(None) if report.posting_id is None else Report.posting_id == report.posting_id,
    )
    if db.session.scalar(duplicate) is not None:
        raise DomainError(_l("You have already reported this. An admin is looking at it."))
    db.session.add(report)
    db.session.flush()
    return report


def queue(status: str | None):
    """Reports, open ones oldest first (first come, first served); decided ones newest first."""
    query = select(Report).options(
        joinedload(Report.reporter),
        joinedload(Report.member),
        joinedload(Report.posting),
        joinedload(Report.storefront),
    )
    if status == ReportStatus.OPEN.value or status is None:
        return query.where(Report.status == ReportStatus.OPEN.value).order_by(Report.created_at, Report.id)
    if status in (ReportStatus.ACTIONED.value, ReportStatus.DISMISSED.value):
        query = query.where(Report.status == status)
    return query.order_by(Report.resolved_at.desc(), Report.id.desc())


def open_count() -> int:
    return db.session.scalar(select(func.count(Report.id)).where(Report.status == ReportStatus.OPEN.value)) or 0


def related_reports(report: Report) -> list[Report]:
    """Other reports about the same member, newest first (patterns matter more than one report)."""
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.member_id == report.member_id, Report.id != report.id)
            .options(joinedload(Report.reporter))
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(20)
        )
    )


def decide(report_id: int, admin: Member, decision: str, note: str, days: int | None = None) -> Report:
    """Close an open report: dismiss it, uphold it, or uphold it and hide the posting / suspend the
    member (``days`` None with "suspend" is permanent). ``note`` is the reason in the audit log and
    what the reporter is told. Returns the report.

    Raises DomainError 404, 409 when already decided or the action does not fit the report (no
    posting to hide); services.ActionInvalid for a missing note, an unknown decision or bad days."""
    if decision not in DECISIONS:
        raise services.ActionInvalid("decision", _l("Choose what to do."))
    note = services.clean_reason(note)
    report = db.session.scalar(select(Report).where(Report.id == report_id).with_for_update())
    if report is None:
        raise DomainError(_l("We could not find that report."), status=404)
    if not report.is_open:
        raise DomainError(_l("This report has already been decided."))
    if decision == "hide_posting":
        if report.posting_id is None:
            raise DomainError(_l("This report is not about a posting."))
        services.hide_posting(report.posting_id, admin, note, report_id=report.id)
    elif decision == "suspend":
        services.suspend_member(report.member_id, admin, note, days, report_id=report.id)
    report.status = ReportStatus.DISMISSED.value if decision == "dismiss" else ReportStatus.ACTIONED.value
    report.resolved_by_id = admin.id
    report.resolved_at = utcnow()
    report.outcome_note = note
    action = AuditAction.DISMISS_REPORT if decision == "dismiss" else AuditAction.RESOLVE_REPORT
    services.record(
        action,
        admin,
        note,
        member_id=report.member_id,
        posting_id=report.posting_id,
        report_id=report.id,
        detail=decision,
    )
    _tell_reporter(report)
    return report


def _tell_reporter(report: Report) -> None:
    """Announce the decision (admin.signals.report_decided); notify tells the reporter."""
    signals.report_decided.send(
        signals.SENDER,
        report_id=report.id,
        reporter_id=report.reporter_id,
        actioned=report.status == ReportStatus.ACTIONED.value,
        note=report.outcome_note,
    )


def reports_by(member_id: int) -> list[Report]:
    """The reports a member filed, newest first, for their own page."""
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.reporter_id == member_id)
            .options(joinedload(Report.posting), joinedload(Report.storefront), joinedload(Report.member))
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(100)
        )
    )
