"""The posting page's body (photos, price, facts, seller, description), rendered once per language
and reused while nothing it shows has changed.

Loading a posting with its commodity, unit, province, owner, storefront, info-station and photos
and rendering all of it costs several times what the rest of the page does, and the same postings
are opened again and again. Each worker keeps recent bodies (POSTING_PAGE_CACHE_SIZE) under a key
that names everything templates/postings/_partials/_posting_body.html shows: the posting's
``updated_at`` (photo changes move it too: see ``services.update_posting``), its owner's and the
owner's storefront's, the info-station's, the catalogue snapshot (names of commodities, units and
provinces) and the language. What differs per viewer — the safety signals with their report link,
the trade actions, the owner's buttons — is rendered for every request around it.
"""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer, joinedload

from app.extensions import db
from app.members.models import Member
from app.postings.market import market_choices
from app.postings.models import Posting
from app.search.cache import app_cache

BODY_TEMPLATE = "postings/_partials/_posting_body.html"
# Keys are exact, so age only bounds how long an unused body occupies memory.
BODY_MAX_AGE = 3600


# Built once: building the statement and its loader options cost more than running it.
_POSTING_WITH_PEOPLE = (
    select(Posting)
    .where(Posting.id == bindparam("posting_id"))
    .options(
        # The two largest columns: the index text is never shown, the description only by the body,
        # which loads it when the body is not cached.
        defer(Posting.search_text),
        defer(Posting.description),
        joinedload(Posting.owner).joinedload(Member.storefront),
        joinedload(Posting.via_station),
        joinedload(Posting.unit),
    )
)


def posting_with_people(posting_id: int) -> Posting | None:
    """The posting with what every request needs (its owner and their storefront, the info-station
    and the unit, for the cache key, the access checks and the trade actions), in one query; or None."""
    return db.session.scalar(_POSTING_WITH_PEOPLE, {"posting_id": posting_id})


def body_key(posting: Posting) -> tuple:
    """Everything the body shows, as a hashable key (see the module docstring)."""
    owner, station = posting.owner, posting.via_station
    storefront = owner.storefront
    return (
        str(get_locale() or ""),
        market_choices().fingerprint,
        posting.id,
        posting.updated_at,
        owner.id,
        owner.updated_at,
        storefront.updated_at if storefront is not None else None,
        station.updated_at if station is not None else None,
    )


def posting_body(posting: Posting) -> Markup:
    """The rendered body of ``posting`` (loaded by :func:`posting_with_people`), from this worker's
    cache when nothing in it has changed. A miss loads the commodity, province and photos (three
    small queries) and renders the body template."""
    size = current_app.config["POSTING_PAGE_CACHE_SIZE"]
    if not size:
        return Markup(render_template(BODY_TEMPLATE, posting=posting))
    cache = app_cache("posting_bodies", max_entries=size, max_age=BODY_MAX_AGE)
    return cache.get_or_compute(
        body_key(posting), None, lambda: Markup(render_template(BODY_TEMPLATE, posting=posting))
    )
