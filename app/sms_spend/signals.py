"""Signals of the SMS budget. Receivers are connected in create_app (docs/architecture.md lists them)."""

from __future__ import annotations

from blinker import Namespace

sms_spend_signals = Namespace()
SENDER = "sms_spend"

# Sent once per full budget window, inside the refusing request's transaction, with the alert's
# fields: budget, key, period, limit, window_start. app.notify.spend_handlers tells every admin.
budget_reached = sms_spend_signals.signal(
    "budget_reached", doc="An SMS budget filled up for its window (first refusal in the window)."
)
