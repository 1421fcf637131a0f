"""Who may do what by SMS: drafts and offers only of the sender, suspended members, unknown numbers."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.clock import utcnow
from app.inbound_sms.offer_codes import offer_code
from app.postings.models import Posting
from app.trade.models import Negotiation, Offer, Order
from tests.factories import make_member
from tests.trade.helpers import start_thread

CODE = re.compile(r"\b([2-9A-Z]{4}) ")


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _offer_codes(reply: str) -> list[str]:
    return CODE.findall(re.split("[:：]", reply, maxsplit=1)[1])


@pytest.fixture
def thread(client, login, sell_offer, buyer):
    """The buyer offered 10 kg at ¥3.20 on the seller's rice; the seller is to answer."""
    negotiation = start_thread(client, login, sell_offer, buyer)
    client.post("/logout")
    return negotiation


def test_cannot_confirm_or_discard_someone_elses_draft(text_in, db, seller, stranger):
    text_in(seller.phone, "SELL maize 5t 2100")
    number = db.session.scalar(select(Posting.id))
    assert text_in(stranger.phone, f"YES {number}") == f"You have no draft {number}. Reply HELP for commands."
    assert text_in(stranger.phone, f"NO {number}") == f"You have no draft {number}. Reply HELP for commands."
    assert text_in(stranger.phone, f"YES {number + 1}") == f"You have no draft {number + 1}. Reply HELP for commands."
    db.session.expire_all()
    assert db.session.get(Posting, number).status == "draft"


@pytest.mark.parametrize(
    "body",
    [
        "SELL maize 5t 2100",
        "卖 玉米 5吨 2100",
        "YES 1",
        "NO 1",
        "OFFERS",
        "ACCEPT K7M2",
        "DECLINE K7M2",
        "COUNTER K7M2 2000",
    ],
)
def test_unregistered_numbers_get_a_signup_link_for_member_commands(text_in, db, body):
    reply = text_in("+8613912349999", body)
    assert "http://jishi.test/signup" in reply
    assert _count(db, Posting) == 0


def test_unregistered_numbers_can_use_price_and_sub(text_in, db):
    assert "http://jishi.test/prices/maize" in text_in("+8613912349998", "PRICE maize")
    assert text_in("+8613912349998", "SUB maize").startswith("Subscribed")


def test_suspended_member_cannot_post_confirm_or_answer_offers_but_can_read_prices(text_in, db, seller, thread):
    text_in(seller.phone, "SELL maize 5t 2100")
    draft = db.session.scalar(select(Posting).where(Posting.status == "draft"))
    offers = text_in(seller.phone, "OFFERS")
    [code] = _offer_codes(offers)
    seller.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()
    suspended = "Jishi: your account is suspended, so you cannot post or trade. You can still check PRICE."
    for body in (
        "SELL maize 5t 2100",
        f"YES {draft.id}",
        f"NO {draft.id}",
        f"ACCEPT {code}",
        f"DECLINE {code}",
        f"COUNTER {code} 3",
    ):
        assert text_in(seller.phone, body) == suspended, body
    db.session.expire_all()
    assert _count(db, Posting) == 2  # the draft and the sell offer, nothing new
    assert db.session.get(Posting, draft.id).status == "draft"
    assert _count(db, Order) == 0
    assert db.session.get(Negotiation, thread.id).status == "open"
    assert "Maize" in text_in(seller.phone, "PRICE maize")


def test_offers_lists_open_offers_with_codes(text_in, db, seller, thread):
    reply = text_in(seller.phone, "OFFERS")
    offer = thread.latest_offer
    assert reply.startswith("Offers: ")
    assert f"{offer_code(seller.id, offer.id)} Rice 10kg ¥3.20/kg" in reply
    assert reply.endswith("Reply ACCEPT, DECLINE or COUNTER + code")


def test_a_code_only_works_for_the_member_it_was_given_to(text_in, db, seller, buyer, stranger, thread):
    [code] = _offer_codes(text_in(seller.phone, "OFFERS"))
    for other in (stranger, buyer):  # the buyer made the offer and may not accept it either
        assert text_in(other.phone, f"ACCEPT {code}") == f"No open offer {code} for you. Reply OFFERS to list them."
    assert text_in(buyer.phone, "OFFERS") == "Jishi: no open offers for you."
    assert _count(db, Order) == 0
    assert (
        offer_code(stranger.id, thread.latest_offer.id) != code or offer_code(buyer.id, thread.latest_offer.id) != code
    )


def test_accept_by_code_places_the_order(text_in, db, seller, buyer, thread):
    [code] = _offer_codes(text_in(seller.phone, "OFFERS"))
    reply = text_in(seller.phone, f"accept {code.lower()}")
    order = db.session.scalar(select(Order))
    assert order is not None and (order.buyer_id, order.seller_id) == (buyer.id, seller.id)
    assert order.quantity == Decimal("10") and order.unit_price == Decimal("3.20")
    assert reply == f"Accepted. Order {order.number}: http://jishi.test/o/{order.id}"
    # Sent again (or retried by the member's phone with a new MessageSid): it says what was done.
    again = f"Offer {code} is already accepted. Order {order.number}: http://jishi.test/o/{order.id}"
    assert text_in(seller.phone, f"ACCEPT {code}") == again
    assert text_in(seller.phone, f"DECLINE {code}") == again
    assert _count(db, Order) == 1


def test_decline_by_code_closes_the_thread(text_in, db, seller, thread):
    [code] = _offer_codes(text_in(seller.phone, "OFFERS"))
    assert text_in(seller.phone, f"拒绝 {code}") != ""
    db.session.expire_all()
    assert db.session.get(Negotiation, thread.id).status == "declined"
    assert _count(db, Order) == 0


def test_counter_by_code_sends_a_new_offer_with_a_new_code(text_in, db, seller, buyer, thread):
    [code] = _offer_codes(text_in(seller.phone, "OFFERS"))
    reply = text_in(seller.phone, f"COUNTER {code} 3.40")
    assert reply == f"Counter-offer sent: ¥3.40/kg. http://jishi.test/n/{thread.id}"
    db.session.expire_all()
    offers = db.session.scalars(select(Offer).where(Offer.negotiation_id == thread.id).order_by(Offer.id)).all()
    assert [o.status for o in offers] == ["countered", "open"]
    assert (offers[1].author_id, offers[1].unit_price, offers[1].quantity) == (
        seller.id,
        Decimal("3.40"),
        Decimal("10"),
    )
    # Now it is the buyer's turn: the seller has nothing to answer, the buyer has the new offer.
    assert text_in(seller.phone, "OFFERS") == "Jishi: no open offers for you."
    [buyer_code] = _offer_codes(text_in(buyer.phone, "报价"))
    assert buyer_code == offer_code(buyer.id, offers[1].id)
    assert text_in(seller.phone, f"ACCEPT {buyer_code}").startswith("No open offer")


def test_counter_price_in_another_unit_is_converted(text_in, db, seller, thread):
    [code] = _offer_codes(text_in(seller.phone, "OFFERS"))
    text_in(seller.phone, f"还价 {code} 1.7元/斤")
    db.session.expire_all()
    latest = db.session.scalars(
        select(Offer).where(Offer.negotiation_id == thread.id).order_by(Offer.id.desc())
    ).first()
    assert latest.unit_price == Decimal("3.40")  # per kg


def test_trade_rules_still_apply_by_sms(text_in, db, seller, sell_offer, thread):
    """Stock ran out after the offer: accepting is refused with the trade's own reason, nothing changes."""
    [code] = _offer_codes(text_in(seller.phone, "OFFERS"))
    sell_offer.quantity_available = Decimal("5")
    db.session.commit()
    reply = text_in(seller.phone, f"ACCEPT {code}")
    assert reply.startswith("Not done: ")
    assert _count(db, Order) == 0
    db.session.expire_all()
    assert db.session.get(Negotiation, thread.id).status == "open"


def test_member_created_by_a_station_can_use_member_commands(text_in, db):
    station = make_member(display_name="Village Station", is_station_operator=True)
    farmer = make_member(
        password=None, display_name="Old Liu", created_by_station_id=station.id, phone_verified_at=None
    )
    assert text_in(farmer.phone, "SELL maize 5t 2100 Henan").startswith("Draft ")
