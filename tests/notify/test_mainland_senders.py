"""SMS_GATEWAY_CN: which settings each mainland provider needs (refused by the worker and at start-up),
and what the worker does with a free text when the provider has no free-text template."""

from __future__ import annotations

import pytest

from app import create_app
from app.notify import worker
from app.notify.senders import RoutedSmsSender, senders_from_config
from app.notify.services import enqueue_sms_reply
from config import TestingConfig
from tests.fake_sms_providers import FakeAliyunSms
from tests.notify.conftest import notifications

ALIYUN = {
    "SMS_GATEWAY": "console",
    "SMS_GATEWAY_CN": "aliyun",
    "SMS_SIGN_NAME": "集市",
    "ALIYUN_SMS_ACCESS_KEY_ID": "ak-id",
    "ALIYUN_SMS_ACCESS_KEY_SECRET": "ak-secret",
    "MAIL_BACKEND": "console",
}
TENCENT = {
    "SMS_GATEWAY": "console",
    "SMS_GATEWAY_CN": "tencent",
    "SMS_SIGN_NAME": "集市",
    "TENCENT_SMS_SECRET_ID": "secret-id",
    "TENCENT_SMS_SECRET_KEY": "secret-key",
    "TENCENT_SMS_SDK_APP_ID": "1400000001",
    "MAIL_BACKEND": "console",
}


@pytest.mark.parametrize(
    ("complete", "missing"),
    [
        (ALIYUN, "ALIYUN_SMS_ACCESS_KEY_ID"),
        (ALIYUN, "ALIYUN_SMS_ACCESS_KEY_SECRET"),
        (ALIYUN, "SMS_SIGN_NAME"),
        (TENCENT, "TENCENT_SMS_SECRET_KEY"),
        (TENCENT, "TENCENT_SMS_SDK_APP_ID"),
        (TENCENT, "SMS_SIGN_NAME"),
    ],
)
def test_incomplete_provider_settings_are_refused_by_the_worker_and_at_start_up(app, tmp_path, complete, missing):
    settings = {**complete, missing: None}
    with pytest.raises(RuntimeError, match=missing):
        senders_from_config(settings)
    with pytest.raises(RuntimeError, match=missing):
        create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            UPLOAD_DIR=str(tmp_path),
            **settings,
        )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"SMS_GATEWAY_CN": "twilio-cn"}, "SMS_GATEWAY_CN 'twilio-cn'"),
        ({"SMS_GATEWAY": "aliyun"}, "SMS_GATEWAY 'aliyun'"),
    ],
)
def test_unknown_gateway_names_are_refused(settings, message):
    with pytest.raises(RuntimeError, match=message):
        senders_from_config({**ALIYUN, **settings})


def test_complete_settings_give_a_routed_sender_and_an_empty_cn_gateway_changes_nothing(app):
    assert isinstance(senders_from_config(ALIYUN)["sms"], RoutedSmsSender)
    assert isinstance(senders_from_config(TENCENT)["sms"], RoutedSmsSender)
    assert not isinstance(senders_from_config({**ALIYUN, "SMS_GATEWAY_CN": ""})["sms"], RoutedSmsSender)


def test_free_text_without_a_free_text_template_is_dead_at_once_and_nothing_is_sent(app, db):
    with FakeAliyunSms("ak-id", "ak-secret", templates={"SMS_900001": ["content"]}, signs={"集市"}) as fake:
        app.config.update(ALIYUN, ALIYUN_SMS_ENDPOINT=fake.url, ALIYUN_SMS_TEXT_TEMPLATE_CODE=None)
        enqueue_sms_reply("+8613912340001", "你好", "zh_Hans")
        db.session.commit()
        assert worker.run_once(senders_from_config(app.config)) == {"sent": 0, "failed": 0, "dead": 1}
    [row] = notifications()
    assert "no Aliyun template code" in row.last_error
    assert fake.requests == []


def test_a_rate_limited_provider_is_retried_later(app, db):
    with FakeAliyunSms("ak-id", "ak-secret", templates={"SMS_900001": ["content"]}, signs={"集市"}) as fake:
        app.config.update(ALIYUN, ALIYUN_SMS_ENDPOINT=fake.url, ALIYUN_SMS_TEXT_TEMPLATE_CODE="SMS_900001")
        fake.fail_next.append("isv.BUSINESS_LIMIT_CONTROL")
        enqueue_sms_reply("+8613912340001", "你好", "zh_Hans")
        db.session.commit()
        assert worker.run_once(senders_from_config(app.config)) == {"sent": 0, "failed": 1, "dead": 0}
    [row] = notifications()
    assert row.status == "failed" and "isv.BUSINESS_LIMIT_CONTROL" in row.last_error


def test_the_routed_senders_gateway_sends_template_batches_by_route(app, db):
    """The interface the worker uses for template batches: +86 to the provider, the rest to the
    console (a console_sms row each)."""
    from sqlalchemy import select

    from app.notify.models import ConsoleSms
    from sms.gateways import SendResult, TemplateSms

    with FakeAliyunSms("ak-id", "ak-secret", templates={"SMS_1": ["price"]}, signs={"集市"}) as fake:
        app.config.update(ALIYUN, ALIYUN_SMS_ENDPOINT=fake.url)
        gateway = senders_from_config(app.config)["sms"].gateway
        messages = [
            TemplateSms(to, "alert", {"price": "2"}, "Maize 2", "SMS_1") for to in ("+8613900000001", "+447700900123")
        ]
        results = gateway.send_template_batch(messages)
    db.session.commit()
    assert all(isinstance(result, SendResult) for result in results)
    assert fake.requests[0]["numbers"] == ["13900000001"]
    assert [(row.to, row.body) for row in db.session.scalars(select(ConsoleSms))] == [("+447700900123", "Maize 2")]
