"""AliyunSmsGateway through the real alibabacloud-dysmsapi20170525 client against a local Alibaba
Cloud SMS that checks the ACS3-HMAC-SHA256 signature: batching (one request for many numbers),
the documented limits, error codes mapped to retryable or permanent, and forged keys refused."""

from __future__ import annotations

import socket

import pytest

from sms.aliyun import AliyunSmsGateway, aliyun_number, aliyun_provider_id
from sms.gateways import GatewayError, SendResult, TemplateSms
from tests.fake_sms_providers import FakeAliyunSms

KEY_ID, KEY_SECRET = "LTAI5tTestKeyId", "test-aliyun-secret"
TEMPLATES = {"SMS_100001": ["commodity", "price"], "SMS_100002": ["code"]}


@pytest.fixture
def aliyun():
    with FakeAliyunSms(KEY_ID, KEY_SECRET, templates=TEMPLATES, signs={"集市"}) as server:
        yield server


def gateway_for(server, secret=KEY_SECRET, **options) -> AliyunSmsGateway:
    return AliyunSmsGateway(
        KEY_ID, secret, endpoint=f"127.0.0.1:{server.port}", protocol="http", sign_name="集市", **options
    )


def alert(to, price="2.10", code="SMS_100001", **overrides) -> TemplateSms:
    fields = dict(
        to=to,
        template="price_alert",
        params={"commodity": "玉米", "price": price},
        text=f"玉米 {price}",
        provider_template_code=code,
        sign_name="集市",
    )
    fields.update(overrides)
    return TemplateSms(**fields)


def numbers(count, start=13_800_000_000):
    return [f"+86{start + offset}" for offset in range(count)]


def test_one_message_is_one_signed_send_sms(aliyun):
    result = gateway_for(aliyun).send_template(alert("+8613912340001"))
    [request] = aliyun.requests
    assert request["action"] == "SendSms"
    assert request["numbers"] == ["13912340001"]
    assert request["params"] == [{"commodity": "玉米", "price": "2.10"}]
    [(biz_id, number, _text)] = aliyun.sent
    assert result == SendResult(f"{biz_id}:13912340001") == SendResult(aliyun_provider_id(biz_id, "+8613912340001"))


def test_many_numbers_with_the_same_text_go_in_one_request(aliyun):
    to = numbers(250)
    results = gateway_for(aliyun).send_template_batch([alert(number) for number in to])
    [request] = aliyun.requests
    assert request["action"] == "SendSms" and len(request["numbers"]) == 250
    assert all(isinstance(result, SendResult) for result in results)
    assert [result.provider_id.split(":")[1] for result in results] == [aliyun_number(n) for n in to]


def test_send_sms_is_split_at_the_documented_thousand_numbers(aliyun):
    results = gateway_for(aliyun).send_template_batch([alert(number) for number in numbers(2300)])
    assert sorted(len(request["numbers"]) for request in aliyun.requests) == [300, 1000, 1000]
    assert len({result.provider_id for result in results}) == 2300


def test_different_parameters_of_one_template_go_in_send_batch_sms_by_hundreds(aliyun):
    to = numbers(150)
    messages = [alert(number, price=f"2.{index:03d}") for index, number in enumerate(to)]
    results = gateway_for(aliyun).send_template_batch(messages)
    assert sorted((r["action"], len(r["numbers"])) for r in aliyun.requests) == [
        ("SendBatchSms", 50),
        ("SendBatchSms", 100),
    ]
    [first] = [r for r in aliyun.requests if len(r["numbers"]) == 100]
    assert first["params"][7] == {"commodity": "玉米", "price": "2.007"}
    assert first["signs"] == ["集市"] * 100
    assert [r.provider_id.split(":")[1] for r in results] == [aliyun_number(n) for n in to]


def test_mixed_batch_keeps_the_input_order(aliyun):
    messages = [
        alert("+8613900000001"),
        alert("+8613900000002", code="SMS_100002", params={"code": "4321"}),
        alert("+8613900000003"),
        alert("+8613900000004", price="9.99"),
    ]
    results = gateway_for(aliyun).send_template_batch(messages)
    assert [result.provider_id.split(":")[1] for result in results] == [
        "13900000001",
        "13900000002",
        "13900000003",
        "13900000004",
    ]
    # Two numbers with the same text: one SendSms; the other two templates' singles: one SendSms each.
    assert sorted(len(request["numbers"]) for request in aliyun.requests) == [1, 1, 2]


def test_a_bad_number_in_a_shared_request_fails_alone(aliyun):
    messages = [alert("+8613900000001"), alert("+86139000"), alert("+8613900000003")]
    results = gateway_for(aliyun).send_template_batch(messages)
    assert isinstance(results[0], SendResult) and isinstance(results[2], SendResult)
    assert isinstance(results[1], GatewayError) and not results[1].retryable
    assert "isv.MOBILE_NUMBER_ILLEGAL" in results[1].message


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        ("isv.BUSINESS_LIMIT_CONTROL", True),
        ("isv.DAY_LIMIT_CONTROL", True),
        ("isv.AMOUNT_NOT_ENOUGH", True),
        ("isp.SYSTEM_ERROR", True),
        ("isv.MOBILE_NUMBER_ILLEGAL", False),
        ("isv.SMS_TEMPLATE_ILLEGAL", False),
        ("isv.BLACK_KEY_CONTROL_LIMIT", False),
        ("isv.TEMPLATE_MISSING_PARAMETERS", False),
    ],
)
def test_error_codes_are_retryable_or_permanent(aliyun, code, retryable):
    aliyun.fail_next.append(code)
    with pytest.raises(GatewayError) as raised:
        gateway_for(aliyun).send_template(alert("+8613912340001"))
    assert raised.value.retryable is retryable
    assert code in raised.value.message
    assert aliyun.sent == []


def test_the_real_checks_of_the_fake_map_as_aliyun_would(aliyun):
    gateway = gateway_for(aliyun)
    unknown_template = gateway.send_template_batch([alert("+8613912340001", code="SMS_999")])[0]
    assert isinstance(unknown_template, GatewayError) and not unknown_template.retryable
    missing = gateway.send_template_batch([alert("+8613912340001", params={"commodity": "玉米"})])[0]
    assert "isv.TEMPLATE_MISSING_PARAMETERS" in missing.message and not missing.retryable


def test_a_wrong_secret_is_refused_by_the_signature_check_and_is_retryable(aliyun):
    with pytest.raises(GatewayError) as raised:
        gateway_for(aliyun, secret="someone-elses-secret").send_template(alert("+8613912340001"))
    assert "SignatureDoesNotMatch" in raised.value.message
    assert raised.value.retryable  # a settings mistake: the operator fixes it and the retry goes out
    assert aliyun.refused_signatures == 1 and aliyun.sent == []


def test_a_message_without_a_template_code_is_refused_without_a_request(aliyun):
    results = gateway_for(aliyun).send_template_batch([alert("+8613912340001", provider_template_code=None)])
    assert isinstance(results[0], GatewayError) and not results[0].retryable
    assert aliyun.requests == []


def test_free_text_is_refused_permanently(aliyun):
    with pytest.raises(GatewayError) as raised:
        gateway_for(aliyun).send("+8613912340001", "hello")
    assert not raised.value.retryable


def test_an_unreachable_endpoint_is_retryable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = AliyunSmsGateway(KEY_ID, KEY_SECRET, endpoint=f"127.0.0.1:{port}", protocol="http", sign_name="集市")
    with pytest.raises(GatewayError) as raised:
        gateway.send_template(alert("+8613912340001"))
    assert raised.value.retryable


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("+8613912340001", "13912340001"),
        ("8613912340001", "13912340001"),
        ("13912340001", "13912340001"),
        ("008613912340001", "13912340001"),
        ("+85291234567", "85291234567"),
    ],
)
def test_numbers_are_written_as_aliyun_takes_them(given, expected):
    assert aliyun_number(given) == expected
