"""Named posting events for other domains (new-match notifications, market prices) to subscribe to.

Sent by app.postings.services after the change has been flushed, inside the same transaction, so a
subscriber that writes rows (the outbox) commits or rolls back with it. Subscribers must not commit
and must not call back into posting services. The sender is the string ``"postings"``; keyword
arguments carry ids only:

    posting_published   posting_id, owner_id, kind   (a draft became active: web, SMS YES, station)
    station_draft_saved posting_id                   (an info-station saved a draft for a farmer, who
                                                      publishes it by SMS: app.inbound_sms.station asks)
"""

from __future__ import annotations

from blinker import Namespace

SENDER = "postings"

posting_signals = Namespace()

posting_published = posting_signals.signal(
    "posting_published", doc="A posting went from draft to active and is now on the market."
)

station_draft_saved = posting_signals.signal(
    "station_draft_saved", doc="An info-station saved a draft for a farmer, who must confirm it by SMS."
)
