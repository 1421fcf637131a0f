"""The posting page's body (photos, price, facts, seller, description), rendered once per language
and reused while nothing it shows has changed.

Loading a posting with its commodity, unit, province, owner, storefront, info-station and photos
and rendering all of it costs several times what the rest of the page does, and the same postings
are opened again and again. Each worker keeps recent bodies (POSTING_PAGE_CACHE_SIZE) under a key
that names everything templates/postings/_partials/_posting_body.html shows: the posting's
``updated_at`` (photo changes move it too: app/caching/stamps.py), its owner's and the
owner's storefront's, the info-station's, the catalogue snapshot (names of commodities, units and
provinces) and the language. What differs per viewer — the safety signals with their report link,
the trade actions, the owner's buttons — is rendered for every request around it.

Visitors who are not signed in (buyers looking before they log in, links shared in chat apps,
search engines) all see the same page, so for them the whole page is kept too, with a hole where
their own CSRF token goes (the language switch is a form): see :func:`shared_page`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import aliased, defer, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.caching import stamps
from app.caching.local import app_cache
from app.caching.shared import shared_cache
from app.extensions import db
from app.members.models import Member, Storefront
from app.postings.market import market_choices
from app.postings.models import Posting, PostingPhoto

# body_key and _PAGE_STAMP read these rows' updated_at (the info-station is a Member).
stamps.require(Posting, Member, Storefront)

BODY_TEMPLATE = "postings/_partials/_posting_body.html"
# Keys are exact, so age only bounds how long an unused body occupies memory.
BODY_MAX_AGE = 3600


# Built once: building the statement and its loader options cost more than running it.
_POSTING_WITH_PEOPLE = (
    select(Posting)
    .where(Posting.id == bindparam("posting_id"))
    .options(
        # The index text is never shown. Everything else the page shows comes in this one row:
        # each relationship left to load lazily would be a query of its own when the body is
        # rendered, and a lazy load (a statement built and cache-keyed for every call) costs
        # more than the join. The commodity, unit and province are rows of small tables.
        defer(Posting.search_text),
        joinedload(Posting.owner).joinedload(Member.storefront),
        joinedload(Posting.unit),
        joinedload(Posting.commodity),
        joinedload(Posting.province),
        # Not joined: few postings come from an info-station, and for the others (no
        # via_station_id) the relationship is None without a query. The photos are read only when
        # the body is rendered (see _load_photos).
    )
)
_PHOTOS = (
    select(PostingPhoto)
    .where(PostingPhoto.posting_id == bindparam("posting_id"))
    .order_by(PostingPhoto.position, PostingPhoto.id)
)


def posting_with_people(posting_id: int) -> Posting | None:
    """The posting with what the page shows (its owner and their storefront, the unit, commodity and
    province) in one query; or None. The info-station, when there is one, is loaded when first used
    (one more query), the photos when the body is rendered."""
    return db.session.scalar(_POSTING_WITH_PEOPLE, {"posting_id": posting_id})


def _load_photos(posting: Posting) -> None:
    # The same rows the lazy relationship would read, with a statement built once instead of per
    # call; set as the relationship's loaded value, so later changes to it still work as usual.
    if "photos" in posting.__dict__:
        return
    photos = db.session.scalars(_PHOTOS, {"posting_id": posting.id}).all()
    set_committed_value(posting, "photos", photos)


def _render_body(posting: Posting) -> Markup:
    _load_photos(posting)
    return Markup(render_template(BODY_TEMPLATE, posting=posting))


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
    cache when nothing in it has changed. A miss reads the photos (one query) and renders the body
    template."""
    size = current_app.config["POSTING_PAGE_CACHE_SIZE"]
    if not size:
        return _render_body(posting)
    cache = app_cache("posting_bodies", max_entries=size, max_age=BODY_MAX_AGE)
    return cache.get_or_compute(body_key(posting), None, lambda: _render_body(posting))


# Stands in for the visitor's CSRF token in a stored page; a NUL never comes out of a template.
CSRF_HOLE = "\x00csrf-token\x00"


def page_is_shared() -> bool:
    """True when this request's posting page would be the same for every visitor in its language:
    nobody signed in, no query string (the language switch sends the visitor back to the full
    path), no flashed message waiting."""
    return (
        bool(current_app.config["POSTING_PAGE_CACHE_SIZE"])
        and not current_user.is_authenticated
        and not request.query_string
        and "_flashes" not in session
    )


_station = aliased(Member)
# Everything a visitor's page depends on that can change in the database, in one row and without
# building any object: the posting (its updated_at moves with every change, stock and photos
# included; the rest is named for the view count and the trade actions), the owner's badge and
# member-since date, the storefront and the info-station.
_PAGE_STAMP = (
    select(
        Posting.id,
        Posting.status,
        Posting.kind,
        Posting.owner_id,
        Posting.via_station_id,
        Posting.updated_at,
        Posting.quantity,
        Posting.quantity_available,
        Posting.quantity_filled,
        Member.updated_at,
        Member.verified_at,
        Member.created_at,
        Storefront.updated_at,
        _station.updated_at,
    )
    .join(Member, Member.id == Posting.owner_id)
    .outerjoin(Storefront, Storefront.member_id == Member.id)
    .outerjoin(_station, _station.id == Posting.via_station_id)
    .where(Posting.id == bindparam("posting_id"))
)


def page_stamp(posting_id: int) -> Row | None:
    """The row :func:`shared_page` keys a visitor's page by (``status``, ``owner_id`` and
    ``via_station_id`` among its columns), or None for no such posting."""
    # On the session's connection, past the ORM's statement handling: no objects come back, and
    # that handling costs more than the query.
    return db.session.connection().execute(_PAGE_STAMP, {"posting_id": posting_id}).one_or_none()


def shared_page(stamp: Row, render: Callable[[], str]) -> str:
    """The whole posting page for a visitor who is not signed in (only when :func:`page_is_shared`),
    stored under the path, the language, the catalogue snapshot, the ``stamp`` and the seller's
    completed orders and rating (read as the page reads them): in this worker, and in the cache
    all workers share when there is one (app/caching/shared.py), so that a page one worker
    rendered is not rendered again by the others. ``render()`` makes the page when neither has it.
    Every copy of the visitor's CSRF token is cut out before the page is stored and the current
    visitor's is put in when it is served, so a token is never shown to anyone else."""
    counts = current_app.jinja_env.globals.get("safety_record_counts")
    key = (
        request.path,
        str(get_locale() or ""),
        market_choices().fingerprint,
        tuple(stamp),
        counts(stamp.owner_id) if counts else None,
    )
    cache = app_cache("posting_pages", max_entries=current_app.config["POSTING_PAGE_CACHE_SIZE"], max_age=BODY_MAX_AGE)
    stored = cache.get(key, None)
    if stored is None:
        shared = shared_cache()
        stored = shared.get(key) if shared is not None else None
        if stored is None:
            page = render()
            stored = page.replace(generate_csrf(), CSRF_HOLE)
            if shared is not None:
                shared.put(key, stored, BODY_MAX_AGE)
            cache.put(key, None, stored)
            return page
        cache.put(key, None, stored)
    return stored.replace(CSRF_HOLE, generate_csrf())
