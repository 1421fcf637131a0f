"""Negotiation threads: offers and quotes, counters, messages, accept/decline/withdraw, the rules
on who may answer which offer, minimum order, available quantity and delivery options."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from app.core.errors import DomainError
from app.trade import negotiations
from app.trade.models import Negotiation, NegotiationMessage, Offer, Order
from tests.factories import make_posting
from tests.trade.helpers import offer_data, start_thread


def test_buyer_makes_an_offer_and_the_seller_sees_it(client, db, login, buyer, seller, sell_offer):
    login(buyer)
    form = client.get(f"/p/{sell_offer.id}/negotiate")
    assert form.status_code == 200
    assert "Make an offer" in form.get_data(as_text=True)
    assert "Available: 100 kilogram" in form.get_data(as_text=True)

    response = client.post(f"/p/{sell_offer.id}/negotiate", data=offer_data())
    assert response.status_code == 303
    negotiation = db.session.scalars(select(Negotiation)).one()
    assert response.headers["Location"].endswith(f"/negotiations/{negotiation.id}")
    assert (negotiation.buyer_id, negotiation.seller_id, negotiation.status) == (buyer.id, seller.id, "open")
    offer = negotiation.offers[0]
    assert (offer.quantity, offer.unit_price, offer.delivery, offer.author_id) == (
        Decimal("10"),
        Decimal("3.20"),
        "collect",
        buyer.id,
    )

    login(seller)
    page = client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)
    assert "Can you do 3.20?" in page
    assert "¥32.00" in page
    assert "Accept and place order" in page
    assert "Make a counter-offer" in page


def test_seller_quotes_on_a_buy_request_naming_one_of_their_lots(
    client, db, login, buyer, seller, buy_request, sell_offer
):
    login(seller)
    page = client.get(f"/p/{buy_request.id}/negotiate").get_data(as_text=True)
    assert "Send a quote" in page and "Fragrant rice, new crop" in page

    negotiation = start_thread(client, login, buy_request, seller, lot_posting_id=str(sell_offer.id), quantity="20")
    assert (negotiation.buyer_id, negotiation.seller_id) == (buyer.id, seller.id)
    assert negotiation.lot_posting_id == sell_offer.id


def test_a_quote_cannot_name_someone_elses_lot(client, db, login, buyer, seller, stranger, buy_request, sell_offer):
    login(stranger)
    response = client.post(f"/p/{buy_request.id}/negotiate", data=offer_data(lot_posting_id=str(sell_offer.id)))
    assert response.status_code == 422
    assert "Choose one of your active sell offers" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Negotiation.id))) == 0


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"quantity": "NaN"}, "Enter a number such as 12 or 12.5."),
        ({"quantity": "inf"}, "Enter a number such as 12 or 12.5."),
        ({"quantity": "-5"}, "Enter a number greater than zero."),
        ({"unit_price": "-5"}, "Price must be greater than 0."),
        ({"unit_price": "0"}, "Price must be greater than 0."),
        ({"quantity": "0"}, "Enter a number greater than zero."),
        ({"quantity": "1e9999"}, "Enter a number such as 12 or 12.5."),
        ({"quantity": "99999999999999999999"}, "That number is too large"),
        ({"quantity": "1.23456"}, "Use at most 3 digits after the decimal point."),
        ({"unit_price": "abc"}, "Enter a number such as 12 or 12.5."),
        ({"unit_price": "3.999"}, "Use at most 2 digits after the decimal point."),
        ({"unit_price": ""}, "Enter your price."),
        ({"quantity": "101"}, "Only 100 kilogram left."),
        ({"delivery": "teleport"}, "Not a valid choice"),
        ({"message": "x" * 2001}, "Field cannot be longer than 2000 characters."),
    ],
)
def test_bad_offer_input_is_shown_beside_the_field_and_nothing_is_saved(
    client, db, login, buyer, sell_offer, changes, message
):
    login(buyer)
    response = client.post(f"/p/{sell_offer.id}/negotiate", data=offer_data(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Offer.id))) == 0


def test_minimum_order_is_enforced_unless_taking_what_is_left(client, db, login, buyer, seller):
    posting = make_posting(
        owner=seller,
        commodity="rice",
        quantity=Decimal("30"),
        unit_code="kg",
        price=Decimal("4"),
        min_order=Decimal("25"),
    )
    login(buyer)
    response = client.post(f"/p/{posting.id}/negotiate", data=offer_data(quantity="10"))
    assert response.status_code == 422
    assert "The minimum order is 25 kilogram." in response.get_data(as_text=True)
    assert client.post(f"/p/{posting.id}/negotiate", data=offer_data(quantity="25")).status_code == 303


def test_delivery_must_be_an_option_the_posting_allows(client, db, login, buyer, seller):
    posting = make_posting(
        owner=seller, commodity="rice", quantity=Decimal("30"), unit_code="kg", price=Decimal("4"), delivery="deliver"
    )
    login(buyer)
    response = client.post(f"/p/{posting.id}/negotiate", data=offer_data(delivery="collect"))
    assert response.status_code == 422
    assert client.post(f"/p/{posting.id}/negotiate", data=offer_data(delivery="deliver")).status_code == 303


def test_nobody_negotiates_on_their_own_posting(client, login, seller, sell_offer):
    login(seller)
    response = client.post(f"/p/{sell_offer.id}/negotiate", data=offer_data())
    assert response.status_code == 409
    assert "You cannot negotiate on your own posting." in response.get_data(as_text=True)


def test_paused_or_missing_postings_take_no_offers(client, db, login, buyer, sell_offer):
    sell_offer.status = "paused"
    db.session.commit()
    login(buyer)
    assert client.get(f"/p/{sell_offer.id}/negotiate").status_code == 409
    assert client.post(f"/p/{sell_offer.id}/negotiate", data=offer_data()).status_code == 409
    assert client.get("/p/999999/negotiate").status_code == 404


def test_a_second_offer_leads_to_the_open_thread(client, db, login, buyer, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    response = client.get(f"/p/{sell_offer.id}/negotiate")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/negotiations/{negotiation.id}")


def test_seller_counters_then_buyer_accepts_and_an_order_is_placed(client, db, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer, quantity="20", unit_price="3.00")
    first = negotiation.offers[0]

    login(seller)
    response = client.post(
        f"/negotiations/{negotiation.id}/counter",
        data=offer_data(quantity="20", unit_price="3.30", message="Meet me at 3.30"),
    )
    assert response.status_code == 303
    db.session.refresh(negotiation)
    assert [o.status for o in negotiation.offers] == ["countered", "open"]
    counter = negotiation.offers[1]

    login(buyer)
    assert "Meet me at 3.30" in client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)
    stale = client.post(f"/negotiations/{negotiation.id}/offers/{first.id}/accept")
    assert stale.status_code == 409
    assert "Only the latest open offer" in stale.get_data(as_text=True)

    response = client.post(f"/negotiations/{negotiation.id}/offers/{counter.id}/accept")
    assert response.status_code == 303
    order = db.session.scalars(select(Order)).one()
    assert response.headers["Location"].endswith(f"/orders/{order.id}")
    assert (order.quantity, order.unit_price, order.total) == (Decimal("20"), Decimal("3.30"), Decimal("66.00"))
    assert (order.buyer_id, order.seller_id, order.negotiation_id, order.offer_id) == (
        buyer.id,
        seller.id,
        negotiation.id,
        counter.id,
    )
    db.session.refresh(negotiation)
    db.session.refresh(sell_offer)
    assert negotiation.status == "accepted" and counter.status == "accepted"
    assert sell_offer.quantity_available == Decimal("80")
    assert "This negotiation is closed." in client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)


def test_only_the_other_party_can_accept_or_decline(client, db, login, buyer, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    offer = negotiation.offers[0]
    response = client.post(f"/negotiations/{negotiation.id}/offers/{offer.id}/accept")
    assert response.status_code == 409
    assert "You cannot accept your own offer" in response.get_data(as_text=True)
    assert client.post(f"/negotiations/{negotiation.id}/offers/{offer.id}/decline").status_code == 409
    assert client.post(f"/negotiations/{negotiation.id}/counter", data=offer_data()).status_code == 409
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_decline_closes_the_thread(client, db, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    offer = negotiation.offers[0]
    login(seller)
    response = client.post(f"/negotiations/{negotiation.id}/offers/{offer.id}/decline")
    assert response.status_code == 303
    db.session.refresh(negotiation)
    assert (negotiation.status, negotiation.offers[0].status) == ("declined", "declined")
    assert client.post(f"/negotiations/{negotiation.id}/offers/{offer.id}/accept").status_code == 409
    assert client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "Too late?"}).status_code == 409


def test_the_author_withdraws_but_cannot_withdraw_the_other_partys_offer(client, db, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    offer = negotiation.offers[0]
    login(seller)
    assert client.post(f"/negotiations/{negotiation.id}/offers/{offer.id}/withdraw").status_code == 409
    login(buyer)
    assert client.post(f"/negotiations/{negotiation.id}/offers/{offer.id}/withdraw").status_code == 303
    db.session.refresh(negotiation)
    assert negotiation.status == "withdrawn"
    page = client.get(f"/p/{sell_offer.id}/negotiate")
    assert page.status_code == 200, "a closed thread does not block a new one"


def test_messages_are_posted_and_shown_to_both_parties(client, db, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    login(seller)
    response = client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "Can you collect on Friday?"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/negotiations/{negotiation.id}#thread")
    login(buyer)
    assert "Can you collect on Friday?" in client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)

    empty = client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "   "})
    assert empty.status_code == 422
    assert "Write a message." in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count(NegotiationMessage.id))) == 1


def test_accepting_when_stock_ran_out_is_a_clear_409(client, db, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer, quantity="60")
    sell_offer.quantity_available = Decimal("40")
    db.session.commit()
    login(seller)
    response = client.post(f"/negotiations/{negotiation.id}/offers/{negotiation.offers[0].id}/accept")
    assert response.status_code == 409
    assert "Only 40 kilogram left." in response.get_data(as_text=True)
    db.session.refresh(negotiation)
    assert negotiation.status == "open"
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_accepting_a_quote_fills_the_buy_request_and_takes_the_named_lot(
    client, db, login, buyer, seller, buy_request, sell_offer
):
    negotiation = start_thread(
        client, login, buy_request, seller, quantity="50", unit_price="3.40", lot_posting_id=str(sell_offer.id)
    )
    login(buyer)
    response = client.post(f"/negotiations/{negotiation.id}/offers/{negotiation.offers[0].id}/accept")
    assert response.status_code == 303
    db.session.refresh(buy_request)
    db.session.refresh(sell_offer)
    assert buy_request.quantity_filled == Decimal("50")
    assert buy_request.status == "closed", "a fully filled buy request closes itself"
    assert sell_offer.quantity_available == Decimal("50")
    order = db.session.scalars(select(Order)).one()
    assert (order.buy_posting_id, order.sell_posting_id, order.seller_lot_reference) == (
        buy_request.id,
        sell_offer.id,
        "WR-2026-1",
    )


def test_a_decision_committed_between_reading_the_thread_and_its_offers_is_refused_as_closed(
    client, db, login, buyer, seller, sell_offer
):
    """A request that read the thread open, then its offers after another request withdrew the offer
    (the interleaving concurrent requests produce), refuses as a later request would."""
    negotiation = start_thread(client, login, sell_offer, buyer, quantity="10")
    offer_id = negotiation.latest_offer.id
    db.session.expire(negotiation, ["offers"])
    assert negotiation.status == "open"
    # The other request's decision, written behind this request's back.
    db.session.execute(
        update(Offer)
        .where(Offer.id == offer_id)
        .values(status="withdrawn")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Negotiation)
        .where(Negotiation.id == negotiation.id)
        .values(status="withdrawn")
        .execution_options(synchronize_session=False)
    )

    with pytest.raises(DomainError, match="This negotiation is closed."):
        negotiations.decline_offer(negotiation, offer_id, seller)
