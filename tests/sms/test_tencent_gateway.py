"""TencentSmsGateway through the real tencentcloud-sdk-python-sms client against a local Tencent
Cloud SMS that checks the TC3-HMAC-SHA256 signature: 200 numbers per request, per-number results,
error codes mapped to retryable or permanent, and forged keys refused."""

from __future__ import annotations

import pytest

from sms.gateways import GatewayError, SendResult, TemplateSms
from sms.tencent import TencentSmsGateway
from tests.fake_sms_providers import FakeTencentSms

SECRET_ID, SECRET_KEY, APP_ID = "AKIDtestsecretid", "test-tencent-secret-key", "1400123456"
TEMPLATES = {"1810001": 2, "1810002": 1}


@pytest.fixture
def tencent():
    with FakeTencentSms(SECRET_ID, SECRET_KEY, APP_ID, templates=TEMPLATES, signs={"集市"}) as server:
        yield server


def gateway_for(server, key=SECRET_KEY) -> TencentSmsGateway:
    return TencentSmsGateway(
        SECRET_ID, key, APP_ID, endpoint=f"127.0.0.1:{server.port}", protocol="http", sign_name="集市"
    )


def alert(to, price="2.10", code="1810001", **overrides) -> TemplateSms:
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


def test_one_message_is_one_signed_request_and_its_serial_number_is_the_provider_id(tencent):
    result = gateway_for(tencent).send_template(alert("+8613912340001"))
    [request] = tencent.requests
    assert request == {"numbers": ["+8613912340001"], "template": "1810001", "sign": "集市", "params": ["玉米", "2.10"]}
    [(serial, _number)] = tencent.sent
    assert result == SendResult(serial)


def test_numbers_with_the_same_text_go_two_hundred_to_a_request(tencent):
    to = numbers(450)
    results = gateway_for(tencent).send_template_batch([alert(number) for number in to])
    assert sorted(len(request["numbers"]) for request in tencent.requests) == [50, 200, 200]
    serial_of = dict((number, serial) for serial, number in tencent.sent)
    assert [result.provider_id for result in results] == [serial_of[number] for number in to]


def test_different_texts_are_different_requests_and_results_keep_the_input_order(tencent):
    messages = [alert("+8613900000001"), alert("+8613900000002", price="3.00"), alert("+8613900000003")]
    results = gateway_for(tencent).send_template_batch(messages)
    assert sorted(len(request["numbers"]) for request in tencent.requests) == [1, 2]
    serial_of = dict((number, serial) for serial, number in tencent.sent)
    assert [r.provider_id for r in results] == [serial_of[m.to] for m in messages]


def test_per_number_failures_fail_only_that_number(tencent):
    tencent.fail_numbers = {
        "+8613900000002": "FailedOperation.PhoneNumberInBlacklist",
        "+8613900000003": "LimitExceeded.PhoneNumberDailyLimit",
    }
    results = gateway_for(tencent).send_template_batch([alert(number) for number in numbers(4, 13_900_000_001)])
    assert isinstance(results[0], SendResult) and isinstance(results[3], SendResult)
    assert isinstance(results[1], GatewayError) and not results[1].retryable
    assert isinstance(results[2], GatewayError) and results[2].retryable
    assert len(tencent.requests) == 1


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        ("RequestLimitExceeded", True),
        ("InternalError.Timeout", True),
        ("FailedOperation.InsufficientBalanceInSmsPackage", True),
        ("FailedOperation.TemplateIncorrectOrUnapproved", False),
        ("InvalidParameterValue.TemplateParameterLengthLimit", False),
        ("UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber", False),
    ],
)
def test_request_errors_are_retryable_or_permanent(tencent, code, retryable):
    tencent.fail_next.append(code)
    results = gateway_for(tencent).send_template_batch([alert(number) for number in numbers(3)])
    assert all(isinstance(r, GatewayError) and r.retryable is retryable and code in r.message for r in results)
    assert tencent.sent == []


def test_a_number_the_provider_cannot_read_is_permanent(tencent):
    [result] = gateway_for(tencent).send_template_batch([alert("+86139")])
    assert isinstance(result, GatewayError) and not result.retryable
    assert "IncorrectPhoneNumber" in result.message


def test_a_wrong_secret_key_is_refused_by_the_signature_check(tencent):
    with pytest.raises(GatewayError) as raised:
        gateway_for(tencent, key="someone-elses-key").send_template(alert("+8613912340001"))
    assert "AuthFailure.SignatureFailure" in raised.value.message and raised.value.retryable
    assert tencent.refused_signatures == 1 and tencent.sent == []


def test_wrong_parameter_count_is_permanent(tencent):
    with pytest.raises(GatewayError) as raised:
        gateway_for(tencent).send_template(alert("+8613912340001", code="1810002"))
    assert "TemplateParameterFormatError" in raised.value.message and not raised.value.retryable


def test_a_message_without_a_template_id_is_refused_without_a_request(tencent):
    [result] = gateway_for(tencent).send_template_batch([alert("+8613912340001", provider_template_code=None)])
    assert isinstance(result, GatewayError) and not result.retryable
    assert tencent.requests == []


def test_free_text_is_refused_permanently(tencent):
    with pytest.raises(GatewayError) as raised:
        gateway_for(tencent).send("+8613912340001", "hello")
    assert not raised.value.retryable
