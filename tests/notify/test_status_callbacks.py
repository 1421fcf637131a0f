"""POST /sms/status: Twilio's signed delivery reports update the SMS they belong to, never moving its
delivery status backwards; bad signatures write nothing; unknown SIDs are acknowledged; garbage is
a 400. The admin outbox shows the result."""

from __future__ import annotations

import threading

import pytest
from twilio.request_validator import RequestValidator

from app.notify.models import Notification
from app.notify.services import enqueue
from tests.factories import make_member
from tests.notify.conftest import notifications

TOKEN = "test-twilio-auth-token"
PUBLIC_URL = "http://jishi.test/sms/status"
SID = "SM" + "c" * 32
CONTEXT = {
    "number": "J0000042",
    "title": "Rice",
    "link": "http://jishi.test/o/42",
    "url": "http://jishi.test/orders/42",
}


def sign(params: dict, url: str = PUBLIC_URL, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def report(client, status: str, sid: str = SID, signature: str | None = None, **extra):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "1" * 32, **extra}
    return client.post(
        "/sms/status",
        data=params,
        csrf=False,
        headers={"X-Twilio-Signature": signature if signature is not None else sign(params)},
    )


@pytest.fixture
def sent_sms(db):
    """An SMS the worker handed to Twilio, which answered with SID."""
    enqueue(make_member(), "order_shipped", CONTEXT, channels=("sms",))
    db.session.commit()
    row = notifications()[0]
    row.status, row.provider_id = "sent", SID
    db.session.commit()
    return row.id


def delivery(db, notification_id):
    db.session.commit()
    row = db.session.get(Notification, notification_id)
    db.session.refresh(row)
    return row.delivery_status, row.delivery_error_code


def test_statuses_move_forward(client, db, sent_sms):
    for status in ("queued", "sending", "sent", "delivered"):
        response = report(client, status)
        assert response.status_code == 200 and response.get_json() == {"status": "recorded"}
        assert delivery(db, sent_sms) == (status, None)


def test_an_out_of_order_sent_after_delivered_is_ignored(client, db, sent_sms):
    assert report(client, "delivered").status_code == 200
    response = report(client, "sent")
    assert response.status_code == 200 and response.get_json() == {"status": "ignored"}
    assert report(client, "queued").get_json() == {"status": "ignored"}
    assert delivery(db, sent_sms) == ("delivered", None)


def test_failures_are_terminal_and_keep_the_error_code(client, db, sent_sms):
    assert report(client, "sent").status_code == 200
    assert report(client, "undelivered", ErrorCode="30006").status_code == 200
    assert delivery(db, sent_sms) == ("undelivered", "30006")
    assert report(client, "delivered").get_json() == {"status": "ignored"}
    assert report(client, "failed").get_json() == {"status": "ignored"}
    assert delivery(db, sent_sms) == ("undelivered", "30006")


def test_a_repeated_report_changes_nothing(client, db, sent_sms):
    assert report(client, "sent").get_json() == {"status": "recorded"}
    assert report(client, "sent").get_json() == {"status": "ignored"}


def test_unknown_sid_is_acknowledged_without_writing(client, db, sent_sms):
    response = report(client, "delivered", sid="SM" + "d" * 32)
    assert response.status_code == 200 and response.get_json() == {"status": "ignored"}
    assert delivery(db, sent_sms) == (None, None)


@pytest.mark.parametrize("signature", ["", "bm9wZQ==", sign({"MessageSid": SID, "MessageStatus": "sent"})])
def test_bad_signature_is_403_and_writes_nothing(client, db, sent_sms, signature):
    response = report(client, "delivered", signature=signature)
    assert response.status_code == 403
    assert delivery(db, sent_sms) == (None, None)


def test_signature_with_another_token_is_refused(client, db, sent_sms):
    params = {"MessageSid": SID, "MessageStatus": "delivered", "AccountSid": "AC" + "1" * 32}
    assert report(client, "delivered", signature=sign(params, token="someone-else")).status_code == 403
    assert delivery(db, sent_sms) == (None, None)


def test_behind_a_proxy_the_signature_is_checked_against_the_public_url(app, client, db, sent_sms):
    """The test client calls http://localhost/sms/status; Twilio signed the public address."""
    app.config["PUBLIC_BASE_URL"] = "https://jishi.example.cn/"
    params = {"MessageSid": SID, "MessageStatus": "delivered", "AccountSid": "AC" + "1" * 32}

    internal = report(client, "delivered", signature=sign(params, url="http://localhost/sms/status"))
    assert internal.status_code == 403
    public = report(client, "delivered", signature=sign(params, url="https://jishi.example.cn/sms/status"))
    assert public.status_code == 200
    assert delivery(db, sent_sms) == ("delivered", None)


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"MessageStatus": "delivered"}, "MessageSid"),
        ({"MessageSid": "SM'; DROP TABLE", "MessageStatus": "delivered"}, "MessageSid"),
        ({"MessageSid": SID, "MessageStatus": "teleported"}, "MessageStatus"),
        ({"MessageSid": SID}, "MessageStatus"),
        ({"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "abc"}, "ErrorCode"),
    ],
)
def test_garbage_is_400_and_writes_nothing(client, db, sent_sms, params, problem):
    response = client.post("/sms/status", data=params, csrf=False, headers={"X-Twilio-Signature": sign(params)})
    assert response.status_code == 400 and problem in response.get_json()["error"]
    assert delivery(db, sent_sms) == (None, None)


def test_get_is_not_allowed(client):
    assert client.get("/sms/status").status_code == 405


def test_admin_outbox_shows_the_delivery_status(client, login, admin, db, sent_sms):
    report(client, "undelivered", ErrorCode="30003")
    login(admin)
    page = client.get("/admin/notifications").get_data(as_text=True)
    assert "Not delivered" in page and "error 30003" in page


def test_reports_that_arrive_while_the_worker_is_still_sending_its_batch_are_kept_and_never_go_back(app, db):
    """Each message is marked sent as soon as Twilio accepts it, so a report on the first message that
    arrives while the second is being sent finds its row; a late "queued" after it changes nothing."""
    from app.notify import worker
    from tests.notify.conftest import FakeSender

    for _ in range(2):
        enqueue(make_member(), "order_shipped", CONTEXT, channels=("sms",))
    db.session.commit()
    answers = []

    def post_from_twilio(status, sid):
        # Another thread is another app context, so the report runs in its own session like a web
        # process would, not inside the worker's.
        thread = threading.Thread(target=lambda: answers.append(report(app.test_client(), status, sid).get_json()))
        thread.start()
        thread.join()

    class ReportingTwilio(FakeSender):
        def send(self, message):
            if self.sent:
                first_sid = f"SM{self.sent[0][0]:032x}"
                post_from_twilio("delivered", first_sid)
                post_from_twilio("queued", first_sid)
            super().send(message)
            return f"SM{message.id:032x}"

    sender = ReportingTwilio()
    assert worker.run_once({"sms": sender, "email": sender}) == {"sent": 2, "failed": 0, "dead": 0}
    assert answers == [{"status": "recorded"}, {"status": "ignored"}]
    first, second = notifications()
    assert (first.status, first.delivery_status) == ("sent", "delivered")
    assert (second.status, second.delivery_status) == ("sent", None)
