"""The sending policy applied when a notification is written and again when it is sent: quiet
hours (boundaries included), the daily SMS cap per local day, SMS only to verified numbers that
did not say STOP, and the member's channel choices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.notify import policy, preferences, services, worker
from app.notify.optout import opt_in, opt_out
from app.notify.services import enqueue, enqueue_sms_to_phone
from tests.factories import make_member
from tests.notify.conftest import FakeSender, notifications

CONTEXT = {
    "number": "J0000042",
    "title": "Rice",
    "link": "http://jishi.test/o/42",
    "url": "http://jishi.test/orders/42",
}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, China time, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def aware(moment):
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.fixture
def quiet_hours(app):
    app.config.update(NOTIFY_TIMEZONE="Asia/Shanghai", NOTIFY_QUIET_START=21, NOTIFY_QUIET_END=7)


@pytest.fixture
def clock(monkeypatch):
    """Set the time enqueue() believes it is: ``clock(moment)``."""

    def set_time(moment: datetime) -> None:
        monkeypatch.setattr(services, "utcnow", lambda: moment)

    return set_time


@pytest.fixture
def sender():
    sent = FakeSender()
    return sent, {"sms": sent, "email": sent}


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (20, 59, None),
        (21, 0, local(27, 7)),
        (23, 30, local(27, 7)),
        (0, 0, local(26, 7)),
        (6, 59, local(26, 7)),
        (7, 0, None),
        (12, 0, None),
    ],
)
def test_quiet_hours_hold_sms_until_seven_local_time(app, quiet_hours, hour, minute, expected):
    assert policy.quiet_hours_delay(local(26, hour, minute)) == expected


def test_quiet_hours_that_do_not_span_midnight_and_none_at_all(app):
    app.config.update(NOTIFY_QUIET_START=1, NOTIFY_QUIET_END=5)
    assert policy.quiet_hours_delay(local(26, 0, 59)) is None
    assert policy.quiet_hours_delay(local(26, 1)) == local(26, 5)
    assert policy.quiet_hours_delay(local(26, 5)) is None
    app.config.update(NOTIFY_QUIET_START=0, NOTIFY_QUIET_END=0)
    assert policy.quiet_hours_delay(local(26, 3)) is None


def test_sms_written_at_nine_pm_waits_until_seven_but_email_goes_at_once(app, db, quiet_hours, clock, sender):
    fake, senders = sender
    member = make_member(email="farmer@example.com")
    clock(local(26, 21))
    enqueue(member, "order_shipped", CONTEXT)
    db.session.commit()

    sms, email = notifications(channel="sms") + notifications(channel="email")
    assert aware(sms.next_attempt_at) == local(27, 7)
    assert aware(email.next_attempt_at) == local(26, 21)

    worker.run_once(senders, now=local(27, 6, 59))
    assert [address for _id, address, _body in fake.sent] == ["farmer@example.com"]
    worker.run_once(senders, now=local(27, 7))
    assert [address for _id, address, _body in fake.sent] == ["farmer@example.com", member.phone]


def test_sms_written_at_eight_fifty_nine_pm_is_due_at_once(app, db, quiet_hours, clock):
    clock(local(26, 20, 59))
    enqueue(make_member(), "order_shipped", CONTEXT)
    db.session.commit()
    assert aware(notifications(channel="sms")[0].next_attempt_at) == local(26, 20, 59)


def test_urgent_sms_ignores_quiet_hours(app, db, quiet_hours, clock):
    member = make_member()
    clock(local(26, 23))
    enqueue(member, "order_shipped", CONTEXT, urgent=True)
    enqueue_sms_to_phone("+8613900139000", "order_shipped", CONTEXT, "zh_Hans", urgent=True)
    enqueue_sms_to_phone("+8613900139001", "order_shipped", CONTEXT, "zh_Hans")
    db.session.commit()

    first, second, third = notifications(channel="sms")
    assert first.urgent and aware(first.next_attempt_at) == local(26, 23)
    assert second.urgent and aware(second.next_attempt_at) == local(26, 23)
    assert not third.urgent and aware(third.next_attempt_at) == local(27, 7)


def test_daily_cap_skips_the_sms_beyond_it_visibly(app, db, clock, sender):
    app.config["NOTIFY_SMS_DAILY_CAP"] = 3
    fake, senders = sender
    member = make_member()
    clock(local(26, 10))
    for _ in range(4):
        enqueue(member, "order_shipped", CONTEXT)
    enqueue(member, "order_shipped", CONTEXT, urgent=True)
    db.session.commit()

    rows = notifications(channel="sms")
    assert [(row.status, row.urgent) for row in rows] == [
        ("pending", False),
        ("pending", False),
        ("pending", False),
        ("skipped", False),
        ("pending", True),
    ]
    assert rows[3].last_error == "daily SMS limit reached" and rows[3].next_attempt_at is None

    worker.run_once(senders, now=local(26, 10))
    assert len(fake.sent) == 4
    assert [row.status for row in notifications(channel="sms")] == ["sent", "sent", "sent", "skipped", "sent"]


def test_daily_cap_counts_per_local_day_and_per_member(app, db, clock):
    app.config["NOTIFY_SMS_DAILY_CAP"] = 1
    member, other = make_member(), make_member()
    clock(local(26, 23, 59))
    enqueue(member, "order_shipped", CONTEXT)
    enqueue(other, "order_shipped", CONTEXT)
    enqueue_sms_to_phone(member.phone, "order_shipped", CONTEXT, "en", member=member)
    clock(local(27, 0, 0))  # 16:00 UTC: a new day in China
    enqueue(member, "order_shipped", CONTEXT)
    db.session.commit()

    assert [row.status for row in notifications(member_id=member.id)] == ["pending", "skipped", "pending"]
    assert [row.status for row in notifications(member_id=other.id)] == ["pending"]
    assert policy.sms_allowed_today(member.id, local(27, 12)) is False
    assert policy.sms_allowed_today(other.id, local(27, 12)) is True
    assert policy.sms_allowed_today(None, local(27, 12)) is True


def test_unverified_phone_gets_email_but_no_sms_unless_the_message_verifies_it(db):
    member = make_member(phone_verified_at=None, email="new@example.com")

    rows = enqueue(member, "order_shipped", CONTEXT)
    assert [row.channel for row in rows] == ["email"]
    assert enqueue_sms_to_phone(member.phone, "order_shipped", CONTEXT, "en", member=member) is None

    code = enqueue(member, "order_shipped", CONTEXT, channels=("sms",), to_unverified=True, urgent=True)
    assert [row.address for row in code] == [member.phone]
    assert enqueue_sms_to_phone(member.phone, "order_shipped", CONTEXT, "en", member=member, to_unverified=True)
    db.session.commit()
    assert len(notifications(channel="sms")) == 2


def test_sms_to_a_number_that_is_not_the_members_verified_one_needs_to_unverified(db):
    member = make_member()
    new_number = "+8613900139999"
    assert enqueue_sms_to_phone(new_number, "order_shipped", CONTEXT, "en", member=member) is None
    assert enqueue_sms_to_phone(new_number, "order_shipped", CONTEXT, "en", member=member, to_unverified=True)
    # A bare number (a price-alert list, an unregistered sender) belongs to nobody to verify.
    assert enqueue_sms_to_phone("+8613900130000", "order_shipped", CONTEXT, "en")


def test_opted_out_number_gets_no_sms_row(db):
    member = make_member(email="stop@example.com")
    opt_out(member.phone, "STOP")
    db.session.commit()

    rows = enqueue(member, "order_shipped", CONTEXT, urgent=True, to_unverified=True)
    assert [row.channel for row in rows] == ["email"]
    assert enqueue_sms_to_phone(member.phone, "order_shipped", CONTEXT, "en", member=member, urgent=True) is None
    assert enqueue_sms_to_phone(member.phone, "order_shipped", CONTEXT, "en") is None

    opt_in(member.phone)
    assert [row.channel for row in enqueue(member, "order_shipped", CONTEXT)] == ["sms", "email"]


def test_number_that_says_stop_after_the_row_was_written_is_never_sent_to(app, db, sender):
    fake, senders = sender
    member = make_member(email="late@example.com")
    enqueue(member, "order_shipped", CONTEXT)
    db.session.commit()
    opt_out(member.phone, "STOP")
    db.session.commit()

    assert worker.run_once(senders) == {"sent": 1, "failed": 0, "dead": 0}

    assert [address for _id, address, _body in fake.sent] == ["late@example.com"]
    [sms] = notifications(channel="sms")
    assert (sms.status, sms.last_error, sms.next_attempt_at) == ("skipped", "number opted out (STOP)", None)
    assert worker.run_once(senders) == {"sent": 0, "failed": 0, "dead": 0}


def test_a_batch_of_only_opted_out_rows_does_not_stop_the_worker(app, db, sender):
    app.config["NOTIFY_BATCH_SIZE"] = 2
    fake, senders = sender
    stopped, reachable = make_member(), make_member()
    for _ in range(2):
        enqueue(stopped, "order_shipped", CONTEXT)
    enqueue(reachable, "order_shipped", CONTEXT)
    opt_out(stopped.phone, "退订")
    db.session.commit()

    assert worker.run_once(senders)["sent"] == 1
    assert [address for _id, address, _body in fake.sent] == [reachable.phone]
    assert [row.status for row in notifications(member_id=stopped.id)] == ["skipped", "skipped"]


def test_a_failed_sms_is_not_retried_once_the_number_said_stop(app, db):
    member = make_member()
    enqueue(member, "order_shipped", CONTEXT)
    db.session.commit()
    failing = FakeSender(fail=True)
    now = datetime.now(UTC)
    worker.run_once({"sms": failing, "email": failing}, now=now)
    assert notifications()[0].status == "failed"
    opt_out(member.phone, "STOP")
    db.session.commit()

    working = FakeSender()
    worker.run_once({"sms": working, "email": working}, now=now + timedelta(days=1))
    assert working.sent == [] and notifications()[0].status == "skipped"


def test_switched_off_channels_get_no_row_but_account_messages_always_go(db):
    member = make_member(email="choosy@example.com")
    preferences.save_choices(member.id, {("trade", "email"), ("payments", "sms")})
    db.session.commit()

    assert [row.channel for row in enqueue(member, "offer_made", CONTEXT, template="order_shipped")] == ["email"]
    assert [row.channel for row in enqueue(member, "order_paid", CONTEXT)] == ["sms"]
    assert enqueue(member, "order_shipped", CONTEXT) == []
    assert enqueue_sms_to_phone(member.phone, "order_shipped", CONTEXT, "en", member=member) is None
    # The phone itself may still get messages that are not about this member's account.
    assert enqueue_sms_to_phone(member.phone, "order_shipped", CONTEXT, "en") is not None
    assert [row.channel for row in enqueue(member, "station_posting_confirm", CONTEXT, template="order_shipped")] == [
        "sms",
        "email",
    ]


def test_admin_outbox_lists_skipped_rows_with_the_reason(app, client, login, admin, db):
    app.config["NOTIFY_SMS_DAILY_CAP"] = 0
    enqueue(make_member(), "order_shipped", CONTEXT)
    db.session.commit()
    login(admin)
    page = client.get("/admin/notifications?status=skipped&channel=sms").get_data(as_text=True)
    assert "1 notification" in page and "Not sent (policy)" in page and "daily SMS limit reached" in page
