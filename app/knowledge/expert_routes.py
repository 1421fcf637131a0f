"""The admins' page for experts: appoint a member (by mobile number) with the commodities they
answer for, change them, end the role. Admins only (403 for members, login for visitors)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.core.errors import DomainError
from app.core.formatting import localized
from app.extensions import db
from app.knowledge import bp, queries, services
from app.knowledge.forms import ExpertForm, RevokeForm
from app.knowledge.services import KnowledgeInvalid
from app.members.services import member_by_phone
from app.web.decorators import admin_required


def _form(form: ExpertForm) -> ExpertForm:
    form.commodities.choices = [SelectChoice(c.id, localized(c)) for c in queries.all_commodities()]
    return form


def _page(form: ExpertForm, status: int = 200):
    return render_template(
        "knowledge/experts.html", experts=services.all_experts(), form=form, revoke_form=RevokeForm()
    ), status


@bp.get("/admin/experts")
@admin_required
def experts():
    return _page(_form(ExpertForm(formdata=None)))


@bp.post("/admin/experts")
@admin_required
def grant_expert():
    form = _form(ExpertForm())
    if form.validate_on_submit():
        member = member_by_phone(form.phone.data)
        if member is None:
            form.phone.errors = [*form.phone.errors, _("No member has this mobile number.")]
        else:
            try:
                services.grant_expert(
                    member, current_user._get_current_object(), form.commodities.data, form.title.data
                )
            except KnowledgeInvalid as error:
                db.session.rollback()
                field = getattr(form, error.field, form.phone)
                field.errors = [*field.errors, error.message]
            else:
                db.session.commit()
                flash(_("%(name)s is an expert now.", name=member.display_name), "success")
                return redirect(url_for("knowledge.experts"), 303)
    return _page(form, 422)


@bp.post("/admin/experts/<int:member_id>/revoke")
@admin_required
def revoke_expert(member_id: int):
    if not RevokeForm().validate_on_submit():
        raise DomainError(_("Your form expired. Please try again."), status=400)
    services.revoke_expert(member_id, current_user._get_current_object())
    db.session.commit()
    flash(_("The expert role was ended. Their articles and answers stay."), "success")
    return redirect(url_for("knowledge.experts"), 303)
