"""Following a store: the follow / unfollow button of a storefront (the "Stores I follow" page, which
shows notify's site notices, is app/notify/follow_routes.py).

The button is a plain POST form (Post/Redirect/Get without JavaScript); htmx posts the same form and
swaps in the button fragment (members/_partials/_follow_button.html), which the pages include."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.members import bp, follows
from app.members.storefronts import storefront_by_slug
from app.web.htmx import wants_fragment
from app.web.redirects import safe_next


def _answer(storefront, following: bool, message: str):
    """The button fragment for htmx; otherwise a flash and a 303 back where the form was."""
    if wants_fragment():
        response = make_response(
            render_template(
                "members/_partials/_follow_button.html",
                storefront=storefront,
                following=following,
                followers=follows.follower_count(storefront.member_id),
                next_url=request.form.get("next") or "",
            )
        )
        response.vary.add("HX-Request")
        return response
    flash(message, "success")
    return redirect(safe_next(request.form.get("next"), "notify.following"), 303)


@bp.post("/s/<slug>/follow")
@login_required
def follow_store(slug: str):
    storefront = storefront_by_slug(slug)
    if storefront is None:
        abort(404)
    follows.follow(current_user._get_current_object(), storefront)
    db.session.commit()
    return _answer(storefront, True, _("You follow %(store)s now.", store=storefront.name))


@bp.post("/s/<slug>/unfollow")
@login_required
def unfollow_store(slug: str):
    storefront = storefront_by_slug(slug)
    if storefront is None:
        abort(404)
    follows.unfollow(current_user._get_current_object(), storefront.member_id)
    db.session.commit()
    return _answer(storefront, False, _("You no longer follow %(store)s.", store=storefront.name))
