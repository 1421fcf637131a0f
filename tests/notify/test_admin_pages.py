"""Admins see the outbox with filters and pages and can retry failed or dead rows; the SMS inbox
shows what the console sender stored; nobody else gets in."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.notify import worker
from app.notify.senders import ConsoleEmailSender, ConsoleSmsSender
from app.notify.services import enqueue
from tests.factories import make_member
from tests.notify.conftest import FakeSender, notifications

CONTEXT = {
    "number": "J0000042",
    "title": "Rice",
    "total": Decimal("35.00"),
    "link": "http://jishi.test/o/42",
    "url": "http://jishi.test/orders/42",
}


@pytest.fixture
def outbox(db):
    """One sent SMS, one dead SMS, one failed e-mail, and a pending SMS and e-mail."""
    sent_to = make_member(display_name="Sent")
    enqueue(sent_to, "order_shipped", CONTEXT)
    db.session.commit()
    worker.run_once({"sms": ConsoleSmsSender(), "email": ConsoleEmailSender()})
    dead_to = make_member(display_name="Dead", email="dead@example.com")
    enqueue(dead_to, "order_paid", CONTEXT)
    db.session.commit()
    worker.run_once({"sms": FakeSender(fail=True, permanent=True), "email": FakeSender(fail=True)})
    enqueue(make_member(email="waiting@example.com"), "order_confirmed", CONTEXT)
    db.session.commit()
    return {row.status + "-" + row.channel: row for row in notifications()}


def test_admin_sees_the_outbox_and_filters_it(client, login, admin, outbox):
    login(admin)
    page = client.get("/admin/notifications").get_data(as_text=True)
    assert "5 notifications" in page
    assert "Jishi: order J0000042 has been shipped." in page and "Given up" in page
    dead = client.get("/admin/notifications?status=dead&channel=sms").get_data(as_text=True)
    assert "Jishi: payment for order J0000042 was recorded." in dead and "has been shipped" not in dead
    assert "1 notification" in dead and "gateway unavailable" in dead
    emails = client.get("/admin/notifications?channel=email").get_data(as_text=True)
    assert "Payment recorded for order J0000042" in emails and "Jishi: order J0000042 has been shipped." not in emails


def test_unknown_filter_values_and_pages_do_not_fail(client, login, admin, outbox):
    login(admin)
    for query in ("status=bogus", "channel=pigeon", "page=999", "page=-1", "page=abc", "status=%00"):
        assert client.get(f"/admin/notifications?{query}").status_code == 200, query


def test_outbox_is_paginated(app, client, login, admin, outbox):
    app.config["NOTIFY_PER_PAGE"] = 2
    login(admin)
    first = client.get("/admin/notifications").get_data(as_text=True)
    assert "Page 1 of 3" in first and 'rel="next"' in first


def test_admin_retries_a_dead_notification(client, login, admin, outbox):
    dead = outbox["dead-sms"]
    login(admin)
    response = client.post(f"/admin/notifications/{dead.id}/retry?status=dead")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/notifications?status=dead")
    row = notifications(id=dead.id)[0]
    assert (row.status, row.attempts) == ("pending", 0)
    assert worker.run_once({"sms": ConsoleSmsSender(), "email": ConsoleEmailSender()})["sent"] >= 1
    assert notifications(id=dead.id)[0].status == "sent"


def test_failed_notification_keeps_its_attempts_when_retried(client, login, admin, outbox):
    failed = outbox["failed-email"]
    login(admin)
    assert client.post(f"/admin/notifications/{failed.id}/retry").status_code == 303
    row = notifications(id=failed.id)[0]
    assert (row.status, row.attempts) == ("pending", 1)


def test_only_failed_or_dead_rows_can_be_retried(client, login, admin, outbox):
    login(admin)
    response = client.post(f"/admin/notifications/{outbox['sent-sms'].id}/retry")
    assert response.status_code == 409
    assert "Only failed or dead notifications can be retried." in response.get_data(as_text=True)
    assert notifications(id=outbox["sent-sms"].id)[0].status == "sent"
    assert client.post("/admin/notifications/999999/retry").status_code == 404
    assert client.post("/admin/notifications/99999999999/retry").status_code == 404


def test_retry_needs_csrf(client, login, admin, outbox):
    login(admin)
    response = client.post(f"/admin/notifications/{outbox['dead-sms'].id}/retry", csrf=False)
    assert response.status_code == 400
    assert notifications(id=outbox["dead-sms"].id)[0].status == "dead"


def test_members_and_visitors_cannot_see_or_retry(client, login, outbox):
    assert client.get("/admin/notifications").status_code == 302
    assert client.get("/dev/sms").status_code == 302
    login(make_member())
    assert client.get("/admin/notifications").status_code == 403
    assert client.post(f"/admin/notifications/{outbox['dead-sms'].id}/retry").status_code == 403
    assert client.get("/dev/sms").status_code == 403
    assert notifications(id=outbox["dead-sms"].id)[0].status == "dead"


def test_sms_inbox_shows_what_the_console_sender_stored(app, client, login, admin, outbox):
    login(admin)
    page = client.get("/dev/sms").get_data(as_text=True)
    assert "Jishi: order J0000042 has been shipped. http://jishi.test/o/42" in page
    assert outbox["sent-sms"].address in page
    assert "payment for order" not in page  # the dead one never reached the console


def test_sms_inbox_is_open_to_members_in_debug_mode(app, client, login, outbox):
    app.debug = True
    login(make_member())
    assert client.get("/dev/sms").status_code == 200
