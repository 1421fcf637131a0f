"""Alipay through python-alipay-sdk against a fake gateway on 127.0.0.1: the checkout redirect (page
pay on a computer, wap pay on a phone, the buyer's switch), notifications verified with Alipay's
public key (good, forged, tampered, other app, garbage, replayed, out of order, wrong amount) and
the return page that asks Alipay instead of trusting its parameters."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qsl, urlparse

import pytest
from sqlalchemy import func, select

from app.payments.models import LedgerEntry, Payment, WebhookEvent
from app.trade.models import OrderEvent
from tests.payments.alipay_fake import (  # noqa: F401
    APP_ID,
    DESKTOP_AGENT,
    PHONE_AGENT,
    alipay,
    alipay_paid_order,
    new_key,
    paid_notification,
    post_notification,
    rsa2_verify,
    signing_string,
    start_alipay,
)

TRADE_NO = "2026120722001000000000000001"


def _counts(db):
    return tuple(
        db.session.scalar(select(func.count(model.id))) for model in (WebhookEvent, Payment, LedgerEntry, OrderEvent)
    )


def _redirect_params(response) -> dict:
    location = response.headers["Location"]
    return dict(parse_qsl(urlparse(location).query, keep_blank_values=True))


@pytest.mark.parametrize(
    ("agent", "device", "method", "product"),
    [
        (DESKTOP_AGENT, "auto", "alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY"),
        (PHONE_AGENT, "auto", "alipay.trade.wap.pay", "QUICK_WAP_PAY"),
        (PHONE_AGENT, "desktop", "alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY"),
        (DESKTOP_AGENT, "phone", "alipay.trade.wap.pay", "QUICK_WAP_PAY"),
    ],
    ids=["computer", "phone", "phone-switched-to-computer", "computer-switched-to-phone"],
)
def test_checkout_redirects_to_a_signed_alipay_page_for_the_device(
    client, db, login, buyer, alipay, confirmed_order, agent, device, method, product
):
    response = start_alipay(client, login, buyer, confirmed_order, agent=agent, device=device)

    assert response.status_code == 303
    assert response.headers["Location"].startswith(alipay.gateway + "?")
    params = _redirect_params(response)
    assert rsa2_verify(alipay.app_key.public_key(), signing_string(params), params["sign"])
    assert (params["method"], params["app_id"], params["sign_type"]) == (method, APP_ID, "RSA2")
    assert params["notify_url"] == "http://jishi.test/hooks/payments/alipay"
    assert params["return_url"] == f"http://jishi.test/orders/{confirmed_order.id}/payment/return"
    biz = json.loads(params["biz_content"])
    assert biz["product_code"] == product
    assert biz["total_amount"] == "35.00" and biz["out_trade_no"] == f"{confirmed_order.number}_1"
    assert "extend_params" not in biz  # no 分账 freeze unless ALIPAY_ROYALTY_FREEZE
    if method == "alipay.trade.wap.pay":
        assert biz["quit_url"] == params["return_url"]
    payment = db.session.scalar(select(Payment))
    assert (payment.provider, payment.checkout_reference, payment.status) == (
        "alipay",
        f"{confirmed_order.number}_1",
        "pending",
    )


def test_the_order_page_offers_alipay_with_the_device_switch_in_both_languages(
    client, login, buyer, alipay, confirmed_order
):
    login(buyer)
    page = client.get(f"/orders/{confirmed_order.id}").get_data(as_text=True)
    assert "Alipay (支付宝)" in page and "Phone: open the Alipay app" in page
    page = client.get(f"/orders/{confirmed_order.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "手机：打开支付宝应用" in page


def test_a_second_attempt_closes_the_first_trade_and_freezes_for_split_when_configured(
    app, client, login, buyer, alipay, confirmed_order
):
    app.config["ALIPAY_ROYALTY_FREEZE"] = True
    alipay.add_trade(f"{confirmed_order.number}_1", "35.00", status="WAIT_BUYER_PAY")
    start_alipay(client, login, buyer, confirmed_order)

    response = start_alipay(client, login, buyer, confirmed_order)

    [close] = alipay.calls("alipay.trade.close")
    assert close["biz"] == {"out_trade_no": f"{confirmed_order.number}_1"}
    assert alipay.trades[f"{confirmed_order.number}_1"]["trade_status"] == "TRADE_CLOSED"
    biz = json.loads(_redirect_params(response)["biz_content"])
    assert biz["out_trade_no"] == f"{confirmed_order.number}_2"
    assert biz["extend_params"] == {"royalty_freeze": "true"}


def test_a_verified_notification_marks_the_order_paid_with_one_ledger_charge(client, db, alipay, confirmed_order):
    response = post_notification(client, paid_notification(alipay, confirmed_order))

    assert (response.status_code, response.get_data(as_text=True)) == (200, "success")
    assert response.mimetype == "text/plain"
    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "paid"
    payment = confirmed_order.payment
    assert (payment.provider, payment.status, payment.amount_paid, payment.provider_reference) == (
        "alipay",
        "paid",
        Decimal("35.00"),
        TRADE_NO,
    )
    [charge] = payment.entries
    assert (charge.kind, charge.amount, charge.currency, charge.provider_object) == (
        "charge",
        Decimal("35.00"),
        "CNY",
        TRADE_NO,
    )


def _forged(alipay, order):
    return paid_notification(alipay, order, key=new_key())


def _tampered(alipay, order):
    return paid_notification(alipay, order, total="0.01").replace("total_amount=0.01", "total_amount=35.00")


def _unsigned(alipay, order):
    return "&".join(p for p in paid_notification(alipay, order).split("&") if not p.startswith("sign="))


def _rsa1(alipay, order):
    return paid_notification(alipay, order).replace("sign_type=RSA2", "sign_type=RSA")


def _other_app(alipay, order):
    return paid_notification(alipay, order, app_id="2021999999999999")


def _other_seller(alipay, order):
    return paid_notification(alipay, order, seller_id="2088999999999999")


def _bad_sign_text(alipay, order):
    body = paid_notification(alipay, order)
    return body[: body.index("sign=")] + "sign=%%%not-base64%%%&sign_type=RSA2"


@pytest.mark.parametrize(
    "make", [_forged, _tampered, _unsigned, _rsa1, _other_app, _other_seller, _bad_sign_text], ids=lambda f: f.__name__
)
def test_a_forged_tampered_or_foreign_notification_is_refused_and_changes_nothing(
    client, db, alipay, confirmed_order, make
):
    before = _counts(db)

    response = post_notification(client, make(alipay, confirmed_order))

    assert (response.status_code, response.get_data(as_text=True)) == (400, "failure")
    assert _counts(db) == before
    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "confirmed"


@pytest.mark.parametrize(
    "body",
    [b"", b"\xff\xfe\x00garbage", b"not a form at all", b"a=1&a", b'{"trade_status": "TRADE_SUCCESS"}'],
    ids=["empty", "binary", "text", "broken-form", "json"],
)
def test_a_garbage_body_is_400_failure(client, db, alipay, confirmed_order, body):
    before = _counts(db)
    response = post_notification(client, body)
    assert (response.status_code, response.get_data(as_text=True)) == (400, "failure")
    assert _counts(db) == before


def test_a_signed_notification_with_an_unreadable_amount_is_refused(client, db, alipay, confirmed_order):
    response = post_notification(client, paid_notification(alipay, confirmed_order, total="35.0.0"))
    assert (response.status_code, response.get_data(as_text=True)) == (400, "failure")
    assert _counts(db)[0] == 0


def test_a_replayed_notification_answers_success_and_changes_nothing(client, db, alipay, alipay_paid_order):
    before = _counts(db)

    response = post_notification(client, paid_notification(alipay, alipay_paid_order))

    assert (response.status_code, response.get_data(as_text=True)) == (200, "success")
    assert _counts(db) == before
    assert db.session.scalar(select(Payment)).amount_paid == Decimal("35.00")


def test_trade_finished_before_trade_success_makes_one_charge(client, db, alipay, confirmed_order):
    finished = paid_notification(alipay, confirmed_order, trade_status="TRADE_FINISHED")
    success = paid_notification(alipay, confirmed_order)

    assert post_notification(client, finished).get_data(as_text=True) == "success"
    assert post_notification(client, success).get_data(as_text=True) == "success"

    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "paid"
    [charge] = confirmed_order.payment.entries
    assert charge.amount == Decimal("35.00")
    assert db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.to_status == "paid")) == 1


def test_a_refund_notification_before_the_payment_one_ends_in_the_same_state(client, db, alipay, confirmed_order):
    refund = paid_notification(
        alipay, confirmed_order, refund_fee="5.00", gmt_refund="2026-12-07 11:00:00.123", out_biz_no="order-1-refund-1"
    )
    assert post_notification(client, refund).get_data(as_text=True) == "success"
    assert post_notification(client, paid_notification(alipay, confirmed_order)).get_data(as_text=True) == "success"

    payment = db.session.scalar(select(Payment))
    assert (payment.amount_paid, payment.amount_refunded, payment.status) == (
        Decimal("35.00"),
        Decimal("5.00"),
        "part_refund",
    )
    kinds = sorted((e.kind, e.amount) for e in payment.entries)
    assert kinds == [("charge", Decimal("35.00")), ("refund", Decimal("5.00"))]


def test_a_full_refund_closes_the_trade_and_is_recorded(client, db, alipay, alipay_paid_order):
    closed = paid_notification(alipay, alipay_paid_order, trade_status="TRADE_CLOSED", refund_fee="35.00")
    assert post_notification(client, closed).get_data(as_text=True) == "success"
    payment = db.session.scalar(select(Payment))
    assert (payment.amount_refunded, payment.status) == (Decimal("35.00"), "refunded")


def test_an_unpaid_trade_closed_by_timeout_changes_nothing(client, db, alipay, confirmed_order):
    closed = paid_notification(alipay, confirmed_order, trade_status="TRADE_CLOSED")
    assert post_notification(client, closed).get_data(as_text=True) == "success"
    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "confirmed"
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0


def test_a_notification_for_another_amount_is_refused_and_flagged_for_an_admin(
    client, db, login, admin, alipay, confirmed_order
):
    for _attempt in range(2):  # Alipay retries a refused notification: refused again, flagged once
        response = post_notification(client, paid_notification(alipay, confirmed_order, total="0.01"))
        assert (response.status_code, response.get_data(as_text=True)) == (400, "failure")

    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "confirmed"
    payment = confirmed_order.payment
    assert (payment.attention, payment.amount_paid, payment.entries) == ("amount", Decimal("0.00"), [])
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 0
    login(admin)
    listing = client.get("/admin/payments").get_data(as_text=True)
    assert confirmed_order.number in listing and "another amount than this order" in listing


def test_the_return_page_asks_alipay_and_records_a_paid_trade(client, db, login, buyer, alipay, confirmed_order):
    start_alipay(client, login, buyer, confirmed_order)
    alipay.add_trade(f"{confirmed_order.number}_1", "35.00", trade_no=TRADE_NO)

    # Forged return parameters are ignored: only the query counts.
    response = client.get(f"/orders/{confirmed_order.id}/payment/return?trade_no=1&total_amount=0.01&sign=x")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/orders/{confirmed_order.id}#payment")
    [query] = alipay.calls("alipay.trade.query")
    assert query["biz"] == {"out_trade_no": f"{confirmed_order.number}_1"}
    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "paid"
    # The notification that follows is the same event.
    answer = post_notification(client, paid_notification(alipay, confirmed_order))
    assert answer.get_data(as_text=True) == "success"
    assert len(confirmed_order.payment.entries) == 1
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 1


def test_the_return_page_keeps_checking_while_alipay_has_no_payment(client, db, login, buyer, alipay, confirmed_order):
    start_alipay(client, login, buyer, confirmed_order)

    response = client.get(f"/orders/{confirmed_order.id}/payment/return")

    assert response.status_code == 200
    assert "Checking your payment" in response.get_data(as_text=True)
    assert response.headers["Refresh"].startswith("3; url=/orders/")
    zh = client.get(f"/orders/{confirmed_order.id}/payment/return", headers={"Accept-Language": "zh-CN"})
    assert "正在确认您的付款" in zh.get_data(as_text=True)
    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "confirmed"


def test_the_return_page_does_not_trust_a_forged_gateway_answer(client, db, login, buyer, alipay, confirmed_order):
    start_alipay(client, login, buyer, confirmed_order)
    alipay.add_trade(f"{confirmed_order.number}_1", "35.00", trade_no=TRADE_NO)
    alipay.forge_answers = True

    response = client.get(f"/orders/{confirmed_order.id}/payment/return")

    assert response.status_code == 200
    assert "could not be reached" in response.get_data(as_text=True)
    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "confirmed"


def test_a_stranger_gets_404_on_the_return_page(client, login, alipay, confirmed_order, stranger):
    login(stranger)
    assert client.get(f"/orders/{confirmed_order.id}/payment/return").status_code == 404


def test_the_return_page_of_an_order_without_an_alipay_payment_leads_to_the_order(
    client, login, buyer, alipay, confirmed_order
):
    login(buyer)
    response = client.get(f"/orders/{confirmed_order.id}/payment/return")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/orders/{confirmed_order.id}#payment"
    )
    assert alipay.requests == []
