"""Payments, delivery acceptance and disputes happen exactly once under concurrent requests (issue
20), with the same tools as test_concurrent_transitions.py: a provider webhook racing the seller's
manual payment records one charge, concurrent acceptances record one, agree and disagree on a
partial acceptance decide once, and a dispute is opened and resolved once — never a 5xx."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.logistics.models import DeliveryAcceptance
from app.payments.models import LedgerEntry, Payment
from app.trade.models import Dispute, Order
from tests.payments.conftest import WEBHOOK_SECRET, checkout_completed, sign
from tests.trade.concurrency import (  # noqa: F401 (fixtures)
    THREADS,
    assert_no_server_errors,
    assert_told_once,
    events,
    race,
    race_app,
    signed_in,
    statuses,
    stock_invariant,
)
from tests.trade.helpers import place_order_by_buy_now, walk

pytestmark = pytest.mark.usefixtures("stock_invariant")
HALF = THREADS // 2


@pytest.fixture(autouse=True)
def _stripe_enabled(app):
    app.config.update(
        PAYMENT_PROVIDERS="manual,stripe", STRIPE_SECRET_KEY="sk_test_123", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET
    )


def _order(client, login, sell_offer, buyer, seller, *steps):
    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="10")
    walk(client, login, order, *[(buyer if step in ("deliver", "complete") else seller, step) for step in steps])
    return order


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count(model.id)).where(*conditions))


def _charges(order) -> int:
    return _count(
        LedgerEntry,
        LedgerEntry.kind == "charge",
        LedgerEntry.payment_id.in_(select(Payment.id).where(Payment.order_id == order.id)),
    )


def test_pay_webhooks_versus_manual_payment_record_one_charge(client, login, race_app, seller, buyer, sell_offer):
    order = _order(client, login, sell_offer, buyer, seller, "confirm")
    hooks = []
    for number in range(HALF):
        payload = checkout_completed(order, event_id=f"evt_race_{number}")
        headers = {"Content-Type": "application/json", "Stripe-Signature": sign(payload)}
        hooks.append((signed_in(race_app), "/hooks/payments/stripe", {"data": payload, "headers": headers}))
    manual = [
        (signed_in(race_app, seller), f"/orders/{order.id}/step", {"data": {"action": "pay"}}) for _ in range(HALF)
    ]

    outcomes = race(hooks + manual)

    assert_no_server_errors(outcomes)
    assert [o.status for o in outcomes[:HALF]] == [200] * HALF  # the provider is never asked to retry
    assert statuses(outcomes[HALF:])[303] <= 1
    assert db.session.get(Order, order.id).status == "paid"
    assert events(order.id, "paid") == 1
    assert _charges(order) == 1
    assert db.session.scalar(select(Payment.amount_paid).where(Payment.order_id == order.id)) == Decimal("35.00")
    assert_told_once("order_paid")


def test_ten_delivery_acceptances_record_one(client, login, race_app, seller, buyer, sell_offer):
    order = _order(client, login, sell_offer, buyer, seller, "confirm", "pay", "ship", "deliver")
    url = f"/orders/{order.id}/acceptance"

    outcomes = race([(signed_in(race_app, buyer), url, {"data": {"kind": "all"}}) for _ in range(THREADS)])

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: THREADS - 1}
    assert all("The delivery was already accepted." in o.body for o in outcomes if o.status == 409)
    assert _count(DeliveryAcceptance, DeliveryAcceptance.order_id == order.id) == 1


def test_accept_delivery_versus_open_dispute_end_as_one_order_of_the_two(
    client, login, race_app, seller, buyer, sell_offer
):
    order = _order(client, login, sell_offer, buyer, seller, "confirm", "pay", "ship", "deliver")
    accepts = [
        (signed_in(race_app, buyer), f"/orders/{order.id}/acceptance", {"data": {"kind": "all"}}) for _ in range(HALF)
    ]
    disputes = [
        (signed_in(race_app, buyer), f"/orders/{order.id}/dispute", {"data": {"reason": "Half the sacks were wet"}})
        for _ in range(HALF)
    ]

    outcomes = race(accepts + disputes)

    assert_no_server_errors(outcomes)
    accepted = _count(DeliveryAcceptance, DeliveryAcceptance.order_id == order.id)
    # Accepting first leaves the dispute open to the buyer; disputing first ends accepting.
    assert accepted in (0, 1)
    assert _count(Dispute, Dispute.order_id == order.id) == 1
    assert events(order.id, "disputed") == 1
    assert statuses(outcomes) == {303: 1 + accepted, 409: THREADS - 1 - accepted}


def test_agree_versus_disagree_on_a_partial_acceptance_decides_once(client, login, race_app, seller, buyer, sell_offer):
    order = _order(client, login, sell_offer, buyer, seller, "confirm", "ship", "deliver")
    login(buyer)
    response = client.post(
        f"/orders/{order.id}/acceptance", data={"kind": "part", "quantity_received": "8", "reason": "short_weight"}
    )
    assert response.status_code == 303
    url = f"/orders/{order.id}/acceptance/decision"
    agree = [(signed_in(race_app, seller), url, {"data": {"decision": "agree"}}) for _ in range(HALF)]
    disagree = [(signed_in(race_app, seller), url, {"data": {"decision": "disagree"}}) for _ in range(HALF)]

    outcomes = race(agree + disagree)

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: THREADS - 1}
    assert all("No partial acceptance is waiting for your decision." in o.body for o in outcomes if o.status == 409)
    decision = db.session.scalar(
        select(DeliveryAcceptance.seller_decision).where(DeliveryAcceptance.order_id == order.id)
    )
    assert _count(Dispute, Dispute.order_id == order.id) == (1 if decision == "disagreed" else 0)


def test_ten_disputes_open_one_and_ten_resolutions_refund_once(
    client, login, race_app, seller, buyer, admin, sell_offer
):
    order = _order(client, login, sell_offer, buyer, seller, "confirm", "pay", "ship", "deliver")

    opened = race(
        [
            (signed_in(race_app, buyer), f"/orders/{order.id}/dispute", {"data": {"reason": "Wet sacks"}})
            for _ in range(THREADS)
        ]
    )

    assert_no_server_errors(opened)
    assert statuses(opened) == {303: 1, 409: THREADS - 1}
    assert _count(Dispute, Dispute.order_id == order.id) == 1
    assert events(order.id, "disputed") == 1
    assert_told_once("dispute_opened")

    resolved = race(
        [
            (
                signed_in(race_app, admin),
                f"/orders/{order.id}/resolve",
                {"data": {"outcome": "full", "note": "Refund all"}},
            )
            for _ in range(THREADS)
        ]
    )

    assert_no_server_errors(resolved)
    assert statuses(resolved) == {303: 1, 409: THREADS - 1}
    assert all("This order has no open dispute." in o.body for o in resolved if o.status == 409)
    assert events(order.id, "resolved") == 1
    refunds = db.session.scalars(select(LedgerEntry.amount).where(LedgerEntry.kind == "refund")).all()
    assert refunds == [Decimal("35.00")]
    assert_told_once("dispute_resolved")
