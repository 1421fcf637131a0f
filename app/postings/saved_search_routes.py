"""Saved market searches: save the current /market search, list them at /account/searches, delete one.

Registered on the postings blueprint (imported from app/postings/__init__.py). Plain POST forms with
Post/Redirect/Get; the services refuse bad input with a DomainError (shown as a 4xx page)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.i18n import is_chinese
from app.extensions import db
from app.postings import bp
from app.postings import saved_searches as service
from app.postings.market import market_choices


@bp.get("/account/searches")
@login_required
def saved_searches():
    searches = service.saved_searches_of(current_user.id)
    zh = is_chinese()
    return render_template(
        "postings/saved_searches.html",
        searches=[(search, service.filters_summary(search, zh), service.market_args(search)) for search in searches],
        limit=service.MAX_SAVED_SEARCHES,
    )


@bp.post("/account/searches")
@login_required
def save_search():
    search = service.save_search(
        current_user._get_current_object(), request.form.get("name", ""), request.form, market_choices()
    )
    db.session.commit()
    flash(_("Search “%(name)s” saved. We will tell you of new sell offers that match it.", name=search.name), "success")
    return redirect(url_for("postings.saved_searches"))


@bp.post("/account/searches/<int:search_id>/delete")
@login_required
def delete_saved_search(search_id: int):
    service.delete_search(current_user._get_current_object(), search_id)
    db.session.commit()
    flash(_("Saved search deleted."), "success")
    return redirect(url_for("postings.saved_searches"))
