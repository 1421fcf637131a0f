"""Refunds when a paid order is cancelled or a dispute is resolved with a refund: through stripe
(with an idempotency key, or pending and retried when stripe fails) or pending until the seller or
an admin records the reference of a refund made by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.payments.models import LedgerEntry, Payment
from tests.payments.conftest import charge_refunded, post_hook
from tests.trade.helpers import walk


def _refunds(db):
    return db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "refund").order_by(LedgerEntry.id)).all()


def _deliver_and_dispute(client, login, order, buyer, seller, admin, outcome, amount=""):
    walk(client, login, order, (seller, "ship"), (buyer, "deliver"))
    login(buyer)
    assert client.post(f"/orders/{order.id}/dispute", data={"reason": "Half of it was mouldy"}).status_code == 303
    login(admin)
    return client.post(
        f"/orders/{order.id}/resolve", data={"outcome": outcome, "refund_amount": amount, "note": "Checked photos"}
    )


def test_cancelling_a_stripe_paid_order_refunds_it_through_stripe(
    client, db, login, seller, stripe_paid_order, stripe_http
):
    walk(client, login, stripe_paid_order, (seller, "cancel"))

    [request] = stripe_http.posts_to("/v1/refunds")
    assert request["headers"]["Idempotency-Key"] == f"order-{stripe_paid_order.id}-refund-1"
    assert request["form"]["amount"] == ["3500"] and request["form"]["payment_intent"] == ["pi_test_1"]
    [refund] = _refunds(db)
    assert (refund.status, refund.amount, refund.provider_reference) == ("succeeded", Decimal("35.00"), "re_test_1")
    payment = db.session.scalar(select(Payment))
    assert (payment.status, payment.amount_refunded) == ("refunded", Decimal("35.00"))
    db.session.refresh(stripe_paid_order)
    assert stripe_paid_order.status == "cancelled"


def test_stripes_later_refund_webhook_does_not_count_the_refund_twice(
    client, db, login, seller, stripe_paid_order, stripe_http
):
    walk(client, login, stripe_paid_order, (seller, "cancel"))
    assert post_hook(client, charge_refunded(stripe_paid_order, 3500, "evt_refund")).status_code == 200
    assert len(_refunds(db)) == 1
    assert db.session.scalar(select(Payment)).amount_refunded == Decimal("35.00")


def test_a_failed_stripe_refund_stays_pending_and_is_retried_with_the_same_key(
    app, client, db, login, seller, stripe_paid_order, stripe_http
):
    stripe_http.responses[("POST", "/v1/refunds")] = (500, {"error": {"type": "api_error", "message": "down"}})
    walk(client, login, stripe_paid_order, (seller, "cancel"))
    [refund] = _refunds(db)
    assert refund.status == "pending"
    db.session.refresh(stripe_paid_order)
    assert stripe_paid_order.status == "cancelled"

    stripe_http.responses[("POST", "/v1/refunds")] = {"id": "re_test_9", "object": "refund", "status": "succeeded"}
    result = app.test_cli_runner().invoke(args=["payments", "retry-refunds"])
    assert "refunds made: 1; still pending: 0; failed: 0" in result.output
    db.session.expire_all()
    [refund] = _refunds(db)
    assert (refund.status, refund.provider_reference) == ("succeeded", "re_test_9")
    keys = {r["headers"]["Idempotency-Key"] for r in stripe_http.posts_to("/v1/refunds")}
    assert keys == {f"order-{stripe_paid_order.id}-refund-1"}


def test_cancelling_a_manually_paid_order_records_a_pending_refund_the_seller_completes(
    client, db, login, buyer, seller, stranger, manual_paid_order
):
    walk(client, login, manual_paid_order, (seller, "cancel"))
    [refund] = _refunds(db)
    assert (refund.status, refund.amount) == ("pending", Decimal("35.00"))

    login(buyer)
    assert "Record refund" not in client.get(f"/orders/{manual_paid_order.id}").get_data(as_text=True)
    response = client.post(f"/orders/{manual_paid_order.id}/payment/refunds/{refund.id}", data={"reference": "X"})
    assert response.status_code == 409

    login(seller)
    page = client.get(f"/orders/{manual_paid_order.id}").get_data(as_text=True)
    assert "Record refund" in page
    response = client.post(f"/orders/{manual_paid_order.id}/payment/refunds/{refund.id}", data={"reference": ""})
    assert response.status_code == 422
    response = client.post(
        f"/orders/{manual_paid_order.id}/payment/refunds/{refund.id}", data={"reference": "ICBC-REFUND-1"}
    )
    assert response.status_code == 303
    db.session.refresh(refund)
    assert (refund.status, refund.provider_reference, refund.actor_id) == ("succeeded", "ICBC-REFUND-1", seller.id)
    assert db.session.scalar(select(Payment)).status == "refunded"
    response = client.post(f"/orders/{manual_paid_order.id}/payment/refunds/{refund.id}", data={"reference": "again"})
    assert response.status_code == 409


def test_cancelling_an_unpaid_order_refunds_nothing(client, db, login, seller, confirmed_order):
    walk(client, login, confirmed_order, (seller, "cancel"))
    assert _refunds(db) == []


@pytest.mark.parametrize(
    ("outcome", "amount", "expected", "status"),
    [
        ("full", "", Decimal("35.00"), "refunded"),
        ("partial", "12.50", Decimal("12.50"), "part_refund"),
        ("none", "", None, "paid"),
    ],
)
def test_resolving_a_dispute_refunds_through_stripe(
    client, db, login, buyer, seller, admin, stripe_paid_order, stripe_http, outcome, amount, expected, status
):
    response = _deliver_and_dispute(client, login, stripe_paid_order, buyer, seller, admin, outcome, amount)
    assert response.status_code == 303
    refunds = _refunds(db)
    payment = db.session.scalar(select(Payment))
    assert payment.status == status
    if expected is None:
        assert refunds == [] and stripe_http.posts_to("/v1/refunds") == []
        return
    [refund] = refunds
    assert (refund.status, refund.amount, refund.provider_reference) == ("succeeded", expected, "re_test_1")
    [request] = stripe_http.posts_to("/v1/refunds")
    assert request["form"]["amount"] == [str(int(expected * 100))]
    assert request["headers"]["Idempotency-Key"] == f"order-{stripe_paid_order.id}-refund-1"


@pytest.mark.parametrize(
    ("outcome", "amount", "expected"),
    [("full", "", Decimal("35.00")), ("partial", "12.50", Decimal("12.50")), ("none", "", None)],
)
def test_resolving_a_dispute_on_a_manual_payment_records_a_pending_refund(
    client, db, login, buyer, seller, admin, manual_paid_order, outcome, amount, expected
):
    assert (
        _deliver_and_dispute(client, login, manual_paid_order, buyer, seller, admin, outcome, amount).status_code == 303
    )
    refunds = _refunds(db)
    if expected is None:
        assert refunds == []
        return
    [refund] = refunds
    assert (refund.status, refund.amount) == ("pending", expected)
    login(admin)
    response = client.post(f"/orders/{manual_paid_order.id}/payment/refunds/{refund.id}", data={"reference": "ADM-1"})
    assert response.status_code == 303
    assert db.session.scalar(select(Payment)).amount_refunded == expected


def test_a_dispute_on_an_order_paid_on_delivery_before_payment_refunds_nothing(
    client, db, login, buyer, seller, admin, confirmed_order
):
    assert _deliver_and_dispute(client, login, confirmed_order, buyer, seller, admin, "full").status_code == 303
    assert _refunds(db) == []
