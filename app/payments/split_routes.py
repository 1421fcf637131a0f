"""Split settlement pages: a seller records the account a payment service splits their share into
(their own account only: the form never takes a member id), and admins see every settlement, ask
again for a failed one, and compare a day's split statement from the provider with Jishi's."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.core.formatting import money
from app.extensions import db
from app.payments import bp, settlement
from app.payments.forms import RECEIVER_TYPES, ReceiverAccountForm
from app.payments.models import SplitSettlement, SplitState
from app.payments.providers.base import ProviderError, from_minor_units, registered
from app.trade.route_helpers import member
from app.web.decorators import admin_required

SPLIT_STATE_LABELS = {
    SplitState.PENDING.value: _l("waiting to be requested"),
    SplitState.PROCESSING.value: _l("requested, the payment service is splitting"),
    SplitState.SPLIT.value: _l("paid to the seller"),
    SplitState.FINISHED.value: _l("paid to the seller, settled"),
    SplitState.FAILED.value: _l("refused by the payment service"),
}
DIFFERENCE_LABELS = {
    "missing_at_provider": _l("Paid out in Jishi, not on the payment service's statement"),
    "missing_in_jishi": _l("On the payment service's statement, not paid out in Jishi"),
    "amount": _l("Amounts differ"),
    "state": _l("States differ"),
}


@bp.app_template_filter("split_state")
def split_state_label(value: str | None) -> str:
    return str(SPLIT_STATE_LABELS.get(value or "", value or ""))


@bp.app_template_filter("fen")
def fen_as_money(value: int | None) -> str:
    """An amount in fen shown as money (¥12.34), exactly."""
    return money(from_minor_units(value)) if value is not None else ""


@bp.app_template_filter("split_difference")
def split_difference_label(value: str | None) -> str:
    return str(DIFFERENCE_LABELS.get(value or "", value or ""))


def splitting_providers() -> list[str]:
    """Enabled providers that split settlements and whose receiver kinds the form knows."""
    return [name for name in settlement.splitting_names() if name in RECEIVER_TYPES]


@bp.app_template_global("payout_account_offered")
def payout_account_offered() -> bool:
    """Whether the account page links to the payout account form (a provider splits settlements)."""
    return bool(splitting_providers())


@bp.route("/account/payout", methods=["GET", "POST"])
@login_required
def receiver_account():
    """The signed-in seller's receiver accounts, one per payment service that splits."""
    names = splitting_providers()
    if not names:
        abort(404)
    me = member()
    chosen = request.values.get("provider") if request.values.get("provider") in names else names[0]
    current = settlement.receiver_account(me.id, chosen)
    form = ReceiverAccountForm(
        data={"provider": chosen}
        | ({"account_type": current.account_type, "account": current.account, "name": current.name} if current else {})
    )
    providers = registered()
    form.provider.choices = [SelectChoice(name, providers[name].label) for name in names]
    form.account_type.choices = [SelectChoice(value, label) for value, label in RECEIVER_TYPES[chosen]]
    if form.validate_on_submit():
        if form.account_type.data not in dict(RECEIVER_TYPES[chosen]):
            form.account_type.errors = [*form.account_type.errors, _("Choose one of the kinds of account.")]
        elif form.account_type.data == "MERCHANT_ID" and not form.name.data:
            form.name.errors = [*form.name.errors, _("Enter the merchant's full name as registered with WeChat Pay.")]
        else:
            settlement.save_receiver_account(me.id, chosen, form.account_type.data, form.account.data, form.name.data)
            db.session.commit()
            flash(_("Your payout account was saved."))
            return redirect(url_for("payments.receiver_account", provider=chosen), 303)
    status = 422 if request.method == "POST" else 200
    accounts = {name: settlement.receiver_account(me.id, name) for name in names}
    return render_template("payments/receiver_account.html", form=form, chosen=chosen, accounts=accounts), status


@bp.get("/admin/payments/splits")
@admin_required
def admin_splits():
    """Every split settlement, newest first, optionally of one state; with ``day`` (and
    ``provider``) the provider's statement for that day against Jishi's records."""
    state = request.args.get("state", "")
    query = select(SplitSettlement).order_by(SplitSettlement.id.desc())
    if state in SPLIT_STATE_LABELS:
        query = query.where(SplitSettlement.state == state)
    pagination = db.paginate(query, per_page=current_app.config["ORDERS_PER_PAGE"], error_out=False)
    names = settlement.splitting_names()
    day_text = request.args.get("day", "")
    provider_name = request.args.get("provider") or (names[0] if names else "")
    differences, error, day = None, "", None
    if day_text:
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            error = _("Choose a day like 2026-03-31.")
        else:
            if provider_name not in names:
                abort(404)
            try:
                differences = settlement.reconcile_day(provider_name, day)
            except ProviderError as problem:
                error = _("The payment service could not be asked: %(error)s", error=str(problem))
    return render_template(
        "payments/splits.html",
        pagination=pagination,
        state=state,
        states=SPLIT_STATE_LABELS,
        names=names,
        provider_name=provider_name,
        day=day,
        day_text=day_text,
        differences=differences,
        error=error,
    ), (400 if error and day is None and day_text else 200)


@bp.post("/admin/payments/splits/<int:settlement_id>/retry")
@admin_required
def retry_split(settlement_id: int):
    """Ask again for a settlement the provider refused (the seller fixed their account)."""
    row = db.session.get(SplitSettlement, settlement_id)
    if row is None:
        abort(404)
    if row.state != SplitState.FAILED.value:
        flash(_("Only a refused split can be asked again."), "error")
        return redirect(url_for("payments.admin_splits"), 303)
    settlement.retry_failed(row)
    db.session.commit()
    flash(_("The split will be requested again by the next settlement run."))
    return redirect(url_for("payments.admin_splits"), 303)
