"""The "Stores I follow" page: the stores a member follows (members' rows, each with its unfollow
button) and the site notices of their new goods (notify's). Here rather than in app.members because
it shows notices, and members sits below notify."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from app.extensions import db
from app.members import follows
from app.notify import bp, site_notices

NOTICES_SHOWN = 50


@bp.get("/account/following")
@login_required
def following():
    member = current_user._get_current_object()
    storefronts = follows.followed_storefronts(member.id)
    return render_template(
        "notify/following.html",
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
    return redirect(url_for("notify.following"), 303)
