"""Admin area: dashboard, members (list, page, suspend / restore / revoke), hiding postings, the
reports queue and the audit log with its CSV export. Every view is @admin_required (403 for members,
the login page for visitors); tests/admin/test_access.py walks app.url_map to prove it."""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app.admin import bp, queries, reports, services, stations
from app.admin.forms import DecideReportForm, ReasonForm, SuspendForm
from app.admin.models import AuditAction, Report, ReportStatus
from app.core.clock import utcnow
from app.extensions import db
from app.members import verification
from app.members.models import Member
from app.postings.models import Posting
from app.postings.services import status_label as posting_status_label
from app.sms_spend import budget as sms_budget
from app.web.csv_export import csv_response
from app.web.decorators import admin_required

AUDIT_CSV_HEADER = (
    "id",
    "time (UTC)",
    "action",
    "actor",
    "actor phone",
    "member",
    "member phone",
    "posting",
    "report",
    "detail",
    "reason",
)


def _admin() -> Member:
    return current_user._get_current_object()


def _attach(form, error: services.ActionInvalid) -> None:
    field = getattr(form, error.field, None) or form.reason
    field.errors = [*field.errors, error.message]


@bp.get("/admin")
@admin_required
def dashboard():
    now = utcnow()
    suspended = db.session.scalar(select(func.count(Member.id)).where(Member.is_suspended(now)))
    # Admin pages other domains own (catalogue, disputes, outbox …), so the overview reaches them all.
    other_pages = sorted(
        rule.rule
        for rule in current_app.url_map.iter_rules()
        if rule.rule.startswith("/admin")
        and not rule.arguments
        and "GET" in rule.methods
        and not rule.endpoint.startswith("admin.")
    )
    return render_template(
        "admin/dashboard.html",
        open_reports=reports.open_count(),
        suspended=suspended,
        pending_verifications=len(verification.pending_requests()),
        other_pages=other_pages,
        pending_stations=len(stations.pending_stations()),
        sms_alerts=len(sms_budget.recent_alerts(days=1)),
    )


@bp.get("/admin/members")
@admin_required
def members():
    args = request.args
    filters = {
        "q": args.get("q", "")[: queries.MAX_QUERY_LENGTH],
        "kind": args.get("kind"),
        "verified": args.get("verified"),
        "suspended": args.get("suspended"),
    }
    pagination = db.paginate(
        queries.members_query(**filters), per_page=current_app.config["ORDERS_PER_PAGE"], error_out=False
    )
    return render_template("admin/members.html", pagination=pagination, filters=filters, kinds=queries.KINDS)


def _member_page(member_id: int, status: int = 200, **forms):
    member = db.get_or_404(Member, member_id)
    received, written = queries.member_reviews(member.id)
    about, filed = queries.member_reports(member.id)
    return render_template(
        "admin/member.html",
        member=member,
        postings=queries.member_postings(member.id),
        orders=queries.member_orders(member.id),
        reviews_received=received,
        reviews_written=written,
        reports_about=about,
        reports_filed=filed,
        verifications=verification.history_of(member),
        audit=queries.member_audit(member.id),
        suspend_form=forms.get("suspend_form") or SuspendForm(formdata=None),
        restore_form=forms.get("restore_form") or ReasonForm(formdata=None, prefix="restore"),
        revoke_form=forms.get("revoke_form") or ReasonForm(formdata=None, prefix="revoke"),
        posting_form=forms.get("posting_form") or ReasonForm(formdata=None, prefix="posting"),
        posting_form_for=forms.get("posting_form_for"),
    ), status


@bp.get("/admin/members/<int:member_id>")
@admin_required
def member(member_id: int):
    return _member_page(member_id)


@bp.post("/admin/members/<int:member_id>/suspend")
@admin_required
def suspend(member_id: int):
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            suspended = services.suspend_member(member_id, _admin(), form.reason.data, form.suspension_days)
        except services.ActionInvalid as error:
            db.session.rollback()
            _attach(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is suspended.", name=suspended.display_name), "success")
            return redirect(url_for("admin.member", member_id=member_id), 303)
    return _member_page(member_id, 422, suspend_form=form)


@bp.post("/admin/members/<int:member_id>/restore")
@admin_required
def restore(member_id: int):
    form = ReasonForm(prefix="restore")
    if form.validate_on_submit():
        restored = services.restore_member(member_id, _admin(), form.reason.data)
        db.session.commit()
        flash(_("%(name)s is no longer suspended.", name=restored.display_name), "success")
        return redirect(url_for("admin.member", member_id=member_id), 303)
    return _member_page(member_id, 422, restore_form=form)


@bp.post("/admin/members/<int:member_id>/revoke-verification")
@admin_required
def revoke_verification(member_id: int):
    form = ReasonForm(prefix="revoke")
    if form.validate_on_submit():
        revoked = services.revoke_verification(member_id, _admin(), form.reason.data)
        db.session.commit()
        flash(_("%(name)s is no longer a trusted member.", name=revoked.display_name), "success")
        return redirect(url_for("admin.member", member_id=member_id), 303)
    return _member_page(member_id, 422, revoke_form=form)


def _posting_action(posting_id: int, action, done_message: str):
    posting = db.get_or_404(Posting, posting_id)
    form = ReasonForm(prefix="posting")
    if form.validate_on_submit():
        action(posting.id, _admin(), form.reason.data)
        db.session.commit()
        flash(done_message, "success")
        return redirect(url_for("admin.member", member_id=posting.owner_id, _anchor="postings"), 303)
    return _member_page(posting.owner_id, 422, posting_form=form, posting_form_for=posting.id)


@bp.post("/admin/postings/<int:posting_id>/hide")
@admin_required
def hide_posting(posting_id: int):
    return _posting_action(posting_id, services.hide_posting, _("The posting is hidden."))


@bp.post("/admin/postings/<int:posting_id>/unhide")
@admin_required
def unhide_posting(posting_id: int):
    return _posting_action(posting_id, services.unhide_posting, _("The hold on the posting is lifted."))


@bp.get("/admin/reports")
@admin_required
def report_queue():
    status = request.args.get("status")
    status = status if status in {s.value for s in ReportStatus} else ReportStatus.OPEN.value
    pagination = db.paginate(reports.queue(status), per_page=current_app.config["ORDERS_PER_PAGE"], error_out=False)
    return render_template(
        "admin/reports.html", pagination=pagination, status=status, statuses=[s.value for s in ReportStatus]
    )


def _report_page(report_id: int, status: int = 200, form: DecideReportForm | None = None):
    report = db.get_or_404(Report, report_id)
    return render_template(
        "admin/report.html",
        report=report,
        related=reports.related_reports(report),
        form=form or DecideReportForm(formdata=None),
    ), status


@bp.get("/admin/reports/<int:report_id>")
@admin_required
def report(report_id: int):
    return _report_page(report_id)


@bp.post("/admin/reports/<int:report_id>/decide")
@admin_required
def decide_report(report_id: int):
    db.get_or_404(Report, report_id)
    form = DecideReportForm()
    if form.validate_on_submit():
        try:
            reports.decide(report_id, _admin(), form.decision.data, form.reason.data, form.suspension_days)
        except services.ActionInvalid as error:
            db.session.rollback()
            _attach(form, error)
        else:
            db.session.commit()
            flash(_("Report #%(number)s is decided and the reporter was told.", number=report_id), "success")
            return redirect(url_for("admin.report_queue"), 303)
    return _report_page(report_id, 422, form)


def _audit_filters() -> dict:
    args = request.args

    def _day(name: str) -> date | None:
        try:
            return date.fromisoformat(args.get(name, ""))
        except ValueError:
            return None

    action = args.get("action")
    return {
        "action": action if action in {a.value for a in AuditAction} else None,
        "actor": args.get("actor", "")[: queries.MAX_QUERY_LENGTH],
        "member_id": args.get("member", type=int),
        "since": _day("since"),
        "until": _day("until"),
    }


@bp.get("/admin/audit")
@admin_required
def audit_log():
    filters = _audit_filters()
    pagination = db.paginate(
        queries.audit_query(**filters), per_page=current_app.config["NOTIFY_PER_PAGE"], error_out=False
    )
    return render_template(
        "admin/audit.html", pagination=pagination, filters=filters, actions=[a.value for a in AuditAction]
    )


@bp.get("/admin/audit.csv")
@admin_required
def audit_csv():
    entries = db.session.scalars(queries.audit_query(**_audit_filters()).execution_options(yield_per=500))
    rows = (
        (
            e.id,
            e.created_at,
            e.action,
            e.actor.display_name if e.actor else "system",
            e.actor.phone if e.actor else "",
            e.member.display_name if e.member else "",
            e.member.phone if e.member else "",
            e.posting_id,
            e.report_id,
            e.detail,
            e.reason,
        )
        for e in entries
    )
    return csv_response(f"jishi-audit-{utcnow():%Y%m%d-%H%M}.csv", AUDIT_CSV_HEADER, rows)


@bp.app_template_global("admin_action_label")
def action_label(action: str) -> str:
    labels = {
        AuditAction.HIDE_POSTING.value: _("Hid a posting"),
        AuditAction.UNHIDE_POSTING.value: _("Lifted a posting's hold"),
        AuditAction.SUSPEND.value: _("Suspended"),
        AuditAction.RESTORE.value: _("Restored"),
        AuditAction.SUSPENSION_ENDED.value: _("Suspension ended"),
        AuditAction.REVOKE_VERIFICATION.value: _("Revoked verification"),
        AuditAction.RESOLVE_REPORT.value: _("Upheld a report"),
        AuditAction.DISMISS_REPORT.value: _("Dismissed a report"),
        AuditAction.EDIT_HELP.value: _("Edited a help page"),
        AuditAction.APPROVE_STATION.value: _("Approved an information station"),
        AuditAction.REFUSE_STATION.value: _("Refused an information station"),
    }
    return labels.get(action, action)


@bp.app_template_global("report_reason_label")
def report_reason_label(value: str) -> str:
    return reports.reason_label(value)


@bp.app_template_global("report_status_label")
def report_status_label(value: str) -> str:
    return reports.status_label(value)


@bp.app_template_global("report_target_label")
def report_target_label(report: Report) -> str:
    if report.posting_id is not None:
        return _("Posting “%(title)s”", title=report.posting.title if report.posting else report.posting_id)
    if report.target_kind == "storefront":
        return _("Storefront %(name)s", name=report.storefront.name if report.storefront else "—")
    return _("Member %(name)s", name=report.member.display_name)


@bp.app_template_global("admin_posting_status")
def posting_status(value: str) -> str:
    return posting_status_label(value)
