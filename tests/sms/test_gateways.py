"""Gateways: the console store, and Twilio's request format and error mapping checked through the
library's http_client hook (nothing leaves the machine)."""

from __future__ import annotations

import json
import logging

import pytest
import requests
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from sms.gateways import (
    ConsoleGateway,
    ConsoleMessage,
    Gateway,
    GatewayError,
    SendResult,
    TwilioGateway,
    validate_twilio_signature,
)

SID, TOKEN = "AC" + "1" * 32, "secret-token"
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
CALLBACK = "https://jishi.example/sms/status"


class RecordingHttpClient(HttpClient):
    """Answers every request with the next canned (status, payload) and records what was asked."""

    def __init__(self, *answers):
        super().__init__(logging.getLogger("test.twilio"), is_async=False, timeout=5)
        self.answers = list(answers)
        self.requests: list[dict] = []

    def request(
        self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False
    ):
        self.requests.append({"method": method, "url": uri, "data": data, "auth": auth, "headers": headers})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, payload = answer
        return Response(status, json.dumps(payload))


def accepted(sid="SM" + "a" * 32):
    return 201, {"sid": sid, "status": "queued", "account_sid": SID}


def twilio_error(status, code, message):
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def test_twilio_posts_to_the_messages_endpoint_with_from_number_and_callback():
    http = RecordingHttpClient(accepted())
    gateway = TwilioGateway(SID, TOKEN, from_number="+15005550006", status_callback=CALLBACK, http_client=http)

    result = gateway.send("+8613800138000", "玉米 2100元/吨", None)

    assert result == SendResult("SM" + "a" * 32)
    [sent] = http.requests
    assert sent["method"] == "POST"
    assert sent["url"] == MESSAGES_URL
    assert sent["auth"] == (SID, TOKEN)
    assert sent["data"] == {
        "To": "+8613800138000",
        "Body": "玉米 2100元/吨",
        "From": "+15005550006",
        "StatusCallback": CALLBACK,
    }


def test_twilio_uses_the_messaging_service_and_a_per_message_callback():
    http = RecordingHttpClient(accepted())
    gateway = TwilioGateway(
        SID,
        TOKEN,
        from_number="+15005550006",
        messaging_service_sid="MG" + "2" * 32,
        status_callback=CALLBACK,
        http_client=http,
    )

    gateway.send("+8613800138000", "hi", "https://jishi.example/sms/status?m=7")

    data = http.requests[0]["data"]
    assert data["MessagingServiceSid"] == "MG" + "2" * 32
    assert "From" not in data
    assert data["StatusCallback"] == "https://jishi.example/sms/status?m=7"


def test_twilio_without_a_callback_sends_none():
    http = RecordingHttpClient(accepted())
    TwilioGateway(SID, TOKEN, from_number="+15005550006", http_client=http).send("+8613800138000", "hi")
    assert "StatusCallback" not in http.requests[0]["data"]


@pytest.mark.parametrize(
    ("answer", "retryable", "code"),
    [
        pytest.param(
            twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"),
            False,
            21610,
            id="unsubscribed-is-final",
        ),
        pytest.param(twilio_error(400, 21211, "Invalid 'To' Phone Number"), False, 21211, id="bad-number-is-final"),
        pytest.param(twilio_error(401, 20003, "Authenticate"), False, 20003, id="bad-credentials-is-final"),
        pytest.param(twilio_error(429, 20429, "Too Many Requests"), True, 20429, id="rate-limit-is-retryable"),
        pytest.param(twilio_error(500, 20500, "Internal Server Error"), True, 20500, id="server-error-is-retryable"),
        pytest.param(
            (
                503,
                {
                    "type": "https://www.twilio.com/docs/errors/20503",
                    "title": "Service unavailable",
                    "status": 503,
                    "code": 20503,
                },
            ),
            True,
            20503,
            id="rfc9457-error-is-mapped",
        ),
    ],
)
def test_twilio_errors_become_gateway_errors(answer, retryable, code):
    gateway = TwilioGateway(SID, TOKEN, from_number="+15005550006", http_client=RecordingHttpClient(answer))
    with pytest.raises(GatewayError) as raised:
        gateway.send("+8613800138000", "hi")
    assert raised.value.retryable is retryable
    assert raised.value.code == code
    assert str(code) in raised.value.message


def test_transport_failure_is_retryable():
    http = RecordingHttpClient(requests.ConnectionError("connection refused"))
    gateway = TwilioGateway(SID, TOKEN, from_number="+15005550006", http_client=http)
    with pytest.raises(GatewayError) as raised:
        gateway.send("+8613800138000", "hi")
    assert raised.value.retryable is True and raised.value.code is None


def test_default_transport_has_a_timeout():
    gateway = TwilioGateway(SID, TOKEN, messaging_service_sid="MG" + "2" * 32)
    assert gateway.client.http_client.timeout == 15.0


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"account_sid": "", "auth_token": TOKEN, "from_number": "+1"}, id="no-sid"),
        pytest.param({"account_sid": SID, "auth_token": "", "from_number": "+1"}, id="no-token"),
        pytest.param(
            {"account_sid": SID, "auth_token": TOKEN, "from_number": "", "messaging_service_sid": ""}, id="no-sender"
        ),
    ],
)
def test_twilio_refuses_incomplete_settings(kwargs):
    with pytest.raises(ValueError):
        TwilioGateway(**kwargs)


def test_console_gateway_stores_and_logs(caplog):
    inbox: list[ConsoleMessage] = []
    gateway: Gateway = ConsoleGateway(inbox)
    with caplog.at_level(logging.INFO, logger="sms.gateways"):
        first = gateway.send("+8613800138000", "价格 玉米", CALLBACK)
        second = gateway.send("+8613800138001", "hello")
    assert first.provider_id != second.provider_id
    assert [(m.to, m.body, m.status_callback, m.provider_id) for m in inbox] == [
        ("+8613800138000", "价格 玉米", CALLBACK, first.provider_id),
        ("+8613800138001", "hello", None, second.provider_id),
    ]
    assert "+8613800138000" in caplog.text and "价格 玉米" in caplog.text


def test_console_gateways_do_not_share_a_default_store():
    ConsoleGateway().send("+1", "a")
    assert ConsoleGateway().store == []


URL = "https://jishi.example/sms/inbound"
PARAMS = {"From": "+8613800138000", "Body": "价格 玉米", "MessageSid": "SM1"}


def test_signature_from_twilio_is_accepted():
    signature = RequestValidator(TOKEN).compute_signature(URL, PARAMS)
    assert validate_twilio_signature(URL, PARAMS, signature, TOKEN)


@pytest.mark.parametrize(
    ("url", "params", "token"),
    [
        pytest.param(URL, {**PARAMS, "Body": "卖 玉米 5吨 1"}, TOKEN, id="tampered-body"),
        pytest.param("http://internal:8000/sms/inbound", PARAMS, TOKEN, id="proxy-internal-url"),
        pytest.param(URL, PARAMS, "other-token", id="wrong-token"),
    ],
)
def test_bad_signatures_are_refused(url, params, token):
    signature = RequestValidator(TOKEN).compute_signature(URL, PARAMS)
    assert not validate_twilio_signature(url, params, signature, token)


@pytest.mark.parametrize("signature", [None, ""])
def test_missing_signature_is_refused(signature):
    assert not validate_twilio_signature(URL, PARAMS, signature, TOKEN)
