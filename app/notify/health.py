"""Outbox health for /healthz: how long the oldest due message has been waiting."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, func, select

from app.core.clock import utcnow
from app.extensions import db
from app.notify.models import CLAIMABLE, Notification

# Built once: /healthz is polled often, and building the statement costs more than running it
# (an index range on (status, next_attempt_at)).
_OLDEST_DUE = select(func.min(Notification.next_attempt_at)).where(
    Notification.status.in_(CLAIMABLE), Notification.next_attempt_at <= bindparam("now")
)


def outbox_lag_seconds(now: datetime | None = None) -> int:
    """Seconds since the oldest message that is due and not yet sent (pending, failed and due for
    retry, or being sent: a claimed row keeps the time it became due) became due; 0 when nothing is
    waiting. A growing lag means no worker is running or the gateway keeps failing."""
    now = now or utcnow()
    oldest = db.session.scalar(_OLDEST_DUE, {"now": now})
    if oldest is None:
        return 0
    if oldest.tzinfo is None:  # SQLite returns naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    return max(int((now - oldest).total_seconds()), 0)
