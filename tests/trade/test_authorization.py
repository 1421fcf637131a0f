"""Only the two parties (and admins, who may read) see a negotiation or an order. Everyone else gets
404 on every route — pages, the htmx polling fragment and every POST — and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.trade.models import NegotiationMessage, Offer, OrderEvent
from tests.trade.helpers import offer_data, place_order_by_buy_now, start_thread, walk

HTMX = {"HX-Request": "true"}

NEGOTIATION_ROUTES = [
    ("get", "/negotiations/{n}", {}, {}),
    ("get", "/negotiations/{n}/updates?v=x&f=y", {}, HTMX),
    ("post", "/negotiations/{n}/messages", {"body": "Hello"}, {}),
    ("post", "/negotiations/{n}/messages", {"body": "Hello"}, HTMX),
    ("post", "/negotiations/{n}/counter", offer_data(), {}),
    ("post", "/negotiations/{n}/counter", offer_data(), HTMX),
    ("post", "/negotiations/{n}/offers/{o}/accept", {}, {}),
    ("post", "/negotiations/{n}/offers/{o}/decline", {}, {}),
    ("post", "/negotiations/{n}/offers/{o}/withdraw", {}, {}),
]
ORDER_ROUTES = [
    ("get", "/orders/{order}", {}, {}),
    ("post", "/orders/{order}/step", {"action": "confirm"}, {}),
    ("post", "/orders/{order}/step", {"action": "cancel"}, {}),
    ("post", "/orders/{order}/dispute", {"reason": "Not mine"}, {}),
    ("post", "/orders/{order}/resolve", {"outcome": "full"}, {}),
    ("get", "/orders/{order}/print", {}, {}),
    ("get", "/orders/{order}/review", {}, {}),
    ("post", "/orders/{order}/review", {"rating": "1", "comment": "Spam"}, {}),
]


@pytest.fixture
def thread(client, login, buyer, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    return {"n": negotiation.id, "o": negotiation.offers[0].id}


@pytest.fixture
def completed_order(client, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
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
    return {"order": order.id}


def _call(client, method, url, data, headers):
    if method == "get":
        return client.get(url, headers=headers)
    return client.post(url, data=dict(data), headers=headers)


def _state(db):
    return (
        db.session.scalar(select(func.count(Offer.id))),
        db.session.scalar(select(func.count(NegotiationMessage.id))),
        db.session.scalar(select(func.count(OrderEvent.id))),
    )


@pytest.mark.parametrize("method, path, data, headers", NEGOTIATION_ROUTES)
def test_strangers_get_404_on_every_negotiation_route(client, db, login, stranger, thread, method, path, data, headers):
    before = _state(db)
    login(stranger)
    response = _call(client, method, path.format(**thread), data, headers)
    assert response.status_code == 404
    assert _state(db) == before


@pytest.mark.parametrize("method, path, data, headers", ORDER_ROUTES)
def test_strangers_get_404_on_every_order_route(
    client, db, login, stranger, completed_order, method, path, data, headers
):
    before = _state(db)
    login(stranger)
    response = _call(client, method, path.format(**completed_order), data, headers)
    assert response.status_code == 404
    assert _state(db) == before


def test_unknown_ids_are_404_too(client, login, buyer):
    login(buyer)
    for url in ("/negotiations/999", "/orders/999", "/orders/999/print", "/orders/999/review"):
        assert client.get(url).status_code == 404, url
    assert client.post("/orders/999/step", data={"action": "confirm"}).status_code == 404
    assert client.post("/negotiations/999/offers/1/accept").status_code == 404


def test_admins_can_read_but_not_act_for_the_parties(client, db, login, admin, thread, completed_order):
    login(admin)
    for url in (
        f"/negotiations/{thread['n']}",
        f"/orders/{completed_order['order']}",
        f"/orders/{completed_order['order']}/print",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/negotiations/{thread['n']}/updates?v=x", headers=HTMX).status_code == 200
    page = client.get(f"/negotiations/{thread['n']}").get_data(as_text=True)
    assert "You are reading this negotiation as an admin." in page
    before = _state(db)
    assert client.post(f"/negotiations/{thread['n']}/messages", data={"body": "Admin here"}).status_code == 403
    assert client.post(f"/negotiations/{thread['n']}/offers/{thread['o']}/accept").status_code == 403
    assert client.post(f"/orders/{completed_order['order']}/step", data={"action": "cancel"}).status_code == 403
    assert (
        client.post(f"/orders/{completed_order['order']}/review", data={"rating": "1", "comment": "x"}).status_code
        == 403
    )
    assert _state(db) == before


def test_visitors_are_sent_to_log_in(client, thread, completed_order):
    with client.session_transaction() as session:
        session.clear()
    for url in (f"/negotiations/{thread['n']}", f"/orders/{completed_order['order']}", "/orders", "/negotiations"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_the_dispute_queue_is_for_admins_only(client, login, buyer, admin):
    login(buyer)
    assert client.get("/admin/disputes").status_code == 403
    login(admin)
    assert client.get("/admin/disputes").status_code == 200


def test_the_parties_see_their_thread_and_order(client, login, buyer, seller, thread, completed_order):
    for member in (buyer, seller):
        login(member)
        assert client.get(f"/negotiations/{thread['n']}").status_code == 200
        assert client.get(f"/orders/{completed_order['order']}").status_code == 200
