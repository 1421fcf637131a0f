"""The owner's storefront form (the public page at /s/<slug> is app/postings/storefront_routes.py:
it lists the owner's postings, which members cannot import)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.media import pending_uploads
from app.media.images import ImageRejected, delete_image, save_image
from app.members import bp
from app.members.forms import StorefrontForm
from app.members.services import ensure_can_write
from app.members.storefronts import (
    SlugTaken,
    StorefrontData,
    save_storefront,
    suggest_slug,
)
from app.web.kept_uploads import keep_what_arrived, kept_photo
from app.web.request_limits import body_limit


@bp.route("/account/storefront", methods=["GET", "POST"])
@body_limit("upload")
@login_required
def edit_storefront():
    member = current_user._get_current_object()
    ensure_can_write(member)
    shop = member.storefront
    locale = str(get_locale() or "en")
    if request.method == "GET":
        initial = (
            {
                "name": shop.name,
                "slug": shop.slug,
                "province_code": shop.province_code or "",
                "locality": shop.locality,
                "about": shop.about,
            }
            if shop
            else {"name": member.display_name[:100], "slug": suggest_slug(member)}
        )
        form = StorefrontForm(data=initial, locale=locale)
    else:
        form = StorefrontForm(locale=locale)
    # A logo that arrived with an earlier attempt that failed (issue 25): not sent again.
    kept = kept_photo(member.id)
    if form.validate_on_submit():
        new_logo, claimed = None, []
        try:
            if form.logo.data:
                new_logo = save_image(form.logo.data).filename
            elif kept:
                claimed = pending_uploads.claim(kept)
                new_logo = claimed[0].filename
        except ImageRejected as error:
            form.logo.errors.append(str(error.message))
        else:
            data = StorefrontData(
                name=form.name.data,
                slug=form.slug.data,
                about=form.about.data or "",
                province_code=form.province_code.data or None,
                locality=form.locality.data or "",
            )
            try:
                unused_logo = save_storefront(member, data, new_logo, form.remove_logo.data)
            except SlugTaken:
                db.session.rollback()  # a claimed logo's row comes back; its public copy goes
                delete_image(new_logo)
                form.slug.errors.append(_("This web address is already taken. Please choose another one."))
            else:
                db.session.commit()
                delete_image(unused_logo)
                pending_uploads.forget_files(image.filename for image in claimed)
                flash(_("Your storefront was saved."), "success")
                return redirect(url_for("postings.storefront", slug=data.slug))
    if request.method == "POST":
        kept = keep_what_arrived(member.id, form.logo, kept)
    status = 422 if request.method == "POST" else 200
    return (
        render_template("members/edit_storefront.html", form=form, storefront=member.storefront, kept=kept),
        status,
    )
