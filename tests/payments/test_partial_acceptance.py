"""A partial delivery acceptance the seller agrees to changes what the buyer pays: a paid order is
refunded the reduction, an order paid on delivery is charged only the amount due."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.payments.models import LedgerEntry, Payment
from tests.logistics.conftest import arrange
from tests.trade.helpers import walk


def _deliver(client, login, db, order, seller):
    arrange(client, login, order, seller, method="collect")
    login(seller)
    assert client.post(f"/orders/{order.id}/shipment/status", data={"status": "delivered"}).status_code == 303
    db.session.expire_all()
    assert order.status == "delivered"


def _accept_part_and_agree(client, login, db, order, buyer, seller, received="9.5"):
    login(buyer)
    response = client.post(
        f"/orders/{order.id}/acceptance", data={"kind": "part", "quantity_received": received, "reason": "short_weight"}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    login(seller)
    response = client.post(f"/orders/{order.id}/acceptance/decision", data={"decision": "agree"})
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()


def _entries(db, kind):
    return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == kind).order_by(LedgerEntry.id)))


def test_a_stripe_paid_order_is_refunded_the_part_the_buyer_did_not_accept(
    client, db, login, buyer, seller, stripe_paid_order, stripe_http
):
    _deliver(client, login, db, stripe_paid_order, seller)
    _accept_part_and_agree(client, login, db, stripe_paid_order, buyer, seller)

    [request] = stripe_http.posts_to("/v1/refunds")
    assert request["form"]["amount"] == ["175"]  # ¥35.00 − 9.5 kg × ¥3.50 = ¥1.75
    [refund] = _entries(db, "refund")
    assert (refund.amount, refund.status) == (Decimal("1.75"), "succeeded")
    assert db.session.scalar(select(Payment)).amount_refunded == Decimal("1.75")


def test_a_manually_paid_order_gets_a_pending_refund_of_the_reduction(
    client, db, login, buyer, seller, manual_paid_order
):
    _deliver(client, login, db, manual_paid_order, seller)
    _accept_part_and_agree(client, login, db, manual_paid_order, buyer, seller, received="6")

    [refund] = _entries(db, "refund")
    assert (refund.amount, refund.status) == (Decimal("14.00"), "pending")
    login(buyer)
    assert "¥14.00" in client.get(f"/orders/{manual_paid_order.id}").get_data(as_text=True)


def test_payment_on_delivery_is_charged_only_the_amount_due(client, db, login, buyer, seller, confirmed_order):
    _deliver(client, login, db, confirmed_order, seller)
    _accept_part_and_agree(client, login, db, confirmed_order, buyer, seller)
    walk(client, login, confirmed_order, (seller, "pay"))

    [charge] = _entries(db, "charge")
    assert charge.amount == Decimal("33.25")
    assert _entries(db, "refund") == []


def test_a_disagreement_refunds_nothing_until_the_dispute_is_resolved(
    client, db, login, buyer, seller, stripe_paid_order, stripe_http
):
    _deliver(client, login, db, stripe_paid_order, seller)
    login(buyer)
    client.post(
        f"/orders/{stripe_paid_order.id}/acceptance",
        data={"kind": "part", "quantity_received": "6", "reason": "lower_grade"},
    )
    login(seller)
    assert (
        client.post(f"/orders/{stripe_paid_order.id}/acceptance/decision", data={"decision": "disagree"}).status_code
        == 303
    )
    assert stripe_http.posts_to("/v1/refunds") == []
    assert _entries(db, "refund") == []
