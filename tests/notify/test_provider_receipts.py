"""Delivery reports (状态报告) from Alibaba Cloud (SmsReport) and Tencent Cloud (短信下发状态): the
SMS goes out through the worker and the provider's real client (local fake), the provider's
documented report comes back, and the row's delivery status moves forward only. Reports without
our callback token are refused; garbage gets a 400; unknown messages are acknowledged."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.notify import worker
from app.notify.models import Notification
from app.notify.senders import senders_from_config
from app.notify.services import enqueue_sms_reply
from config import TestingConfig
from sms.gateways import TemplateSms
from sms.templates import RenderedSms
from tests.fake_sms_providers import FakeAliyunSms, FakeTencentSms

TOKENS = {"aliyun": TestingConfig.ALIYUN_SMS_CALLBACK_TOKEN, "tencent": TestingConfig.TENCENT_SMS_CALLBACK_TOKEN}
OK = {"aliyun": {"code": 0, "msg": "接收成功"}, "tencent": {"result": 0, "errmsg": "OK"}}


def enqueue_free_text(phone: str, text: str, locale: str):
    """An outbox reply as written before replies were templates: its text only (no parameters),
    which a mainland provider can send only as the approved one-parameter free-text template."""
    row = enqueue_sms_reply(phone, RenderedSms("sms_reply", locale, {}, text), locale)
    row.template_params = None
    return row


@pytest.fixture(params=["aliyun", "tencent"])
def provider(request, app):
    app.config.update(SMS_GATEWAY="console", SMS_GATEWAY_CN=request.param, SMS_SIGN_NAME="集市")
    if request.param == "aliyun":
        fake = FakeAliyunSms("ak-id", "ak-secret", templates={"SMS_900001": ["content"]}, signs={"集市"})
        app.config.update(
            ALIYUN_SMS_ACCESS_KEY_ID="ak-id",
            ALIYUN_SMS_ACCESS_KEY_SECRET="ak-secret",
            ALIYUN_SMS_ENDPOINT=fake.url,
            ALIYUN_SMS_TEXT_TEMPLATE_CODE="SMS_900001",
        )
    else:
        fake = FakeTencentSms("secret-id", "secret-key", "1400000001", templates={"2000001": 1}, signs={"集市"})
        app.config.update(
            TENCENT_SMS_SECRET_ID="secret-id",
            TENCENT_SMS_SECRET_KEY="secret-key",
            TENCENT_SMS_SDK_APP_ID="1400000001",
            TENCENT_SMS_ENDPOINT=fake.url,
            TENCENT_SMS_TEXT_TEMPLATE_ID="2000001",
        )
    with fake:
        yield request.param, fake


def _send(app, phones: list[str]) -> list[Notification]:
    for phone in phones:
        enqueue_free_text(phone, "你好", "zh_Hans")
    _db.session.commit()
    assert worker.run_once(senders_from_config(app.config))["sent"] == len(phones)
    return _rows()


def _rows() -> list[Notification]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(Notification).order_by(Notification.id)))


def _report(name, fake, row, success=True, **extra) -> dict:
    if name == "aliyun":
        biz_id, number = row.provider_id.split(":")
        return {**fake.report(biz_id, number, success=success), **extra}
    return {**fake.report(row.provider_id, row.address, success=success), **extra}


def _post(client, name, payload, token="default"):
    token = TOKENS[name] if token == "default" else token
    url = f"/sms/{name}/report" + (f"?token={token}" if token is not None else "")
    data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    response = client.post(url, data=data, content_type="application/json", csrf=False)
    _db.session.commit()
    return response


def test_a_delivered_report_is_recorded_and_never_moved_back(provider, app, client, db):
    name, fake = provider
    [row] = _send(app, ["+8613912340001"])
    assert row.delivery_status is None
    response = _post(client, name, [_report(name, fake, row)])
    assert (response.status_code, response.get_json()) == (200, OK[name])
    assert _rows()[0].delivery_status == "delivered"
    # A replay, and a late failure report for the same message, change nothing.
    assert _post(client, name, [_report(name, fake, row)]).status_code == 200
    assert _post(client, name, [_report(name, fake, row, success=False)]).status_code == 200
    assert (_rows()[0].delivery_status, _rows()[0].delivery_error_code) == ("delivered", None)


def test_a_failure_report_records_the_carriers_code(provider, app, client, db):
    name, fake = provider
    [row] = _send(app, ["+8613912340002"])
    _post(client, name, [_report(name, fake, row, success=False)])
    stored = _rows()[0]
    assert stored.delivery_status == "undelivered"
    assert stored.delivery_error_code == ("DELIVERED" if name == "aliyun" else "MK:0005")


def test_one_push_carries_many_reports_and_bad_or_unknown_ones_are_passed_over(provider, app, client, db):
    name, fake = provider
    rows = _send(app, ["+8613912340003", "+8613912340004"])
    unknown = _report(name, fake, rows[0], biz_id="999^0", sid="2433:0000")
    malformed = {"sid": None, "biz_id": None, "success": "yes", "report_status": "MAYBE"}
    payload = [_report(name, fake, rows[0]), unknown, malformed, _report(name, fake, rows[1], success=False)]
    assert _post(client, name, payload).status_code == 200
    assert [row.delivery_status for row in _rows()] == ["delivered", "undelivered"]


@pytest.mark.parametrize("token", [None, "", "forged", "other-provider"])
def test_reports_without_our_token_are_refused(provider, app, client, db, token):
    name, fake = provider
    [row] = _send(app, ["+8613912340005"])
    if token == "other-provider":
        token = TOKENS["tencent" if name == "aliyun" else "aliyun"]
    assert _post(client, name, [_report(name, fake, row)], token=token).status_code == 403
    assert _rows()[0].delivery_status is None


@pytest.mark.parametrize("body", [b"<xml/>", b"{", b'["x"]', b"42"])
def test_garbage_gets_a_400(provider, client, db, body):
    name, _fake = provider
    assert _post(client, name, body).status_code == 400


def test_aliyun_reports_of_one_shared_request_reach_each_number(app, client, db):
    """SendSms for many numbers answers one BizId: the report's number tells the messages apart."""
    app.config.update(
        SMS_GATEWAY="console",
        SMS_GATEWAY_CN="aliyun",
        SMS_SIGN_NAME="集市",
        ALIYUN_SMS_ACCESS_KEY_ID="ak-id",
        ALIYUN_SMS_ACCESS_KEY_SECRET="ak-secret",
    )
    with FakeAliyunSms("ak-id", "ak-secret", templates={"SMS_1": ["price"]}, signs={"集市"}) as fake:
        app.config["ALIYUN_SMS_ENDPOINT"] = fake.url
        gateway = senders_from_config(app.config)["sms"].gateway
        phones = ["+8613912340006", "+8613912340007"]
        results = gateway.send_template_batch([TemplateSms(p, "alert", {"price": "2"}, "2", "SMS_1") for p in phones])
    assert len(fake.requests) == 1
    for phone, result in zip(phones, results, strict=True):
        enqueue_free_text(phone, "2", "en").provider_id = result.provider_id
    _db.session.commit()
    [(biz_id, number, _text)] = fake.sent[1:]
    _post(client, "aliyun", [fake.report(biz_id, number, success=False, err_code="MK:0001")])
    assert [row.delivery_status for row in _rows()] == [None, "undelivered"]
