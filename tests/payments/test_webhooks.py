"""Stripe webhooks: the signature is checked over the raw body first (bad, tampered, stale or
missing → 400 and nothing written), replays change nothing, and any arrival order of the events
ends in the same state."""

from __future__ import annotations

import itertools
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.payments.models import LedgerEntry, Payment, WebhookEvent
from app.trade.models import Order, OrderEvent
from tests.payments.conftest import (
    charge_refunded,
    checkout_completed,
    intent_succeeded,
    post_hook,
    sign,
    stripe_event,
)


def _counts(db):
    return tuple(
        db.session.scalar(select(func.count(model.id))) for model in (WebhookEvent, Payment, LedgerEntry, OrderEvent)
    )


def test_a_signed_checkout_completed_event_marks_the_order_paid_with_a_ledger_charge(client, db, confirmed_order):
    response = post_hook(client, checkout_completed(confirmed_order))

    assert response.status_code == 200
    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "paid" and confirmed_order.paid_at is not None
    payment = confirmed_order.payment
    assert (payment.provider, payment.status, payment.amount_paid) == ("stripe", "paid", Decimal("35.00"))
    assert payment.provider_reference == "pi_test_1"
    [charge] = payment.entries
    assert (charge.kind, charge.amount, charge.provider_reference) == ("charge", Decimal("35.00"), "pi_test_1")
    assert confirmed_order.events[-1].actor_id is None and confirmed_order.events[-1].to_status == "paid"


@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "",  # empty
        "t=123,v1=deadbeef",  # wrong
        "garbage",  # unparseable
        "SIGN_WITH_OTHER_SECRET",
        "STALE",
    ],
    ids=["missing", "empty", "wrong", "unparseable", "other-secret", "stale"],
)
def test_a_bad_missing_or_stale_signature_is_400_and_writes_nothing(client, db, confirmed_order, signature):
    payload = checkout_completed(confirmed_order)
    if signature == "SIGN_WITH_OTHER_SECRET":
        signature = sign(payload, secret="whsec_attacker")
    elif signature == "STALE":
        signature = sign(payload, timestamp=int(time.time()) - 301)
    before = _counts(db)

    response = post_hook(client, payload, signature=signature)

    assert response.status_code == 400
    assert _counts(db) == before
    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "confirmed"


def test_a_tampered_body_with_the_original_signature_is_refused(client, db, confirmed_order):
    payload = checkout_completed(confirmed_order, fen=1)
    signature = sign(payload)
    tampered = payload.replace('"amount_total": 1', '"amount_total": 3500')

    assert post_hook(client, tampered, signature=signature).status_code == 400
    assert _counts(db)[0] == 0


def test_a_signature_within_the_tolerance_is_accepted(client, db, confirmed_order):
    payload = checkout_completed(confirmed_order)
    response = post_hook(client, payload, signature=sign(payload, timestamp=int(time.time()) - 250))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body", ["", "not json", "[]", '{"id": "evt_1"}', '{"id": "evt_1", "type": "x", "data": 5}', "\udcff"]
)
def test_garbage_bodies_with_a_valid_signature_are_400_never_500(client, db, confirmed_order, body):
    raw = body.encode("utf-8", "surrogateescape")
    headers = {"Stripe-Signature": sign(raw.decode("utf-8", "replace")), "Content-Type": "application/json"}
    response = client.post("/hooks/payments/stripe", data=raw, headers=headers, csrf=False)
    assert response.status_code == 400
    assert _counts(db)[0] == 0


def test_unknown_or_disabled_providers_are_404_and_get_is_405(client, app, confirmed_order):
    payload = checkout_completed(confirmed_order)
    assert post_hook(client, payload, provider="paypal").status_code == 404
    assert post_hook(client, payload, provider="manual").status_code == 400
    assert client.get("/hooks/payments/stripe").status_code == 405
    app.config["STRIPE_SECRET_KEY"] = None
    assert post_hook(client, payload).status_code == 404


def test_ten_replays_make_one_change_and_each_answers_200(client, db, confirmed_order):
    payload = checkout_completed(confirmed_order)
    statuses = [post_hook(client, payload).status_code for _ in range(10)]

    assert statuses == [200] * 10
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 1
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1
    assert db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.to_status == "paid")) == 1


def test_event_types_we_do_not_use_and_unknown_orders_answer_200_without_changes(client, db, confirmed_order):
    other = stripe_event("evt_other", "customer.created", {"id": "cus_1", "object": "customer"})
    assert post_hook(client, other).status_code == 200
    stray = stripe_event(
        "evt_stray",
        "payment_intent.succeeded",
        {"id": "pi_x", "object": "payment_intent", "amount_received": 100, "metadata": {"order_id": "999999"}},
    )
    assert post_hook(client, stray).status_code == 200
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0
    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "confirmed"


def test_all_24_orderings_of_four_events_end_in_the_same_state(client, db, confirmed_order):
    order_id = confirmed_order.id
    finals = set()
    for number, ordering in enumerate(itertools.permutations(range(4))):
        # A fresh payment per ordering: forget what the previous ordering recorded.
        order = db.session.get(Order, order_id)
        db.session.execute(WebhookEvent.__table__.delete())
        db.session.execute(LedgerEntry.__table__.delete())
        db.session.execute(Payment.__table__.delete())
        db.session.execute(OrderEvent.__table__.delete().where(OrderEvent.to_status == "paid"))
        order.status, order.paid_at = "confirmed", None
        db.session.commit()
        db.session.expire_all()
        events = [
            checkout_completed(order, event_id=f"evt_cs_{number}"),
            intent_succeeded(order, event_id=f"evt_pi_{number}"),
            charge_refunded(order, 1000, event_id=f"evt_part_{number}"),
            charge_refunded(order, 3500, event_id=f"evt_full_{number}"),
        ]
        for index in ordering:
            assert post_hook(client, events[index]).status_code == 200
        db.session.expire_all()
        order = db.session.get(Order, order_id)
        payment = order.payment
        charges = [e.amount for e in payment.entries if e.kind == "charge"]
        refunds = [e.amount for e in payment.entries if e.kind == "refund"]
        paid_steps = db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.to_status == "paid"))
        finals.add(
            (
                order.status,
                paid_steps,
                payment.status,
                payment.amount_paid,
                payment.amount_refunded,
                sum(charges),
                len(charges),
                sum(refunds),
            )
        )
    assert finals == {
        ("paid", 1, "refunded", Decimal("35.00"), Decimal("35.00"), Decimal("35.00"), 1, Decimal("35.00"))
    }


def test_a_late_payment_event_never_moves_a_shipped_order_back(client, db, login, seller, confirmed_order):
    login(seller)
    response = client.post(f"/orders/{confirmed_order.id}/step", data={"action": "ship"})
    assert response.status_code == 303, response.get_data(as_text=True)

    assert post_hook(client, intent_succeeded(confirmed_order)).status_code == 200

    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "shipped"
    assert confirmed_order.paid_at is not None
    assert confirmed_order.payment.amount_paid == Decimal("35.00")
