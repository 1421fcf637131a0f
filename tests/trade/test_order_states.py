"""The order status machine: the happy path, payment on delivery, cancel rules with stock returned,
disputes within the window resolved by an admin, illegal steps refused with 409, and every
transition recorded (who, when, from, to, note) and shown as a timeline."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.clock import utcnow
from app.trade import orders
from app.trade.models import OrderEvent
from tests.trade.helpers import place_order_by_buy_now, start_thread, step, walk


def test_an_order_goes_from_placed_to_completed_and_every_step_is_recorded(
    client, db, login, buyer, seller, sell_offer
):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    response = step(client, login, order, seller, "confirm", note="Ready on Friday")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/orders/{order.id}")
    walk(client, login, order, (seller, "pay"), (seller, "ship"), (buyer, "deliver"), (buyer, "complete"))
    db.session.refresh(order)
    assert order.status == "completed"
    assert order.paid_at and order.shipped_at and order.delivered_at and order.completed_at
    events = [(e.from_status, e.to_status, e.actor_id) for e in order.events]
    assert events == [
        (None, "placed", buyer.id),
        ("placed", "confirmed", seller.id),
        ("confirmed", "paid", seller.id),
        ("paid", "shipped", seller.id),
        ("shipped", "delivered", buyer.id),
        ("delivered", "completed", buyer.id),
    ]
    assert order.events[1].note == "Ready on Friday"
    assert all(e.created_at is not None for e in order.events)

    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Timeline" in page and "Ready on Friday" in page
    for label in ("placed", "confirmed", "paid", "shipped", "delivered", "completed"):
        assert label in page


def test_payment_on_delivery_is_allowed(client, db, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    walk(client, login, order, (seller, "confirm"), (seller, "ship"), (buyer, "deliver"))
    response = step(client, login, order, buyer, "complete")
    assert response.status_code == 409
    assert "Record the payment before completing the order." in response.get_data(as_text=True)
    walk(client, login, order, (seller, "pay"), (buyer, "complete"))
    db.session.refresh(order)
    assert [e.to_status for e in order.events] == ["placed", "confirmed", "shipped", "delivered", "paid", "completed"]


@pytest.mark.parametrize(
    "moves, actor_name, action, message",
    [
        ([], "buyer", "confirm", "Only the seller can do this."),
        ([], "seller", "ship", "An order that is placed cannot be changed that way."),
        ([], "seller", "complete", "An order that is placed cannot be changed that way."),
        ([("seller", "confirm")], "buyer", "cancel", "An order that is confirmed cannot be changed that way."),
        (
            [("seller", "confirm"), ("seller", "pay")],
            "seller",
            "pay",
            "An order that is paid cannot be changed that way.",
        ),
        ([("seller", "confirm"), ("seller", "ship")], "seller", "cancel", "Shipped orders cannot be cancelled."),
        (
            [("seller", "confirm"), ("seller", "ship")],
            "buyer",
            "complete",
            "An order that is shipped cannot be changed that way.",
        ),
        (
            [("seller", "confirm"), ("seller", "ship"), ("buyer", "deliver"), ("seller", "pay")],
            "seller",
            "ship",
            "already been shipped",
        ),
        ([("seller", "cancel")], "seller", "confirm", "An order that is cancelled cannot be changed that way."),
    ],
)
def test_illegal_steps_are_refused_with_a_409_and_a_reason(
    client, db, login, buyer, seller, sell_offer, moves, actor_name, action, message
):
    people = {"buyer": buyer, "seller": seller}
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    walk(client, login, order, *[(people[who], what) for who, what in moves])
    events_before = db.session.query(OrderEvent).count()
    response = step(client, login, order, people[actor_name], action)
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert db.session.query(OrderEvent).count() == events_before


def test_an_unknown_step_is_a_bad_request(client, login, buyer, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    assert step(client, login, order, buyer, "teleport").status_code == 400
    assert step(client, login, order, buyer, "").status_code == 400


def test_a_too_long_note_is_refused_beside_the_field(client, db, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    response = step(client, login, order, seller, "confirm", note="x" * 2001)
    assert response.status_code == 422
    db.session.refresh(order)
    assert order.status == "placed"


def test_buyer_cancels_before_confirmation_and_the_stock_returns(client, db, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="100")
    db.session.refresh(sell_offer)
    assert sell_offer.status == "closed"
    walk(client, login, order, (buyer, "cancel"))
    db.session.refresh(sell_offer)
    assert (sell_offer.quantity_available, sell_offer.status) == (Decimal("100"), "active")


def test_seller_cancels_before_shipping_and_the_stock_returns(client, db, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="30")
    walk(client, login, order, (seller, "confirm"), (seller, "pay"), (seller, "cancel"))
    db.session.refresh(sell_offer)
    db.session.refresh(order)
    assert sell_offer.quantity_available == Decimal("100")
    assert order.status == "cancelled"


def test_cancelling_a_quote_order_unfills_the_buy_request(client, db, login, buyer, seller, buy_request):
    negotiation = start_thread(client, login, buy_request, seller, quantity="50")
    login(buyer)
    client.post(f"/negotiations/{negotiation.id}/offers/{negotiation.offers[0].id}/accept")
    order = negotiation.order
    db.session.refresh(buy_request)
    assert (buy_request.quantity_filled, buy_request.status) == (Decimal("50"), "closed")
    walk(client, login, order, (buyer, "cancel"))
    db.session.refresh(buy_request)
    assert (buy_request.quantity_filled, buy_request.status) == (Decimal("0"), "active")


def _delivered_order(client, login, buyer, seller, posting):
    order = place_order_by_buy_now(client, login, posting, buyer)
    walk(client, login, order, (seller, "confirm"), (seller, "pay"), (seller, "ship"), (seller, "deliver"))
    return order


def test_buyer_opens_a_dispute_within_the_window_and_an_admin_resolves_it(
    client, db, login, buyer, seller, admin, sell_offer
):
    order = _delivered_order(client, login, buyer, seller, sell_offer)
    login(buyer)
    assert "Open a dispute" in client.get(f"/orders/{order.id}").get_data(as_text=True)
    response = client.post(f"/orders/{order.id}/dispute", data={"reason": "Half the sacks were wet."})
    assert response.status_code == 303
    db.session.refresh(order)
    assert order.status == "disputed" and order.dispute.status_before == "delivered"
    assert order.events[-1].note == "Half the sacks were wet."

    assert step(client, login, order, buyer, "complete").status_code == 409

    login(seller)
    assert client.post(f"/orders/{order.id}/resolve", data={"outcome": "none"}).status_code == 403

    login(admin)
    assert "Half the sacks were wet." in client.get("/admin/disputes").get_data(as_text=True)
    bad = client.post(f"/orders/{order.id}/resolve", data={"outcome": "partial", "refund_amount": "35.00"})
    assert bad.status_code == 422
    assert "A partial refund is more than zero and less than the total." in bad.get_data(as_text=True)
    missing = client.post(f"/orders/{order.id}/resolve", data={"outcome": "partial"})
    assert missing.status_code == 422 and "Enter the amount to refund." in missing.get_data(as_text=True)
    response = client.post(
        f"/orders/{order.id}/resolve",
        data={"outcome": "partial", "refund_amount": "10.50", "note": "Wet sacks refunded"},
    )
    assert response.status_code == 303
    db.session.refresh(order)
    assert order.status == "resolved"
    assert (order.dispute.outcome, order.dispute.refund_amount, order.dispute.resolved_by_id) == (
        "partial",
        Decimal("10.50"),
        admin.id,
    )
    assert (order.events[-1].from_status, order.events[-1].to_status, order.events[-1].actor_id) == (
        "disputed",
        "resolved",
        admin.id,
    )
    assert "Partial refund" in client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert client.post(f"/orders/{order.id}/resolve", data={"outcome": "full"}).status_code == 409


@pytest.mark.parametrize("outcome, refund", [("full", Decimal("35.00")), ("none", Decimal("0.00"))])
def test_full_and_no_refund_record_the_amount(client, db, login, buyer, seller, admin, sell_offer, outcome, refund):
    order = _delivered_order(client, login, buyer, seller, sell_offer)
    login(buyer)
    client.post(f"/orders/{order.id}/dispute", data={"reason": "Wrong variety"})
    login(admin)
    assert (
        client.post(f"/orders/{order.id}/resolve", data={"outcome": outcome, "refund_amount": "1"}).status_code == 303
    )
    db.session.refresh(order)
    assert order.dispute.refund_amount == refund


def test_disputes_close_after_the_configured_days(app, client, db, login, buyer, seller, sell_offer):
    app.config["DISPUTE_WINDOW_DAYS"] = 3
    order = _delivered_order(client, login, buyer, seller, sell_offer)
    order.delivered_at = utcnow() - timedelta(days=3, minutes=1)
    db.session.commit()
    login(buyer)
    response = client.post(f"/orders/{order.id}/dispute", data={"reason": "Late complaint"})
    assert response.status_code == 409
    assert "Disputes can be opened up to 3 days after delivery." in response.get_data(as_text=True)


def test_only_the_buyer_disputes_and_only_after_delivery(client, db, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    login(buyer)
    assert client.post(f"/orders/{order.id}/dispute", data={"reason": "Not yet here"}).status_code == 409
    walk(client, login, order, (seller, "confirm"), (seller, "pay"), (seller, "ship"), (buyer, "deliver"))
    login(seller)
    assert client.post(f"/orders/{order.id}/dispute", data={"reason": "Buyer is rude"}).status_code == 409
    login(buyer)
    empty = client.post(f"/orders/{order.id}/dispute", data={"reason": ""})
    assert empty.status_code == 422 and "Say what went wrong." in empty.get_data(as_text=True)


def test_the_seller_may_complete_only_after_the_dispute_window(client, db, login, buyer, seller, sell_offer):
    order = _delivered_order(client, login, buyer, seller, sell_offer)
    response = step(client, login, order, seller, "complete")
    assert response.status_code == 409
    assert "dispute window has passed" in response.get_data(as_text=True)
    order.delivered_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert step(client, login, order, seller, "complete").status_code == 303


def test_the_order_page_offers_only_the_steps_the_viewer_may_take(client, db, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    assert orders.available_actions(order, buyer) == ["cancel"]
    assert orders.available_actions(order, seller) == ["confirm", "cancel"]
    login(seller)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'value="confirm"' in page and 'value="deliver"' not in page
