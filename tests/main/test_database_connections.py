"""Pooled connections: the ping of connections that sat unused or that the server closed (app/db.py
install_idle_ping), and read-only pages without a transaction on PostgreSQL (read_without_transaction)."""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import create_engine, select, text

from app.db import install_idle_ping, read_without_transaction
from app.members.models import Member
from tests.live_gunicorn import gunicorn


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pinged_engine(database_url, monkeypatch):
    """An engine on the test database with the idle ping after 5 s of a fake clock, and the list
    of pings it sent (the dialect's real ping, recorded on the way)."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    clock, pings = Clock(), []
    real_ping = engine.dialect.do_ping

    def recording_ping(dbapi_connection):
        pings.append(clock())
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", recording_ping)
    install_idle_ping(engine, 5, clock=clock)
    yield engine, clock, pings
    engine.dispose()


def _close_pooled_connection_from_the_server(engine) -> int:
    """Put one connection in the pool, then have PostgreSQL close it (as a restart or an idle
    timeout would); returns the server process id it had."""
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    killer = create_engine(engine.url)
    with killer.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    return pid


def test_only_a_connection_left_unused_is_pinged(pinged_engine):
    engine, clock, pings = pinged_engine
    with engine.connect() as connection:  # new: just connected, nothing to check
        connection.execute(text("SELECT 1"))
    clock.now += 1
    with engine.connect() as connection:  # used a second ago
        connection.execute(text("SELECT 1"))
    assert pings == []
    clock.now += 5
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    assert pings == [1006.0]


@pytest.mark.postgres_only
def test_a_connection_the_server_closed_while_idle_is_replaced_before_use(pinged_engine):
    engine, clock, pings = pinged_engine
    first_pid = _close_pooled_connection_from_the_server(engine)

    clock.now += 60  # the site was quiet for a minute
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != first_pid
    assert len(pings) == 1


@pytest.mark.postgres_only
def test_a_connection_the_server_closed_while_busy_is_replaced_before_use(pinged_engine):
    """Used a second ago, so no idle ping is due; but the server's goodbye waits on the socket."""
    engine, clock, pings = pinged_engine
    first_pid = _close_pooled_connection_from_the_server(engine)
    time.sleep(0.2)  # let the server finish closing it

    clock.now += 1
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != first_pid
    assert len(pings) == 1
    clock.now += 1
    with engine.connect() as connection:  # a live connection used a moment ago: no ping
        connection.execute(text("SELECT 1"))
    assert len(pings) == 1


@pytest.mark.postgres_only
@pytest.mark.slow
def test_a_request_after_its_workers_connection_was_terminated_succeeds(database_url, tmp_path, db):
    """Through gunicorn: pg_terminate_backend on the worker's connection between two requests (as a
    database restart or failover would), then the next request is answered as usual, not with a 500."""
    name = "jishi_terminated_test"
    url = f"{database_url}{'&' if '?' in database_url else '?'}application_name={name}"
    killer = create_engine(database_url)
    with gunicorn(url, tmp_path, DATABASE_PING_IDLE_SECONDS="3600") as base:
        assert requests.get(f"{base}/", timeout=10).status_code == 200
        with killer.begin() as connection:
            terminated = connection.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name},
            ).scalar()
        time.sleep(0.2)
        statuses = [requests.get(f"{base}{path}", timeout=10).status_code for path in ("/", "/market", "/")]
    killer.dispose()
    assert terminated >= 1
    assert statuses == [200, 200, 200]
    assert "Unhandled error" not in (tmp_path / "gunicorn.log").read_text()


@pytest.mark.postgres_only
def test_a_read_only_page_runs_without_a_transaction_and_the_next_request_has_one(app, db):
    db.session.remove()
    with app.test_request_context("/market"):
        read_without_transaction()
        connection = db.session.connection()
        raw = connection.connection.dbapi_connection
        # Outside a transaction each statement has its own now(); inside one they share it.
        first = db.session.execute(text("SELECT now()")).scalar()
        time.sleep(0.01)
        assert db.session.execute(text("SELECT now()")).scalar() > first
        db.session.remove()  # the end of the request: the connection goes back to the pool

    with app.test_request_context("/account", method="POST"):
        connection = db.session.connection()
        assert connection.connection.dbapi_connection is raw  # the same pooled connection
        first = db.session.execute(text("SELECT now()")).scalar()
        time.sleep(0.01)
        assert db.session.execute(text("SELECT now()")).scalar() == first
        db.session.add(Member(phone="+8613800009999", display_name="Rolled back", is_seller=True, is_buyer=True))
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(Member).where(Member.display_name == "Rolled back")) is None
        db.session.remove()


def test_a_view_already_in_a_transaction_keeps_it(app, db):
    db.session.remove()
    with app.test_request_context("/market"):
        first = db.session.execute(text("SELECT CURRENT_TIMESTAMP")).scalar()
        read_without_transaction()  # too late: the transaction has begun
        assert db.session().in_transaction()
        if db.engine.dialect.name == "postgresql":  # (SQLite's CURRENT_TIMESTAMP is per statement)
            time.sleep(0.01)
            assert db.session.execute(text("SELECT CURRENT_TIMESTAMP")).scalar() == first
        db.session.remove()
