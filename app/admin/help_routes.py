"""The help centre at /help (public) and its editor for admins."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin import help as pages
from app.admin.forms import HelpPageForm
from app.admin.services import ActionInvalid
from app.extensions import db
from app.web.decorators import admin_required


def _locale() -> str:
    return pages.page_locale(str(get_locale() or "en"))


@bp.get("/help")
def help_index():
    return render_template("help/index.html", pages=pages.index(_locale()))


@bp.get("/help/<slug>")
def help_page(slug: str):
    page = pages.get_page(slug, _locale())
    if page is None:
        abort(404)
    return render_template("help/page.html", page=page, html=pages.render(page.body), pages=pages.index(_locale()))


@bp.get("/admin/help")
@admin_required
def help_admin():
    return render_template("admin/help_pages.html", by_locale={locale: pages.index(locale) for locale in pages.LOCALES})


@bp.route("/admin/help/<slug>/<locale>", methods=["GET", "POST"])
@admin_required
def edit_help(slug: str, locale: str):
    page = pages.get_page(slug, locale) if locale in pages.LOCALES else None
    if page is None:
        abort(404)
    form = HelpPageForm(data={"title": page.title, "body": page.body})
    if form.validate_on_submit():
        try:
            pages.save_page(
                slug, locale, form.title.data, form.body.data, current_user._get_current_object(), form.reason.data
            )
        except ActionInvalid as error:
            db.session.rollback()
            getattr(form, error.field, form.body).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("The help page is saved."), "success")
            return redirect(url_for("admin.help_admin"), 303)
    status = 422 if form.is_submitted() else 200
    preview = pages.render(form.body.data or "")
    return render_template("admin/edit_help.html", form=form, page=page, preview=preview), status
