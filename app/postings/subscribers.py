"""What the postings domain does when other domains announce a change (connected at import of
app.postings)."""

from __future__ import annotations

from app.catalogue import signals as catalogue_signals
from app.members import signals as member_signals
from app.postings import services


def on_member_verification_changed(sender, member_id: int, verified: bool, **extra) -> None:
    services.set_owner_verified(member_id, verified)


def on_commodity_names_changed(sender, commodity_id: int, **extra) -> None:
    services.reindex_commodity_postings(commodity_id)


def connect() -> None:
    catalogue_signals.commodity_names_changed.connect(on_commodity_names_changed, sender=catalogue_signals.SENDER)
    member_signals.member_verification_changed.connect(on_member_verification_changed, sender=member_signals.SENDER)
