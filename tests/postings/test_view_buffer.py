"""Posting views are counted in the worker's memory and written in one statement at most every
POSTING_VIEW_FLUSH_SECONDS, when a write fails they wait for the next try, and a worker that is
stopped writes what it holds (app/postings/views.py). TestingConfig writes every view at once;
these tests switch the buffer on."""

from __future__ import annotations

import sqlite3
import time
from datetime import date

import psycopg
import pytest
import requests
from sqlalchemy import func, make_url, select

from app.postings import views
from app.postings.models import PostingViewDay
from app.postings.services import local_today
from tests.factories import make_member, make_posting
from tests.live_gunicorn import gunicorn


def _stored_views(db, posting_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.coalesce(func.sum(PostingViewDay.views), 0)).where(PostingViewDay.posting_id == posting_id)
    )


@pytest.fixture
def buffered(app):
    app.config["POSTING_VIEW_FLUSH_SECONDS"] = 60
    return app


def test_views_wait_in_memory_and_are_written_together_when_due(buffered, client, db, login):
    seller = make_member(display_name="Seller")
    posting = make_posting(owner=seller)
    db.session.commit()
    for _ in range(3):
        assert client.get(f"/p/{posting.id}").status_code == 200
    assert _stored_views(db, posting.id) == 0
    buffer = buffered.extensions["posting_view_buffer"]
    assert buffer.counts == {(posting.id, local_today()): 3}
    login(seller)
    client.get(f"/p/{posting.id}")  # the owner's own view is not counted, pending or not
    assert sum(buffer.counts.values()) == 3
    buffer.last_flush -= 61
    login(make_member(display_name="Buyer"))
    client.get(f"/p/{posting.id}")
    assert _stored_views(db, posting.id) == 4
    assert not buffer.counts


def test_written_counts_add_to_what_is_stored(buffered, client, db):
    posting = make_posting()
    db.session.commit()
    client.get(f"/p/{posting.id}")
    with buffered.test_request_context():
        assert views.write_pending_views() == 1
    client.get(f"/p/{posting.id}")
    client.get(f"/p/{posting.id}")
    with buffered.test_request_context():
        assert views.write_pending_views() == 2
        assert views.write_pending_views() == 0  # nothing pending
    assert _stored_views(db, posting.id) == 3


def _hold_write_lock(database_url: str):
    """Another connection holding the lock the view write needs; returns a function releasing it."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        other = sqlite3.connect(url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
    else:
        other = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        other.execute("LOCK TABLE posting_view_day IN ACCESS EXCLUSIVE MODE")

    def release():
        other.rollback()
        other.close()

    return release


def test_a_write_that_cannot_get_its_lock_keeps_the_views_for_the_next_try(buffered, client, db, database_url):
    posting = make_posting()
    db.session.commit()
    client.get(f"/p/{posting.id}")
    client.get(f"/p/{posting.id}")
    db.session.commit()  # the test client's request left its transaction open on this session
    release = _hold_write_lock(database_url)
    try:
        with buffered.test_request_context():
            started = time.monotonic()
            assert views.write_pending_views() == 0
            # Gave up after its short lock wait, not the database's usual one.
            assert time.monotonic() - started < 5
    finally:
        release()
    buffer = buffered.extensions["posting_view_buffer"]
    assert buffer.counts == {(posting.id, local_today()): 2}
    with buffered.test_request_context():
        assert views.write_pending_views() == 2
    assert _stored_views(db, posting.id) == 2


def test_a_full_buffer_drops_new_postings_rather_than_grow(monkeypatch):
    monkeypatch.setattr(views, "MAX_PENDING", 2)
    buffer = views.ViewBuffer()
    today = date(2026, 11, 26)
    assert buffer.add(1, today) and buffer.add(2, today)
    assert buffer.add(1, today)  # a posting already pending is still counted
    assert not buffer.add(3, today)
    assert buffer.counts == {(1, today): 2, (2, today): 1}


@pytest.mark.slow
def test_gunicorn_writes_the_pending_views_when_it_stops(db, database_url, tmp_path):
    posting = make_posting()
    db.session.commit()
    with gunicorn(database_url, tmp_path, POSTING_VIEW_FLUSH_SECONDS="3600") as base:
        for _ in range(3):
            assert requests.get(f"{base}/p/{posting.id}", timeout=10).status_code == 200
        assert _stored_views(db, posting.id) == 0  # an hour before they are due
    assert _stored_views(db, posting.id) == 3, (tmp_path / "gunicorn.log").read_text()[-2000:]
