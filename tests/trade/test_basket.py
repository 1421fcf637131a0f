"""Basket orders (购物车, issue 24 point 1): lots of one seller become one order with a line each,
lots of different sellers one order per seller; every line takes its own stock; the basket is the
buyer's alone; a double submit places each order once; cancelling gives every line back."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.members.models import Storefront
from app.postings.models import Posting
from app.trade.lines import lines_of
from app.trade.models import BasketItem, Order, OrderLine
from tests.factories import make_member, make_order, make_posting
from tests.trade.concurrency import assert_stock_adds_up
from tests.trade.helpers import place_order_by_buy_now, walk

KEY = "k" * 24


@pytest.fixture
def other_seller(db):
    member = make_member(display_name="Farmer Liu")
    db.session.add(Storefront(member=member, slug="liu-orchard", name="Liu Orchard", province_code="37"))
    db.session.commit()
    return member


def _lot(owner, title, quantity="100", price="3.50", **extra):
    return make_posting(
        owner=owner,
        commodity=extra.pop("commodity", "rice"),
        title=title,
        quantity=Decimal(quantity),
        unit_code="kg",
        price=Decimal(price),
        **extra,
    )


def _add(client, posting, quantity):
    return client.post(f"/p/{posting.id}/basket", data={"quantity": quantity})


def _available(posting_id: int) -> Decimal:
    db.session.expire_all()
    return db.session.scalar(select(Posting.quantity_available).where(Posting.id == posting_id))


def _checkout(client, deliveries: dict, key=KEY, **extra):
    data = {"checkout_key": key, **{f"delivery-{seller_id}": option for seller_id, option in deliveries.items()}}
    data.update(extra)
    return client.post("/basket/checkout", data=data)


def _orders(buyer) -> list[Order]:
    db.session.expire_all()
    return list(db.session.scalars(select(Order).where(Order.buyer_id == buyer.id).order_by(Order.id)))


def test_lots_of_one_seller_become_one_order_with_a_line_each(client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice", price="3.50")
    millet = _lot(seller, "Yellow millet", commodity="millet", quantity="40", price="6.00")
    login(buyer)
    assert _add(client, rice, "10").status_code == 303
    assert _add(client, millet, "4.5").status_code == 303

    page = client.get("/basket").get_data(as_text=True)
    assert "Fragrant rice" in page and "Yellow millet" in page and "Wang Family Farm" in page
    assert "¥62.00" in page  # 10 × 3.50 + 4.5 × 6.00

    response = _checkout(client, {seller.id: "collect"})
    assert response.status_code == 303
    [order] = _orders(buyer)
    assert response.headers["Location"].endswith(f"/orders/{order.id}")
    assert [(line.title, line.quantity, line.unit_price, line.total) for line in lines_of(order)] == [
        ("Fragrant rice", Decimal("10.000"), Decimal("3.50"), Decimal("35.00")),
        ("Yellow millet", Decimal("4.500"), Decimal("6.00"), Decimal("27.00")),
    ]
    assert order.total == Decimal("62.00")
    assert order.is_basket and order.posting_id == rice.id and order.sell_posting_id == rice.id
    assert order.delivery == "collect" and order.status == "placed"
    assert _available(rice.id) == Decimal("90") and _available(millet.id) == Decimal("35.5")
    assert db.session.scalar(select(func.count(BasketItem.id))) == 0

    order_page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    note = client.get(f"/orders/{order.id}/print").get_data(as_text=True)
    for text in (order_page, note):
        assert "Fragrant rice" in text and "Yellow millet" in text and "¥62.00" in text
    login(seller)
    assert "Yellow millet" in client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "and 1 more lots" in client.get("/orders?role=selling").get_data(as_text=True)
    assert_stock_adds_up()


def test_lots_of_two_sellers_become_one_order_per_seller(client, login, seller, other_seller, buyer):
    rice = _lot(seller, "Fragrant rice")
    apples = _lot(other_seller, "Yantai apples", commodity="apple", price="8.00")
    login(buyer)
    _add(client, rice, "2")
    _add(client, apples, "3")

    response = _checkout(client, {seller.id: "collect", other_seller.id: "deliver"})

    assert response.status_code == 303 and "/orders" in response.headers["Location"]
    orders = _orders(buyer)
    assert [(o.seller_id, o.delivery, o.total, len(o.lines)) for o in orders] == [
        (seller.id, "collect", Decimal("7.00"), 1),
        (other_seller.id, "deliver", Decimal("24.00"), 1),
    ]


def test_only_the_buyer_sees_and_changes_their_basket(client, login, seller, buyer, stranger):
    rice = _lot(seller, "Fragrant rice")
    login(buyer)
    _add(client, rice, "2")
    item = db.session.scalar(select(BasketItem))

    other = client.application.test_client()
    login(stranger, other)
    assert "Fragrant rice" not in other.get("/basket").get_data(as_text=True)
    assert other.post(f"/basket/items/{item.id}", data={"action": "remove"}).status_code == 404
    assert other.post(f"/basket/items/{item.id}", data={f"item-{item.id}-quantity": "9"}).status_code == 404
    assert _checkout(other, {seller.id: "collect"}).status_code == 303  # the stranger's own, empty basket
    assert db.session.get(BasketItem, item.id).quantity == Decimal("2") and not _orders(stranger)
    assert client.application.test_client().get("/basket").status_code == 302


def test_basket_posts_need_a_csrf_token(client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice")
    login(buyer)
    assert client.post(f"/p/{rice.id}/basket", data={"quantity": "1"}, csrf=False).status_code == 400
    assert client.post("/basket/checkout", data={"checkout_key": KEY}, csrf=False).status_code == 400


def test_own_postings_buy_requests_and_negotiable_offers_stay_out(client, login, seller, buyer, buy_request):
    own = _lot(buyer, "My own rice")
    negotiable = make_posting(owner=seller, commodity="rice", title="Ask me", price=None, unit_code="kg")
    login(buyer)
    assert "own offer" in _add(client, own, "1").get_data(as_text=True)
    assert _add(client, own, "1").status_code == 409
    assert _add(client, negotiable, "1").status_code == 409
    login(seller)
    assert _add(client, buy_request, "1").status_code == 409
    assert db.session.scalar(select(func.count(BasketItem.id))) == 0


def test_quantity_must_be_within_stock_and_minimum(client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice", quantity="20", min_order=Decimal("5"))
    login(buyer)
    too_many = _add(client, rice, "21")
    assert too_many.status_code == 422 and "Only 20 kilogram left." in too_many.get_data(as_text=True)
    too_few = _add(client, rice, "2")
    assert too_few.status_code == 422 and "The minimum order is 5 kilogram." in too_few.get_data(as_text=True)
    assert _add(client, rice, "5").status_code == 303
    item = db.session.scalar(select(BasketItem))
    changed = client.post(f"/basket/items/{item.id}", data={f"item-{item.id}-quantity": "25", "action": "update"})
    assert changed.status_code == 422 and "Only 20 kilogram left." in changed.get_data(as_text=True)
    assert (
        client.post(f"/basket/items/{item.id}", data={f"item-{item.id}-quantity": "8", "action": "update"}).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(BasketItem, item.id).quantity == Decimal("8")
    # Adding the same lot again sets its quantity; it stays one line.
    assert _add(client, rice, "6").status_code == 303
    assert db.session.scalar(select(func.count(BasketItem.id))) == 1


def test_a_sold_out_lot_stops_its_sellers_order_only(client, login, seller, other_seller, buyer):
    rice = _lot(seller, "Fragrant rice", quantity="10")
    millet = _lot(seller, "Yellow millet", commodity="millet", quantity="10")
    apples = _lot(other_seller, "Yantai apples", commodity="apple")
    login(buyer)
    _add(client, rice, "3")
    _add(client, millet, "8")
    _add(client, apples, "1")
    make_order(posting=millet, buyer=make_member(display_name="Quick Buyer"), quantity="5")
    login(buyer)

    response = _checkout(client, {seller.id: "collect", other_seller.id: "collect"})

    assert response.status_code == 409
    assert "Yellow millet: Only 5 kilogram left." in response.get_data(as_text=True)
    orders = _orders(buyer)
    assert [order.seller_id for order in orders] == [other_seller.id]
    assert _available(rice.id) == Decimal("10")  # nothing of the refused order was taken
    assert db.session.scalar(select(func.count(BasketItem.id)).where(BasketItem.buyer_id == buyer.id)) == 2
    assert_stock_adds_up()


def test_a_line_losing_the_race_at_checkout_takes_nothing(app, client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice", quantity="10")
    millet = _lot(seller, "Yellow millet", commodity="millet", quantity="10")
    login(buyer)
    _add(client, rice, "3")
    _add(client, millet, "8")
    # Between the basket's check and its stock UPDATE another buyer took the millet.
    from app.postings import stock

    stock.take_stock(millet.id, Decimal("5"))
    db.session.commit()
    make_order_line_free = db.session.scalar(select(func.count(OrderLine.id)))
    response = _checkout(client, {seller.id: "collect"})
    assert response.status_code == 409
    assert _available(rice.id) == Decimal("10")
    assert db.session.scalar(select(func.count(OrderLine.id))) == make_order_line_free


def test_delivery_must_suit_every_lot_of_the_seller(client, login, seller, buyer):
    collect_only = _lot(seller, "Fragrant rice", delivery="collect")
    deliver_only = _lot(seller, "Yellow millet", commodity="millet", delivery="deliver")
    login(buyer)
    _add(client, collect_only, "1")
    _add(client, deliver_only, "1")
    assert "do not share a delivery option" in client.get("/basket").get_data(as_text=True)
    response = _checkout(client, {seller.id: "collect"})
    assert response.status_code == 409 and "every lot of this seller allows" in response.get_data(as_text=True)
    assert not _orders(buyer)


def test_submitting_the_same_basket_page_twice_places_one_order(client, login, seller, other_seller, buyer):
    rice = _lot(seller, "Fragrant rice")
    apples = _lot(other_seller, "Yantai apples", commodity="apple")
    login(buyer)
    _add(client, rice, "2")
    _add(client, apples, "2")
    first = _checkout(client, {seller.id: "collect", other_seller.id: "collect"})
    again = _checkout(client, {seller.id: "collect", other_seller.id: "collect"})
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert len(_orders(buyer)) == 2
    assert _available(rice.id) == Decimal("98")
    # A fresh page (a new key) with an empty basket orders nothing.
    assert _checkout(client, {}, key="n" * 24).headers["Location"].endswith("/basket")
    assert len(_orders(buyer)) == 2


def test_ordering_one_seller_leaves_the_others_in_the_basket(client, login, seller, other_seller, buyer):
    rice = _lot(seller, "Fragrant rice")
    apples = _lot(other_seller, "Yantai apples", commodity="apple")
    login(buyer)
    _add(client, rice, "2")
    _add(client, apples, "2")
    response = _checkout(client, {seller.id: "collect", other_seller.id: "collect"}, seller=str(other_seller.id))
    assert response.status_code == 303
    assert [order.seller_id for order in _orders(buyer)] == [other_seller.id]
    assert "Fragrant rice" in client.get("/basket").get_data(as_text=True)


def test_a_malformed_checkout_key_orders_nothing(client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice")
    login(buyer)
    _add(client, rice, "2")
    response = _checkout(client, {seller.id: "collect"}, key="short")
    assert response.status_code == 409 and not _orders(buyer)


def test_cancelling_a_basket_order_gives_every_line_back(client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice")
    millet = _lot(seller, "Yellow millet", commodity="millet", quantity="40")
    login(buyer)
    _add(client, rice, "10")
    _add(client, millet, "40")  # all of it: the offer closes itself
    _checkout(client, {seller.id: "collect"})
    [order] = _orders(buyer)
    assert db.session.get(Posting, millet.id).status == "closed"

    walk(client, login, order, (seller, "confirm"), (seller, "cancel"))

    assert _available(rice.id) == Decimal("100") and _available(millet.id) == Decimal("40")
    assert db.session.get(Posting, millet.id).status == "active"
    assert_stock_adds_up()


def test_basket_orders_go_through_payment_shipping_and_completion(client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice")
    millet = _lot(seller, "Yellow millet", commodity="millet", quantity="40", price="6.00")
    login(buyer)
    _add(client, rice, "10")
    _add(client, millet, "5")
    _checkout(client, {seller.id: "collect"})
    [order] = _orders(buyer)
    walk(
        client,
        login,
        order,
        (seller, "confirm"),
        (seller, "pay"),
        (seller, "ship"),
        (buyer, "deliver"),
        (buyer, "complete"),
    )
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "completed"
    assert db.session.get(Order, order.id).total == Decimal("65.00")
    # The seller's dashboard counts each lot under its own commodity.
    login(seller)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Rice" in dashboard and "Millet" in dashboard and "¥35.00" in dashboard and "¥30.00" in dashboard


def test_single_lot_orders_have_one_line_like_their_own_columns(client, login, sell_offer, buyer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="7")
    [line] = lines_of(order)
    assert (line.posting_id, line.sell_posting_id, line.title, line.quantity, line.unit_price, line.total) == (
        order.posting_id,
        order.sell_posting_id,
        order.title,
        order.quantity,
        order.unit_price,
        order.total,
    )
    assert line.seller_lot_reference == "WR-2026-1" and not order.is_basket


def test_add_to_basket_with_htmx_answers_with_a_fragment(client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice")
    login(buyer)
    response = client.post(f"/p/{rice.id}/basket", data={"quantity": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and "is in your basket" in body
    refused = client.post(f"/p/{rice.id}/basket", data={"quantity": "1000"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Only 100 kilogram left." in refused.get_data(as_text=True)


def test_posting_page_offers_the_basket_to_other_members_only(client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice")
    login(buyer)
    assert "Add to basket" in client.get(f"/p/{rice.id}").get_data(as_text=True)
    login(seller)
    assert "Add to basket" not in client.get(f"/p/{rice.id}").get_data(as_text=True)


def test_basket_page_numbers_match_the_order_number_format(client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice")
    login(buyer)
    _add(client, rice, "1")
    response = _checkout(client, {seller.id: "collect"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"Order J\d{7}", page)


def test_a_basket_order_is_accepted_in_full_only(client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice")
    millet = _lot(seller, "Yellow millet", commodity="millet", quantity="40")
    login(buyer)
    _add(client, rice, "10")
    _add(client, millet, "5")
    _checkout(client, {seller.id: "collect"})
    [order] = _orders(buyer)
    walk(client, login, order, (seller, "confirm"), (seller, "pay"), (seller, "ship"), (buyer, "deliver"))
    login(buyer)
    page = client.get(f"/orders/{order.id}/acceptance").get_data(as_text=True)
    assert "Yellow millet" in page and "accepted in full" in page
    partial = client.post(
        f"/orders/{order.id}/acceptance", data={"kind": "part", "quantity_received": "3", "reason": "short"}
    )
    assert partial.status_code == 422 and "accepted in full" in partial.get_data(as_text=True)
    assert client.post(f"/orders/{order.id}/acceptance", data={"kind": "all"}).status_code == 303


def test_the_public_trace_page_lists_every_lot_without_prices(client, login, seller, buyer):
    rice = _lot(seller, "Fragrant rice", harvest_date=None)
    apples = _lot(seller, "Yantai apples", commodity="apple", province_code="37", price="8.00")
    login(buyer)
    _add(client, rice, "1")
    _add(client, apples, "1")
    _checkout(client, {seller.id: "collect"})
    [order] = _orders(buyer)
    page = client.application.test_client().get(f"/t/{order.lot_code}").get_data(as_text=True)
    assert "Rice" in page and "Apple" in page and "Shandong" in page
    assert "¥" not in page and buyer.phone not in page
