"""Every write service refuses a suspended member itself (MemberSuspended, 403, the same message the
pages show), whoever calls it: a page, an SMS command, the CLI or a future API. The page-level tests
are in test_suspension.py; postings and trade services are also covered, rule by rule, in
tests/postings/test_policy.py and tests/trade/test_policy.py."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.clock import utcnow
from app.extensions import db
from app.forum import services as forum
from app.forum.models import ForumCategory, ForumPost
from app.members.models import Storefront
from app.members.services import MemberSuspended
from app.members.storefronts import StorefrontData, save_storefront
from app.postings.models import Posting
from app.postings.services import PostingData, change_status, create_posting, discard_draft, update_posting
from app.trade import negotiations, orders, reviews
from app.trade.models import Negotiation, NegotiationMessage, Offer, Order, Review
from tests.factories import make_member, make_negotiation, make_order, make_posting

SUSPENDED_TEXT = "Your account is suspended"


def _suspend(*members) -> None:
    for member in members:
        member.suspended_until = utcnow() + timedelta(days=7)
    db.session.commit()


def _rows() -> dict:
    models = (Posting, Negotiation, Offer, NegotiationMessage, Order, Review, ForumPost, Storefront)
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in models}


def _posting_data(posting: Posting, **changes) -> PostingData:
    values = dict(
        kind=posting.kind,
        commodity_id=posting.commodity_id,
        title=posting.title,
        quantity=posting.quantity,
        unit_code=posting.unit_code,
        province_code=posting.province_code,
        price=posting.price,
    )
    values.update(changes)
    return PostingData(**values)


def test_every_write_service_refuses_a_suspended_member(db, buyer, seller, sell_offer, buy_request):
    forum.seed_default_categories()
    category = db.session.scalars(select(ForumCategory)).first()
    thread = forum.create_thread(seller, category, "Rice prices this week", "What are you getting per jin?")
    db.session.commit()
    opening = db.session.scalars(select(ForumPost).where(ForumPost.thread_id == thread.id)).one()
    negotiation = make_negotiation(sell_offer, buyer)
    placed = make_order(sell_offer, buyer, quantity="5")
    completed = make_order(sell_offer, buyer, quantity="5", status="completed")
    draft = make_posting(owner=seller, commodity="wheat", publish=False)
    station = make_member(display_name="Village Station", is_station_operator=True)
    _suspend(buyer, seller, station)
    before = _rows()
    offer_id = negotiation.latest_offer.id
    calls = {
        "create_posting": lambda: create_posting(seller, _posting_data(sell_offer, title="New while suspended")),
        "create_posting via a station": lambda: create_posting(
            make_member(), _posting_data(sell_offer), via_station=station
        ),
        "update_posting": lambda: update_posting(sell_offer, _posting_data(sell_offer, title="Edited"), editor=seller),
        "change_status": lambda: change_status(draft, "publish", seller),
        "discard_draft": lambda: discard_draft(draft, seller),
        "start_negotiation": lambda: negotiations.start_negotiation(
            buy_request, seller, negotiations.OfferTerms(Decimal("5"), Decimal("3"), "collect")
        ),
        "counter_offer": lambda: negotiations.counter_offer(
            negotiation, seller, negotiations.OfferTerms(Decimal("5"), Decimal("3.4"), "collect")
        ),
        "accept_offer": lambda: negotiations.accept_offer(negotiation, offer_id, seller),
        "post_message": lambda: negotiations.post_message(negotiation, buyer, "Hello?"),
        "buy_now": lambda: orders.buy_now(sell_offer, buyer, Decimal("5"), "collect"),
        "confirm an order": lambda: orders.change_order_status(placed, "confirm", seller),
        "write_review": lambda: reviews.write_review(completed, buyer, 5, "Good rice"),
        "save_storefront": lambda: save_storefront(
            seller,
            StorefrontData(name="New name", slug="new-slug", about="", province_code=None, locality=""),
            None,
            False,
        ),
        "forum create_thread": lambda: forum.create_thread(seller, category, "Another thread", "Body text here"),
        "forum reply": lambda: forum.reply(thread, buyer, "A reply from a suspended member"),
        "forum edit_post": lambda: forum.edit_post(opening, seller, "Edited body text"),
        "forum report_post": lambda: forum.report_post(opening, buyer, "This is spam, please look"),
    }
    for name, call in calls.items():
        with pytest.raises(MemberSuspended) as refused:
            call()
        assert refused.value.status == 403 and SUSPENDED_TEXT in refused.value.message, name
        db.session.rollback()
    assert _rows() == before
    db.session.expire_all()
    assert (sell_offer.title, draft.status, placed.status) == ("Fragrant rice, new crop", "draft", "placed")


def test_steps_that_keep_an_order_moving_stay_open_to_a_suspended_member(db, buyer, seller, sell_offer):
    """Orders under way can still be paid, shipped, received or cancelled, so the other party is
    not left stranded (orders.change_order_status)."""
    confirmed = make_order(sell_offer, buyer, status="confirmed")
    placed = make_order(sell_offer, buyer)
    _suspend(buyer, seller)
    orders.change_order_status(confirmed, "pay", seller)
    orders.change_order_status(confirmed, "ship", seller)
    orders.change_order_status(confirmed, "deliver", buyer)
    orders.change_order_status(placed, "cancel", buyer)
    db.session.commit()
    assert (confirmed.status, placed.status) == ("delivered", "cancelled")
