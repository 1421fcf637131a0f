"""The ledger rules (issue 23, docs/payments.md) through signed Stripe webhooks against the app:
Stripe's own event pair records one charge, one paid step and one message whether its two events
come together (threads with their own clients: overlapping on PostgreSQL, queued on SQLite) or one
after the other; refunds follow Stripe's cumulative total and never go down; a short payment or one
in another currency is recorded and flagged for admins, never "paid"; the first events of a payment
racing with no payment row yet answer 200 and record one charge."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.notify.models import Notification
from app.payments.models import LedgerEntry, Payment, WebhookEvent
from app.trade.models import Order
from tests.payments.conftest import (
    charge_refunded,
    checkout_completed,
    hook_call,
    intent_succeeded,
    post_hook,
    refund_updated,
    sign,
)
from tests.trade.concurrency import (  # noqa: F401 (fixtures)
    THREADS,
    assert_no_server_errors,
    events,
    race,
    race_app,
    signed_in,
    statuses,
)
from tests.trade.helpers import place_order_by_buy_now, walk


def _entries(order_id: int, kind: str) -> list[LedgerEntry]:
    return db.session.scalars(
        select(LedgerEntry)
        .join(Payment)
        .where(Payment.order_id == order_id, LedgerEntry.kind == kind)
        .order_by(LedgerEntry.id)
    ).all()


def _payment(order_id: int) -> Payment:
    return db.session.scalar(select(Payment).where(Payment.order_id == order_id))


def _last_notification_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(Notification.id), 0)))


def _paid_messages_since(notification_id: int) -> list[tuple]:
    return db.session.execute(
        select(Notification.member_id, Notification.channel).where(
            Notification.event == "order_paid", Notification.id > notification_id
        )
    ).all()


def _confirmed(client, login, sell_offer, buyer, seller, quantity="10") -> Order:
    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity=quantity)
    walk(client, login, order, (seller, "confirm"))
    return order


@pytest.mark.slow
def test_stripes_event_pair_together_records_one_charge_one_paid_step_and_one_message(
    client, login, race_app, buyer, seller, sell_offer
):
    for number in range(6):
        order = _confirmed(client, login, sell_offer, buyer, seller)
        before = _last_notification_id()
        intent = f"pi_pair_{number}"

        outcomes = race(
            [
                hook_call(signed_in(race_app), checkout_completed(order, event_id=f"evt_cs_{number}", intent=intent)),
                hook_call(signed_in(race_app), intent_succeeded(order, event_id=f"evt_pi_{number}", intent=intent)),
            ]
        )

        assert_no_server_errors(outcomes)
        assert statuses(outcomes) == {200: 2}
        [charge] = _entries(order.id, "charge")
        assert (charge.amount, charge.currency, charge.provider_object) == (Decimal("35.00"), "CNY", intent)
        assert events(order.id, "paid") == 1
        messages = _paid_messages_since(before)
        assert messages and len(messages) == len(set(messages)), f"order {number}: told twice {messages}"
        payment = _payment(order.id)
        assert (payment.status, payment.amount_paid, payment.attention) == ("paid", Decimal("35.00"), "")
        assert db.session.get(Order, order.id).status == "paid"


def test_the_pair_one_after_the_other_and_replayed_records_one_charge(client, db, confirmed_order):
    payloads = [checkout_completed(confirmed_order), intent_succeeded(confirmed_order)]
    before = _last_notification_id()

    for _ in range(3):
        for payload in payloads:
            assert post_hook(client, payload).status_code == 200

    assert len(_entries(confirmed_order.id, "charge")) == 1
    assert events(confirmed_order.id, "paid") == 1
    messages = _paid_messages_since(before)
    assert messages and len(messages) == len(set(messages))
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 2


@pytest.mark.slow
def test_first_events_racing_before_any_payment_row_answer_200_and_record_one_charge(
    client, login, race_app, confirmed_order
):
    assert _payment(confirmed_order.id) is None
    half = THREADS // 2
    calls = [
        hook_call(signed_in(race_app), checkout_completed(confirmed_order, event_id=f"evt_cs_{n}")) for n in range(half)
    ]
    calls += [
        hook_call(signed_in(race_app), intent_succeeded(confirmed_order, event_id=f"evt_pi_{n}")) for n in range(half)
    ]

    outcomes = race(calls)

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {200: THREADS}
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.order_id == confirmed_order.id)) == 1
    assert len(_entries(confirmed_order.id, "charge")) == 1
    assert events(confirmed_order.id, "paid") == 1


@pytest.mark.slow
@pytest.mark.parametrize("embedded", [True, False], ids=["refunds-embedded", "cumulative-only"])
def test_two_partial_refunds_together_leave_stripes_cumulative_total(
    client, login, race_app, stripe_paid_order, embedded
):
    first, both = ([("re_1", 1000)], [("re_1", 1000), ("re_2", 1500)]) if embedded else (None, None)
    payloads = [
        charge_refunded(stripe_paid_order, 1000, "evt_refund_1", refunds=first),
        charge_refunded(stripe_paid_order, 2500, "evt_refund_2", refunds=both),
    ]
    if embedded:
        payloads += [
            refund_updated("re_1", 1000, "evt_re_1"),
            refund_updated("re_2", 1500, "evt_re_2", kind="refund.created"),
        ]

    outcomes = race([hook_call(signed_in(race_app), payload) for payload in payloads])

    assert_no_server_errors(outcomes)
    payment = _payment(stripe_paid_order.id)
    refunds = _entries(stripe_paid_order.id, "refund")
    assert payment.amount_refunded == Decimal("25.00")
    assert sum(entry.amount for entry in refunds) == Decimal("25.00")
    assert payment.status == "part_refund"
    if embedded:
        assert sorted((entry.provider_object, entry.amount) for entry in refunds) == [
            ("re_1", Decimal("10.00")),
            ("re_2", Decimal("15.00")),
        ]


def test_a_lower_cumulative_refund_after_a_higher_one_changes_nothing(client, db, stripe_paid_order):
    assert post_hook(client, charge_refunded(stripe_paid_order, 2500, "evt_high")).status_code == 200
    assert post_hook(client, charge_refunded(stripe_paid_order, 1000, "evt_low")).status_code == 200
    db.session.expire_all()
    assert _payment(stripe_paid_order.id).amount_refunded == Decimal("25.00")

    # Stripe names the refunds afterwards: they take their amounts out of the total already recorded.
    assert post_hook(client, refund_updated("re_a", 1000, "evt_re_a")).status_code == 200
    assert post_hook(client, refund_updated("re_b", 1500, "evt_re_b")).status_code == 200
    assert post_hook(client, charge_refunded(stripe_paid_order, 1000, "evt_low_again")).status_code == 200
    db.session.expire_all()
    payment = _payment(stripe_paid_order.id)
    refunds = _entries(stripe_paid_order.id, "refund")
    assert payment.amount_refunded == Decimal("25.00")
    assert sorted((entry.provider_object, entry.amount) for entry in refunds) == [
        ("re_a", Decimal("10.00")),
        ("re_b", Decimal("15.00")),
    ]


def test_a_refund_that_is_not_succeeded_counts_nothing(client, db, stripe_paid_order):
    assert post_hook(client, refund_updated("re_p", 1000, "evt_pending", status="pending")).status_code == 200
    assert post_hook(client, refund_updated("re_f", 1000, "evt_failed", status="failed")).status_code == 200
    db.session.expire_all()
    assert _payment(stripe_paid_order.id).amount_refunded == Decimal("0.00")
    assert _entries(stripe_paid_order.id, "refund") == []


def test_our_own_refund_named_again_by_stripe_counts_once(client, db, login, seller, stripe_paid_order, stripe_http):
    stripe_http.responses[("POST", "/v1/refunds")] = {"id": "re_own", "object": "refund", "status": "succeeded"}
    walk(client, login, stripe_paid_order, (seller, "cancel"))

    assert post_hook(client, refund_updated("re_own", 3500, "evt_re_own")).status_code == 200
    assert (
        post_hook(client, charge_refunded(stripe_paid_order, 3500, "evt_ch", refunds=[("re_own", 3500)])).status_code
        == 200
    )

    db.session.expire_all()
    [refund] = _entries(stripe_paid_order.id, "refund")
    assert (refund.provider_object, refund.amount, refund.status) == ("re_own", Decimal("35.00"), "succeeded")
    assert _payment(stripe_paid_order.id).amount_refunded == Decimal("35.00")


def test_our_refund_that_timed_out_is_settled_by_the_total_and_then_named_once(
    app, client, db, login, seller, stripe_paid_order, stripe_http
):
    stripe_http.responses[("POST", "/v1/refunds")] = (500, {"error": {"type": "api_error", "message": "timeout"}})
    walk(client, login, stripe_paid_order, (seller, "cancel"))

    assert post_hook(client, charge_refunded(stripe_paid_order, 3500, "evt_total")).status_code == 200
    assert post_hook(client, refund_updated("re_late", 3500, "evt_named")).status_code == 200

    db.session.expire_all()
    [refund] = _entries(stripe_paid_order.id, "refund")
    assert (refund.status, refund.amount, refund.provider_object) == ("succeeded", Decimal("35.00"), "re_late")
    assert _payment(stripe_paid_order.id).amount_refunded == Decimal("35.00")
    assert (
        "refunds made: 0; still pending: 0; failed: 0"
        in app.test_cli_runner().invoke(args=["payments", "retry-refunds"]).output
    )


@pytest.fixture
def order_210(client, login, buyer, seller, sell_offer):
    """60 kg at ¥3.50: ¥210.00, confirmed and waiting for payment."""
    return _confirmed(client, login, sell_offer, buyer, seller, quantity="60")


def _payment_section(client, order, locale="en") -> str:
    client.post("/lang", data={"locale": locale, "next": "/"})
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    return page[page.index('id="payment"') :]


def test_one_fen_of_a_210_yuan_order_is_recorded_flagged_and_not_paid(client, db, login, admin, buyer, order_210):
    before = _last_notification_id()

    assert post_hook(client, checkout_completed(order_210, fen=1)).status_code == 200

    db.session.expire_all()
    order = db.session.get(Order, order_210.id)
    assert (order.status, order.paid_at) == ("confirmed", None)
    payment = order.payment
    assert (payment.status, payment.attention, payment.amount_paid) == ("review", "short", Decimal("0.01"))
    [charge] = _entries(order.id, "charge")
    assert charge.amount == Decimal("0.01")
    assert _paid_messages_since(before) == []
    login(admin)
    assert "Less money arrived than the order asks for" in _payment_section(client, order)
    assert "收到的金额少于订单金额" in _payment_section(client, order, "zh_Hans")
    listing = client.get("/admin/payments").get_data(as_text=True)
    assert order.number in listing and "收到的金额少于订单金额" in listing
    client.post("/lang", data={"locale": "en", "next": "/"})
    assert "Less money arrived" in client.get("/admin/payments").get_data(as_text=True)
    login(buyer)
    assert client.get("/admin/payments").status_code in (403, 404)

    # The PaymentIntent later reports the whole amount received: the same charge grows, the order is paid.
    assert post_hook(client, intent_succeeded(order_210, fen=21000)).status_code == 200
    db.session.expire_all()
    order = db.session.get(Order, order_210.id)
    assert order.status == "paid"
    assert (order.payment.status, order.payment.attention, order.payment.amount_paid) == ("paid", "", Decimal("210.00"))
    [charge] = _entries(order.id, "charge")
    assert charge.amount == Decimal("210.00")


def test_the_seller_recording_the_rest_by_hand_pays_a_short_payment(client, db, login, seller, order_210):
    assert post_hook(client, checkout_completed(order_210, fen=1)).status_code == 200

    walk(client, login, order_210, (seller, "pay"))

    db.session.expire_all()
    order = db.session.get(Order, order_210.id)
    assert order.status == "paid"
    assert (order.payment.provider, order.payment.status, order.payment.attention) == ("stripe", "paid", "")
    assert [(e.amount, e.provider_object) for e in _entries(order.id, "charge")] == [
        (Decimal("0.01"), "pi_test_1"),
        (Decimal("209.99"), None),
    ]
    assert events(order.id, "paid") == 1


def test_money_in_another_currency_is_recorded_flagged_and_not_paid(client, db, login, admin, confirmed_order):
    assert post_hook(client, checkout_completed(confirmed_order, currency="usd")).status_code == 200

    db.session.expire_all()
    order = db.session.get(Order, confirmed_order.id)
    assert (order.status, order.paid_at) == ("confirmed", None)
    assert (order.payment.status, order.payment.attention, order.payment.amount_paid) == (
        "review",
        "currency",
        Decimal("0.00"),
    )
    [charge] = _entries(order.id, "charge")
    assert (charge.amount, charge.currency) == (Decimal("35.00"), "USD")
    login(admin)
    section = _payment_section(client, order)
    assert "Money arrived in another currency" in section and "35.00 USD" in section
    assert "另一种货币" in _payment_section(client, order, "zh_Hans")

    # The same PaymentIntent cannot turn the dollars into yuan; a payment in yuan pays the order.
    assert post_hook(client, intent_succeeded(confirmed_order, event_id="evt_same_pi")).status_code == 200
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "confirmed"
    assert post_hook(client, intent_succeeded(confirmed_order, event_id="evt_cny", intent="pi_cny")).status_code == 200
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == "paid" and order.payment.amount_paid == Decimal("35.00")
    assert order.payment.attention == "currency"  # the dollars still wait for an admin


def test_a_forged_refund_event_is_400_and_changes_nothing(client, db, stripe_paid_order):
    payload = charge_refunded(stripe_paid_order, 3500, "evt_forged")
    assert post_hook(client, payload, signature=sign(payload, secret="whsec_attacker")).status_code == 400
    payload = refund_updated("re_forged", 3500, "evt_forged_2")
    assert post_hook(client, payload, signature=sign(payload, secret="whsec_attacker")).status_code == 400
    db.session.expire_all()
    assert _payment(stripe_paid_order.id).amount_refunded == Decimal("0.00")
    assert _entries(stripe_paid_order.id, "refund") == []


def test_the_database_refuses_a_second_entry_for_one_provider_object(db, stripe_paid_order):
    payment = _payment(stripe_paid_order.id)
    [charge] = payment.entries
    db.session.add(
        LedgerEntry(
            payment_id=payment.id,
            kind="charge",
            status="succeeded",
            amount=Decimal("35.00"),
            currency="CNY",
            provider_object=charge.provider_object,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.slow
@pytest.mark.postgres_only
def test_the_event_pair_on_gunicorn_with_two_workers_records_one_charge_per_order(
    client, db, login, database_url, tmp_path, buyer, seller, sell_offer
):
    """The attacker's setting: two gunicorn workers on PostgreSQL, each event of the pair sent at the
    same moment on its own connection, for orders with a payment row (checkout started) and without."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    import requests

    from app.payments import ledger
    from tests.live_gunicorn import gunicorn
    from tests.payments.conftest import WEBHOOK_SECRET

    orders = [_confirmed(client, login, sell_offer, buyer, seller) for _ in range(6)]
    for order in orders[:3]:
        ledger.locked_payment(order, "stripe")  # as the checkout start leaves it
    db.session.commit()
    before = _last_notification_id()
    settings = {
        "PAYMENT_PROVIDERS": "manual,stripe",
        "STRIPE_SECRET_KEY": "sk_test_123",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    with gunicorn(database_url, tmp_path, workers=2, **settings) as base:

        def send(payload: str, barrier: Barrier) -> int:
            barrier.wait(timeout=30)
            headers = {"Content-Type": "application/json", "Stripe-Signature": sign(payload), "Connection": "close"}
            return requests.post(f"{base}/hooks/payments/stripe", data=payload, headers=headers, timeout=30).status_code

        answers = []
        with ThreadPoolExecutor(max_workers=2) as pool:
            for number, order in enumerate(orders):
                barrier = Barrier(2)
                pair = (
                    checkout_completed(order, event_id=f"evt_g_cs_{number}", intent=f"pi_g_{number}"),
                    intent_succeeded(order, event_id=f"evt_g_pi_{number}", intent=f"pi_g_{number}"),
                )
                answers += list(pool.map(lambda payload: send(payload, barrier), pair))
    db.session.rollback()
    db.session.expire_all()
    assert answers == [200] * 12, (tmp_path / "gunicorn.log").read_text()[-2000:]
    for order in orders:
        assert len(_entries(order.id, "charge")) == 1
        assert events(order.id, "paid") == 1
    # Every order tells the same members once: six orders, six times each (member, channel).
    messages = _paid_messages_since(before)
    assert messages and len(messages) == len(orders) * len(set(messages))
