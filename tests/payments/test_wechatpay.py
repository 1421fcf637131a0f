"""WeChat Pay through the real wechatpayv3 client against a fake API v3 on 127.0.0.1: Native QR
code on desktops and H5 on phones, amounts in fen, query and close, refunds, and notifications —
good ones recorded once, bad, forged, stale, replayed and out-of-order ones answered 4xx or
ignored with nothing changed."""

from __future__ import annotations

import time
from decimal import Decimal
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from app.payments.models import LedgerEntry, Payment, WebhookEvent
from app.trade.models import Order, OrderEvent
from tests.payments.wechat_fake import new_key, notification, private_pem, rsa_sign, self_signed, write_settings
from tests.payments.wechat_helpers import (
    keys,
    paid_notification,
    pay_with_wechat,
    post_notification,
    refund_notification,
    start_wechat,
    wechat,  # noqa: F401  (fixture)
)
from tests.trade.helpers import walk

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
# WeChat's own browser on Android, as it announces itself.
IN_WECHAT = (
    "Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560"
    "(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)


def _counts(db):
    return tuple(
        db.session.scalar(select(func.count(model.id))) for model in (WebhookEvent, Payment, LedgerEntry, OrderEvent)
    )


def test_on_a_desktop_wechat_pay_shows_a_native_qr_code_for_the_amount_in_fen(
    client, login, db, buyer, confirmed_order, wechat
):
    response = start_wechat(client, login, confirmed_order, buyer)

    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/orders/{confirmed_order.id}#payment"
    )
    [request] = wechat.posts_to("/v3/pay/transactions/native")
    body = request["body"]
    assert body["amount"] == {"total": 3500, "currency": "CNY"} and isinstance(body["amount"]["total"], int)
    assert body["out_trade_no"] == f"{confirmed_order.number}A1" and body["attach"] == str(confirmed_order.id)
    assert body["notify_url"] == "http://jishi.test/hooks/payments/wechatpay"
    assert body["settle_info"] == {"profit_sharing": True}
    assert (body["mchid"], body["appid"]) == ("1900000109", "wxd678efh567hg6787")
    db.session.expire_all()
    assert confirmed_order.payment.pay_url == f"weixin://wxpay/bizpayurl?pr={confirmed_order.number}A1"
    page = client.get(f"/orders/{confirmed_order.id}").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "Scan this QR code with WeChat" in page
    assert "Pay on this phone instead" in page and "pay_on=phone" in page


def test_on_a_phone_wechat_pay_redirects_to_the_h5_page_that_comes_back_to_the_order(
    client, login, buyer, confirmed_order, wechat
):
    response = start_wechat(client, login, confirmed_order, buyer, pay_on="", **{"User-Agent": PHONE})

    assert response.status_code == 303
    [request] = wechat.posts_to("/v3/pay/transactions/h5")
    assert request["body"]["scene_info"]["h5_info"] == {"type": "Wap"}
    assert request["body"]["scene_info"]["payer_client_ip"]
    location = response.headers["Location"]
    assert location.startswith("https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=")
    assert location.endswith("&redirect_url=" + quote(f"http://jishi.test/orders/{confirmed_order.id}", safe=""))
    page = client.get(f"/orders/{confirmed_order.id}", headers={"User-Agent": PHONE}).get_data(as_text=True)
    assert "Show a QR code instead" in page and 'name="pay_on" value="phone"' in page


def test_inside_wechats_browser_the_order_page_shows_the_qr_code_for_a_long_press(
    client, login, db, buyer, confirmed_order, wechat
):
    """H5 is refused inside WeChat and JSAPI is not built (docs/payments-wechat.md): a phone in
    WeChat gets the Native QR code, which WeChat recognises on a long press."""
    login(buyer)
    before = client.get(f"/orders/{confirmed_order.id}", headers={"User-Agent": IN_WECHAT}).get_data(as_text=True)
    assert 'name="pay_on" value="desktop"' in before and "WeChat Pay shows a QR code" in before

    response = start_wechat(client, login, confirmed_order, buyer, pay_on="", **{"User-Agent": IN_WECHAT})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/orders/{confirmed_order.id}#payment")
    assert len(wechat.posts_to("/v3/pay/transactions/native")) == 1
    assert wechat.posts_to("/v3/pay/transactions/h5") == []
    page = client.get(f"/orders/{confirmed_order.id}", headers={"User-Agent": IN_WECHAT}).get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert "In WeChat itself, press and hold the code." in page
    client.post("/lang", data={"locale": "zh_Hans", "next": "/"})
    chinese = client.get(f"/orders/{confirmed_order.id}", headers={"User-Agent": IN_WECHAT}).get_data(as_text=True)
    assert "长按" in chinese


def test_the_buyer_can_switch_a_phone_to_the_qr_code(client, login, buyer, confirmed_order, wechat):
    response = start_wechat(client, login, confirmed_order, buyer, pay_on="desktop", **{"User-Agent": PHONE})

    assert response.status_code == 303 and len(wechat.posts_to("/v3/pay/transactions/native")) == 1


def test_a_new_attempt_closes_the_previous_wechat_order(client, login, buyer, confirmed_order, wechat):
    start_wechat(client, login, confirmed_order, buyer)
    start_wechat(client, login, confirmed_order, buyer)

    [close] = wechat.posts_to(f"/v3/pay/transactions/out-trade-no/{confirmed_order.number}A1/close")
    assert close["body"] == {"mchid": "1900000109"}
    assert wechat.transactions[f"{confirmed_order.number}A1"]["trade_state"] == "CLOSED"
    assert f"{confirmed_order.number}A2" in wechat.transactions


def test_a_paid_notification_marks_the_order_paid_with_one_charge_keyed_by_transaction_id(
    client, login, db, buyer, confirmed_order, wechat
):
    number = pay_with_wechat(client, login, confirmed_order, buyer, wechat)

    order = db.session.get(Order, confirmed_order.id)
    assert order.status == "paid"
    payment = order.payment
    transaction_id = wechat.transactions[number]["transaction_id"]
    assert (payment.provider, payment.amount_paid, payment.provider_reference) == (
        "wechatpay",
        Decimal("35.00"),
        transaction_id,
    )
    [charge] = payment.entries
    assert (charge.provider_object, charge.amount, charge.currency) == (transaction_id, Decimal("35.00"), "CNY")
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Scan this QR code" not in page


def test_a_replayed_notification_changes_nothing(client, login, db, buyer, confirmed_order, wechat):
    start_wechat(client, login, confirmed_order, buyer)
    body, headers = paid_notification(wechat, f"{confirmed_order.number}A1")
    assert post_notification(client, body, headers).status_code == 200
    before = _counts(db)

    again = post_notification(client, body, headers)

    assert again.status_code == 200 and again.get_json() == {"status": "already processed"}
    assert _counts(db) == before


def test_the_same_payment_under_another_notification_id_is_still_one_charge(
    client, login, db, buyer, confirmed_order, wechat
):
    start_wechat(client, login, confirmed_order, buyer)
    number = f"{confirmed_order.number}A1"
    assert post_notification(client, *paid_notification(wechat, number, "EV-1")).status_code == 200
    assert post_notification(client, *paid_notification(wechat, number, "EV-2")).status_code == 200

    db.session.expire_all()
    payment = db.session.get(Order, confirmed_order.id).payment
    assert len(payment.entries) == 1 and payment.amount_paid == Decimal("35.00")


@pytest.mark.parametrize(
    "problem",
    [
        "forged",
        "other-apiv3-key",
        "stale",
        "future",
        "missing-signature",
        "unknown-serial",
        "tampered",
        "garbage",
        "bad-type",
    ],
)
def test_a_bad_notification_is_400_and_changes_nothing(client, login, db, buyer, confirmed_order, wechat, problem):
    start_wechat(client, login, confirmed_order, buyer)
    number = f"{confirmed_order.number}A1"
    options = {
        "forged": {"signing_key": new_key()},
        "other-apiv3-key": {"apiv3_key": "X" * 32},
        "stale": {"timestamp": int(time.time()) - 301},
        # Well past the 300 s tolerance: the request takes time to sign and send, and a
        # timestamp only 301 s ahead drifts back inside the window on a slow machine.
        "future": {"timestamp": int(time.time()) + 360},
        "unknown-serial": {"serial": "7132D72A03E93CDDF8C03BBD1F37EEDF204E5AD3"},
    }.get(problem, {})
    body, headers = paid_notification(wechat, number, **options)
    if problem == "missing-signature":
        del headers["Wechatpay-Signature"]
    elif problem == "tampered":
        body = body.replace(b'"event_type": "TRANSACTION.SUCCESS"', b'"event_type": "TRANSACTION.SUCCESS" ')
    elif problem == "garbage":
        body, headers = b"\xff\xfenot json", {**headers, "Wechatpay-Signature": "!!!"}
    elif problem == "bad-type":
        headers["Wechatpay-Signature-Type"] = "WECHATPAY2-SM2-WITH-SM3"
    before = _counts(db)

    response = post_notification(client, body, headers)

    assert response.status_code == 400
    assert _counts(db) == before
    db.session.expire_all()
    assert db.session.get(Order, confirmed_order.id).status == "confirmed"


def test_a_signed_notification_that_is_not_json_is_400(client, db, confirmed_order, wechat):
    body = b"this is not json"
    timestamp, nonce = str(int(time.time())), "n" * 32
    headers = {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": rsa_sign(keys().platform, f"{timestamp}\n{nonce}\n{body.decode()}\n"),
        "Wechatpay-Serial": keys().platform_serial,
    }
    assert post_notification(client, body, headers).status_code == 400
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 0


def test_a_notification_for_another_merchant_is_acknowledged_and_ignored(
    client, login, db, buyer, confirmed_order, wechat
):
    start_wechat(client, login, confirmed_order, buyer)
    resource = wechat.pay(f"{confirmed_order.number}A1") | {"mchid": "1999999999"}
    response = post_notification(client, *notification(wechat.keys, "TRANSACTION.SUCCESS", resource, "EV-other"))

    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Order, confirmed_order.id).status == "confirmed"


def test_a_refund_notification_before_the_payment_notification_ends_the_same(
    client, login, db, buyer, seller, confirmed_order, wechat
):
    """Out of order: WeChat's refund notification arrives first (the payment one was delayed)."""
    start_wechat(client, login, confirmed_order, buyer)
    number = f"{confirmed_order.number}A1"
    paid = paid_notification(wechat, number, "EV-paid")
    transaction_id = wechat.transactions[number]["transaction_id"]
    wechat.refunds["R1"] = {
        "refund_id": "50300000000000000000000000001",
        "out_refund_no": "R1",
        "transaction_id": transaction_id,
        "out_trade_no": number,
        "amount": {"refund": 1000, "total": 3500},
    }
    refunded = refund_notification(wechat, "R1", "EV-refund")

    assert post_notification(client, *refunded).status_code == 200
    assert post_notification(client, *paid).status_code == 200

    db.session.expire_all()
    payment = db.session.get(Order, confirmed_order.id).payment
    assert (payment.amount_paid, payment.amount_refunded, payment.status) == (
        Decimal("35.00"),
        Decimal("10.00"),
        "part_refund",
    )
    assert sorted((e.kind, e.provider_object) for e in payment.entries) == [
        ("charge", transaction_id),
        ("refund", "50300000000000000000000000001"),
    ]


def test_check_payment_asks_wechat_when_the_notification_is_late(client, login, db, buyer, confirmed_order, wechat):
    start_wechat(client, login, confirmed_order, buyer)
    page = client.get(f"/orders/{confirmed_order.id}").get_data(as_text=True)
    assert "I have paid: check the payment" in page
    response = client.post(f"/orders/{confirmed_order.id}/payment/check")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, confirmed_order.id).status == "confirmed"

    wechat.pay(f"{confirmed_order.number}A1")
    client.post(f"/orders/{confirmed_order.id}/payment/check")
    client.post(f"/orders/{confirmed_order.id}/payment/check")

    db.session.expire_all()
    order = db.session.get(Order, confirmed_order.id)
    assert order.status == "paid" and len(order.payment.entries) == 1
    queries = [r for r in wechat.requests if r["method"] == "GET" and "/out-trade-no/" in r["path"]]
    assert len(queries) == 3 and queries[0]["query"] == {"mchid": "1900000109"}


def test_cancelling_a_paid_order_refunds_through_wechat_in_fen_once(
    client, login, db, buyer, seller, confirmed_order, wechat
):
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    walk(client, login, confirmed_order, (seller, "cancel"))

    [request] = wechat.posts_to("/v3/refund/domestic/refunds")
    refund = request["body"]
    assert refund["amount"] == {"refund": 3500, "total": 3500, "currency": "CNY"}
    assert refund["out_refund_no"] == f"order-{confirmed_order.id}-refund-1"
    assert refund["notify_url"] == "http://jishi.test/hooks/payments/wechatpay"
    db.session.expire_all()
    payment = db.session.get(Order, confirmed_order.id).payment
    [_, entry] = payment.entries
    refund_id = wechat.refunds[refund["out_refund_no"]]["refund_id"]
    # WeChat answered PROCESSING: pending under its refund_id (test_wechat_refund_states.py).
    assert (entry.kind, entry.status, entry.provider_object) == ("refund", "pending", refund_id)

    # WeChat's refund notification names the same refund: it is made, nothing more is refunded.
    assert post_notification(client, *refund_notification(wechat, refund["out_refund_no"], "EV-r")).status_code == 200
    db.session.expire_all()
    payment = db.session.get(Order, confirmed_order.id).payment
    assert payment.amount_refunded == Decimal("35.00") and len(payment.entries) == 2


def test_a_refund_wechat_cannot_take_stays_pending_and_the_retry_job_sends_it_once(
    app, client, login, db, buyer, seller, confirmed_order, wechat
):
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    wechat.failures[("POST", "/v3/refund/domestic/refunds")] = [500]
    walk(client, login, confirmed_order, (seller, "cancel"))
    db.session.expire_all()
    entry = db.session.get(Order, confirmed_order.id).payment.entries[-1]
    assert entry.status == "pending"

    wechat.refund_status = "SUCCESS"
    result = app.test_cli_runner().invoke(args=["payments", "retry-refunds"])

    assert "refunds made: 1; still pending: 0; failed: 0" in result.output
    db.session.expire_all()
    assert db.session.get(LedgerEntry, entry.id).status == "succeeded"
    assert len(wechat.refunds) == 1


def test_an_answer_with_a_bad_signature_is_not_trusted(client, login, db, buyer, confirmed_order, wechat):
    wechat.bad_answer_signature = True

    response = start_wechat(client, login, confirmed_order, buyer)

    assert response.status_code == 502
    db.session.expire_all()
    assert db.session.get(Order, confirmed_order.id).payment is None  # rolled back with the 502


def test_requests_signed_with_another_merchant_key_are_refused_by_wechat(
    app, client, login, buyer, confirmed_order, wechat, tmp_path
):
    other = tmp_path / "other_key.pem"
    other.write_text(private_pem(new_key()))
    app.config["WECHATPAY_PRIVATE_KEY_PATH"] = str(other)

    assert start_wechat(client, login, confirmed_order, buyer).status_code == 502
    assert wechat.requests[-1]["path"] == "/v3/pay/transactions/native" and not wechat.transactions


def test_the_wechat_pay_public_key_verifies_answers_and_notifications(
    app, client, login, db, buyer, confirmed_order, wechat, tmp_path
):
    wechat.public_key_mode = True
    app.config.update(write_settings(keys(), tmp_path / "pubkey", public_key_mode=True))
    start_wechat(client, login, confirmed_order, buyer)
    number = f"{confirmed_order.number}A1"
    assert wechat.requests[-1]["headers"]["Wechatpay-Serial"] == wechat.serial

    # Signed with the key but naming the platform certificate's serial: only the key id is ours.
    wrong_serial = paid_notification(wechat, number, "EV-1")
    assert post_notification(client, *wrong_serial).status_code == 400
    good = paid_notification(wechat, number, "EV-2", serial=wechat.serial)
    assert post_notification(client, *good).status_code == 200
    db.session.expire_all()
    assert db.session.get(Order, confirmed_order.id).status == "paid"


def test_a_rotated_platform_certificate_is_fetched_from_wechat(client, login, db, buyer, confirmed_order, wechat):
    """A notification names a platform certificate the directory does not hold yet: the library
    downloads /v3/certificates (decrypting them with the APIv3 key), keeps it, then verifies."""
    start_wechat(client, login, confirmed_order, buyer)
    rotated_key = new_key()
    rotated = self_signed(rotated_key, 0x1234ABCD)
    wechat.new_certificates.append(rotated)
    number = f"{confirmed_order.number}A1"

    body, headers = paid_notification(wechat, number, signing_key=rotated_key, serial="1234ABCD")

    assert post_notification(client, body, headers).status_code == 200
    assert any(r["path"] == "/v3/certificates" for r in wechat.requests)
    db.session.expire_all()
    assert db.session.get(Order, confirmed_order.id).status == "paid"
