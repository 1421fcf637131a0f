"""Counting views of posting pages for the seller's dashboard.

A view is one upsert of (posting, local day) in a transaction of its own, written after the page is
rendered: if the count cannot be written (the database is busy, say) the page is still served and
the view is simply not counted."""
from __future__ import annotations

import logging
from datetime import date, timedelta

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


def record_view(posting_id: int, owner_ids: tuple[int | None, ...], viewer_id: int | None, today: date) -> bool:
    """Count one view of the posting on ``today`` unless the viewer is one of ``owner_ids`` (its
    owner, the info-station that posted it). Ends the session's transaction first. Returns True
    when a view was written."""
    if viewer_id is not None and viewer_id in owner_ids:
        return False
    table = PostingViewDay.__table__
    insert = _INSERTS[db.engine.dialect.name](table).values(posting_id=posting_id, day=today, views=1)
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.posting_id, table.c.day], set_={"views": table.c.views + 1}
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
        db.session.execute(statement)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("posting %s: view not counted", posting_id, exc_info=True)
        return False
    finally:
        if sqlite:  # back to the connection's normal wait (app/db.py) before it returns to the pool
            db.session.connection().exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            db.session.rollback()
    return True


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
