"""The seller's payee settings page: /account/payee (owner only; the account shown masked)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.members import bp, payees
from app.members.forms import PayeeForm
from app.members.suspension import ensure_can_write


@bp.route("/account/payee", methods=["GET", "POST"])
@login_required
def payee_settings():
    member = current_user._get_current_object()
    payee = payees.payee_of(member.id)
    form = PayeeForm()
    if form.validate_on_submit():
        payees.save_payee(
            member,
            payees.PayeeData(form.holder_name.data, form.bank_name.data, form.account_digits),
        )
        db.session.commit()
        flash(_("Your payee account was saved. Buyers see it on an order once you confirm it."), "success")
        return redirect(url_for("members.payee_settings"), 303)
    if not form.is_submitted():
        ensure_can_write(member)
        if payee is not None:
            # The number itself is not sent back to the page: it is typed again to change it.
            form.holder_name.data = payee.holder_name
            form.bank_name.data = payee.bank_name
    status = 422 if form.is_submitted() else 200
    holder_check = payees.holder_check(member, payee) if payee is not None else None
    return (
        render_template("members/payee.html", form=form, payee=payee, member=member, holder_check=holder_check),
        status,
    )


@bp.post("/account/payee/remove")
@login_required
def remove_payee():
    if payees.remove_payee(current_user._get_current_object()):
        db.session.commit()
        flash(_("Your payee account was removed."), "success")
    return redirect(url_for("members.payee_settings"), 303)
