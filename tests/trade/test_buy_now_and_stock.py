"""Buy now at the listed price, the available quantity dropping atomically, postings closing at
zero and reopening when an order is cancelled, and 409 "only N left" instead of oversell."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text, true
from sqlalchemy.exc import IntegrityError

from app.postings import stock
from app.trade.models import Order
from tests.factories import make_posting
from tests.trade.helpers import place_order_by_buy_now


def test_buy_now_places_an_order_at_the_listed_price(client, db, login, buyer, seller, sell_offer):
    login(buyer)
    page = client.get(f"/p/{sell_offer.id}").get_data(as_text=True)
    assert "Buy now" in page and "Available now: 100 kilogram" in page

    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="12.5")
    assert (order.quantity, order.unit_price, order.total, order.status) == (
        Decimal("12.5"),
        Decimal("3.50"),
        Decimal("43.75"),
        "placed",
    )
    assert order.bought_now and order.negotiation_id is None
    assert (order.buyer_id, order.seller_id) == (buyer.id, seller.id)
    db.session.refresh(sell_offer)
    assert sell_offer.quantity_available == Decimal("87.5")
    assert [(e.from_status, e.to_status, e.actor_id) for e in order.events] == [(None, "placed", buyer.id)]


def test_amounts_are_quantity_times_price_rounded_to_the_cent(client, db, login, buyer, seller):
    posting = make_posting(
        owner=seller, commodity="rice", quantity=Decimal("10"), unit_code="kg", price=Decimal("1.15")
    )
    order = place_order_by_buy_now(client, login, posting, buyer, quantity="3.333")
    assert order.total == Decimal("3.83")  # 3.83295 → 3.83
    order = place_order_by_buy_now(client, login, posting, buyer, quantity="0.003")
    assert order.total == Decimal("0.00")  # 0.00345 → 0.00


def test_buying_everything_closes_the_posting(client, db, login, buyer, sell_offer):
    place_order_by_buy_now(client, login, sell_offer, buyer, quantity="100")
    db.session.refresh(sell_offer)
    assert (sell_offer.quantity_available, sell_offer.status) == (Decimal("0"), "closed")
    assert "Sold out" in client.get(f"/p/{sell_offer.id}").get_data(as_text=True)


def test_buying_more_than_is_left_is_a_409_saying_how_much_is_left(client, db, login, buyer, sell_offer):
    place_order_by_buy_now(client, login, sell_offer, buyer, quantity="95")
    response = client.post(f"/p/{sell_offer.id}/buy", data={"quantity": "10", "delivery": "collect"})
    assert response.status_code == 409
    assert "Only 5 kilogram left." in response.get_data(as_text=True)
    db.session.refresh(sell_offer)
    assert sell_offer.quantity_available == Decimal("5")
    assert db.session.scalar(select(func.count(Order.id))) == 1


def test_a_sold_out_offer_says_so(client, db, login, buyer, sell_offer):
    place_order_by_buy_now(client, login, sell_offer, buyer, quantity="100")
    response = client.post(f"/p/{sell_offer.id}/buy", data={"quantity": "1", "delivery": "collect"})
    assert response.status_code == 409
    assert "sold out" in response.get_data(as_text=True)


def test_the_check_constraint_is_the_last_guard_and_still_a_409(client, db, login, buyer, sell_offer, monkeypatch):
    # Remove the conditional UPDATE's guard, as a bug would: the CHECK constraint still refuses.
    monkeypatch.setattr(stock, "_enough_stock", lambda quantity: true())
    login(buyer)
    response = client.post(f"/p/{sell_offer.id}/buy", data={"quantity": "101", "delivery": "collect"})
    assert response.status_code == 409
    assert "Only 100 kilogram left." in response.get_data(as_text=True)
    db.session.refresh(sell_offer)
    assert sell_offer.quantity_available == Decimal("100")
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_the_database_refuses_negative_stock(db, sell_offer):
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE posting SET quantity_available = -1 WHERE id = :id"), {"id": sell_offer.id})
        db.session.flush()
    db.session.rollback()


def test_negotiable_offers_have_no_buy_now(client, db, login, buyer, seller):
    posting = make_posting(owner=seller, commodity="rice", quantity=Decimal("10"), unit_code="kg", price=None)
    login(buyer)
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert "Buy now" not in page and "Make an offer" in page
    response = client.post(f"/p/{posting.id}/buy", data={"quantity": "1", "delivery": "collect"})
    assert response.status_code == 409
    assert "Make an offer instead." in response.get_data(as_text=True)


def test_sellers_cannot_buy_their_own_offer(client, login, seller, sell_offer):
    login(seller)
    response = client.post(f"/p/{sell_offer.id}/buy", data={"quantity": "1", "delivery": "collect"})
    assert response.status_code == 409


@pytest.mark.parametrize("quantity", ["", "abc", "NaN", "-1", "0", "Infinity", "1e3", "0.0001", "10000000000"])
def test_bad_quantities_are_refused_beside_the_field(client, db, login, buyer, sell_offer, quantity):
    login(buyer)
    response = client.post(f"/p/{sell_offer.id}/buy", data={"quantity": quantity, "delivery": "collect"})
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_minimum_order_applies_to_buy_now_except_for_the_rest(client, db, login, buyer, seller):
    posting = make_posting(
        owner=seller,
        commodity="rice",
        quantity=Decimal("30"),
        unit_code="kg",
        price=Decimal("4"),
        min_order=Decimal("20"),
    )
    login(buyer)
    response = client.post(f"/p/{posting.id}/buy", data={"quantity": "5", "delivery": "collect"})
    assert response.status_code == 422
    assert "The minimum order is 20 kilogram." in response.get_data(as_text=True)
    place_order_by_buy_now(client, login, posting, buyer, quantity="22")
    place_order_by_buy_now(client, login, posting, buyer, quantity="8")  # the last 8 may be taken


def test_visitors_are_sent_to_log_in_and_csrf_is_required(client, login, buyer, sell_offer):
    response = client.post(f"/p/{sell_offer.id}/buy", data={"quantity": "1", "delivery": "collect"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(buyer)
    response = client.post(f"/p/{sell_offer.id}/buy", data={"quantity": "1", "delivery": "collect"}, csrf=False)
    assert response.status_code == 400


def test_the_buy_now_page_works_without_javascript(client, login, buyer, sell_offer):
    login(buyer)
    page = client.get(f"/p/{sell_offer.id}/buy")
    assert page.status_code == 200
    assert f'action="/p/{sell_offer.id}/buy"' in page.get_data(as_text=True)


def test_editing_the_quantity_moves_what_is_available(client, db, login, buyer, sell_offer):
    place_order_by_buy_now(client, login, sell_offer, buyer, quantity="30")
    db.session.refresh(sell_offer)
    sell_offer.quantity = Decimal("120")
    db.session.commit()
    db.session.refresh(sell_offer)
    assert sell_offer.quantity_available == Decimal("90")
    sell_offer.quantity = Decimal("10")
    db.session.commit()
    db.session.refresh(sell_offer)
    assert sell_offer.quantity_available == Decimal("0"), "never below zero"


def test_new_postings_start_with_everything_available(db, seller):
    posting = make_posting(owner=seller, commodity="rice", quantity=Decimal("42.5"), unit_code="kg", price=Decimal("4"))
    assert (posting.quantity_available, posting.quantity_filled) == (Decimal("42.5"), Decimal("0"))
