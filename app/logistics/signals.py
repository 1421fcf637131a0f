"""Signals of the logistics domain, sent inside the transaction after the change is flushed (like
app.trade.signals), carrying ids and amounts as strings."""

from __future__ import annotations

from blinker import Namespace

logistics_signals = Namespace()

partial_acceptance_agreed = logistics_signals.signal(
    "partial_acceptance_agreed",
    doc="The seller agreed to a partial acceptance: order_id, amount_due and reduction (Decimal strings), actor_id.",
)
