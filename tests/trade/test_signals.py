"""Each trade step sends its named blinker signal, with ids only, after the state has changed."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from app.extensions import db as _db
from app.trade import signals
from app.trade.models import Negotiation, Order
from tests.trade.helpers import offer_data, place_order_by_buy_now, start_thread, walk

ISSUE_NAMES = (
    "offer_made",
    "offer_countered",
    "offer_accepted",
    "offer_declined",
    "offer_expired",
    "order_placed",
    "order_confirmed",
    "order_cancelled",
    "order_paid",
    "order_shipped",
    "order_delivered",
    "order_completed",
    "dispute_opened",
    "dispute_resolved",
)


@pytest.fixture
def received():
    """Every trade signal sent during the test as (name, ids, status seen by the receiver)."""
    log = []

    def receiver_for(name):
        def receive(sender, **ids):
            assert sender == "trade"
            assert all(isinstance(v, (int, str, type(None))) for v in ids.values()), ids
            status = None
            if "order_id" in ids:
                status = _db.session.get(Order, ids["order_id"]).status
            elif "negotiation_id" in ids:
                status = _db.session.get(Negotiation, ids["negotiation_id"]).status
            log.append((name, ids, status))

        return receive

    with ExitStack() as stack:
        for name in signals.trade_signals:
            stack.enter_context(signals.trade_signals[name].connected_to(receiver_for(name), sender="trade"))
        yield log


def test_every_signal_the_issue_names_exists():
    assert set(ISSUE_NAMES) <= set(signals.trade_signals)


def test_negotiation_and_order_steps_send_their_signals_with_ids(
    client, db, login, buyer, seller, sell_offer, received
):
    negotiation = start_thread(client, login, sell_offer, buyer)
    login(seller)
    client.post(f"/negotiations/{negotiation.id}/counter", data=offer_data(unit_price="3.40"))
    db.session.refresh(negotiation)
    first, counter = negotiation.offers
    login(buyer)
    client.post(f"/negotiations/{negotiation.id}/offers/{counter.id}/accept")
    order = db.session.get(Negotiation, negotiation.id).order
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

    names = [name for name, _ids, _status in received]
    assert names == [
        "offer_made",
        "offer_countered",
        "order_placed",
        "offer_accepted",
        "order_confirmed",
        "order_paid",
        "order_shipped",
        "order_delivered",
        "order_completed",
    ]
    by_name = {name: (ids, status) for name, ids, status in received}
    assert by_name["offer_made"][0] == {
        "negotiation_id": negotiation.id,
        "offer_id": first.id,
        "posting_id": sell_offer.id,
        "author_id": buyer.id,
        "recipient_id": seller.id,
    }
    assert by_name["offer_countered"][0]["previous_offer_id"] == first.id
    assert by_name["offer_accepted"] == (
        {
            "negotiation_id": negotiation.id,
            "offer_id": counter.id,
            "order_id": order.id,
            "accepted_by_id": buyer.id,
            "author_id": seller.id,
        },
        "placed",
    )
    assert by_name["order_placed"][0]["negotiation_id"] == negotiation.id
    for name, status in (
        ("order_confirmed", "confirmed"),
        ("order_paid", "paid"),
        ("order_shipped", "shipped"),
        ("order_delivered", "delivered"),
        ("order_completed", "completed"),
    ):
        ids, seen = by_name[name]
        assert seen == status, "sent after the state change"
        assert ids["order_id"] == order.id and ids["buyer_id"] == buyer.id and ids["seller_id"] == seller.id


def test_decline_withdraw_cancel_and_dispute_signals(client, db, login, buyer, seller, admin, sell_offer, received):
    declined = start_thread(client, login, sell_offer, buyer)
    login(seller)
    client.post(f"/negotiations/{declined.id}/offers/{declined.offers[0].id}/decline")
    withdrawn = start_thread(client, login, sell_offer, buyer)
    client.post(f"/negotiations/{withdrawn.id}/offers/{withdrawn.offers[0].id}/withdraw")

    cancelled = place_order_by_buy_now(client, login, sell_offer, buyer)
    walk(client, login, cancelled, (buyer, "cancel"))
    disputed = place_order_by_buy_now(client, login, sell_offer, buyer)
    walk(client, login, disputed, (seller, "confirm"), (seller, "pay"), (seller, "ship"), (buyer, "deliver"))
    client.post(f"/orders/{disputed.id}/dispute", data={"reason": "Mouldy"})
    login(admin)
    client.post(f"/orders/{disputed.id}/resolve", data={"outcome": "full"})

    by_name = {name: (ids, status) for name, ids, status in received}
    assert by_name["offer_declined"] == (
        {
            "negotiation_id": declined.id,
            "offer_id": declined.offers[0].id,
            "declined_by_id": seller.id,
            "author_id": buyer.id,
        },
        "declined",
    )
    assert by_name["offer_withdrawn"][1] == "withdrawn"
    assert by_name["order_cancelled"] == (
        {"order_id": cancelled.id, "buyer_id": buyer.id, "seller_id": seller.id, "actor_id": buyer.id},
        "cancelled",
    )
    assert by_name["dispute_opened"][1] == "disputed"
    assert by_name["dispute_opened"][0]["dispute_id"] == disputed.dispute.id
    resolved_ids, resolved_status = by_name["dispute_resolved"]
    assert resolved_status == "resolved"
    assert (resolved_ids["outcome"], resolved_ids["refund_amount"], resolved_ids["actor_id"]) == (
        "full",
        "35.00",
        admin.id,
    )


def test_no_signal_is_sent_for_a_refused_step(client, db, login, buyer, seller, sell_offer, received):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    received.clear()
    assert client.post(f"/orders/{order.id}/step", data={"action": "confirm"}).status_code == 409
    assert received == []
