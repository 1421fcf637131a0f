"""The admins' warning when an SMS budget fills up (app/sms_spend/budget.py sends ``budget_reached``
once per budget window). Runs inside the refusing request's transaction and only adds outbox rows."""

from __future__ import annotations

from sqlalchemy import select

from app.core.urls import public_url
from app.extensions import db
from app.members.models import Member
from app.notify.preferences import register_event
from app.notify.services import enqueue
from app.sms_spend import signals as spend_signals

ALERT_EVENT = "sms_budget_reached"
register_event(ALERT_EVENT, "account")  # an admin cannot switch this warning off


def on_budget_reached(_sender, *, budget: str, key: str, period: str, limit: int, window_start) -> None:
    """sms_budget_reached to every admin, urgent (e-mail and SMS by their preferences)."""
    context = {
        "budget": budget,
        "key": key,
        "period": period,
        "limit": limit,
        "link": public_url("admin.sms_budget_page"),
    }
    for admin in db.session.scalars(select(Member).where(Member.is_admin.is_(True)).order_by(Member.id)):
        enqueue(admin, ALERT_EVENT, context, urgent=True)


def connect() -> None:
    spend_signals.budget_reached.connect(on_budget_reached, sender=spend_signals.SENDER)
