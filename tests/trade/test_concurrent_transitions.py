"""Every order and offer step happens exactly once under concurrent requests (issue 20): ten
identical requests at the same moment, each from its own client, app context and database
connection, make one change, one event and one notification; the others are answered 409 with the
reason a second request reads, never 5xx; and the stock adds up afterwards for every sell offer.

Runs on PostgreSQL (the requests overlap; row locks and compare-and-set decide) and on SQLite (they
queue on BEGIN IMMEDIATE) — whichever TEST_DATABASE_URL selects. Payments, delivery acceptance and
disputes are in test_concurrent_after_delivery.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.payments.models import LedgerEntry
from app.postings import stock
from app.postings.models import Posting
from app.trade.models import Negotiation, Offer, Order
from tests.factories import make_member, make_posting
from tests.trade.concurrency import (  # noqa: F401 (fixtures)
    THREADS,
    assert_no_server_errors,
    assert_stock_adds_up,
    assert_told_once,
    events,
    race,
    race_app,
    signed_in,
    statuses,
    stock_invariant,
)
from tests.trade.helpers import place_order_by_buy_now, start_thread, walk

pytestmark = pytest.mark.usefixtures("stock_invariant")
REFUSED_STEP = "cannot be changed that way"


def _steps(race_app, member, order, action, count=THREADS):
    return [
        (signed_in(race_app, member), f"/orders/{order.id}/step", {"data": {"action": action}}) for _ in range(count)
    ]


def _available(posting_id: int) -> Decimal:
    return db.session.scalar(select(Posting.quantity_available).where(Posting.id == posting_id))


def test_ten_cancels_of_one_order_give_the_stock_back_once(client, login, race_app, seller, buyer):
    posting = make_posting(
        owner=seller, commodity="rice", title="Five sacks", quantity=Decimal(5), unit_code="kg", price=Decimal("4.00")
    )
    first = place_order_by_buy_now(client, login, posting, buyer, quantity="2")
    place_order_by_buy_now(client, login, posting, make_member(display_name="Buyer Two"), quantity="1")
    assert _available(posting.id) == Decimal(2)

    outcomes = race(_steps(race_app, buyer, first, "cancel"))

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: THREADS - 1}
    assert all("An order that is cancelled cannot be changed that way." in o.body for o in outcomes if o.status == 409)
    assert events(first.id, "cancelled") == 1
    assert _available(posting.id) == Decimal(4)  # 2 given back once, not twice
    assert_told_once("order_cancelled")
    # The oversell: after the double cancel a new order could take units that were not there.
    late_buyer = make_member(display_name="Buyer Three")
    login(late_buyer)
    assert client.post(f"/p/{posting.id}/buy", data={"quantity": "5", "delivery": "collect"}).status_code == 409
    place_order_by_buy_now(client, login, posting, late_buyer, quantity="4")
    assert _available(posting.id) == Decimal(0)
    assert_stock_adds_up()


@pytest.mark.parametrize(
    "before, actor, action, to_status, event",
    [
        ((), "seller", "confirm", "confirmed", "order_confirmed"),
        (("confirm",), "seller", "pay", "paid", "order_paid"),
        (("confirm", "pay"), "seller", "ship", "shipped", "order_shipped"),
        (("confirm", "pay", "ship"), "buyer", "deliver", "delivered", "order_delivered"),
        (("confirm", "pay", "ship", "deliver"), "buyer", "complete", "completed", "order_completed"),
        (("confirm",), "seller", "cancel", "cancelled", "order_cancelled"),
    ],
)
def test_ten_identical_order_steps_happen_once(
    client, login, race_app, seller, buyer, sell_offer, before, actor, action, to_status, event
):
    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="10")
    walk(client, login, order, *[(buyer if step in ("deliver", "complete") else seller, step) for step in before])
    member = seller if actor == "seller" else buyer

    outcomes = race(_steps(race_app, member, order, action))

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: THREADS - 1}
    assert all(REFUSED_STEP in o.body for o in outcomes if o.status == 409)
    assert db.session.get(Order, order.id).status == to_status
    assert events(order.id, to_status) == 1
    assert_told_once(event)
    if action == "pay":
        assert db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == "charge")) == 1
    expected_left = Decimal(100) if action == "cancel" else Decimal(90)
    assert _available(sell_offer.id) == expected_left


def test_cancel_versus_confirm_one_of_them_wins(client, login, race_app, seller, buyer, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="10")
    half = THREADS // 2

    outcomes = race(_steps(race_app, buyer, order, "cancel", half) + _steps(race_app, seller, order, "confirm", half))

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: THREADS - 1}
    status = db.session.get(Order, order.id).status
    assert status in ("cancelled", "confirmed")
    assert events(order.id, "cancelled") + events(order.id, "confirmed") == 1
    assert _available(sell_offer.id) == (Decimal(100) if status == "cancelled" else Decimal(90))


def _offer_calls(race_app, member, negotiation, verb, count=THREADS):
    url = f"/negotiations/{negotiation.id}/offers/{negotiation.latest_offer.id}/{verb}"
    return [(signed_in(race_app, member), url, {}) for _ in range(count)]


def test_ten_accepts_of_one_offer_place_one_order(client, login, race_app, seller, buyer, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer, quantity="10")

    outcomes = race(_offer_calls(race_app, seller, negotiation, "accept"))

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: THREADS - 1}
    assert all("This negotiation is closed." in o.body for o in outcomes if o.status == 409)
    assert db.session.scalar(select(func.count(Order.id)).where(Order.negotiation_id == negotiation.id)) == 1
    assert db.session.get(Offer, negotiation.latest_offer.id).status == "accepted"
    assert db.session.get(Negotiation, negotiation.id).status == "accepted"
    assert _available(sell_offer.id) == Decimal(90)
    assert_told_once("offer_accepted")


@pytest.mark.parametrize(
    "verb, actor, offer_status, event",
    [
        ("decline", "seller", "declined", "offer_declined"),
        ("withdraw", "buyer", "withdrawn", "offer_withdrawn"),
    ],
)
def test_ten_identical_offer_decisions_happen_once(
    client, login, race_app, seller, buyer, sell_offer, verb, actor, offer_status, event
):
    negotiation = start_thread(client, login, sell_offer, buyer, quantity="10")

    outcomes = race(_offer_calls(race_app, seller if actor == "seller" else buyer, negotiation, verb))

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: THREADS - 1}
    assert all("This negotiation is closed." in o.body for o in outcomes if o.status == 409)
    assert db.session.get(Offer, negotiation.latest_offer.id).status == offer_status
    assert_told_once(event)


def test_accept_versus_withdraw_one_of_them_wins(client, login, race_app, seller, buyer, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer, quantity="10")
    half = THREADS // 2

    outcomes = race(
        _offer_calls(race_app, seller, negotiation, "accept", half)
        + _offer_calls(race_app, buyer, negotiation, "withdraw", half)
    )

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: THREADS - 1}
    offer_status = db.session.get(Offer, negotiation.latest_offer.id).status
    placed = db.session.scalar(select(func.count(Order.id)).where(Order.negotiation_id == negotiation.id))
    assert (offer_status, placed) in (("accepted", 1), ("withdrawn", 0))
    assert _available(sell_offer.id) == Decimal(100) - 10 * placed


def test_ten_counter_offers_to_one_offer_make_one(client, login, race_app, seller, buyer, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer, quantity="10")
    url = f"/negotiations/{negotiation.id}/counter"
    data = {"quantity": "10", "unit_price": "3.40", "delivery": "collect", "message": "Meet me at 3.40"}

    outcomes = race([(signed_in(race_app, seller), url, {"data": data}) for _ in range(THREADS)])

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: THREADS - 1}
    assert db.session.scalar(select(func.count(Offer.id)).where(Offer.negotiation_id == negotiation.id)) == 2


def test_the_database_refuses_more_stock_than_the_offer_stated(sell_offer):
    with pytest.raises(IntegrityError, match="available_within_quantity"):
        with db.session.begin_nested():
            db.session.execute(
                update(Posting).where(Posting.id == sell_offer.id).values(quantity_available=Posting.quantity + 1)
            )
    db.session.rollback()


def test_stock_given_back_beyond_the_stated_quantity_is_a_409_and_changes_nothing(
    client, login, monkeypatch, seller, buyer, sell_offer
):
    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="10")
    # As if the stock had already been given back once, and then again without the cap.
    db.session.execute(update(Posting).where(Posting.id == sell_offer.id).values(quantity_available=Posting.quantity))
    db.session.commit()

    def give_back_uncapped(posting_id, quantity):
        db.session.execute(
            update(Posting)
            .where(Posting.id == posting_id)
            .values(quantity_available=Posting.quantity_available + quantity)
        )

    monkeypatch.setattr(stock, "return_stock", give_back_uncapped)
    login(buyer)
    response = client.post(f"/orders/{order.id}/step", data={"action": "cancel"})

    assert response.status_code == 409
    assert "something changed" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Order, order.id).status == "placed"
    assert events(order.id, "cancelled") == 0
    # Restore what the simulated double return broke, so the suite's stock invariant holds.
    db.session.execute(
        update(Posting).where(Posting.id == sell_offer.id).values(quantity_available=Posting.quantity - 10)
    )
    db.session.commit()
