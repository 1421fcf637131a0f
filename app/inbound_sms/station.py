"""Info-station postings: the farmer confirms by SMS what a station typed in for them (issue 5, 8)."""

from __future__ import annotations

from app.core.urls import public_url
from app.extensions import db
from app.notify.services import enqueue
from app.postings import signals as posting_signals
from app.postings.models import Posting


def request_farmer_confirmation(posting: Posting) -> None:
    """Ask the owner of a station's draft to publish it by replying YES <number> (SMS, and e-mail
    when they have an address). The farmer's number may not be verified yet: answering this SMS is
    what verifies it. Adds outbox rows to the session; the caller commits with the posting."""
    station = posting.via_station
    enqueue(
        posting.owner,
        "station_posting_confirm",
        {
            # Shortened so the SMS stays within its limit (sms.limits) whatever the station calls itself.
            "station": (station.display_name[:24] if station is not None else ""),
            "number": posting.id,
            "commodity": posting.commodity,
            "quantity": posting.quantity,
            "unit": posting.unit,
            "price": posting.price,
            "link": public_url("postings.show_posting", posting_id=posting.id),
            "url": public_url("postings.show_posting", posting_id=posting.id),
        },
        to_unverified=True,
    )


def on_station_draft_saved(_sender, *, posting_id: int) -> None:
    """The postings domain's ``station_draft_saved``: ask the farmer to confirm."""
    request_farmer_confirmation(db.session.get(Posting, posting_id))


def connect() -> None:
    posting_signals.station_draft_saved.connect(on_station_draft_saved, sender=posting_signals.SENDER)
