"""What search does when the catalogue changes (connected in create_app)."""

from __future__ import annotations

from app.catalogue import signals as catalogue_signals
from app.search.vocabulary import forget_query_vocabulary


def on_commodity_names_changed(sender, commodity_id: int, **extra) -> None:
    # Searches read the new name or alias at once in this process; other processes within
    # MARKET_CATALOGUE_SECONDS (docs/search.md).
    forget_query_vocabulary()


def connect() -> None:
    catalogue_signals.commodity_names_changed.connect(on_commodity_names_changed, sender=catalogue_signals.SENDER)
