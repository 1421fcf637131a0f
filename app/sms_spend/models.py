"""The SMS budget's counters and alerts (app/sms_spend/budget.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models_common import created_at_column


class SmsBudgetCounter(db.Model):
    """How many SMS one budget (app/sms_spend/budget.py) counted in one window: the budget's name
    (number, prefix, address, station, site), what it is about (the number, the range, the address,
    the station's member id, "*"), the period (hour or day) and when the window began."""

    __table_args__ = (
        UniqueConstraint("budget", "key", "period", "window_start"),
        CheckConstraint("count >= 0", name="count_nonnegative"),
        CheckConstraint("period IN ('hour', 'day')", name="period_known"),
        # The admin page lists the current windows.
        Index("ix_sms_budget_counter_window_start", "window_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(4))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    count: Mapped[int] = mapped_column(Integer, default=0)


class SmsBudgetAlert(db.Model):
    """One full budget window, written when the first SMS was refused in it: the admins are told
    once per window (the unique constraint holds between workers), not once per refused request."""

    __table_args__ = (UniqueConstraint("budget", "key", "period", "window_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(4))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    allowed: Mapped[int] = mapped_column(Integer)  # the budget's size when it was reached
    created_at: Mapped[datetime] = created_at_column()
