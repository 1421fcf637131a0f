"""Steps shared by the pooled-supply tests: a buy request opened to parts, parts offered through
the pages, and the buyer's answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.pooling.models import PoolPart
from tests.factories import make_member, make_posting


@pytest.fixture
def big_request(client, login, buyer):
    """The buyer wants 3,000 kg of maize (price negotiable), opened to parts of at least 500 kg."""
    posting = make_posting(
        owner=buyer,
        commodity="maize",
        kind="buy",
        title="Wanted: 3 tonnes of maize for our feed mill",
        quantity=Decimal("3000"),
        unit_code="kg",
        price=None,
    )
    login(buyer)
    response = client.post(f"/p/{posting.id}/pool", data={"min_part_quantity": "500"})
    assert response.status_code == 303, response.get_data(as_text=True)
    return posting


@pytest.fixture
def station(db):
    return make_member(display_name="Hilltop information station", is_station_operator=True)


def offer(client, login, posting, seller, quantity, price="2.10", delivery="deliver", note=""):
    login(seller)
    return client.post(
        f"/p/{posting.id}/parts",
        data={"quantity": quantity, "unit_price": price, "delivery": delivery, "note": note},
    )


def offered(client, login, posting, seller, quantity, price="2.10") -> PoolPart:
    response = offer(client, login, posting, seller, quantity, price)
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.scalars(
        select(PoolPart)
        .where(PoolPart.posting_id == posting.id, PoolPart.seller_id == seller.id)
        .order_by(PoolPart.id.desc())
    ).first()


def answer(client, login, part, member, action):
    login(member)
    return client.post(f"/parts/{part.id}/answer", data={"action": action})


def pooled_form(lines, price="2.00", delivery="deliver", note=""):
    data = {"unit_price": price, "delivery": delivery, "note": note}
    for index, (phone, quantity, *name) in enumerate(lines):
        data[f"farmers-{index}-phone"] = phone
        data[f"farmers-{index}-quantity"] = quantity
        data[f"farmers-{index}-name"] = name[0] if name else ""
    return data


def new_seller(name: str):
    return make_member(display_name=name)
