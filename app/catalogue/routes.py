"""Catalogue admin pages: list and add commodities, rename them, add and remove aliases."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from app.catalogue import bp
from app.catalogue.forms import AliasForm, CommodityNamesForm, NewCommodityForm, split_aliases
from app.catalogue.services import (
    CatalogueError,
    add_alias,
    all_units,
    categories_for_admin,
    create_commodity,
    get_commodity,
    remove_alias,
    rename_commodity,
)
from app.extensions import db
from app.web.decorators import admin_required


def _refuse(form, error: CatalogueError) -> None:
    """Put a service's refusal beside the field it is about."""
    db.session.rollback()
    field = getattr(form, error.field, None) or next(iter(form))
    field.errors = [*field.errors, error.message]


@bp.route("/admin/commodities", methods=["GET", "POST"])
@admin_required
def admin_commodities():
    categories = categories_for_admin()
    form = NewCommodityForm()
    form.category_id.choices = [SelectChoice(c.id, f"{c.name_en} · {c.name_zh}") for c in categories]
    form.default_unit_code.choices = [SelectChoice(u.code, f"{u.name_en} · {u.name_zh}") for u in all_units()]
    if form.validate_on_submit():
        try:
            commodity = create_commodity(
                slug=form.slug.data,
                name_en=form.name_en.data,
                name_zh=form.name_zh.data,
                category_id=form.category_id.data,
                default_unit_code=form.default_unit_code.data,
                aliases_en=split_aliases(form.aliases_en.data),
                aliases_zh=split_aliases(form.aliases_zh.data),
            )
        except CatalogueError as error:
            _refuse(form, error)
            categories = categories_for_admin()
        else:
            db.session.commit()
            flash(_("Added %(en)s / %(zh)s.", en=commodity.name_en, zh=commodity.name_zh), "success")
            return redirect(url_for("catalogue.admin_commodities"))
    status = 422 if form.is_submitted() else 200
    return render_template("catalogue/admin_commodities.html", categories=categories, form=form), status


def _edit_page(commodity, names_form=None, alias_form=None, status: int = 200):
    names_form = names_form or CommodityNamesForm(formdata=None, obj=commodity)
    alias_form = alias_form or AliasForm(formdata=None, language="zh")
    return (
        render_template(
            "catalogue/edit_commodity.html", commodity=commodity, names_form=names_form, alias_form=alias_form
        ),
        status,
    )


def _commodity_or_404(commodity_id: int):
    commodity = get_commodity(commodity_id)
    if commodity is None:
        abort(404)
    return commodity


@bp.route("/admin/commodities/<int:commodity_id>", methods=["GET", "POST"])
@admin_required
def edit_commodity(commodity_id: int):
    commodity = _commodity_or_404(commodity_id)
    form = CommodityNamesForm()
    if not form.is_submitted():
        return _edit_page(commodity)
    if form.validate():
        try:
            changed = rename_commodity(commodity, name_en=form.name_en.data, name_zh=form.name_zh.data)
        except CatalogueError as error:
            _refuse(form, error)
            commodity = _commodity_or_404(commodity_id)
        else:
            db.session.commit()
            if changed:
                flash(_("Names saved."), "success")
            return redirect(url_for("catalogue.edit_commodity", commodity_id=commodity.id))
    return _edit_page(commodity, names_form=form, status=422)


@bp.post("/admin/commodities/<int:commodity_id>/aliases")
@admin_required
def add_commodity_alias(commodity_id: int):
    commodity = _commodity_or_404(commodity_id)
    form = AliasForm()
    if form.validate():
        try:
            alias = add_alias(commodity, form.text.data, form.language.data)
        except CatalogueError as error:
            _refuse(form, error)
            commodity = _commodity_or_404(commodity_id)
        else:
            db.session.commit()
            flash(_("Alias “%(alias)s” added.", alias=alias.text), "success")
            return redirect(url_for("catalogue.edit_commodity", commodity_id=commodity.id))
    return _edit_page(commodity, alias_form=form, status=422)


@bp.post("/admin/commodities/<int:commodity_id>/aliases/<int:alias_id>/remove")
@admin_required
def remove_commodity_alias(commodity_id: int, alias_id: int):
    commodity = _commodity_or_404(commodity_id)
    alias = remove_alias(commodity, alias_id)
    if alias is None:
        abort(404)
    db.session.commit()
    flash(_("Alias “%(alias)s” removed.", alias=alias.text), "success")
    return redirect(url_for("catalogue.edit_commodity", commodity_id=commodity.id))
