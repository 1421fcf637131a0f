"""Negotiation over a whole basket: the buyer asks one seller for a price for all their lots (may
propose prices), the seller quotes a price per lot, the buyer's acceptance places one order at those
prices with each line's stock taken; decline and withdraw close it; only the parties see it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.postings.models import Posting
from app.trade.lines import lines_of
from app.trade.models import BasketItem, BasketQuote, Order
from tests.factories import make_member, make_order, make_posting
from tests.trade.concurrency import assert_stock_adds_up


@pytest.fixture
def lots(seller):
    rice = make_posting(
        owner=seller,
        commodity="rice",
        title="Fragrant rice",
        quantity=Decimal("100"),
        unit_code="kg",
        price=Decimal("3.50"),
    )
    millet = make_posting(
        owner=seller,
        commodity="millet",
        title="Yellow millet",
        quantity=Decimal("40"),
        unit_code="kg",
        price=Decimal("6.00"),
    )
    return rice, millet


def _fill(client, login, buyer, lots):
    login(buyer)
    for posting, quantity in zip(lots, ("10", "5"), strict=True):
        assert client.post(f"/p/{posting.id}/basket", data={"quantity": quantity}).status_code == 303


def _item_ids(buyer) -> list[int]:
    return list(
        db.session.scalars(select(BasketItem.id).where(BasketItem.buyer_id == buyer.id).order_by(BasketItem.id))
    )


def _request(client, seller, buyer, prices=("3.00", "")):
    data = {"delivery": "collect", "message": "Regular weekly order"}
    for item_id, price in zip(_item_ids(buyer), prices, strict=True):
        data[f"price_{item_id}"] = price
    response = client.post(f"/basket/sellers/{seller.id}/quote", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return db.session.get(BasketQuote, int(re.search(r"/basket-quotes/(\d+)", response.headers["Location"]).group(1)))


def _answer(client, quote, prices=("3.20", "5.50")):
    data = {f"price_{line.id}": price for line, price in zip(quote.lines, prices, strict=True)}
    return client.post(f"/basket-quotes/{quote.id}/answer", data={**data, "message": "Deal for regulars"})


def _available(posting_id):
    db.session.expire_all()
    return db.session.scalar(select(Posting.quantity_available).where(Posting.id == posting_id))


def test_request_answer_accept_places_one_order_at_the_quoted_prices(client, login, seller, buyer, lots):
    rice, millet = lots
    _fill(client, login, buyer, lots)
    quote = _request(client, seller, buyer)
    assert [line.asked_price for line in quote.lines] == [Decimal("3.00"), None]
    assert _available(rice.id) == Decimal("100")  # asking reserves nothing

    login(seller)
    page = client.get(f"/basket-quotes/{quote.id}").get_data(as_text=True)
    assert "Regular weekly order" in page and "Fragrant rice" in page and "¥3.00" in page
    assert _answer(client, quote).status_code == 303

    login(buyer)
    page = client.get(f"/basket-quotes/{quote.id}").get_data(as_text=True)
    assert "¥59.50" in page  # 10 × 3.20 + 5 × 5.50
    response = client.post(f"/basket-quotes/{quote.id}/accept")
    assert response.status_code == 303
    order = db.session.scalars(select(Order)).one()
    assert response.headers["Location"].endswith(f"/orders/{order.id}")
    assert [(line.title, line.unit_price, line.total) for line in lines_of(order)] == [
        ("Fragrant rice", Decimal("3.20"), Decimal("32.00")),
        ("Yellow millet", Decimal("5.50"), Decimal("27.50")),
    ]
    assert order.total == Decimal("59.50") and order.delivery == "collect"
    assert _available(rice.id) == Decimal("90") and _available(millet.id) == Decimal("35")
    db.session.expire_all()
    assert db.session.get(BasketQuote, quote.id).status == "accepted"
    assert db.session.get(BasketQuote, quote.id).order_id == order.id
    assert _item_ids(buyer) == []  # the lots left the basket
    assert client.post(f"/basket-quotes/{quote.id}/accept").status_code == 409  # once only
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert_stock_adds_up()


def test_only_the_parties_see_a_quote_and_each_does_only_their_part(client, login, seller, buyer, stranger, lots):
    _fill(client, login, buyer, lots)
    quote = _request(client, seller, buyer)
    assert client.post(f"/basket-quotes/{quote.id}/accept").status_code == 409  # not quoted yet
    assert _answer(client, quote).status_code == 409  # the buyer cannot quote
    login(stranger)
    assert client.get(f"/basket-quotes/{quote.id}").status_code == 404
    assert _answer(client, quote).status_code == 404
    assert client.post(f"/basket-quotes/{quote.id}/decline").status_code == 404
    login(seller)
    assert _answer(client, quote).status_code == 303
    assert client.post(f"/basket-quotes/{quote.id}/accept").status_code == 409  # the seller cannot accept
    assert client.post(f"/basket-quotes/{quote.id}/withdraw").status_code == 409


def test_the_seller_must_price_every_lot(client, login, seller, buyer, lots):
    _fill(client, login, buyer, lots)
    quote = _request(client, seller, buyer)
    login(seller)
    response = _answer(client, quote, prices=("3.20", ""))
    assert response.status_code == 422 and "Enter a price for every lot." in response.get_data(as_text=True)
    response = _answer(client, quote, prices=("3.20", "-1"))
    assert response.status_code == 422 and "Price must be greater than 0." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(BasketQuote, quote.id).status == "requested"


def test_decline_and_withdraw_close_the_request(client, login, seller, buyer, lots):
    _fill(client, login, buyer, lots)
    first = _request(client, seller, buyer)
    # One open request per seller at a time.
    data = {"delivery": "collect", **{f"price_{i}": "" for i in _item_ids(buyer)}}
    assert client.post(f"/basket/sellers/{seller.id}/quote", data=data).status_code == 409
    assert client.post(f"/basket-quotes/{first.id}/withdraw").status_code == 303
    second = _request(client, seller, buyer)
    login(seller)
    assert client.post(f"/basket-quotes/{second.id}/decline").status_code == 303
    assert _answer(client, second).status_code == 409
    db.session.expire_all()
    assert [db.session.get(BasketQuote, q.id).status for q in (first, second)] == ["withdrawn", "declined"]
    login(buyer)
    assert "Declined" in client.get("/basket-quotes").get_data(as_text=True)
    assert len(_item_ids(buyer)) == 2  # still in the basket to buy at listed prices


def test_accepting_after_a_lot_sold_out_orders_nothing(client, login, seller, buyer, lots):
    rice, millet = lots
    _fill(client, login, buyer, lots)
    quote = _request(client, seller, buyer)
    login(seller)
    _answer(client, quote)
    make_order(posting=millet, buyer=make_member(display_name="Quick Buyer"), quantity="38")
    login(buyer)
    response = client.post(f"/basket-quotes/{quote.id}/accept")
    assert response.status_code == 409 and "Yellow millet: Only 2 kilogram left." in response.get_data(as_text=True)
    assert _available(rice.id) == Decimal("100")
    db.session.expire_all()
    assert db.session.get(BasketQuote, quote.id).status == "quoted"  # still open to try again later
    assert_stock_adds_up()


def test_a_request_needs_lots_of_that_seller_in_the_basket(client, login, seller, buyer, stranger, lots):
    login(buyer)
    assert client.get(f"/basket/sellers/{seller.id}/quote").status_code == 404
    _fill(client, login, buyer, lots)
    page = client.get(f"/basket/sellers/{seller.id}/quote")
    assert page.status_code == 200 and "Yellow millet" in page.get_data(as_text=True)
    login(stranger)
    assert client.get(f"/basket/sellers/{seller.id}/quote").status_code == 404


def _messages(member, event):
    """The outbox rows of ``event`` for ``member``, by channel: the SMS text and e-mail subject."""
    from app.notify.models import Notification

    db.session.expire_all()
    rows = db.session.scalars(
        select(Notification).where(Notification.member_id == member.id, Notification.event == event)
    ).all()
    return {row.channel: (row.body if row.channel == "sms" else row.subject) for row in rows}


def test_each_step_of_a_price_request_tells_the_other_party(client, login, seller, buyer, lots):
    seller.email, buyer.email = "seller@example.com", "buyer@example.com"
    db.session.commit()
    _fill(client, login, buyer, lots)
    quote = _request(client, seller, buyer)
    asked = _messages(seller, "basket_quote_requested")
    assert "asks your price for 2 lots" in asked["sms"] and f"/bq/{quote.id}" in asked["sms"]
    assert asked["email"] == f"Price request from {buyer.display_name}"
    assert client.get(f"/bq/{quote.id}").headers["Location"].endswith(f"/basket-quotes/{quote.id}")

    login(seller)
    assert _answer(client, quote).status_code == 303
    priced = _messages(buyer, "basket_quote_priced")
    assert "priced your 2 lots" in priced["sms"] and priced["email"]

    login(buyer)
    assert client.post(f"/basket-quotes/{quote.id}/decline").status_code == 303
    assert "declined the price request for 2 lots" in _messages(seller, "basket_quote_declined")["sms"]
    assert _messages(buyer, "basket_quote_declined") == {}  # the one who declined is not told


def test_a_seller_declining_tells_the_buyer_and_a_withdrawal_tells_the_seller(client, login, seller, buyer, lots):
    _fill(client, login, buyer, lots)
    first = _request(client, seller, buyer)
    login(seller)
    assert client.post(f"/basket-quotes/{first.id}/decline").status_code == 303
    assert "declined" in _messages(buyer, "basket_quote_declined")["sms"]

    login(buyer)
    second = _request(client, seller, buyer)
    assert client.post(f"/basket-quotes/{second.id}/withdraw").status_code == 303
    assert "withdrew the price request" in _messages(seller, "basket_quote_withdrawn")["sms"]
