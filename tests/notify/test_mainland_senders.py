"""SMS_GATEWAY_CN: which settings each mainland provider needs (refused by the worker and at start-up),
and what the worker does with a free text when the provider has no free-text template."""

from __future__ import annotations

import pytest

from app import create_app
from app.core.clock import utcnow
from app.notify import worker
from app.notify.senders import RoutedSmsSender, senders_from_config
from app.notify.services import enqueue_sms_reply
from config import TestingConfig
from sms.templates import RenderedSms
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


def enqueue_free_text(phone: str, text: str, locale: str):
    """An outbox reply as written before replies were templates: its text only (no parameters),
    which a mainland provider can send only as the approved one-parameter free-text template."""
    row = enqueue_sms_reply(phone, RenderedSms("sms_reply", locale, {}, text), locale)
    row.template_params = None
    return row


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
        enqueue_free_text("+8613912340001", "你好", "zh_Hans")
        db.session.commit()
        assert worker.run_once(senders_from_config(app.config)) == {"sent": 0, "failed": 0, "dead": 1}
    [row] = notifications()
    assert "no Aliyun template code" in row.last_error
    assert fake.requests == []


def test_a_rate_limited_provider_is_retried_later(app, db):
    with FakeAliyunSms("ak-id", "ak-secret", templates={"SMS_900001": ["content"]}, signs={"集市"}) as fake:
        app.config.update(ALIYUN, ALIYUN_SMS_ENDPOINT=fake.url, ALIYUN_SMS_TEXT_TEMPLATE_CODE="SMS_900001")
        fake.fail_next.append("isv.BUSINESS_LIMIT_CONTROL")
        enqueue_free_text("+8613912340001", "你好", "zh_Hans")
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


def test_registry_templates_reach_aliyun_as_their_approved_codes_in_one_request_per_route(app, db):
    """The whole path of issue 17: outbox rows rendered from the registry, claimed by the worker,
    routed by number — the +86 rows of one template in one Aliyun request carrying the approved code,
    the signature and each row's parameters (never the rendered text), the other number through the
    default gateway, and each row recording its own provider id."""
    from sqlalchemy import select

    from app.notify.fanout import enqueue_sms_fanout
    from app.notify.models import ConsoleSms

    context = {
        "commodity_names": {"zh": "玉米", "en": "Maize"},
        "region_names": None,
        "day": utcnow().date(),
        "price_per_kg": "2.40",
        "change_pct": "3.5",
        "url": app.config["PUBLIC_BASE_URL"].rstrip("/") + "/prices/maize",
    }
    numbers = [("+8613900000001", "zh_Hans", None), ("+8613900000002", "zh_Hans", None), ("+447700900123", "en", None)]
    assert enqueue_sms_fanout(numbers, "price_alert", context) == 3
    db.session.commit()
    variables = {row.template: sorted(row.template_params) for row in notifications()}
    codes = {template: f"SMS_{index}" for index, template in enumerate(sorted(variables), start=700)}
    # The fake refuses a request that lacks any variable the approved template has.
    approved = {codes[template]: names for template, names in variables.items()}
    with FakeAliyunSms("ak-id", "ak-secret", templates=approved, signs={"集市"}) as fake:
        app.config.update(ALIYUN, ALIYUN_SMS_ENDPOINT=fake.url, SMS_TEMPLATE_CODES={"aliyun": codes})
        totals = worker.run_once(senders_from_config(app.config))

    assert totals == {"sent": 3, "failed": 0, "dead": 0}
    rows = {row.address: row for row in notifications()}
    mainland = [rows["+8613900000001"], rows["+8613900000002"]]
    [request] = fake.requests
    assert sorted(request["numbers"]) == ["13900000001", "13900000002"]
    assert request["template"] == codes[mainland[0].template]
    assert set(request["signs"]) == {"集市"}
    assert request["params"] == [row.template_params for row in mainland]
    assert all(row.status == "sent" and row.provider_id for row in mainland)
    assert len({row.provider_id for row in mainland}) == 2  # one id per message, for its delivery report
    console = db.session.scalars(select(ConsoleSms)).all()
    assert [row.to for row in console] == ["+447700900123"]
