"""Offer, answer and buy-now rules have one owner each (negotiations.offer_refusal, answer_refusal,
orders.buy_now_refusal): the posting and thread pages show what they allow and the services refuse
the rest whoever calls them. These tests call the services directly, as an SMS command or a future
API would; the route tests (test_negotiation.py, test_buy_now_and_stock.py,
tests/admin/test_suspension.py) check the same messages on the pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.members.services import MemberSuspended
from app.trade import negotiations, orders
from app.trade.models import Negotiation, NegotiationMessage, Offer, Order
from app.trade.negotiations import OfferTerms
from tests.factories import make_member


def _terms(quantity="10", price="3.20") -> OfferTerms:
    return OfferTerms(quantity=Decimal(quantity), unit_price=Decimal(price), delivery="collect")


def _suspend(member) -> None:
    member.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()


def _counts() -> tuple:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Negotiation, Offer, NegotiationMessage, Order)
    )


def test_a_suspended_member_is_refused_by_every_trade_write_service(db, buyer, seller, sell_offer, buy_request):
    thread = negotiations.start_negotiation(sell_offer, buyer, _terms())
    db.session.commit()
    offer_id = thread.latest_offer.id
    _suspend(seller)
    _suspend(buyer)
    before = _counts()
    for call in (
        lambda: negotiations.start_negotiation(buy_request, seller, _terms()),
        lambda: negotiations.counter_offer(thread, seller, _terms(price="3.40")),
        lambda: negotiations.accept_offer(thread, offer_id, seller),
        lambda: negotiations.post_message(thread, buyer, "Still there?"),
        lambda: orders.buy_now(sell_offer, buyer, Decimal("5"), "collect"),
    ):
        with pytest.raises(MemberSuspended) as refused:
            call()
        assert refused.value.status == 403 and "Your account is suspended" in refused.value.message
        db.session.rollback()
    assert _counts() == before


def test_a_suspended_member_may_still_close_a_thread(db, buyer, seller, sell_offer):
    """Declining and withdrawing make no new commitment (like cancelling an order), so a suspension
    does not leave the other party waiting on an offer nobody can answer."""
    declined = negotiations.start_negotiation(sell_offer, buyer, _terms())
    db.session.commit()
    _suspend(seller)
    negotiations.decline_offer(declined, declined.latest_offer.id, seller)
    db.session.commit()
    withdrawn = negotiations.start_negotiation(sell_offer, buyer, _terms())
    db.session.commit()
    _suspend(buyer)
    negotiations.withdraw_offer(withdrawn, withdrawn.latest_offer.id, buyer)
    db.session.commit()
    assert (declined.status, withdrawn.status) == ("declined", "withdrawn")


def test_the_thread_buttons_and_the_services_agree(db, buyer, seller, stranger, admin, sell_offer):
    thread = negotiations.start_negotiation(sell_offer, buyer, _terms())
    db.session.commit()
    offer_id = thread.latest_offer.id
    assert negotiations.available_answers(thread, buyer) == ["withdraw"]
    assert negotiations.available_answers(thread, seller) == ["accept", "decline", "counter"]
    assert negotiations.available_answers(thread, stranger) == []
    assert negotiations.available_answers(thread, admin) == []
    refusals = {
        (buyer, "accept"): "You cannot accept your own offer; the other party has to.",
        (buyer, "decline"): "You cannot decline your own offer; withdraw it instead.",
        (seller, "withdraw"): "Only the member who made an offer can withdraw it.",
        (stranger, "accept"): "Only the buyer and the seller can answer an offer.",
        (stranger, "decline"): "Only the buyer and the seller can answer an offer.",
    }
    services = {
        "accept": negotiations.accept_offer,
        "decline": negotiations.decline_offer,
        "withdraw": negotiations.withdraw_offer,
    }
    for (member, action), message in refusals.items():
        assert negotiations.answer_refusal(thread, offer_id, action, member) == message
        with pytest.raises(DomainError) as refused:
            services[action](thread, offer_id, member)
        assert refused.value.message == message
    with pytest.raises(DomainError) as refused:
        negotiations.counter_offer(thread, buyer, _terms(price="3.10"))
    assert refused.value.message == negotiations.answer_refusal(thread, offer_id, "counter", buyer)
    db.session.rollback()
    assert db.session.get(Offer, offer_id).status == "open"
    # Once answered, nobody has anything left to press.
    negotiations.decline_offer(thread, offer_id, seller)
    db.session.commit()
    assert negotiations.available_answers(thread, seller) == negotiations.available_answers(thread, buyer) == []
    assert negotiations.answer_refusal(thread, offer_id, "accept", seller) == "This negotiation is closed."


def test_offer_and_buy_now_refusals_are_what_the_services_raise(db, buyer, seller, sell_offer, buy_request):
    cases = [
        (
            negotiations.offer_refusal(sell_offer, seller),
            lambda: negotiations.start_negotiation(sell_offer, seller, _terms()),
        ),
        (
            orders.buy_now_refusal(sell_offer, seller),
            lambda: orders.buy_now(sell_offer, seller, Decimal("5"), "collect"),
        ),
        (
            orders.buy_now_refusal(buy_request, seller),
            lambda: orders.buy_now(buy_request, seller, Decimal("5"), "collect"),
        ),
    ]
    assert [reason for reason, _call in cases] == [
        "You cannot negotiate on your own posting.",
        "You cannot buy from your own offer.",
        "This posting has no fixed price. Make an offer instead.",
    ]
    for reason, call in cases:
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.message == reason
    assert negotiations.offer_refusal(sell_offer, buyer) is None and orders.buy_now_refusal(sell_offer, buyer) is None
    negotiations.start_negotiation(sell_offer, buyer, _terms())
    db.session.commit()
    assert negotiations.offer_refusal(sell_offer, buyer) == "You already have an open negotiation on this posting."
    sell_offer.status = "paused"
    db.session.commit()
    assert (
        negotiations.offer_refusal(sell_offer, make_member(display_name="Passer-by"))
        == "This posting is not taking offers at the moment."
    )
