"""SMS_GATEWAY=twilio: the worker's requests to Twilio (seen through the library's http_client hook,
nothing leaves the machine), retryable and permanent errors, and start-up refusing incomplete settings."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import requests
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from app import create_app
from app.core.clock import utcnow
from app.notify import worker
from app.notify.senders import senders_from_config
from app.notify.services import enqueue
from config import TestingConfig
from tests.factories import make_member
from tests.notify.conftest import notifications

ACCOUNT = "AC" + "1" * 32
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
CONTEXT = {
    "number": "J0000042",
    "title": "Rice",
    "link": "http://jishi.test/o/42",
    "url": "http://jishi.test/orders/42",
}


class RecordingHttpClient(HttpClient):
    """Answers each request with the next canned (status, payload) or exception, recording the request."""

    def __init__(self, *answers):
        super().__init__(logging.getLogger("test.twilio"), is_async=False, timeout=5)
        self.answers = list(answers)
        self.requests: list[dict] = []

    def request(
        self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False
    ):
        self.requests.append({"method": method, "url": uri, "data": data, "auth": auth})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, payload = answer
        return Response(status, json.dumps(payload))


def accepted(sid):
    return 201, {"sid": sid, "status": "queued", "account_sid": ACCOUNT}


def twilio_error(status, code, message):
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@pytest.fixture
def twilio(app):
    app.config.update(SMS_GATEWAY="twilio", TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_FROM_NUMBER="+15005550006")

    def senders(*answers):
        http = RecordingHttpClient(*answers)
        return http, senders_from_config(app.config, twilio_http_client=http)

    return senders


def queue_sms(db, member=None, body_locale="en"):
    member = member or make_member(locale=body_locale)
    enqueue(member, "order_shipped", CONTEXT, channels=("sms",))
    db.session.commit()
    return member


def test_worker_sends_through_twilio_with_from_number_and_status_callback(db, twilio):
    member = queue_sms(db, body_locale="zh_Hans")
    http, senders = twilio(accepted("SM" + "a" * 32))

    assert worker.run_once(senders) == {"sent": 1, "failed": 0, "dead": 0}

    [sent] = http.requests
    row = notifications()[0]
    assert (sent["method"], sent["url"], sent["auth"]) == ("POST", MESSAGES_URL, (ACCOUNT, "test-twilio-auth-token"))
    assert sent["data"] == {
        "To": member.phone,
        "Body": row.body,
        "From": "+15005550006",
        "StatusCallback": "http://jishi.test/sms/status",
    }
    assert "J0000042" in row.body
    assert (row.status, row.provider_id, row.last_error) == ("sent", "SM" + "a" * 32, None)


def test_messaging_service_sid_is_used_when_set(app, db, twilio):
    app.config["TWILIO_MESSAGING_SERVICE_SID"] = "MG" + "2" * 32
    queue_sms(db)
    http, senders = twilio(accepted("SM" + "b" * 32))

    worker.run_once(senders)

    data = http.requests[0]["data"]
    assert data["MessagingServiceSid"] == "MG" + "2" * 32 and "From" not in data


@pytest.mark.parametrize(
    "failure",
    [
        twilio_error(503, 20503, "Service unavailable"),
        twilio_error(429, 20429, "Too many requests"),
        requests.ConnectionError("connection reset"),
    ],
)
def test_retryable_failures_are_retried_with_backoff_then_sent(app, db, twilio, failure):
    queue_sms(db)
    http, senders = twilio(failure, accepted("SM" + "e" * 32))
    now = utcnow()

    assert worker.run_once(senders, now=now) == {"sent": 0, "failed": 1, "dead": 0}
    row = notifications()[0]
    assert row.status == "failed" and row.attempts == 1 and row.last_error
    assert worker.run_once(senders, now=now + timedelta(seconds=1)) == {"sent": 0, "failed": 0, "dead": 0}

    later = now + timedelta(seconds=app.config["NOTIFY_RETRY_BASE_SECONDS"])
    assert worker.run_once(senders, now=later) == {"sent": 1, "failed": 0, "dead": 0}
    row = notifications()[0]
    assert (row.status, row.attempts, row.provider_id) == ("sent", 2, "SM" + "e" * 32)
    assert len(http.requests) == 2


def test_an_invalid_number_is_dead_at_once(db, twilio):
    queue_sms(db)
    http, senders = twilio(twilio_error(400, 21211, "The 'To' number is not a valid phone number."))

    assert worker.run_once(senders) == {"sent": 0, "failed": 0, "dead": 1}

    row = notifications()[0]
    assert row.status == "dead" and "21211" in row.last_error and row.next_attempt_at is None
    assert len(http.requests) == 1


def test_delivery_report_for_a_twilio_message_reaches_the_row(client, db, twilio):
    queue_sms(db)
    _http, senders = twilio(accepted("SM" + "f" * 32))
    worker.run_once(senders)
    params = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered"}
    signature = RequestValidator("test-twilio-auth-token").compute_signature("http://jishi.test/sms/status", params)

    assert (
        client.post("/sms/status", data=params, csrf=False, headers={"X-Twilio-Signature": signature}).status_code
        == 200
    )
    assert notifications()[0].delivery_status == "delivered"


@pytest.mark.parametrize(
    ("settings", "missing"),
    [
        ({"TWILIO_ACCOUNT_SID": None}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_AUTH_TOKEN": ""}, "TWILIO_AUTH_TOKEN"),
        (
            {"TWILIO_FROM_NUMBER": None, "TWILIO_MESSAGING_SERVICE_SID": None},
            "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID",
        ),
    ],
)
def test_incomplete_twilio_settings_are_refused_by_the_worker_and_at_start_up(app, tmp_path, settings, missing):
    complete = {
        "SMS_GATEWAY": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": "token",
        "TWILIO_FROM_NUMBER": "+15005550006",
        "MAIL_BACKEND": "console",
    }
    with pytest.raises(RuntimeError, match=missing):
        senders_from_config({**complete, **settings})
    with pytest.raises(RuntimeError, match=missing):
        create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            UPLOAD_DIR=str(tmp_path),
            **{**complete, **settings},
        )


def test_cli_worker_reports_missing_twilio_settings(app):
    app.config.update(SMS_GATEWAY="twilio", TWILIO_ACCOUNT_SID=None)
    result = app.test_cli_runner().invoke(args=["notify", "worker", "--once"])
    assert result.exit_code != 0 and "TWILIO_ACCOUNT_SID" in result.output
