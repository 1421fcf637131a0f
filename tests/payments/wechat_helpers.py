"""Fixtures and steps shared by the WeChat Pay tests: the fake on 127.0.0.1 with test-made keys,
the provider's settings pointing at it, and an order paid the way a buyer pays."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.payments.wechat_fake import FakeWeChatPay, make_keys, notification, write_settings

_KEYS = None


def keys():
    """RSA keys and the platform certificate, made once per test session (2048-bit keys are slow)."""
    global _KEYS
    if _KEYS is None:
        _KEYS = make_keys()
    return _KEYS


@pytest.fixture
def wechat(app, tmp_path):
    fake = FakeWeChatPay(keys()).start()
    app.config.update(
        PAYMENT_PROVIDERS="manual,wechatpay",
        WECHATPAY_GATEWAY=fake.url,
        WECHATPAY_PROFIT_SHARING=True,
        **write_settings(keys(), tmp_path / "wechat"),
    )
    yield fake
    fake.stop()


def start_wechat(client, login, order, buyer, pay_on="desktop", **headers):
    login(buyer)
    return client.post(
        f"/orders/{order.id}/payment", data={"provider": "wechatpay", "pay_on": pay_on}, headers=headers or None
    )


def post_notification(client, body: bytes, headers: dict):
    return client.post("/hooks/payments/wechatpay", data=body, headers=headers, csrf=False)


def paid_notification(fake: FakeWeChatPay, out_trade_no: str, notification_id="EV-2026030110000001", **options):
    resource = fake.pay(out_trade_no)
    return notification(fake.keys, "TRANSACTION.SUCCESS", resource, notification_id, **options)


def refund_notification(fake: FakeWeChatPay, out_refund_no: str, notification_id: str, status="SUCCESS", **options):
    refund = fake.refunds[out_refund_no]
    refund["status"] = status
    resource = {
        "mchid": "1900000109",
        "out_trade_no": refund["out_trade_no"],
        "transaction_id": refund["transaction_id"],
        "out_refund_no": out_refund_no,
        "refund_id": refund["refund_id"],
        "refund_status": status,
        "success_time": "2026-03-01T10:05:00+08:00",
        "user_received_account": "支付用户零钱",
        "amount": {
            "total": refund["amount"]["total"],
            "refund": refund["amount"]["refund"],
            "payer_total": refund["amount"]["total"],
            "payer_refund": refund["amount"]["refund"],
        },
    }
    return notification(fake.keys, f"REFUND.{status}", resource, notification_id, original_type="refund", **options)


def pay_with_wechat(client, login, order, buyer, fake) -> str:
    """The buyer starts WeChat Pay (Native), pays, and WeChat notifies. Returns the out_trade_no."""
    assert start_wechat(client, login, order, buyer).status_code == 303
    number = f"{order.number}A1"
    response = post_notification(client, *paid_notification(fake, number))
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    return number
