"""Catalogue events for the domains that build on commodity names (receivers connected in create_app).

    commodity_names_changed   commodity_id   (a commodity was added or renamed, or an alias added or
                                              removed; sent after the flush, inside the transaction)

app.postings re-indexes the commodity's postings (their search text holds its names) and app.search
forgets the query vocabulary it keeps, so the next search reads the new names.
"""

from __future__ import annotations

from blinker import Namespace

SENDER = "catalogue"

catalogue_signals = Namespace()

commodity_names_changed = catalogue_signals.signal(
    "commodity_names_changed", doc="A commodity's names or aliases changed (or it was added)."
)
