"""When an SMS may go out: quiet hours and the daily cap per member (the rules of issue 5).

Plain functions of the clock and the outbox, so that ``enqueue`` and the bulk fan-out share them.
Times are aware datetimes in UTC; "local" means NOTIFY_TIMEZONE (China by default)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.core.clock import local_day_start, local_zone
from app.extensions import db
from app.notify.models import Channel, Notification, NotificationStatus

DAILY_LIMIT_REACHED = "daily SMS limit reached"
OPTED_OUT = "number opted out (STOP)"


def quiet_hours_delay(now: datetime) -> datetime | None:
    """When a non-urgent SMS written at ``now`` may be sent: None when ``now`` is outside quiet
    hours (send at once), else the UTC time of the next NOTIFY_QUIET_END o'clock local time.
    Quiet hours run from NOTIFY_QUIET_START:00 (inclusive) to NOTIFY_QUIET_END:00 (exclusive) and
    may span midnight (21 → 7) or not (1 → 5); equal hours mean no quiet hours."""
    config = current_app.config
    start, end = config["NOTIFY_QUIET_START"], config["NOTIFY_QUIET_END"]
    if start == end:
        return None
    local = now.astimezone(local_zone())
    hour = local.hour
    quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return None
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    # Built from the wall-clock time, so a daylight-saving zone still wakes at END o'clock.
    return datetime.combine(day, time(end), tzinfo=local.tzinfo).astimezone(UTC)


def sms_count_today(member_id: int, now: datetime) -> int:
    """Non-urgent SMS written for the member since local midnight and not skipped."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.member_id == member_id,
                Notification.created_at >= local_day_start(now),
                Notification.channel == Channel.SMS.value,
                Notification.urgent.is_(False),
                Notification.status != NotificationStatus.SKIPPED.value,
            )
        )
        or 0
    )


def sms_allowed_today(member_id: int | None, now: datetime, pending: int = 0) -> bool:
    """True when one more non-urgent SMS to the member stays within NOTIFY_SMS_DAILY_CAP for the
    local day of ``now``. ``pending`` counts rows this transaction added but did not flush (a
    bulk caller counting its own batch). A message to no member is not capped here."""
    if member_id is None:
        return True
    return sms_count_today(member_id, now) + pending < current_app.config["NOTIFY_SMS_DAILY_CAP"]
