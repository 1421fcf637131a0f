"""A WeChat Pay refund is done only when WeChat says so: its answer is usually PROCESSING, and the
refund stays pending (on the order page, in en and zh) until REFUND.SUCCESS — by notification or by
the retry job's query — settles it; REFUND.ABNORMAL / REFUND.CLOSED fail it and tell the admins, who
send it again or refund by hand. Keyed by WeChat's refund_id, so replays and out-of-order
notifications change nothing more. Through the real wechatpayv3 client against the fake API v3."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.notify.models import Notification
from app.payments import ledger
from app.payments.models import LedgerEntry, Payment
from app.payments.providers.base import RefundReport
from app.trade.models import Order
from tests.payments.wechat_helpers import (
    pay_with_wechat,
    post_notification,
    refund_notification,
    wechat,  # noqa: F401  (fixture)
)
from tests.trade.helpers import walk

REFUNDS = "/v3/refund/domestic/refunds"


@pytest.fixture
def cancelled_after_payment(client, login, db, buyer, seller, confirmed_order, wechat):
    """The order paid with WeChat (¥35.00), then cancelled by the seller: the refund is sent and
    WeChat answers PROCESSING. Returns WeChat's out_refund_no."""
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    walk(client, login, confirmed_order, (seller, "cancel"))
    db.session.expire_all()
    return f"order-{confirmed_order.id}-refund-1"


def _payment(db, order) -> Payment:
    db.session.expire_all()
    return db.session.get(Order, order.id).payment


def _refund(db, order) -> LedgerEntry:
    [entry] = [e for e in _payment(db, order).entries if e.kind == "refund"]
    return entry


def _alerts(db) -> list[Notification]:
    return db.session.scalars(
        select(Notification).where(Notification.event == "payment_refund_failed").order_by(Notification.id)
    ).all()


def _payment_section(client, order, locale="en") -> str:
    client.post("/lang", data={"locale": locale, "next": "/"})
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    return page[page.index('id="payment"') :]


def _run_retry_job(app) -> str:
    return app.test_cli_runner().invoke(args=["payments", "retry-refunds"]).output


def test_a_refund_wechat_answers_processing_is_pending_until_the_success_notification(
    client, login, db, buyer, confirmed_order, wechat, cancelled_after_payment
):
    refund_id = wechat.refunds[cancelled_after_payment]["refund_id"]
    entry = _refund(db, confirmed_order)
    assert (entry.status, entry.provider_object, entry.amount) == ("pending", refund_id, Decimal("35.00"))
    payment = _payment(db, confirmed_order)
    assert (payment.amount_refunded, payment.status, payment.refundable) == (Decimal("0.00"), "paid", Decimal("0"))

    login(buyer)
    english = _payment_section(client, confirmed_order)
    assert "The payment service has not made this refund yet." in english and "Paid ¥35.00 · refunded ¥0.00" in english
    assert "支付服务尚未完成这笔退款。" in _payment_section(client, confirmed_order, "zh_Hans")

    success = refund_notification(wechat, cancelled_after_payment, "EV-refund-ok")
    assert post_notification(client, *success).status_code == 200

    entry = _refund(db, confirmed_order)
    payment = _payment(db, confirmed_order)
    assert entry.status == "succeeded"
    assert (payment.amount_refunded, payment.status) == (Decimal("35.00"), "refunded")
    # The same refund under another notification id: still one refund of ¥35.00.
    again = refund_notification(wechat, cancelled_after_payment, "EV-refund-ok-again")
    assert post_notification(client, *again).status_code == 200
    payment = _payment(db, confirmed_order)
    assert [e.kind for e in payment.entries] == ["charge", "refund"] and payment.amount_refunded == Decimal("35.00")
    assert _alerts(db) == []
    assert "The payment service has not made this refund yet." not in _payment_section(client, confirmed_order)


def test_the_retry_job_asks_wechat_about_a_processing_refund_and_settles_it_once_wechat_has_made_it(
    app, db, confirmed_order, wechat, cancelled_after_payment
):
    assert "refunds made: 0; still pending: 1; failed: 0" in _run_retry_job(app)
    assert _refund(db, confirmed_order).status == "pending"

    wechat.refunds[cancelled_after_payment]["status"] = "SUCCESS"
    assert "refunds made: 1; still pending: 0; failed: 0" in _run_retry_job(app)

    assert _refund(db, confirmed_order).status == "succeeded"
    assert _payment(db, confirmed_order).amount_refunded == Decimal("35.00")
    queries = [
        r for r in wechat.requests if r["method"] == "GET" and r["path"] == f"{REFUNDS}/{cancelled_after_payment}"
    ]
    assert len(queries) == 2 and len(wechat.posts_to(REFUNDS)) == 1  # asked, never sent twice
    assert "refunds made: 0; still pending: 0; failed: 0" in _run_retry_job(app)


@pytest.mark.parametrize("outcome", ["ABNORMAL", "CLOSED"])
def test_a_refund_wechat_cannot_make_is_failed_refundable_again_and_the_admins_are_told_once(
    client, login, db, admin, buyer, confirmed_order, wechat, cancelled_after_payment, outcome
):
    admin.email = "ops@jishi.test"
    db.session.commit()

    failed = refund_notification(wechat, cancelled_after_payment, f"EV-{outcome}", status=outcome)
    assert post_notification(client, *failed).status_code == 200
    replay = refund_notification(wechat, cancelled_after_payment, f"EV-{outcome}-again", status=outcome)
    assert post_notification(client, *replay).status_code == 200

    entry = _refund(db, confirmed_order)
    payment = _payment(db, confirmed_order)
    assert entry.status == "failed"
    assert (payment.amount_refunded, payment.refundable, payment.status) == (
        Decimal("0.00"),
        Decimal("35.00"),
        "paid",
    )
    [alert] = _alerts(db)
    assert (alert.member_id, alert.channel, alert.urgent) == (admin.id, "email", True)
    assert confirmed_order.number in alert.subject and "¥35.00" in alert.body
    assert f"/orders/{confirmed_order.id}#payment" in alert.body

    login(buyer)
    section = _payment_section(client, confirmed_order)
    assert "The payment service did not make this refund" in section and "Send the refund again" not in section
    assert "支付服务没有完成这笔退款" in _payment_section(client, confirmed_order, "zh_Hans")
    login(admin)
    assert "Send the refund again" in _payment_section(client, confirmed_order)
    listing = client.get("/admin/payments").get_data(as_text=True)
    assert "Refunds that failed" in listing and confirmed_order.number in listing


def test_an_admin_sends_a_failed_refund_again_as_a_new_refund(
    client, login, db, admin, confirmed_order, wechat, cancelled_after_payment
):
    post_notification(client, *refund_notification(wechat, cancelled_after_payment, "EV-bad", status="ABNORMAL"))
    failed = _refund(db, confirmed_order)
    login(admin)

    response = client.post(f"/orders/{confirmed_order.id}/payment/refunds/{failed.id}/again")

    assert response.status_code == 303
    entries = [e for e in _payment(db, confirmed_order).entries if e.kind == "refund"]
    assert [(e.status, e.idempotency_key) for e in entries] == [
        ("failed", cancelled_after_payment),
        ("pending", f"order-{confirmed_order.id}-refund-2"),
    ]
    assert [r["body"]["out_refund_no"] for r in wechat.posts_to(REFUNDS)] == [
        cancelled_after_payment,
        f"order-{confirmed_order.id}-refund-2",
    ]
    assert "Refunds that failed" not in client.get("/admin/payments").get_data(as_text=True)
    # Dealt with once: the button is gone and a second post is refused.
    assert "Send the refund again" not in _payment_section(client, confirmed_order)
    assert client.post(f"/orders/{confirmed_order.id}/payment/refunds/{failed.id}/again").status_code == 409


def test_an_admin_records_a_failed_refund_made_by_hand(
    client, login, db, admin, seller, confirmed_order, wechat, cancelled_after_payment
):
    post_notification(client, *refund_notification(wechat, cancelled_after_payment, "EV-closed", status="CLOSED"))
    failed = _refund(db, confirmed_order)
    login(seller)
    assert (
        client.post(
            f"/orders/{confirmed_order.id}/payment/refunds/{failed.id}", data={"reference": "ICBC-1"}
        ).status_code
        == 409
    )

    login(admin)
    response = client.post(f"/orders/{confirmed_order.id}/payment/refunds/{failed.id}", data={"reference": "ICBC-99"})

    assert response.status_code == 303
    payment = _payment(db, confirmed_order)
    refunds = [(e.status, e.amount, e.provider_reference) for e in payment.entries if e.kind == "refund"]
    assert refunds == [
        ("failed", Decimal("35.00"), wechat.refunds[cancelled_after_payment]["refund_id"]),
        ("succeeded", Decimal("35.00"), "ICBC-99"),
    ]
    assert (payment.amount_refunded, payment.status) == (Decimal("35.00"), "refunded")
    assert len(wechat.posts_to(REFUNDS)) == 1


def test_success_before_the_refund_answer_settles_it_and_later_news_cannot_undo_it(
    app, client, login, db, admin, buyer, seller, confirmed_order, wechat
):
    """Out of order: WeChat took the refund but its answer was lost (the refund stays pending,
    without WeChat's id); REFUND.SUCCESS arrives first and names it; an ABNORMAL after it, a
    PROCESSING report and the retry job change nothing."""
    admin.email = "ops@jishi.test"
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    wechat.lost_answers[("POST", REFUNDS)] = [500]
    walk(client, login, confirmed_order, (seller, "cancel"))
    out_refund_no = f"order-{confirmed_order.id}-refund-1"
    entry = _refund(db, confirmed_order)
    assert (entry.status, entry.provider_object) == ("pending", None)

    assert post_notification(client, *refund_notification(wechat, out_refund_no, "EV-ok")).status_code == 200
    refund_id = wechat.refunds[out_refund_no]["refund_id"]
    entry = _refund(db, confirmed_order)
    assert (entry.status, entry.provider_object) == ("succeeded", refund_id)

    late = refund_notification(wechat, out_refund_no, "EV-late-abnormal", status="ABNORMAL")
    assert post_notification(client, *late).status_code == 200
    payment = _payment(db, confirmed_order)
    ledger.record_refund_result(
        payment, _refund(db, confirmed_order), RefundReport(refund_id, Decimal("35.00"), "pending"), entry.updated_at
    )
    db.session.commit()
    assert "refunds made: 0; still pending: 0; failed: 0" in _run_retry_job(app)

    entry = _refund(db, confirmed_order)
    payment = _payment(db, confirmed_order)
    assert entry.status == "succeeded" and payment.amount_refunded == Decimal("35.00")
    assert len(wechat.posts_to(REFUNDS)) == 1 and _alerts(db) == []


def test_a_failed_refund_that_wechat_makes_after_all_counts_once(
    client, db, confirmed_order, wechat, cancelled_after_payment
):
    post_notification(client, *refund_notification(wechat, cancelled_after_payment, "EV-abn", status="ABNORMAL"))
    assert _refund(db, confirmed_order).status == "failed"

    post_notification(client, *refund_notification(wechat, cancelled_after_payment, "EV-ok-later"))

    payment = _payment(db, confirmed_order)
    assert [e.status for e in payment.entries if e.kind == "refund"] == ["succeeded"]
    assert payment.amount_refunded == Decimal("35.00") and payment.refundable == Decimal("0.00")
