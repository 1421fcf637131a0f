"""Admin events for other domains to subscribe to (notify tells the reporter).

Sent inside the deciding transaction; the sender is ``"admin"``. Keyword arguments are plain values,
so a subscriber needs nothing from the admin package (no domain imports admin, .importlinter):

    report_decided   report_id, reporter_id, actioned (bool), note (the admin's note to the reporter)
"""

from __future__ import annotations

from blinker import Namespace

SENDER = "admin"

admin_signals = Namespace()

report_decided = admin_signals.signal("report_decided", doc="An admin resolved or dismissed a member's report.")
