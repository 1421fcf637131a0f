"""Members report a posting, a storefront or a member; they see their reports and the outcomes at
/account/reports. Filing is rate-limited so the queue cannot be flooded from one account or address."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.admin import bp, reports
from app.admin.forms import ReportForm
from app.admin.models import ReportTarget
from app.admin.services import ActionInvalid
from app.extensions import db, limiter
from app.members.models import Member
from app.members.storefronts import storefront_by_slug
from app.postings.models import Posting
from app.postings.services import can_view

REPORT_RATE_LIMIT = "10 per hour"


def _report_key() -> str:
    # Per member, not per session: logging in again must not reset the count.
    return f"report:{current_user.id}" if current_user.is_authenticated else "report:anonymous"


def _report(target_kind: str, target, heading: str, back_url: str):
    form = ReportForm()
    if form.validate_on_submit():
        try:
            reports.file_report(
                current_user._get_current_object(), target_kind, target, form.reason.data, form.details.data or ""
            )
        except ActionInvalid as error:
            db.session.rollback()
            getattr(form, error.field, form.details).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Thank you. An admin will look at your report and tell you the outcome."), "success")
            return redirect(back_url, 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/report_form.html", form=form, heading=heading, back_url=back_url), status


@bp.route("/p/<int:posting_id>/report", methods=["GET", "POST"])
@login_required
@limiter.limit(REPORT_RATE_LIMIT, key_func=_report_key, methods=["POST"])
def report_posting(posting_id: int):
    posting = db.session.get(Posting, posting_id)
    if posting is None or not can_view(posting, current_user):
        abort(404)
    return _report(
        ReportTarget.POSTING.value,
        posting,
        _("Report “%(title)s”", title=posting.title),
        url_for("postings.show_posting", posting_id=posting.id),
    )


@bp.route("/s/<slug>/report", methods=["GET", "POST"])
@login_required
@limiter.limit(REPORT_RATE_LIMIT, key_func=_report_key, methods=["POST"])
def report_storefront(slug: str):
    shop = storefront_by_slug(slug)
    if shop is None:
        abort(404)
    return _report(
        ReportTarget.STOREFRONT.value,
        shop,
        _("Report the storefront %(name)s", name=shop.name),
        url_for("postings.storefront", slug=shop.slug),
    )


@bp.route("/members/<int:member_id>/report", methods=["GET", "POST"])
@login_required
@limiter.limit(REPORT_RATE_LIMIT, key_func=_report_key, methods=["POST"])
def report_member(member_id: int):
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    return _report(
        ReportTarget.MEMBER.value, member, _("Report %(name)s", name=member.display_name), url_for("admin.my_reports")
    )


@bp.get("/account/reports")
@login_required
def my_reports():
    return render_template("admin/my_reports.html", reports=reports.reports_by(current_user.id))
