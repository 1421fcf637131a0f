"""Delivery acceptance: the buyer accepts all or part; the amount due is recomputed in Decimal and
the seller agrees or disagrees (which opens a dispute through the trade dispute service)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.logistics.acceptance import amount_due, partial_amount_due
from app.logistics.models import DeliveryAcceptance
from app.trade.models import Dispute
from tests.logistics.conftest import arrange


@pytest.mark.parametrize(
    "received, unit_price, total, expected",
    [
        ("0.333", "2450.00", "2450.00", "815.85"),  # 0.333 t × ¥2,450.00
        ("9.5", "3.50", "35.00", "33.25"),
        ("0.001", "0.01", "0.10", "0.00"),
        ("0.005", "1.00", "0.01", "0.01"),  # half a cent rounds up
        ("2.675", "1.00", "3.00", "2.68"),
        ("1.333", "0.33", "1.00", "0.44"),
        ("99.999", "99999.99", "10000000.00", "9999899.00"),
        ("10", "3.57", "35.00", "35.00"),  # never more than the original total
    ],
)
def test_partial_amount_due_arithmetic(received, unit_price, total, expected):
    amount = partial_amount_due(Decimal(received), Decimal(unit_price), Decimal(total))
    assert amount == Decimal(expected) and amount.as_tuple().exponent == -2


@pytest.fixture
def delivered_order(client, login, db, confirmed_order, seller):
    arrange(client, login, confirmed_order, seller, method="collect")
    login(seller)
    client.post(f"/orders/{confirmed_order.id}/shipment/status", data={"status": "delivered"})
    db.session.expire_all()
    assert confirmed_order.status == "delivered"
    return confirmed_order


def accept(client, login, order, buyer, **data):
    login(buyer)
    return client.post(f"/orders/{order.id}/acceptance", data=data)


def test_the_buyer_accepts_everything(client, login, db, delivered_order, buyer):
    response = accept(client, login, delivered_order, buyer, kind="all")
    assert response.status_code == 303
    db.session.expire_all()
    acceptance = delivered_order.delivery_acceptance
    assert (acceptance.partial, acceptance.amount_due, acceptance.quantity_received) == (
        False,
        Decimal("35.00"),
        Decimal("10.000"),
    )
    page = client.get(f"/orders/{delivered_order.id}").get_data(as_text=True)
    assert "everything as ordered" in page and "Accept the delivery" not in page


def test_a_partial_acceptance_recomputes_the_amount_and_the_seller_agrees(
    client, login, db, delivered_order, buyer, seller
):
    response = accept(
        client,
        login,
        delivered_order,
        buyer,
        kind="part",
        quantity_received="9.5",
        reason="short_weight",
        note="Two bags light",
    )
    assert response.status_code == 303
    db.session.expire_all()
    acceptance = delivered_order.delivery_acceptance
    assert (acceptance.amount_due, acceptance.original_total, acceptance.reason) == (
        Decimal("33.25"),
        Decimal("35.00"),
        "short_weight",
    )
    login(seller)
    page = client.get(f"/orders/{delivered_order.id}").get_data(as_text=True)
    assert "¥33.25" in page and "Short weight" in page and "Agree to" in page
    response = client.post(f"/orders/{delivered_order.id}/acceptance/decision", data={"decision": "agree"})
    assert response.status_code == 303
    db.session.expire_all()
    assert acceptance.seller_decision == "agreed"
    assert delivered_order.status == "delivered" and delivered_order.dispute is None
    assert amount_due(delivered_order) == Decimal("33.25")
    assert (
        client.post(f"/orders/{delivered_order.id}/acceptance/decision", data={"decision": "disagree"}).status_code
        == 409
    )


def test_the_seller_disagrees_and_a_dispute_opens(client, login, db, delivered_order, buyer, seller):
    accept(client, login, delivered_order, buyer, kind="part", quantity_received="6", reason="lower_grade")
    login(seller)
    response = client.post(
        f"/orders/{delivered_order.id}/acceptance/decision",
        data={"decision": "disagree", "note": "Grade was as agreed"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    dispute = delivered_order.dispute
    assert delivered_order.status == "disputed" and dispute.opened_by_id == buyer.id
    assert "Lower grade than agreed" in dispute.reason and "Grade was as agreed" in dispute.reason
    assert delivered_order.delivery_acceptance.seller_decision == "disagreed"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "part", "reason": "damaged"}, "Enter the quantity you received."),
        ({"kind": "part", "quantity_received": "10", "reason": "damaged"}, "Enter less than the ordered quantity"),
        ({"kind": "part", "quantity_received": "11", "reason": "damaged"}, "Enter less than the ordered quantity"),
        ({"kind": "part", "quantity_received": "0", "reason": "damaged"}, "Enter a number greater than zero."),
        ({"kind": "part", "quantity_received": "inf", "reason": "damaged"}, "Enter a number such as 12 or 12.5."),
        ({"kind": "part", "quantity_received": "1.2345", "reason": "damaged"}, "at most 3 digits"),
        ({"kind": "part", "quantity_received": "5"}, "Choose a reason."),
        ({"kind": "part", "quantity_received": "5", "reason": "bored"}, "Choose a reason."),
        ({}, "Choose one."),
    ],
)
def test_bad_acceptance_input_is_shown_and_nothing_is_saved(client, login, db, delivered_order, buyer, data, message):
    response = accept(client, login, delivered_order, buyer, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(DeliveryAcceptance.id))) == 0


def test_acceptance_waits_for_delivery_and_happens_once(client, login, db, confirmed_order, buyer, seller):
    assert accept(client, login, confirmed_order, buyer, kind="all").status_code == 409
    arrange(client, login, confirmed_order, seller, method="collect")
    login(seller)
    client.post(f"/orders/{confirmed_order.id}/shipment/status", data={"status": "delivered"})
    assert accept(client, login, confirmed_order, buyer, kind="all").status_code == 303
    assert accept(client, login, confirmed_order, buyer, kind="all").status_code == 409


def test_only_the_buyer_accepts_and_only_the_seller_decides(client, login, db, delivered_order, buyer, seller):
    assert accept(client, login, delivered_order, seller, kind="all").status_code == 409
    accept(client, login, delivered_order, buyer, kind="part", quantity_received="5", reason="damaged")
    login(buyer)
    assert (
        client.post(f"/orders/{delivered_order.id}/acceptance/decision", data={"decision": "agree"}).status_code == 409
    )
    assert (
        client.post(f"/orders/{delivered_order.id}/acceptance/decision", data={"decision": "maybe"}).status_code == 400
    )
    db.session.expire_all()
    assert delivered_order.delivery_acceptance.seller_decision is None
    assert db.session.scalar(select(func.count(Dispute.id))) == 0
