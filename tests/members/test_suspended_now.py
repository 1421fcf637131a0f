""" "Suspended now" has one definition (Member.is_suspended): asked of a row in Python and used as a
SQL condition, it gives the same answer for every kind of suspension, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.clock import utcnow
from app.members.models import Member
from tests.factories import make_member


def test_python_and_sql_agree_on_who_is_suspended_now(db):
    now = utcnow()
    members = {
        "never": make_member(),
        "permanent": make_member(suspended_permanently=True),
        "running": make_member(suspended_until=now + timedelta(days=3)),
        "lapsed": make_member(suspended_until=now - timedelta(minutes=1)),
        "permanent with a lapsed date": make_member(
            suspended_permanently=True, suspended_until=now - timedelta(days=1)
        ),
    }
    db.session.expire_all()
    in_python = {name for name, member in members.items() if member.is_suspended(now)}
    ids = set(db.session.scalars(select(Member.id).where(Member.is_suspended(now))))
    in_sql = {name for name, member in members.items() if member.id in ids}
    not_ids = set(db.session.scalars(select(Member.id).where(~Member.is_suspended(now))))
    assert in_python == in_sql == {"permanent", "running", "permanent with a lapsed date"}
    assert {name for name, member in members.items() if member.id in not_ids} == {"never", "lapsed"}


def test_a_suspension_ending_later_is_not_running_once_that_moment_passed(db):
    until = utcnow() + timedelta(hours=2)
    member = make_member(suspended_until=until)
    later = until + timedelta(seconds=1)
    assert member.is_suspended() and not member.is_suspended(later)
    assert db.session.scalar(select(Member.id).where(Member.is_suspended(later))) is None
