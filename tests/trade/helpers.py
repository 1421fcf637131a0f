"""Steps shared by the trade tests: form data, and walking an offer or order through the app."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.trade.models import Negotiation, Order


def offer_data(**changes) -> dict:
    data = {"quantity": "10", "unit_price": "3.20", "delivery": "collect", "message": "Can you do 3.20?"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def start_thread(client, login, posting, member, **changes) -> Negotiation:
    """``member`` makes an offer (or quote) on ``posting`` through the form; returns the thread."""
    login(member)
    response = client.post(f"/p/{posting.id}/negotiate", data=offer_data(**changes))
    assert response.status_code == 303, response.get_data(as_text=True)
    negotiation_id = int(re.search(r"/negotiations/(\d+)", response.headers["Location"]).group(1))
    return db.session.get(Negotiation, negotiation_id)


def place_order_by_buy_now(client, login, posting, buyer, quantity="10", delivery="collect") -> Order:
    login(buyer)
    response = client.post(f"/p/{posting.id}/buy", data={"quantity": quantity, "delivery": delivery})
    assert response.status_code == 303, response.get_data(as_text=True)
    order_id = int(re.search(r"/orders/(\d+)", response.headers["Location"]).group(1))
    return db.session.get(Order, order_id)


def step(client, login, order, member, action, note=""):
    """``member`` takes ``action`` on ``order`` through the order page's form; returns the response."""
    login(member)
    return client.post(f"/orders/{order.id}/step", data={"action": action, "note": note})


def walk(client, login, order, *moves):
    """Apply (member, action) moves, asserting each one succeeds."""
    for member, action in moves:
        response = step(client, login, order, member, action)
        assert response.status_code == 303, (action, response.status_code, response.get_data(as_text=True)[:500])


def latest_order(db) -> Order | None:
    return db.session.scalars(select(Order).order_by(Order.id.desc())).first()
