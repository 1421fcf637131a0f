"""The clock every domain reads: aware UTC datetimes (tests freeze or shift it; docs/testing.md)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as an aware datetime in UTC."""
    return datetime.now(UTC)
