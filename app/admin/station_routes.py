"""Admin pages for SMS spend: the queue of information stations to approve or refuse, and the SMS
budgets (alerts and this hour's / today's counters, app/sms_spend/budget.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp, stations
from app.admin.forms import ReasonForm
from app.admin.services import ActionInvalid
from app.extensions import db
from app.sms_spend import budget as sms_budget
from app.web.decorators import admin_required


def _queue_page(status: int = 200, form: ReasonForm | None = None, form_for: int | None = None):
    return render_template(
        "admin/stations.html",
        pending=stations.pending_stations(),
        decided=stations.decided_stations(),
        form=form,
        form_for=form_for,
    ), status


@bp.get("/admin/stations")
@admin_required
def station_queue():
    return _queue_page()


@bp.post("/admin/stations/<int:member_id>/approve")
@admin_required
def approve_station(member_id: int):
    return _decide(member_id, "approve")


@bp.post("/admin/stations/<int:member_id>/refuse")
@admin_required
def refuse_station(member_id: int):
    return _decide(member_id, "refuse")


def _decide(member_id: int, decision: str):
    form = ReasonForm(prefix=f"station{member_id}")
    if form.validate_on_submit():
        try:
            member = stations.decide_station(
                member_id, current_user._get_current_object(), decision == "approve", form.reason.data
            )
        except ActionInvalid as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            db.session.commit()
            if decision == "approve":
                flash(_("%(name)s may now post for farmers.", name=member.display_name), "success")
            else:
                flash(_("%(name)s was refused as an information station.", name=member.display_name), "success")
            return redirect(url_for("admin.station_queue"), 303)
    return _queue_page(422, form, member_id)


@bp.get("/admin/sms-budget")
@admin_required
def sms_budget_page():
    periods = (sms_budget.HOUR, sms_budget.DAY)
    names = (sms_budget.SITE, sms_budget.PREFIX, sms_budget.NUMBER, sms_budget.ADDRESS, sms_budget.STATION_BUDGET)
    limits = {(name, period): sms_budget.limit_of(name, period) for name in names for period in periods}
    return render_template(
        "admin/sms_budget.html",
        alerts=sms_budget.recent_alerts(),
        counters=sms_budget.busiest_counters(),
        limits=limits,
        names=names,
        periods=periods,
        labels=sms_budget.BUDGET_LABELS,
        countries=sms_budget.allowed_country_codes(),
    )
