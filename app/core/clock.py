"""The clock every domain reads: aware UTC datetimes (tests freeze or shift it; docs/testing.md)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """Now, as an aware datetime in UTC."""
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """The zone "local" days and hours are counted in (NOTIFY_TIMEZONE, China by default)."""
    return ZoneInfo(current_app.config["NOTIFY_TIMEZONE"])


def local_day_start(now: datetime) -> datetime:
    """The UTC instant of the local midnight that began ``now``'s day."""
    local = now.astimezone(local_zone())
    return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo).astimezone(UTC)
