"""The public storefront at /s/<slug>: a member's shop front (members) with their active postings.

Here rather than in app.members because it shows postings, and members sits below postings.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_login import current_user

from app.members import follows
from app.members.storefronts import storefront_by_slug
from app.postings import bp
from app.postings.queries import storefront_postings

# Deeper pages than this are not browsed by people; refusing them keeps OFFSET within range.
MAX_PAGE = 10_000


@bp.get("/s/<slug>")
def storefront(slug: str):
    shop = storefront_by_slug(slug)
    if shop is None:
        abort(404)
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    postings = storefront_postings(shop.member_id, page, current_app.config["POSTINGS_PER_PAGE"])
    return render_template(
        "postings/storefront.html",
        storefront=shop,
        member=shop.member,
        postings=postings,
        following=current_user.is_authenticated and follows.is_following(current_user.id, shop.member_id),
        followers=follows.follower_count(shop.member_id),
        next_url="",
    )
