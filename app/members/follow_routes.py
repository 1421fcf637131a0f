"""Following a store: the follow / unfollow button of a storefront and the "stores I follow" page.

The button is a plain POST form (Post/Redirect/Get without JavaScript); htmx posts the same form and
swaps in the button fragment (members/_partials/_follow_button.html), which the pages include."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.members import bp, follows
from app.members.storefronts import storefront_by_slug
from app.notify import site_notices
from app.web.htmx import wants_fragment
from app.web.redirects import safe_next

NOTICES_SHOWN = 50


def _answer(storefront, following: bool, message: str):
    """The button fragment for htmx; otherwise a flash and a 303 back where the form was."""
    if wants_fragment():
        response = render_follow_button(storefront, following, request.form.get("next") or "")
        response.vary.add("HX-Request")
        return response
    flash(message, "success")
    return redirect(safe_next(request.form.get("next"), "members.following"), 303)


def render_follow_button(storefront, following: bool, next_url: str = ""):
    return make_response(
        render_template(
            "members/_partials/_follow_button.html",
            storefront=storefront,
            following=following,
            followers=follows.follower_count(storefront.member_id),
            next_url=next_url,
        )
    )


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


@bp.get("/account/following")
@login_required
def following():
    member = current_user._get_current_object()
    storefronts = follows.followed_storefronts(member.id)
    return render_template(
        "members/following.html",
        storefronts=storefronts,
        follower_counts=follows.follower_counts([storefront.member_id for storefront in storefronts]),
        notices=site_notices.recent(member.id, NOTICES_SHOWN),
        unread=site_notices.unread_count(member.id),
    )


@bp.post("/account/following/read")
@login_required
def mark_notices_read():
    site_notices.mark_all_read(current_user.id)
    db.session.commit()
    return redirect(url_for("members.following"), 303)
