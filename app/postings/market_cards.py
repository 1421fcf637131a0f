"""Posting cards for the market, rendered with the ``posting_card`` macro of
templates/postings/_partials/_card_macro.html once and reused while nothing they show has changed.

Rendering twenty cards costs more than finding them, so each worker keeps the HTML of recent cards
(MARKET_CARD_CACHE_SIZE) under a key that names everything a card depends on: the posting and its
owner through their ``updated_at`` (every change to either moves it, adding or removing a photo
included: app/caching/stamps.py), the catalogue snapshot (names of commodities, units
and provinces) and the language. A card that starts showing another related row must add that
row to :func:`card_keys`.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer, joinedload, selectinload

from app.caching import stamps
from app.caching.local import app_cache
from app.extensions import db
from app.members.models import Member
from app.postings.models import Posting, PostingStatus

# One module of this template renders every card a page lacks: rendering a card template per card built
# a new template context and imported _macros.html again for each (a third of a card's cost).
CARD_MACROS = "postings/_partials/_card_macro.html"
# Keys are exact, so age only bounds how long an unused card occupies memory.
CARD_MAX_AGE = 3600
# Everything a card shows, loaded with the postings (built once: loader options are reusable).
CARD_OPTIONS = (
    # The index text and the description are the largest columns and no card shows them.
    defer(Posting.search_text),
    defer(Posting.description),
    joinedload(Posting.commodity),
    joinedload(Posting.unit),
    joinedload(Posting.province),
    joinedload(Posting.owner),
    selectinload(Posting.photos),
)

# The cards' keys read these rows' updated_at.
stamps.require(Posting, Member)


def market_cards(ids: tuple[int, ...], catalogue_fingerprint: int) -> list[Markup]:
    """The active postings with these ids rendered as cards, in this order.

    One small query reads the card keys; only postings whose card is not cached are then loaded
    (with everything a card shows, two more queries) and rendered. A posting closed since its id was
    found is left out.
    """
    if not ids:
        return []
    keys = card_keys(ids, (str(get_locale() or ""), catalogue_fingerprint))
    size = current_app.config["MARKET_CARD_CACHE_SIZE"]
    cache = app_cache("market_cards", max_entries=size, max_age=CARD_MAX_AGE) if size else None
    cards = {posting_id: cache.get(key, None) if cache else None for posting_id, key in keys.items()}
    missing = [posting_id for posting_id, card in cards.items() if card is None]
    if missing:
        posting_card = current_app.jinja_env.get_template(CARD_MACROS).make_module().posting_card
        for posting in db.session.scalars(
            select(Posting).where(Posting.id.in_(missing)).options(*CARD_OPTIONS)
        ).unique():
            cards[posting.id] = Markup(posting_card(posting))
            if cache is not None:
                cache.put(keys[posting.id], None, cards[posting.id])
    return [cards[posting_id] for posting_id in ids if cards.get(posting_id) is not None]


# Built once (the ids are an expanding parameter): building a statement costs about what running
# this one does.
_CARD_KEYS = (
    select(Posting.id, Posting.updated_at, Member.id, Member.updated_at)
    .join(Member, Member.id == Posting.owner_id)
    .where(Posting.id.in_(bindparam("ids", expanding=True)), Posting.status == PostingStatus.ACTIVE.value)
)


def card_keys(ids: tuple[int, ...], context: tuple) -> dict[int, tuple]:
    """For each active posting among ``ids``: what its card depends on (see the module docstring)."""
    rows = db.session.execute(_CARD_KEYS, {"ids": list(ids)}).all()
    return {row[0]: (*context, *row) for row in rows}
