"""Basket checkouts under a real race (PostgreSQL row locks; SQLite queues under BEGIN IMMEDIATE):
two buyers whose baskets hold the last stock of one lot — one order, nothing over-reserved, the
loser keeps nothing of their other lot either; ten submits of one basket page — one order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.postings.models import Posting
from app.trade.baskets import add_to_basket
from app.trade.models import BasketItem, Order, OrderLine
from tests.factories import make_member, make_posting
from tests.trade.concurrency import (  # noqa: F401 (fixtures)
    THREADS,
    assert_no_server_errors,
    race,
    race_app,
    signed_in,
    statuses,
    stock_invariant,
)

pytestmark = pytest.mark.usefixtures("stock_invariant")
KEY = "race-basket-key-0001"


def _lot(seller, title, quantity, commodity="rice"):
    return make_posting(
        owner=seller,
        commodity=commodity,
        title=title,
        quantity=Decimal(quantity),
        unit_code="kg",
        price=Decimal("4.00"),
    )


def _fill_basket(buyer, *lots):
    for posting, quantity in lots:
        add_to_basket(buyer, posting, Decimal(quantity))
    db.session.commit()


def _available(posting_id: int) -> Decimal:
    return db.session.scalar(select(Posting.quantity_available).where(Posting.id == posting_id))


def test_two_buyers_racing_for_the_last_stock_of_a_line_one_wins(race_app, seller):
    last = _lot(seller, "Last five sacks", "5")
    plenty = _lot(seller, "Plenty of millet", "100", commodity="millet")
    buyers = [make_member(display_name=f"Basket Buyer {n}") for n in range(2)]
    for buyer in buyers:
        _fill_basket(buyer, (last, "5"), (plenty, "10"))

    outcomes = race(
        [
            (
                signed_in(race_app, buyer),
                "/basket/checkout",
                {"data": {"checkout_key": f"{KEY}-{n}", f"delivery-{seller.id}": "collect"}},
            )
            for n, buyer in enumerate(buyers)
        ]
    )

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: 1}
    loser = next(outcome for outcome in outcomes if outcome.status == 409)
    # Named lot: "sold out" when it lost the UPDATE, "not taking orders" when it read the closed offer.
    assert "Last five sacks: Sorry, this offer has sold out." in loser.body or (
        "Last five sacks: This offer is not taking orders at the moment." in loser.body
    )
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert _available(last.id) == Decimal(0)
    assert _available(plenty.id) == Decimal(90)  # the loser's millet line took nothing
    sold = db.session.scalar(select(func.sum(OrderLine.quantity)).where(OrderLine.sell_posting_id == last.id))
    assert sold == Decimal(5)
    # The loser's basket still holds both lots.
    assert db.session.scalar(select(func.count(BasketItem.id))) == 2


def test_ten_submits_of_one_basket_page_place_one_order(race_app, seller, buyer):
    rice = _lot(seller, "Fragrant rice", "50")
    millet = _lot(seller, "Yellow millet", "50", commodity="millet")
    _fill_basket(buyer, (rice, "10"), (millet, "5"))
    client = signed_in(race_app, buyer)
    data = {"checkout_key": KEY, f"delivery-{seller.id}": "collect"}

    outcomes = race([(client, "/basket/checkout", {"data": dict(data)}) for _ in range(THREADS)])

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: THREADS}
    [order] = db.session.scalars(select(Order)).all()
    assert len(order.lines) == 2 and order.total == Decimal("60.00")
    assert _available(rice.id) == Decimal(40) and _available(millet.id) == Decimal(45)


def test_ten_accepts_of_one_basket_price_quote_place_one_order(race_app, seller, buyer):
    from app.trade import basket_quotes

    rice = _lot(seller, "Fragrant rice", "50")
    millet = _lot(seller, "Yellow millet", "50", commodity="millet")
    _fill_basket(buyer, (rice, "10"), (millet, "5"))
    quote = basket_quotes.request_quote(buyer, seller.id, "collect", {})
    basket_quotes.answer_quote(quote, seller, {line.id: Decimal("3.00") for line in quote.lines})
    db.session.commit()
    client = signed_in(race_app, buyer)

    outcomes = race([(client, f"/basket-quotes/{quote.id}/accept", {}) for _ in range(THREADS)])

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: THREADS - 1}
    assert all("This price request is closed." in o.body for o in outcomes if o.status == 409)
    [order] = db.session.scalars(select(Order)).all()
    assert order.total == Decimal("45.00")
    assert _available(rice.id) == Decimal(40) and _available(millet.id) == Decimal(45)
