"""The bulk SMS fan-out writes one row per reachable number, in its language, under the same rules as
enqueue: opted-out numbers and members who switched the category off get nothing, the daily cap and
quiet hours apply, and nothing outlives a rolled-back transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.catalogue.models import Commodity, Region, Unit
from app.core.clock import utcnow
from app.extensions import db as _db
from app.notify import fanout
from app.notify.fanout import enqueue_sms_fanout
from app.notify.models import Notification, NotificationStatus
from app.notify.optout import opt_in, opt_out
from app.notify.preferences import save_choices
from app.notify.services import enqueue
from tests.factories import make_member
from tests.notify.conftest import notifications


@pytest.fixture
def awake(app):
    """No quiet hours, so rows are due at once whatever time the suite runs."""
    app.config.update(NOTIFY_QUIET_START=0, NOTIFY_QUIET_END=0)


@pytest.fixture
def alert(db):
    maize = db.session.scalar(select(Commodity).where(Commodity.slug == "maize"))
    return {
        "title": "Maize",
        "commodity": maize,
        "quantity": Decimal("5"),
        "unit": db.session.get(Unit, "t"),
        "price": Decimal("2100"),
        "province": db.session.get(Region, "41"),
        "link": "http://jishi.test/p/1",
    }


def phones(count: int, start: int = 13900000000) -> list[str]:
    return [f"+86{start + n}" for n in range(count)]


def aware(value: datetime) -> datetime:
    # SQLite hands timestamps back without their time zone; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def count_rows() -> int:
    return _db.session.scalar(select(func.count(Notification.id)))


def test_writes_one_row_per_number_in_its_language(db, awake, alert, monkeypatch):
    # Several chunks, so the batching itself is exercised.
    monkeypatch.setattr(fanout, "CHUNK_SIZE", 70)
    numbers = phones(300)
    recipients = [(phone, "zh-CN" if n % 3 == 0 else "en", None) for n, phone in enumerate(numbers)]
    written = enqueue_sms_fanout(recipients, "new_match", alert)
    db.session.commit()

    assert written == 300
    rows = notifications(event="new_match")
    assert [row.address for row in rows] == numbers
    chinese = [row for row in rows if row.locale == "zh_Hans"]
    english = [row for row in rows if row.locale == "en"]
    assert len(chinese) == 100 and len(english) == 200
    assert len({row.body for row in chinese}) == 1 and len({row.body for row in english}) == 1
    assert "maize" in english[0].body.lower() and "¥2,100.00" in english[0].body
    assert all(row.status == NotificationStatus.PENDING.value and row.channel == "sms" for row in rows)
    assert all(row.next_attempt_at is not None and aware(row.next_attempt_at) <= utcnow() for row in rows)


def test_unknown_locale_falls_back_to_default_and_repeated_numbers_get_one_message(db, awake, alert):
    written = enqueue_sms_fanout(
        [
            ("+8613900000001", "fr", None),
            ("+8613900000001", "zh", None),
            ("", "en", None),
            ("+8613900000002", "", None),
        ],
        "new_match",
        alert,
    )
    db.session.commit()
    rows = notifications()
    assert written == 2
    assert [(row.address, row.locale) for row in rows] == [("+8613900000001", "en"), ("+8613900000002", "en")]


def test_opted_out_numbers_are_skipped_and_opted_in_again_are_not(db, awake, alert):
    numbers = phones(200)
    for phone in numbers[:50]:
        opt_out(phone, "STOP")
    opt_in(numbers[0])
    db.session.commit()

    written = enqueue_sms_fanout([(phone, "en", None) for phone in numbers], "new_match", alert)
    db.session.commit()

    assert written == 151
    sent_to = {row.address for row in notifications()}
    assert numbers[0] in sent_to
    assert not sent_to & set(numbers[1:50])


def test_members_who_switched_market_sms_off_get_nothing(db, awake, alert):
    keen = make_member(display_name="Keen")
    quiet = make_member(display_name="Quiet")
    save_choices(quiet.id, {("market", "email")})
    db.session.commit()

    written = enqueue_sms_fanout([(keen.phone, "en", keen.id), (quiet.phone, "en", quiet.id)], "new_match", alert)
    db.session.commit()

    assert written == 1
    assert [row.member_id for row in notifications()] == [keen.id]


def test_members_over_the_daily_cap_get_a_skipped_row(app, db, awake, alert):
    app.config["NOTIFY_SMS_DAILY_CAP"] = 2
    busy = make_member(display_name="Busy")
    fresh = make_member(display_name="Fresh")
    enqueue(busy, "new_match", {**alert}, channels=("sms",))
    db.session.commit()

    for _round in range(2):
        enqueue_sms_fanout([(busy.phone, "en", busy.id), (fresh.phone, "en", fresh.id)], "new_match", alert)
        db.session.commit()

    busy_rows = notifications(member_id=busy.id)
    assert [row.status for row in busy_rows] == ["pending", "pending", "skipped"]
    assert busy_rows[-1].last_error == "daily SMS limit reached"
    assert [row.status for row in notifications(member_id=fresh.id)] == ["pending", "pending"]


def test_urgent_messages_ignore_the_cap_and_quiet_hours(app, db, alert):
    local_hour = datetime.now(UTC).astimezone(ZoneInfo(app.config["NOTIFY_TIMEZONE"])).hour
    app.config.update(NOTIFY_QUIET_START=local_hour, NOTIFY_QUIET_END=(local_hour + 1) % 24, NOTIFY_SMS_DAILY_CAP=0)
    member = make_member()

    enqueue_sms_fanout([(member.phone, "en", member.id)], "new_match", alert, urgent=True)
    enqueue_sms_fanout([("+8613900000009", "en", None)], "new_match", alert)
    db.session.commit()

    urgent, later = notifications()
    assert urgent.status == "pending" and urgent.urgent and aware(urgent.next_attempt_at) <= utcnow()
    # Written in quiet hours: due at the next end of quiet hours, within the hour.
    assert not later.urgent and later.status == "pending"
    assert 0 < (aware(later.next_attempt_at) - utcnow()).total_seconds() <= 3600


def test_rows_roll_back_with_the_callers_transaction(db, awake, alert):
    enqueue_sms_fanout([(phone, "en", None) for phone in phones(20)], "new_match", alert)
    db.session.rollback()
    assert count_rows() == 0


def test_nobody_to_tell_writes_nothing(db, awake, alert):
    assert enqueue_sms_fanout([], "new_match", alert) == 0
    assert count_rows() == 0
