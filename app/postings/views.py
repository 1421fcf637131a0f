"""Counting views of posting pages for the seller's dashboard.

A page view only adds one to a counter in this worker's memory; the counts are written, all in one
statement, at most every POSTING_VIEW_FLUSH_SECONDS (by the first view after that time) and when
the worker exits. A write per view made the posting page — the most visited page — wait for the
database's write lock on every request. The cost: counts reach the dashboard up to that many
seconds late, and a worker that is killed outright (SIGKILL, a machine failure) loses what it had
not written yet. A count that cannot be written (the database is busy, say) is kept for the next
try, and the page is served either way."""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import Counter
from datetime import date, timedelta

from flask import Flask, current_app
from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from app.db import SQLITE_BUSY_TIMEOUT_MS
from app.extensions import db
from app.postings.models import Posting, PostingViewDay

log = logging.getLogger("jishi.postings")
_INSERTS = {"sqlite": sqlite_insert, "postgresql": postgres_insert}
VIEW_LOCK_WAIT_MS = 250
# Distinct (posting, day) counts a worker keeps while writes keep failing; beyond this, new views
# are dropped (and logged) rather than letting a database outage grow the worker's memory.
MAX_PENDING = 50_000
_BUFFER_KEY = "posting_view_buffer"


class ViewBuffer:
    """Views not written yet, ``(posting_id, day) -> count``, and when they were last written."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.counts: Counter[tuple[int, date]] = Counter()
        self.last_flush = clock()
        self.lock = threading.Lock()

    def add(self, posting_id: int, day: date, views: int = 1) -> bool:
        """Count views; False (nothing counted) when the buffer is full."""
        with self.lock:
            if (posting_id, day) not in self.counts and len(self.counts) >= MAX_PENDING:
                return False
            self.counts[(posting_id, day)] += views
            return True

    def due(self, every_seconds: float) -> bool:
        return bool(self.counts) and self.clock() - self.last_flush >= every_seconds

    def take(self) -> Counter[tuple[int, date]]:
        """Everything pending, leaving the buffer empty (so two requests never write the same views)."""
        with self.lock:
            taken, self.counts = self.counts, Counter()
            self.last_flush = self.clock()
            return taken


# Apps whose workers hold views, written when the process exits normally (gunicorn's graceful
# stop and max-requests restarts end the worker with sys.exit, which runs atexit handlers).
_apps_with_views: weakref.WeakSet[Flask] = weakref.WeakSet()


def view_buffer() -> ViewBuffer:
    """The current app's buffer, created on first use (one per worker process)."""
    buffer = current_app.extensions.get(_BUFFER_KEY)
    if buffer is None:
        buffer = current_app.extensions[_BUFFER_KEY] = ViewBuffer()
        _apps_with_views.add(current_app._get_current_object())  # type: ignore[attr-defined]
    return buffer


def record_view(posting_id: int, owner_ids: tuple[int | None, ...], viewer_id: int | None, today: date) -> bool:
    """Count one view of the posting on ``today`` unless the viewer is one of ``owner_ids`` (its
    owner, the info-station that posted it). Writes the worker's pending views when they are due
    (see the module docstring), which ends the session's transaction. Returns True when the view
    was counted (pending or written), False for an owner's view or a full buffer."""
    if viewer_id is not None and viewer_id in owner_ids:
        return False
    buffer = view_buffer()
    if not buffer.add(posting_id, today):
        log.warning("posting %s: view not counted, %s unwritten counts pending", posting_id, MAX_PENDING)
        return False
    if buffer.due(current_app.config["POSTING_VIEW_FLUSH_SECONDS"]):
        write_pending_views()
    return True


def write_pending_views() -> int:
    """Write this worker's pending views in one transaction of its own. Returns how many views were
    written; when the write fails (a lock not granted within VIEW_LOCK_WAIT_MS, say) the views go
    back into the buffer for the next try and 0 is returned. Never raises SQLAlchemyError."""
    buffer = view_buffer()
    pending = buffer.take()
    if not pending:
        return 0
    # Sorted, so that two workers writing the same rows on PostgreSQL lock them in the same order.
    rows = [
        {"posting_id": posting_id, "day": day, "views": views} for (posting_id, day), views in sorted(pending.items())
    ]
    table = PostingViewDay.__table__
    insert = _INSERTS[db.engine.dialect.name](table)
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.posting_id, table.c.day], set_={"views": table.c.views + insert.excluded.views}
    )
    # A fresh transaction that starts by writing: on SQLite a transaction that has already read
    # cannot start writing once another connection has committed, so the page's reads end here.
    db.session.rollback()
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    try:
        # A counter is not worth keeping a reader waiting: give up after a short wait for a lock.
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {VIEW_LOCK_WAIT_MS}")
        else:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{VIEW_LOCK_WAIT_MS}ms'")
        db.session.execute(statement, rows)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        for (posting_id, day), views in pending.items():
            buffer.add(posting_id, day, views)
        log.warning("%s posting views not written yet; kept for the next try", sum(pending.values()), exc_info=True)
        return 0
    finally:
        if sqlite:  # back to the connection's normal wait (app/db.py) before it returns to the pool
            db.session.connection().exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            db.session.rollback()
    return sum(pending.values())


@atexit.register
def _write_views_at_exit() -> None:
    for app in list(_apps_with_views):
        buffer = app.extensions.get(_BUFFER_KEY)
        if buffer is None or not buffer.counts:
            continue
        try:
            with app.app_context():
                write_pending_views()
                db.session.remove()
        except Exception:  # the process is ending: log, never stop the other apps' writes
            log.warning("posting views lost at exit", exc_info=True)


def most_viewed(owner_id: int, today: date, days: int = 30, limit: int = 10) -> list[tuple[Posting, int, int]]:
    """The owner's postings most viewed in the last ``days`` days: (posting, views in that period,
    views in the last 7 days), most viewed first."""
    since = today - timedelta(days=days - 1)
    week = today - timedelta(days=6)
    recent = func.sum(case((PostingViewDay.day >= week, PostingViewDay.views), else_=0))
    rows = db.session.execute(
        select(Posting, func.sum(PostingViewDay.views).label("views"), recent.label("recent"))
        .join(PostingViewDay, PostingViewDay.posting_id == Posting.id)
        .where(Posting.owner_id == owner_id, PostingViewDay.day >= since)
        .group_by(Posting.id)
        .order_by(func.sum(PostingViewDay.views).desc(), Posting.id.desc())
        .limit(limit)
    ).all()
    return [(posting, int(views), int(last_week or 0)) for posting, views, last_week in rows]
