"""Notices shown on the site instead of sent: the "new goods from the stores you follow" list.

Written in bulk in the caller's transaction (like the outbox, they commit or roll back with the
event); read newest first by their member. Nothing here commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, insert, select, update

from app.core.clock import utcnow
from app.extensions import db
from app.notify.models import SiteNotice

# Rows per INSERT: far below every driver's parameter limit (6 columns a row).
_CHUNK = 1000


def add_many(member_ids: Iterable[int], event: str, params: dict, link: str) -> int:
    """One unread notice of ``event`` for each member in ``member_ids`` (``link`` is a path on the
    site, ``params`` what its text needs). Returns how many were written."""
    now = utcnow()
    rows = [
        {"member_id": member_id, "event": event, "params": params, "link": link, "created_at": now}
        for member_id in dict.fromkeys(member_ids)
    ]
    for start in range(0, len(rows), _CHUNK):
        db.session.execute(insert(SiteNotice), rows[start : start + _CHUNK])
    return len(rows)


def recent(member_id: int, limit: int = 50) -> list[SiteNotice]:
    """The member's latest notices, newest first."""
    return list(
        db.session.scalars(
            select(SiteNotice).where(SiteNotice.member_id == member_id).order_by(SiteNotice.id.desc()).limit(limit)
        )
    )


def unread_count(member_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(SiteNotice.id)).where(SiteNotice.member_id == member_id, SiteNotice.read_at.is_(None))
        )
        or 0
    )


def mark_all_read(member_id: int) -> int:
    """Mark every unread notice of the member read. Returns how many changed."""
    result = db.session.execute(
        update(SiteNotice)
        .where(SiteNotice.member_id == member_id, SiteNotice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
