"""The SMS blocklist: STOP puts a number on it with the keyword and time, START takes it off while
keeping the history, and the lookups (one number, or many at once for a fan-out) see only numbers
that are stopped now."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import event, func, select

from app.notify.models import SmsOptOut
from app.notify.optout import is_opted_out, opt_in, opt_out, opted_out_numbers

PHONE = "+8613800138000"
OTHER = "+8613900139000"


def aware(moment):
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def row_for(db, phone):
    db.session.commit()
    return db.session.scalar(select(SmsOptOut).where(SmsOptOut.phone == phone))


def test_stop_is_recorded_with_keyword_and_time(db):
    opt_out(PHONE, "退订")
    db.session.commit()

    row = row_for(db, PHONE)
    assert (row.keyword, row.opted_in_at) == ("退订", None) and row.opted_out_at is not None
    assert is_opted_out(PHONE) and not is_opted_out(OTHER)


def test_start_resumes_and_keeps_the_history(db):
    opt_out(PHONE, "STOP")
    db.session.commit()
    stopped_at = aware(row_for(db, PHONE).opted_out_at)

    opt_in(PHONE)
    db.session.commit()

    row = row_for(db, PHONE)
    assert not is_opted_out(PHONE)
    assert aware(row.opted_out_at) == stopped_at and aware(row.opted_in_at) >= stopped_at
    assert row.keyword == "STOP"


def test_stopping_again_after_start_reuses_the_one_row(db):
    opt_out(PHONE, "STOP")
    db.session.commit()
    opt_in(PHONE)
    db.session.commit()
    opt_out(PHONE, "TD")
    db.session.commit()

    assert db.session.scalar(select(func.count(SmsOptOut.id))) == 1
    row = row_for(db, PHONE)
    assert (row.keyword, row.opted_in_at) == ("TD", None) and is_opted_out(PHONE)


def test_stop_twice_keeps_the_first_time_and_start_without_stop_does_nothing(db):
    opt_out(PHONE, "STOP")
    db.session.commit()
    first = aware(row_for(db, PHONE).opted_out_at)
    opt_out(PHONE, "QUIT")
    opt_in(OTHER)
    db.session.commit()

    row = row_for(db, PHONE)
    assert (row.keyword, aware(row.opted_out_at)) == ("STOP", first)
    assert row_for(db, OTHER) is None


def test_opt_out_rolls_back_with_the_callers_transaction(db):
    opt_out(PHONE, "STOP")
    db.session.rollback()
    assert not is_opted_out(PHONE)


def test_bulk_lookup_returns_only_numbers_stopped_now(db):
    opt_out(PHONE, "STOP")
    opt_out(OTHER, "STOP")
    opt_in(OTHER)
    db.session.commit()

    assert opted_out_numbers([PHONE, OTHER, "+8613700137000", "", PHONE]) == {PHONE}
    assert opted_out_numbers([]) == set()


def test_bulk_lookup_of_a_large_fan_out_is_one_query(db):
    stopped = [f"+86137{n:08d}" for n in range(0, 3000, 7)]
    for phone in stopped:
        opt_out(phone, "STOP")
    db.session.commit()
    recipients = [f"+86137{n:08d}" for n in range(3000)]

    statements = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def count(_connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):  # not SQLite's BEGIN
            statements.append(statement)

    try:
        assert opted_out_numbers(recipients) == set(stopped)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
